/**
 * `drainsim report <a> <b>`: a failure and its fix on one self-contained page — each chart of either
 * run as a pair, left and right, on one time axis and one y scale, cursors in sync; then the figure
 * deltas, better or worse by what each figure counts. Same inputs, same bytes.
 */
import type { RunResult } from '../../sim/result.js';
import { escapeHtml, inlineAsset, jsonForScript } from '../html/escape.js';
import { pageHead } from '../html/page-head.js';
import { PAGE_SCRIPT } from '../html/page-script.js';
import { type ChartAssets, uplotAssets } from '../html/uplot-assets.js';
import { scenarioIntent, verdictWords } from '../scenario-intent.js';
import { figureDeltas } from './figure-deltas.js';
import { type PairRow, pairData, type SideChart } from './pair-data.js';

const PAIR_STYLE = `
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin: 8px 0 20px; }
.pair figure { margin: 0; min-width: 0; }
.runs { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.empty { color: var(--dim); border: 1px dashed #d1d5db; padding: 24px; text-align: center; }
td.better { color: var(--ok); font-weight: 600; }
td.worse { color: var(--fail); font-weight: 600; }
`;

function runHeader(r: RunResult, side: string): string {
  const { text, tone } = verdictWords(r);
  const { source } = scenarioIntent(r);
  return [
    '<div>',
    `<h2>${side}: ${escapeHtml(r.scenario.name)} <small>seed ${r.seed}</small></h2>`,
    `<p class="description">${escapeHtml(r.scenario.description.trim())}</p>`,
    ...(source === undefined ? [] : [`<p class="source">Source: ${escapeHtml(source)}</p>`]),
    `<p><span class="verdict ${tone}">${escapeHtml(text)}</span></p>`,
    '</div>',
  ].join('\n');
}

function side(chart: SideChart | undefined, name: string): string {
  if (chart === undefined) return `<figure><div class="empty">nothing to draw in ${escapeHtml(name)}</div></figure>`;
  return `<figure class="chart" id="chart-${chart.id}"><div class="plot" data-chart="${chart.id}"></div></figure>`;
}

function pairRow(row: PairRow, a: RunResult, b: RunResult): string {
  return [
    `<h3 id="pair-${row.id}">${escapeHtml(row.title)} <span class="unit">(${escapeHtml(row.unit)})</span></h3>`,
    `<div class="pair">${side(row.a, a.scenario.name)}${side(row.b, b.scenario.name)}</div>`,
  ].join('\n');
}

function deltasSection(a: RunResult, b: RunResult): string {
  const deltas = figureDeltas(a, b);
  const rows = deltas.map(
    (d) =>
      `<tr><td><code>${escapeHtml(d.figure)}</code></td><td class="num">${d.a}</td><td class="num">${d.b}</td><td class="${d.verdict}">${d.verdict}</td></tr>`,
  );
  return [
    '<section id="deltas">',
    '<h2>Figures that changed</h2>',
    `<p class="hint">From ${escapeHtml(a.scenario.name)} to ${escapeHtml(b.scenario.name)}; better or worse by what the figure counts (fewer errors, more goodput, a drain that ends), "changed" where neither is better.</p>`,
    deltas.length === 0
      ? '<p class="note">No figure changed.</p>'
      : `<table>\n<thead><tr><th>figure</th><th class="num">${escapeHtml(a.scenario.name)}</th><th class="num">${escapeHtml(b.scenario.name)}</th><th>verdict</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    '</section>',
  ].join('\n');
}

export function renderSideBySide(a: RunResult, b: RunResult, assets: ChartAssets = uplotAssets()): string {
  const data = pairData(a, b);
  const title = `drainsim · ${a.scenario.name} vs ${b.scenario.name}`;
  return [
    ...pageHead(title, a.version, assets, PAIR_STYLE),
    `<header><h1>${escapeHtml(a.scenario.name)} vs ${escapeHtml(b.scenario.name)}</h1>`,
    `<div class="runs">${runHeader(a, 'left')}${runHeader(b, 'right')}</div></header>`,
    '<section id="charts">',
    '<h2>Charts</h2>',
    '<p class="hint">Left and right share the time axis (seconds since each run started, labelled with the left run\'s clock) and, per chart, the y scale. Amber dashes: timeline actions; violet dots: orchestrator steps.</p>',
    ...data.rows.map((row) => pairRow(row, a, b)),
    '</section>',
    deltasSection(a, b),
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    `<script>\n${inlineAsset(assets.script, 'script', 'uPlot.iife.min.js')}\n</script>`,
    `<script>\n${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
