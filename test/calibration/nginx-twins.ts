// Shared by the nginx calibration comparisons (nginx-compare, nginx-tls-storm-compare,
// nginx-holdout): run a twin scenario, read a recording, and the tolerances.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { ConnKind, newClientRecord } from '../../sim/model/core/conn.js';
import { Nginx } from '../../sim/model/proxy/nginx.js';
import type { RunResult } from '../../sim/result.js';
import { buildModel, runScenario, startModel } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { NginxSchema, ScenarioSchema } from '../../sim/scenario/schema.js';
import { series } from '../model/helpers.js';

/** The twin's timeline actions that send nginx a signal (`nginx -s reload|quit|stop`; a `set` reloads). */
const SIGNALS = new Set(['nginx_reload', 'nginx_quit', 'nginx_stop', 'set']);

/**
 * `--set`s that put twin `name`'s nginx signals (in order) where the recording's reached the master.
 * The recorder's time of an action is taken just before it runs the signaller
 * (calibration/nginx/experiment.mjs: `t = now()`, then nginxSignal's `ip netns exec … nginx -s <sig>`),
 * and that process kill()s the master only after its own start-up, which parses the whole
 * configuration (src/core/nginx.c main: ngx_init_cycle before ngx_signal_process): the signal
 * arrives at most `actions[].tookMs` (7–12 ms under SCHED_FIFO, 34–152 ms loaded) after the
 * recorded time. recorded + tookMs is an UPPER BOUND, not the arrival: tookMs is `now() - t` around
 * a blocking execFileSync of `ip netns exec … nginx -s <sig>` (experiment.mjs, nginx.mjs
 * nginxSignal), so it also holds the signaller's exit after its kill(), ip's teardown and the
 * harness's return; the true arrival is somewhere in [recorded, recorded + tookMs]. nginx-stop-tunnel
 * shows the gap: tookMs 42.8, but the tunnel's EOF and the first refusal are recorded at 3.03 s, 13 ms
 * before 3.043. No recording holds the arrival itself: the master's "signal N (…) received" error-log
 * line has whole seconds (ngx_cached_err_log_time), and an effect (the first EOF or refusal at a QUIT)
 * is the very figure the twin is compared with, so taking it as the twin's input would be a fit.
 * What follows the arrival — the master's own ngx_init_cycle and fork before ngx_msleep(100) — is
 * machine time, not modelled (NOTES §2).
 */
export function signalArrivals(
  name: string,
  recording: { actions: { signal: string; s: number; tookMs: number }[] },
): string[] {
  const timeline = loadScenario(`calibration/scenarios/${name}.yaml`, ScenarioSchema).scenario.timeline;
  const twinIdx = timeline.flatMap((a, i) => (SIGNALS.has(a.do) ? [i] : []));
  const signals = recording.actions.filter((a) => ['reload', 'quit', 'stop'].includes(a.signal));
  if (twinIdx.length !== signals.length)
    throw new Error(`${name}: ${twinIdx.length} signals, recording ${signals.length}`);
  return twinIdx.map((i, k) => `timeline.${i}.at=${(signals[k].s * 1000 + signals[k].tookMs).toFixed(1)}ms`);
}

/** Run calibration/scenarios/<name>.yaml with `--set`s, on one seed. */
export function calTwin(name: string, sets: string[] = [], seed = 1): RunResult {
  const file = `calibration/scenarios/${name}.yaml`;
  return runScenario(namedScenario(loadScenario(file, ScenarioSchema, { sets })), { seed, file });
}

/**
 * Client connections per nginx worker when `n` connect one by one to `workers` idle workers that
 * share one listening socket (Nginx.accept: EPOLLEXCLUSIVE's wait queue, reordered by
 * ngx_reorder_accept_events): what a harness run spacing its connects gives.
 */
