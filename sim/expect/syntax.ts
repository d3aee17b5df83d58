/**
 * The assertion language's grammar: text in, syntax tree out. Knows no run and no metric names —
 * whether `reset_out` exists is bind.ts's question — so a syntax error and an unknown name are
 * reported by different, simpler code.
 *
 *     assertion := measure check [ 'across' 'seeds' seeds ]
 *                | 'across' 'seeds' seeds ':' measure check
 *     seeds     := INT [ '..' INT ] { ',' INT [ '..' INT ] }
 *     measure   := NAME                                   a figure: errors.total
 *                | NAME '(' arg ')' [ 'over' window | 'at' time ]
 *     arg       := measure-call | NAME [ '@' ENTITY ]
 *     window    := '[' time ',' time ']'
 *     time      := LITERAL | 'start' | 'end'
 *     check     := OP LITERAL | 'within' LITERAL 'of' LITERAL
 *
 * The seeds go last in the usual form: in YAML, `across seeds 1..3: …` unquoted is a mapping
 * (a colon and a space start one), so the prefix form is for quoted strings and JSON.
 */

import { nearest } from '../scenario/nearest.js';
import { AssertionIssue } from './issue.js';

export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A time as written: a literal (`2m`, `14:02`) or the run's `start`/`end`. */
export interface TimeNode {
  text: string;
}

export interface NameNode {
  kind: 'name';
  name: string;
  entity?: string;
}

export interface CallNode {
  kind: 'call';
  fn: string;
  arg: NameNode | CallNode;
  window?: { from: TimeNode; to: TimeNode };
  at?: TimeNode;
}

export type MeasureNode = NameNode | CallNode;

export type CheckNode =
  | { kind: 'compare'; op: Op; value: string }
  | { kind: 'within'; tolerance: string; value: string };

export interface AssertionNode {
  /** Present for `… across seeds 1..10` assertions, in the order written, duplicates removed. */
  seeds?: number[];
  measure: MeasureNode;
  check: CheckNode;
}

/** Seeds are exact in a double up to 2^53 − 1 (the scenario's `seed:` has the same bound). */
const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** More seeds than this is a typo (`1..10000`) rather than a plan: each seed is a full run. */
export const MAX_SEEDS = 1000;

