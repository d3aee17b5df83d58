import type { Conn } from '../core/conn.js';
import type { HttpDownstream, HttpUpstream } from '../core/hop.js';
import { EndKind, type World } from '../core/world.js';

/** Which of the proxy's timeouts ends an idle connection first. */
export type IdleCloser = 'client' | 'server' | 'tunnel';

/**
 * The proxy's timeout that ends an idle connection or tunnel: `after` s of inactivity, `closer`
 * naming it, `how` the flow then ends.
 *
 * Both read timeouts of an idle stream restart at its last exchange (a read on one side is a write
 * on the other, which refreshes that side's read timeout too: sc_notify(), src/stconn.c), and an
 * idle stream has no write timeout armed (sc_update_tx(): `oc->wex = TICK_ETERNITY` on an empty
 * channel). So the smaller of `timeout client` and `timeout server` fires first, both at once
 * when equal or under `timeout tunnel` (process_stream(), src/stream.c: `req->rto = req->wto =
 * res->rto = res->wto = s->tunnel_timeout`). A read timeout shuts that side's read only, without
 * NOLINGER (process_stream() "1a": `sc_shutr()`), and the close is passed on by the channel's
 * CF_AUTO_CLOSE (`channel_shutw_now()` → `sc_shutw()`, a clean shutdown(SHUT_WR), a FIN):
 * - client side only (`timeout client` < `timeout server`): a FIN to nginx, whose answering FIN
 *   (conn_sock_read0() clears FD_LINGER_RISK) makes HAProxy close the client side — no RST, the
 *   proxy closed first on both sides (EndKind.PROXY_HALF_CLOSE);
 * - server side, or both: a FIN to the client; the server socket is closed (`sc_conn_shut()`) once
 *   its request channel is shut too — at once, or when the client answers the FIN — before nginx
 *   said anything, so FD_LINGER_RISK (tcp_connect_server(), src/proto_tcp.c) makes its close() an
 *   RST (_fd_delete_orphan(), src/fd.c): nginx reads FIN then RST (EndKind.PROXY_FIN).
 * The same holds for an HTTP-mode tunnel (h1_shutw() / h1_detach(), src/mux_h1.c, end in the same
 * conn_sock_shutw() and fd_delete()). HAProxy v2.6.0.
 */
export interface ProxyTimeout {
  after: number;
  closer: IdleCloser;
  how: EndKind;
}

function firstTimeout(client: number, server: number, tunnel: number | undefined): ProxyTimeout {
  if (tunnel !== undefined) return { after: tunnel, closer: 'tunnel', how: EndKind.PROXY_FIN };
  if (client < server) return { after: client, closer: 'client', how: EndKind.PROXY_HALF_CLOSE };
  return client === server
    ? { after: client, closer: 'client', how: EndKind.PROXY_FIN }
    : { after: server, closer: 'server', how: EndKind.PROXY_FIN };
}

/**
 * HAProxy's inactivity timeouts on an L4 proxy's connections (lb.mode l4, HAProxy mode tcp).
 * `timeout client` is the I/O timeout of the client side, `timeout server` of the server side
 * (`back_establish()`, src/stream.c: `scb->ioto = be->timeout.server`); in tcp mode no analyser is
 * left once the server connection is up, so `timeout tunnel`, when set, replaces both
 * (process_stream(), src/stream.c: `scf->ioto = scb->ioto = s->tunnel_timeout`). Every timeout is
 * unset by default: no timeout, HAProxy only warns ("missing timeouts for backend", src/proxy.c).
 * An idle keep-alive connection has no I/O on either side, so the smaller timeout fires and the
 * proxy closes both of its connections (see ProxyTimeout for who reads what): the client learns
 * its connection is gone and uses a new one.
 */
export function idleTimeout(w: World): ProxyTimeout {
  const lb = w.scenario.lb;
  if (lb.mode !== 'l4') return { after: Infinity, closer: 'tunnel', how: EndKind.PROXY_FIN };
  return firstTimeout(lb.timeout_client ?? Infinity, lb.timeout_server ?? Infinity, lb.timeout_tunnel);
}

/**
 * The proxy's inactivity timeout of a tunnel — a WebSocket after its upgrade, through HAProxy mode
 * tcp (lb.mode l4) or mode http (lb.mode l7, where the upgraded stream has no analyser left
 * either): `timeout tunnel` when set, else the smaller of `timeout client` and `timeout server`
 * (process_stream(), src/stream.c: `scf->ioto = scb->ioto = s->tunnel_timeout` only when
 * tick_isset(s->tunnel_timeout); doc/configuration.txt "timeout tunnel"). A NAT has none here
 * (its table's idle timeout is lb/nat-idle.ts). Infinity: none.
 */
