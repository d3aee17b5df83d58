/** ngx_reorder_accept_events re-adds a worker's listener every 16 accept events (`c->requests++ % 16`). */
const REORDER_EVERY = 16;

/** One worker process's epoll entry on the listening socket. */
export interface WaitEntry {
  /** The generation the worker belongs to (its id). */
  readonly gen: number;
  /** Its index within the generation (the i-th forked). */
  readonly worker: number;
  /** When the worker's queued CPU work ends (−∞ or ≤ now: idle in epoll_wait). */
  readonly busyUntil: () => number;
  /**
   * Added with EPOLLEXCLUSIVE (its generation runs more than one worker). ngx_event_process_init
   * (src/event/ngx_event.c) sets ngx_use_exclusive_accept and adds NGX_EXCLUSIVE_EVENT only when
   * ccf->worker_processes > 1; otherwise a plain add, and ngx_reorder_accept_events returns at once.
   */
  readonly exclusive: boolean;
  /** Accept events so far (the `c->requests` of its listening connection). */
  accepts: number;
}

/**
 * The listening socket's wait queue: the workers' epoll entries in the order a new connection's
 * wake-up visits them (fs/eventpoll.c ep_ptable_queue_proc: add_wait_queue_exclusive, which puts
 * an entry at the queue's TAIL, kernel/sched/wait.c). Workers register in the order they start
 * (ngx_event_process_init); a reload's new workers register on the SAME socket — the master keeps
 * the listening sockets and the new cycle inherits them (ngx_init_cycle) — behind the old ones,
 * which stay until they quit (ngx_worker_process_cycle's ngx_quit path: ngx_close_listening_sockets
 * deletes each listener's event, src/core/ngx_connection.c: remove). nginx re-adds a worker's entry,
 * so moves it to the tail, at its 1st, 17th, 33rd, … accept (ngx_reorder_accept_events).
 * With `worker_processes 1` a generation adds the listener without EPOLLEXCLUSIVE
 * (ngx_event_process_init: only when worker_processes > 1). ep_ptable_queue_proc then calls
 * add_wait_queue, whose __add_wait_queue (include/linux/wait.h) puts the entry at the queue's HEAD:
 * after a reload the NEW worker is first in the wake order. Non-exclusive entries are all woken
 * (kernel/sched/wait.c __wake_up_common) and whichever worker calls accept4() first takes the
 * connection; the model gives it to the first woken, the first idle entry in the queue (the new
 * worker, if idle). Such a worker never re-adds its entry (ngx_reorder_accept_events returns when
 * !ngx_use_exclusive_accept, src/event/ngx_event_accept.c), so it keeps its place. A mixed reload
 * (1 <-> N workers) mixes both kinds in the queue: the non-exclusive entries sit ahead of the
 * exclusive ones added before them and are woken whatever the exclusive ones do.
 */
export class ListenWaitQueue {
  private readonly entries: WaitEntry[] = [];

  /**
   * Worker `worker` of generation `gen` adds the listener to its epoll: `exclusive` at the queue's
   * tail (add_wait_queue_exclusive), otherwise at its head (add_wait_queue).
   */
  register(gen: number, worker: number, busyUntil: () => number, exclusive: boolean): void {
    const entry: WaitEntry = { gen, worker, busyUntil, exclusive, accepts: 0 };
    if (exclusive) this.entries.push(entry);
    else this.entries.unshift(entry);
  }