const OPS: readonly Op[] = ['<=', '>=', '==', '!=', '<', '>'];
const NAME = /[A-Za-z_][\w.-]*/y;
const ENTITY = /[\w.-]+/y;
const LITERAL = /[-+]?(?:\d|\.\d)(?:[eE][-+]\d|[\w.:%µ])*/y;
const INTEGER = /\d+/y;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** Consumes `s` if it comes next. */
  eat(s: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  match(re: RegExp): string | undefined {
    this.skipSpace();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** The next word, for error messages; the position is left unchanged. */
  peekWord(): string {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    return /^\S+/.exec(rest)?.[0] ?? '';
  }

  fail(expected: string, suggestion?: string): never {
    const found = this.atEnd() ? 'the end of the assertion' : `'${this.text.slice(this.pos).trim()}'`;
    throw new AssertionIssue(`expected ${expected}, found ${found}`, { suggestion });
  }

  expect(s: string, what = `'${s}'`): void {
    if (!this.eat(s)) this.fail(what);
  }

  /** A keyword from `words` must come next; a near miss (`ovr`) is named as the likely one. */
  keyword(words: readonly string[], what: string): string {
    const saved = this.pos;
    const word = this.match(NAME);
    if (word !== undefined && words.includes(word)) return word;
    this.pos = saved;
    return this.fail(what, word === undefined ? undefined : nearest(word, words));
  }
}

export function parseAssertion(text: string): AssertionNode {
  const s = new Scanner(text);
  const prefix = parseSeedsPrefix(s);
  const measure = parseMeasure(s);
  const check = parseCheck(s, measure);
  const suffix = prefix === undefined ? parseSeedsSuffix(s) : undefined;
  if (!s.atEnd())
    s.fail(
      prefix === undefined && suffix === undefined
        ? "the end of the assertion or 'across seeds …'"
        : 'the end of the assertion',
    );
  const seeds = prefix ?? suffix;
  return seeds === undefined ? { measure, check } : { seeds, measure, check };
}

function parseSeedsSuffix(s: Scanner): number[] | undefined {
  const saved = s.pos;
  const word = s.match(NAME);
  if (word === 'across') {
    s.keyword(['seeds'], "'seeds' after 'across' (e.g. across seeds 1..10)");
    return parseSeedList(s);
  }
  s.pos = saved;
  if (word !== undefined && nearest(word, ['across']) !== undefined) {
    throw new AssertionIssue(`unknown word '${word}' after the comparison`, { suggestion: 'across' });
  }
  return undefined;
}

/** `1..10`, `1, 2, 5`, `1..5, 9`: in the order written, duplicates removed. */
function parseSeedList(s: Scanner): number[] {
  const seeds: number[] = [];
  do {
    const first = integer(s);
    const last = s.eat('..') ? integer(s) : first;
    if (last < first) throw new AssertionIssue(`seed range ${first}..${last} runs backwards`);
    if (seeds.length + last - first + 1 > MAX_SEEDS) {
      throw new AssertionIssue(`more than ${MAX_SEEDS} seeds: each seed is a full run; list fewer`);
    }
    for (let seed = first; seed <= last; seed++) if (!seeds.includes(seed)) seeds.push(seed);
  } while (s.eat(','));
  return seeds;
}

function parseSeedsPrefix(s: Scanner): number[] | undefined {
  const saved = s.pos;
  const first = s.match(NAME);
  if (first !== 'across') {
    // `acros seeds 1..3:` would otherwise read as a figure named `acros` missing its comparison.
    if (first !== undefined && s.peekWord() === 'seeds' && nearest(first, ['across']) !== undefined) {
      throw new AssertionIssue(`unknown word '${first}' before 'seeds'`, { suggestion: 'across' });
    }
    s.pos = saved;
    return undefined;
  }
  s.keyword(['seeds'], "'seeds' after 'across' (e.g. across seeds 1..10:)");
  const seeds = parseSeedList(s);
  s.expect(':', "':' after the seeds (e.g. across seeds 1..10: p90(errors.total) == 0)");
  return seeds;
}

function integer(s: Scanner): number {
  const digits = s.match(INTEGER);
  if (digits === undefined) s.fail('a seed (a whole number 0 or more)');
  const seed = Number(digits);
  // Past 2^53 − 1, seed + 1 === seed: a range would never end, and two seeds would be one.
  if (seed > MAX_SEED)
    throw new AssertionIssue(
      `seed ${digits.length > 30 ? `${digits.slice(0, 30)}…` : digits} is above ${MAX_SEED} (2^53 − 1), the largest seed`,
    );
  return seed;
}

function parseMeasure(s: Scanner): MeasureNode {
  const name = s.match(NAME);
  if (name === undefined) s.fail('a figure (errors.total) or a function such as max(reset_out)');
  if (!s.eat('(')) return { kind: 'name', name };
  const arg = parseArgument(s);
  s.expect(')', "')'");
  const call: CallNode = { kind: 'call', fn: name, arg };
  const saved = s.pos;
  const word = s.match(NAME);
  if (word === 'over') {
    call.window = parseWindow(s);
  } else if (word === 'at') {
    call.at = parseTime(s);
  } else {
    s.pos = saved;
  }
  return call;
}

function parseArgument(s: Scanner): MeasureNode {
  const saved = s.pos;
  const name = s.match(NAME);
  if (name === undefined) s.fail('a series, histogram or figure name inside the parentheses');
  if (s.eat('(')) {
    s.pos = saved;
    return parseMeasure(s);
  }
  if (!s.eat('@')) return { kind: 'name', name };
  const entity = s.match(ENTITY);
  if (entity === undefined) s.fail("a backend name or 'total' after '@'");
  return { kind: 'name', name, entity };
}

function parseWindow(s: Scanner): { from: TimeNode; to: TimeNode } {
  s.expect('[', "'[' to open the window, e.g. over [2m, 3m]");
  const from = parseTime(s);
  s.expect(',', "',' between the window's start and end");
  const to = parseTime(s);
  s.expect(']', "']' to close the window");
  return { from, to };
}

function parseTime(s: Scanner): TimeNode {
  const literal = s.match(LITERAL);
  if (literal !== undefined) return { text: literal };
  const saved = s.pos;
  const word = s.match(NAME);
  if (word === 'start' || word === 'end') return { text: word };
  s.pos = saved;
  return s.fail("a time: a duration since start (2m), a wall-clock time (14:02), 'start' or 'end'");
}

function parseCheck(s: Scanner, measure: MeasureNode): CheckNode {
  const op = OPS.find((o) => s.eat(o));
  if (op !== undefined) return { kind: 'compare', op, value: parseValue(s) };
  if (s.eat('=')) throw new AssertionIssue("'=' is not a comparison: write '=='");
  const saved = s.pos;
  const word = s.match(NAME);
  if (word === 'within') {
    const tolerance = parseValue(s);
    s.keyword(['of'], "'of' after the tolerance (e.g. within 20% of 420)");
    return { kind: 'within', tolerance, value: parseValue(s) };
  }
  s.pos = saved;
  const expected =
    measure.kind === 'call' && measure.window === undefined && measure.at === undefined
      ? "a comparison (<, <=, >, >=, ==, !=, within … of …) or 'over [from, to]' / 'at <time>'"
      : 'a comparison (<, <=, >, >=, ==, !=, within … of …)';
  const hint =
    word === undefined ? undefined : nearest(word, measure.kind === 'call' ? ['within', 'over', 'at'] : ['within']);
  return s.fail(expected, hint);
}

function parseValue(s: Scanner): string {
  const literal = s.match(LITERAL);
  if (literal === undefined) s.fail('a number, a duration (5m) or a percentage (99.9%)');
  return literal;
}
