/**
 * Per-backend highlights: for every backend a timeline action names, the sparkline of the series
 * that carries its story (WebSocket sessions, else open connections). The total can hide it: in
 * ws-stall the sessions only move from vm-a to vm-b, so the total stays flat.
 */
import type { RunResult } from '../../../sim/result.js';
import { formatNumber } from '../../../sim/util/format-number.js';
import { timelineMarks } from '../../html/timeline-marks.js';
import { maxValue, sparkline } from '../sparkline.js';
import { maxOf, samplesOf } from './series-access.js';

const STORY_SERIES = ['ws_sessions', 'active_conn'] as const;
const MIN_SPARK = 8;

/** Backends in the order the timeline first names them. */
function namedBackends(result: RunResult): string[] {
  const names: string[] = [];
  for (const mark of timelineMarks(result)) {
    for (const a of mark.actions) {
      if (typeof a.backend === 'string' && !names.includes(a.backend) && result.timeline.entities.includes(a.backend))
        names.push(a.backend);
    }
  }
  return names;
}

export function backendRows(result: RunResult, width: number, indent: string): string[] {
  const rows: { label: string; series: string; values: number[]; tail: string }[] = [];
  for (const backend of namedBackends(result)) {
    const series = STORY_SERIES.find((s) => maxOf(result, s, backend) > 0);
    if (series === undefined) continue;
    const values = samplesOf(result, series, backend)!.v;
    const tail = `max ${formatNumber(maxValue(values))} · end ${formatNumber(values.at(-1) ?? 0)}`;
    rows.push({ label: backend, series, values, tail });
  }
  if (rows.length === 0) return [];
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const seriesWidth = Math.max(...rows.map((r) => r.series.length));
  const tailWidth = Math.max(...rows.map((r) => r.tail.length));
  const spark = Math.max(MIN_SPARK, width - indent.length - labelWidth - seriesWidth - tailWidth - 6);
  return rows.map(
    (r) =>
      `${indent}${r.label.padEnd(labelWidth)}  ${r.series.padEnd(seriesWidth)}  ${sparkline(r.values, spark)}  ${r.tail}`,
  );
}
