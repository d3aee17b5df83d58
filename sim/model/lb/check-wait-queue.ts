import type { Engine } from '../../engine/engine.js';

/**
 * HAProxy 2.6's shared timer tree as its check tasks see it (source read in the Debian
 * haproxy_2.6.12.orig.tar.gz, the version recorded). Every server check task is made by
 * `task_new_anywhere()` (src/check.c `start_check_task()`), whose thread mask has more than one
 * bit, so `task_init()` (include/haproxy/task.h) marks it TASK_SHARED_WQ and `task_queue()` puts it
 * in the one global tree `timers` (src/task.c) — whatever `nbthread` is, and
 * `task_set_affinity(t, tid_bit)` during a check changes only the thread that runs it. Each entry
 * has a key (its place in the tree) and the task's `expire`, which can differ:
 *
 * - `task_queue()` moves an entry only when the new expire is EARLIER than its key ("If we already
 *   have a place in the wait queue no later than the timeout we're trying to set, we'll stay
 *   there"). A check task woken by I/O (its answer, a refused connect: `wake_srv_chk()` →
 *   `task_wakeup(TASK_WOKEN_IO)`) is still in the tree, so its next check's later expire leaves it
 *   at the old key;
 * - `tcpcheck_eval_connect()` (src/tcpcheck.c), re-run from the connection's I/O tasklet when the
 *   connect completes, sets `check->task->expire = now + timeout check` with no requeue at all,
 *   so a connected check's expire goes below the key it got at its start, min(inter, timeout
 *   connect) (the same function's `SF_ERR_NONE` branch).
 *
 * `wake_expired_tasks()` (src/task.c, the `timers` part) runs on every wake-up of every thread but
 * leaves at once unless the head key has come (`tick_is_lt(now_ms, key)`); a thread sleeps in
 * `_do_poll()` (src/ev_epoll.c) until `next_timer_expiry()`, the head key. Then it walks the tree
 * in key order: an entry whose expire has passed is unlinked and woken, whatever its key; one
 * whose expire differs from its key is requeued at its expire; the first entry correctly placed
 * and not due ends the walk. So a connected check's early expire is read only when a walk reaches
 * its entry — at the due key of another entry before it (another server's check, or a key left
 * behind by an answered check), else at its own key: it fails at max(connect + timeout check,
 * that walk), and a walk before connect + timeout check requeues it there. The thread's I/O
 * (client traffic) and the other threads change nothing: they do not pass the head-key test.
 * Time is HAProxy's: whole-millisecond ticks (`now_ms`, src/clock.c `clock_update_date()`;
 * `tick_add()`, include/haproxy/ticks.h), so a check answered within the millisecond it started in
 * leaves no stale key, and a thread wakes 1 ms after the head key (`compute_poll_timeout()`,
 * src/fd.c: `TICKS_TO_MS(tick_remain(now_ms, next)) + 1`). Not modelled: where in its millisecond
 * the thread computed that timeout (up to 1 ms more), and the order of entries with equal keys
 * (here: the lower server index first).
 */
export class CheckWaitQueue {
  /** Each entry's place in the tree, in ms ticks; NaN: not queued. */
  private readonly key: Float64Array;
  /** Each task's `expire`, in ms ticks. */
  private readonly expire: Float64Array;
  private walkTimer = -1;
  private walkAt = Infinity;

  constructor(
    private readonly engine: Engine,
    n: number,
    /** The task of entry `b` is woken by its timer (unlinked first, as wake_expired_tasks() does). */
    private readonly wake: (b: number) => void,
  ) {
    this.key = new Float64Array(n).fill(Number.NaN);
    this.expire = new Float64Array(n).fill(Number.NaN);
  }

  /** `now_ms`: the simulated clock in whole milliseconds. */
  private nowMs(): number {
    return Math.floor(this.engine.now * 1000 + 1e-6);
  }

  /** `t->expire = tick_add(now_ms, delay)` then `task_queue()`: a queued entry moves only to an earlier key. */
  queue(b: number, delay: number): void {
    const expire = this.nowMs() + Math.round(delay * 1000);
    this.expire[b] = expire;
    if (Number.isNaN(this.key[b]) || expire < this.key[b]) this.key[b] = expire;
    this.armWalk();
  }

  /** `t->expire = tick_add(now_ms, delay)` with no requeue (tcpcheck_eval_connect() once connected). */
  setExpire(b: number, delay: number): void {
    this.expire[b] = this.nowMs() + Math.round(delay * 1000);
  }

  /** The entry's key in seconds (NaN when not queued): where the tree holds it. */
  keyOf(b: number): number {
    return this.key[b] / 1000;
  }

  /** The threads' next wake-up: 1 ms after the head key (`next_timer_expiry()`, `compute_poll_timeout()`). */
  private armWalk(): void {
    let head = Infinity;
    for (let b = 0; b < this.key.length; b++) if (this.key[b] < head) head = this.key[b];
    const at = head === Infinity ? Infinity : Math.max(this.engine.now, (head + 1) / 1000);
    if (at >= this.walkAt) return;
    this.engine.cancel(this.walkTimer);
    this.walkAt = at;
    this.walkTimer = at === Infinity ? -1 : this.engine.at(at, this.walk, null);
  }

  /** The `timers` part of wake_expired_tasks() (src/task.c). */
  private readonly walk = (): void => {
    this.walkTimer = -1;
    this.walkAt = Infinity;
    const now = this.nowMs();
    const woken: number[] = [];
    // `tick_is_lt(now_ms, key)` on the head: the walk starts only once the head key has come.
    const first = this.head();
    const due = first >= 0 && this.key[first] <= now;
    while (due) {
      const b = this.head();
      if (b < 0) break;
      if (this.expire[b] <= now) {
        this.key[b] = Number.NaN;
        woken.push(b);
      } else if (this.expire[b] !== this.key[b]) this.key[b] = this.expire[b];
      else break;
    }
    // The woken tasks run after the walk (process_runnable_tasks()), in the order it woke them.
    for (const b of woken) this.wake(b);
    this.armWalk();
  };

  /** The entry with the smallest key (the lowest index on a tie); -1: the tree is empty. */
  private head(): number {
    let best = -1;
    for (let b = 0; b < this.key.length; b++) {
      if (Number.isNaN(this.key[b])) continue;
      if (best < 0 || this.key[b] < this.key[best]) best = b;
    }
    return best;
  }
}
