/**
 * Issue #17, unbounded work: the estimate refuses runs that would take too long or grow too large
 * (exit 2, with the estimate and the option that raises the limit), a run that still passes its
 * budget stops with a message, and every built-in stays well inside the default limits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';
import { builtinScenarioNames, packageRoot } from '../../sim/scenario/load.js';
import { loadScenarioForCli } from '../../sim/scenario/load-for-run.js';
import { DEFAULT_LIMITS, estimateWork, RunBudgetExceeded, runEngineWithin } from '../../sim/scenario/work-budget.js';
import { cliIn, expectBadInput, sandbox } from './sandbox.js';

const box = sandbox();
const base = join(box.dir, 'base.yaml');

describe('the estimate', () => {
  it('is above the actual engine events of every built-in, and every built-in is under a third of the default limits', () => {
    for (const name of builtinScenarioNames()) {
      const golden = JSON.parse(
        readFileSync(join(packageRoot(), 'test', 'golden', `${name}.summary.json`), 'utf8'),
      ) as { engine_events: number };
      const estimate = estimateWork(loadScenarioForCli(name).scenario);
      expect(estimate.events, name).toBeGreaterThan(golden.engine_events);
      expect(estimate.events, name).toBeLessThan(DEFAULT_LIMITS.maxEvents / 3);
      expect(estimate.bytes, name).toBeLessThan(DEFAULT_LIMITS.maxBytes / 3);
    }
  });
});

describe('runs refused before they start', () => {
  it('horizon: 300d at 5 connections/s: exit 2 with the estimate and the options that raise the limits', async () => {
    const started = performance.now();
    const r = await cliIn(box, 'run', base, '--set', 'horizon=300d', '--out', box.out, '--format', 'none');
    expectBadInput(
      r,
      /base\.yaml: this run would need about 1\.3e10 engine events, more than the limit of 100 M \(--max-events raises it\)/,
    );
    expect(r.stderr).toContain('--max-memory raises it');
    expect(r.stderr).toContain('HTTP connections (5/s × 300d)');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a 24 h run sampled every 10 ms: refused for its memory (timeline rows)', async () => {
    const r = await cliIn(
      box,
      'validate',
      base,
      '--set',
      'horizon=24h',
      '--set',
      'sample_interval=10ms',
      '--set',
      'clients.http.arrival_rate=0',
    );
    expectBadInput(r, /memory, more than the limit of 2,048 MB \(--max-memory raises it\).*timeline rows/);
  });

  it('arrival_rate at its schema maximum over 5 minutes is refused by the budget', async () => {
    const r = await cliIn(box, 'check', base, '--set', 'clients.http.arrival_rate=1000000', '--set', 'horizon=5m');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ERROR .*this run would need about/m);
  });

  it('--max-events lowers (and so raises) the limit', async () => {
    const r = await cliIn(box, 'validate', base, '--max-events', '1000');
    expectBadInput(r, /more than the limit of 1000 \(--max-events raises it\)/);
    const ok = await cliIn(
      box,
      'validate',
      base,
      '--set',
      'horizon=30d',
      '--max-events',
      '1e10',
      '--max-memory',
      '100000',
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});

describe('a run that passes its budget while running', () => {
  it('stops with a scenario error naming the limit and the simulated time (not a hang)', () => {
    const engine = new Engine();
    const loop = (): void => {
      engine.schedule(0, loop, null); // a zero-delay loop: simulated time never advances
    };
    engine.at(5, loop, null);
    let thrown: unknown;
    try {
      runEngineWithin(engine, 10, { maxEvents: 10_000, maxBytes: DEFAULT_LIMITS.maxBytes, file: 'loop.yaml' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RunBudgetExceeded);
    expect((thrown as RunBudgetExceeded).format()).toMatch(
      /^loop\.yaml: run stopped at 5s into the run: 10,001 engine events, over the limit of 10,000 \(--max-events raises it\)/,
    );
  });

  it('stops a loop that does not advance simulated time after ~10^6 events, long before --max-events (review30 #7)', () => {
    const engine = new Engine();
    const loop = (): void => {
      engine.schedule(0, loop, null);
    };
    engine.at(5, loop, null);
    let thrown: unknown;
    try {
      // The default limit (10^8 events): before, this spun to it, minutes of CPU.
      runEngineWithin(engine, 10, { ...DEFAULT_LIMITS, file: 'loop.yaml' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RunBudgetExceeded);
    expect(engine.fired).toBeLessThan(2_000_000);
    expect((thrown as RunBudgetExceeded).format()).toMatch(
      /^loop\.yaml: run stopped at 5s into the run: simulated time is not advancing, 1,048,576 engine events within one instant\. A loop with no delay/,
    );
  });

  it('and lets a dense but advancing run go on: 3·10^6 events 1 µs apart each', () => {
    const engine = new Engine();
    let n = 0;
    const tick = (): void => {
      if (++n < 3_000_000) engine.schedule(1e-6, tick, null);
    };
    engine.at(0, tick, null);
    runEngineWithin(engine, 10, { ...DEFAULT_LIMITS, file: 'dense.yaml' });
    expect(n).toBe(3_000_000);
  });

  it('leaves a run inside its budget exactly as engine.run would', () => {
    const fired: number[] = [];
    const make = () => {
      const e = new Engine();
      for (let i = 0; i < 100; i++) e.at(i * 0.1, (k: number) => fired.push(k), i);
      return e;
    };
    const plain = make();
    plain.run(5);
    const plainFired = fired.splice(0);
    const budgeted = make();
    runEngineWithin(budgeted, 5, { ...DEFAULT_LIMITS, file: 'x' });
    expect(fired).toEqual(plainFired);
    expect(budgeted.now).toBe(plain.now);
  });
});
