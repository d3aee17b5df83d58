/**
 * A fixed-delay lane drops the given-up entries at its head when an entry is pushed (fifo-lane.ts
 * push, issue 14 session 31), not only when the engine fires there or compacts a full ring. The
 * entries still armed keep the sequence numbers they were armed with, so ties with heap events at the
 * same instant resolve as before, and a lane whose head moved later under a push is no longer taken
 * for the one that fires first.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';

/** Internal view of a lane's ring (checked on purpose: the point is what stays queued). */
const ring = (engine: Engine, lane: number) =>
  (engine as unknown as { lanes: Array<{ count: number; time: Float64Array }> }).lanes[lane];

describe('given-up lane entries dropped at a push', () => {
  it('drops the given-up head run at the next push; ties with the heap keep the arming order', () => {
    const e = new Engine();
    const lane = e.fixedDelay(2);
    const cells = new Float64Array(12);
    const log: string[] = [];
    const rec = (label: string) => () => log.push(`${label}@${e.now}`);
    e.at(2, rec('heap-before'), null);
    for (let k = 0; k < 10; k++) e.scheduleFixed(lane, rec(`lane${k}`), null, cells, k);
    e.at(2, rec('heap-middle'), null);
    for (let k = 0; k < 9; k++) cells[k] = -1; // answered: lane9 alone still armed
    expect(ring(e, lane).count).toBe(10);
    e.scheduleFixed(lane, rec('lane10'), null, cells, 10);
    // lane0..lane8 went at the push: lane9 (armed) is the head, lane10 behind it.
    expect(ring(e, lane).count).toBe(2);
    e.at(2, rec('heap-after'), null);
    expect(e.pending).toBe(5);
    e.run(Infinity);
    // All due at 2: in the order they were scheduled (armed), as with heap events alone.
    expect(log).toEqual(['heap-before@2', 'lane9@2', 'heap-middle@2', 'lane10@2', 'heap-after@2']);
    expect(e.fired).toBe(5);
  });

  it('a lane whose head moved later under a push gives way to another lane’s earlier head', () => {
    const e = new Engine();
    const a = e.fixedDelay(1);
    const b = e.fixedDelay(1.5);
    const cells = new Float64Array(3);
    const log: string[] = [];
    const rec = (label: string) => () => log.push(`${label}@${e.now}`);
    e.scheduleFixed(a, rec('a0'), null, cells, 0); // due 1: the first lane's head
    e.scheduleFixed(b, rec('b0'), null, cells, 1); // due 1.5
    e.at(
      0.9,
      () => {
        cells[0] = -1;
        // The push drops a0: lane a's head is now 1.9, after lane b's 1.5.
        e.scheduleFixed(a, rec('a1'), null, cells, 2);
        expect(ring(e, a).count).toBe(1);
      },
      null,
    );
    e.run(Infinity);
    expect(log).toEqual(['b0@1.5', 'a1@1.9']);
  });

  it('a full ring with more than a quarter still armed doubles (a compaction per ¾ ring of pushes at most)', () => {
    const e = new Engine(16); // rings of 16
    const lane = e.fixedDelay(30);
    const cells = new Float64Array(64);
    // The oldest entry stays armed (the head: nothing behind it goes at a push); 5 of 16 armed.
    for (let k = 0; k < 16; k++) {
      e.scheduleFixed(lane, () => {}, null, cells, k);
      if (k % 4 !== 0 && k !== 15) cells[k] = -1;
    }
    expect(ring(e, lane).time.length).toBe(16);
    e.scheduleFixed(lane, () => {}, null, cells, 16); // full: compacts to 5, > 16 / 4: doubles
    expect(ring(e, lane).count).toBe(6);
    expect(ring(e, lane).time.length).toBe(32);
    e.run(Infinity);
    expect(e.fired).toBe(6);
  });
});
