/** Reconnect/retry delays (AWS "Exponential Backoff And Jitter"), without a run. */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { backoffDelay, retryAfterDelay } from '../../../sim/model/clients/backoff.js';
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
