import { describe, expect, it } from 'vitest';
import { RandomStreams, type Rng } from '../../sim/engine/random.js';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

describe('RandomStreams', () => {
  it('gives the same sequence for the same seed and name', () => {
    const a = new RandomStreams(7).stream('clients.ws.lifetime');
    const b = new RandomStreams(7).stream('clients.ws.lifetime');
    expect(draws(a, 1000)).toEqual(draws(b, 1000));
  });

  it('returns one cached stream per name, which continues where it stopped', () => {
    const streams = new RandomStreams(7);
    const first = draws(streams.stream('x'), 5);
    const next = draws(streams.stream('x'), 5);
    expect(streams.stream('x')).toBe(streams.stream('x'));
    expect(first.concat(next)).toEqual(draws(new RandomStreams(7).stream('x'), 10));
  });

  it('gives different sequences to different names', () => {
    const streams = new RandomStreams(7);
    const a = draws(streams.stream('app.vm-a.gc'), 100);
    const b = draws(streams.stream('app.vm-b.gc'), 100);
    expect(a.filter((v, i) => v === b[i])).toEqual([]);
  });

  it("does not let other streams' existence or use change a stream's draws", () => {
    const alone = draws(new RandomStreams(99).stream('clients.http.think'), 200);

    const busy = new RandomStreams(99);
    const other = busy.stream('lb.health');
    draws(other, 500);
    const target = busy.stream('clients.http.think');
    const interleaved: number[] = [];
    for (let i = 0; i < 200; i++) {
      interleaved.push(target.next());
      busy.stream(`noise.${i}`).next();
      other.next();
    }
    expect(interleaved).toEqual(alone);
  });

  it('gives different sequences for different seeds', () => {
    const a = draws(new RandomStreams(1).stream('s'), 100);
    const b = draws(new RandomStreams(2).stream('s'), 100);
    expect(a.filter((v, i) => v === b[i])).toEqual([]);
  });

  it('keeps the stream derivation stable (golden summaries depend on it)', () => {
    const rng = new RandomStreams(42).stream('clients.ws.lifetime');
    expect(draws(rng, 3)).toEqual([0.5951543780975044, 0.2856246286537498, 0.05035879206843674]);
  });

  it('draws uniformly in [0, 1)', () => {
    const n = 200_000;
    const rng = new RandomStreams(3).stream('uniformity');
    let sum = 0;
    let outside = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      buckets[Math.floor(u * 10)]!++;
    }
    expect(outside).toBe(0);
    // Mean within 4 standard errors; the uniform's variance is 1/12.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    // Pearson chi-square with 9 degrees of freedom: 27.88 is its 0.999 quantile.
    const expected = n / 10;
    const chi2 = buckets.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => new RandomStreams(Number.NaN)).toThrow(/finite/);
  });
});
