import type { AppJob } from './app-job.js';

/** Below this many slots a list is never renumbered (not worth a pass). */
const COMPACT_MIN = 64;
/** Holes a list tolerates per job before it renumbers its jobs (see `delete`). */
const HOLES_PER_JOB = 8;
/** Positions stay small integers (V8 keeps them in the record, no heap number): renumbered from 0 past this. */
const POSITION_LIMIT = 2 ** 30;

/**
 * The jobs an app's workers are serving, in insertion order: an array of the jobs with a hole
 * (null) where one was deleted, each job holding its own position (AppJob.inList /
 * indexInList). Add appends; delete clears the job's slot and touches nothing else — a list
 * threaded through the jobs touched both neighbours, two more records out of cache per request
 * when thousands are in service, and a `Set` hashed every job twice.
 *
 * A position is absolute: the job's slot is `slots[indexInList - base]`. Holes at the front are
 * passed (`head`) and, once they are half the array, cut off by moving `base`: the jobs keep
 * their positions, so that costs no job a write. Holes in the middle stay until they reach the
 * front: services are not FIFO, so the oldest job in service holds the front while the ones
 * added after it come and go (with exponential services, the window from the oldest job to the
 * newest is a few times the jobs in service). Only a window past HOLES_PER_JOB holes per job (a
 * job stuck in service: a hung app) renumbers the jobs, each one written once (amortised O(1) per
 * delete). Never during an iteration. Iteration is insertion order, as a Set's (pauses re-arm the
 * jobs in service in that order, so it is part of the event order). A job is in at most one list
 * at a time (it is served by one backend).
 */
export class JobList {
  private slots: (AppJob | null)[] = [];
  /** The position of slots[0]. */
  private base = 0;
  /** slots[0 .. head) are holes. */
  private head = 0;
  private count = 0;
  /** Iterations in progress (slots must not move under them). */
  private iterating = 0;

  get size(): number {
    return this.count;
  }

  /** Append `job` (a no-op when it is already in this list, like Set.add). */
  add(job: AppJob): this {
    if (job.inList === this) return this;
    if (job.inList !== null) throw new Error('JobList.add: the job is already in another list');
    if (this.base + this.slots.length >= POSITION_LIMIT && this.iterating === 0) this.renumber();
    job.inList = this;
    job.indexInList = this.base + this.slots.length;
    this.slots.push(job);
    this.count++;
    return this;
  }

  /** Remove `job`; false when it is not in this list (like Set.delete). */
  delete(job: AppJob): boolean {
    if (job.inList !== this) return false;
    const slots = this.slots;
    const i = job.indexInList - this.base;
    slots[i] = null;
    job.inList = null;
    job.indexInList = -1;
    this.count--;
    if (this.iterating > 0) return true;
    if (i === slots.length - 1) {
      // The newest left: drop trailing holes (an idle app's list stays empty and short).
      let n = i;
      while (n > this.head && slots[n - 1] === null) n--;
      if (n === this.head) this.empty();
      else slots.length = n;
      return true;
    }
    if (i === this.head) {
      // The oldest left: pass the holes in front; cut them off once they are half the array.
      let h = i + 1;
      while (slots[h] === null) h++;
      this.head = h;
      if (2 * h > slots.length) {
        slots.copyWithin(0, h);
        slots.length -= h;
        this.base += h;
        this.head = 0;
      }
      return true;
    }
    const window = slots.length - this.head;
    if (window > COMPACT_MIN && window > HOLES_PER_JOB * this.count) this.renumber();
    return true;
  }

  /** Put `next` in `job`'s slot (same place in the order); false when `job` is not in this list. */
  replace(job: AppJob, next: AppJob): boolean {
    if (job.inList !== this || next.inList !== null) return false;
    this.slots[job.indexInList - this.base] = next;
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
    this.empty();
    this.count = 0;
  }

  /** In insertion order; the job just yielded may be deleted before the next one is asked for. */
  *[Symbol.iterator](): IterableIterator<AppJob> {
    this.iterating++;
    try {
      // Re-read the slots each step: a job added meanwhile is visited, as in a Set.
      for (let i = this.head; i < this.slots.length; i++) {
        const job = this.slots[i];
        if (job !== null) yield job;
      }
    } finally {
      this.iterating--;
    }
  }

  /** No slots left (every job gone): positions start again from 0. */
  private empty(): void {
    this.slots = [];
    this.base = 0;
    this.head = 0;
  }

  /** Squeeze the holes out, keeping the order; each job learns its new position. */
  private renumber(): void {
    const slots = this.slots;
    let kept = 0;
    for (let i = this.head; i < slots.length; i++) {
      const job = slots[i];
      if (job === null) continue;
      job.indexInList = kept;
      slots[kept++] = job;
    }
    slots.length = kept;
    this.base = 0;
    this.head = 0;
  }
}
