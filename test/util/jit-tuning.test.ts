/**
 * A short `drainsim run` gets V8 flags that compile less (sim/util/jit-tuning.ts); a long one
 * keeps V8's defaults, under which its optimized code runs faster (hc-cascade: 13 % less CPU).
 * Which built-ins count as short follows from the work budget's estimate. Sweep workers that fill
 * every core compile their optimized code inline rather than on V8's helper threads.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadScenarioForCli, namedScenario } from '../../sim/scenario/load-for-run.js';
import { packageRoot } from '../../sim/scenario/package-root.js';
import { estimateWork } from '../../sim/scenario/work-budget.js';
import { jitFlagsFor, SHORT_RUN_FLAGS, SHORT_RUN_MAX_ESTIMATED_EVENTS } from '../../sim/util/jit-tuning.js';

const estimate = (name: string) => estimateWork(namedScenario(loadScenarioForCli(name, []))).events;

describe('JIT tuning for a short run', () => {
  it('only a run estimated at most SHORT_RUN_MAX_ESTIMATED_EVENTS gets the short-run flags', () => {
    expect(jitFlagsFor(SHORT_RUN_MAX_ESTIMATED_EVENTS)).toEqual(SHORT_RUN_FLAGS);
    expect(jitFlagsFor(SHORT_RUN_MAX_ESTIMATED_EVENTS + 1)).toEqual([]);
    expect(SHORT_RUN_FLAGS.length).toBeGreaterThan(0);
  });

  it('the smallest built-in is a short run; hard-cut (1.2 M events) and hc-cascade (8.1 M) are not', () => {
    // deep-check-slow-db: 70,767 events (the bench's start-up pair).
    expect(jitFlagsFor(estimate('deep-check-slow-db'))).toEqual(SHORT_RUN_FLAGS);
    expect(jitFlagsFor(estimate('hard-cut'))).toEqual([]);
    expect(jitFlagsFor(estimate('hc-cascade'))).toEqual([]);
  });
});

describe('JIT tuning for sweep workers (needs npm run build: the child imports dist/)', () => {
  /** TurboFan's compile mode for a hot function in a worker started after tuneJitForWorkers(workers, cores). */
  function workerCompileModes(workers: number, cores: number): string[] {
    const worker = [
      'function hotInWorker(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }',
      'let t = 0; for (let k = 0; k < 3000; k++) t += hotInWorker(1000);',
    ].join('\n');
    const probe = [
      "import { Worker } from 'node:worker_threads';",
      "import { tuneJitForWorkers } from './dist/sim/util/jit-tuning.js';",
      `tuneJitForWorkers(${workers}, ${cores});`,
      `new Worker(${JSON.stringify(worker)}, { eval: true });`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--trace-opt', '--input-type=module', '-e', probe], {
      cwd: packageRoot(),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return [
      ...r.stdout.matchAll(/<JSFunction hotInWorker [^\n]*\(target TURBOFAN\), mode: ConcurrencyMode::(\w+)/g),
    ].map((m) => m[1]!);
  }

  it('workers on every core compile inline; with a core to spare, on the helper threads', () => {
    const busy = workerCompileModes(2, 2);
    expect(busy.length).toBeGreaterThan(0);
    expect(new Set(busy)).toEqual(new Set(['kSynchronous']));
    const spare = workerCompileModes(1, 2);
    expect(spare.length).toBeGreaterThan(0);
    expect(new Set(spare)).toEqual(new Set(['kConcurrent']));
  }, 60_000);
});
