import type { AppConfig } from '../../scenario/schema.js';
import type { AppJob } from '../core/app-job.js';

/** A job waiting in the pool for a connection, holding its worker (DbPool.wait). */
export interface PoolWaiter {
  /** When its worker started it (its own dependency_timeout counts from there). */
  readonly since: number;
  /** The service time drawn at its start, served once it has a connection. */
  readonly service: number;
}

/**
 * What a request that needs a down database meets (schema.ts `app.dependency_down`): unset, a
 * bounded pool waits (HikariCP) and an unbounded one fails fast.
 */
export function dependencyDown(config: AppConfig): 'fail_fast' | 'wait' {
  return config.dependency_down ?? (config.db_pool !== undefined ? 'wait' : 'fail_fast');
}

/**
 * One app process's database connection pool (`app.db_pool`): `size` connections, each held by
 * one job from its borrow to its response, and the jobs waiting for one in arrival order. Only the
 * bookkeeping: the app server (app-server.ts) decides who borrows, times the waits and serves.
 *
 * The real pools: HikariCP's getConnection() (com/zaxxer/hikari/pool/HikariPool.java) loops on
 * connectionBag.borrow(timeout) until connectionTimeout (default 30 s) and then throws
 * SQLTransientConnectionException; ConcurrentBag.borrow() (util/ConcurrentBag.java) waits on a
 * fair SynchronousQueue (`new SynchronousQueue<>(true)`), so the waiters are served in order:
 * FIFO here. node-postgres's pg-pool (packages/pg-pool/index.js connect()) queues a caller in
 * `_pendingQueue` once `max` (10) clients exist, with a timer only when connectionTimeoutMillis
 * is set (default 0: it waits for ever).
 */
export class DbPool {
  /** Jobs holding a connection. */
  private readonly holders = new Set<AppJob>();
  /** Jobs waiting for one, oldest first (a Map keeps insertion order). */
  private readonly waiters = new Map<AppJob, PoolWaiter>();

  constructor(
    readonly size: number,
    /** connection_timeout, s (Infinity: wait for ever). */
    readonly timeout: number,
  ) {}

  /** A connection is free and nobody waits before the caller: borrow() now. */
  get free(): boolean {
    return this.holders.size < this.size && this.waiters.size === 0;
  }

  get inUse(): number {
    return this.holders.size;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  borrow(job: AppJob): void {
    this.holders.add(job);
  }

  wait(job: AppJob, entry: PoolWaiter): void {
    this.waiters.set(job, entry);
  }

  /** The oldest waiter, if a connection is free for it, taken out of the queue and holding it. */
  grantNext(): { job: AppJob; entry: PoolWaiter } | undefined {
    if (this.holders.size >= this.size) return undefined;
    for (const [job, entry] of this.waiters) {
      this.waiters.delete(job);
      this.holders.add(job);
      return { job, entry };
    }
    return undefined;
  }

  /** `job` leaves the pool (its response, its wait's end, its caller gone): true if it held a connection. */
  leave(job: AppJob): boolean {
    if (this.holders.delete(job)) return true;
    this.waiters.delete(job);
    return false;
  }

  /** A stand-in takes `job`'s place (app-server.ts orphan): its connection or its place in the queue. */
  replace(job: AppJob, standIn: AppJob): void {
    if (this.holders.delete(job)) this.holders.add(standIn);
    else {
      const entry = this.waiters.get(job);
      if (entry === undefined) return;
      // Rebuild to keep the stand-in at the job's place in the order.
      const order = [...this.waiters];
      this.waiters.clear();
      for (const [j, e] of order) this.waiters.set(j === job ? standIn : j, e);
    }
  }

  /** The process died: its pool (the process's memory) is gone with it. */
  clear(): void {
    this.holders.clear();
    this.waiters.clear();
  }
}
