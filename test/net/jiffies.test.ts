import { describe, expect, it } from 'vitest';
import { JiffiesClock, wheelExpiryJiffy, wheelGranularity, wheelLevel } from '../../sim/net/jiffies.js';

describe('timer wheel (kernel/time/timer.c calc_wheel_index)', () => {
  it('puts a 60 s timer in level 3 (2.048 s slots) at HZ=250 and level 4 (4.096 s) at HZ=1000', () => {
    expect(wheelLevel(60 * 250, 250)).toBe(3);
    expect(wheelGranularity(3) / 250).toBeCloseTo(2.048, 9);
    expect(wheelLevel(60 * 1000, 1000)).toBe(4);
    expect(wheelGranularity(4) / 1000).toBeCloseTo(4.096, 9);
    expect(wheelLevel(62, 250)).toBe(0);
    expect(wheelLevel(63, 250)).toBe(1);
  });

  it('fires 1…LVL_GRAN jiffies after the expiry, on a slot boundary', () => {
    expect(wheelExpiryJiffy(0, 15000, 250)).toBe(15360); // 30·512, the boundary after 15000
    expect(wheelExpiryJiffy(360, 15000, 250)).toBe(15872); // 15360 itself is not after 15360
  });

  it('TIME_WAITs armed over 30 s leave in batches 2.048 s apart, living 61.03 s on average', () => {
    const clock = new JiffiesClock(250, 123456.7);
    const fires = new Set<number>();
    let life = 0;
    let n = 0;
    for (let t = 0; t < 30; t += 0.01) {
      const at = clock.timerFiresAt(t, 60);
      const lifetime = at - t;
      expect(lifetime).toBeGreaterThan(60);
      expect(lifetime).toBeLessThanOrEqual(62.048 + 0.004);
      fires.add(Math.round(at * 1000));
      life += lifetime;
      n++;
    }
    const sorted = [...fires].sort((a, b) => a - b);
    expect(sorted.length).toBeGreaterThanOrEqual(14);
    expect(sorted.length).toBeLessThanOrEqual(16);
    for (let k = 1; k < sorted.length; k++) expect(sorted[k] - sorted[k - 1]).toBe(2048);
    expect(life / n).toBeGreaterThan(60.9);
    expect(life / n).toBeLessThan(61.15);
  });
});
