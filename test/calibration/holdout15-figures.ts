/**
 * Held-out validation, round 15 (session 23, hold15): the figures compared, computed the same way on
 * a twin's runs (the blind prediction) and on a recording. Each run tests a rule session 22 modelled
 * in nginx 1.22.1 + Linux that no recording had tested, under a paced TLS storm
 * (calibration/nginx/holdout15.mjs): a reload from 2 `reuseport` workers to 1 resets the accept queue
 * of the socket no new worker inherits at the old workers' QUIT (6fd3eab), and a QUIT resets the
 * WebSocket connections whose upgrade waits behind a TLS handshake still in the accept queue
 * (5681843). Twins calibration/scenarios/<name>.yaml (holdout15-twin.mjs, from the recorder's input);
 * predictions calibration/data/holdout15-predictions.json (with each figure's tolerance). The twin
 * runner and the seeds are round 7's (holdout7-figures.ts).
 *
 * Tolerances, stated before recording: counts ±10 % (±2 near zero); the first reset after the
 * signal ±0.05 s (`nginx -s` itself and the master's new cycle, with its SSL context, take some ms
 * the twin's signal time does not hold; the model's reload QUIT is the master's 100-ms
 * ngx_msleep after the fork, its quit at once).
 */
import type { RunResult } from '../../sim/result.js';
import { mean, series } from '../model/helpers.js';
import type { Tolerance } from './heldout-table.js';
import { COUNT, type Figure7 } from './holdout7-figures.js';

/** A round-15 figure: `fixed` / `derived` as round 14's (not a mechanism row). */
export interface Figure15<D> extends Figure7<D> {
  fixed?: string;
  derived?: string;
}

/** One connection of a round-15 recording's storm (calibration/nginx/tls-client.mjs, s after the client's start). */
interface StormConn {
  start: number;
  tcp: number | null;
  tls: number | null;
  err: string | null;
  errAt?: number;
  up?: number;
}

/** What a round-15 recording holds (calibration/nginx/holdout15.mjs). */
export interface NginxRec15 {
  config: { connections: number; atMs: number; signal: string; upgrade: boolean };
  /** The workers' CPU over the serial phase's 200 full handshakes (ms): the twin's handshake_cpu × 200. */
  serialCpuMs: number;
  counters: { before: Record<string, number>; after: Record<string, number> };
  storm: StormConn[];
}

/**
 * The twins' handshake_cpu grid (ms): nginx's CPU per full RSA-4096 handshake is the recording's own
 * serial measurement (200 handshakes before the storm, as every tls-storm twin takes it), which the
 * blind predictions cannot know, so they are written for every value of this grid and a row reads
 * them at the value nearest the recording's (HAProxy rounds key theirs by `lb.uptime` the same
 * way). 2.5-5.5 ms: the earlier recordings measured 4.3-4.55 ms, a test run of the recorder before
 * this round (20 connections, no storm) 3.2 ms.
 */
export const HANDSHAKE_GRID_MS = Array.from({ length: 31 }, (_, i) => Math.round((2.5 + i * 0.1) * 10) / 10);
/** The grid key of a handshake_cpu (ms): the nearest grid value, one decimal. */
export const handshakeKey = (ms: number): string => Math.min(5.5, Math.max(2.5, Math.round(ms * 10) / 10)).toFixed(1);
/** The serial phase's handshakes (calibration/nginx/holdout15.mjs SERIAL). */
const SERIAL = 200;
/** The handshake_cpu a recording's serial phase measured (ms). */
export const measuredHandshakeMs = (d: NginxRec15): number => d.serialCpuMs / SERIAL;

/** When the client starts in a twin (s): holdout15-twin.mjs. */
const STORM_AT = 1;
const FIRST_RESET: Tolerance = { seconds: 0.05 };

/** A connection reset in the accept queue: ECONNRESET before its TLS handshake completed. */
const resetIn = (d: NginxRec15): StormConn[] => d.storm.filter((c) => c.tls === null && c.err === 'ECONNRESET');

