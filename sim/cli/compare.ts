/**
 * `drainsim compare <baseline summary.json> <candidate summary.json>`: what changed, figure by
 * figure, and whether any change is more than its tolerance (compare-tolerance.ts). Exit 1 when
 * one is, or when an expectation that passed in the baseline fails in the candidate; 2 when a file
 * cannot be read or a tolerance is malformed.
 */
import { clip } from '../scenario/errors.js';
import { InputFileError, readInputFile } from '../scenario/input-file.js';

/** The largest summary.json read: a summary holds figures and the resolved scenario, a few hundred KiB. */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

import type { CommandModule } from 'yargs';
import { colorize } from '../../reports/index.js';
import { judgeChange } from '../expect/figure-meaning.js';
import {
  checkRules,
  describeTolerance,
  exceeds,
  parseTolerances,
  ToleranceError,
  type Tolerances,
  toleranceFor,
} from './compare-tolerance.js';
import { type CliIO, colorFor, EXIT, exitCodeHandler } from './context.js';
import { comparisonJson, comparisonMarkdown, RESULT_FORMATS, type ResultFormat } from './result-formats.js';

/** The parts of summary.json a comparison reads. */
export interface SummaryDoc {
  scenario?: { name?: string };
  seed?: number;
  version?: string;
  figures: Record<string, number | null>;
  expectations?: { text: string; passed: boolean }[];
}

export interface FigureChange {
  figure: string;
  base: number | null | undefined;
  candidate: number | null | undefined;
  tolerance: string;
  /** From the figure's meaning (figure-meaning.ts): fewer errors is better, fewer requests neither. */
  judgement: 'better' | 'worse' | 'changed';
  /**
   * Worse beyond its tolerance, or lost. A change of a figure that is neither better nor worse
   * (requests, new connections: the traffic's shape) is listed, not failed.
   */
  exceeded: boolean;
}

export interface VerdictChange {
  text: string;
  base: boolean | undefined;
  candidate: boolean | undefined;
  /** A regression: passed in the baseline, fails in the candidate. */
  exceeded: boolean;
}

export interface SummaryComparison {
  figures: FigureChange[];
  unchanged: number;
  expectations: VerdictChange[];
}

class UnreadableSummary extends Error {}

export function readSummary(path: string): SummaryDoc {
  let doc: unknown;
  let text: string;
  try {
    // Regular files only, size-capped: `compare a.json <fifo>` must not wait forever.
    text = readInputFile(path, MAX_SUMMARY_BYTES);
  } catch (err) {
    const reason = err instanceof InputFileError ? err.reason : ((err as NodeJS.ErrnoException).code ?? 'error');
    throw new UnreadableSummary(`cannot read ${clip(path, 200)}: ${reason}`);
  }
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UnreadableSummary(
      `${clip(path, 200)} is not JSON: ${clip(err instanceof Error ? err.message : String(err), 200)}`,
    );
  }
  const figures = (doc as { figures?: unknown } | null)?.figures;
  if (figures === null || typeof figures !== 'object' || Array.isArray(figures)) {
    throw new UnreadableSummary(`${path} is not a drainsim summary.json: it has no "figures" object`);
  }
  for (const [name, value] of Object.entries(figures)) {
    if (value !== null && typeof value !== 'number')
      throw new UnreadableSummary(`${path}: figure ${clip(name)} is not a number or null`);
  }
  const expectations = (doc as { expectations?: unknown }).expectations;
  if (expectations !== undefined) {
    if (!Array.isArray(expectations))
      throw new UnreadableSummary(`${path} is not a drainsim summary.json: "expectations" is not a list`);
    expectations.forEach((e: unknown, i) => {
      const entry = e as { text?: unknown; passed?: unknown } | null;
      if (
        entry === null ||
        typeof entry !== 'object' ||
        typeof entry.text !== 'string' ||
        typeof entry.passed !== 'boolean'
      ) {
        throw new UnreadableSummary(
          `${path} is not a drainsim summary.json: expectations[${i}] has no "text" string and "passed" boolean`,
        );
      }
    });
  }
  return doc as SummaryDoc;
}

