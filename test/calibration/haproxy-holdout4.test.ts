/**
 * Held-out validation, round 4 (session 15): drainsim against HAProxy 2.6.12 runs aimed at the
 * seeds' classic failures (calibration/haproxy/holdout4.mjs): `balance source` over four servers
 * when one goes DOWN and comes back (map-based, consistent, consistent without avalanche);
 * cookie persistence with `option redispatch` through drain, maint and a killed server; checks
 * against a server with recurring stop-the-world pauses longer than `timeout check`; slowstart
 * under leastconn. Each twin (calibration/scenarios/haproxy-holdout4-*.yaml) and its prediction
 * (calibration/data/haproxy-holdout4-predictions.json, written by this file with
 * DRAINSIM_WRITE_HOLDOUT4=1) were committed before its run was recorded. Tolerances as the
 * earlier rounds: counts ±10 % (±2 near zero), times ±1 s (±0.1 s where the checks' own
 * arithmetic decides), shares ±0.1. Afterwards only initial conditions were read off the
 * recordings (the check phase of the server that goes DOWN, when a restarted node listened); in
 * session 18 the two gcpause runs were re-recorded 3 times each with HAProxy's start stated, each
 * compared with its twin at that start (haproxy-restated.ts; NOTES.md item 37).
 *
 * Found when recorded, fixed (session 15): `balance source` hashed the model's client number, not
 * its address, and had no consistent-hash ring (sim/model/lb/source-hash.ts); leastconn ranked
 * servers by inflight / weight, not fwlc's (inflight + 1) × 4096 / eweight (src/lb_fwlc.c), which
 * decides how a slowstarting server fills. Fixed in session 16: a connected check's L7 timeout,
 * which HAProxy reads when a walk of its shared timer tree reaches the check task, before
 * min(inter, timeout connect) (calibration/haproxy/NOTES.md item 29; sim/model/lb/check-wait-queue.ts).
 * Known gap, pinned below: the batches of requests leastconn sends a dead server (Poisson arrivals
 * against the recorded client's fixed spacing).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { halfClosedTimeouts } from '../../sim/model/lb/fin-timeouts.js';
import type { RunResult } from '../../sim/result.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { type Restated, restated, type StampedRecording, twinOf } from './haproxy-restated.js';
import { HeldOutTable, overSeeds, twinRuns } from './heldout-table.js';
import {
  goodputIn,
  killedServer,
  predictedFigures,
  RUNS,
  sourceServers,
  transitions,
  twinDownAt,
} from './holdout4-figures.js';

const PREDICTIONS = 'calibration/data/haproxy-holdout4-predictions.json';

describe.runIf(process.env.DRAINSIM_WRITE_HOLDOUT4)('held-out round 4: predictions before recording', () => {
  it('writes the prediction of every twin that has none yet (means over seeds 1–10)', () => {
    // Blind predictions are kept as first written: only runs without one are added.
    const kept = existsSync(PREDICTIONS)
      ? (JSON.parse(readFileSync(PREDICTIONS, 'utf8')) as { predictions: Record<string, unknown> })
      : { predictions: {} };
    const added = Object.values(RUNS)
      .filter((run) => !(run in kept.predictions))
      .map((run) => [run, predictedFigures(run, twinRuns(`haproxy-holdout4-${run}`, 10))]);
    const predictions = { ...kept.predictions, ...Object.fromEntries(added) };
    const note =
      'drainsim predictions of the round-4 held-out twins (calibration/scenarios/haproxy-holdout4-*.yaml), means ' +
      'over seeds 1-10, each written BEFORE its run was recorded (check phases: the model default inter*k/n). ' +
      'goodput_<server>_<from>_<to>: responses in (from, to] s; *_transitions: hc.down/hc.up times of seed 1; ' +
      'users_*: the twin balancer’s pick for client addresses 100.64.0.0-31.';
    writeFileSync(PREDICTIONS, `${JSON.stringify({ ...kept, note, predictions }, null, 1)}\n`);
  });
});

/** requestLog rows: [sent, done, outcome, server, slot] (times in s from the client's start). */
type RequestRow = [number, number, string, string, number];
interface Recorded {
  summary: { outcomes: Record<string, number> };
  events: {
    actions: Array<{ op: string; t: number; listeningT?: number }>;
    haproxyMessages: Array<{ t: number; line: string }>;
  };
  samples: Array<{ t: number; error?: string; s1?: { chkfail: number } }>;
  /** [start, end, server, status, termination, retries, redispatched, Tw, Tc, Tt] */
  haproxyLog: Array<[number, number, string, string, string, number, number, number, number, number]>;
  requestLog: RequestRow[];
  stamp: StampedRecording['stamp'];
}