/** The twin's accept-queue resets: nginx.accept_queue_reset records (time, count). */
const resetsOf = (r: RunResult): Array<{ t: number; reset: number }> =>
  r.events
    .filter((l) => l.record.kind === 'nginx.accept_queue_reset')
    .map((l) => ({ t: l.t, reset: (l.record as { reset: number }).reset }));

/** The twin's sessions (handshaken and upgraded) at `t` s after the client's start: the ws_sessions gauge. */
function sessionsAt(r: RunResult, t: number): number {
  const hit = series(r, 'ws_sessions').find(([at]) => at >= STORM_AT + t - 1e-9);
  if (!hit) throw new Error(`no sample at ${t}`);
  return hit[1];
}

const resetFigure = (what: string): Figure15<NginxRec15> => ({
  figure: `connections reset in the accept queue (client: ECONNRESET before its handshake; twin: nginx.accept_queue_reset)${what}`,
  tolerance: COUNT,
  sim: (runs) => mean(runs.map((r) => resetsOf(r).reduce((a, x) => a + x.reset, 0))),
  real: (d) => resetIn(d).length,
});

const firstResetFigure = (signal: string): Figure15<NginxRec15> => ({
  figure: `first reset, s after the planned \`nginx -s ${signal}\``,
  tolerance: FIRST_RESET,
  sim: (runs) => {
    const at = runs.flatMap((r) =>
      resetsOf(r)
        .slice(0, 1)
        .map((x) => x.t),
    );
    return at.length === 0 ? null : mean(at) - STORM_AT - signalAt(runs[0]);
  },
  real: (d) => {
    const at = resetIn(d).map((c) => c.errAt as number);
    return at.length === 0 ? null : Math.min(...at) - d.config.atMs / 1000;
  },
});

/** The twin's signal time after the client's start (its timeline's one action). */
function signalAt(r: RunResult): number {
  const ev = r.events.find((l) => l.record.kind === 'nginx.reload' || l.record.kind === 'nginx.quit');
  return ev ? ev.t - STORM_AT : Number.NaN;
}

const doneBySignal = (signal: string, what = ''): Figure15<NginxRec15> => ({
  figure: `handshakes done by the planned \`nginx -s ${signal}\`${what}`,
  tolerance: COUNT,
  sim: (runs) => mean(runs.map((r) => sessionsAt(r, signalAt(r)))),
  real: (d) => d.storm.filter((c) => c.tls !== null && c.tls <= d.config.atMs / 1000).length,
});

/** Handshakes done from the signal + 0.3 s to the client's stop (6 s): past the old workers' QUIT and close. */
const doneAfter = (signal: string, what: string): Figure15<NginxRec15> => ({
  figure: `handshakes done from 0.3 s after the planned \`nginx -s ${signal}\` to the end${what}`,
  tolerance: COUNT,
  sim: (runs) => mean(runs.map((r) => sessionsAt(r, 5.99) - sessionsAt(r, signalAt(r) + 0.3))),
  real: (d) => d.storm.filter((c) => c.tls !== null && c.tls > d.config.atMs / 1000 + 0.3).length,
});

const doneInAll = (derived: string): Figure15<NginxRec15> => ({
  figure: 'handshakes done by the end (twin: sessions at 5.99 s)',
  tolerance: COUNT,
  sim: (runs) => mean(runs.map((r) => sessionsAt(r, 5.99))),
  real: (d) => d.storm.filter((c) => c.tls !== null).length,
  derived,
});

const upgradedAll = (derived: string): Figure15<NginxRec15> => ({
  figure: 'WebSocket upgrades answered 101 (twin: sessions at 5.99 s)',
  tolerance: COUNT,
  sim: (runs) => mean(runs.map((r) => sessionsAt(r, 5.99))),
  real: (d) => d.storm.filter((c) => c.up !== undefined).length,
  derived,
});

