import type { Rng } from '../../engine/random.js';
import { idleKeepaliveGiveUpAt, silentPeerGiveUpAt } from '../../net/dead-peer.js';
import { ResidualLife } from '../../plan/residual-life.js';
import type { Distribution } from '../../scenario/distribution.js';
import { type Conn, ConnKind, NO_RETRY_AFTER, NO_SESSION } from '../core/conn.js';
import { WsClose } from '../core/exchanges.js';
import {
  type FlowDownstream,
  type FlowUpstream,
  type TlsHandshakes,
  UPGRADED,
  type WsDownstream,
  type WsUpstream,
} from '../core/hop.js';
import type { Population } from '../core/populations.js';
import { ErrorKind, wsCloseCounter } from '../core/series.js';
import { EndKind, type ServerSideIo, type World } from '../core/world.js';
import { type Arrivals, PacedArrivals, PoissonArrivals } from './arrivals.js';
import { backoffDelay, retryAfterDelay } from './backoff.js';
import { wsClientFinFirst, wsHandshakeTimeout } from './ws-library.js';

export { WsClose };

/**
 * The WebSocket population. A user opens a session and keeps it for a drawn lifetime; across
 * reconnects the user's intent (when they leave) is kept, so a policy change does not change what
 * the users do. The tunnel is client ↔ LB ↔ nginx ↔ app; its server end (handshake, TTL, idle
 * timeout, drain notice) is app/ws-endpoint.ts, reached through hop.ts. The client pings every
 * ping_interval, notices a dead peer by a missing pong, and reconnects by its policy or a drain
 * notice's retryAfter.
 */
export class WsClients implements FlowDownstream, WsDownstream, Population {
  private readonly arrivals: Arrivals;
  private readonly ramp: Rng;
  private readonly lifetimeRng: Rng;
  private readonly reconnectRng: Rng;
  private readonly lifetime: Distribution;
  /** Seconds the client waits for its upgrade's 101 (clients.ws.handshake_timeout or its library's; ∞: none). */
  private readonly handshakeTimeout: number;
  /**
   * After the server's Close frame the client sends its FIN first (Node's `ws`), or waits for the
   * server's (a browser): ws-library.ts. Read by the server end when it closes (app/ws-endpoint.ts).
   */
  readonly finFirstAfterServerClose: boolean;
  /** TLS handshakes on nginx's workers or the balancer's threads (proxy/worker-cpu.ts TlsCpu; null: no VM has them). */
  tls: TlsHandshakes | null = null;

  constructor(
    private readonly w: World,
    private readonly connector: FlowUpstream,
    private readonly endpoint: WsUpstream,
  ) {
    const cfg = w.scenario.clients.ws;
    this.ramp = w.streams.stream('clients.ws.arrivals');
    // paced: the first new session at the start or the rate change, as the http clients' paced
    // connections (arrivals.ts PacedArrivals firstAtStart). The ramp stream still spreads the
    // initial sessions, so their draws are those of a Poisson run.
    this.arrivals =
      cfg.arrivals === 'paced'
        ? new PacedArrivals(w.engine, cfg.arrival_rate, this.arrive, true)
        : new PoissonArrivals(w.engine, this.ramp, cfg.arrival_rate, this.arrive);
    this.lifetimeRng = w.streams.stream('clients.ws.lifetime');
    this.reconnectRng = w.streams.stream('clients.ws.reconnect');
    this.lifetime = cfg.lifetime;
    this.handshakeTimeout = wsHandshakeTimeout(cfg);
    this.finFirstAfterServerClose = wsClientFinFirst(cfg);
  }

  start(): void {
    const cfg = this.w.scenario.clients.ws;
    if (cfg.start === 'steady' && cfg.initial_sessions > 0) this.startSteady();
    else
      for (let i = 0; i < cfg.initial_sessions; i++)
        this.w.engine.schedule(this.ramp.next() * cfg.initial_ramp, this.arrive, this);
    this.scheduleSessions();
    this.arrivals.start();
  }

