/**
 * sweep.html: one self-contained page (inline CSS and SVG, no script dependency) with a chart per
 * figure against the first varied parameter — one line per combination of the others — and the
 * figures the sweep did not change listed at the end. Rendered from the same data as the CSVs,
 * so a merged sweep's page is byte-identical to a single machine's.
 */

import type { SampleStats } from '../../sim/sweep/sample-stats.js';
import type { PointSummary } from '../../sim/sweep/summarize.js';
import type { CellValue, SweepData } from '../../sim/sweep/types.js';
import { escapeHtml } from '../html/escape.js';
import { type ChartSeries, compactNumber, svgChart } from './svg-chart.js';

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
];

export function renderSweepHtml(data: SweepData, summary: readonly PointSummary[], figures: readonly string[]): string {
  const varying = figures.filter((f) => !constantAcrossSweep(data, f));
  const constant = figures.filter((f) => constantAcrossSweep(data, f));
  const axis = xAxis(data);
  const groups = seriesGroups(data);
  const charts = varying.map((figure) => {
    const series: ChartSeries[] = groups.map((g, i) => ({
      label: g.label,
      color: PALETTE[i % PALETTE.length]!,
      points: g.points.flatMap((point) => {
        const s = summary[point]!.stats.get(figure);
        if (s === null || s === undefined) return [];
        return [
          {
            x: axis.position(point),
            mean: s.mean,
            low: s.ci95Low,
            high: s.ci95High,
            p95: s.p95,
            tooltip: tooltip(data, point, figure, s),
          },
        ];
      }),
    }));
    if (series.every((s) => s.points.length === 0)) return '';
    return [
      `<figure class="chart" data-figure="${escapeHtml(figure)}">`,
      `<figcaption>${escapeHtml(figure)}</figcaption>`,
      svgChart({ xLabel: data.spec.vary[0]!.path, categories: axis.categories, series }),
      '</figure>',
    ].join('\n');
  });
  const legend =
    groups.length > 1
      ? `<ul class="legend">${groups.map((g, i) => `<li><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${escapeHtml(g.label)}</li>`).join('')}</ul>`
      : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>drainsim sweep: ${escapeHtml(data.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    header(data),
    '<section id="charts">',
    '<h2>Figures against the varied parameter</h2>',
    `<p class="hint">Line and dots: mean over the ${data.spec.seeds.length} seeds; band: its 95 % confidence interval (Student t); dashed: p95 over the seeds. Hover a dot for the numbers.</p>`,
    legend,
    '<input id="filter" type="search" placeholder="filter figures, e.g. reset_out" aria-label="filter figures">',
    `<div class="charts">${charts.join('\n')}</div>`,
    '</section>',
    constantSection(data, constant),
    `<script>${FILTER_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(data: SweepData): string {
  const { spec } = data;
  const seeds =
    spec.seeds.length === 1 ? `seed ${spec.seeds[0]}` : `seeds ${spec.seeds[0]}–${spec.seeds[spec.seeds.length - 1]}`;
  const rows = spec.vary.map((v, i) => {
    const values = [...new Set(data.points.map((p) => cellText(p.resolved[i]!)))];
    return `<tr><th>${escapeHtml(v.path)}</th><td>${escapeHtml(values.join(', '))}</td><td class="dim">--vary ${escapeHtml(v.text)}</td></tr>`;
  });
  return [
    '<header>',
    `<h1>Sweep: ${escapeHtml(data.name)}</h1>`,
    `<p>${data.points.length} grid points × ${spec.seeds.length} seeds = ${data.runs.length} runs; ${seeds} at every point (common random numbers). drainsim ${escapeHtml(data.version)}.</p>`,
    spec.sets.length > 0
      ? `<p>Every run: ${spec.sets.map((s) => `<code>--set ${escapeHtml(s)}</code>`).join(' ')}</p>`
      : '',
    `<table class="grid"><thead><tr><th>parameter</th><th>values (resolved; durations in seconds)</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    '</header>',
  ].join('\n');
}

function constantSection(data: SweepData, constant: readonly string[]): string {
  if (constant.length === 0) return '';
  const items = constant.map((f) => {
    const v = firstValue(data, f);
    return `<li><code>${escapeHtml(f)}</code> = ${v === null ? 'no value' : escapeHtml(compactNumber(v))}</li>`;
  });
  return [
    '<section id="unchanged">',
    `<h2>Unchanged across the sweep (${constant.length})</h2>`,
    `<ul class="constant">${items.join('')}</ul>`,
    '</section>',
  ].join('\n');
}

/** The x axis: numeric when every value of the first varied parameter is a finite number. */
function xAxis(data: SweepData): { categories?: string[]; position: (point: number) => number } {
  const values = data.points.map((p) => p.resolved[0]!);
  if (values.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return { position: (point) => values[point] as number };
  const categories = [...new Set(values.map(cellText))];
  return { categories, position: (point) => categories.indexOf(cellText(values[point]!)) };
}

/** Points grouped by the values of every varied parameter but the first: one chart line each. */
function seriesGroups(data: SweepData): { label: string; points: number[] }[] {
  const groups = new Map<string, number[]>();
  data.points.forEach((p, point) => {
    const label = data.spec.vary
      .slice(1)
      .map((v, i) => `${v.path}=${cellText(p.resolved[i + 1]!)}`)
      .join(', ');
    groups.set(label, [...(groups.get(label) ?? []), point]);
  });
  return [...groups].map(([label, points]) => ({ label: label === '' ? data.name : label, points }));
}

function tooltip(data: SweepData, point: number, figure: string, s: SampleStats): string {
  const where = data.spec.vary.map((v, i) => `${v.path}=${cellText(data.points[point]!.resolved[i]!)}`).join(', ');
  const ci = s.ci95Low === null ? 'no CI (1 seed)' : `95% CI ${num(s.ci95Low)} – ${num(s.ci95High!)}`;
  return `${figure} at ${where}\nmean ${num(s.mean)} (${ci})\np50 ${num(s.p50)}, p95 ${num(s.p95)}, p99 ${num(s.p99)}, min ${num(s.min)}, max ${num(s.max)} over ${s.n} seeds`;
}

function constantAcrossSweep(data: SweepData, figure: string): boolean {
  const first = firstValue(data, figure);
  return data.runs.every((r) => (r.figures[figure] ?? null) === first);
}

function firstValue(data: SweepData, figure: string): number | null {
  return data.runs[0]?.figures[figure] ?? null;
}

function cellText(v: CellValue): string {
  return v === null ? '' : String(v);
}

function num(v: number): string {
  return String(Number(v.toPrecision(6)));
}

const STYLE = [
  'body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}',
  'h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .4em}',
  'table.grid{border-collapse:collapse;margin:.6em 0}table.grid th,table.grid td{border-bottom:1px solid #ddd;padding:.2em .8em .2em 0;text-align:left;vertical-align:top}',
  '.dim,.hint{color:#666}.hint{font-size:.92em}code{font-size:.92em}',
  '.charts{display:flex;flex-wrap:wrap;gap:10px}',
  'figure.chart{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:4px 4px 0}',
  'figcaption{font:600 12px ui-monospace,monospace;padding:2px 4px;word-break:break-all;max-width:372px}',
  'svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .tick,svg .axis-label{font:10px system-ui,sans-serif;fill:#555}',
  'svg .band{opacity:.18;stroke:none}svg .mean{fill:none;stroke-width:1.8}svg .p95{fill:none;stroke-width:1;stroke-dasharray:4 3;opacity:.7}',
  'ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1em}.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}',
  '#filter{margin:.4em 0 .8em;padding:.3em .5em;width:22em}',
  'ul.constant{columns:3 22em;font-size:.9em}',
].join('\n');

const FILTER_SCRIPT =
  "document.getElementById('filter').addEventListener('input',function(e){var q=e.target.value.trim();" +
  "document.querySelectorAll('figure.chart').forEach(function(f){f.style.display=f.dataset.figure.indexOf(q)<0?'none':''});});";
