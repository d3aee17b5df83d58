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
  it('cuts holes off the front without writing a job, and stays bounded with a job stuck in service', () => {
    const list = new JobList();
    const slotsOf = () => (list as unknown as { slots: unknown[] }).slots.length;
    const rng = new Mulberry32(4);
    // FIFO-ish service: 20 in service, the oldest usually leaves first.
    const inService: (AppJob & { id: number })[] = [];
    let next = 0;
    const stuck = job(-1);
    list.add(stuck); // never leaves: holds the front
    for (let step = 0; step < 50_000; step++) {
      if (inService.length < 20) {
        const j = job(next++);
        list.add(j);
        inService.push(j);
        continue;
      }
      const k = rng.next() < 0.8 ? 0 : Math.floor(rng.next() * inService.length);
      const [gone] = inService.splice(k, 1);
      const before = inService.map((j) => j.indexInList);
      list.delete(gone!);
      const after = inService.map((j) => j.indexInList);
      // A job's position moves only when the list renumbers (a window past 8 holes per job).
      if (after.some((p, i) => p !== before[i])) expect(after).toEqual(after.map((_, i) => i + 1));
      expect(slotsOf()).toBeLessThanOrEqual(Math.max(64, 8 * list.size) + 1);
    }
    expect([...list]).toEqual([stuck, ...inService]);
    list.delete(stuck);
    for (const j of [...inService]) list.delete(j);
    expect(slotsOf()).toBe(0);
    // Without the stuck job the front is cut off and no job is ever renumbered.
    const fifo: (AppJob & { id: number })[] = [];
    for (let i = 0; i < 10_000; i++) {
      const j = job(i);
      list.add(j);
      fifo.push(j);
      if (fifo.length > 30) {
        const first = fifo.shift()!;
        const positions = fifo.map((f) => f.indexInList);
        list.delete(first);
        expect(fifo.map((f) => f.indexInList)).toEqual(positions);
        expect(slotsOf()).toBeLessThanOrEqual(62);
      }
    }
    expect([...list]).toEqual(fifo);
  });
});
