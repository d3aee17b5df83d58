/**
 * From syntax to something a run can answer: every name is checked against what the run recorded
 * (figures, timeline series and entities, histograms), times become simulated seconds, and any
 * miss is an AssertionIssue naming the nearest valid name — never a silent pass.
 */
import type { RunResult } from '../result.js';
import { nearest } from '../scenario/nearest.js';
import { formatClock, formatDuration, parseClock } from '../scenario/units.js';
import { type Comparison, readComparison } from './comparison.js';
import { holdsSeconds } from './figure-unit.js';
import { AssertionIssue } from './issue.js';
import { readTime } from './literals.js';
import { HISTOGRAM_STATS, type HistogramStat, type Measure, type SeriesRef } from './measure.js';
import type { AssertionNode, CallNode, MeasureNode, NameNode, TimeNode } from './syntax.js';
import { sampleIndexAt, selectWindow, seriesSamples, WINDOW_AGGS, type WindowAgg } from './window.js';

/** How several seeds' values of one measure become one number. */
export type SeedAggregate = { kind: 'quantile'; q: number; fn: string } | { kind: 'min' | 'max' | 'mean'; fn: string };

export interface BoundAssertion {
  measure: Measure;
  comparison: Comparison;
  /** Present for `… across seeds 1..10` assertions. */
  seeds?: number[];
  /** Absent with seeds: the check must hold for every seed. */
  seedAggregate?: SeedAggregate;
}

const SEED_AGGS = ['min', 'max', 'mean', 'median', 'p50', 'p90', 'p95', 'p99'];
const SEED_QUANTILE = /^p(\d{1,2}(?:\.\d+)?|100)$/;

function isHistogramStat(fn: string): fn is HistogramStat {
  return (HISTOGRAM_STATS as readonly string[]).includes(fn);
}

function isWindowAgg(fn: string): fn is WindowAgg {
  return (WINDOW_AGGS as readonly string[]).includes(fn);
}

/** Figures have dotted names (`errors.total`); series and histograms never do. */
function looksLikeFigure(name: string): boolean {
  return name.includes('.');
}

function unknownName(kind: string, name: string, candidates: readonly string[], extra = ''): AssertionIssue {
  const suggestion = nearest(name, candidates);
  return new AssertionIssue(`unknown ${kind} '${name}'${extra}`, suggestion === undefined ? {} : { suggestion });
}

function unknownFunction(fn: string, valid: readonly string[], what: string): AssertionIssue {
  const suggestion = nearest(fn, valid);
  return new AssertionIssue(
    `'${fn}' is not a function of ${what}; use one of ${valid.join(', ')}`,
    suggestion === undefined ? {} : { suggestion },
  );
}

class Binder {
  private readonly series: string[];
  private readonly histograms: string[];
  private readonly figures: string[];

  constructor(private readonly run: RunResult) {
    this.series = run.timeline.series.map((s) => s.name);
    this.histograms = Object.keys(run.histograms);
    this.figures = Object.keys(run.figures);
  }

  bind(node: AssertionNode): BoundAssertion {
    const bound = this.bindMeasure(node);
    requireUnit(bound);
    return bound;
  }

  private bindMeasure(node: AssertionNode): BoundAssertion {
    const comparison = readComparison(node.check);
    if (node.seeds === undefined) return { measure: this.measure(node.measure), comparison };
    const m = node.measure;
    if (m.kind === 'call' && this.isSeedAggregateCall(m)) {
      if (m.window !== undefined || m.at !== undefined) {
        throw new AssertionIssue(`'over' and 'at' belong inside ${m.fn}(…), on the measure it aggregates across seeds`);
      }
      return {
        measure: this.measure(m.arg, true),
        comparison,
        seeds: node.seeds,
        seedAggregate: this.seedAggregate(m.fn),
      };
    }
    return { measure: this.measure(m), comparison, seeds: node.seeds };
  }

  /** `p90(errors.total)` or `p90(p99(request_latency))`: a function of a per-run value. */
  private isSeedAggregateCall(m: CallNode): boolean {
    return m.arg.kind === 'call' || (m.arg.entity === undefined && looksLikeFigure(m.arg.name));
  }

  private seedAggregate(fn: string): SeedAggregate {
    if (fn === 'min' || fn === 'max' || fn === 'mean') return { kind: fn, fn };
    if (fn === 'median') return { kind: 'quantile', q: 0.5, fn };
    const q = SEED_QUANTILE.exec(fn);
    if (q !== null) return { kind: 'quantile', q: Number(q[1]) / 100, fn };
    throw unknownFunction(fn, SEED_AGGS, 'values across seeds (pNN is any percentile)');
  }

  private measure(node: MeasureNode, insideSeedAggregate = false): Measure {
    if (node.kind === 'name') return this.figure(node);
    if (node.arg.kind === 'call') {
      const where = insideSeedAggregate
        ? 'one function across seeds around one per-run measure'
        : `p90(${node.fn}(…)) … across seeds 1..10`;
      throw new AssertionIssue(`functions do not nest here; write ${where}`);
    }
    if (node.window !== undefined || node.at !== undefined) return this.windowed(node, node.arg);
    const { name } = node.arg;
    if (this.histograms.includes(name)) {
      if (node.arg.entity !== undefined)
        throw new AssertionIssue(`histogram '${name}' covers the whole run; it has no '@${node.arg.entity}'`);
      if (!isHistogramStat(node.fn)) throw unknownFunction(node.fn, HISTOGRAM_STATS, `a histogram`);
      return { kind: 'histogram', name, stat: node.fn };
    }
    if (this.series.includes(name)) {
      if (node.fn === 'value') throw new AssertionIssue(`value(${name}) needs a time: value(${name}) at 2m`);
      if (!isWindowAgg(node.fn)) throw unknownFunction(node.fn, WINDOW_AGGS, 'a timeline series');
      return { kind: 'window', agg: node.fn, ref: this.seriesRef(node.arg), from: 0, to: this.run.horizon };
    }
    if (looksLikeFigure(name) && this.figures.includes(name)) {
      throw new AssertionIssue(
        `${node.fn}(${name}) aggregates a figure over seeds; write ${node.fn}(${name}) … across seeds 1..10`,
      );
    }
    if (looksLikeFigure(name)) throw unknownName('figure', name, this.figures);
    throw unknownName('series or histogram', name, [...this.series, ...this.histograms]);
  }

