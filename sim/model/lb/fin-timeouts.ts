import type { LbConfig } from '../../scenario/schema.js';

/**
 * How long HAProxy keeps a tunnel once one side has half-closed it: `afterServerFin`, the client
 * side's inactivity timeout once the server's FIN has been passed on to the client, and
 * `afterClientFin`, the server side's once the client's FIN has been passed on to the server.
 * The FIN itself is relayed at once (the channel's CF_AUTO_CLOSE: `channel_shutw_now()` →
 * `sc_shutw()`, a shutdown(SHUT_WR)), so the peer reads EOF without delay; the stream then ends
 * when the peer closes its own side too, or when this timeout expires first (log `cD` / `sD`),
 * and a peer that keeps its side open is not told (HAProxy had already sent its FIN; its close()
 * then leaves no unread data, so no RST). Sources, HAProxy v2.6.0:
 * - shutting the write side of a stream connector sets its read timeout to the half-closed one
 *   when set (sc_app_shutw() / sc_app_shutw_conn(), src/stconn.c: `if (tick_isset(sc->hcto)) ic->rto
 *   = sc->hcto`); the client side's hcto is the frontend's `timeout client-fin` (stream_new(),
 *   src/stream.c), the server side's the backend's `timeout server-fin` (stream_set_backend(),
 *   src/proxy.c);
 * - in a tunnel process_stream() (src/stream.c, "if we have no analyser anymore in any direction
 *   and have a tunnel timeout set") resets every timeout to `timeout tunnel` and then keeps the
 *   half-closed ones: `req->rto = clientfin` when res CF_SHUTW, `res->rto = serverfin` when req
 *   CF_SHUTW, each only `if tick_isset(...)`.
 * Either is armed at the shutdown, from the FIN (`ic->rex = tick_add(now_ms, ic->rto)`). In mode
 * http (a WebSocket through lb.mode l7) the stream's rule is the same (stream_new() sets scf->hcto
 * whatever the mode) and the H1 connection itself, once half-closed, takes the same timeout
 * (h1_refresh_timeout(), src/mux_h1.c: `h1c->shut_timeout`, clientfin / serverfin when set, else
 * timeout client / server, h1_init()). No change to any of this from 2.6.0 to 2.6.12 (Debian's
 * changelog: the last half-close fix is 2.3-dev4's "mux-h1: always apply the timeout on
 * half-closed connections").
 * Unset (no default), a side keeps its ordinary timeout: `timeout tunnel` in a tunnel, else
 * `timeout client` / `timeout server` (lb/timeouts.ts tunnelTimeout, per side). A NAT has no
 * stream: it forwards each FIN and keeps nothing (Infinity). Measured (calibration/haproxy/NOTES.md
 * item 31, HAProxy 2.6.12): `timeout client-fin 2s`, a server FIN, a client that stays open: the
 * stream ends 2.000 s after the client read EOF, `cD`.
 * In drainsim every client closes its side on EOF (a WebSocket client on the server's FIN or
 * Close, RFC 6455 §7.1.1; an HTTP client's keep-alive socket on its `end`), so a server's
 * half-close (nginx's proxy_read_timeout or exit, an app's close, a killed app's FIN) ends the
 * stream at once and client-fin decides nothing; the server side is what can stay silent (a
 * vanished host), where `afterClientFin` and serverFinTimeout end a client-closed stream
 * (lb/pool.ts clientClosedStreamHold).
 */
export interface HalfClosedTimeouts {
  afterServerFin: number;
  afterClientFin: number;
}

/** A timeout HAProxy treats as set (`tick_isset()`): unset, 0 and infinite are none. */
function isSet(t: number | undefined): t is number {
  return t !== undefined && t > 0 && Number.isFinite(t);
}

export function halfClosedTimeouts(lb: LbConfig): HalfClosedTimeouts {
  if (lb.mode === 'nat') return { afterServerFin: Infinity, afterClientFin: Infinity };
  const side = (fin: number | undefined, ordinary: number | undefined): number =>
    isSet(fin) ? fin : isSet(lb.timeout_tunnel) ? lb.timeout_tunnel : isSet(ordinary) ? ordinary : Infinity;
  return {
    afterServerFin: side(lb.timeout_client_fin, lb.timeout_client),
    afterClientFin: side(lb.timeout_server_fin, lb.timeout_server),
  };
}

/**
 * `timeout server-fin` where set (null: unset): the server side's read timeout from the moment
 * the client's FIN is passed on to the server. sc_app_shutw_conn() (src/stconn.c) re-arms that
 * side's read expiry from now (`ic->rex = tick_add(now_ms, ic->rto)` with rto = hcto), so a set
 * server-fin counts from the relayed FIN, not from the last exchange with the server as the
 * ordinary timeout does (lb/pool.ts clientClosedStreamHold).
 */
export function serverFinTimeout(lb: LbConfig): number | null {
  return lb.mode !== 'nat' && isSet(lb.timeout_server_fin) ? lb.timeout_server_fin : null;
}
