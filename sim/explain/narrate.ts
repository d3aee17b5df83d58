/**
 * `drainsim explain` as text: the run replayed phase by phase (phases.ts), each log line as the
 * operator sees it with a plain-language note under it (the explanation of its trace record in
 * sim/trace/catalog.ts), repeats of a kind of record folded into one "… N more like this" line, and
 * a line of numbers per phase. Pure: result in, text out; it reads records, never log text.
 */
import { colorize } from '../../reports/colorize.js';
import { expectationLines } from '../../reports/terminal/expectation-list.js';
import { formatNumber } from '../../reports/terminal/format.js';
import { wallClock } from '../../reports/wall-clock.js';
import type { LogLine, RunResult } from '../result.js';
import type { Scenario } from '../scenario/schema.js';
import { formatDuration } from '../scenario/units.js';
import { entryOf, explanationOf } from '../trace/catalog.js';
import { phaseSummary } from './phase-summary.js';
import { type Phase, splitPhases } from './phases.js';
import { RunFacts } from './run-facts.js';
import { setupSentences } from './setup.js';
import { wrap } from './wrap.js';

export interface NarrateOptions {
  color: boolean;
  /** Columns to wrap prose at. */
  width: number;
}

const INDENT = '  ';
const NOTE_INDENT = '      ';

/** Records of one kind (and variant) within a phase: the first is narrated, the rest counted. */
interface LineGroup {
  first: LogLine;
  last: LogLine;
  lines: number;
  /** Events the lines stand for, counting "(N more like this in this second)" folds. */
  events: number;
}

function groupLines(lines: readonly LogLine[]): LineGroup[] {
  const groups = new Map<string, LineGroup>();
  // Repeats of a kind differ by their numbers and the backend they are about, not by their story.
  for (const line of lines) {
    const { record } = line;
    const key = `${record.kind}|${entryOf(record).variant?.(record) ?? ''}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: line, last: line, lines: 1, events: 1 + line.folded });
    else {
      group.last = line;
      group.lines++;
      group.events += 1 + line.folded;
    }
  }
  return [...groups.values()];
}

export function narrate(result: RunResult, scenario: Scenario, options: NarrateOptions): string {
  const { color, width } = options;
  const facts = new RunFacts(result, scenario);
  const clock = wallClock(result.start);
  const prose = (text: string, indent = INDENT): string[] => wrap(text, width, indent);
  const logLine = (line: LogLine): string => {
    const text = `${INDENT}${clock.atMillis(line.t)} [${line.source}] ${line.text}`;
    const tone = entryOf(line.record).tone;
    return tone === undefined ? text : colorize(text, tone, color);
  };
  const noteLines = (line: LogLine): string[] => {
    // Wrapped as plain text first, so escape codes do not count towards the width.
    const [head = '', ...rest] = wrap(explanationOf(line.record), width, `${NOTE_INDENT}→ `, `${NOTE_INDENT}  `);
    return [head.replace('→', colorize('→', 'dim', color)), ...rest];
  };

  const out: string[] = [colorize(`drainsim explain · ${result.scenario.name} · seed ${result.seed}`, 'bold', color)];
  const description = result.scenario.description.trim();
  if (description !== '') out.push(...wrap(description.replace(/\s*\n\s*/g, ' '), width, ''));
  out.push('', colorize('Setup', 'bold', color));
  for (const sentence of setupSentences(scenario, result.seed))
    out.push(...wrap(sentence, width, INDENT, `${INDENT}  `));

  for (const phase of splitPhases(result)) {
    out.push('', colorize(phaseTitle(phase, clock.at), 'bold', color));
    if (phase.lines.length === 0) out.push(...prose(quietText(phase)));
    for (const group of groupLines(phase.lines)) {
      const noteLast = group.lines > 1 && entryOf(group.first.record).noteOn === 'last';
      out.push(logLine(group.first));
      if (!noteLast) out.push(...noteLines(group.first));
      if (group.lines > 1) {
        const more = group.lines - 1;
        const events =
          group.events > group.lines
            ? ` (${formatNumber(group.events)} events in all, counting the folded repeats)`
            : '';
        const summary = `… ${formatNumber(more)} more like this until ${clock.atMillis(group.last.t)}${events}; the last:`;
        out.push(...wrap(summary, width, NOTE_INDENT, `${NOTE_INDENT}  `).map((l) => colorize(l, 'dim', color)));
        out.push(logLine(group.last));
        if (noteLast) out.push(...noteLines(group.last));
      }
    }
    out.push(
      ...wrap(`In this phase: ${phaseSummary(phase, facts)}.`, width, INDENT, `${INDENT}  `).map((l) =>
        colorize(l, 'dim', color),
      ),
    );
  }

  const verdict = expectationLines(result, { color, width, written: [] });
  out.push(
    '',
    ...(verdict.length > 0
      ? verdict
      : [colorize('Expectations', 'bold', color), `${INDENT}This scenario states no expectations.`]),
  );
  out.push(
    '',
    ...prose(
      `For charts and the full event log: drainsim run ${result.scenario.name} writes out/${result.scenario.name}/report.html.`,
      '',
    ),
  );
  return `${out.join('\n')}\n`;
}

function phaseTitle(phase: Phase, at: (t: number) => string): string {
  const span = `${at(phase.from)} → ${at(phase.to)}`;
  if (phase.mark === undefined) return `── Before any action · ${span} ──`;
  return `── ${at(phase.mark.t)} · ${phase.mark.label} · until ${at(phase.to)} ──`;
}

function quietText(phase: Phase): string {
  const span = formatDuration(phase.to - phase.from);
  return phase.mark === undefined
    ? `Steady state for ${span}: connections open, serve requests and close normally; nothing is worth a log line.`
    : `Nothing is logged for ${span}.`;
}