export function tunnelTimeout(w: World): ProxyTimeout {
  const lb = w.scenario.lb;
  if (lb.mode === 'nat') return { after: Infinity, closer: 'tunnel', how: EndKind.PROXY_FIN };
  return firstTimeout(lb.timeout_client ?? Infinity, lb.timeout_server ?? Infinity, lb.timeout_tunnel);
}

/**
 * When the proxy closes a tunnel idle since `since` whose client pings every `pingInterval`:
 * pings (and their pongs) are traffic on both sides, so only a tunnel whose pings are rarer than
 * the timeout (or absent) expires — the rule nginx's proxy_read_timeout follows too
 * (proxy/nginx.ts tunnelIdleDeadline). Infinity: never.
 */
export function tunnelIdleDeadline(after: number, since: number, pingInterval: number): number {
  if (!Number.isFinite(after) || after <= 0) return Infinity;
  if (pingInterval === 0 || pingInterval === Infinity || pingInterval > after) return since + after;
  return Infinity;
}

/**
 * The L4 proxy's idle timeouts in front of nginx's client connections: a hop composed in
 * topology.ts around nginx's side (proxy/client-conns.ts). It answers the client's keep-alive
 * questions with whichever closes first — nginx's keepalive_timeout or the proxy's timeout — and
 * makes the proxy's close itself.
 */
export class ProxyIdleTimeouts implements HttpUpstream {
  sink!: HttpDownstream;
  private readonly after: number;
  private readonly closer: IdleCloser;
  private readonly how: EndKind;
  private readonly rtt: number;

  constructor(
    private readonly w: World,
    private readonly inner: HttpUpstream,
  ) {
    const t = idleTimeout(w);
    const lb = w.scenario.lb;
    const some = lb.timeout_client !== undefined || lb.timeout_server !== undefined || lb.timeout_tunnel !== undefined;
    if (
      lb.mode === 'l4' &&
      some &&
      (lb.timeout_client === undefined || (lb.timeout_server ?? lb.timeout_tunnel) === undefined)
    ) {
      // HAProxy's own check (src/proxy.c, check_config_validity()): tcp mode needs client and
      // server or tunnel; it warns and runs with the missing ones infinite. Scenarios that set no
      // timeout at all are not warned about: they do not model HAProxy's timeouts.
      w.trace.emit({
        kind: 'lb.missing_timeouts',
        client: lb.timeout_client !== undefined,
        server: lb.timeout_server !== undefined,
        tunnel: lb.timeout_tunnel !== undefined,
      });
    }
    this.after = t.after;
    this.closer = t.closer;
    this.how = t.how;
    this.rtt = w.scenario.clients.rtt;
  }

  handle(conn: Conn): void {
    this.inner.handle(conn);
  }

  waiting(conn: Conn): void {
    this.inner.waiting?.(conn);
  }

  keepsAlive(conn: Conn): boolean {
    return this.inner.keepsAlive(conn);
  }

  abandon(conn: Conn): boolean {
    return this.inner.abandon(conn);
  }

  idleCloseAfter(conn: Conn, think: number): number {
    const nginx = this.inner.idleCloseAfter(conn, think);
    if (!this.proxyCloses(conn, think)) return nginx;
    return this.after;
  }

  closeIdle(conn: Conn, delay: number): void {
    if (delay > 0 && delay === this.after && this.proxyCloses(conn, delay)) {
      conn.timer = this.w.engine.schedule(delay, this.timedOut, conn);
      return;
    }
    this.inner.closeIdle(conn, delay);
  }

  /** The proxy's timeout ends an idle period of `think` s, before nginx's keepalive_timeout does. */
  private proxyCloses(conn: Conn, think: number): boolean {
    if (!Number.isFinite(this.after) || think < this.after - this.rtt) return false;
    const nginx = this.inner.idleCloseAfter(conn, Infinity);
    return nginx < 0 || this.after < nginx;
  }

  private readonly timedOut = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    if (conn.backend < 0) return;
    const b = conn.backend;
    w.trace.emitLimited(`lb-idle-timeout-${b}`, {
      kind: 'lb.idle_timeout',
      backend: w.backends[b].name,
      timeout: this.closer,
      after: this.after,
      nginxReset: this.how === EndKind.PROXY_FIN,
    });
    w.end(conn, this.how);
    this.sink.closedByServer(conn);
  };
}