  /** Generation `gen`'s workers close their listening sockets (ngx_close_listening_sockets: EPOLL_CTL_DEL). */
  remove(gen: number): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].gen === gen) this.entries.splice(i, 1);
  }

  /** Every entry gone (the listening socket closed). */
  clear(): void {
    this.entries.length = 0;
  }

  /**
   * The entry whose worker accepts a connection arriving at `now`, among those `eligible`: the
   * first idle one in the queue; if every one is busy, the one whose work ends first (the earlier
   * in the queue on a tie). Then ngx_reorder_accept_events: its entry goes to the tail at its
   * 1st, 17th, … accept, or at any while `disabled` (ngx_accept_disabled > 0) — not when it
   * `refuses` the connection (ngx_event_accept returns before the re-add, and `c->requests` does
   * not advance). Undefined: no eligible entry.
   *
   * Why, for workers on one listening socket (no `reuseport`): with more than one worker and
   * epoll, nginx adds the listening socket to every worker's epoll with EPOLLEXCLUSIVE
   * (ngx_event_process_init, src/event/ngx_event.c: `accept_mutex` is off by default since
   * 1.11.3, so `ngx_use_exclusive_accept = 1`; ngx_epoll_add_event,
   * src/event/modules/ngx_epoll_module.c). A new connection's wake-up walks the listener's wait
   * queue from its head (kernel/sched/wait.c __wake_up_common) and stops at the first worker
   * actually blocked in epoll_wait (ep_poll_callback returns ewake = 1 only when
   * `waitqueue_active(&ep->wq)`); a worker busy on its CPU is passed over (the listener only goes
   * on its ready list). So the first idle worker in the queue takes it. If every worker is busy,
   * the first to come back to epoll_wait accepts it: the one whose queue ends first. It accepts
   * one connection per wake-up (ngx_event_accept: `ev->available = ecf->multi_accept`, off by
   * default), keeps it for its life, and then ngx_reorder_accept_events
   * (src/event/ngx_event_accept.c, nginx ≥ 1.21.6: "Linux with EPOLLEXCLUSIVE usually notifies
   * only the process which was first to add the listening socket … we re-add the socket
   * periodically") deletes and re-adds the listener in its epoll (EPOLL_CTL_DEL, EPOLL_CTL_ADD)
   * when `c->requests++ % 16 == 0`: its entry goes to the queue's tail. With idle workers the
   * first worker takes 1 connection, the second 1, then each 16 in turn; and at every accept
   * while `ngx_accept_disabled > 0`: the worker has fewer than 1/8 of its worker_connections free
   * (Nginx.acceptingWorker). Not when the worker refuses the connection (no free connection and
   * none reusable): ngx_get_connection returns NULL ("worker_connections are not enough",
   * src/core/ngx_connection.c, after ngx_drain_connections found nothing to close), and
   * ngx_event_accept closes the socket and returns before ngx_reorder_accept_events — no re-add,
   * no `c->requests++`. Such a worker keeps its place: once first in the queue, it is woken for
   * every connection that comes while it is idle in epoll_wait, and refuses each, however much
   * room the others have.
   */
  pick(
    now: number,
    eligible: (e: WaitEntry) => boolean,
    disabled: (e: WaitEntry) => boolean,
    refuses: (e: WaitEntry) => boolean,
  ): WaitEntry | undefined {
    let best: WaitEntry | undefined;
    let bestUntil = 0;
    for (const e of this.entries) {
      if (!eligible(e)) continue;
      const until = e.busyUntil();
      if (until <= now) {
        best = e;
        break;
      }
      if (best === undefined || until < bestUntil) {
        best = e;
        bestUntil = until;
      }
    }
    if (best !== undefined && !refuses(best)) this.reorderAfterAccept(best, disabled(best));
    return best;
  }

  /** The generation of the entry pick() would choose at `now` (without choosing it); −1: none. */
  peekGeneration(now: number): number {
    let best: WaitEntry | undefined;
    for (const e of this.entries) {
      const until = e.busyUntil();
      if (until <= now) return e.gen;
      if (best === undefined || until < best.busyUntil()) best = e;
    }
    return best === undefined ? -1 : best.gen;
  }

  private reorderAfterAccept(e: WaitEntry, disabled: boolean): void {
    if (!e.exclusive) return; // ngx_reorder_accept_events: `if (!ngx_use_exclusive_accept) return;`
    if (e.accepts++ % REORDER_EVERY !== 0 && !disabled) return;
    const q = this.entries;
    q.splice(q.indexOf(e), 1);
    q.push(e);
  }
}
