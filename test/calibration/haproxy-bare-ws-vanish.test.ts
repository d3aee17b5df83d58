/**
 * WebSocket sessions through HAProxy 2.6.12 mode tcp (lb.mode l4) straight to bare node apps
 * whose s1 host vanishes (session 16: every packet to or from s1's port dropped by nft at 5.5 s),
 * recorded by calibration/haproxy/bare-ws.mjs --rt, against their twins
 * (calibration/scenarios/haproxy-bare-ws-vanish-*-tcp.yaml), written and predicted
 * (calibration/data/haproxy-bare-ws-vanish-predictions.json) before the runs were recorded. The
 * 10 clients of s1 ping every second and close their socket (FIN) 4.5 s after their first
 * unanswered ping (~6 s), at ~10.5 s. HAProxy keeps each of those streams, in s1's scur:
 * - tunnel: `timeout tunnel 8s`, 8 s after the last ping it relayed (~10 s): gone at 18.02 s, log sD;
 * - retries2: no tunnel timeout (timeout server 30s), net.ipv4.tcp_retries2 5: the kernel gives up
 *   on the first unanswered ping at 19.31 s (ETIMEDOUT), log SD.
 * The prediction (the model before world.ts heldByProxy held tunnels) ended them at the client
 * close: scur 0 at 12 s, in both. Tolerances of the held-out rounds: counts ±10 % (±2 near zero),
 * times ±1 s. s1's DOWN: the twin keeps the model's default check phase (the recorded DOWN lines
 * come 0.76 s later, the lab's check phase, calibration/README).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type BareWsFigures, bareWsVanishTwin } from './bare-twins.js';
import { HeldOutTable } from './heldout-table.js';

interface Recorded {
  clientLines: string[];
  haproxyLines: Array<{ t: number; line: string }>;
  samples: Array<{ t: number; s1?: { scur: number } }>;
}

const HORIZON = 25;
/** After every client of s1 closed (10.51 s): what HAProxy holds then. */
const HELD_AT = 12;

/** The recorded run's figures, named as bareWsVanishTwin's. */
function recordedFigures(run: string): BareWsFigures {
  const data = JSON.parse(readFileSync(`calibration/data/${run}-rt.json`, 'utf8')) as Recorded;
  const f: BareWsFigures = { 'opened.s1': 0, 'close1006.s1': 0, 'opened.s2': 0, 'close1006.s2': 0 };
  f['firstClose.s1.t'] = -1;
  for (const line of data.clientLines) {
    const [kind, t, , a, code] = line.split(' ');
    if (Number(t) >= HORIZON) continue;
    if (kind === 'open') f[`opened.${a}`]++;
    else if (kind === 'close' && code === '1006') {
      f[`close1006.${a}`]++;
      if (a === 's1' && f['firstClose.s1.t'] < 0) f['firstClose.s1.t'] = Number(t);
    }
  }
  const scur = data.samples.filter((s) => s.s1 !== undefined).map((s) => [s.t, s.s1!.scur] as const);
  f['scur.s1.held'] = scur.find(([t]) => t >= HELD_AT)?.[1] ?? -1;
  f['scur.s1.zero.t'] = scur.find(([t, v]) => t >= HELD_AT && v === 0)?.[0] ?? -1;
  // HAProxy's log line of each stream (`L <accept> <server> - <termination state> …`), at its end.
  const ended = data.haproxyLines.find((l) => / s1 - [sS]D /.test(l.line) && l.t > HELD_AT - 2);
  f['heldEnd.s1.t'] = ended?.t ?? -1;
  f['heldEnd.kernel'] = ended !== undefined && / s1 - SD /.test(ended.line) ? 1 : 0;
  const down = data.haproxyLines.find((l) => /Server be\/s1 is DOWN/.test(l.line));
  f['down.s1.t'] = down?.t ?? -1;
  return f;
}

const table = new HeldOutTable();
afterAll(() => table.print());

function compare(run: string): void {
  const real = recordedFigures(run);
  const sim = bareWsVanishTwin(run, HORIZON, HELD_AT, 5);
  for (const [figure, value] of Object.entries(real)) {
    if (figure.endsWith('.t')) table.expectTime(run, figure, value, sim[figure]);
    else if (figure === 'heldEnd.kernel') expect(sim[figure], `${run} ${figure}`).toBe(value);
    else table.expectClose(run, figure, value, sim[figure]);
  }
}

describe('client-closed WebSockets to a vanished bare app behind HAProxy 2.6.12 mode tcp: recorded vs drainsim', () => {
  it('timeout tunnel 8s: each stream held 8 s after the last ping it relayed (sD)', () => {
    compare('haproxy-bare-ws-vanish-tunnel-tcp');
  });

  it('no tunnel timeout, tcp_retries2 5: held until the kernel gives up on the first unanswered ping (SD)', () => {
    compare('haproxy-bare-ws-vanish-retries2-tcp');
  });
});