const synDrops: Figure15<NginxRec15> = {
  figure: 'SYNs dropped on a full accept queue (ListenOverflows; twin: syn_drops)',
  tolerance: COUNT,
  sim: (runs) => mean(runs.map((r) => r.figures['syn_drops.total'] ?? 0)),
  real: (d) => (d.counters.after.ListenOverflows ?? 0) - (d.counters.before.ListenOverflows ?? 0),
};

const NOT_RESET = 'the connections less the reset row (every other connection is handshaken by the end)';

/** The round's runs and their figures. */
export const NGINX15: Record<string, Array<Figure15<NginxRec15>>> = {
  'nginx-holdout15-reload-w2to1-reuseport-c600': [
    resetFigure(" (old worker 1's socket, dropped by the reload, closed at the old workers' QUIT)"),
    firstResetFigure('reload'),
    doneBySignal('reload', ' (two workers on the 2 cores the client shares)'),
    doneAfter('reload', ' (new worker 0 on the inherited socket 0; socket 1 queue reset)'),
    doneInAll(NOT_RESET),
    synDrops,
  ],
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400': [
    resetFigure(' (the WebSocket clients whose upgrade waits on the dropped socket 1)'),
    firstResetFigure('reload'),
    doneBySignal('reload', ' (two workers on the 2 cores the client shares)'),
    doneAfter('reload', ' (new worker 0 on the inherited socket 0; socket 1 queue reset)'),
    upgradedAll(NOT_RESET),
    synDrops,
  ],
  'nginx-holdout15-quit-w1-ws-c400': [
    resetFigure(' (the WebSocket clients whose upgrade waits behind a queued handshake)'),
    firstResetFigure('quit'),
    doneBySignal('quit'),
    doneAfter('quit', ' (none: the queue was reset, the QUITted worker upgrades only what it held)'),
    upgradedAll(NOT_RESET),
  ],
};

/**
 * Batch 15B (predicted after batch 15 was recorded, before its own recordings): the two reload runs
 * again, the same twins' input, the recorder's workers at SCHED_OTHER nice -20 (batch 15's reload
 * runs did not get their input: calibration/nginx/holdout15.mjs schedWorker).
 */
export const NGINX15B = reloadRunsAs('nginx-holdout15b-');

/**
 * Batch 15C (predicted after batch 15B was recorded, before its own recordings): the same again, the
 * workers at nice -20 in an autogroup of nice -20 (batch 15B's, at nice -20 in nginx's own nice-0
 * autogroup, got a tenth of a core each: calibration/nginx/holdout15.mjs schedWorker).
 */
export const NGINX15C = reloadRunsAs('nginx-holdout15c-');

/** Batch 15's reload runs' figures under another batch's run names. */
function reloadRunsAs(prefix: string): Record<string, Array<Figure15<NginxRec15>>> {
  return Object.fromEntries(
    Object.entries(NGINX15)
      .filter(([run]) => run.includes('-reload-'))
      .map(([run, figures]) => [run.replace('nginx-holdout15-', prefix), figures]),
  );
}

/**
 * The rules a run's figure tests, with the commit whose parent is "the old model" (the old model's
 * figures: calibration/data/holdout15-old-model-predictions.json, written by DRAINSIM_HOLDOUT15_OLD_MODEL below
 * the blind commit). The reload twins' clients are WebSocket sessions (as every tls-storm twin's), so
 * before 5681843 their queued connections were invisible to the reset as well.
 */
export const RULES15: Record<string, string> = {
  'nginx-holdout15-reload-w2to1-reuseport-c600': '6fd3eab',
  'nginx-holdout15-reload-w2to1-reuseport-ws-c400': '6fd3eab',
  'nginx-holdout15-quit-w1-ws-c400': '5681843',
  'nginx-holdout15b-reload-w2to1-reuseport-c600': '6fd3eab',
  'nginx-holdout15b-reload-w2to1-reuseport-ws-c400': '6fd3eab',
  'nginx-holdout15c-reload-w2to1-reuseport-c600': '6fd3eab',
  'nginx-holdout15c-reload-w2to1-reuseport-ws-c400': '6fd3eab',
};
