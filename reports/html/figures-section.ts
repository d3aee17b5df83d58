/**
 * Key figures grouped by their first dotted segment, with units, zeros hidden (summary.json and
 * `--verbose` have every one), and histograms.
 */
import type { RunResult } from '../../sim/result.js';
import { formatValue, isSecondsKey } from '../terminal/format.js';
import { escapeHtml } from './escape.js';

/** The unit of a figure, from the timeline series it summarises (durations carry their own). */
function unitOf(result: RunResult, name: string): string {
  if (isSecondsKey(name)) return '';
  const dot = name.indexOf('.');
  const meta = result.timeline.series.find((s) => s.name === (dot < 0 ? name : name.slice(0, dot)));
  if (meta === undefined) return '';
  return name.endsWith('.peak_per_s') ? `${meta.unit}/s` : meta.unit;
}

/** Non-zero figures, one small table per group, laid out in columns; how many zeros were hidden. */
function figureGroups(result: RunResult): { tables: string[]; zeros: number } {
  const groups = new Map<string, string[]>();
  let zeros = 0;
  for (const name of Object.keys(result.figures).sort()) {
    const dot = name.indexOf('.');
    const group = dot < 0 ? name : name.slice(0, dot);
    const value = result.figures[name];
    if (value === 0) {
      zeros++;
      continue;
    }
    const shown = value === null || value === undefined ? 'n/a' : formatValue(name, value);
    const unit = escapeHtml(unitOf(result, name));
    const rows = groups.get(group) ?? [];
    rows.push(
      `<tr><td><code>${escapeHtml(name)}</code></td><td class="num">${shown}</td><td class="unit">${unit}</td></tr>`,
    );
    groups.set(group, rows);
  }
  const tables = [...groups].map(
    ([group, rows]) =>
      `<table class="figure-group">\n<caption>${escapeHtml(group)}</caption>\n${rows.join('\n')}\n</table>`,
  );
  return { tables, zeros };
}

function histogramTable(result: RunResult): string {
  const names = Object.keys(result.histograms)
    .filter((n) => result.histograms[n]!.count > 0)
    .sort();
  if (names.length === 0) return '';
  const columns = ['count', 'mean', 'p50', 'p95', 'p99', 'max'] as const;
  const rows = names.map((name) => {
    const h = result.histograms[name]!;
    const cells = columns.map((c) => `<td class="num">${formatValue(c === 'count' ? c : name, h[c])}</td>`).join('');
    return `<tr><td><code>${escapeHtml(name)}</code></td>${cells}</tr>`;
  });
  const head = columns.map((c) => `<th class="num">${c}</th>`).join('');
  return [
    '<h3>Histograms</h3>',
    '<table>',
    `<thead><tr><th>name</th>${head}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}

export function figuresSection(result: RunResult): string {
  const { tables, zeros } = figureGroups(result);
  const table =
    tables.length === 0
      ? '<p class="note">Every figure is zero.</p>'
      : `<div class="figure-groups">\n${tables.join('\n')}\n</div>`;
  const hidden =
    zeros === 0 ? '' : `<p class="note">${zeros} figures equal to 0 are not shown; summary.json has every figure.</p>`;
  return ['<section id="figures">', '<h2>Key figures</h2>', table, hidden, histogramTable(result), '</section>']
    .filter((s) => s !== '')
    .join('\n');
}