/** The recorded client's failed requests (anything but a 200). */
const failures = (data: Recorded): number =>
  Object.entries(data.summary.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);

const recorded = (run: string): Recorded =>
  JSON.parse(readFileSync(`calibration/data/haproxy-holdout4-${run}-rt.json`, 'utf8')) as Recorded;
const twins = (run: string): RunResult[] => twinRuns(`haproxy-holdout4-${run}`, 10);
/** The recordings of a run (session 18: the check-phase runs' re-recordings, each at its stated start). */
const recordings = (run: string): Array<Restated<Recorded>> =>
  restated<Recorded>(`haproxy-holdout4-${run}`, `haproxy-holdout4-${run}-rt`).map((rec) => ({
    ...rec,
    label: `${run} ${rec.label}`,
  }));

const table = new HeldOutTable();
const count = (run: string, what: string, real: number, sim: number): void => table.expectClose(run, what, real, sim);
const time = table.expectTime.bind(table);

/**
 * HAProxy's "Server be/<server> is DOWN|UP" messages, in order: [kind, t]. A check's UP is "is UP,
 * reason: …" in the first recordings; with `option log-health-checks` (the re-recordings) the
 * reason has its own line and the UP line reads "is UP. 2 active …" — which is otherwise the end of
 * a slowstart (server_warmup(), src/server.c), not a transition.
 */
function recordedTransitions(data: Recorded, server: string): Array<['down' | 'up', number]> {
  const up = `Server be/${server} is UP${data.stamp.haproxyCfg?.includes('option log-health-checks') ? '.' : ','}`;
  return data.events.haproxyMessages
    .filter((m) => m.line.startsWith(`Server be/${server} is DOWN`) || m.line.startsWith(up))
    .map((m): ['down' | 'up', number] => [/is DOWN/.test(m.line) ? 'down' : 'up', m.t]);
}

/** Each transition of the server at its recorded time (±0.1 s: the checks' own arithmetic). */
function compareTransitions(run: string, server: string, data: Recorded, runs: RunResult[]): void {
  const real = recordedTransitions(data, server);
  const sim = transitions(runs[0], server);
  count(run, `${server} DOWN/UP transitions`, real.length, sim.length);
  real.forEach(([kind, t], i) => {
    expect(sim[i]?.[0], `${run} transition ${i + 1}`).toBe(kind);
    time(run, `${server} ${kind} #${Math.floor(i / 2) + 1}`, t, sim[i][1], 0.1);
  });
}

/** Responses each server gave the recorded client, ending in (from, to]. */
const realGoodput = (data: Recorded, server: string, from: number, to: number): number =>
  data.requestLog.filter((r) => r[2] === 'ok' && r[3] === server && r[1] > from && r[1] <= to).length;

function compareGoodput(run: string, data: Recorded, runs: RunResult[], servers: string[], windows: number[][]): void {
  for (const [from, to] of windows)
    for (const s of servers)
      count(run, `${s} responses in (${from}, ${to}] s`, realGoodput(data, s, from, to), goodputIn(runs, s, from, to));
}

/** The server each client slot (address 100.64.0.slot) reached in (from, to): one per slot, by index. */
function slotServers(data: Recorded, from: number, to: number, slots = 32): number[] {
  return Array.from({ length: slots }, (_, slot) => {
    const seen = new Set(
      data.requestLog.filter((r) => r[4] === slot && r[2] === 'ok' && r[0] > from && r[0] < to).map((r) => r[3]),
    );
    expect(seen.size, `slot ${slot}: one server in (${from}, ${to})`).toBe(1);
    return Number([...seen][0].slice(1)) - 1;
  });
}

