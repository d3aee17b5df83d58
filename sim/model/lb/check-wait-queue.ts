import type { Engine } from '../../engine/engine.js';
import { type IdleConnTask, msTick } from './idle-conn-task.js';

/**
 * HAProxy 2.6's shared timer tree as its check tasks see it (source read in the Debian
 * haproxy_2.6.12.orig.tar.gz, the version recorded). Every server check task is made by
 * `task_new_anywhere()` (src/check.c `start_check_task()`), whose thread mask has more than one
 * bit, so `task_init()` (include/haproxy/task.h) marks it TASK_SHARED_WQ and `task_queue()` puts it
 * in the one global tree `timers` (src/task.c) — whatever `nbthread` is. Each entry has a key (its
 * place in the tree) and the task's `expire`, which can differ:
 *
 * - `task_queue()` moves an entry only when the new expire is EARLIER than its key ("If we already
 *   have a place in the wait queue no later than the timeout we're trying to set, we'll stay
 *   there");
 * - `tcpcheck_eval_connect()` (src/tcpcheck.c), re-run from the connection's I/O tasklet when the
 *   connect completes, sets `check->task->expire = now + timeout check` with no requeue at all,
 *   so a connected check's expire goes below the key it got at its start, min(inter, timeout
 *   connect) (the same function's `SF_ERR_NONE` branch);
 * - every check ends in `process_chk_conn()` (src/check.c, label `end`) with
 *   `task_set_affinity(t, MAX_THREADS_MASK)`, which unlinks a still-queued task and
 *   `task_queue()`s it at its current expire (include/haproxy/task.h `task_set_affinity()`), and
 *   only then sets `expire = now + srv_getinter()`, which `task_queue()` (src/task.c
 *   `run_tasks_from_lists()`, after the task returns) leaves behind that key. A check ended by
 *   I/O (answered, refused, reset: `wake_srv_chk()` → `task_wakeup(TASK_WOKEN_IO)`, which leaves
 *   the entry queued) therefore stays at the expire it had then — connect + timeout check once
 *   connected, else its connect deadline (`requeueAtExpire()`); a check ended by its timer was
 *   unlinked by the walk and is queued at now + inter.
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
 * the thread computed that timeout (up to 1 ms more). Entries with equal keys keep their insertion
 * order (place()).
 *
 * The tree holds more than the check tasks (observed: calibration/haproxy/NOTES.md item 33, a trace
 * of every walk): `process_resolvers()` of the `resolvers default` section HAProxy makes from
 * /etc/resolv.conf (`resolvers_create_default()`, src/resolvers.c; `task_new_anywhere()`), woken
 * once at start (`TASK_WOKEN_INIT`) and then every `timeout resolve` (1 s, `resolvers_new()`):
 * `resolv_update_resolvers_timeout()` queues it at now + 1 s each time it runs — in HAProxy < 2.7
 * only: from fdecaf6ae (v2.7-dev10) a section with nothing to resolve is not re-armed, which
 * `lb.resolvers: none` models. Its key ends a walk before a later check entry, and its walk wakes a connected check whose expire passed.
 * `idle_conn_task` (src/server.c `srv_cleanup_idle_conns()`) too: keyed `pool-purge-delay` after
 * a server's first idle connection, then at each next purge (item 33), run on its own schedule
 * (idle-conn-task.ts) and woken here.
 */
/** `timeout resolve` of the implicit `resolvers default` section: 1 s (src/resolvers.c `resolvers_new()`). */
const RESOLVERS_PERIOD_S = 1;

export class CheckWaitQueue {
  /** Each entry's place in the tree, in ms ticks; NaN: not queued. */
  private readonly key: Float64Array;
  /** Each task's `expire`, in ms ticks. */
  private readonly expire: Float64Array;
  /** When each entry was inserted at its key (insertion count), for ties. */
  private readonly order: Float64Array;
  private inserted = 0;
  private walkTimer = -1;
  private walkAt = Infinity;

