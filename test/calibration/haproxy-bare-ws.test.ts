/**
 * WebSocket sessions through HAProxy 2.6.12 mode http straight to bare node apps (session 15,
 * `backends[].proxy: none` with `clients.ws`), recorded by calibration/haproxy/bare-ws.mjs --rt,
 * against their twins (calibration/scenarios/haproxy-bare-ws-*.yaml), which were written and
 * predicted (calibration/data/haproxy-bare-ws-predictions.json) before the runs were recorded and
 * not changed since — not even s1's check phase (the model's default; the recorded DOWN lines fall
 * 0.74-0.77 s later, within the ±1 s). Tolerances of the held-out rounds: counts ±10 % (±2 near
 * zero), times ±1 s. Counted before the twin's horizon: the recorded clients stop half a second
 * after it (the 30 tunnels HAProxy closed at 20.0x s in the SIGTERM run, which the twin closes at
 * its horizon, are left out on both sides).
 * - kill: 40 sessions, kill -9 s1 at 5 s, no redispatch: s1's 20 tunnels end with the app's FIN
 *   relayed by HAProxy (1006, no 502 after the 101); the reconnects roundrobin gives s1 are refused
 *   three times a second apart (retries 3, the turn-around pause) and answered 503 until s1 is DOWN.
 * - sigterm-tunnel: `timeout tunnel 3s`, clients ping every 5 s; s1's own pings every second keep
 *   its tunnels, s2's are closed 3 s after each upgrade (1006); SIGTERM s1 at 8 s: 1001 to its 30
 *   sessions, its closed listener refuses the reconnects, which HAProxy redispatches to s2.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';
import { type BareWsFigures, bareWsTwin } from './bare-twins.js';
import { HeldOutTable } from './heldout-table.js';

interface Recorded {
  stamp: { haproxy: string; load: string; rt: number | null };
  clientLines: string[];
  haproxyLines: Array<{ t: number; line: string }>;
}

/** The recorded run's figures, named as bareWsTwin's, counting client events before `until` s. */
function recordedFigures(run: string, until: number): BareWsFigures {
  const data = JSON.parse(readFileSync(`calibration/data/${run}-rt.json`, 'utf8')) as Recorded;
  const f: BareWsFigures = {};
  for (const s of ['s1', 's2']) f[`opened.${s}`] = f[`close1006.${s}`] = f[`close1001.${s}`] = 0;
  f.http503 = 0;
  f['first503.t'] = f['first1001.t'] = -1;
  const first = (name: string, t: number): void => {
    if (f[name] < 0) f[name] = t;
  };
  for (const line of data.clientLines) {
    const [kind, t, , a, code] = line.split(' ');
    if (Number(t) >= until) continue;
    if (kind === 'open') f[`opened.${a}`]++;
    else if (kind === 'close') {
      f[`close${code}.${a}`]++;
      if (code === '1001') first('first1001.t', Number(t));
    } else if (kind === 'fail' && a === 'http503') {
      f.http503++;
      first('first503.t', Number(t));
    }
  }
  const down = data.haproxyLines.find((l) => /Server be\/s1 is DOWN/.test(l.line));
  f['down.s1.t'] = down?.t ?? -1;
  return f;
}

const table = new HeldOutTable();
afterAll(() => table.print());

function compare(run: string, until: number): void {
  const real = recordedFigures(run, until);
  const sim = bareWsTwin(run, until, 5);
  for (const [figure, value] of Object.entries(real)) {
    if (figure.endsWith('.t')) table.expectTime(run, figure, value, sim[figure]);
    else table.expectClose(run, figure, value, sim[figure]);
  }
}

describe('WebSocket tunnels to bare node apps behind HAProxy 2.6.12 mode http: recorded vs drainsim', () => {
  it('kill -9 s1 under 40 sessions, no redispatch: 1006s, then 503s until s1 is DOWN', () => {
    compare('haproxy-bare-ws-kill-http', 18);
  });

  it('timeout tunnel 3s: s2 tunnels cut, s1 kept by its own pings; SIGTERM s1: 1001, redispatched', () => {
    compare('haproxy-bare-ws-sigterm-tunnel-http', 20);
  });
});