export function compareSummaries(base: SummaryDoc, candidate: SummaryDoc, tolerances: Tolerances): SummaryComparison {
  const names = [...new Set([...Object.keys(base.figures), ...Object.keys(candidate.figures)])].sort();
  const figures: FigureChange[] = [];
  let unchanged = 0;
  for (const figure of names) {
    const b = figure in base.figures ? base.figures[figure] : undefined;
    const c = figure in candidate.figures ? candidate.figures[figure] : undefined;
    if (b === c) {
      unchanged++;
      continue;
    }
    const tolerance = toleranceFor(figure, tolerances);
    // A figure the candidate lacks is a lost measurement; one only the candidate has is news, not a regression.
    const judgement = b === undefined || c === undefined ? 'changed' : judgeChange(figure, b, c);
    const beyond = c === undefined ? tolerance.kind !== 'any' : b === undefined ? false : exceeds(tolerance, b, c);
    figures.push({
      figure,
      base: b,
      candidate: c,
      tolerance: describeTolerance(tolerance),
      judgement,
      exceeded: c === undefined ? beyond : beyond && judgement === 'worse',
    });
  }
  const verdicts = (doc: SummaryDoc) => new Map((doc.expectations ?? []).map((e) => [e.text, e.passed]));
  const bv = verdicts(base);
  const cv = verdicts(candidate);
  const expectations = [...new Set([...bv.keys(), ...cv.keys()])]
    .filter((text) => bv.get(text) !== cv.get(text))
    .map((text) => ({
      text,
      base: bv.get(text),
      candidate: cv.get(text),
      exceeded: bv.get(text) === true && cv.get(text) === false,
    }));
  return { figures, unchanged, expectations };
}

function show(value: number | null | undefined): string {
  return value === undefined ? 'absent' : value === null ? 'no value' : String(value);
}

function change(f: FigureChange): [string, string] {
  if (typeof f.base !== 'number' || typeof f.candidate !== 'number') return ['', ''];
  const d = Number((f.candidate - f.base).toFixed(6));
  const abs = `${d > 0 ? '+' : ''}${d}`;
  const rel = f.base === 0 ? 'n/a' : `${d > 0 ? '+' : ''}${((d / Math.abs(f.base)) * 100).toFixed(2)}%`;
  return [abs, rel];
}

/** `better`/`worse` from the figure's meaning; FAIL only for a worse change beyond tolerance or a lost figure. */
function mark(f: FigureChange): string {
  if (f.exceeded) return f.judgement === 'worse' ? 'worse FAIL' : 'FAIL';
  return f.judgement === 'changed' ? 'ok' : f.judgement;
}

function identity(path: string, doc: SummaryDoc): string {
  return `${path}: ${doc.scenario?.name ?? '?'} · seed ${doc.seed ?? '?'} · drainsim ${doc.version ?? '?'}`;
}

function verdictWord(passed: boolean | undefined): string {
  return passed === undefined ? 'absent' : passed ? 'passed' : 'failed';
}

