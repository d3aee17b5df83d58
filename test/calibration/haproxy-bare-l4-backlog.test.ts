/**
 * Keep-alive clients through HAProxy 2.6.12 mode tcp (lb.mode l4) to two bare node apps that
 * listen with backlog 4 and block their event loop 100 ms / 300 ms per request (session 16,
 * calibration/haproxy/bare-l4.mjs `haproxy-bare-l4-backlog-*`, Atomics.wait), recorded --rt,
 * against their twins (calibration/scenarios/haproxy-bare-l4-backlog-*-tcp.yaml), written and
 * predicted (calibration/data/haproxy-bare-l4-backlog-predictions.json) before the runs. The 40
 * clients connect in the first second; node's loop accept()s one pending connection per iteration
 * (libuv 1.46.0 uv__server_io(); session 16 read it as every pending one, libuv < 1.45), so the
 * connects that come while it runs wait in the kernel's accept queue (5 deep) for their turn, with
 * their requests, and a SYN beyond it is dropped and sent again by HAProxy's kernel 1 s, 2 s …
 * later: HAProxy's Tw + Tc (`option logasap`; Tc alone restarts at a redispatch).
 * drainsim: app/event-loop-accepts.ts, met by the clients' connects in lb/l4-connect.ts at the
 * SYN and at the final ACK (appHandshake: a SYN retransmitted in a timer batch passes, its ACK may
 * meet the full queue; HAProxy is connected then and the request gets in later). Before
 * session 16 the connects skipped the app's queue: connect time = the RTT. Tolerances: counts
 * ±10 % (±2 near zero) as in the held-out rounds; connect times ±30 % or ±0.1 s, whichever is
 * larger (±1 s let the 0.0001 s of before session 16 pass the 100-ms run's 0.253 s). Since
 * bareloop16 every connect to the app meets the one loop: the health checks' connects take
 * accept-queue places and their requests are read one iteration after their accept
 * (app-server.ts submitOnAccept), so they time out behind a blocked loop as node's did. Known
 * gaps, tabled with their cause and pinned:
 * - 100 ms, connect.max and s1 DOWN (session 18): the twin's clients are paced as the recorder's
 *   (clients.http.arrivals: paced, one every 25 ms from t0: bare-l4-worker.mjs clients()); arr18b
 *   kept them Poisson because paced fails these two rows, a review ruled the input must be the
 *   recorder's. Paced: ListenOverflows 9 (recorded 11: compared; Poisson gave 15.2, its seeds
 *   drawing 37-54 connects), but no connect waits for a second SYN retransmission (connect.max
 *   1.03 s against 2.051) and s1 goes DOWN in no seed (recorded DOWN at 10.76; Poisson 4 of 5).
 *   What makes the recording's second retransmission and third failed check is not modelled.
 * - down.s1.t: HAProxy ran 1.28 s before the clients (haproxySpawnedT; the twins' warmup since
 *   session 17), so s1's first check passed before the load and its next came at 0.72 s: failures
 *   at 2.72, 6.72 and, in the seeds whose third check's connect (2 s) or answer also times out,
 *   DOWN at 10.72 (recorded 10.76 in the 100-ms run, s2 11.72 / 11.76). Whether the third check
 *   gets through varies with the seed: 100 ms, 4 of 5 seeds DOWN (recorded: DOWN). Tabled and
 *   pinned as the seeds that go DOWN and their times (a mean over seeds would mix -1, "never",
 *   with 10.72).
 * Agreement since session 18 (arr18b), 300 ms, synDrops and s1 DOWN: the twin's clients paced as
 * the recorder's (clients.http.arrivals: paced, one every 25 ms from t0: bare-l4-worker.mjs
 * clients()), 127 ListenOverflows (recorded 139) and s1 DOWN in none of 5 seeds (recorded: its
 * third check's connect got in, no DOWN). With Poisson arrivals: 162.4 (148 while the model's idle
 * loop accepted every pending connection at once, 156.4 before the horizon fix of session 18) and
 * DOWN in 1 seed of 5 at 10.73 s — known gaps until then.
 * Agreement since session 18, 300 ms, errors: 4 EOFs recorded (9.633 and 11.736 s on s1, 9.654
 * and 11.76 on s2), drainsim 4 (3 in 1 of seeds 1-10) at 9.61-9.70 and 10.9-11.8 s: node's
 * keep-alive timer (keepAliveTimeout 2 s + 1 s, armed when a response is written) is due while
 * the connection's next request, sent 1 s after that answer, waits unread behind a blocked
 * iteration of ~2.1 s, and libuv runs the timers before the poll that would read it
 * (app/event-loop-accepts.ts timersDue). Before: 0; counting the timer from the iteration's
 * start (the loop's cached time) gave 10-14.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { recordsOf } from '../trace/records-of.js';
import { type BareWsFigures, bareL4BacklogTwin } from './bare-twins.js';
import { HeldOutTable, twinRuns } from './heldout-table.js';

interface Recorded {
  clientLines: string[];
  haproxyLines: Array<{ t: number; line: string }>;
  nstat: Record<string, number>;
  summary: { connects: Array<{ t: number; tc: number; tw: number }> };
}

const UNTIL = 12;
const SEEDS = 5;

function recordedFigures(run: string): BareWsFigures {
  const data = JSON.parse(readFileSync(`calibration/data/${run}-rt.json`, 'utf8')) as Recorded;
  // A connect's whole time from HAProxy's accept: Tw + Tc. Tc runs from the last server
  // assignment (back_handle_st_req(), src/backend.c: `s->logs.t_queue = tv_ms_elapsed(...)`),
  // which a redispatch repeats (back_handle_st_cer() → stream_choose_redispatch() → SC_ST_REQ),
  // so after a `timeout connect` Tw holds the failed attempts (logged `+1 5001 1`: 5 s, then 1 ms
  // on the other server) and Tc only the last one; a retry to the same server (SC_ST_ASS /
  // SC_ST_TAR) keeps t_queue, its Tc holds them. drainsim's connect_latency runs from the
  // client's connect to the one that succeeds, retries included. No queue here (no maxconn): Tw
  // is the redispatched attempts + 1 ms — in mode tcp no request is timed (logs.tv_request stays
  // zero), so src/log.c's t_request is -1 and LOG_FMT_TW's `t_queue - t_request` adds 1 ms (the
  // 100-ms run's 40 connects all log Tw 1; the 300-ms run's 8 redispatched ones 5001-10004): Tw +
  // Tc = the connect's time + 1 ms, left in. Only the connects made within the window (logged,
  // with logasap, when connected), as drainsim counts.
  const tc = data.summary.connects.filter((c) => c.t < UNTIL).map((c) => (c.tw + c.tc) / 1000);
  const answers = data.clientLines.map((l) => l.split(' ')).filter(([k, t]) => k === 'r' && Number(t) < UNTIL);
  const down = data.haproxyLines.find((l) => /Server be\/s1 is DOWN/.test(l.line));
  return {
    opened: tc.length,
    synDrops: data.nstat.TcpExtListenOverflows,
    'connect.mean.t': tc.reduce((a, b) => a + b, 0) / tc.length,
    'connect.max.t': Math.max(...tc),
    ok: answers.filter((r) => r[3] === '200').length,
    errors: answers.filter((r) => r[3] !== '200').length,
    'down.s1.t': down?.t ?? -1,
  };
}

const table = new HeldOutTable();
afterAll(() => table.print());

/** Connect times: ±30 % or ±0.1 s, whichever is larger. */
const connectTolerance = (real: number): number => Math.max(0.3 * real, 0.1);

