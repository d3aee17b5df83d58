import type { AppJob } from './app-job.js';

/**
 * The jobs an app's workers are serving, as a list threaded through the jobs themselves
 * (AppJob.inList / prevInList / nextInList): add and delete touch two neighbours and allocate
 * nothing, where a `Set` hashed every job twice per request. Iteration is insertion order, as a
 * Set's (pauses re-arm the jobs in service in that order, so it is part of the event order).
 * A job is in at most one list at a time (it is served by one backend).
 */
export class JobList {
  private head: AppJob | null = null;
  private tail: AppJob | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Append `job` (a no-op when it is already in this list, like Set.add). */
  add(job: AppJob): this {
    if (job.inList === this) return this;
    if (job.inList !== null) throw new Error('JobList.add: the job is already in another list');
    job.inList = this;
    job.prevInList = this.tail;
    job.nextInList = null;
    if (this.tail === null) this.head = job;
    else this.tail.nextInList = job;
    this.tail = job;
    this.count++;
    return this;
  }

  /** Remove `job`; false when it is not in this list (like Set.delete). */
  delete(job: AppJob): boolean {
    if (job.inList !== this) return false;
    const prev = job.prevInList;
    const next = job.nextInList;
    if (prev === null) this.head = next;
    else prev.nextInList = next;
    if (next === null) this.tail = prev;
    else next.prevInList = prev;
    job.inList = null;
    job.prevInList = null;
    job.nextInList = null;
    this.count--;
    return true;
  }

  has(job: AppJob): boolean {
    return job.inList === this;
  }

  clear(): void {
    for (let job = this.head; job !== null; ) {
      const next = job.nextInList;
      job.inList = null;
      job.prevInList = null;
      job.nextInList = null;
      job = next;
    }
    this.head = null;
    this.tail = null;
    this.count = 0;
  }

  /** In insertion order; the job just yielded may be deleted before the next one is asked for. */
  *[Symbol.iterator](): IterableIterator<AppJob> {
    for (let job = this.head; job !== null; ) {
      const next = job.nextInList;
      yield job;
      job = next;
    }
  }
}
