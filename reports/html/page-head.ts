/** The head of every report page (report.html, the side-by-side page): one place for its bytes. */
import { escapeHtml, inlineAsset } from './escape.js';
import { PAGE_STYLE } from './page-style.js';
import type { ChartAssets } from './uplot-assets.js';

/** From `<!DOCTYPE html>` to `<body>`, uPlot's CSS and the page style inline; `extraStyle` appended. */
export function pageHead(title: string, version: string, assets: ChartAssets, extraStyle = ''): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="drainsim ${escapeHtml(version)}">`,
    `<title>${escapeHtml(title)}</title>`,
    // An empty inline icon: otherwise the browser asks the server (or the disk) for /favicon.ico.
    '<link rel="icon" href="data:,">',
    `<style>\n${inlineAsset(assets.css, 'style', 'uPlot.min.css')}\n</style>`,
    `<style>${PAGE_STYLE}${extraStyle}</style>`,
    '</head>',
    '<body>',
  ];
}
