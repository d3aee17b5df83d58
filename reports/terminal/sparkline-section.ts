/** Sparklines of the key series of the `total` entity, fitted to the terminal width. */
import { seriesSamples } from '../../sim/expect/window.js';
import type { RunResult } from '../../sim/result.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { colorize } from '../colorize.js';
import type { ConsoleContext } from '../writer.js';
import { formatNumber } from './format.js';
import { INDENT } from './layout.js';
import { maxValue, sparkline } from './sparkline.js';

/** Series worth a sparkline, in display order; each shown only when present and not all zero. */
export const SPARKLINE_SERIES = [
  'active_conn',
  'new_conn',
  'reset_out',
  'errors',
  'time_wait',
  'ws_sessions',
  'reconnects',
] as const;

/** The fewest columns a sparkline gets, however long its label: below this the shape is lost. */
const MIN_SPARK_WIDTH = 8;

/** Values of one series for the `total` entity (always the last), in time order. */
function totalSeries(result: RunResult, seriesIndex: number): number[] {
  return seriesSamples(result.timeline, seriesIndex, result.timeline.entities.length - 1).v;
}

export function sparklineLines(result: RunResult, ctx: ConsoleContext): string[] {
  const picked = SPARKLINE_SERIES.flatMap((name) => {
    const index = result.timeline.series.findIndex((s) => s.name === name);
    const values = index < 0 ? [] : totalSeries(result, index);
    if (!values.some((v) => v !== 0)) return [];
    return [{ name, values, max: `max ${formatNumber(maxValue(values))}` }];
  });
  if (picked.length === 0) return [];
  const labelWidth = Math.max(...picked.map((p) => p.name.length));
  const maxWidth = Math.max(...picked.map((p) => p.max.length));
  const sparkWidth = Math.max(MIN_SPARK_WIDTH, ctx.width - INDENT.length - labelWidth - maxWidth - 4);
  const samples = picked[0]!.values.length;
  const title = `Timeline · total · ${samples} samples × ${formatDuration(result.timeline.interval)}`;
  const line = (p: (typeof picked)[number]): string =>
    `${INDENT}${p.name.padEnd(labelWidth)}  ${sparkline(p.values, sparkWidth)}  ${colorize(p.max, 'dim', ctx.color)}`;
  return [colorize(title, 'bold', ctx.color), ...picked.map(line)];
}
