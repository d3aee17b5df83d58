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
    expect(g.unreachableNow(0)).toBe(false);
    g.podGone(0);
    expect(g.unreachableNow(0)).toBe(true);
    expect(g.unreachableNow(1)).toBe(false);
    expect(g.hostUnreachableAt(0, 10)).toBe(13);
    expect(g.hostUnreachableAt(0, 12.5)).toBe(13);
    expect(g.hostUnreachableAt(0, 13)).toBe(16);
    g.podBack(0);
    expect(g.unreachableNow(0)).toBe(false);
    g.podGone(0);
    // A new pod's address had come and gone: no lookup under way for this one.
    expect(g.hostUnreachableAt(0, 14)).toBe(17);
  });
});
