/**
 * The engine remembers the fixed-delay lane whose head fires first (engine.ts `firstLane`) and looks
 * again only when a lane's head moved. review26 found a move it missed: a full ring whose entries
 * behind the head were all cancelled, and then the head, emptied the lane with its head index back
 * where it was, and the engine fired a dead slot. Since session 30 a lane's events are given up by a
 * store into their cells (engine.ts scheduleFixed), unseen by the engine until it looks at the head:
 * a head given up this way must be dropped, not fired, whatever lane or heap event comes next.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';

describe('firstLane when the lanes’ heads are given up', () => {
  for (const size of [64, 128]) {
    it(`${size} entries on one lane, given up tail first and then the head: the heap's event fires, nothing else`, () => {
      const e = new Engine();
      const lane = e.fixedDelay(5);
      const fired: string[] = [];
      const cells = new Float64Array(size);
      for (let k = 0; k < size; k++) e.scheduleFixed(lane, () => fired.push(`lane${k}`), null, cells, k);
      e.schedule(10, () => fired.push('heap10'), null);
      expect(e.peekTime()).toBe(5);
      for (let k = 1; k < size; k++) cells[k] = -1;
      expect(e.peekTime()).toBe(5);
      cells[0] = -1;
      expect(e.pending).toBe(1);
      expect(e.peekTime()).toBe(10);
      e.run(20);
      expect(fired).toEqual(['heap10']);
      expect(e.fired).toBe(1);
    });
  }

  it('a lane emptied that way takes new entries and fires them in order with the heap', () => {
    const e = new Engine();
    const lane = e.fixedDelay(5);
    const fired: string[] = [];
    const cells = new Float64Array(65);
    for (let k = 0; k < 64; k++) e.scheduleFixed(lane, () => fired.push(`old${k}`), null, cells, k);
    for (let k = 63; k >= 0; k--) cells[k] = -1;
    e.schedule(7, () => fired.push('heap7'), null);
    e.scheduleFixed(lane, () => fired.push('lane5'), null, cells, 64);
    e.run(20);
    expect(fired).toEqual(['lane5', 'heap7']);
  });

  it('a given-up head before another lane’s armed one is skipped in step() and peekTime()', () => {
    const e = new Engine();
    const early = e.fixedDelay(1);
    const late = e.fixedDelay(2);
    const fired: string[] = [];
    const cells = new Float64Array(2);
    e.scheduleFixed(early, () => fired.push('early'), null, cells, 0);
    e.scheduleFixed(late, () => fired.push('late'), null, cells, 1);
    cells[0] = -1;
    expect(e.peekTime()).toBe(2);
    expect(e.step()).toBe(true);
    expect(fired).toEqual(['late']);
    expect(e.now).toBe(2);
    expect(e.step()).toBe(false);
  });
});
