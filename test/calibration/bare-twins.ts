/**
 * drainsim's side of the bare-app recordings of session 15 (calibration/haproxy/bare-ws.mjs,
 * bare-l4.mjs) and their twins (calibration/scenarios/haproxy-bare-*.yaml). The WebSocket runs are
 * compared on: per server the
 * sessions opened (upgrades answered 101), ended by code (1001 Close frame, 1006 none), the
 * upgrades HAProxy answered 503, when the first 503 and the first 1001 came, and when s1 went
 * DOWN. Means over seeds 1…n.
 */
import type { RunResult } from '../../sim/result.js';
import { mean, series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';
import { totalIn, twinRuns } from './heldout-table.js';

export type BareWsFigures = Record<string, number>;

const SERVERS = ['s1', 's2'];

function figuresOf(r: RunResult, horizon: number): BareWsFigures {
  const f: BareWsFigures = {};
  for (const s of SERVERS) {
    f[`opened.${s}`] = totalIn(r, 'new_conn', 0, horizon, s);
    f[`close1006.${s}`] = totalIn(r, 'ws_close_1006', 0, horizon, s);
    f[`close1001.${s}`] = totalIn(r, 'ws_close_1001', 0, horizon, s);
  }
  f.http503 = r.figures['responses_5xx.total'] ?? 0;
  // When the first 503 and the first 1001 came (-1: none): HAProxy giving up on a connect
  // (lb.connect_failed: its 503 to the upgrade, l7-ws-front.ts) and the app's 1001s.
  f['first503.t'] = firstAt(recordsOf(r, 'lb.connect_failed'));
  f['first1001.t'] = firstAt(recordsOf(r, 'app.ws_going_away'));
  const down = recordsOf(r, 'hc.down').find((d) => d.backend === 's1');
  f['down.s1.t'] = down === undefined ? -1 : down.t;
  return f;
}

const firstAt = (records: Array<{ t: number }>): number => (records.length === 0 ? -1 : records[0].t);

/** drainsim's figures of twin `name` (calibration/scenarios/<name>.yaml), mean of `seeds` seeds. */
export function bareWsTwin(name: string, horizon: number, seeds: number): BareWsFigures {
  const runs = twinRuns(name, seeds).map((r) => figuresOf(r, horizon));
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, mean(runs.map((x) => x[k]))]));
}

/**
 * The keep-alive runs through HAProxy mode tcp (calibration/haproxy/bare-l4.mjs): requests
 * answered 200 and answered by the app's close (EOF or RST: err_econnreset), requests in all
 * (answered or failed), connections opened, idle connections the app closed (its FINs less the
 * ones under a request), s1's DOWN. Counted up to `until` s, means over seeds 1…n.
 */
export function bareL4Twin(name: string, until: number, seeds: number): BareWsFigures {
  const runs = twinRuns(name, seeds).map((r): BareWsFigures => {
    const inWindow = (series: string): number => totalIn(r, series, 0, until);
    const down = recordsOf(r, 'hc.down').find((d) => d.backend === 's1');
    const eof = inWindow('err_econnreset');
    return {
      ok: inWindow('responses_2xx'),
      eof,
      requests: inWindow('responses_2xx') + inWindow('errors'),
      opened: inWindow('new_conn'),
      idleCloses: inWindow('closed_fin') - eof,
      'down.s1.t': down === undefined ? -1 : down.t,
    };
  });
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, mean(runs.map((x) => x[k]))]));
}

/**
 * The WebSocket runs through HAProxy mode tcp whose server host vanishes (session 16,
 * calibration/haproxy/bare-ws.mjs `haproxy-bare-ws-vanish-*`): per server the sessions opened and
 * ended without a Close frame (the clients' pong timeouts: 1006), when the first of them closed,
 * s1's streams HAProxy still holds (`show stat` scur, the model's active_conn) `heldAt` s — after
 * every client of s1 closed — and when they were gone (the first sample from `heldAt` with scur 0;
 * -1: not before the horizon), when the first ended and how, s1's DOWN. Means over seeds 1…n.
 */
export function bareWsVanishTwin(name: string, horizon: number, heldAt: number, seeds: number): BareWsFigures {
  const runs = twinRuns(name, seeds).map((r): BareWsFigures => {
    const f: BareWsFigures = {};
    for (const s of SERVERS) {
      f[`opened.${s}`] = totalIn(r, 'new_conn', 0, horizon, s);
      f[`close1006.${s}`] = totalIn(r, 'ws_close_1006', 0, horizon, s);
    }
    const closes = series(r, 'ws_close_1006', 's1').find(([, v]) => v > 0);
    f['firstClose.s1.t'] = closes === undefined ? -1 : closes[0];
    const scur = series(r, 'active_conn', 's1');
    f['scur.s1.held'] = scur.find(([t]) => t >= heldAt)?.[1] ?? -1;
    f['scur.s1.zero.t'] = scur.find(([t, v]) => t >= heldAt && v === 0)?.[0] ?? -1;
    // When HAProxy ended the first of them (its log line; -1: none) and whether by the kernel's give-up (SD: 1) or its timeout (sD: 0).
    const ended = recordsOf(r, 'lb.server_side_timeout').find((x) => x.backend === 's1');
    f['heldEnd.s1.t'] = ended === undefined ? -1 : ended.t;
    f['heldEnd.kernel'] = ended?.cause === 'retries2' ? 1 : 0;
    const down = recordsOf(r, 'hc.down').find((d) => d.backend === 's1');
    f['down.s1.t'] = down === undefined ? -1 : down.t;
    return f;
  });
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, mean(runs.map((x) => x[k]))]));
}

/**
 * The keep-alive run against the app's own listen backlog behind mode tcp (session 16,
 * calibration/haproxy/bare-l4.mjs `haproxy-bare-l4-backlog-tcp`): connections opened (HAProxy's
 * stream lines), SYNs the apps' full accept queues dropped (the namespace's ListenOverflows, the
 * checks' included), the connect time to the server (HAProxy's Tc: mean and max, s), requests
 * answered 200 and failed, s1's failed checks (drainsim only), counted up to `until` s. Means over
 * seeds 1…n.
 */
export function bareL4BacklogTwin(name: string, until: number, seeds: number): BareWsFigures {
  const runs = twinRuns(name, seeds).map((r): BareWsFigures => {
    const connect = r.histograms.connect_latency;
    const down = recordsOf(r, 'hc.down').find((d) => d.backend === 's1');
    return {
      opened: totalIn(r, 'new_conn', 0, until),
      synDrops: totalIn(r, 'syn_drops', 0, until),
      // Not recorded (HAProxy logged only the DOWN lines): drainsim's side of the checks' timeouts.
      'checkFailures.s1': totalIn(r, 'check_failures', 0, until, 's1'),
      'down.s1.t': down === undefined ? -1 : down.t,
      'connect.mean.t': connect?.mean ?? 0,
      'connect.max.t': connect?.max ?? 0,
      ok: totalIn(r, 'responses_2xx', 0, until),
      errors: totalIn(r, 'errors', 0, until),
    };
  });
  return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, mean(runs.map((x) => x[k]))]));
}
