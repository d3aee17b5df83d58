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
import { HeldOutTable, overSeeds, twinRuns } from './heldout-table.js';
import { transitions } from './holdout4-figures.js';

const PREDICTIONS = 'calibration/data/haproxy-holdout5-predictions.json';
const RUNS = ['tcheck-2srv-http', 'tcheck-2srv-1rps-http', 'tcheck-1srv-http'] as const;
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
    const added = RUNS.filter((run) => !(run in kept.predictions)).map((run) => [run, predictedFigures(twins(run))]);
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

/** HAProxy's "Server be/s1 is DOWN" lines: [t, check duration in ms]. */
const recordedDowns = (data: Recorded): Array<[number, number]> =>
  data.events.haproxyMessages
    .filter((m) => m.line.startsWith('Server be/s1 is DOWN'))
    .map((m): [number, number] => [m.t, Number(/check duration: (\d+)ms/.exec(m.line)?.[1])]);

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
        if (real.length > 0 && simDowns.length > 0) {
          const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
          table.expectTime(
            run,
            'check duration on the DOWN line, mean (s)',
            mean(real.map(([, ms]) => ms)) / 1000,
            mean(simDowns.map((r) => r.durationMs)) / 1000,
            0.1,
          );
        }
        expect(real.length).toBeGreaterThanOrEqual(0);
      });
    }
  },
);
