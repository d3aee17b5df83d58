/**
 * Held-out validation, round 3 (session 14): drainsim against HAProxy 2.6.12 runs of behaviour it
 * models but had never compared with parameters it was not built from
 * (calibration/haproxy/holdout3.mjs): a reload (`haproxy -sf`) with `hard-stop-after` in tcp and
 * http mode; a server whose packets vanish (nft DROP) behind `timeout connect 1500ms`, `retries 2`
 * and `option redispatch` (tcp), and behind `timeout check 1s` with `inter 3s` (http); a flapping
 * server under `inter 1500ms fastinter 300ms downinter 700ms fall 2 rise 4`; `timeout client
 * 2500ms` under one-way traffic (tcp and http); `maxconn 3` + `timeout queue 5s` with `shutdown
 * sessions` (tcp). Each twin (calibration/scenarios/haproxy-holdout3-*.yaml) and its prediction
 * (calibration/data/haproxy-holdout3-predictions.json) were committed before its run was recorded;
 * afterwards only initial conditions were read off the recordings (s1's check phase, when a
 * restarted node listened; session 18: vanish-tcheck and flap re-recorded 3 times each with
 * HAProxy's start stated, each compared with its twin at that start, haproxy-restated.ts).
 * Tolerances as haproxy-holdout.test.ts: counts ±10 % (±2 near zero),
 * times ±1 s (±0.1 s where the checks' own arithmetic decides); shares ±0.1.
 *
 * Two known gaps when recorded, both fixed since (session 14):
 * - http-mode reload: HAProxy closes the old process's idle keep-alive client connections at the
 *   soft stop (no `close-spread-time`: mux_stopping_process() wakes every idle front connection,
 *   h1_process() releases it because the proxy is stopping, src/mux_h1.c; a busy one gets
 *   "Connection: close" on its response, h1_set_cli_conn_mode()): all 12 closed within 35 ms of
 *   the reload, 0 requests failed. drainsim's lb_reload followed only the streams attached to
 *   servers, the l7 front kept its client connections (0); now lb/l7-http-front.ts softStop.
 * - tcp-mode vanish: "11 sessions active" on s1's DOWN line, drainsim was 0. A client that closes its connection to a vanished server (8-s request timeout, or its
 *   lifetime) ends only the client side of HAProxy's stream: HAProxy forwards the FIN (shutw) to
 *   the server and keeps the stream, and s1's slot in `cur_sess`, until the server side ends —
 *   here `timeout server` (30 s), since nothing comes back (process_stream(), src/stream.c);
 *   streams still connecting to s1 are in `cur_sess` too (lb/pool.ts clientClosedStreamHold,
 *   connecting).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { recordsOf } from '../trace/records-of.js';
import { downCheckMs, type Restated, restated, type StampedRecording, twinOf } from './haproxy-restated.js';
import { HeldOutTable, overSeeds as meanOf, totalIn as sum, twinRuns } from './heldout-table.js';

/** haproxyLog rows: [start, end, server, status, termination, retries, redispatched, Tw, Tc, Tt]. */
type LogRow = [number, number, string, string, string, number, number, number, number, number];
interface Recorded {
  summary: {
    outcomes: Record<string, number>;
    haproxyTermination: Record<string, number>;
    haproxyRedispatched: number;
    streams?: { byServer: Record<string, { opened: number; ended: Record<string, number>; endTimesS: number[] }> };
  };
  events: {
    actions: Array<{ op: string; t: number; oldExitT?: number; listeningT?: number }>;
    haproxyMessages: Array<{ t: number; line: string }>;
  };
  perSecond: Array<{ t: number; idleCloses: Record<string, number>; outcomes: Record<string, number> }>;
  haproxyLog: LogRow[];
  samples: Array<{ t: number; error?: string; fe?: { stot: number } }>;
  stamp: StampedRecording['stamp'];
}

const recorded = (run: string): Recorded =>
  JSON.parse(readFileSync(`calibration/data/haproxy-holdout3-${run}-rt.json`, 'utf8')) as Recorded;
