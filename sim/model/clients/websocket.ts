import type { Rng } from '../../engine/random.js';
import type { Histogram } from '../../metrics/histogram.js';
import type { Distribution } from '../../scenario/distribution.js';
import type { Backend } from '../vm/backend.js';
import { backoffDelay, retryAfterDelay } from './backoff.js';
import { PoissonArrivals } from './arrivals.js';
import { ConnKind, NO_RETRY_AFTER, type Conn } from '../core/conn.js';
import type { RequestPath } from '../proxy/upstream.js';
import type { SessionPopulation } from '../core/populations.js';
import type { FlowDownstream, FlowUpstream } from '../core/hop.js';
import { ErrorKind } from '../core/series.js';
import { EndKind, type World } from '../core/world.js';

/** Why a session ends, decided when its timer fires. */
export const WsClose = { NORMAL: 1000, GOING_AWAY: 1001, ABNORMAL: 1006 } as const;

/**
 * The WebSocket population. A user opens a session and keeps it for a drawn lifetime; across
 * reconnects the user's intent (when they leave) is kept, so a policy change does not change what
 * the users do. The tunnel is client ↔ LB ↔ nginx ↔ app; on a normal close the app closes TCP
 * first (RFC 6455 §7.1.1), so TIME_WAIT lands on the VM. A tunnel idle past proxy_read_timeout is
 * closed by nginx (1006 for the client) unless pings keep it busy.
 */
export class WsClients implements FlowDownstream, SessionPopulation {
  private readonly arrivals: PoissonArrivals;
  private readonly ramp: Rng;
  private readonly lifetimeRng: Rng;
  private readonly reconnectRng: Rng;
  private readonly lifetime: Distribution;
  /** Sum of session start times per backend, for the average age gauge in O(1). */
  readonly bornSum: Float64Array;
  private readonly durations: Histogram;

  constructor(
    private readonly w: World,
    private readonly connector: FlowUpstream,
    private readonly path: RequestPath,
  ) {
    const cfg = w.scenario.clients.ws;
    this.ramp = w.streams.stream('clients.ws.arrivals');
    this.arrivals = new PoissonArrivals(w.engine, this.ramp, cfg.arrival_rate, this.arrive);
    this.lifetimeRng = w.streams.stream('clients.ws.lifetime');
    this.reconnectRng = w.streams.stream('clients.ws.reconnect');
    this.lifetime = cfg.lifetime;
    this.bornSum = new Float64Array(w.backends.length);
    // Registered up front so a run with no session closes still reports it (count 0).
    this.durations = w.metrics.histogram('ws_session_duration');
  }

  start(): void {
    const cfg = this.w.scenario.clients.ws;
    for (let i = 0; i < cfg.initial_sessions; i++) this.w.engine.schedule(this.ramp.next() * cfg.initial_ramp, this.arrive, this);
    this.arrivals.start();
  }

  setRate(rate: number): void {
    this.arrivals.setRate(rate);
  }

  private readonly arrive = (): void => {
    const conn = this.w.newConn(ConnKind.WS);
    conn.sessionEndsAt = this.w.now + this.lifetime.sample(this.lifetimeRng);
    conn.rng.seed(Math.floor(this.lifetimeRng.next() * 4294967296));
    this.connector.connect(conn, this);
  };

  connectFailed(conn: Conn, kind: ErrorKind, backend: number): void {
    this.w.error(kind, backend);
    this.reconnectLater(conn, this.backoff(conn));
  }

  /** The reconnect policy's next delay for this client (decorrelated jitter grows from the last). */
  private backoff(conn: Conn): number {
    return backoffDelay(this.w.scenario.clients.ws.reconnect, conn.attempt, this.reconnectRng, conn.lastBackoff);
  }

  /** The upgrade is answered with a 5xx and the connection closed: the client backs off. */
  private rejectHandshake(conn: Conn, backend: Backend): void {
    this.w.metrics.inc(this.w.c.responses5xx, backend.index);
    this.w.end(conn, EndKind.SERVER_FIN);
    this.reconnectLater(conn, this.backoff(conn));
  }