/**
 * When s1 went DOWN in each seed's run (-1: never). bareL4BacklogTwin's `down.s1.t` is a mean over
 * the seeds that mixes -1 with times; the table and the pins use the seeds that went DOWN instead.
 */
function s1DownBySeed(run: string): number[] {
  return twinRuns(run, SEEDS).map((r) => recordsOf(r, 'hc.down').find((d) => d.backend === 's1')?.t ?? -1);
}

interface S1Down {
  /** Seeds (of SEEDS) in which s1 went DOWN. */
  seeds: number;
  /** When, each of them. */
  times: number[];
}

/** The gap name of the share of seeds in which s1 goes DOWN (compared with 1 or 0 recorded). */
const DOWN_SHARE = 's1 DOWN share';

function compare(run: string, gaps: string[]): { sim: BareWsFigures; down: S1Down } {
  const real = recordedFigures(run);
  const sim = bareL4BacklogTwin(run, UNTIL, SEEDS);
  const times = s1DownBySeed(run).filter((t) => t >= 0);
  const down = { seeds: times.length, times };
  // s1 DOWN or not (1/0) against the share of seeds DOWN; when, against the mean of those seeds.
  const realDown = real['down.s1.t'] >= 0 ? 1 : 0;
  if (gaps.includes(DOWN_SHARE)) table.knownGap(run, 's1 DOWN (share of seeds)', realDown, down.seeds / SEEDS);
  else table.expectClose(run, 's1 DOWN (share of seeds)', realDown, down.seeds / SEEDS, { share: true });
  sim['down.s1.t'] = times.length === 0 ? -1 : times.reduce((a, b) => a + b, 0) / times.length;
  for (const [figure, value] of Object.entries(real)) {
    if (gaps.includes(figure)) table.knownGap(run, figure, value, sim[figure]);
    else if (figure.startsWith('connect.')) table.expectTime(run, figure, value, sim[figure], connectTolerance(value));
    else if (figure.endsWith('.t')) table.expectTime(run, figure, value, sim[figure]);
    else table.expectClose(run, figure, value, sim[figure]);
  }
  return { sim, down };
}

