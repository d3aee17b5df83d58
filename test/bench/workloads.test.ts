import { describe, expect, it } from 'vitest';
import { runCancelHeavy } from '../../bench/cancel-heavy.js';
import { runHold } from '../../bench/hold.js';
import { BenchRng } from '../../bench/prng.js';
import { findWorkload, workloads } from '../../bench/workloads.js';

// Small sizes only: these check that the workloads do the work they claim, not how fast.

describe('bench workloads', () => {
  it('registers the workloads npm run bench reports, under unique names', () => {
    const names = workloads.map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['hold-1e3', 'hold-1e5', 'hold-1e6', 'cancel-heavy']));
    expect(new Set(names).size).toBe(names.length);
    expect(findWorkload('hold-1e5')?.name).toBe('hold-1e5');
    expect(findWorkload('nope')).toBeUndefined();
  });

  it('hold keeps the queue at its prefill size and is reproducible', () => {
    const a = runHold(500, 20_000);
    expect(a.events).toBe(20_000);
    expect(a.pendingAtEnd).toBe(500);
    expect(runHold(500, 20_000)).toEqual(a);
    expect(runHold(500, 20_000, 2).simTime).not.toBe(a.simTime);
    // 20000 events through 500 servers of mean-1 increments: about 40 simulated seconds.
    expect(a.simTime).toBeGreaterThan(30);
    expect(a.simTime).toBeLessThan(50);
  });

  it('cancel-heavy cancels an idle timer on almost every request and is reproducible', () => {
    const r = runCancelHeavy(1000, 30_000);
    expect(r.events).toBe(30_000);
    // Each connection keeps one request pending, plus an idle timer unless it idle-closed.
    expect(r.pendingAtEnd).toBeGreaterThan(1000);
    expect(r.pendingAtEnd).toBeLessThanOrEqual(2000);
    expect(r.cancelled).toBeGreaterThan(0.95 * (r.events - r.idleCloses));
    expect(r.idleCloses).toBeGreaterThan(0);
    expect(runCancelHeavy(1000, 30_000)).toEqual(r);
  });

  it('BenchRng is seeded, uniform in [0, 1) and has the right exponential mean', () => {
    const a = new BenchRng(7);
    const b = new BenchRng(7);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = a.next();
      if (u !== b.next()) throw new Error(`same seed diverged at draw ${i}`);
      if (!(u >= 0 && u < 1)) throw new Error(`out of range: ${u}`);
      sum += a.exp(2);
      b.exp(2);
    }
    expect(sum / 100_000).toBeCloseTo(2, 1);
  });
});
