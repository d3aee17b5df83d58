/**
 * Key figures as short cells — one per figure family, only the ones that are not zero — ranked so
 * the figures that tell a failure (errors, resets, lost sessions) come before the housekeeping ones.
 * Histogram families are left to the latency lines; `pool_state` is a state, shown per backend.
 */
import type { RunResult } from '../../../sim/result.js';
import { formatDuration } from '../../../sim/scenario/units.js';
import { formatNumber } from '../../../sim/util/format-number.js';

export interface Cell {
  label: string;
  value: string;
}

/** Families first in this order; the rest follow alphabetically. */
const RANK = [
  'errors',
  'err_econnreset',
  'err_econnrefused',
  'err_client_timeout',
  'err_etimedout',
  'err_eaddrnotavail',
  'requests_failed',
  'req_failed',
  'goodput',
  'offered',
  'reset_out',
  'ws_close_1006',
  'sessions_lost',
  'removals',
  'check_failures',
  'restarts',
  'reconnects',
  'req_5xx',
  'req_timeouts',
  'wasted',
  'active_conn',
  'ws_sessions',
  'time_wait',
  'in_service',
  'nginx_old_generations',
];
const SKIP = new Set(['pool_state']);
const HISTOGRAM_PARTS = new Set(['count', 'mean', 'p50', 'p95', 'p99', 'max']);

function families(result: RunResult): Map<string, Record<string, number | null>> {
  const out = new Map<string, Record<string, number | null>>();
  for (const [name, value] of Object.entries(result.figures)) {
    const parts = name.split('.');
    // drain.<backend>.<figure>: one family per drained backend.
    const family = parts[0] === 'drain' && parts.length >= 3 ? parts.slice(0, 2).join('.') : parts[0]!;
    const member = name.slice(family.length + 1) || 'value';
    const members = out.get(family) ?? {};
    members[member] = value;
    out.set(family, members);
  }
  return out;
}

function isHistogram(members: Record<string, number | null>): boolean {
  return Object.keys(members).every((k) => HISTOGRAM_PARTS.has(k)) && 'p99' in members;
}

function cellOf(family: string, m: Record<string, number | null>): Cell | undefined {
  if (family.startsWith('drain.')) {
    const backend = family.slice('drain.'.length);
    const within = m.completed_within;
    const atStart = formatNumber(m.active_at_start ?? 0);
    const value =
      m.timed_out === 1
        ? `timed out · ${formatNumber(m.active_at_end ?? 0)} of ${atStart} left`
        : typeof within === 'number'
          ? `empty in ${formatDuration(within)} · ${atStart} at start`
          : `${atStart} at start`;
    return { label: `drain ${backend}`, value };
  }
  if ('total' in m) {
    const total = m.total ?? 0;
    if (total === 0) return undefined;
    const peak = m.peak_per_s ?? 0;
    return { label: family, value: `${formatNumber(total)}${peak > 0 ? ` · peak ${formatNumber(peak)}/s` : ''}` };
  }
  if ('max' in m && 'final' in m) {
    const max = m.max ?? 0;
    if (max === 0) return undefined;
    return { label: family, value: `max ${formatNumber(max)} · end ${formatNumber(m.final ?? 0)}` };
  }
  const only = Object.values(m)[0];
  return typeof only === 'number' && only !== 0 ? { label: family, value: formatNumber(only) } : undefined;
}

function rank(family: string): number {
  const i = RANK.indexOf(family);
  if (i >= 0) return i;
  return family.startsWith('drain.') ? RANK.length : RANK.length + 1;
}

/** Non-zero figure families as cells, most telling first; `all` is how many families there were. */
export function figureCells(result: RunResult): { cells: Cell[]; all: number } {
  const fam = [...families(result)].filter(([name, m]) => !SKIP.has(name) && !isHistogram(m));
  const cells = fam
    .map(([name, m]) => ({ name, cell: cellOf(name, m) }))
    .filter((c): c is { name: string; cell: Cell } => c.cell !== undefined)
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name))
    .map((c) => c.cell);
  return { cells, all: fam.length };
}

/** Cells laid out in as many aligned columns as the width allows (1–3), filled row by row. */
export function cellRows(cells: readonly Cell[], width: number, indent: string): string[] {
  if (cells.length === 0) return [];
  const gap = 4;
  for (let columns = 3; columns >= 1; columns--) {
    const cols = Array.from({ length: columns }, (_, j) => cells.filter((_, i) => i % columns === j));
    const labelW = cols.map((col) => Math.max(0, ...col.map((c) => c.label.length)));
    const valueW = cols.map((col) => Math.max(0, ...col.map((c) => c.value.length)));
    const colW = labelW.map((l, j) => l + 2 + valueW[j]!);
    const total = indent.length + colW.reduce((a, b) => a + b, 0) + gap * (columns - 1);
    if (total > width && columns > 1) continue;
    const rows: string[] = [];
    for (let i = 0; i < cells.length; i += columns) {
      const row = cells.slice(i, i + columns).map((c, j) => `${c.label.padEnd(labelW[j]!)}  ${c.value}`);
      rows.push(indent + row.map((t, j) => (j < row.length - 1 ? t.padEnd(colW[j]! + gap) : t)).join(''));
    }
    return rows;
  }
  return [];
}
