import { describe, expect, it } from 'vitest';
import type { AppJob } from '../../../sim/model/core/app-job.js';
import { JobList } from '../../../sim/model/core/job-list.js';

const job = (id: number) => ({ id, inList: null, indexInList: -1 }) as unknown as AppJob & { id: number };

// A timed-out client's request is replaced in the app by a stand-in (app-server.ts orphan): the
// stand-in must keep the request's place, as a pause re-arms the jobs in service in list order.
describe('JobList.replace (the stand-in of an abandoned request keeps its place)', () => {
  it('puts the new job in the old one’s slot; the old one leaves the list', () => {
    const [a, b, c, d] = [job(1), job(2), job(3), job(4)];
    const list = new JobList();
    list.add(a).add(b).add(c);
    expect(list.replace(b, d)).toBe(true);
    expect([...list]).toEqual([a, d, c]);
    expect(list.has(b)).toBe(false);
    expect(b.inList).toBeNull();
    expect(list.size).toBe(3);
    // Deleting the stand-in later works like any job's delete.
    expect(list.delete(d)).toBe(true);
    expect([...list]).toEqual([a, c]);
  });

  it('refuses a job not in the list, or a stand-in already in one', () => {
    const [a, b, c] = [job(1), job(2), job(3)];
    const list = new JobList();
    list.add(a).add(b);
    expect(list.replace(c, job(9))).toBe(false);
    expect(list.replace(a, b)).toBe(false);
    expect([...list]).toEqual([a, b]);
  });
});
