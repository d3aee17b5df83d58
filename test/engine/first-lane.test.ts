/**
 * The engine remembers the fixed-delay lane whose head fires first (engine.ts `firstLane`) and looks
 * again only when a lane's head moved. review26 found a move it missed: a full ring (64 entries, its
 * initial capacity) whose entries behind the head were all cancelled, and then the head: the drop
 * empties the lane and wraps its head index back to where it was, so comparing head indices saw no
 * move, the empty lane stayed "first", and the engine fired slot -1 (TypeError: fn is not a function).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';

describe('firstLane after a cancel that empties a full lane', () => {
  for (const size of [64, 128]) {
    it(`${size} entries on one lane, cancelled tail first and then the head: the heap's event fires, nothing else`, () => {
      const e = new Engine();
      const lane = e.fixedDelay(5);
      const fired: string[] = [];
      const ids: number[] = [];
      for (let k = 0; k < size; k++) ids.push(e.scheduleFixed(lane, () => fired.push(`lane${k}`), null));
      e.schedule(10, () => fired.push('heap10'), null);
      expect(e.peekTime()).toBe(5);
      for (let k = 1; k < size; k++) e.cancel(ids[k]);
      expect(e.peekTime()).toBe(5);
      e.cancel(ids[0]);
      expect(e.pending).toBe(1);
      expect(e.peekTime()).toBe(10);
      e.run(20);
      expect(fired).toEqual(['heap10']);
    });
  }

  it('a lane emptied that way takes new entries and fires them in order with the heap', () => {
    const e = new Engine();
    const lane = e.fixedDelay(5);
    const fired: string[] = [];
    const ids: number[] = [];
    for (let k = 0; k < 64; k++) ids.push(e.scheduleFixed(lane, () => fired.push(`old${k}`), null));
    for (let k = 63; k >= 0; k--) e.cancel(ids[k]);
    e.schedule(7, () => fired.push('heap7'), null);
    e.scheduleFixed(lane, () => fired.push('lane5'), null);
    e.run(20);
    expect(fired).toEqual(['lane5', 'heap7']);
  });
});