  /** TCP is up: the upgrade handshake goes through nginx to the app. */
  connected(conn: Conn): void {
    const w = this.w;
    const backend = w.backends[conn.backend];
    if (w.now >= conn.sessionEndsAt) {
      w.end(conn, EndKind.CLIENT_FIN);
      return;
    }
    if (!backend.app.acceptsWebSockets) {
      // 503 (draining app rejects handshakes) or 502 (app gone).
      this.rejectHandshake(conn, backend);
      return;
    }
    const port = backend.upstreamPorts.connect(w.now);
    if (port < 0) {
      w.metrics.inc(w.c.errEaddrnotavail, backend.index);
      this.rejectHandshake(conn, backend);
      return;
    }
    w.metrics.inc(w.c.upstreamConnects, backend.index);
    conn.upstream = { port, requests: 1, idleSince: w.now };
    conn.attempt = 0;
    conn.lastBackoff = 0;
    conn.retryAfter = NO_RETRY_AFTER;
    conn.sessionStartedAt = w.now;
    this.bornSum[backend.index] += w.now;
    backend.wsSessions.add(conn);
    this.armSessionTimer(conn, backend);
  }

  private armSessionTimer(conn: Conn, backend: Backend): void {
    const w = this.w;
    const born = conn.sessionStartedAt;
    let end = conn.sessionEndsAt;
    const ttl = backend.app.config.ws.session_ttl;
    if (ttl > 0 && ttl !== Infinity) end = Math.min(end, born + ttl);
    end = Math.min(end, backend.nginx.tunnelIdleDeadline(born, w.scenario.clients.ws.ping_interval));
    conn.timer = w.engine.at(end, this.sessionTimer, conn);
  }

