import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../../../sim/engine/mulberry32.js';
import type { AppJob } from '../../../sim/model/core/app-job.js';
import { JobList } from '../../../sim/model/core/job-list.js';

const job = (id: number) => ({ id, inList: null, indexInList: -1 }) as unknown as AppJob & { id: number };

describe('JobList: an app’s jobs in service', () => {
  it('keeps a Set’s membership and insertion order through adds, deletes and compactions', () => {
    const rng = new Mulberry32(9);
    const jobs = Array.from({ length: 3000 }, (_, i) => job(i));
    const list = new JobList();
    const set = new Set<AppJob>();
    for (let step = 0; step < 100_000; step++) {
      const j = jobs[Math.floor(rng.next() * jobs.length)]!;
      // Phases: grow to thousands, shrink to a few (compactions), grow again.
      const addBias = Math.floor(step / 10_000) % 2 === 0 ? 0.7 : 0.3;
      if (rng.next() < addBias) {
        list.add(j);
        set.add(j);
      } else expect(list.delete(j)).toBe(set.delete(j));
      if (step % 1999 === 0) {
        expect(list.size).toBe(set.size);
        expect([...list]).toEqual([...set]);
      }
    }
    expect([...list]).toEqual([...set]);
  });

  it('reuses the slots the newest jobs left and those a compaction freed (slot numbers stay bounded)', () => {
    // The array is never shortened (slot-order.ts `end`): the slots past `end` must be taken again
    // in order, not appended after them, or slot numbers and walks would grow without bound.
    const list = new JobList();
    const jobs = Array.from({ length: 300 }, (_, i) => job(i));
    const set = new Set<AppJob>();
    let highest = -1;
    for (let round = 0; round < 50; round++) {
      for (const j of jobs.slice(0, 100 + (round % 3) * 100)) {
        list.add(j);
        set.add(j);
        highest = Math.max(highest, j.indexInList);
      }
      // Every tenth round the newest leave (trailing trim); every round every other older one does
      // while the newest stays (compaction past 64 slots, no trim to hide a slot left behind).
      if (round % 10 === 0)
        for (const j of [...set].reverse().slice(0, 50)) {
          list.delete(j);
          set.delete(j);
        }
      for (const j of [...set].filter((_, i, all) => i % 2 === 0 && i < all.length - 1)) {
        list.delete(j);
        set.delete(j);
      }
      expect([...list]).toEqual([...set]);
      const slots = [...list].map((j) => j.indexInList);
      expect(slots).toEqual([...slots].sort((a, b) => a - b));
      expect(new Set(slots).size).toBe(slots.length);
    }
    // 300 jobs at most in the list at once, and holes are squeezed out once they are more than
    // half the slots: never a slot past twice that (appending after the freed slots would reach
    // thousands over the 50 rounds).
    expect(highest).toBeLessThan(600);
    expect(highest).toBeGreaterThan(150);
  });

  it('an iteration survives deletes of the job just yielded and visits jobs added meanwhile', () => {
    const list = new JobList();
    const jobs = Array.from({ length: 200 }, (_, i) => job(i));
    for (const j of jobs) list.add(j);
    const seen: number[] = [];
    for (const j of list) {
      const id = (j as AppJob & { id: number }).id;
      seen.push(id);
      list.delete(j); // would compact (2·count < slots) if not iterating
      if (id === 0) list.add(job(1000));
    }
    expect(seen).toEqual([...jobs.map((_, i) => i), 1000]);
    expect(list.size).toBe(0);
    // And afterwards the list works as before.
    list.add(jobs[3]!);
    list.add(jobs[1]!);
    expect([...list]).toEqual([jobs[3], jobs[1]]);
  });

  it('a job is in one list at a time; clear() lets every job go', () => {
    const a = new JobList();
    const b = new JobList();
    const j = job(1);
    a.add(j);
    expect(() => b.add(j)).toThrow(/another list/);
    expect(b.delete(j)).toBe(false);
    a.clear();
    expect(a.size).toBe(0);
    b.add(j);
    expect([...b]).toEqual([j]);
  });
});
