import type { AppJob } from './app-job.js';
import { SlotOrder } from './slot-order.js';

/**
 * The jobs an app's workers are serving, in insertion order (slot-order.ts: an array with holes,
 * each job holding its own slot number, AppJob.inList / indexInList). Add appends; delete clears
 * the job's slot and touches nothing else — a list threaded through the jobs touched both
 * neighbours, two more records out of cache per request when thousands are in service, and a
 * `Set` hashed every job twice. Iteration is insertion order, as a Set's (pauses re-arm the jobs
 * in service in that order, so it is part of the event order). A job is in at most one list at a
 * time (it is served by one backend).
 */
export class JobList extends SlotOrder<AppJob> {
  /** Append `job` (a no-op when it is already in this list, like Set.add). */
  add(job: AppJob): this {
    if (job.inList === this) return this;
    if (job.inList !== null) throw new Error('JobList.add: the job is already in another list');
    job.inList = this;
    this.append(job);
    return this;
  }

  /** Remove `job`; false when it is not in this list (like Set.delete). */
  delete(job: AppJob): boolean {
    if (job.inList !== this) return false;
    const i = job.indexInList;
    job.inList = null;
    job.indexInList = -1;
    this.vacate(i);
    return true;
  }

  /** Put `next` in `job`'s slot (same place in the order); false when `job` is not in this list. */
  replace(job: AppJob, next: AppJob): boolean {
    if (job.inList !== this || next.inList !== null) return false;
    this.slots[job.indexInList] = next;
    next.inList = this;
    next.indexInList = job.indexInList;
    job.inList = null;
    job.indexInList = -1;
    return true;
  }

  has(job: AppJob): boolean {
    return job.inList === this;
  }

  clear(): void {
    for (const job of this.slots) {
      if (job === null) continue;
      job.inList = null;
      job.indexInList = -1;
    }
    this.slots = [];
    this.end = 0;
    this.count = 0;
  }

  protected moved(job: AppJob, slot: number): void {
    job.indexInList = slot;
  }
}
