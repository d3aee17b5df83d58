import type { Conn } from '../core/conn.js';

/**
 * nginx's accepted client connections that wait for their first request (clients.http.reconnect
 * eager opens them ahead of the request). ngx_http_init_connection (src/http/ngx_http_request.c)
 * arms client_header_timeout on the read event and makes the connection reusable
 * (ngx_reusable_connection(c, 1): ngx_drain_connections may close it) but not idle (c->idle is
 * set only by ngx_http_set_keepalive: ngx_close_idle_connections at a QUIT leaves it open);
 * ngx_http_wait_request_handler takes it off the reusable queue when the request comes
 * (ngx_reusable_connection(c, 0)).
 *
 * An entry names the connection by when its connect began (the record is reused for the client's
 * next connection, whose connect starts later): a connection that ended is never taken for a
 * waiting one, and nothing needs removing when it ends.
 */
export class AwaitingFirstRequest {
  private readonly waiting = new WeakMap<Conn, Waiting>();
  private serial = 0;

  /** nginx accepted `conn`, which waits for its first request; returns the wait's mark (for its timer). */
  add(conn: Conn): number {
    const mark = ++this.serial;
    this.waiting.set(conn, { connectedAt: conn.connectStartedAt, mark });
    return mark;
  }

  /** `conn` is an accepted connection still waiting for its first request (since the wait `mark`, if given). */
  has(conn: Conn, mark?: number): boolean {
    // No client of the run opens connections ahead (the usual case): no lookup per first request.
    if (this.serial === 0) return false;
    const w = this.waiting.get(conn);
    return (
      w !== undefined &&
      conn.backend >= 0 &&
      w.connectedAt === conn.connectStartedAt &&
      (mark === undefined || w.mark === mark)
    );
  }

  /** Its first request came (or nginx closed it): it no longer waits. */
  delete(conn: Conn): void {
    this.waiting.delete(conn);
  }
}

interface Waiting {
  readonly connectedAt: number;
  readonly mark: number;
}
