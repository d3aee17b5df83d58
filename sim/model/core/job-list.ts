import type { AppJob } from './app-job.js';

/** Below this many slots a list is never compacted (not worth a pass). */
const COMPACT_MIN = 64;

/**
 * The jobs an app's workers are serving, in insertion order: an array of the jobs with a hole
 * (null) where one was deleted, each job holding its own slot number (AppJob.inList /
 * indexInList). Add appends; delete clears the job's slot and touches nothing else — a list
 * threaded through the jobs touched both neighbours, two more records out of cache per request
 * when thousands are in service, and a `Set` hashed every job twice. Holes are squeezed out when
 * they are more than half the slots (amortised O(1) per delete), never during an iteration.
 * Iteration is insertion order, as a Set's (pauses re-arm the jobs in service in that order, so
 * it is part of the event order). A job is in at most one list at a time (it is served by one
 * backend).
 */
export class JobList {
  private slots: (AppJob | null)[] = [];
  private count = 0;
  /** Iterations in progress (slot numbers must not move under them). */
  private iterating = 0;

  get size(): number {
    return this.count;
  }

  /** Append `job` (a no-op when it is already in this list, like Set.add). */
  add(job: AppJob): this {
    if (job.inList === this) return this;
    if (job.inList !== null) throw new Error('JobList.add: the job is already in another list');
    job.inList = this;
    job.indexInList = this.slots.length;
    this.slots.push(job);
    this.count++;
    return this;
  }

  /** Remove `job`; false when it is not in this list (like Set.delete). */
  delete(job: AppJob): boolean {
    if (job.inList !== this) return false;
    const slots = this.slots;
    const i = job.indexInList;
    slots[i] = null;
    job.inList = null;
    job.indexInList = -1;
    this.count--;
    if (this.iterating === 0) {
      if (i === slots.length - 1) {
        // The newest left: drop trailing holes (an idle app's list stays empty and short).
        let n = i;
        while (n > 0 && slots[n - 1] === null) n--;
        slots.length = n;
      } else if (slots.length > COMPACT_MIN && 2 * this.count < slots.length) this.compact();
    }
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
    this.count = 0;
  }

  /** In insertion order; the job just yielded may be deleted before the next one is asked for. */
  *[Symbol.iterator](): IterableIterator<AppJob> {
    this.iterating++;
    try {
      // Re-read the slots each step: a job added meanwhile is visited, as in a Set.
      for (let i = 0; i < this.slots.length; i++) {
        const job = this.slots[i];
        if (job !== null) yield job;
      }
    } finally {
      this.iterating--;
    }
  }

  /** Squeeze the holes out, keeping the order; each job learns its new slot. */
  private compact(): void {
    const slots = this.slots;
    let kept = 0;
    for (let i = 0; i < slots.length; i++) {
      const job = slots[i];
      if (job === null) continue;
      job.indexInList = kept;
      slots[kept++] = job;
    }
    slots.length = kept;
  }
}
