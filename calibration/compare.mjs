// The real recordings (calibration/data/*.json) against drainsim's model twins
// (calibration/scenarios/*.yaml): the figures each comparison uses, computed the same way on both
// sides, with the tolerance of issue 11 (plateaus and counts ±10 %, first failure times ±1 s).
// Used by test/calibration/compare.test.ts and by table.mjs (the README's Calibration table).
// Reads the compiled model from dist/ (`npm test` and `npm run calibrate:table` build it first).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../dist/sim/run-scenario.js';
import { loadScenario } from '../dist/sim/scenario/load.js';
import { ScenarioSchema } from '../dist/sim/scenario/schema.js';
import { runBindTwin } from './kernel-twins.mjs';
import { tailRatio } from './lib/sample.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Seeds each model figure is the median of. The port walk makes single runs at 100/s with
 * tcp_tw_reuse vary by several percent (where the 10-s reshuffles land against the 2.048-s
 * expiry batches); the real recording is one run of one boot, so the model's typical value is
 * compared with it.
 */
export const SEEDS = [1, 2, 3];

/** The plateau window of the recordings (lib/experiment.mjs: the last 25 s). */
const PLATEAU_FROM = 76;

/**
 * Comparisons the model cannot make honestly, with the reason (the test marks them as known
 * gaps; the table shows them). Key: `<experiment>/<figure id>`.
 */
export const KNOWN_GAPS = {};

/**
 * The figures compared per experiment. `distorted` names a real figure taken while the real run
 * was disturbed by something the model does not have; it is shown but not compared, and the
 * undistorted figure next to it is.
 */
export function comparisons(data) {
  const name = data.experiment;
  const rate = data.config.rate;
  const s = data.summary;
  if (name.startsWith('timewait-')) {
    const stalled = name === 'timewait-300-client-closes-reuse0';
    return [
      {
        id: 'plateau',
        figure: 'TIME_WAIT plateau ÷ (rate × 60 s), mean of the last 25 s',
        real: s.plateau.ratioToRateTimes60s,
        model: (r) => round(mean(window(r, 'time_wait', PLATEAU_FROM, data.config.seconds)) / (rate * 60)),
        kind: 'ratio',
        distorted: stalled
          ? 'the real client stalled 28 s in connect() once the low-parity half was full (2-core machine); the model has no CPU cost for the walk'
          : undefined,
      },
      {
        id: 'plateau-last-10s',
        figure: 'TIME_WAIT plateau ÷ (rate × 60 s), last 10 s',
        real: tailRatio(data.perSecond, rate, data.config.seconds, 10),
        model: (r) =>
          round(mean(window(r, 'time_wait', data.config.seconds - 10 + 0.5, data.config.seconds)) / (rate * 60)),
        kind: 'ratio',
      },
    ];
  }
  if (name.startsWith('exhaustion-')) {
    return [
      {
        id: 'failures',
        figure: 'failed connects (EADDRNOTAVAIL)',
        real: s.failures,
        model: (r) => r.figures['upstream_eaddrnotavail.total'],
        kind: 'count',
      },
      {
        id: 'connects',
        figure: 'successful connects',
        real: s.connects,
        model: (r) => r.figures['upstream_connects.total'],
        kind: 'count',
      },
      {
        id: 'first-failure',
        figure: 'first EADDRNOTAVAIL (s)',
        real: s.firstFailureS,
        model: (r) => firstFailure(r),
        kind: 'time',
      },
    ];
  }
  if (name.startsWith('portwalk-bind-')) {
    // bind(addr, 0) before connect(): inet_csk_get_port's random start in the parity connect()
    // does not favour, no walk, no port shared with a TIME_WAIT (kernel twin: kernel-twins.mjs).
    const p = data.ports.stats;
    const last = data.perSecond[data.perSecond.length - 1];
    return [
      { id: 'failures', figure: 'failed connects', real: s.failures, model: (r) => r.failures, kind: 'count' },
      {
        id: 'low-parity',
        figure: 'share of ports with the range low-end parity',
        real: p.lowEndParityShare,
        model: (r) => r.ports.lowEndParityShare,
        kind: 'ratio',
      },
      {
        id: 'distinct',
        figure: 'distinct ports',
        real: p.distinctPorts,
        model: (r) => r.ports.distinctPorts,
        kind: 'count',
      },
      {
        id: 'reused-60s',
        figure: 'share of connects reusing a port used < 60 s before',
        real: p.reusedWithin60sShare,
        model: (r) => r.ports.reusedWithin60sShare,
        kind: 'ratio',
      },
      {
        id: 'jumps',
        figure: 'port changes that are not a walk step (+1…+64)',
        real: p.jumps,
        model: (r) => r.ports.jumps,
        kind: 'count',
      },
      {
        id: 'time-wait-end',
        figure: 'TIME_WAIT held at the end',
        real: last.timeWait,
        model: (r) => r.timeWait,
        kind: 'count',
      },
    ];
  }
  return [];
}