  private readonly sessionTimer = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    const backend = w.backends[conn.backend];
    if (w.now >= conn.sessionEndsAt) this.closeSession(conn, WsClose.NORMAL, false);
    else {
      const ttl = backend.app.config.ws.session_ttl;
      const born = conn.sessionStartedAt;
      if (ttl > 0 && w.now >= born + ttl) this.closeSession(conn, WsClose.GOING_AWAY, false);
      else this.closeSession(conn, WsClose.ABNORMAL, true);
    }
  };

  /**
   * End a session that is alive on its backend. `proxyFirst`: nginx closes both sides (idle
   * tunnel timeout); otherwise the app sends the Close frame and closes TCP first.
   */
  closeSession(conn: Conn, code: number, proxyFirst: boolean): void {
    const w = this.w;
    const backend = w.backends[conn.backend];
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.closeUpstream(backend, conn.upstream, proxyFirst);
    conn.upstream = null;
    w.end(conn, EndKind.SERVER_FIN);
    this.countClose(code, backend.index);
    if (code === WsClose.NORMAL) return;
    if (code === WsClose.ABNORMAL) {
      w.trace.emitLimited(`ws-idle-${backend.index}`, {
        kind: 'nginx.tunnel_idle_timeout',
        backend: backend.name,
        proxyReadTimeout: backend.nginx.config.proxy_read_timeout,
        reconnect: w.scenario.clients.ws.reconnect,
      });
    }
    this.reconnectAfterClose(conn);
  }

  /** The server side vanished or was killed under a live session. */
  serverGone(conn: Conn, how: EndKind): void {
    const w = this.w;
    const backend = w.backends[conn.backend];
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.abortUpstream(backend, conn.upstream);
    conn.upstream = null;
    if (how === EndKind.SILENT) {
      // Nothing arrives: the client notices at its next unanswered ping.
      conn.timer = w.engine.at(this.deadPeerNoticedAt(conn), this.noticedDead, conn);
      return;
    }
    w.end(conn, how);
    this.countClose(WsClose.ABNORMAL, backend.index);
    this.reconnectAfterClose(conn);
  }

  /** The LB forgot the flow (hard removal): the next ping meets an RST. */
  flowForgotten(conn: Conn): void {
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = w.engine.at(Math.min(this.nextPingAt(conn), conn.sessionEndsAt), this.resetByLb, conn);
  }

  private readonly resetByLb = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    const backend = w.backends[conn.backend];
    w.metrics.inc(w.c.resetOut, backend.index);
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.abortUpstream(backend, conn.upstream);
    conn.upstream = null;
    w.end(conn, EndKind.RESET);
    if (w.now >= conn.sessionEndsAt) return;
    this.countClose(WsClose.ABNORMAL, backend.index);
    this.reconnectAfterClose(conn);
  };

  /** When the client's next ping goes out (pings every ping_interval from the session start; ∞: none). */
  private nextPingAt(conn: Conn): number {
    const ping = this.w.scenario.clients.ws.ping_interval;
    if (ping === 0 || ping === Infinity) return Infinity;
    const born = this.sessionStart(conn);
    return born + Math.ceil((this.w.now - born) / ping + 1e-9) * ping;
  }

  private deadPeerNoticedAt(conn: Conn): number {
    return Math.min(conn.sessionEndsAt, this.nextPingAt(conn) + this.w.scenario.clients.ws.pong_timeout);
  }

  private readonly noticedDead = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    const b = conn.backend;
    w.end(conn, EndKind.SILENT);
    if (w.now >= conn.sessionEndsAt) return;
    w.error(ErrorKind.ETIMEDOUT, b);
    this.countClose(WsClose.ABNORMAL, b);
    this.reconnectAfterClose(conn);
  };

  /** The app's drain hook: announce retryAfter, and close with 1001 spread over `close_spread`. */
  drainNotice(backend: Backend): void {
    const w = this.w;
    const ws = backend.app.config.ws;
    backend.app.refuseWebSockets();
    const sessions = [...backend.wsSessions];
    if (ws.drain_notice) for (const s of sessions) s.retryAfter = ws.retry_after;
    if (!ws.close_on_shutdown) return;
    const reconnect = w.scenario.clients.ws.reconnect;
    w.trace.emit({
      kind: 'app.drain_notice',
      backend: backend.name,
      retryAfter: ws.retry_after,
      sessions: sessions.length,
      closeSpread: ws.close_spread,
      honorRetryAfter: reconnect.honor_retry_after,
      reconnectPolicy: reconnect.policy,
    });
    sessions.forEach((s, i) => {
      if (s.timer >= 0) w.engine.cancel(s.timer);
      s.timer = w.engine.schedule((ws.close_spread * i) / Math.max(1, sessions.length), this.goingAway, s);
    });
  }

  private readonly goingAway = (conn: Conn): void => {
    conn.timer = -1;
    if (conn.backend < 0) return;
    this.closeSession(conn, WsClose.GOING_AWAY, false);
  };

  private reconnectAfterClose(conn: Conn): void {
    const w = this.w;
    const cfg = w.scenario.clients.ws.reconnect;
    const delay =
      conn.retryAfter !== NO_RETRY_AFTER && cfg.honor_retry_after
        ? retryAfterDelay(cfg, conn.retryAfter, this.reconnectRng)
        : this.backoff(conn);
    this.reconnectLater(conn, delay);
  }

  private reconnectLater(conn: Conn, delay: number): void {
    const w = this.w;
    if (w.now + delay >= conn.sessionEndsAt) return;
    conn.lastBackoff = delay;
    conn.attempt++;
    conn.timer = w.engine.schedule(delay, this.reconnect, conn);
  }

  private readonly reconnect = (conn: Conn): void => {
    conn.timer = -1;
    this.w.metrics.inc(this.w.c.reconnects, -1);
    this.connector.connect(conn, this);
  };

  private forgetSession(conn: Conn, backend: Backend): void {
    if (!backend.wsSessions.delete(conn)) return;
    const born = conn.sessionStartedAt;
    this.bornSum[backend.index] -= born;
    conn.sessionStartedAt = -1;
    this.durations.record(this.w.now - born);
  }

  private countClose(code: number, b: number): void {
    const c = this.w.c;
    this.w.metrics.inc(code === WsClose.NORMAL ? c.ws1000 : code === WsClose.GOING_AWAY ? c.ws1001 : c.ws1006, b);
  }

  /** Start of the session the pings are timed from (now, once the session was forgotten). */
  private sessionStart(conn: Conn): number {
    return conn.sessionStartedAt >= 0 ? conn.sessionStartedAt : this.w.now;
  }

  /** Average age of the sessions on a backend now (0 when none). */
  averageAge(backend: Backend): number {
    const n = backend.wsSessions.size;
    return n === 0 ? 0 : this.w.now - this.bornSum[backend.index] / n;
  }
}
