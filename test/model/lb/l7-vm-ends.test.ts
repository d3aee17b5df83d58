/**
 * The L7 balancer's table of nginx's connection ends by local port (lb/l7-vm-ends.ts, an
 * open-addressing table with backward-shift deletion) behaves as a Map from port to (host, pair)
 * under any sequence of sets and deletes, through growth and wrap-around of probe runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VmEnds } from '../../../sim/model/lb/l7-vm-ends.js';
import type { HostSockets } from '../../../sim/net/host-sockets.js';

const hostA = { name: 'a' } as unknown as HostSockets;
const hostB = { name: 'b' } as unknown as HostSockets;

/** Apply `ops` to a VmEnds and to a Map; every lookup must agree, and at the end on the ports `from`..`to`. */
function agrees(ops: Array<[boolean, number, number]>, from: number, to: number, step: number): void {
  const t = new VmEnds();
  const m = new Map<number, [HostSockets, number]>();
  for (const [add, port, pair] of ops) {
    const host = pair % 2 === 0 ? hostA : hostB;
    if (add) {
      t.set(port, host, pair);
      m.set(port, [host, pair]);
    } else {
      const slot = t.find(port);
      expect(slot >= 0).toBe(m.has(port));
      if (slot >= 0) {
        expect([t.hostAt(slot), t.pairAt(slot)]).toEqual(m.get(port));
        t.deleteAt(slot);
        m.delete(port);
      }
    }
    expect(t.size).toBe(m.size);
  }
  for (let port = from; port <= to; port += step) {
    const slot = t.find(port);
    expect(slot >= 0 ? [t.hostAt(slot), t.pairAt(slot)] : undefined).toEqual(m.get(port));
  }
}

describe('VmEnds', () => {
  it('agrees with a Map under random sets and deletes (few ports: long probe runs and reuse)', () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 32768, max: 32868 }), fc.integer({ min: 0, max: 1e6 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => agrees(ops, 32768, 32868, 1)),
      { numRuns: 200 },
    );
  });

  it('agrees with a Map over the whole port range, through several growths', () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 3000 }), (ops) => agrees(ops, 0, 65535, 61)),
      { numRuns: 30 },
    );
  });

  it('a port walk opening and closing connections keeps the table small (no growth from churn)', () => {
    const t = new VmEnds();
    for (let port = 1024; port < 60000; port++) {
      t.set(port, hostA, port);
      if (port >= 1034) t.deleteAt(t.find(port - 10));
    }
    expect(t.size).toBe(10);
    expect((t as unknown as { ports: Int32Array }).ports.length).toBeLessThanOrEqual(32);
  });
});

describe('VmEnds growth', () => {
  it('grows for a new port past half full, not for replacing a port it holds', () => {
    const t = new VmEnds();
    const start = t.capacity;
    // Exactly half full: one more new port would grow the table.
    for (let port = 0; port < start / 2; port++) t.set(port, hostA, port);
    expect(t.capacity).toBe(start);
    t.set(3, hostB, 99);
    expect(t.capacity).toBe(start);
    expect(t.size).toBe(start / 2);
    const slot = t.find(3);
    expect([t.hostAt(slot), t.pairAt(slot)]).toEqual([hostB, 99]);
    t.set(start, hostA, 1);
    expect(t.capacity).toBe(2 * start);
    expect(t.size).toBe(start / 2 + 1);
  });
});
