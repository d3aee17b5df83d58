/** Key figures grouped by their first dotted segment (as the terminal shows them), and histograms. */
import type { RunResult } from '../../sim/result.js';
import { formatValue } from '../terminal/format.js';
import { escapeHtml } from './escape.js';

/** One small table per group, laid out in columns (the list is long and each row is short). */
function figureGroups(result: RunResult): string[] {
  const groups = new Map<string, string[]>();
  for (const name of Object.keys(result.figures).sort()) {
    const dot = name.indexOf('.');
    const group = dot < 0 ? name : name.slice(0, dot);
    const value = result.figures[name];
    const shown = value === null || value === undefined ? 'n/a' : formatValue(name, value);
    const rows = groups.get(group) ?? [];
    rows.push(`<tr><td><code>${escapeHtml(name)}</code></td><td class="num">${shown}</td></tr>`);
    groups.set(group, rows);
  }
  return [...groups].map(
    ([group, rows]) =>
      `<table class="figure-group">\n<caption>${escapeHtml(group)}</caption>\n${rows.join('\n')}\n</table>`,
  );
}

function histogramTable(result: RunResult): string {
  const names = Object.keys(result.histograms).sort();
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
  const groups = figureGroups(result);
  const table =
    groups.length === 0
      ? '<p class="note">No figures.</p>'
      : `<div class="figure-groups">\n${groups.join('\n')}\n</div>`;
  return ['<section id="figures">', '<h2>Key figures</h2>', table, histogramTable(result), '</section>']
    .filter((s) => s !== '')
    .join('\n');
}
