import type { Engine } from '../../engine/engine.js';

/** One connection waiting for a server slot, and its `timeout queue` timer. */
interface Pending<T> {
  item: T;
  timer: number;
}

/**
 * HAProxy's backend queue for an L4 proxy with per-server `maxconn` (src/queue.c): when every
 * usable server is full the load-balancing algorithms skip them and the stream is queued
 * (`pendconn_add()`); a stream ending on a server frees its slot and `process_srv_queue()` hands
 * it to the oldest waiting stream (`pendconn_process_next_strm()`); a stream still waiting after
 * `timeout queue` (default `timeout connect`, src/cfgparse.c) leaves the queue with
 * `STRM_ET_QUEUE_TO` — the client is closed (tcp mode: FIN) or answered 503 (http mode).
 *
 * Streams without persistence go to the backend's queue, not a server's (`assign_server()`
 * leaves them unassigned), so a server's own queue — "remaining in queue" in HAProxy's DOWN
 * message — stays empty for them; only the backend queue is modelled.
 */
export class BackendQueue<T> {
  private readonly waiting: Array<Pending<T> | null> = [];
  private head = 0;
  private length = 0;

  constructor(
    private readonly engine: Engine,
    /** `timeout queue` in seconds. */
    private readonly timeout: number,
    private readonly expired: (item: T) => void,
  ) {}

  /** Streams waiting now (HAProxy `show stat` qcur of the backend). */
  get size(): number {
    return this.length;
  }

  add(item: T): void {
    const p: Pending<T> = { item, timer: -1 };
    p.timer = Number.isFinite(this.timeout) ? this.engine.schedule(this.timeout, this.expire, p) : -1;
    this.waiting.push(p);
    this.length++;
  }

  /** The oldest waiting stream, taken out of the queue (null: none). */
  next(): T | null {
    while (this.head < this.waiting.length) {
      const p = this.waiting[this.head];
      this.waiting[this.head++] = null;
      if (p === null) continue;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) this.compact();
      this.length--;
      if (p.timer >= 0) this.engine.cancel(p.timer);
      return p.item;
    }
    return null;
  }

  private readonly expire = (p: Pending<T>): void => {
    const i = this.waiting.indexOf(p, this.head);
    if (i < 0) return;
    this.waiting[i] = null;
    this.length--;
    this.expired(p.item);
  };

  private compact(): void {
    this.waiting.splice(0, this.head);
    this.head = 0;
  }
}
