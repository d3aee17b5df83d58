/**
 * A gone pod's address under a bridge CNI (lb/gone-addresses.ts): one neighbour entry per address,
 * failing 3 s after the packet that started its lookup (net/core/neighbour.c __neigh_event_send,
 * neigh_timer_handler; net/ipv4/arp.c arp_tbl); packets sent meanwhile join its queue and fail
 * with it, a packet after the failure starts a new lookup.
 */
import { describe, expect, it } from 'vitest';
import { GoneAddresses } from '../../../sim/model/lb/gone-addresses.js';

describe('GoneAddresses', () => {
  it('connects during a lookup fail with it; the next one starts another', () => {
    const g = new GoneAddresses(2);
    expect(g.unreachableIn(0, 5)).toBe(Number.POSITIVE_INFINITY);
    g.podGone(0);
    expect(g.unreachableIn(1, 10)).toBe(Number.POSITIVE_INFINITY);
    // Fails at 13, 3 s after the packet that started the lookup; one sent at 12.5 joins it.
    expect(g.unreachableIn(0, 10)).toBe(3);
    expect(g.unreachableIn(0, 12.5)).toBe(0.5);
    // Sent at the failure: a new lookup, failing at 16.
    expect(g.unreachableIn(0, 13)).toBe(3);
    g.podBack(0);
    expect(g.unreachableIn(0, 13.5)).toBe(Number.POSITIVE_INFINITY);
    g.podGone(0);
    // A new pod's address had come and gone: no lookup under way for this one (fails at 17, not 16).
    expect(g.unreachableIn(0, 14)).toBe(3);
  });
});