  private figure(node: NameNode): Measure {
    if (this.figures.includes(node.name)) return { kind: 'figure', name: node.name };
    if (this.series.includes(node.name)) {
      throw new AssertionIssue(
        `'${node.name}' is a timeline series, not a figure; write e.g. max(${node.name}) over [2m, 3m], or a figure such as ${node.name}.${this.run.timeline.series.find((s) => s.name === node.name)!.kind === 'counter' ? 'total' : 'max'}`,
      );
    }
    if (this.histograms.includes(node.name)) {
      throw new AssertionIssue(`'${node.name}' is a histogram, not a figure; write e.g. p99(${node.name})`);
    }
    throw unknownName('figure', node.name, this.figures);
  }

  private seriesRef(arg: NameNode): SeriesRef {
    const entity = arg.entity ?? 'total';
    const { entities } = this.run.timeline;
    if (!entities.includes(entity))
      throw unknownName('backend', entity, entities, `; entities are ${entities.join(', ')}`);
    return { series: arg.name, entity };
  }

  private windowed(node: CallNode, arg: NameNode): Measure {
    if (!this.series.includes(arg.name)) {
      const why = this.histograms.includes(arg.name)
        ? `; '${arg.name}' is a histogram, which has no timeline: write e.g. p99(${arg.name})`
        : '';
      throw unknownName('series', arg.name, this.series, why);
    }
    const ref = this.seriesRef(arg);
    const tl = this.run.timeline;
    const samples = seriesSamples(tl, this.series.indexOf(ref.series), tl.entities.indexOf(ref.entity));
    if (node.at !== undefined) {
      if (node.fn !== 'value')
        throw new AssertionIssue(
          `'at <time>' reads one sample: write value(${arg.name}) at ${node.at.text}; for a window use ${node.fn}(…) over [from, to]`,
        );
      const t = this.time(node.at);
      if (sampleIndexAt(samples, t) < 0)
        throw new AssertionIssue(`no sample of ${ref.series} at ${node.at.text}: ${this.sampling()}`);
      return { kind: 'value-at', ref, t };
    }
    if (node.fn === 'value')
      throw new AssertionIssue(
        `value(…) reads one sample 'at <time>'; for a window use max, min, mean, sum, first or last`,
      );
    if (!isWindowAgg(node.fn)) throw unknownFunction(node.fn, WINDOW_AGGS, 'a timeline window');
    const from = this.time(node.window!.from);
    const to = this.time(node.window!.to);
    if (to < from)
      throw new AssertionIssue(`window [${node.window!.from.text}, ${node.window!.to.text}] ends before it starts`);
    if (selectWindow(samples, from, to).t.length === 0) {
      throw new AssertionIssue(
        `window [${node.window!.from.text}, ${node.window!.to.text}] holds no sample of ${ref.series}: ${this.sampling()}`,
      );
    }
    return { kind: 'window', agg: node.fn, ref, from, to };
  }

  private time(node: TimeNode): number {
    const t = readTime(node.text, this.run);
    if (t > this.run.horizon + 1e-9) {
      throw new AssertionIssue(`time '${node.text}' is after the end of the run: ${this.coverage()}`);
    }
    return t;
  }

  private coverage(): string {
    const startOfDay = parseClock(this.run.start);
    return `the run covers ${formatClock(startOfDay)} to ${formatClock(startOfDay + this.run.horizon)} (0s to ${formatDuration(this.run.horizon)})`;
  }

  private sampling(): string {
    return `samples are taken every ${formatDuration(this.run.timeline.interval)}; ${this.coverage()}`;
  }
}

/** The name whose unit a measure is in: the figure, the histogram (not its count) or the series. */
export function unitName(m: Measure): string {
  if (m.kind === 'figure') return m.name;
  if (m.kind === 'histogram') return m.stat === 'count' ? `${m.name}.count` : m.name;
  return m.ref.series;
}

/**
 * Values compared with a figure in seconds must carry a unit: `p99(request_latency) < 200` meant
 * 200 s and passed silently. Zero is zero in every unit, and a percentage is relative.
 */
function requireUnit(b: BoundAssertion): void {
  const name = unitName(b.measure);
  if (!holdsSeconds(name)) return;
  const c = b.comparison;
  const literals =
    c.kind === 'compare' ? [c.expected] : [c.target, ...(c.tolerance.kind === 'percent' ? [] : [c.tolerance])];
  for (const l of literals) {
    if (l.kind !== 'number' || l.value === 0) continue;
    throw new AssertionIssue(`'${l.text}' has no unit, but ${name} is in seconds: write ${l.text}ms or ${l.text}s`);
  }
}

/** Binds a parsed assertion to the names the run recorded; throws AssertionIssue. */
export function bindAssertion(node: AssertionNode, run: RunResult): BoundAssertion {
  return new Binder(run).bind(node);
}
