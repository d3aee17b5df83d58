/**
 * What a failed expectation prints: the assertion, the actual value, the seed with the command that
 * replays it, and — when the failure is pinned to a moment — the timeline rows and event-log lines
 * around that moment, so a CI log alone says what went wrong.
 */
import { colorize } from '../../reports/colorize.js';
import { eventLogLine } from '../../reports/events-log/index.js';
import { roundNumber } from '../../reports/round-for-output.js';
import { type WallClock, wallClock } from '../../reports/wall-clock.js';
import { actualText } from '../expect/actual-text.js';
import { expectationSeries } from '../expect/focus.js';
import { entityRows } from '../expect/window.js';
import type { ExpectationResult, RunResult } from '../result.js';
import { formatDuration } from '../scenario/units.js';

/** Timeline rows shown on each side of the failing sample. */
const ROWS_AROUND = 5;
/** Event-log lines are shown from this many simulated seconds before to as many after. */
const LOG_SECONDS_AROUND = 10;
const LOG_LINES_MAX = 20;
/** Columns shown beside the assertion's own, when the timeline has them. */
const CONTEXT_SERIES = ['active_conn', 'new_conn', 'reset_out', 'errors', 'time_wait'];
const MAX_COLUMNS = 6;
const INDENT = '    ';

export interface FailureReportOptions {
  /** How the scenario was named on the command line, for the replay command. */
  scenario: string;
  sets?: readonly string[];
  color?: boolean;
  /**
   * Indices of events.log lines already printed by an earlier report of the same run: they are
   * not printed again (four failures pinned near one moment printed the same 20 lines four times).
   * The set is updated with the lines this report prints.
   */
  shownEvents?: Set<number>;
}

function quoteArg(arg: string): string {
  return /^[\w./@:=,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function replayCommand(run: RunResult, options: FailureReportOptions): string {
  const sets = (options.sets ?? []).map((s) => ` --set ${quoteArg(s)}`).join('');
  return `drainsim run ${quoteArg(options.scenario)} --seed ${run.seed}${sets}`;
}

function table(rows: string[][], marked: number): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r, i) => {
    const cells = r.map((cell, c) => (c === 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)));
    return `${INDENT}${i === marked ? '>' : ' '} ${cells.join('  ').trimEnd()}`;
  });
}

function timelineSlice(run: RunResult, text: string, at: number, clock: WallClock): string[] {
  const tl = run.timeline;
  const focus = expectationSeries(run, text) ?? { series: '', entity: 'total' };
  const entity = tl.entities.indexOf(focus.entity);
  const names = [...new Set([focus.series, ...CONTEXT_SERIES])]
    .filter((n) => tl.series.some((s) => s.name === n))
    .slice(0, MAX_COLUMNS);
  const columns = names.map((n) => tl.series.findIndex((s) => s.name === n));
  const rows = entityRows(tl, entity);
  if (rows.length === 0) return [];
  const t = tl.t;
  let pinned = 0;
  for (let i = 0; i < rows.length; i++) if (Math.abs(t[rows[i]!]! - at) < Math.abs(t[rows[pinned]!]! - at)) pinned = i;
  const first = Math.max(0, pinned - ROWS_AROUND);
  const shown = rows.slice(first, pinned + ROWS_AROUND + 1);
  // One column at a time, its shown cells copied out: a spilled timeline reads a column back into
  // one buffer on each access (Timeline.blocks), so two columns are never held at once.
  const shownCells = columns.map((c) => {
    const column = tl.values[c]!;
    return shown.map((r) => String(roundNumber(column[r]!) ?? ''));
  });
  const cells = shown.map((r, i) => [
    String(roundNumber(t[r]!)),
    clock.at(t[r]!),
    focus.entity,
    ...shownCells.map((column) => column[i]!),
  ]);
  return [
    `  timeline.csv (${focus.entity}) around ${clock.at(at)}:`,
    ...table([['t_s', 'time', 'entity', ...names], ...cells], pinned - first + 1),
  ];
}

function logSlice(run: RunResult, at: number, clock: WallClock, shown?: Set<number>): string[] {
  const near = run.events.map((e, i) => ({ e, i })).filter(({ e }) => Math.abs(e.t - at) <= LOG_SECONDS_AROUND);
  const range = `${clock.atMillis(Math.max(0, at - LOG_SECONDS_AROUND))} to ${clock.atMillis(at + LOG_SECONDS_AROUND)}`;
  if (near.length === 0) return [`  events.log: nothing logged from ${range}`];
  // The lines closest to the moment, kept in log order.
  const kept = [...near]
    .sort((a, b) => Math.abs(a.e.t - at) - Math.abs(b.e.t - at) || a.i - b.i)
    .slice(0, LOG_LINES_MAX);
  kept.sort((a, b) => a.i - b.i);
  const count =
    kept.length === near.length
      ? `${near.length} lines`
      : `${kept.length} of ${near.length} lines, those nearest ${clock.at(at)}`;
  const fresh = shown === undefined ? kept : kept.filter(({ i }) => !shown.has(i));
  for (const { i } of fresh) shown?.add(i);
  const repeated = kept.length - fresh.length;
  if (fresh.length === 0)
    return [`  events.log from ${range}: the ${plural(kept.length, 'line')} nearest are printed above`];
  const note = repeated === 0 ? '' : `; ${plural(repeated, 'more line')} printed above`;
  return [
    `  events.log from ${range} (${count}${note}):`,
    ...fresh.map(({ e }) => `${INDENT}${eventLogLine(clock, e)}`),
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line on what was found: `actual 431 at 14:02:01 (2m 1s into the run) · expected == 0`. */
export function failureHeadline(run: RunResult, e: ExpectationResult): string {
  const actual = e.actual === null ? 'no value' : `actual ${actualText(e)}`;
  const when = e.at === undefined ? '' : ` at ${wallClock(run.start).at(e.at)} (${formatDuration(e.at)} into the run)`;
  return `${actual}${when}${e.message === undefined ? '' : ` · ${e.message}`}`;
}

/** The report for one failed expectation of `run` (the run of the seed it is pinned to). */
export function renderFailureReport(run: RunResult, e: ExpectationResult, options: FailureReportOptions): string {
  const color = options.color ?? false;
  const clock = wallClock(run.start);
  const lines = [
    `${colorize('FAIL', 'fail', color)} ${run.scenario.name}: ${e.text}`,
    `  ${failureHeadline(run, e)}`,
    `  seed ${run.seed} · replay: ${replayCommand(run, options)}`,
  ];
  if (e.at === undefined) {
    lines.push('  (the assertion is about the whole run: no moment to show; see timeline.csv and events.log)');
  } else {
    lines.push(...timelineSlice(run, e.text, e.at, clock), ...logSlice(run, e.at, clock, options.shownEvents));
  }
  return `${lines.join('\n')}\n`;
}

/** Reports for every failed expectation in `run.expectations`, separated by blank lines. */
export function renderFailureReports(run: RunResult, options: FailureReportOptions): string {
  const shownEvents = options.shownEvents ?? new Set<number>();
  return run.expectations
    .filter((e) => !e.passed)
    .map((e) => renderFailureReport(run, e, { ...options, shownEvents }))
    .join('\n');
}