export function idleWorkersSplit(workers: number, n: number): number[] {
  const nginx = new Nginx(NginxSchema.parse({ worker_processes: workers }));
  const per = new Array<number>(workers).fill(0);
  for (let i = 0; i < n; i++) {
    const c = newClientRecord(i, ConnKind.HTTP);
    nginx.accept(c, i, false);
    per[c.nginxWorker]++;
  }
  return per;
}

/**
 * The twin's client connections per nginx worker (of VM 0, 2 workers) at the moment the most were
 * open, as the recordings' `peakClientConnections.byPid` (the worker that accepted each: conn.nginxWorker).
 */
export function peakClientsByWorker(name: string, sets: string[], seed: number, horizon: number): number[] {
  const file = `calibration/scenarios/${name}.yaml`;
  const model = buildModel(namedScenario(loadScenario(file, ScenarioSchema, { sets: [...sets, `seed=${seed}`] })));
  const { world } = model;
  const open = [0, 0];
  let peak = [0, 0];
  const accepted = world.onAccepted;
  const ended = world.onEnded;
  world.onAccepted = (conn, b) => {
    accepted(conn, b);
    open[conn.nginxWorker]++;
    if (open[0] + open[1] > peak[0] + peak[1]) peak = [...open];
  };
  world.onEnded = (conn) => {
    if (conn.backend >= 0) open[conn.nginxWorker]--;
    ended(conn);
  };
  startModel(model);
  world.engine.run(horizon);
  return peak;
}

/** calibration/data/<name>.json, as recorded. */
// biome-ignore lint/suspicious/noExplicitAny: a recorded data file, read as JSON.
export function recordingFile(name: string): any {
  return JSON.parse(readFileSync(`calibration/data/${name}.json`, 'utf8'));
}

/** The recording was taken with every process SCHED_FIFO and its timers punctual (±2 ms at p95). */
export function expectPunctual(data: { stamp: { scheduling: Record<string, string | string[]> } }): void {
  const sch = data.stamp.scheduling;
  expect(sch.requested).toBe('SCHED_FIFO 10');
  for (const who of ['client', 'backend', 'nginxMaster'] as const) expect(sch[who]).toBe('SCHED_FIFO 10');
  expect((sch.nginxWorkers as string[]).every((w) => w === 'SCHED_FIFO 10')).toBe(true);
}

/** When (s from start) generation `id` exited, from its trace record. */
export function exitOf(r: RunResult, generation: number): number {
  const line = r.events.find((l) => l.record.kind === 'nginx.generation_exit' && l.record.generation === generation);
  if (!line) throw new Error(`generation ${generation} never exited`);
  return line.t;
}

export const withinSecond = (model: number, real: number): void =>
  expect(Math.abs(model - real)).toBeLessThanOrEqual(1);
export const withinTenPercent = (model: number, real: number): void =>
  expect(Math.abs(model - real)).toBeLessThanOrEqual(0.1 * real);

/** When the TLS storm twins' storm starts (calibration/nginx/tls-storm-twin.mjs TWIN_STORM_AT_S). */
export const STORM_AT = 1;

/** Handshakes done (WebSocket sessions up) by `t` s after the storm's first connect. */
export function doneBy(r: RunResult, t: number): number {
  const hit = series(r, 'ws_sessions').find(([at]) => at >= STORM_AT + t - 1e-9);
  if (!hit) throw new Error(`no sample at ${t}`);
  return hit[1];
}

/** When (s after the storm's first connect) `n` handshakes were done: in a recording, in a twin. */
export function realTimeTo(rec: { storm: Array<{ start: number; tls: number | null }> }, n: number): number {
  const first = Math.min(...rec.storm.map((c) => c.start));
  const done = rec.storm
    .filter((c) => c.tls !== null)
    .map((c) => (c.tls as number) - first)
    .sort((a, b) => a - b);
  return done[n - 1];
}
export function twinTimeTo(r: RunResult, n: number): number {
  const hit = series(r, 'ws_sessions').find(([, v]) => v >= n);
  if (!hit) throw new Error(`never ${n} handshakes`);
  return hit[0] - STORM_AT;
}
