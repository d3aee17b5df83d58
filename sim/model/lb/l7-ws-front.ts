import type { Conn } from '../core/conn.js';
import type { FlowDownstream, FlowUpstream } from '../core/hop.js';
import { ErrorKind } from '../core/series.js';

/**
 * HAProxy's frontend in `mode http` for WebSocket clients: the Upgrade request is one stream,
 * balanced once (the connection connector's pick, retries and redispatch, l4-connect.ts), after
 * which the connection is a tunnel pinned to that server until either side closes (`timeout
 * tunnel`). What differs from an L4 balancer is what the client sees when no server takes the
 * upgrade: HAProxy answers it 503 (`http_return_srv_error()`, src/http_ana.c: STRM_ET_CONN_ERR
 * and CONN_TO; no server: `srv_redispatch_connect()`, src/backend.c) and closes, where an L4
 * balancer would hand on the refusal or the timeout. A server that dies under a tunnel makes
 * HAProxy close the client side (the server's FIN or RST ends the stream, `stream_shutdown()`
 * style, src/stream.c), as the tunnel through nginx already does; a drain keeps tunnels until they
 * close or `shutdown sessions`; a `remove` (maint) never forgets them (vm/lifecycle.ts remove).
 * The server is nginx on the VM or, for a bare app server (`backends[].proxy: none`), the app
 * itself: its listener decides the connect (l4-connect.ts attempt: a closed listener refuses,
 * which HAProxy retries and may redispatch), and the tunnel's server end is app/ws-endpoint.ts.
 */
export class L7WsFront implements FlowUpstream, FlowDownstream {
  /** The WebSocket client population (the only caller). */
  private clients: FlowDownstream | null = null;

  constructor(private readonly connector: FlowUpstream) {}

  connect(conn: Conn, downstream: FlowDownstream): void {
    this.clients = downstream;
    this.connector.connect(conn, this);
  }

  forwardsClientPacket(conn: Conn): boolean {
    return this.connector.forwardsClientPacket(conn);
  }

  connected(conn: Conn): void {
    this.clients!.connected(conn);
  }

  /** No server took the upgrade: HAProxy's 503 (the client's own EADDRNOTAVAIL stays an errno). */
  connectFailed(conn: Conn, kind: ErrorKind, backend: number): void {
    this.clients!.connectFailed(conn, kind === ErrorKind.EADDRNOTAVAIL ? kind : ErrorKind.HTTP_5XX, backend);
  }
}
