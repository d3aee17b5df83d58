import { describe, expect, it } from 'vitest';
import { PortAllocator } from '../../sim/net/port-allocator.js';
import { TimeWaitTable } from '../../sim/net/time-wait-table.js';

describe('PortAllocator (ephemeral ports towards one destination)', () => {
  it('fails with EADDRNOTAVAIL once every port is open or in TIME_WAIT, and recovers after 60 s', () => {
    const tw = new TimeWaitTable(60, 1_000_000);
    const ports = new PortAllocator(32768, 32867, tw, false);
    const taken: number[] = [];
    for (let i = 0; i < 100; i++) taken.push(ports.connect(0));
    expect(new Set(taken).size).toBe(100);
    expect(ports.connect(0)).toBe(-1);
    for (const p of taken) ports.release(p, 1, true);
    expect(tw.count).toBe(100);
    expect(ports.connect(30)).toBe(-1);
    expect(ports.connect(61)).toBeGreaterThanOrEqual(32768);
    expect(tw.count).toBe(0);
  });

  it('tcp_tw_reuse takes over a TIME_WAIT port once it is at least 1 s old', () => {
    const tw = new TimeWaitTable(60, 1_000_000);
    const ports = new PortAllocator(40000, 40001, tw, true);
    const a = ports.connect(0);
    const b = ports.connect(0);
    ports.release(a, 0, true);
    ports.release(b, 0, true);
    expect(ports.connect(0.5)).toBe(-1);
    expect(ports.connect(1.5)).toBe(a);
    expect(tw.count).toBe(1);
  });

  it('tcp_max_tw_buckets: past the cap a close skips TIME_WAIT and the port is free at once', () => {
    const tw = new TimeWaitTable(60, 1);
    const ports = new PortAllocator(50000, 50001, tw, false);
    const a = ports.connect(0);
    const b = ports.connect(0);
    ports.release(a, 0, true);
    ports.release(b, 0, true);
    expect(tw.count).toBe(1);
    expect(tw.overflows).toBe(1);
    expect(ports.connect(0)).toBe(b);
  });
});