export function renderComparison(cmp: SummaryComparison, header: string[], color: boolean): string {
  const lines = [...header, ''];
  if (cmp.figures.length === 0) {
    lines.push(`no figure changed (${cmp.unchanged} compared)`);
  } else {
    const rows = [
      ['figure', 'baseline', 'candidate', 'change', 'relative', 'tolerance', ''],
      ...cmp.figures.map((f) => [f.figure, show(f.base), show(f.candidate), ...change(f), f.tolerance, mark(f)]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    rows.forEach((r, i) => {
      const cells = r.map((cell, c) => (c === 0 || c >= 5 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)));
      const text = cells.join('  ').trimEnd();
      lines.push(i > 0 && cmp.figures[i - 1]!.exceeded ? text.replace(/FAIL$/, colorize('FAIL', 'fail', color)) : text);
    });
  }
  for (const e of cmp.expectations) {
    const mark = e.exceeded ? colorize('FAIL', 'fail', color) : 'ok';
    lines.push(`expectation '${e.text}': ${verdictWord(e.base)} → ${verdictWord(e.candidate)}  ${mark}`);
  }
  const beyond = cmp.figures.filter((f) => f.exceeded).length;
  const better = cmp.figures.filter((f) => f.judgement === 'better').length;
  const worse = cmp.figures.filter((f) => f.judgement === 'worse').length;
  const regressions = cmp.expectations.filter((e) => e.exceeded).length;
  const total = cmp.figures.length + cmp.unchanged;
  lines.push(
    '',
    `${cmp.figures.length} of ${total} figures changed (${better} better, ${worse} worse), ${beyond} beyond tolerance; ${regressions} expectation${regressions === 1 ? '' : 's'} newly failing`,
  );
  return `${lines.join('\n')}\n`;
}

export interface CompareArgs {
  baseline: string;
  candidate: string;
  tolerance?: string[];
  format?: ResultFormat;
}

export function compareCommandLine(args: CompareArgs, io: CliIO): number {
  let tolerances: Tolerances;
  let base: SummaryDoc;
  let candidate: SummaryDoc;
  try {
    tolerances = parseTolerances(args.tolerance ?? []);
    base = readSummary(args.baseline);
    candidate = readSummary(args.candidate);
  } catch (err) {
    if (!(err instanceof ToleranceError || err instanceof UnreadableSummary)) throw err;
    io.stderr.write(`drainsim compare: ${err.message}\n`);
    return EXIT.badInput;
  }
  try {
    checkRules(tolerances, [...new Set([...Object.keys(base.figures), ...Object.keys(candidate.figures)])]);
  } catch (err) {
    if (!(err instanceof ToleranceError)) throw err;
    io.stderr.write(`drainsim compare: ${err.message}\n`);
    return EXIT.badInput;
  }
  const cmp = compareSummaries(base, candidate, tolerances);
  const header = [`baseline   ${identity(args.baseline, base)}`, `candidate  ${identity(args.candidate, candidate)}`];
  if (base.scenario?.name !== candidate.scenario?.name)
    header.push('note: the scenarios differ; figures are compared by name');
  if (args.format === 'json') io.stdout.write(comparisonJson(cmp, args.baseline, args.candidate));
  else if (args.format === 'markdown') io.stdout.write(comparisonMarkdown(cmp, args.baseline, args.candidate));
  else io.stdout.write(renderComparison(cmp, header, colorFor(io)));
  return cmp.figures.some((f) => f.exceeded) || cmp.expectations.some((e) => e.exceeded)
    ? EXIT.expectationFailed
    : EXIT.ok;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'Compare two summary.json files figure by figure; exit 1 if a change exceeds its tolerance',
  builder: (y) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, describe: 'The summary.json to compare against' })
      .positional('candidate', { type: 'string', demandOption: true, describe: 'The summary.json of the new run' })
      .option('tolerance', {
        type: 'string',
        nargs: 1,
        coerce: (value: string | string[]): string[] => ([] as string[]).concat(value),
        describe:
          'How much figures may change: 5% (all), errors.total=0, *.p99=10ms, drain.*=any (repeatable; later rules win; default exact)',
      })
      .option('format', {
        choices: RESULT_FORMATS,
        default: 'text' as ResultFormat,
        describe: 'text, or one json or markdown document (a PR comment)',
      })
      .example('$0 compare base.json new.json', 'any change for the worse fails (runs are deterministic)')
      .example('$0 compare base.json new.json --tolerance 5%', 'figures may drift 5%')
      .example("$0 compare base.json new.json --tolerance '*.p99=10ms'", 'every p99 may move 10 ms, the rest nothing'),
  handler: exitCodeHandler((args, io) => compareCommandLine(args, io)),
};