/** Whether model and real agree within issue 11's tolerance; also the error to print. */
export function judge(kind, real, model) {
  if (real === null || model === null)
    return { ok: real === model, error: real === model ? 'both none' : 'one is none' };
  if (kind === 'time') return { ok: Math.abs(model - real) <= 1, error: `${fmtSigned(round(model - real))} s` };
  if (real === 0) return { ok: model === 0, error: model === 0 ? '0' : `+${model}` };
  const rel = (model - real) / real;
  return { ok: Math.abs(rel) <= 0.1, error: `${fmtSigned(round(rel * 100, 1))} %` };
}

/** Every recorded experiment that has a model twin, with its rows (model figures computed). */
export function compareAll(dataFiles, seeds = SEEDS) {
  const out = [];
  for (const data of dataFiles) {
    const rows = comparisons(data);
    if (rows.length === 0) continue;
    const runs = seeds.map((seed) =>
      data.experiment.startsWith('portwalk-bind-') ? runBindTwin(data, seed) : runTwin(data.experiment, seed),
    );
    for (const row of rows) {
      const model = median(runs.map((r) => row.model(r)));
      const gap = KNOWN_GAPS[`${data.experiment}/${row.id}`];
      out.push({ experiment: data.experiment, ...row, model, ...judge(row.kind, row.real, model), gap });
    }
  }
  return out;
}

export function runTwin(experiment, seed) {
  const loaded = loadScenario(here(`./scenarios/${experiment}.yaml`), ScenarioSchema, {});
  return runScenario(loaded.scenario, { seed });
}

export function readData(experiment) {
  return JSON.parse(readFileSync(here(`./data/${experiment}.json`), 'utf8'));
}

/** The README's Calibration table from compared rows. */
export function comparisonTable(rows, seeds = SEEDS) {
  const lines = ['| experiment | figure | real | drainsim | error |', '|---|---|---:|---:|---:|'];
  for (const r of rows) {
    const note = r.distorted ? ' (real run distorted, not compared†)' : r.gap ? ' (known gap‡)' : '';
    lines.push(`| ${r.experiment} | ${r.figure}${note} | ${show(r.real)} | ${show(r.model)} | ${r.error} |`);
  }
  lines.push(
    '',
    `drainsim: median of seeds ${seeds.join(', ')}. † ${rows.find((r) => r.distorted)?.distorted ?? ''}; the last-10-s row is the comparison there.`,
  );
  return lines.join('\n');
}

export function firstFailure(r) {
  const line = r.events.find((e) => e.text.includes('99: Cannot assign requested address'));
  return line === undefined ? null : round(line.t);
}

export function window(r, name, from, to) {
  const si = r.timeline.series.findIndex((s) => s.name === name);
  const ei = r.timeline.entities.indexOf('total');
  const out = [];
  for (let i = 0; i < r.timeline.t.length; i++) {
    const t = r.timeline.t[i];
    if (r.timeline.entity[i] === ei && t >= from - 1e-9 && t <= to + 1e-9) out.push(r.timeline.values[si][i]);
  }
  return out;
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
export function median(xs) {
  if (xs.some((x) => x === null))
    return xs.filter((x) => x === null).length * 2 > xs.length ? null : median(xs.filter((x) => x !== null));
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}
export function round(x, digits = 3) {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
const fmtSigned = (x) => (x > 0 ? `+${x}` : `${x}`);
const show = (x) => (x === null ? 'none' : `${x}`);
