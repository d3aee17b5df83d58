import { describe, expect, it } from 'vitest';
import { PortMap } from '../../sim/net/port-map.js';

/** A deterministic stream of small integers (no Math.random in tests either). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

describe('PortMap (a pair’s few sockets by port)', () => {
  it('answers as a Map through random adds and deletes, growing past 512 sockets', () => {
    const next = lcg(7);
    const m = new PortMap();
    const ref = new Map<number, number>();
    for (let step = 0; step < 20000; step++) {
      // Ports clustered as a walk leaves them, so that runs form and deletions shift them.
      const port = 32768 + (next() % (step < 10000 ? 700 : 28000));
      if (ref.has(port)) {
        expect(m.get(port)).toBe(ref.get(port));
        if (next() % 3 !== 0 || ref.size > 600) {
          expect(m.delete(port)).toBe(ref.get(port));
          ref.delete(port);
        } else if (next() % 4 === 0) {
          // A socket changing state keeps its port: its value replaced in place.
          const entry = next() % 100000;
          m.replace(port, entry);
          ref.set(port, entry);
        }
      } else if (ref.size < 600) {
        const entry = next() % 100000;
        m.set(port, entry);
        ref.set(port, entry);
      }
      expect(m.size).toBe(ref.size);
      if (step % 97 === 0) {
        for (const [p, e] of ref) expect(m.get(p)).toBe(e);
        expect(m.get(port + 100000)).toBe(-1);
      }
    }
    const seen = new Map<number, number>();
    for (let i = 0; i < m.capacity; i++) if (m.portAt(i) >= 0) seen.set(m.portAt(i), m.entryAt(i));
    expect(seen).toEqual(ref);
  });

  it('keeps every port findable after deleting from the middle of a wrapped run', () => {
    const m = new PortMap();
    // Ports whose home slots collide in the 8-slot start table, then deletions of each in turn.
    const ports = [1, 2, 3];
    for (const [i, p] of ports.entries()) m.set(p, i);
    for (const p of ports) {
      expect(m.delete(p)).toBe(ports.indexOf(p));
      expect(m.delete(p)).toBe(-1);
      for (const q of ports) if (q > p) expect(m.get(q)).toBe(ports.indexOf(q));
      expect(m.get(p)).toBe(-1);
    }
    expect(m.size).toBe(0);
  });
});
