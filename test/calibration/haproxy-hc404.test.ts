/**
 * HAProxy's health-check drain recorded (session 23, hc404): HAProxy 2.6.12 mode tcp, `option
 * httpchk GET /health` + `http-check disable-on-404`, 60 req/s over 20 keep-alive connections
 * (exponential lifetimes, mean 5 s); s1's /health answers 404 from 4 s (calibration/haproxy/hc404.mjs,
 * worker.mjs SIGUSR2). Its twin, calibration/scenarios/haproxy-hc404-tcp.yaml, and the figures and
 * tolerances below were committed before the run was recorded; it was recorded once, nothing
 * fitted. The twin runs at HAProxy's start the recording states (statedUptime(): s1's first check,
 * logged by `option log-health-checks`), seeds 1-3.
 *
 * Figures: when s1 goes NOLB after the 404 starts (the next check: HAProxy's "Server be/s1 is
 * stopping" line vs the model's hc.stopping), that no new connection reaches s1 after it, how many
 * connections s1 carried then (`cur_sess`) and how many requests s1 still answered on them, failures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { type StampedRecording, statedUptime, twinAt } from './haproxy-restated.js';

const NAME = 'haproxy-hc404-tcp';
const FILE = `calibration/data/${NAME}.json`;
const SEEDS = 3;

/** Tolerances, stated before the recording. */
const TOL = {
  /** s of the delay from the 404 to NOLB: the check phase is stated, the checks' drift (≈ 1 ms a check) is not modelled. */
  stopDelayS: 0.1,
  /** connections s1 carries at its NOLB: ≈ 10 of 20, each slot's lifetime its own draw. */
  openAtStop: 5,
  /** requests s1 answers after its NOLB: the sum of ≈ 10 residual exponential lifetimes × 3 req/s. */
  servedAfterRatio: 2,
};

interface Recording extends StampedRecording {
  events: { haproxyMessages: Array<{ t: number; line: string }>; actions: Array<{ op: string; t: number }> };
  failedRequests: unknown[];
  requestLog: Array<[number, number, string, string, number]>;
  haproxyLog: Array<[number, number, string, string, string, number, number, number, number, number]>;
}

interface Figures {
  stopDelayS: number;
  lastNewS1AfterStopS: number;
  openAtStop: number;
  servedAfter: number;
  failures: number;
}

function recorded(d: Recording): Figures {
  const t404 = d.events.actions.find((a) => a.op === 'health404')!.t;
  const stop = d.events.haproxyMessages.find((m) => /Server be\/s1 is stopping/.test(m.line))!.t;
  const s1 = d.haproxyLog.filter((l) => l[2] === 's1');
  return {
    stopDelayS: stop - t404,
    lastNewS1AfterStopS: Math.max(...s1.map((l) => l[0])) - stop,
    openAtStop: s1.filter((l) => l[0] < stop && l[1] > stop).length,
    servedAfter: d.requestLog.filter((r) => r[3] === 's1' && r[2] === 'ok' && r[0] > stop).length,
    failures: d.failedRequests.length,
  };
}

function simulated(r: RunResult): Figures {
  const stop = recordsOf(r, 'hc.stopping')[0];
  const newConns = series(r, 'new_conn', 's1').filter(([, v]) => v > 0);
  // A 250-ms sample ending at t counts the connections of (t − 0.25, t]: its start is the latest time.
  const lastNew = newConns.length > 0 ? newConns[newConns.length - 1][0] - 0.25 : Number.NaN;
  const served = series(r, 'responses_2xx', 's1')
    .filter(([t]) => t - 0.25 >= stop.t - 1e-9)
    .reduce((a, [, v]) => a + v, 0);
  return {
    stopDelayS: stop.t - 4,
    lastNewS1AfterStopS: lastNew - stop.t,
    openAtStop: stop.sessions,
    servedAfter: served,
    failures: r.figures['errors.total'] ?? 0,
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(!existsSync(FILE))('HAProxy http-check disable-on-404, recorded (haproxy-hc404-tcp)', () => {
  let real: Figures;
  let twins: Figures[];
  beforeAll(() => {
    const d = JSON.parse(readFileSync(FILE, 'utf8')) as Recording;
    real = recorded(d);
    twins = twinAt(NAME, statedUptime(d), SEEDS).map(simulated);
  });

  it('the recording went NOLB at a check after the 404, within inter, not after fall 3 × inter', () => {
    expect(real.stopDelayS).toBeGreaterThan(0);
    expect(real.stopDelayS).toBeLessThanOrEqual(2.05);
  });

  it(`the twin goes NOLB as long after the 404 as HAProxy did (±${TOL.stopDelayS} s)`, () => {
    for (const t of twins) expect(Math.abs(t.stopDelayS - real.stopDelayS)).toBeLessThanOrEqual(TOL.stopDelayS);
  });

  it('no new connection reaches s1 after its NOLB, in the recording and in the twin', () => {
    expect(real.lastNewS1AfterStopS).toBeLessThanOrEqual(0.005);
    for (const t of twins) expect(t.lastNewS1AfterStopS).toBeLessThanOrEqual(0);
  });

  it(`s1 keeps the connections it carried (±${TOL.openAtStop}) and answers their requests (×/÷ ${TOL.servedAfterRatio})`, () => {
    expect(real.openAtStop).toBeGreaterThan(0);
    expect(real.servedAfter).toBeGreaterThan(0);
    expect(Math.abs(mean(twins.map((t) => t.openAtStop)) - real.openAtStop)).toBeLessThanOrEqual(TOL.openAtStop);
    const ratio = mean(twins.map((t) => t.servedAfter)) / real.servedAfter;
    expect(ratio).toBeGreaterThanOrEqual(1 / TOL.servedAfterRatio);
    expect(ratio).toBeLessThanOrEqual(TOL.servedAfterRatio);
  });

  it('no request fails, in the recording and in the twin', () => {
    expect(real.failures).toBe(0);
    for (const t of twins) expect(t.failures).toBe(0);
  });
});
