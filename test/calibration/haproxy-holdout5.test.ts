/**
 * Held-out validation, round 5 (session 16): when HAProxy 2.6.12 fails a connected check that has
 * `timeout check` (calibration/haproxy/holdout5.mjs). drainsim's rule (sim/model/lb/check-wait-queue.ts,
 * from src/task.c wake_expired_tasks() and src/tcpcheck.c tcpcheck_eval_connect()): the check task
 * keeps its key, min(inter, timeout connect), while its expire is lowered to connect + timeout
 * check; a walk of the shared timer tree reads that expire when another server's check task comes
 * due before the key, else the key ends the check. Each twin
 * (calibration/scenarios/haproxy-holdout5-*.yaml) and its prediction
 * (calibration/data/haproxy-holdout5-predictions.json, written by this file with
 * DRAINSIM_WRITE_HOLDOUT5=1) were committed before its run was recorded. Tolerances as the earlier
 * rounds: counts ±10 % (±2 near zero), times ±1 s.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { recordsOf } from '../trace/records-of.js';
import { HeldOutTable, overSeeds, totalIn, twinRuns } from './heldout-table.js';
import { transitions } from './holdout4-figures.js';

const PREDICTIONS = 'calibration/data/haproxy-holdout5-predictions.json';
const RUNS = ['tcheck-2srv-http', 'tcheck-2srv-1rps-http', 'tcheck-1srv-http'] as const;
/** chkfix16: 3 servers, timeout connect 1.5 s < inter 3 s (an answered check's key at connect + timeout check). */
const THREE_SERVERS = 'tcheck-3srv-tconn-http';
const twins = (run: string): RunResult[] => twinRuns(`haproxy-holdout5-${run}`, 10);

/** What a twin predicts: s1's DOWNs and the duration of the check that marked each (seed 1), means over seeds. */
function predictedFigures(runs: RunResult[]): Record<string, number | number[]> {
  const downs = recordsOf(runs[0], 'hc.down').filter((r) => r.backend === 's1');
  return {
    s1_downs: overSeeds(runs, (r) => recordsOf(r, 'hc.down').filter((x) => x.backend === 's1').length),
    s1_transitions: transitions(runs[0], 's1').map(([, t]) => t),
    s1_down_check_ms: downs.map((r) => r.durationMs),
    check_failures: overSeeds(runs, (r) => r.figures['check_failures.total'] ?? 0),
    errors: overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
  };
}

describe.runIf(process.env.DRAINSIM_WRITE_HOLDOUT5)('held-out round 5: predictions before recording', () => {
  it('writes the prediction of every twin that has none yet (means over seeds 1–10)', () => {
    // Blind predictions are kept as first written: only runs without one are added.
    const kept = existsSync(PREDICTIONS)
      ? (JSON.parse(readFileSync(PREDICTIONS, 'utf8')) as { predictions: Record<string, unknown> })
      : { predictions: {} };
    const added = [...RUNS, THREE_SERVERS]
      .filter((run) => !(run in kept.predictions))
      .map((run) => [run, predictedFigures(twins(run))]);
    const predictions = { ...kept.predictions, ...Object.fromEntries(added) };
    const note =
      'drainsim predictions of the round-5 held-out twins (calibration/scenarios/haproxy-holdout5-*.yaml), means ' +
      'over seeds 1-10, each written BEFORE its run was recorded (check phases: the model default inter*k/n). ' +
      's1_transitions / s1_down_check_ms: seed 1 (hc.down / hc.up times; the duration of the check that marked each DOWN).';
    writeFileSync(PREDICTIONS, `${JSON.stringify({ ...kept, note, predictions }, null, 1)}\n`);
  });
});

interface Recorded {
  summary: { outcomes: Record<string, number> };
  events: { haproxyMessages: Array<{ t: number; line: string }> };
  samples: Array<{ t: number; s1?: { chkfail: number } }>;
}

const dataFile = (run: string): string => `calibration/data/haproxy-holdout5-${run}-rt.json`;
const recorded = (run: string): Recorded => JSON.parse(readFileSync(dataFile(run), 'utf8')) as Recorded;

/** HAProxy's failed checks of s1 (`option log-health-checks`): [t, check duration in ms]. */
const recordedFailedChecks = (data: Recorded): Array<[number, number]> =>
  data.events.haproxyMessages
    .filter((m) => m.line.startsWith('Health check for server be/s1 failed'))
    .map((m): [number, number] => [m.t, Number(/check duration: (\d+)ms/.exec(m.line)?.[1])]);

/**
 * HAProxy's "Server be/s1 is DOWN" lines: [t, duration of the check that marked it]. With
 * `option log-health-checks` the DOWN line has no reason; the failed check logged just before it does.
 */
const recordedDowns = (data: Recorded): Array<[number, number]> =>
  data.events.haproxyMessages
    .filter((m) => m.line.startsWith('Server be/s1 is DOWN'))
    .map((m): [number, number] => [
      m.t,
      recordedFailedChecks(data)
        .filter(([t]) => t <= m.t)
        .at(-1)?.[1] ?? Number.NaN,
    ]);

