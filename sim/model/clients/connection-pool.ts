/**
 * A pooled HTTP client's connections for the open-loop requests (`clients.requests.pool`): each
 * user is one kept-alive connection, and a connection carries one request at a time. A due
 * request goes on the NEXT IDLE connection, round robin from the one after the last used; when
 * every connection is busy it is skipped (`when_busy: skip`) or waits for the first one to free
 * (`when_busy: wait`, FIFO). Real pooled clients do this: Node's http.Agent with maxSockets
 * queues a request in `agent.requests` until a socket is free (lib/_http_agent.js addRequest());
 * Go's Transport with MaxConnsPerHost waits in `connsPerHostWait` (net/http/transport.go
 * queueForDial()); the HAProxy calibration recorder (calibration/haproxy/worker.mjs runRequests())
 * picks the next idle of its slots from a cursor and skips the request when none is idle. So a
 * connection whose request is held (by a dead server's retries behind `balance source`) sends
 * nothing more until it is answered, where plain open-loop users keep sending at their share.
 */
import type { Req } from '../core/request.js';

export type WhenBusy = 'skip' | 'wait';

export class ConnectionPool {
  /** 1 while the connection carries a request (from send to its last answer or failure). */
  private readonly busy: Uint8Array;
  /** The connection the next search starts at: the one after the last used (worker.mjs `cursor`). */
  private cursor = 0;
  /** Requests waiting for a connection (`wait`), oldest first; `head` is the next to go. */
  private readonly waiting: Req[] = [];
  private head = 0;

  constructor(
    readonly connections: number,
    readonly whenBusy: WhenBusy,
  ) {
    this.busy = new Uint8Array(connections);
  }

  /** The next idle connection from the cursor, now busy, or -1 when every one is busy. */
  take(): number {
    const n = this.connections;
    for (let k = 0; k < n; k++) {
      const c = (this.cursor + k) % n;
      if (this.busy[c] === 0) {
        this.busy[c] = 1;
        this.cursor = (c + 1) % n;
        return c;
      }
    }
    return -1;
  }

  /** Park a request that found every connection busy (`wait` only). */
  park(req: Req): void {
    this.waiting.push(req);
  }

  /**
   * Connection `c` is through with its request. Returns the oldest waiting request, which takes
   * this connection (it stays busy), or null (the connection is idle again).
   */
  release(c: number): Req | null {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      // Compact now and then: the parked list is only read from `head`.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      return next;
    }
    this.busy[c] = 0;
    return null;
  }
}
