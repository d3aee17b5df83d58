/**
 * gunicorn's worker timeout (`app.worker_timeout`, session 34) against Debian's real gunicorn
 * 20.1.0: calibration/data/gunicorn-worker-timeout-sync-rt.json (recorder
 * calibration/gunicorn/worker-timeout.mjs: one sync worker, `--timeout 3`, every request sleeping
 * 10 s, connects at 0 s and 1 s) and its twin calibration/scenarios/gunicorn-worker-timeout-sync.yaml.
 *
 * The rule (arbiter.py murder_workers(), workers/sync.py run_for_one, workers/base.py
 * handle_abort): a sync worker notifies the arbiter only before each accept, so its 10-s request
 * is cut at the arbiter's first check past 3 s of silence — a FIN with no response (EOF) — and the
 * replacement accept()s the queued second connection, cut 3 s later in turn. Tolerances, from the
 * source, not the recording: the first cut anywhere in (3, 4] s after its accept (the arbiter
 * checks once a second, its phase following its own start, which the twin does not know); the
 * second after the first by 3 s plus the arbiter's post-spawn sleep (`time.sleep(0.1 *
 * random.random())`, 0-0.1 s; the model's 0.05 its mean) plus the loaded machine's exit, reap and
 * boot latency — 3.0-3.25 s.
 *
 * The same load on one gthread worker with 2 threads (gunicorn-worker-timeout-gthread-rt.json,
 * `--worker gthread`): it notifies from its main loop whatever its threads do
 * (workers/gthread.py ThreadWorker.run()), so both 10-s requests are answered, by one worker.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { between } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

const NAME = 'gunicorn-worker-timeout-sync';
const file = `calibration/scenarios/${NAME}.yaml`;

interface Rec {
  stamp: { gunicornVersion: string; argv: string[] };
  workers: Array<{ s: number; pids: number[] }>;
  conns: Array<{ k: number; connectS: number; outcome: string; status: number | null; endS: number }>;
  gunicornLog: string[];
}
const real = JSON.parse(readFileSync(`calibration/data/${NAME}-rt.json`, 'utf8')) as Rec;
const gthread = JSON.parse(readFileSync('calibration/data/gunicorn-worker-timeout-gthread-rt.json', 'utf8')) as Rec;

function twin(set: Record<string, unknown> = {}): RunResult {
  const base = namedScenario(loadScenario(file, ScenarioSchema));
  return runScenario({ ...base, app: { ...base.app, ...set } } as typeof base, { seed: 1, file });
}

describe("app.worker_timeout: gunicorn's arbiter kills a sync worker silent past --timeout (Debian's 20.1.0)", () => {
  let model: RunResult;
  let cuts: number[];
  beforeAll(() => {
    model = twin();
    cuts = recordsOf(model, 'app.worker_timeout').map((r) => r.t);
  });
  const [a, b] = real.conns;

  it('the recording: both 10-s requests cut with no response, each by a worker the arbiter replaced', () => {
    expect(real.stamp.gunicornVersion).toBe('20.1.0');
    expect(real.stamp.argv).toContain('--timeout');
    expect([a.outcome, b.outcome]).toEqual(['EOF', 'EOF']);
    expect([a.status, b.status]).toEqual([null, null]);
    // Three workers in turn: the first, its replacement (which took the 1-s connection), and the next.
    const pids = new Set(real.workers.flatMap((w) => w.pids));
    expect(pids.size).toBe(3);
    expect(real.gunicornLog.filter((l) => l.includes('WORKER TIMEOUT')).length).toBe(2);
  });

  it('the first cut in (3, 4] s after its accept, in the recording and in the twin', () => {
    const realCut = a.endS - a.connectS;
    expect(realCut).toBeGreaterThan(3);
    expect(realCut).toBeLessThanOrEqual(4.05);
    expect(cuts).toHaveLength(2);
    expect(cuts[0]).toBeGreaterThan(3);
    expect(cuts[0]).toBeLessThanOrEqual(4);
  });

  it('the second cut 3.0-3.25 s after the first (the replacement took the queued connection at once)', () => {
    const realGap = b.endS - a.endS;
    expect(realGap).toBeGreaterThan(3);
    expect(realGap).toBeLessThan(3.25);
    expect(cuts[1] - cuts[0]).toBeGreaterThan(3);
    expect(cuts[1] - cuts[0]).toBeLessThan(3.25);
    expect(Math.abs(cuts[1] - cuts[0] - realGap)).toBeLessThan(0.1);
  });

  it('the twin: two connections closed by the app (FIN), no response, none served in the run', () => {
    expect(between(model, 'closed_fin', cuts[0] - 0.03, cuts[0] + 0.03)).toBe(1);
    expect(between(model, 'closed_fin', cuts[1] - 0.03, cuts[1] + 0.03)).toBe(1);
    expect(between(model, 'requests_failed', 0, 12)).toBe(2);
    expect(between(model, 'responses_2xx', 0, 12)).toBe(0);
  });

  it('without the timeout (worker_timeout 0: off) the twin serves the first at 10 s — the check can fail', () => {
    const off = twin({ worker_timeout: 0 });
    expect(recordsOf(off, 'app.worker_timeout')).toEqual([]);
    expect(between(off, 'responses_2xx', 9.9, 10.1)).toBe(1);
  });

  it('a gthread worker (keepalive: keep, 2 threads) is never cut: both answered at 10 and 11 s, one worker throughout', () => {
    expect(gthread.stamp.argv).toContain('gthread');
    expect(gthread.conns.map((c) => [c.outcome, c.status])).toEqual([
      ['ok', 200],
      ['ok', 200],
    ]);
    expect(gthread.conns.map((c) => Math.round(c.endS))).toEqual([10, 11]);
    expect(new Set(gthread.workers.flatMap((w) => w.pids)).size).toBe(1);
    const r = twin({ keepalive: 'keep', keepalive_timeout: 2, workers: 2 });
    expect(recordsOf(r, 'app.worker_timeout')).toEqual([]);
    expect(between(r, 'responses_2xx', 9.9, 10.1)).toBe(1);
    expect(between(r, 'responses_2xx', 10.9, 11.1)).toBe(1);
  });
});