  constructor(
    private readonly engine: Engine,
    n: number,
    /** The task of entry `b` is woken by its timer (unlinked first, as wake_expired_tasks() does). */
    private readonly wake: (b: number) => void,
    /** `idle_conn_task` of the server pools (HAProxy http mode), woken by this tree; null: no pools. */
    private readonly idleTask: IdleConnTask | null = null,
  ) {
    // Entries 0..n-1: the servers' check tasks; n: the resolvers task; n + 1: idle_conn_task.
    this.resolvers = n;
    this.idle = n + 1;
    this.key = new Float64Array(n + 2).fill(Number.NaN);
    this.expire = new Float64Array(n + 2).fill(Number.NaN);
    this.order = new Float64Array(n + 2);
    idleTask?.wakeBy((ms) => this.queueAt(this.idle, ms));
  }

  /** The entry of `process_resolvers()`. */
  private readonly resolvers: number;
  /** The entry of `idle_conn_task` (`srv_cleanup_idle_conns()`, src/server.c). */
  private readonly idle: number;

  /**
   * HAProxy started at `startedAt` (s, on the engine's clock, earlier than now when it had run
   * before the scenario's 0): `process_resolvers()` ran then (`TASK_WOKEN_INIT`) and queued itself
   * at start + `timeout resolve`; each later run, 1 ms after its key (the thread's wake-up,
   * `compute_poll_timeout()`), queues it at now + 1 s again (`resolv_update_resolvers_timeout()`).
   * The first key not yet passed is queued here.
   */
  startResolvers(startedAt: number): void {
    const periodMs = RESOLVERS_PERIOD_S * 1000;
    let key = Math.round(startedAt * 1000) + periodMs;
    const now = this.nowMs();
    if (key < now) key += Math.ceil((now - key) / (periodMs + 1)) * (periodMs + 1);
    this.queueAt(this.resolvers, key);
  }

  /** Queue entry b at the absolute key `ms` (an entry that is not a check task). */
  private queueAt(b: number, ms: number): void {
    this.expire[b] = ms;
    this.place(b, ms);
    this.armWalk();
  }

  /** `now_ms`: the simulated clock in whole milliseconds. */
  private nowMs(): number {
    return msTick(this.engine.now);
  }

  /** `t->expire = tick_add(now_ms, delay)` then `task_queue()`: a queued entry moves only to an earlier key. */
  queue(b: number, delay: number): void {
    const expire = this.nowMs() + Math.round(delay * 1000);
    this.expire[b] = expire;
    if (Number.isNaN(this.key[b]) || expire < this.key[b]) this.place(b, expire);
    this.armWalk();
  }

  /**
   * `task_set_affinity(t, MAX_THREADS_MASK)` at a check's end (process_chk_conn()): a queued entry
   * is unlinked and queued again at its current expire — earlier or later than its old key.
   */
  requeueAtExpire(b: number): void {
    if (Number.isNaN(this.key[b])) return;
    this.place(b, this.expire[b]);
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
      } else if (this.expire[b] !== this.key[b]) this.place(b, this.expire[b]);
      else break;
    }
    // The woken tasks run after the walk (process_runnable_tasks()), in the order it woke them.
    for (const b of woken) {
      if (b === this.resolvers) this.queue(b, RESOLVERS_PERIOD_S);
      else if (b === this.idle) this.idleTask?.run();
      else this.wake(b);
    }
    this.armWalk();
  };

  /**
   * Insert entry b at key `ms` (`__task_queue()` → `eb32_insert()`): among equal keys a new entry
   * goes after those already there (ebtree keeps duplicates in insertion order, eb32_insert()'s
   * `eb_insert_dup()`), so a tie is broken by when each entry was queued.
   */
  private place(b: number, ms: number): void {
    this.key[b] = ms;
    this.order[b] = ++this.inserted;
  }

  /** The entry with the smallest key (the earliest queued on a tie); -1: the tree is empty. */
  private head(): number {
    let best = -1;
    for (let b = 0; b < this.key.length; b++) {
      if (Number.isNaN(this.key[b])) continue;
      if (
        best < 0 ||
        this.key[b] < this.key[best] ||
        (this.key[b] === this.key[best] && this.order[b] < this.order[best])
      )
        best = b;
    }
    return best;
  }
}
