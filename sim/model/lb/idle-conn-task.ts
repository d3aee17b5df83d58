import type { Engine } from '../../engine/engine.js';

/** `now_ms`: a time (s) in HAProxy's whole-millisecond ticks (src/clock.c `clock_update_date()`). */
export const msTick = (t: number): number => Math.floor(t * 1000 + 1e-6);

/**
 * HAProxy 2.6's `idle_conn_task` and the tree of servers it visits, `idle_conn_srv` (src/server.c;
 * source read in the Debian haproxy_2.6.12.orig.tar.gz, the version recorded), run on its own
 * timer rather than projected from the pools:
 *
 * - `srv_add_to_idle_list()`: when a connection goes idle and its server's `idle_node` is not in
 *   `idle_conn_srv`, the node is inserted at `tick_add(pool_purge_delay, now_ms)` and, unless the
 *   task is already in the wait queue or the run queue, `task_schedule(idle_conn_task, key)`. A
 *   server whose node is still in the tree (its pool emptied since) keeps its key.
 * - `srv_cleanup_idle_conns()`, the task: every server whose key has come is visited — its purge
 *   when it has idle connections (`curr_idle_conns`) — and its node deleted; a server that had idle
 *   connections at the visit goes back in at `now_ms + pool_purge_delay` (the purged ones are only
 *   moved to `toremove_conns`, and `curr_idle_conns` drops when the per-thread cleanup task
 *   destroys them, `srv_release_conn()`, after the test), one that had none stays out. The task's
 *   `expire` is the first key left (`next_wakeup`), or TICK_ETERNITY: then it is not queued until
 *   the next first idle connection schedules it.
 *
 * So a pool that empties (its connections taken or closed by the server) before its key is visited
 * once more and leaves the tree, and its next idle connection restarts its schedule from then; the
 * task's keys drift by the time between a key and the run that reinserts it. Each run is woken by
 * the wait queue: as an entry of the check tasks' shared tree when there is one (check-wait-queue.ts,
 * `task_new_anywhere()`: TASK_SHARED_WQ), else on its own timer 1 ms after the key, when the idle
 * thread wakes (`compute_poll_timeout()`, src/fd.c, as the tree's walk).
 */
export class IdleConnTask {
  /** Each server's `idle_node.key` in ms ticks; NaN: not in `idle_conn_srv`. */
  private readonly nodeKey: Float64Array;
  /** The task's `expire` while in the wait queue (ms ticks); NaN: not queued. */
  private queuedAt = Number.NaN;
  /** The check tree's entry for the task (queues it at a key), once attached; else the own timer. */
  private waker: ((ms: number) => void) | null = null;
  private timer = -1;

  constructor(
    private readonly engine: Engine,
    n: number,
    /** `pool-purge-delay` (s). */
    private readonly delay: number,
    /** Visit server b's pool (its purge): how many idle connections it had at the visit (`curr_idle_conns`). */
    private readonly visit: (b: number) => number,
  ) {
    this.nodeKey = new Float64Array(n).fill(Number.NaN);
  }

  /** The check tasks' shared tree wakes the task from now on (`queue`: put it there at a key). */
  wakeBy(queue: (ms: number) => void): void {
    this.waker = queue;
    if (Number.isNaN(this.queuedAt)) return;
    this.engine.cancel(this.timer);
    this.timer = -1;
    queue(this.queuedAt);
  }

  /** `srv_add_to_idle_list()` took an idle connection of server b. */
  added(b: number): void {
    if (!Number.isNaN(this.nodeKey[b])) return;
    this.nodeKey[b] = msTick(this.engine.now) + Math.round(this.delay * 1000);
    if (Number.isNaN(this.queuedAt)) this.schedule(this.nodeKey[b]);
  }

  /** Server b's `idle_node.key` in seconds (NaN: not in the tree). */
  keyOf(b: number): number {
    return this.nodeKey[b] / 1000;
  }

  /** `srv_cleanup_idle_conns()`, woken by the wait queue. */
  run(): void {
    this.queuedAt = Number.NaN;
    const now = msTick(this.engine.now);
    const keys = this.nodeKey;
    for (let b = 0; b < keys.length; b++) {
      if (!(keys[b] <= now)) continue;
      keys[b] = this.visit(b) > 0 ? now + Math.round(this.delay * 1000) : Number.NaN;
    }
    let next = Infinity;
    for (const key of keys) if (key < next) next = key;
    if (next !== Infinity) this.schedule(next);
  }

  /** `task->expire = next_wakeup` and back in the wait queue (`task_schedule()` / `task_queue()`). */
  private schedule(ms: number): void {
    this.queuedAt = ms;
    if (this.waker !== null) this.waker(ms);
    else this.timer = this.engine.at(Math.max(this.engine.now, (ms + 1) / 1000), this.fired, null);
  }

  private readonly fired = (): void => {
    this.timer = -1;
    this.run();
  };
}