const twins = (run: string, seeds: number): RunResult[] => twinRuns(`haproxy-holdout3-${run}`, seeds);
/** The recordings of a run (session 18: the check-phase runs' re-recordings, each at its stated start). */
const recordings = (run: string): Array<Restated<Recorded>> =>
  restated<Recorded>(`haproxy-holdout3-${run}`, `haproxy-holdout3-${run}-rt`).map((rec) => ({
    ...rec,
    label: `${run} ${rec.label}`,
  }));
const figure = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** HAProxy's message starting with `prefix` (the first after `after`). */
function message(data: Recorded, prefix: string, after = -1): { t: number; line: string } {
  return data.events.haproxyMessages.find((m) => m.t > after && m.line.startsWith(prefix))!;
}
const fromLine = (line: string, re: RegExp): number => Number(re.exec(line)![1]);
const failures = (data: Recorded): number =>
  Object.entries(data.summary.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);
/** Connections the recorded client saw closed while idle in the seconds (from, to], by why (EOF…). */
const idleClosesIn = (data: Recorded, from: number, to: number, why = 'EOF'): number =>
  data.perSecond
    .filter((p) => p.t > from && p.t <= to)
    .reduce(
      (a, p) => a + Object.entries(p.idleCloses).reduce((b, [k, v]) => b + (k.startsWith(`${why}:`) ? v : 0), 0),
      0,
    );
const streamEnds = (data: Recorded): number[] =>
  Object.values(data.summary.streams!.byServer).flatMap((s) => s.endTimesS);
const logged = (data: Recorded, term: string): LogRow[] => data.haproxyLog.filter((l) => l[4] === term);

const table = new HeldOutTable();
const count = (run: string, what: string, real: number, sim: number): void => table.expectClose(run, what, real, sim);
const time = table.expectTime.bind(table);
const share = (run: string, what: string, real: number, sim: number): void =>
  table.expectClose(run, what, real, sim, { share: true });

/** The recorded client's failed requests (anything but a 200) against the twin's errors. */
const compareErrors = (run: string, what: string, data: Recorded, runs: RunResult[]): void =>
  count(
    run,
    what,
    failures(data),
    meanOf(runs, (r) => figure(r, 'errors.total')),
  );
/** The never-ending streams the recorded client saw end, against the twin's closed tunnels. */
const compareStreamsEnded = (run: string, what: string, data: Recorded, runs: RunResult[]): void =>
  count(
    run,
    what,
    streamEnds(data).length,
    meanOf(runs, (r) => figure(r, 'ws_close_1006.total') + figure(r, 'ws_close_1001.total')),
  );

/**
 * A vanished s1 (packets dropped at `drop`): the DOWN line's check duration (±50 ms) and time
 * (±0.1 s: the check arithmetic), with the recorded DOWN message and the twin's runs.
 */
function compareVanishDown(
  rec: Restated<Recorded>,
  drop: number,
  checks: string,
): { run: string; data: Recorded; runs: RunResult[]; downT: number; downLine: string } {
  const run = rec.label;
  const data = rec.data;
  const runs = twinOf(rec, 10);
  const down = message(data, 'Server be/s1 is DOWN');
  const simDown = recordsOf(runs[0], 'hc.down')[0];
  const duration = downCheckMs(data, 's1', down) / 1000;
  time(run, `check duration (${checks})`, duration, simDown.durationMs / 1000, 0.05);
  time(run, 'drop → DOWN', down.t - drop, simDown.t - drop, 0.1);
  return { run, data, runs, downT: down.t, downLine: down.line };
}

