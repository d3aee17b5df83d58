/**
 * The JSON Schema of summary.json (reports/summary-json), shipped as schema/summary.schema.json
 * (scripts/build-schema.mjs) beside the scenario schema. summary.json keeps SI numbers and bare
 * names; the schema is where each figure's unit is written: every figure name matches one
 * pattern, and each pattern carries `unit` (an annotation keyword validators ignore) and a
 * description saying what it counts, in what.
 *
 * The catalogue is the model's own: the series (with the unit and description the model defines
 * them with, sim/model/core/series.ts and world.ts) and histograms of every built-in scenario,
 * shaped without running (sim/expect/shape-run.ts), and figures.ts's naming rules: a counter gives
 * `<name>.total` and `<name>.peak_per_s`, a gauge `<name>.max` and `<name>.final`, per backend
 * with a `<backend>.` prefix; drains give `drain.<backend>.*`; histograms `<name>.p50 … count`.
 */
import { holdsSeconds } from '../expect/figure-unit.js';
import { shapeRun } from '../expect/shape-run.js';
import type { SeriesMeta } from '../result.js';
import { builtinScenarioNames } from '../scenario/load.js';
import { loadScenarioForCli, namedScenario } from '../scenario/load-for-run.js';
import { packageVersion } from '../scenario/package-root.js';
import { schemaUrl } from './schema.js';

/** Where the published summary schema can be fetched (unpkg serves the npm package's files). */
export function summarySchemaUrl(version: string): string {
  return schemaUrl(version).replace(/scenario\.schema\.json$/, 'summary.schema.json');
}

export interface FigureFamily {
  /** Regular expression every figure name of the family matches, anchored. */
  pattern: string;
  unit: string;
  description: string;
}

/** Backend names as scenario files write them: no dots, so a name is one segment of a figure. */
const BACKEND = '[^.]+';

/** `drain.<backend>.<x>`: what a deploy's drain gate observed (sim/result.ts DrainRecord). */
const DRAIN_FIGURES: [string, string, string][] = [
  ['started_at', 's', 'When the drain started, simulated seconds since t = 0'],
  ['completed_within', 's', 'How long the drain took to meet its gate (null: it never did)'],
  ['timed_out', 'bool', '1 when the gate timed out (max_wait) and the forced stage ran, else 0'],
  ['active_at_start', 'conn', 'Connections the LB tracked to the backend when the drain started'],
  ['active_at_end', 'conn', 'Connections still open when the drain ended'],
  ['ws_sessions_at_start', 'session', 'WebSocket sessions open on the backend when the drain started'],
  ['ws_avg_age_at_start', 's', 'Average age of those sessions'],
];

const HISTOGRAM_STATS: [string, string][] = [
  ['p50', 'median'],
  ['p95', '95th percentile'],
  ['p99', '99th percentile'],
  ['max', 'largest value'],
  ['mean', 'mean'],
];

