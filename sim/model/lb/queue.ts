import type { Engine } from '../../engine/engine.js';

/**
 * Whoever queued a stream: the L4 connector (a client connection) or an L7 dispatcher (a request).
 * HAProxy has one backend queue for all of a backend's streams, whatever made them.
 */
export interface QueueOwner<T> {
  /**
   * A slot on server `b` is the waiting stream's (`pendconn_process_next_strm()`). False: the
   * stream no longer wants one (its client left); the slot goes to the next one.
   */
  takeSlot(item: T, b: number): boolean;
  /** `timeout queue` expired before a slot came (`STRM_ET_QUEUE_TO`, src/backend.c). */
  queueTimedOut(item: T): void;
  /**
   * The stream was taken out of a queue and handed back to the dispatcher
   * (`pendconn_redistribute()`, src/queue.c): it is load-balanced again, without persistence.
   * Only owners whose streams can be queued on a server are asked.
   */
  requeue(item: T): void;
}

/** A stream's place in a queue (BackendQueue.add), for its owner to withdraw it (BackendQueue.withdraw). */
export type QueueEntry = object;

/** One stream waiting for a server slot, its owner, its `timeout queue` timer and its age. */
interface Pending {
  owner: QueueOwner<unknown>;
  item: unknown;
  timer: number;
  /** Arrival order (the pendconn key: the older of two queue heads is served first). */
  seq: number;
  /** The server whose queue holds it, -1: the backend queue. */
  server: number;
  /**
   * No longer in its queue: taken, expired, handed back, or withdrawn by its owner
   * (BackendQueue.withdraw: then a hole where it was, skipped by every reader).
   */
  out: boolean;
}

/** A FIFO of pending streams with lazy removal (null holes). */
class Fifo {
  items: Array<Pending | null> = [];
  head = 0;
  length = 0;

  push(p: Pending): void {
    this.items.push(p);
    this.length++;
  }

  /** The oldest entry without removing it (null: empty). */
  peek(): Pending | null {
    for (;;) {
      const p = this.head < this.items.length ? this.items[this.head] : undefined;
      if (p === undefined || (p !== null && !p.out)) break;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return this.length > 0 ? this.items[this.head] : null;
  }

  /** Remove `p` (the head, or a hole left anywhere); false if it is not here. */
  remove(p: Pending): boolean {
    if (p.out) return false;
    const i = this.items.indexOf(p, this.head);
    if (i < 0) return false;
    this.items[i] = null;
    this.length--;
    p.out = true;
    return true;
  }

  /** Take every entry out, oldest first. */
  drain(): Pending[] {
    const out: Pending[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const p = this.items[i];
      if (p !== null && !p.out) {
        p.out = true;
        out.push(p);
      }
    }
    this.items = [];
    this.head = 0;
    this.length = 0;
    return out;
  }
}

/**
 * HAProxy's queues with per-server `maxconn` (src/queue.c): when every usable server is full the
 * load-balancing algorithms skip them and the stream is queued in the backend queue
 * (`pendconn_add()` without SF_ASSIGNED); a stream that persistence (a cookie, SF_DIRECT) assigned
 * to a full server waits in THAT server's queue (`assign_server_and_queue()`, src/backend.c:
 * `pendconn_add()` with SF_ASSIGNED). A stream ending on a server frees its slot and
 * `process_srv_queue()` hands it to the older of the server queue's and — when the server is
 * usable (`srv_currently_usable()`) — the backend queue's heads (`pendconn_process_next_strm()`);
 * a drained or DOWN server still serves its own queue. A stream still waiting after `timeout queue`
 * (default `timeout connect`, src/cfgparse.c) leaves with `STRM_ET_QUEUE_TO` — the client is
 * closed (tcp mode: FIN) or answered 503 (http mode, `http_return_srv_error()`).
 *
 * A server leaving load balancing (DOWN, drain, maint) redistributes its own queue
 * (`pendconn_redistribute()`) only with `option redispatch` and not `option persist`, whatever its
 * admin state: the streams go back to the dispatcher. The backend queue is never handed back: when
 * no server is left its streams wait for `timeout queue` (503 sQ) unless a server comes back
 * (`pendconn_grab_from_px()`). This is HAProxy 2.6 (v2.6.0 src/queue.c, Debian bookworm's 2.6.12,
 * the version of every recording); HAProxy 3.1 also hands a server's queue back in maint
 * (1385e33eb) and the backend queue when the last server leaves (53f52e67a).
 */
export class BackendQueue {
  private readonly backend = new Fifo();
  private readonly servers: Fifo[];
  private seq = 0;

  constructor(
    private readonly engine: Engine,
    /** `timeout queue` in seconds. */
    private readonly timeout: number,
    /** Server `b` takes a new stream now (the pool's LoadBalancer.eligible(): in service, below maxconn). */
    private readonly takesStream: (b: number) => boolean,
    /** Server `b` is below its maxconn, whatever its state (it may serve its own queue). */
    private readonly hasSlot: (b: number) => boolean = takesStream,
    servers = 0,
  ) {
    this.servers = Array.from({ length: servers }, () => new Fifo());
  }

  /** Streams waiting in the backend queue now (HAProxy `show stat` qcur of the backend). */
  get size(): number {
    return this.backend.length;
  }