const failures = (data: Recorded): number =>
  Object.entries(data.summary.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);

describe.skipIf(process.env.DRAINSIM_WRITE_HOLDOUT5 || !existsSync(dataFile(RUNS[0])))(
  'held-out round 5: HAProxy 2.6.12 against twins written before recording',
  () => {
    const table = new HeldOutTable();
    afterAll(() => table.print());

    for (const run of RUNS) {
      it(`${run}: DOWNs of a server paused 2.5 s every 6.25 s, inter 1s, timeout check 300ms`, () => {
        const data = recorded(run);
        const runs = twins(run);
        const real = recordedDowns(data);
        const simDowns = recordsOf(runs[0], 'hc.down').filter((r) => r.backend === 's1');
        table.expectClose(run, 's1 DOWNs (of 6 pauses)', real.length, simDowns.length);
        const chkfail = data.samples.filter((s) => s.s1).at(-1)!.s1!.chkfail;
        table.expectClose(
          run,
          'failed checks (chkfail)',
          chkfail,
          overSeeds(runs, (r) => r.figures['check_failures.total'] ?? 0),
        );
        table.expectClose(
          run,
          'requests failed',
          failures(data),
          overSeeds(runs, (r) => r.figures['errors.total'] ?? 0),
        );
        // Which check marks s1 DOWN, and how long it lasted, hang on the walks of the shared timer
        // tree: s2's check task, process_resolvers() (1 s from HAProxy's start, src/resolvers.c)
        // and idle_conn_task (src/server.c), at the phases HAProxy's start sets. The twins state
        // that start (lb.uptime, read off the first logged checks: start-phase.mjs; session 17,
        // NOTES.md items 34 and 36).
        // - 2srv: a known gap, pinned (NOTES.md item 38). HAProxy's DOWN (30.503 s, its check 562 ms)
        //   came at idle_conn_task's walk for s1, keyed 5 s a period from s1's pool refilling after
        //   the first pause (5.50 s). The task runs on its own timer since session 18
        //   (idle-conn-task.ts): each run requeues it at its own now + 5 s, 1 ms after the key, so
        //   the key drifts as HAProxy's did in the traced run
        //   (calibration/data/haproxy-observe17/wq-2srv.txt: 10.503, 15.504, 20.504, 25.505,
        //   30.506 s; the twin 10.501 … 30.505) and the walk comes 1 ms after s1's answer to that
        //   check after SIGCONT (30.505): no DOWN. HAProxy decides that race both ways: the traced
        //   run's walk came after the answer (30.510, the check passed, no DOWN), the recorded
        //   run's before it. The session-17 projection (no drift: 30.501) gave the DOWN, 552 ms.
        // - 2srv-1rps: compared (NOTES.md item 39). HAProxy's DOWN (30.389 s, 475 ms) came at the
        //   resolvers' walk (the trace of calibration/data/haproxy-observe18/wq-2srv-1rps.txt:
        //   30.363 s, 470 ms); whether it reaches s1 hangs on where idle_conn_task's key sits, and
        //   that on when each pool emptied and refilled: on the client's arrival times. The
        //   recording's client sends one request a second on the dot (calibration/haproxy/worker.mjs
        //   runRequests()), as the twin does since session 18 (clients.requests.arrivals: paced);
        //   with Poisson arrivals 2 seeds of 10 gave the DOWN (30.389 s, 474 ms), the rest none.
        const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
        const realDownCheck = real.length > 0 ? mean(real.map(([, ms]) => ms)) / 1000 : Number.NaN;
        const simDownCheck = simDowns.length > 0 ? mean(simDowns.map((r) => r.durationMs)) / 1000 : Number.NaN;
        const downCheck = 'duration of the check that marked s1 DOWN, mean (s)';
        if (run === 'tcheck-2srv-1rps-http') {
          table.expectTime(run, `${downCheck}, ±0.1`, realDownCheck, simDownCheck, 0.1);
          table.expectTime(run, 's1 DOWN', real[0][0], simDowns[0].t);
          expect([real.length, simDowns.length]).toEqual([1, 1]);
          // Every seed: the arrivals draw nothing, and the check phases are HAProxy's start.
          for (const r of runs) {
            const downs = recordsOf(r, 'hc.down').filter((x) => x.backend === 's1');
            expect(downs).toHaveLength(1);
            expect(downs[0].t).toBeCloseTo(30.389, 3);
            expect(downs[0].durationMs).toBeGreaterThanOrEqual(473);
            expect(downs[0].durationMs).toBeLessThanOrEqual(474);
          }
        } else if (real.length + simDowns.length > 0) table.knownGap(run, downCheck, realDownCheck, simDownCheck);
        if (run === 'tcheck-2srv-http') expect([real.length, simDowns.length]).toEqual([1, 0]);
        for (const x of [realDownCheck, simDownCheck].filter((v) => !Number.isNaN(v))) {
          expect(x).toBeGreaterThanOrEqual(0.3);
          expect(x).toBeLessThan(0.95);
        }
        // HAProxy's failed checks of s1 ending well before their key (1 s): with s2's task in the
        // tree most do; with s1 alone 2 of 6 (790 and 543 ms) — the walks of idle_conn_task
        // (NOTES.md item 33), which the tree now holds (item 34: the twin's seed 1 gave 791 and
        // 546 ms). drainsim's trace has no record per failed check, so only the recording's count
        // is pinned here; the twin's DOWN count and chkfail above are compared.
        const early = recordedFailedChecks(data).filter(([, ms]) => ms < 950).length;
        if (run === 'tcheck-1srv-http') expect(early).toBe(2);
        else expect(early).toBeGreaterThanOrEqual(3);
      });
    }

    // chkfix16's run. Its prediction was written by 8b7b4a9's model (the requeue at the check's end,
    // adopted in session 17 with the rest of the tree: NOTES.md items 29, 34, 36).
    it(`${THREE_SERVERS}: s1 stopped 24 s, 3 servers, inter 3s, timeout connect 1500ms, timeout check 300ms`, () => {
      const data = recorded(THREE_SERVERS);
      const runs = twins(THREE_SERVERS);
      const real = recordedDowns(data);
      const simDowns = recordsOf(runs[0], 'hc.down').filter((r) => r.backend === 's1');
      table.expectClose(THREE_SERVERS, 's1 DOWNs', real.length, simDowns.length);
      table.expectTime(THREE_SERVERS, 's1 DOWN', real[0][0], simDowns[0].t);
      // Neither brings s1 back by 30 s: SIGCONT at 27 s, rise 2 at inter 3 s (HAProxy: 1/2 at 28.113 s).
      const simUps = overSeeds(runs, (r) => recordsOf(r, 'hc.up').filter((x) => x.backend === 's1').length);
      table.expectClose(THREE_SERVERS, 's1 UPs by 30 s', 0, simUps);
      expect(data.events.haproxyMessages.some((m) => m.line.startsWith('Server be/s1 is UP'))).toBe(false);
      // chkfail counts only the checks failed while the server is UP (HAProxy's stats: "only counts
      // checks failed when the server is up"): 2. drainsim's check_failures counts every failed check
      // (6: 4 more while DOWN), so the comparison takes s1's failures in the samples up to its DOWN.
      const chkfail = data.samples.filter((x) => x.s1).at(-1)!.s1!.chkfail;
      const simWhileUp = overSeeds(runs, (r) => {
        const down = recordsOf(r, 'hc.down').find((x) => x.backend === 's1');
        return down ? totalIn(r, 'check_failures', 0, Math.ceil(down.t), 's1') : Number.NaN;
      });
      table.expectClose(THREE_SERVERS, 'failed checks while UP (chkfail)', chkfail, simWhileUp);
      expect(overSeeds(runs, (r) => r.figures['check_failures.total'] ?? 0)).toBe(6);
      // How long the failed checks lasted. HAProxy: 1295 and 704 ms, started at 3.761 and 8.056 s
      // (ended at 5.056 and 8.760). Observed (NOTES.md item 33, a trace of every walk,
      // calibration/data/haproxy-observe17/wq-3srv.txt): s2's walk stopped at idle_conn_task,
      // keyed pool-purge-delay (5 s) after the first idle server connection (5.053-5.057 s in every
      // run), whose walk failed s1; the second ended at s3's start (8.760). drainsim's tree holds
      // the check tasks, their requeue at connect + timeout check, process_resolvers() and
      // idle_conn_task since session 17 (item 36); the twin states HAProxy's start (lb.uptime
      // 2245 ms). Compared: the DOWN check, ±0.1 s (the seeds' spread, 628-762 ms; before item 36
      // every seed said 1001, the key).
      expect(recordedFailedChecks(data).map(([, ms]) => ms)).toEqual([1295, 704]);
      table.expectTime(
        THREE_SERVERS,
        'duration of the check that marked s1 DOWN (s), ±0.1',
        real[0][1] / 1000,
        simDowns[0].durationMs / 1000,
        0.1,
      );
      const downChecks = runs.map((r) => recordsOf(r, 'hc.down').find((x) => x.backend === 's1')?.durationMs ?? 0);
      expect(Math.min(...downChecks)).toBeGreaterThanOrEqual(600);
      expect(Math.max(...downChecks)).toBeLessThan(800);
      // The requests sent to s1 until its DOWN wait for the client's 8 s timeout: with the DOWN at
      // HAProxy's time (8.77 s; main's model before item 36: 8.01, 34.8 failed) the counts agree.
      const simErrors = overSeeds(runs, (r) => r.figures['errors.total'] ?? 0);
      table.expectClose(THREE_SERVERS, 'requests failed', failures(data), simErrors);
      expect(failures(data)).toBe(39);
    });
  },
);
