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
        // Known gap: which check marks s1 DOWN, and how long it lasted, hang on the phase between
        // s1's and s2's check tasks (the walk that reads the lowered expire comes when s2's task is
        // due), which a blind twin cannot take: HAProxy spread them before the recorder's clock
        // started. Both end it between connect + timeout check and the key (1 s), where the rule
        // drainsim had before session 16 said 1 s for every failed check.
        const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
        const realDownCheck = real.length > 0 ? mean(real.map(([, ms]) => ms)) / 1000 : Number.NaN;
        const simDownCheck = simDowns.length > 0 ? mean(simDowns.map((r) => r.durationMs)) / 1000 : Number.NaN;
        if (real.length + simDowns.length > 0)
          table.knownGap(run, 'duration of the check that marked s1 DOWN, mean (s)', realDownCheck, simDownCheck);
        for (const x of [realDownCheck, simDownCheck].filter((v) => !Number.isNaN(v))) {
          expect(x).toBeGreaterThanOrEqual(0.3);
          expect(x).toBeLessThan(0.95);
        }
        // HAProxy's failed checks of s1 ending well before their key (1 s): with s2's task in the
        // tree most do; with s1 alone the source's walk gives none (known gap: 2 of 6 recorded,
        // 790 and 543 ms — a wake-up src/task.c as read does not explain; the probes of NOTES.md
        // item 29 saw the same).
        const early = recordedFailedChecks(data).filter(([, ms]) => ms < 950).length;
        if (run === 'tcheck-1srv-http') {
          table.knownGap(run, 'failed checks ending before 0.95 s (the key: 1 s)', early, 0);
          expect(early).toBe(2);
        } else expect(early).toBeGreaterThanOrEqual(3);
      });
    }

    // chkfix16's run, compared against main's rule (hcwake16's; 8b7b4a9's requeue at the check's end
    // was tried on chkfix16 and not adopted: NOTES.md item 29). Its prediction was written by
    // 8b7b4a9's model; main's model gives the same DOWN, check counts and failed requests.
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
      // Known gap, pinned: how long the failed checks lasted. HAProxy: 1295 and 704 ms, started at
      // 3.761 and 8.056 s (ended at 5.056 and 8.760); main's model, seed 1: 1000 and 1001, started at
      // 4.004 and 7.004 (the twin's phases are the model's default inter*k/n). With the phases
      // chkfix16 read for s2 / s3 (s2's checks start at 4.758, 7.758; s3's at 8.760), main's rule
      // (the lowered expire, connect + 300 ms, is read by the next walk of the tree) explains the
      // second (s1's 8.356 read at s3's start, 8.760) but not the first (s2's start at 4.758 should
      // have ended it at 997 ms; it lasted 0.3 s more). Observed (NOTES.md item 33, a trace of every
      // walk, calibration/data/haproxy-observe17/wq-3srv.txt): s2's walk stopped at idle_conn_task,
      // keyed pool-purge-delay (5 s) after the first idle server connection (5.053-5.057 s in every
      // run), whose walk failed s1; the tree also holds process_resolvers (every 1 s from HAProxy's
      // start) and answered checks requeued at connect + 300 ms. Modelling the requeue and the
      // resolvers task agreed worse elsewhere (branch chk17-model-rejected); idle_conn_task is not
      // an entry of drainsim's tree: the gap stays.
      expect(recordedFailedChecks(data).map(([, ms]) => ms)).toEqual([1295, 704]);
      table.knownGap(
        THREE_SERVERS,
        'duration of the check that marked s1 DOWN (ms)',
        real[0][1],
        simDowns[0].durationMs,
      );
      expect(runs.map((r) => recordsOf(r, 'hc.down').find((x) => x.backend === 's1')?.durationMs)).toEqual(
        Array(10).fill(1001),
      );
      // Known gap, pinned: the requests sent to s1 until its DOWN wait for the client's 8 s timeout;
      // HAProxy's later DOWN (0.76 s, about 5 requests at s1's third of 20 req/s) leaves more.
      const simErrors = overSeeds(runs, (r) => r.figures['errors.total'] ?? 0);
      table.knownGap(THREE_SERVERS, 'requests failed', failures(data), simErrors);
      expect([failures(data), simErrors]).toEqual([39, 34.8]);
    });
  },
);
