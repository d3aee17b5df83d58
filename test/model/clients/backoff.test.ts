/** Reconnect/retry delays (AWS "Exponential Backoff And Jitter"), without a run. */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { backoffDelay, hasJitter, randomizedDelay, retryAfterDelay } from '../../../sim/model/clients/backoff.js';
import { BackoffSchema } from '../../../sim/scenario/schema.js';

const cfg = (policy: string) => BackoffSchema.parse({ policy, base: '100ms', cap: '2s' });
const rng = () => new RandomStreams(3).stream('test.backoff');

describe('backoff', () => {
  it('capped exponential doubles from base up to cap', () => {
    const c = cfg('exponential');
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(c, n, rng(), 0))).toEqual([0.1, 0.2, 0.4, 0.8, 1.6, 2, 2]);
  });

  it('full jitter stays in [0, capped exponential), equal jitter in [half, whole)', () => {
    const r = rng();
    for (let n = 0; n < 8; n++) {
      const expo = Math.min(2, 0.1 * 2 ** n);
      const full = backoffDelay(cfg('full_jitter'), n, r, 0);
      const equal = backoffDelay(cfg('equal_jitter'), n, r, 0);
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThan(expo);
      expect(equal).toBeGreaterThanOrEqual(expo / 2);
      expect(equal).toBeLessThan(expo);
    }
  });

  it('decorrelated jitter grows from the previous delay within [base, 3·previous], capped', () => {
    const r = rng();
    let prev = 0;
    for (let n = 0; n < 20; n++) {
      const d = backoffDelay(cfg('decorrelated_jitter'), n, r, prev);
      expect(d).toBeGreaterThanOrEqual(0.1);
      expect(d).toBeLessThanOrEqual(Math.min(2, 3 * (prev > 0 ? prev : 0.1)));
      prev = d;
    }
  });

  it('immediate retries at once; a drain notice is honoured with or without jitter', () => {
    expect(backoffDelay(cfg('immediate'), 5, rng(), 0)).toBe(0);
    expect(retryAfterDelay(cfg('exponential'), 30, rng())).toBe(30);
  });

  it("a drain notice's retryAfter is a minimum: jitter goes on top, over a window as wide as retryAfter", () => {
    expect(retryAfterDelay(cfg('immediate'), 30, rng())).toBe(30);
    const r = rng();
    for (const policy of ['full_jitter', 'equal_jitter', 'decorrelated_jitter'] as const) {
      const delays = Array.from({ length: 2000 }, () => retryAfterDelay(cfg(policy), 30, r));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(30);
      expect(Math.max(...delays)).toBeLessThan(60);
      // Spread over the whole window, not bunched at its start.
      expect(delays.filter((d) => d >= 45).length).toBeGreaterThan(800);
    }
  });
});

/**
 * socket.io-client's reconnection delay (packages/socket.io-client/lib/contrib/backo2.ts
 * Backoff.prototype.duration with the Manager's defaults reconnectionDelay 1000,
 * reconnectionDelayMax 5000, randomizationFactor 0.5), restated here from the source:
 *   ms = min · 2^attempts; deviation = floor(rand · jitter · ms);
 *   ms = (floor(rand · 10) & 1) == 0 ? ms − deviation : ms + deviation; return min(ms, max) | 0
 */
describe('backoff: randomized (socket.io-client)', () => {
  const io = BackoffSchema.parse({ policy: 'randomized', base: '1s', cap: '5s' });
  const backo2 = (attempt: number, rand: number, jitter = 0.5): number => {
    let ms = 1000 * 2 ** attempt;
    const deviation = Math.floor(rand * jitter * ms);
    ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
    return (Math.min(ms, 5000) | 0) / 1000;
  };

  it("is backo2's duration: one draw gives the deviation and its sign, the cap comes after the jitter", () => {
    for (let attempt = 0; attempt < 8; attempt++)
      for (let i = 0; i < 1000; i++) {
        const rand = i / 1000 + 0.0003;
        expect(randomizedDelay(io, attempt, rand)).toBe(backo2(attempt, rand));
      }
    // rand 0.25: an even tenth, subtracted: 1000 − 125 ms; 0.15: odd, added: 1000 + 75 ms.
    expect(randomizedDelay(io, 0, 0.25)).toBe(0.875);
    expect(randomizedDelay(io, 0, 0.15)).toBe(1.075);
    // 8 s − 0.85 · 4 s = 4.6 s (an even tenth below the cap); 8 s − 0.7 · 4 s = 5.2 s → the cap.
    expect(randomizedDelay(io, 3, 0.85)).toBe(4.6);
    expect(randomizedDelay(io, 3, 0.65)).toBe(5);
  });

  it('spreads the first reconnects over ±50 %, and from the 5th on every client waits exactly the cap', () => {
    const r = rng();
    const first = Array.from({ length: 2000 }, () => backoffDelay(io, 0, r, 0));
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...first)).toBeLessThanOrEqual(1.5);
    expect(first.filter((d) => d < 1).length).toBeGreaterThan(800);
    expect(first.filter((d) => d > 1).length).toBeGreaterThan(800);
    // 16 s − at most 8 s never reaches below 5 s: no spread left.
    for (const attempt of [4, 5, 10, 40])
      expect(new Set(Array.from({ length: 200 }, () => backoffDelay(io, attempt, r, 0)))).toEqual(new Set([5]));
    // The 4th: 8 s ± up to 4 s, below the cap only on the even tenth [0.8, 0.9): 4.4–4.8 s.
    const fourth = Array.from({ length: 4000 }, () => backoffDelay(io, 3, r, 0));
    const below = fourth.filter((d) => d < 5);
    expect(Math.min(...below)).toBeGreaterThan(4.4);
    expect(Math.max(...below)).toBeLessThanOrEqual(4.8);
    expect(below.length / fourth.length).toBeCloseTo(0.1, 1);
  });

  it('factor is its randomizationFactor (0.5 unset); only for policy randomized; its jitter goes on top of retryAfter', () => {
    const narrow = BackoffSchema.parse({ policy: 'randomized', base: '1s', cap: '5s', factor: 0.1 });
    expect(randomizedDelay(narrow, 0, 0.95)).toBe(backo2(0, 0.95, 0.1));
    expect(randomizedDelay(narrow, 0, 0.95)).toBe(1.095);
    expect(() => BackoffSchema.parse({ policy: 'full_jitter', factor: 0.5 })).toThrow(/randomized/);
    expect(() => BackoffSchema.parse({ policy: 'randomized', factor: 0 })).toThrow();
    expect(() => BackoffSchema.parse({ policy: 'randomized', factor: 1.5 })).toThrow();
    expect(hasJitter(io)).toBe(true);
    const after = Array.from({ length: 500 }, () => retryAfterDelay(io, 30, rng()));
    expect(Math.min(...after)).toBeGreaterThanOrEqual(30);
  });

  it('the default policy is unchanged (full_jitter, no factor)', () => {
    const d = BackoffSchema.parse({});
    expect(d.policy).toBe('full_jitter');
    expect(d.factor).toBeUndefined();
  });
});