/** Every figure family with its unit, from the series and histograms the built-ins define. */
export function figureCatalogue(): FigureFamily[] {
  const series = new Map<string, SeriesMeta>();
  const histograms = new Set<string>();
  for (const name of builtinScenarioNames()) {
    const shape = shapeRun(namedScenario(loadScenarioForCli(name)));
    for (const s of shape.timeline.series) if (!series.has(s.name)) series.set(s.name, s);
    for (const h of Object.keys(shape.histograms)) histograms.add(h);
  }
  const families: FigureFamily[] = [];
  for (const s of [...series.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const stats: [string, string, string][] =
      s.kind === 'counter'
        ? [
            ['total', s.unit, 'total over the run'],
            ['peak_per_s', `${s.unit}/s`, 'the busiest second (per backend: the largest sample / interval)'],
          ]
        : [
            ['max', s.unit, 'largest sample'],
            ['final', s.unit, 'last sample'],
          ];
    for (const [stat, unit, what] of stats) {
      // Per-backend figures exist for figures.ts's PER_BACKEND series only; a pattern that admits
      // the prefix for every series keeps the schema valid if that list grows.
      families.push({
        pattern: `^(${BACKEND}\\.)?${s.name}\\.${stat}$`,
        unit,
        description: `${s.description}: ${what} (${s.kind} ${s.name}; with a backend prefix, that backend's)`,
      });
    }
  }
  for (const [stat, unit, description] of DRAIN_FIGURES)
    families.push({ pattern: `^drain\\.${BACKEND}\\.${stat}$`, unit, description });
  for (const h of [...histograms].sort()) {
    const unit = holdsSeconds(h) ? 's' : 'value';
    for (const [stat, what] of HISTOGRAM_STATS)
      families.push({ pattern: `^${h}\\.${stat}$`, unit, description: `Histogram ${h}: ${what}` });
    families.push({ pattern: `^${h}\\.count$`, unit: 'samples', description: `Histogram ${h}: values recorded` });
  }
  return families;
}

/** The summary.json schema with its published https `$id`. */
export function publishedSummarySchema(): Record<string, unknown> {
  const version = packageVersion();
  const catalogue = figureCatalogue();
  const figure = (f: FigureFamily) => ({
    type: ['number', 'null'],
    unit: f.unit,
    description: `${f.description}. Unit: ${f.unit}.`,
  });
  const histogramNames = [
    ...new Set(catalogue.filter((f) => f.unit === 'samples').map((f) => f.pattern.slice(1, -'\\.count$'.length))),
  ];
  // In summary.json's own key order (reports/summary-json), every key required.
  const properties = {
    scenario: {
      type: 'object',
      required: ['name', 'file', 'description'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        file: { type: 'string', description: 'The scenario file, relative to the package or as given' },
        description: { type: 'string' },
      },
    },
    seed: { type: 'integer', minimum: 0, description: 'The random seed of the run' },
    version: { type: 'string', description: 'drainsim version' },
    start: { type: 'string', description: 'Wall-clock label of simulated t = 0 (HH:MM or HH:MM:SS)' },
    horizon_s: { type: 'number', unit: 's', description: 'Simulated seconds recorded. Unit: s.' },
    engine_events: { type: 'integer', unit: 'events', description: 'Engine events fired. Unit: events.' },
    figures: {
      type: 'object',
      description: 'Key figures by dotted name; null: no value in this run (a drain that never completed).',
      patternProperties: Object.fromEntries(catalogue.map((f) => [f.pattern, figure(f)])),
      additionalProperties: false,
    },
    histograms: {
      type: 'object',
      description: 'Histogram summaries; every value but count is in seconds.',
      propertyNames: { enum: histogramNames },
      additionalProperties: {
        type: 'object',
        required: ['count', 'mean', 'p50', 'p95', 'p99', 'max'],
        additionalProperties: false,
        properties: {
          count: { type: 'integer', unit: 'samples' },
          mean: { type: 'number', unit: 's' },
          p50: { type: 'number', unit: 's' },
          p95: { type: 'number', unit: 's' },
          p99: { type: 'number', unit: 's' },
          max: { type: 'number', unit: 's' },
        },
      },
    },
    expectations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['text', 'passed', 'actual'],
        additionalProperties: false,
        properties: {
          text: { type: 'string', description: 'The assertion as written in the scenario' },
          passed: { type: 'boolean' },
          actual: { type: ['number', 'null'], description: 'The measured value, in the figure’s unit' },
          at_s: { type: 'number', unit: 's', description: 'Simulated time the failure is pinned to. Unit: s.' },
          message: { type: 'string' },
        },
      },
    },
    resolved: {
      type: 'object',
      description: `The fully resolved scenario, every default filled in: see ${schemaUrl(version)}`,
    },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: summarySchemaUrl(version),
    title: 'drainsim summary.json',
    description:
      'The key figures and verdicts of one drainsim run. Numbers are SI (seconds, counts, per second); each figure’s unit is the `unit` of the pattern its name matches.',
    type: 'object',
    required: Object.keys(properties),
    additionalProperties: false,
    properties,
  };
}