  /** Streams waiting in server `b`'s own queue (its `queueslength`: "remaining in queue"). */
  serverQueued(b: number): number {
    return b < this.servers.length ? this.servers[b].length : 0;
  }

  /**
   * Queue `item` in the backend queue, or in server `server`'s queue (a persistent stream). Returns
   * its place, which its owner may withdraw.
   */
  add<T>(owner: QueueOwner<T>, item: T, server = -1): QueueEntry {
    const p: Pending = { owner: owner as QueueOwner<unknown>, item, timer: -1, seq: this.seq++, server, out: false };
    p.timer = Number.isFinite(this.timeout) ? this.engine.schedule(this.timeout, this.expire, p) : -1;
    this.fifo(server).push(p);
    return p;
  }

  /**
   * The stream at `entry` leaves its queue before its turn: its client closed and `option
   * abortonclose` aborts a queued stream (back_try_conn_req(), HAProxy 2.6 src/backend.c: in
   * SC_ST_QUE, back_may_abort_req() → pendconn_cond_unlink(), STRM_ET_QUEUE_ABRT, logged CQ). No
   * slot was freed: nobody else is dequeued. The owner is not called back. Lazy: a hole the
   * readers skip (no search through a long queue).
   */
  withdraw(entry: QueueEntry): void {
    const p = entry as Pending;
    if (p.out) return;
    p.out = true;
    this.fifo(p.server).length--;
    if (p.timer >= 0) this.engine.cancel(p.timer);
    p.timer = -1;
  }

  private fifo(server: number): Fifo {
    return server < 0 ? this.backend : this.servers[server];
  }

  /**
   * A slot on `b` is free: the oldest waiting stream that still wants one goes there
   * (`process_srv_queue()`): from `b`'s own queue, or from the backend queue if `b` takes new
   * streams at all.
   */
  readonly slotFreed = (b: number): void => {
    // A stream given a slot may free one at once (refused and redispatched, answered at once):
    // that server's turn comes after this one, not inside it. HAProxy's process_srv_queue() only
    // wakes the dequeued stream's task (pendconn_process_next_strm(), src/queue.c), which runs
    // later; calling back in here would nest one frame per queued stream and overflow the stack
    // behind a long queue of streams whose clients left (sent on at their turn, see abandon(),
    // lb/l7-dispatch.ts).
    if (this.serving) {
      this.freedMeanwhile.push(b);
      return;
    }
    this.serving = true;
    try {
      this.serve(b);
      for (let i = 0; i < this.freedMeanwhile.length; i++) this.serve(this.freedMeanwhile[i]);
    } finally {
      this.serving = false;
      this.freedMeanwhile.length = 0;
    }
  };

  /** Inside slotFreed(): the servers whose slots were freed meanwhile, served in that order after it. */
  private serving = false;
  private readonly freedMeanwhile: number[] = [];

  private serve(b: number): void {
    for (;;) {
      const own = b < this.servers.length ? this.servers[b].peek() : null;
      const shared = this.backend.length > 0 ? this.backend.peek() : null;
      const px = shared !== null && this.takesStream(b) ? shared : null;
      if (own === null && px === null) return;
      if (!this.hasSlot(b)) return;
      const p = own !== null && (px === null || own.seq <= px.seq) ? own : px!;
      this.take(p);
      if (p.owner.takeSlot(p.item, b)) return;
    }
  }

  /**
   * Server `b` takes up to `slots` streams from the backend queue, oldest first, if it takes new
   * streams at all (`pendconn_grab_from_px()`, src/queue.c: `srv_currently_usable()`, then while
   * `served + xferred < srv_dynamic_maxconn()`); its own queue is not read. Called by slowstart's
   * warmup steps (server_warmup(), src/server.c) and the UP that starts the ramp
   * (srv_update_status()).
   */
  grabFromBackend(b: number, slots: number): void {
    let left = slots;
    while (left > 0 && this.backend.length > 0 && this.takesStream(b)) {
      const p = this.backend.peek()!;
      this.take(p);
      if (p.owner.takeSlot(p.item, b)) left--;
    }
  }

  /** Take `p` out of its queue and stop its timer. */
  private take(p: Pending): void {
    this.fifo(p.server).remove(p);
    if (p.timer >= 0) this.engine.cancel(p.timer);
    p.timer = -1;
  }

  /**
   * Server `b` leaves load balancing (`pendconn_redistribute()`, v2.6.0 src/queue.c): its own queue
   * goes back to the dispatcher with `option redispatch` without `option persist` (`redispatch`,
   * the caller's), whatever its admin state — maint included — and the backend queue stays (in
   * HAProxy >= 3.1 maint and the last server's leaving hand them back: 1385e33eb, 53f52e67a).
   * Returns the streams handed back (HAProxy's "requeued").
   */
  redistribute(b: number, redispatch: boolean): number {
    if (!redispatch || b >= this.servers.length) return 0;
    const out = this.servers[b].drain();
    for (const p of out) {
      if (p.timer >= 0) this.engine.cancel(p.timer);
      p.timer = -1;
    }
    for (const p of out) p.owner.requeue(p.item);
    return out.length;
  }

  private readonly expire = (p: Pending): void => {
    p.timer = -1;
    if (!this.fifo(p.server).remove(p)) return;
    p.owner.queueTimedOut(p.item);
  };
}
