import { describe, expect, it } from 'vitest';
import { inWholeJiffies } from '../../../sim/net/jiffies.js';
import { firstDataRto } from '../../../sim/net/tcp.js';

// icsk_rto is a whole number of jiffies: __tcp_set_rto() converts with usecs_to_jiffies(), which
// rounds up, and tcp_retransmit_timer doubles the integer.
describe('the connecting kernel RTO in jiffies', () => {
  it('rounds a loopback RTO up to the next jiffy (200.1 ms is 51 jiffies at HZ 250)', () => {
    const rto = inWholeJiffies(firstDataRto(0.0001), 250);
    expect(rto).toBeCloseTo(0.204, 12);
    // The 8-RTO copy: 1.632 s, not 1.6 s.
    expect(8 * rto).toBeCloseTo(1.632, 12);
  });

  it('keeps an exact number of jiffies as it is, at every HZ', () => {
    for (const hz of [100, 250, 300, 1000]) expect(inWholeJiffies(0.2, hz)).toBe(0.2);
    expect(inWholeJiffies(firstDataRto(0.03), 250)).toBeCloseTo(0.232, 12); // 57.5 → 58 jiffies
    expect(inWholeJiffies(firstDataRto(0.03), 1000)).toBeCloseTo(0.23, 12);
  });
});