describe("a bare node app's listen backlog behind HAProxy 2.6.12 mode tcp: recorded vs drainsim", () => {
  it('100 ms per request: the connects beyond 5 waiting for their accept wait 1-2 s for a SYN retransmission', () => {
    const { sim, down } = compare('haproxy-bare-l4-backlog-tcp', ['connect.max.t', DOWN_SHARE, 'down.s1.t']);
    // The checks queue behind the blocked loop: s1's time out from the first under load on.
    expect(sim['checkFailures.s1']).toBeGreaterThanOrEqual(2);
    // The gaps, pinned (paced as the recorder): no connect waits for a second SYN retransmission
    // (recorded max 2.051 s) and s1 goes DOWN in no seed (recorded at 10.76).
    expect(sim['connect.max.t']).toBeLessThan(1.5);
    expect(down.seeds).toBe(0);
  });

  it('300 ms per request: one accept per 300-ms iteration keeps the queue full, connects up to 11 s', () => {
    // Paced as the recorder (arr18b): synDrops and s1 DOWN compared (known gaps with Poisson).
    const { sim, down } = compare('haproxy-bare-l4-backlog-busy300-tcp', []);
    // The keep-alive EOFs (an agreement above): both rounds, on both servers, in every seed of 5,
    // each after its request waited 2 s unread (sent 1 s after its answer, the timer due 3 s after it).
    for (const r of twinRuns('haproxy-bare-l4-backlog-busy300-tcp', SEEDS)) {
      const eofs = recordsOf(r, 'app.keepalive_unread');
      expect(eofs.filter((e) => e.t > 9.5 && e.t < 9.8).length).toBeGreaterThanOrEqual(1);
      expect(eofs.filter((e) => e.t > 10.8 && e.t < 11.85).length).toBeGreaterThanOrEqual(1);
      for (const e of eofs) expect(e.waited).toBeGreaterThan(1.99);
    }
    // s1's third check's connect gets in, as recorded (Poisson: DOWN in 1 seed of 5).
    expect(down.seeds).toBe(0);
    expect(sim.synDrops).toBeLessThan(139 * 1.1);
  });
});
