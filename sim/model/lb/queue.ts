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
}

/** One stream waiting for a server slot, its owner, and its `timeout queue` timer. */
interface Pending {
  owner: QueueOwner<unknown>;
  item: unknown;
  timer: number;
}

/**
 * HAProxy's backend queue with per-server `maxconn` (src/queue.c): when every usable server is
 * full the load-balancing algorithms skip them and the stream is queued (`pendconn_add()`); a
 * stream ending on a server frees its slot and `process_srv_queue()` hands it to the oldest
 * waiting stream (`pendconn_process_next_strm()`); a stream still waiting after `timeout queue`
 * (default `timeout connect`, src/cfgparse.c) leaves the queue with `STRM_ET_QUEUE_TO` — the
 * client is closed (tcp mode: FIN) or answered 503 (http mode, `http_return_srv_error()`).
 *
 * Streams without persistence go to the backend's queue, not a server's (`assign_server()`
 * leaves them unassigned), so a server's own queue — "remaining in queue" in HAProxy's DOWN
 * message — stays empty for them; only the backend queue is modelled.
 */
export class BackendQueue {
  private readonly waiting: Array<Pending | null> = [];
  private head = 0;
  private length = 0;

  constructor(
    private readonly engine: Engine,
    /** `timeout queue` in seconds. */
    private readonly timeout: number,
    /** Server `b` takes a new stream now (the pool's LoadBalancer.eligible(): in service, below maxconn). */
    private readonly takesStream: (b: number) => boolean,
  ) {}

  /** Streams waiting now (HAProxy `show stat` qcur of the backend). */
  get size(): number {
    return this.length;
  }

  add<T>(owner: QueueOwner<T>, item: T): void {
    const p: Pending = { owner: owner as QueueOwner<unknown>, item, timer: -1 };
    p.timer = Number.isFinite(this.timeout) ? this.engine.schedule(this.timeout, this.expire, p) : -1;
    this.waiting.push(p);
    this.length++;
  }

  /**
   * A slot on `b` is free: the oldest waiting stream that still wants one goes there
   * (`process_srv_queue()`), if `b` takes new streams at all.
   */
  readonly slotFreed = (b: number): void => {
    while (this.length > 0 && this.takesStream(b)) {
      const p = this.next()!;
      if (p.owner.takeSlot(p.item, b)) return;
    }
  };

  /** The oldest waiting stream, taken out of the queue (null: none). */
  private next(): Pending | null {
    while (this.head < this.waiting.length) {
      const p = this.waiting[this.head];
      this.waiting[this.head++] = null;
      if (p === null) continue;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) this.compact();
      this.length--;
      if (p.timer >= 0) this.engine.cancel(p.timer);
      return p;
    }
    return null;
  }

  private readonly expire = (p: Pending): void => {
    const i = this.waiting.indexOf(p, this.head);
    if (i < 0) return;
    this.waiting[i] = null;
    this.length--;
    p.owner.queueTimedOut(p.item);
  };

  private compact(): void {
    this.waiting.splice(0, this.head);
    this.head = 0;
  }
}