/** The recorded client's failed requests against the twin's errors. */
const compareFailures = (run: string, data: Recorded, runs: RunResult[]): void =>
  count(
    run,
    'requests failed',
    failures(data),
    overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
  );

/** s1's failed checks (show stat chkfail at the end) against the twin's. */
const compareCheckFailures = (run: string, data: Recorded, runs: RunResult[]): void =>
  count(
    run,
    'failed checks (chkfail)',
    data.samples.filter((s) => s.s1).at(-1)!.s1!.chkfail,
    overSeeds(runs, (r) => r.figures['check_failures.total'] ?? 0),
  );

const SOURCE_RUNS = [RUNS.sourceMap, RUNS.sourceConsistent, RUNS.sourceConsistentRaw];

describe.skipIf(process.env.DRAINSIM_WRITE_HOLDOUT4)(
  'held-out round 4: HAProxy 2.6.12 against twins written before recording',
  () => {
    for (const run of SOURCE_RUNS) {
      it(`balance source ${run}: which of 32 client addresses move when a server goes DOWN, and back`, () => {
        const data = recorded(run);
        const runs = twins(run);
        const killed = killedServer(run);
        const name = `s${killed + 1}`;
        compareTransitions(run, name, data, runs);
        const [down, up] = recordedTransitions(data, name).map(([, t]) => t);
        const real = {
          before: slotServers(data, 1, 5),
          during: slotServers(data, down + 0.2, 14),
          after: slotServers(data, up + 0.2, 23.5),
        };
        // The twin's picks at the same phases of its own run: before, 0.2 s after its DOWN and
        // 0.2 s after its UP of the killed server, with the servers its checks had out then.
        const [twinDown, twinUp] = transitions(runs[0]!, name).map(([, t]) => t);
        const twinPicks = (t: number): number[] => sourceServers(run, 32, twinDownAt(runs[0]!, t));
        const sim = { before: twinPicks(1), during: twinPicks(twinDown! + 0.2), after: twinPicks(twinUp! + 0.2) };
        for (let b = 0; b < 4; b++) {
          count(
            run,
            `clients on s${b + 1} before`,
            real.before.filter((x) => x === b).length,
            sim.before.filter((x) => x === b).length,
          );
          count(
            run,
            `clients on s${b + 1} while ${name} DOWN`,
            real.during.filter((x) => x === b).length,
            sim.during.filter((x) => x === b).length,
          );
        }
        const moved = (a: number[], b: number[]): number => a.filter((x, u) => x !== b[u]).length;
        count(run, `clients moved while ${name} DOWN`, moved(real.before, real.during), moved(sim.before, sim.during));
        count(
          run,
          `clients back on their server after ${name} UP`,
          32 - moved(real.before, real.after),
          32 - moved(sim.before, sim.after),
        );
        // Client by client, not only in number: HAProxy's hash of each address is the model's.
        expect(sim.before).toEqual(real.before);
        expect(sim.during).toEqual(real.during);
        expect(sim.after).toEqual(real.after);
        // Each server's share of the responses while DOWN and after UP (counts differ: the recorded
        // client's 32 slots send in turn, the twin's users at random).
        const servers = ['s1', 's2', 's3', 's4'];
        for (const [from, to] of [
          [11, 14],
          [17, 23],
        ]) {
          const realAll = servers.reduce((a, x) => a + realGoodput(data, x, from, to), 0);
          const simAll = servers.reduce((a, x) => a + goodputIn(runs, x, from, to), 0);
          for (const s of servers)
            table.expectClose(
              run,
              `${s} share of responses in (${from}, ${to}] s`,
              realGoodput(data, s, from, to) / realAll,
              goodputIn(runs, s, from, to) / simAll,
              { share: true },
            );
        }
      });
    }

    it('cookie insert + redispatch: drained users stay, maint users move, a dead server’s users wait 2 s then move', () => {
      const run = RUNS.cookie;
      const data = recorded(run);
      const runs = twins(run);
      compareTransitions(run, 's3', data, runs);
      // (12, 18] is left out: a recorded user (one connection slot) waits with its one request for
      // the redispatch, then carries s4's cookie; the twin's open-loop users send on through the
      // 2-s wait, and those requests land on s4 together (a client difference, not HAProxy's).
      compareGoodput(
        run,
        data,
        runs,
        ['s1', 's2', 's3', 's4'],
        [
          [1, 4],
          [5, 8],
          [9, 12],
          [18, 22],
        ],
      );
      compareFailures(run, data, runs);
      // A persistent request to the dead (still UP) s3: two 1-s turn-arounds on s3, then the last
      // retry is redispatched (stream_choose_redispatch(): SF_DIRECT, the server running) — log Tw.
      const waits = data.haproxyLog.filter((l) => l[6] === 1).map((l) => l[7] / 1000);
      time(
        run,
        'redispatched request: wait (log Tw, max)',
        Math.max(...waits),
        Math.max(...runs.map((r) => r.figures['open_loop_latency.max'] ?? 0)),
        0.1,
      );
    });

    for (const rec of recordings(RUNS.gcPause))
      it(`checks against a server pausing 1.5 s every 4 s: every pause marks it DOWN (5 of 5, as recorded) (${rec.label})`, () => {
        const run = rec.label;
        const data = rec.data;
        const runs = twinOf(rec, 10);
        const real = recordedTransitions(data, 's1');
        const sim = transitions(runs[0], 's1');
        // Recorded: DOWN in each of the 5 pauses (L7TOUT after 410–457 ms, UP 0.5 s later). A connected
        // check's `timeout check` lowers its task's expire without requeueing it (tcpcheck_eval_connect(),
        // src/tcpcheck.c); wake_expired_tasks() (src/task.c) reads it when a walk of the shared timer
        // tree reaches the entry — here when s2's check task comes due — so the second check of a
        // pause fails about 300 ms in, not at min(inter, timeout connect) = 500 ms, and still inside
        // the pause (sim/model/lb/check-wait-queue.ts; the model missed 2 of 5 before session 16).
        count(run, 's1 DOWN/UP transitions', real.length, sim.length);
        expect(real.filter(([k]) => k === 'down')).toHaveLength(5);
        expect(sim.filter(([k]) => k === 'down')).toHaveLength(5);
        // Each transition within 0.05 s. Until session 18 the twin's DOWNs came 0.09–0.15 s early (a
        // pinned gap at 0.15 s): s2's check task, whose wake-ups end s1's second failing check, starts
        // in HAProxy half a *fastinter* after s1's (start_check_task(), src/check.c: mininter × k / n,
        // srv_getinter() (src/server.c) being fastinter at start, health = rise: logged 97–100 ms in
        // every re-recording), and drainsim spread by inter (250 ms). With HAProxy's step
        // (HealthChecker.firstCheckAfterStart(), NOTES.md items 37–38) each re-recording's twin comes
        // within 0.03 s; the old spread fails this bound. The first recording states no start (its twin
        // reads s1's phase off it and gives every server that first check): 0.15 s there, as before.
        const bound = rec.uptime === undefined ? 0.15 : 0.05;
        real.forEach(([kind, t], i) => {
          expect(sim[i]?.[0], `${run} transition ${i + 1}`).toBe(kind);
          time(run, `s1 ${kind} #${Math.floor(i / 2) + 1}`, t, sim[i][1], bound);
        });
        for (let i = 0; i < real.length; i += 2)
          // UP: an answered check 300 ms (downinter) after the failure, a second 200 ms (fastinter) later.
          time(run, `s1 DOWN → UP #${i / 2 + 1}`, real[i + 1][1] - real[i][1], sim[i + 1][1] - sim[i][1], 0.05);
        compareCheckFailures(run, data, runs);
        compareFailures(run, data, runs);
      });

    for (const rec of recordings(RUNS.gcPauseInter))
      it(`the same pauses without timeout check: a connected check fails inter after its start — every transition agrees (${rec.label})`, () => {
        const run = rec.label;
        const data = rec.data;
        const runs = twinOf(rec, 10);
        // DOWN in 3 of the 5 pauses (those met by a check less than 0.3 s into them), L7TOUT after
        // 500 ms, UP 0.5 s later: without timeout check nothing lowers the check task's expire.
        compareTransitions(run, 's1', data, runs);
        compareCheckFailures(run, data, runs);
        compareFailures(run, data, runs);
      });

    it('slowstart 8s under leastconn with 100-ms requests: s1’s responses per second after UP', () => {
      const run = RUNS.slowstart;
      const data = recorded(run);
      const runs = twinRuns(`haproxy-holdout4-${run}`, 20);
      compareTransitions(run, 's1', data, runs);
      // fwlc's key (inflight + 1) × 4096 / eweight (src/lb_fwlc.c): s1 keeps one request in flight
      // (≈ 9–10/s) until its eweight passes 10.7/16, 5 s after UP, then catches up.
      compareGoodput(
        run,
        data,
        runs,
        ['s1'],
        Array.from({ length: 9 }, (_, i) => [14 + i, 15 + i]),
      );
      // Requests to the dead s1 before DOWN: each held 3 s by its retries, keeping s1's key high,
      // so they come in batches (recorded: 4 at 3.0 s and 4 at 6.0 s, plus 2 in flight at the kill,
      // closed silently). The batch size is s1's in-flight count when the other two servers' keys
      // pass it, which hangs on the client's spacing: the recorded client's is a fixed 16.7 ms
      // (worker.mjs runRequests()), as the twin's since session 18 (clients.requests.arrivals:
      // paced; NOTES.md item 39). With Poisson arrivals it was a known gap (14.2 failed).
      const simErrors = overSeeds(runs, (r) => r.figures['errors.total'] ?? 0);
      table.expectClose(run, 'requests failed (batches to the dead s1)', failures(data), simErrors);
      expect(failures(data)).toBe(10);
      expect(simErrors).toBe(9);
    });

    it('a tunnel whose server half-closes ends timeout client-fin after the FIN (lb.timeout_client_fin)', () => {
      const run = RUNS.tunnelServerFin;
      const data = recorded(run) as Recorded & { tunnelLog: Array<[number, string, number, string, number]> };
      const runs = twins(run);
      // The server's FIN at 4 s reaches every client at once (EOF), and HAProxy ends each stream
      // 2 s later with `cD`: the client side's read timeout became timeout client-fin once the
      // response channel was shut towards the client (process_stream(), src/stream.c: req->rto =
      // clientfin when res CF_SHUTW), neither timeout tunnel (20 s) nor timeout server-fin.
      const eofs = data.tunnelLog.filter((e) => e[1] === 'eof').map((e) => e[0]);
      const ends = data.haproxyLog.map((l) => l[1]);
      expect(eofs).toHaveLength(10);
      expect(data.haproxyLog.every((l) => l[4] === 'cD')).toBe(true);
      time(run, 'server FIN → client EOF (source rule, not drainsim)', Math.max(...eofs) - 4, 0, 0.05);
      // drainsim's rule for the twin's balancer (sim/model/lb/fin-timeouts.ts halfClosedTimeouts): a
      // client that keeps its side open after the server's FIN is ended timeout client-fin later
      // (armed at the FIN: sc_app_shutw_conn(), src/stconn.c), not at timeout tunnel.
      const lb = namedScenario(loadScenario(`calibration/scenarios/haproxy-holdout4-${run}.yaml`, ScenarioSchema)).lb;
      const { afterServerFin } = halfClosedTimeouts(lb);
      time(
        run,
        'client EOF → HAProxy ends the stream, cD (timeout client-fin)',
        Math.min(...ends) - Math.max(...eofs),
        afterServerFin,
        0.05,
      );
      // The twin's server (app.ws.session_ttl 4s) closes every tunnel once; its WebSocket clients
      // close on EOF (RFC 6455 §7.1.1), so the balancer ends every stream within the run, as
      // HAProxy did (after client-fin, the recorded client staying open). Changed after recording:
      // the committed prediction (0 ended: the twin had no server close) is kept as written.
      const simEnded = overSeeds(
        runs,
        (r) => (r.figures['ws_close_1006.total'] ?? 0) + (r.figures['ws_close_1001.total'] ?? 0),
      );
      count(run, 'tunnels HAProxy ended within 14 s', ends.length, simEnded);
      expect(simEnded).toBe(10);
    });

    afterAll(() => table.print());
  },
);