/** The reload runs: hard stop, what it shut, failures, the old process's exit. */
function compareReload(run: string, streams: number): RunResult[] {
  const data = recorded(run);
  const runs = twins(run, 10);
  const reload = data.events.actions.find((a) => a.op === 'reload')!;
  const stopped = message(data, 'Proxy fe hard-stopped');
  const ends = streamEnds(data);
  time(
    run,
    'reload → hard stop (stream ends)',
    Math.min(...ends) - reload.t,
    recordsOf(runs[0], 'lb.hard_stop')[0].t - 5,
  );
  // With every stream shut the old process has nothing left and exits.
  time(run, 'reload → old process exits', reload.oldExitT! - reload.t, recordsOf(runs[0], 'lb.hard_stop')[0].t - 5);
  count(
    run,
    'streams the hard stop shut ("Proxy fe hard-stopped (N remaining conns")',
    fromLine(stopped.line, /\((\d+) remaining conns/),
    meanOf(runs, (r) => recordsOf(r, 'lb.hard_stop')[0].streams),
  );
  // The streams held through the reload end with a FIN (EOF), all of them at the hard stop.
  compareStreamsEnded(run, 'never-ending streams ended (EOF) at the hard stop', data, runs);
  compareErrors(run, 'requests failed', data, runs);
  expect(ends.length).toBe(streams);
  return runs;
}

describe('held-out round 3: HAProxy 2.6.12 runs against twins written before recording', () => {
  it('reload (haproxy -sf) in tcp mode with hard-stop-after 4s: every client connection stays until the hard stop', () => {
    const run = 'reload-hsa4-tcp';
    const runs = compareReload(run, 20);
    const data = recorded(run);
    // tcp mode has no idle state: the 12 keep-alive request connections are streams of the old
    // process too, shut with the never-ending ones (FIN; the client reads EOF while idle).
    count(
      run,
      'request connections closed by the hard stop (client EOF while idle)',
      idleClosesIn(data, 9, 10),
      meanOf(runs, (r) => recordsOf(r, 'lb.hard_stop')[0].streams - figure(r, 'ws_close_1006.total')),
    );
  });

  it('reload in http mode with hard-stop-after 3s: streams until the hard stop; idle keep-alive connections closed at once', () => {
    const run = 'reload-hsa3-http';
    const runs = compareReload(run, 20);
    const data = recorded(run);
    // HAProxy closed all 12 keep-alive client connections within 35 ms of the reload (the old
    // process's soft stop: lb/l7-http-front.ts softStop); each client sent its next request on a
    // new connection, to the new process (the twin's client connections opened after the reload).
    count(
      run,
      'keep-alive client connections closed at the reload (each reopened)',
      idleClosesIn(data, 5, 6),
      meanOf(runs, (r) => sum(r, 'lb_conns_opened', 5, 6.25)),
    );
    // All at the reload itself, none of them failing a request (compareReload: requests failed).
    for (const r of runs) expect(recordsOf(r, 'lb.soft_stop_clients')[0].t).toBe(5);
  });

  it('a vanished server (nft DROP) in tcp mode, timeout connect 1500ms, retries 2, redispatch', () => {
    const DROP = 5;
    // Checks: each an L4TOUT after inter (no timeout check), the next one inter later: 4 s apart.
    const [rec] = recordings('vanish-tconnect-tcp-redispatch');
    const { run, data, runs, downT, downLine } = compareVanishDown(rec, DROP, 'L4TOUT after inter');
    // A connect timeout retries at once (no turn-around) and, srv_act > 1 under roundrobin,
    // redispatches (stream_choose_redispatch()): the stream waited timeout connect, then s2.
    const redispatched = data.haproxyLog.filter((l) => l[6] === 1);
    const waits = redispatched.map((l) => l[7] / 1000).sort((a, b) => a - b);
    time(
      run,
      'redispatched stream: wait before s2 (log Tw, median)',
      waits[waits.length >> 1],
      runs[0].histograms.connect_latency.p95,
      0.05,
    );
    // Share of the client connections opened between the drop and DOWN that met s1 first (a rate
    // the recorded client's 12 slots and the twin's Poisson arrivals both give; counts differ:
    // the recorded slots stuck on s1 for 8 s open no connection).
    const fe = data.samples.filter((s) => !s.error && s.fe);
    const stot = (t: number): number => fe.filter((s) => s.t <= t).at(-1)!.fe!.stot;
    const opened = stot(downT) - stot(DROP);
    share(
      run,
      'new connections redispatched between the drop and DOWN',
      redispatched.filter((l) => l[0] < downT).length / opened,
      meanOf(runs, (r) => {
        const slow = Math.round((r.histograms.connect_latency.count * r.histograms.connect_latency.mean) / 1.5);
        const t = recordsOf(r, 'hc.down')[0].t;
        return slow / (sum(r, 'new_conn', DROP, t + 1.5, 's1') + sum(r, 'new_conn', DROP, t + 1.5, 's2'));
      }),
    );
    // The requests in flight on s1's established flows get no answer: the client's 8-s timeout.
    count(
      run,
      'client timeouts (8 s)',
      data.summary.outcomes.timeout ?? 0,
      meanOf(runs, (r) => figure(r, 'err_client_timeout.total')),
    );
    // The streams whose client closed stay in HAProxy until timeout server (30 s) after their last
    // request (NOTES item 23; lb/pool.ts clientClosedStreamHold): still on s1 at DOWN.
    count(
      run,
      'DOWN: sessions active (client-closed flows to the vanished s1)',
      fromLine(downLine, /(\d+) sessions active/),
      meanOf(runs, (r) => recordsOf(r, 'hc.down')[0].sessions),
    );
  });

  for (const rec of recordings('vanish-tcheck-http-redispatch'))
    it(`a vanished server in http mode: timeout check 1s caps the check connect at min(inter, timeout connect) (${rec.label})`, () => {
      // L4TOUT at min(inter, timeout connect) = 1.5 s, the next check inter later: 4.5 s apart.
      const { run, data, runs, downLine } = compareVanishDown(rec, 5, 'L4TOUT at timeout connect');
      // Every request roundrobin (fwrr) gave s1 waited 1.5 s and went to s2: none failed.
      count(
        run,
        'redispatched requests (log "+1"; twin: failed attempts on s1)',
        data.summary.haproxyRedispatched,
        meanOf(runs, (r) => sum(r, 'attempts', 0, 1e9, 's1') - sum(r, 'goodput', 0, 1e9, 's1')),
      );
      // Known gap, pinned (session 18, NOTES.md item 37): the requests waiting for s1 at DOWN
      // (cur_sess, ≈ 1.5 s of the streams given to s1). The first recording had 61 (twin 56.8,
      // −7 %); its three re-recordings 63, 64, 62 (−10 %, −11 %, −9 %), with DOWN and the check
      // durations agreeing within 0.01 s: not the check phase but the share of new streams
      // HAProxy gave the vanished s1 between the drop and DOWN — 65 % in every recording
      // (495–502 of 762–763, log "+1"), the twin's 60.5 % (467 of ≈ 772) — i.e. how the balancer's
      // turns go around the redispatches. Item 42 (vanish18): fwrr is ported right (HAProxy's own
      // pick order through fwrr.ts gives 66 % vs its 67 %); the share is set by which side of the
      // 90th next arrival each redispatch lands, a near coin toss in the recording, a fixed tie here.
      // Pinned within −15 %…−4 %, so a change that closes or widens it shows.
      const downSessions = fromLine(downLine, /(\d+) sessions active/);
      const simSessions = meanOf(runs, (r) => recordsOf(r, 'hc.down')[0].sessions);
      table.knownGap(run, 'DOWN: sessions active (requests waiting for s1)', downSessions, simSessions);
      expect(
        (simSessions - downSessions) / downSessions,
        `${run}: DOWN sessions ${downSessions} vs ${simSessions}`,
      ).toBeGreaterThan(-0.15);
      expect((simSessions - downSessions) / downSessions).toBeLessThan(-0.04);
      compareErrors(run, 'client errors', data, runs);
    });

  for (const rec of recordings('flap-http'))
    it(`a flapping server: inter 1500ms fastinter 300ms downinter 700ms fall 2 rise 4 (http) (${rec.label})`, () => {
      const run = rec.label;
      const data = rec.data;
      const [kill1, restart1, kill2, restart2] = data.events.actions;
      // A re-recording's restarted node listened at its own times (events.actions[].listeningT),
      // an initial condition read off it as the first recording's were (the twin's `bind` steps).
      const listened = [restart1.listeningT!, restart2.listeningT!];
      const runs = twinOf(rec, 10, (s) => {
        let k = 0;
        return {
          ...s,
          timeline: s.timeline.map((step) => (step.do === 'bind' ? { ...step, at: `${listened[k++]}s` } : step)),
        };
      });
      const downs = recordsOf(runs[0], 'hc.down');
      const ups = recordsOf(runs[0], 'hc.up');
      time(run, 'kill → DOWN (1st)', message(data, 'Server be/s1 is DOWN').t - kill1.t, downs[0].t - 4, 0.1);
      time(run, 'restart → UP (1st)', message(data, 'Server be/s1 is UP').t - restart1.t, ups[0].t - 9, 0.1);
      time(run, 'kill → DOWN (2nd)', message(data, 'Server be/s1 is DOWN', kill2.t).t - kill2.t, downs[1].t - 15, 0.1);
      time(
        run,
        'restart → UP (2nd)',
        message(data, 'Server be/s1 is UP', restart2.t).t - restart2.t,
        ups[1].t - 19,
        0.1,
      );
      // 503 after 3 retries (3 s) for every request given to the dead but UP s1; the one EOF at the
      // second kill is a keep-alive request closed silently (NOTES item 5), a 503 in the twin.
      compareErrors(run, 'client errors (503 SC + EOF at the kill)', data, runs);
    });

  it('timeout client 2500ms under one-way traffic (tcp): streams the server writes to never time out', () => {
    const run = 'oneway-tclient2500-tcp';
    const data = recorded(run);
    const runs = twins(run, 10);
    compareStreamsEnded(run, 'streams ended', data, runs);
    // Each idle request connection is closed by the client-side read timeout (log cD).
    const closed = logged(data, 'cD');
    count(
      run,
      'idle request connections closed (log cD)',
      closed.length,
      meanOf(runs, (r) => recordsOf(r, 'lb.idle_timeout').length),
    );
    time(
      run,
      'idle time before the close (shortest cD Tt)',
      Math.min(...closed.map((l) => l[9])) / 1000,
      recordsOf(runs[0], 'lb.idle_timeout')[0].after,
      0.05,
    );
  });

  it('timeout client 2500ms under one-way traffic (http): streams kept, idle keep-alive connections closed', () => {
    const run = 'oneway-tclient2500-http';
    const data = recorded(run);
    const runs = twins(run, 10);
    compareStreamsEnded(run, 'streams ended', data, runs);
    // Closed by HAProxy: after a response silently (EOF); one connection that never sent a
    // request got a 408 first (`cR`: timeout http-request falls back to timeout client).
    const real = idleClosesIn(data, 0, 14) + (data.summary.haproxyTermination['cR/408'] ?? 0);
    count(
      run,
      'keep-alive client connections HAProxy closed',
      real,
      meanOf(runs, (r) => figure(r, 'closed_fin.total')),
    );
  });

  it('maxconn 3, timeout queue 5s, shutdown sessions (tcp): dequeued onto freed slots, the rest closed at the queue timeout', () => {
    const run = 'queue-shutdown-tcp';
    const data = recorded(run);
    const runs = twins(run, 10);
    const killed = logged(data, 'K-');
    count(
      run,
      'streams shut by the command (log K-)',
      killed.length,
      meanOf(runs, (r) => recordsOf(r, 'lb.shutdown_sessions')[0].streams),
    );
    // Queued streams that took s1's freed slots at once (log Tw ≈ 2 s, server s1).
    const dequeued = data.haproxyLog.filter((l) => l[2] === 's1' && l[7] > 1000);
    count(
      run,
      'queued streams dequeued onto s1',
      dequeued.length,
      // The command and the dequeue are at 2 s: the twin's 250-ms sample ending at 2 s holds them.
      meanOf(runs, (r) => sum(r, 'new_conn', 1.9, 3, 's1')),
    );
    const timedOut = logged(data, 'sQ');
    count(
      run,
      'streams closed at the queue timeout (log sQ)',
      timedOut.length,
      meanOf(runs, (r) => figure(r, 'errors.total')),
    );
    time(run, 'queue timeout (log Tt)', timedOut[0][9] / 1000, recordsOf(runs[0], 'lb.queue_timeout')[0].t);
  });

  it('prints the comparison table', () => {
    expect(table.size).toBeGreaterThan(30);
    table.print();
  });
});