  /**
   * clients.ws.scheduled: sessions at exact times with their own lifetimes (a recorded experiment
   * restated). Their connections' seeds come from a stream of their own, so a scenario without
   * them draws exactly what it drew before.
   */
  private scheduleSessions(): void {
    const scheduled = this.w.scenario.clients.ws.scheduled;
    if (!scheduled || scheduled.length === 0) return;
    const seeds = this.w.streams.stream('clients.ws.scheduled');
    for (const s of scheduled) {
      const session = { age: 0, endsAt: s.at + s.lifetime, seed: Math.floor(seeds.next() * 4294967296) };
      this.w.engine.at(s.at, this.arriveSteady, session);
    }
  }

  /**
   * A steady-state start: the initial sessions are those a population running for ever has open
   * when the run starts, so each has an age and a remaining life drawn jointly from the stationary
   * distribution (the same draw the planner makes: plan/residual-life.ts), and a drain meets the
   * long sessions a real one meets (inspection paradox) instead of a fleet of newcomers. Each
   * still connects during initial_ramp, older by the wait; one whose remaining life is shorter
   * than the wait has left before connecting. Its own stream: a cold start's draws are unchanged.
   */
  private startSteady(): void {
    const cfg = this.w.scenario.clients.ws;
    const steady = this.w.streams.stream('clients.ws.steady');
    const stationary = ResidualLife.of(this.lifetime);
    for (let i = 0; i < cfg.initial_sessions; i++) {
      const wait = this.ramp.next() * cfg.initial_ramp;
      const { age, residual } = stationary.sampleSession(steady);
      const seed = Math.floor(steady.next() * 4294967296);
      if (residual <= wait) continue;
      this.w.engine.schedule(wait, this.arriveSteady, { age: age + wait, endsAt: this.w.now + residual, seed });
    }
  }

