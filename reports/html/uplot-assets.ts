/**
 * uPlot's browser build and stylesheet, read from node_modules when a report is rendered, so the
 * report inlines them and works offline. Resolved through Node's module resolution, which finds
 * the installed package from both the sources (vitest) and dist/ (the CLI).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChartAssets {
  /** uPlot's IIFE build; defines the global `uPlot`. */
  script: string;
  css: string;
}

let cached: ChartAssets | undefined;

export function uplotAssets(): ChartAssets {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    const read = (file: string): string => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
    cached = { script: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
  }
  return cached;
}
