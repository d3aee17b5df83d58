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
 *
 * Times here are the balancer's (clients/open-loop.ts): a request due at the client is asked for
 * at the instant it would reach the balancer, and a connection the client learns is free (its
 * answer back, half a round trip after the balancer sent it) is idle for the requests that reach
 * the balancer from then on plus their own way there — `release(c, at)` says from when.
 */
import type { Req } from '../core/request.js';

export type WhenBusy = 'skip' | 'wait';

export class ConnectionPool {
  /** When each connection is idle again for a request asked for then (Infinity: it carries one). */
  private readonly idleFrom: Float64Array;
  /** The connection the next search starts at: the one after the last used (worker.mjs `cursor`). */
  private cursor = 0;
  /** Requests waiting for a connection (`wait`), oldest first; `head` is the next to go. */
  private readonly waiting: Req[] = [];
  private head = 0;

  constructor(
    readonly connections: number,
    readonly whenBusy: WhenBusy,
  ) {
    this.idleFrom = new Float64Array(connections);
  }

  /** The next connection idle at `now` from the cursor, now busy, or -1 when every one is busy. */
  take(now: number): number {
    const n = this.connections;
    for (let k = 0; k < n; k++) {
      const c = (this.cursor + k) % n;
      if (this.idleFrom[c] <= now) {
        this.idleFrom[c] = Infinity;
        this.cursor = (c + 1) % n;
        return c;
      }
    }
    return -1;
  }

  /**
   * `wait`, nothing idle at `now`: the connection released already whose freeing the client
   * learns first (the earliest `idleFrom` still to come), or -1 when every one carries a request.
   * Any connection released later is idle later still (its answer travels as long), and a parked
   * request would have taken a released one: the client's oldest waiting request is this one.
   */
  soonestReleased(): number {
    let best = -1;
    for (let c = 0; c < this.connections; c++) {
      const at = this.idleFrom[c];
      if (at < Infinity && (best < 0 || at < this.idleFrom[best])) best = c;
    }
    return best;
  }

  /** Connection `c` (soonestReleased) is taken for a waiting request; returns when it is idle for it. */
  claim(c: number): number {
    const at = this.idleFrom[c];
    this.idleFrom[c] = Infinity;
    return at;
  }

  /** Park a request that found every connection busy (`wait` only). */
  park(req: Req): void {
    this.waiting.push(req);
  }

  /**
   * Connection `c` is through with its request, idle from `at` on. Returns the oldest waiting
   * request, which takes this connection (it stays busy; the caller sends it at `at`), or null.
   */
  release(c: number, at: number): Req | null {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head++];
      // Compact now and then: the parked list is only read from `head`.
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      return next;
    }
    this.idleFrom[c] = at;
    return null;
  }
}