  private readonly arriveSteady = (session: { age: number; endsAt: number; seed: number }): void => {
    const conn = this.w.newConn(ConnKind.WS);
    conn.sessionEndsAt = session.endsAt;
    conn.ageAtConnect = session.age;
    conn.rng.seed(session.seed);
    this.connector.connect(conn, this);
  };

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
    // An L7 balancer answers the upgrade with its own 503 (lb/l7-ws-front.ts).
    if (kind === ErrorKind.HTTP_5XX) this.w.metrics.inc(this.w.c.responses5xx, backend);
    this.w.error(kind, backend);
    this.reconnectLater(conn, this.backoff(conn));
  }

  /** The reconnect policy's next delay for this client (decorrelated jitter grows from the last). */
  private backoff(conn: Conn): number {
    return backoffDelay(this.w.scenario.clients.ws.reconnect, conn.attempt, this.reconnectRng, conn.lastBackoff);
  }

  /** TCP is up: the upgrade handshake goes through nginx to the app. */
  connected(conn: Conn): void {
    const w = this.w;
    if (w.now >= conn.sessionEndsAt) {
      w.end(conn, EndKind.CLIENT_FIN);
      return;
    }
    if (this.tls !== null && this.tls.awaitingAdmission(conn) !== 0) {
      this.awaitAdmission(conn);
      return;
    }
    const wait = this.tls === null ? 0 : this.tls.doneIn(conn);
    if (wait > 0) {
      this.awaitHandshake(conn, wait);
      return;
    }
    this.upgrade(conn);
  }

  private upgrade(conn: Conn): void {
    const b = conn.backend;
    const refused = this.endpoint.handshake(conn);
    if (refused !== UPGRADED) {
      this.upgradeRefused(conn, refused, b);
      return;
    }
    conn.attempt = 0;
    conn.lastBackoff = 0;
  }

  /**
   * The upgrade was answered 5xx, or reset, and its connection closed: a client-visible error (`ws`
   * emits 'error' — "Unexpected server response: 503", or the socket's ECONNRESET — then 'close';
   * lib/websocket.js initAsClient() / abortHandshake()), counted as HAProxy's own 503 is
   * (connectFailed), and the client backs off by its policy.
   */
  upgradeRefused(conn: Conn, kind: ErrorKind, b: number): void {
    this.w.error(kind, b);
    this.reconnectLater(conn, this.backoff(conn));
  }

  /**
   * TLS ends in nginx (or at a balancer with threads) and this connection's own handshake is still
   * queued on the worker (or thread) that holds it: the upgrade GET is sent and read only once
   * SSL_do_handshake() has completed (src/http/ngx_http_request.c ngx_http_ssl_handshake() hands
   * the connection to ngx_http_wait_request_handler() only then), so a reconnect storm reaches the
   * app paced by the workers' handshake rate, not all at once. The client waits for its opening
   * handshake's timeout (clients.ws.handshake_timeout, or its library's: ws-library.ts; none: until
   * the user leaves); reached first, it gives up (its own timer: CLIENT_TIMEOUT — `ws` emits
   * "Opening handshake has timed out", lib/websocket.js initAsClient(); socket.io-client a
   * "timeout" connect_error — not the kernel's ETIMEDOUT), closes, and reconnects by its
   * policy, as after a failed connect. The timeout is the handshake's only: once upgraded the
   * session's dead-peer detection is the pings' (pong_timeout).
   */
  private awaitHandshake(conn: Conn, wait: number, startedAt = this.w.now): void {
    const w = this.w;
    conn.requestStartedAt = startedAt;
    const giveUp = this.upgradeGivesUpAt(conn);
    if (w.now + wait >= giveUp) conn.timer = w.engine.at(giveUp, this.upgradeTimedOut, conn);
    else conn.timer = w.engine.schedule(wait, this.handshakeDone, conn);
  }

  /**
   * The connection's final ACK was dropped on nginx's full accept queue (lb/l4-connect.ts
   * ackArrives): the client's ClientHello is retransmitted until a copy gets it in; then its
   * handshake is queued on a worker (awaitHandshake). Its give-up time counts from now.
   */
  private awaitAdmission(conn: Conn): void {
    const w = this.w;
    conn.requestStartedAt = w.now;
    conn.timer = w.engine.at(this.upgradeGivesUpAt(conn), this.upgradeTimedOut, conn);
    this.tls!.whenAdmitted(conn, this.admitted, this.resetBeforeAdmission);
  }

  private readonly admitted = (conn: Conn): void => {
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    const started = conn.requestStartedAt;
    const wait = this.tls!.doneIn(conn);
    if (wait <= 0) {
      this.upgrade(conn);
      return;
    }
    this.awaitHandshake(conn, wait, started);
  };

  /**
   * The listener reset the connection before admitting it (its request sock expired:
   * lb/l4-connect.ts expiredReset): the upgrade's retransmission meets RST, ECONNRESET — a
   * client-visible error — and the client reconnects as after any abnormal close.
   */
  private readonly resetBeforeAdmission = (conn: Conn): void => {
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    w.metrics.inc(w.c.resetOut, conn.backend);
    w.error(ErrorKind.ECONNRESET, conn.backend);
    this.serverGone(conn, EndKind.RESET);
  };

  private upgradeGivesUpAt(conn: Conn): number {
    return Math.min(conn.sessionEndsAt, conn.requestStartedAt + this.handshakeTimeout);
  }

  private readonly handshakeDone = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    // The host vanished meanwhile: nothing reads the upgrade, the client waits for its timeout.
    if (!w.backends[conn.backend].hostUp)
      conn.timer = w.engine.at(this.upgradeGivesUpAt(conn), this.upgradeTimedOut, conn);
    else this.upgrade(conn);
  };

  private readonly upgradeTimedOut = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    const b = conn.backend;
    w.end(conn, EndKind.CLIENT_FIN);
    if (w.now >= conn.sessionEndsAt) return;
    w.error(ErrorKind.CLIENT_TIMEOUT, b);
    this.reconnectLater(conn, this.backoff(conn));
  };

  /** The server closed the session with 1001 or 1006 (not a user's own 1000): reconnect. */
  closedByServer(conn: Conn): void {
    this.reconnectAfterClose(conn);
  }

  /** The server side vanished (nothing arrives) or was killed (FIN / RST) under a live session. */
  serverGone(conn: Conn, how: EndKind): void {
    const w = this.w;
    if (how === EndKind.SILENT) {
      // Nothing arrives: the client notices at its next unanswered ping, which it remembers (the
      // one thing it waits an answer to, as it did for the upgrade).
      const ping = this.nextPingAt(conn);
      conn.requestStartedAt = ping;
      const byClient = this.clientClosesAt(conn, ping);
      const byBalancer = this.balancerGivesUpAt(conn, ping);
      conn.timer =
        byClient < byBalancer
          ? w.engine.at(byClient, this.closedOnSilence, conn)
          : w.engine.at(byBalancer, this.noticedDead, conn);
      return;
    }
    const b = conn.backend;
    w.end(conn, how);
    w.metrics.inc(wsCloseCounter(w.c, WsClose.ABNORMAL), b);
    this.reconnectAfterClose(conn);
  }

  /** The LB forgot the flow (hard removal): the next ping meets an RST. */
  flowForgotten(conn: Conn): void {
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = w.engine.at(Math.min(this.nextPingAt(conn), conn.sessionEndsAt), this.resetAtSend, conn);
  }

  /**
   * The client's packet now (its ping, or its Close frame as its user leaves) meets the
   * balancer's RST — a flow it forgot, or a NAT entry that timed out (app/ws-endpoint.ts):
   * ECONNRESET, the session ends abnormally (1006) and the client reconnects, unless its user was
   * leaving anyway.
   */
  readonly resetAtSend = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    const b = conn.backend;
    w.metrics.inc(w.c.resetOut, b);
    this.endpoint.tunnelGone(conn);
    w.end(conn, EndKind.RESET);
    if (w.now >= conn.sessionEndsAt) return;
    w.metrics.inc(wsCloseCounter(w.c, WsClose.ABNORMAL), b);
    this.reconnectAfterClose(conn);
  };

  /** When the client's next ping goes out (pings every ping_interval from the session start; ∞: none). */
  private nextPingAt(conn: Conn): number {
    return this.pingAfter(conn, this.w.now);
  }

  /** When the client's first ping after `t` goes out (on the schedule of nextPingAt). */
  pingAfter(conn: Conn, t: number): number {
    const ping = this.w.scenario.clients.ws.ping_interval;
    if (ping === 0 || ping === Infinity) return Infinity;
    const born = this.sessionStart(conn);
    return born + Math.ceil((t - born) / ping + 1e-9) * ping;
  }

  /**
   * The client's next ping after the vanish goes unanswered: it declares the connection dead at its
   * pong_timeout (or its user leaves first) — clientClosesAt — or earlier when the kernel
   * retransmitting that ping gives up first (tcp_retries2, ETIMEDOUT) — balancerGivesUpAt. Behind
   * a NAT that is the client machine's own socket (clients.kernel); behind a proxy (l4, or l7 once
   * upgraded) the client's TCP peer is the balancer, which acknowledges the ping: its server socket
   * retransmits the relayed copy (lb.kernel), and HAProxy closes the stream when that socket fails.
   * No ping (ping_interval ∞): nothing is outstanding, nothing notices (SO_KEEPALIVE is off in
   * browsers and not modelled).
   */
  private clientClosesAt(conn: Conn, ping: number): number {
    return Math.min(conn.sessionEndsAt, ping + this.w.scenario.clients.ws.pong_timeout);
  }

  private balancerGivesUpAt(conn: Conn, ping: number): number {
    const keepaliveAt = this.srvKeepaliveGivesUpAt(conn, ping);
    if (ping === Infinity) return keepaliveAt;
    return Math.min(keepaliveAt, this.pingGivesUpAt(conn, ping));
  }

  /**
   * `lb.srvtcpka`: the balancer's server socket, idle since the server's last pong (pings every
   * ping_interval from the upgrade, conn.tunnelSince) or the upgrade itself, gives up by keep-alive
   * (net/dead-peer.ts idleKeepaliveGiveUpAt) — only before the next ping, which leaves data
   * outstanding and the keep-alive timer idle. Infinity: off, or no balancer.
   */
  private srvKeepaliveGivesUpAt(conn: Conn, ping: number): number {
    const w = this.w;
    if (w.lbHost === null || w.scenario.lb.srvtcpka !== true) return Infinity;
    const k = w.scenario.lb.kernel;
    const every = w.scenario.clients.ws.ping_interval;
    const pinging = every > 0 && every !== Infinity;
    const lastPong = pinging
      ? conn.tunnelSince + Math.floor((w.now - conn.tunnelSince) / every) * every
      : conn.tunnelSince;
    const ka = {
      keepaliveTime: k.tcp_keepalive_time,
      keepaliveIntvl: k.tcp_keepalive_intvl,
      keepaliveProbes: k.tcp_keepalive_probes,
    };
    const at = idleKeepaliveGiveUpAt(lastPong, w.now, ka, w.lbHost.host.clock);
    return at < ping ? at : Infinity;
  }

  /** When the kernel retransmitting a ping sent at `ping` to a vanished server gives up (net/dead-peer.ts). */
  private pingGivesUpAt(conn: Conn, ping: number): number {
    const w = this.w;
    const rtt = w.scenario.clients.rtt;
    // The balancer's server socket times its RTO on the balancer↔server path: lb.server_rtt (L7) when set.
    const lbRtt = w.scenario.lb.server_rtt ?? rtt;
    if (w.lbHost !== null)
      return silentPeerGiveUpAt(ping, lbRtt, w.scenario.lb.kernel.tcp_retries2, w.lbHost.host.clock);
    const clock = w.clientHosts.wheelOf(w.clientIp(conn), w.now);
    return silentPeerGiveUpAt(ping, rtt, w.scenario.clients.kernel.tcp_retries2, clock);
  }

  /**
   * The balancer's socket (or behind a NAT the client's own) gave up: the stream ends with it — a
   * kernel's give-up (tcp_write_err after tcp_retries2 or the keep-alive probes,
   * net/ipv4/tcp_timer.c): ETIMEDOUT.
   */
  private readonly noticedDead = (conn: Conn): void => this.deadPeerEnds(conn, undefined, ErrorKind.ETIMEDOUT);

  /**
   * The client closed its socket on the silent server itself (pong timeout, or its user left):
   * behind lb.mode l4 HAProxy keeps the stream towards the silent server (world.ts heldByProxy).
   * A pong timeout is the client's own timer (socket.io-client's "ping timeout" close reason, a
   * `ws` heartbeat's terminate()), no errno: CLIENT_TIMEOUT.
   */
  private readonly closedOnSilence = (conn: Conn): void =>
    this.deadPeerEnds(conn, this.serverSideIo(conn), ErrorKind.CLIENT_TIMEOUT);

  /**
   * The balancer's server socket of this session: its last write to the server is the client's
   * last ping it relayed (every ping_interval; a write re-arms the server side's read timeout,
   * sc_notify(), src/stconn.c), and the first segment the server never acknowledged is the first
   * ping after the vanish (conn.requestStartedAt, serverGone) — or the relayed FIN, when the user
   * left before that ping. Without client pings: the upgrade and the FIN (the app's own pings
   * before the vanish are not counted: simplified).
   */
  private serverSideIo(conn: Conn): ServerSideIo {
    const w = this.w;
    const every = w.scenario.clients.ws.ping_interval;
    const firstUnanswered = conn.requestStartedAt;
    if (every === 0 || every === Infinity) return { lastServerIo: conn.tunnelSince, unackedSince: w.now };
    if (w.now < firstUnanswered) return { lastServerIo: firstUnanswered - every, unackedSince: w.now };
    const lastPing = firstUnanswered + Math.floor((w.now - firstUnanswered) / every + 1e-9) * every;
    return { lastServerIo: lastPing, unackedSince: firstUnanswered };
  }

  private deadPeerEnds(conn: Conn, io: ServerSideIo | undefined, kind: ErrorKind): void {
    const w = this.w;
    conn.timer = -1;
    const b = conn.backend;
    w.end(conn, EndKind.SILENT, io);
    if (w.now >= conn.sessionEndsAt) return;
    w.error(kind, b);
    w.metrics.inc(wsCloseCounter(w.c, WsClose.ABNORMAL), b);
    this.reconnectAfterClose(conn);
  }

  private reconnectAfterClose(conn: Conn): void {
    const w = this.w;
    // Every server-side close (a drain's or TTL's 1001, a kill's or reset's 1006) moves the user;
    // a rolling deploy that lands them on a VM it has yet to restart moves them again. Counted once
    // per user, when it happens the second time (the planner's "moved more than once").
    if (++conn.serverCloses === 2) w.metrics.inc(w.c.wsMovedAgain, -1);
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

  /**
   * Start of the session the pings are timed from (now, once the session was forgotten). A real
   * start may be negative (warm-up, or a steady-state start's backdated session).
   */
  private sessionStart(conn: Conn): number {
    return conn.sessionStartedAt !== NO_SESSION ? conn.sessionStartedAt : this.w.now;
  }
}
