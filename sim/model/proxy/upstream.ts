import type { LaneId } from '../../engine/engine.js';
import type { Rng } from '../../engine/random.js';
import type { JiffiesClock } from '../../net/jiffies.js';
import { TCP_FIN_TIMEOUT_S } from '../../net/kernel-config.js';
import { Handshake } from '../../net/listen-queue.js';
import { connectDeadlinePassed, synFiringAt, synRetransmitSchedule, tcpTimeoutMinS } from '../../net/tcp.js';
import { wheelOf } from '../../net/timer-wheel.js';
import type { NginxConfig } from '../../scenario/schema.js';
import type { AckWaiter, ListenerSender } from '../app/app-listener.js';
import type { AppServer } from '../app/app-server.js';
import type { TlsHandshakes } from '../app/tls.js';
import { type AppJob, ReqPhase, Status } from '../core/app-job.js';
import type { Conn, UpstreamConn } from '../core/conn.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';
import { AwaitingFirstRequest } from './awaiting-request.js';
import { nginxClosesFirstShare } from './nginx.js';
import type { NginxResponseSink } from './server-end.js';
import {
  Ft,
  IMPLICIT_FAIL_TIMEOUT_S,
  ngxTime,
  type Peer,
  sendsOn,
  triesAfterFailure,
  type WorkerPeers,
} from './upstream-peers.js';
import type { WorkerConnections } from './worker-connections.js';

/**
 * nginx → app for one HTTP request on a client connection: take an upstream connection (from the
 * keepalive cache or a new connect() that needs an ephemeral port), hand the request to the app's
 * workers, then release the upstream connection (cache it, or close it: the closer holds
 * TIME_WAIT on the VM).
 */
export class RequestPath {
  sink!: NginxResponseSink;
  /** nginx's per-worker connection arrays (worker_connections), set by the client side (client-conns.ts). */
  workerConns: WorkerConnections | null = null;
  /** nginx's accepted client connections still waiting for their first request (clients.http.reconnect eager). */
  readonly awaiting = new AwaitingFirstRequest();

  /**
   * Linux's SYN schedule per backend (its kernel settings are fixed for the run): the
   * retransmission times, and the give-up after the last (net/tcp.ts synRetransmitSchedule).
   */
  private readonly synSchedules: Array<{ retransmits: number[]; giveUp: number }>;
  /**
   * Records of closed upstream connections, for the next opened() (nginx without upstream
   * keepalive opens and closes one per request: a record each was most of the request path's
   * garbage). A record comes here only from closeUpstream() / abortUpstream(), whose callers drop
   * their reference to it.
   */
  private readonly spare: UpstreamConn[] = [];
  /** Upstream connections nginx closed before the answer whose app end is still open (finWait2). */
  private readonly appEndsHeld = new Set<FinWait2>();
  /**
   * nginx's read timer on each request sent to the app and not yet answered (proxy_read_timeout),
   * by client connection; one fixed-delay engine lane per timeout value (engine.ts scheduleFixed).
   */
  private readonly readLanes = new Map<number, LaneId>();
  /** The last proxy_read_timeout asked for and its lane: one value in almost every run, so no map lookup per request. */
  private lastReadTimeout = Number.NaN;
  private lastReadLane: LaneId = -1;
  /** What the app's listener made of the handshake acquireUpstream() just ran (handle reads it). */
  private handshake: Handshake = Handshake.CHILD;
  /** acquireUpstream() just connected anew (not a cached connection): handle reads it. */
  private connectedNow = false;
  /** Connections whose final ACK the app's kernel dropped, each with its wait's mark (ackWaiter). */
  private readonly awaitingChild = new Map<Conn, object>();
  /** Per backend: its keep-alive cache's idle timer is armed (idleTimerFired to come). */
  private readonly idleTimerArmed: boolean[];
  /** Who closes an upstream connection without keepalive first, for a `share(x)` (nginxClosesFirst). */
  private closeRng: Rng | undefined;
  /**
   * The request on each client connection whose nginx balances over several addresses
   * (`nginx.upstream_addresses`): its tries (ngx_http_upstream_t's peer.tries, rrp->tried, rrp->current).
   * Empty with one peer.
   */
  private readonly peerTries = new Map<Conn, PeerTry>();

  constructor(
    private readonly w: World,
    readonly app: AppServer,
    /** The app's TLS handshakes: with TLS ending in the app, each new upstream connection's first (app/tls.ts); a WebSocket upgrade's too (ws-endpoint.ts). */
    readonly tls: TlsHandshakes,
  ) {
    this.synSchedules = w.backends.map((b) =>
      synRetransmitSchedule(b.kernel.tcp_syn_retries, b.kernel.tcp_syn_linear_timeouts),
    );
    this.idleTimerArmed = w.backends.map(() => false);
    app.onServerClose((backend) => this.appClosedIdle(backend));
  }

  /**
   * The app's server closed at its SIGTERM and closed every connection idle then (AppServer.onServerClose):
   * the cached ones get its FIN, which ngx_http_upstream_keepalive_close_handler
   * (ngx_http_upstream_keepalive_module.c) reads, closing the connection and taking it out of the
   * cache. The app closed first: its end holds the TIME_WAIT. Those busy at the SIGTERM are cached
   * again after their response if the app keeps them alive (releaseUpstream), and serve the next
   * requests (handle).
   */
  private appClosedIdle(backend: Backend): void {
    this.closeCached(backend, false);
  }

  /**
   * A request arrived at nginx on an established client connection (or, CONNECTING, its SYN is
   * due again). With several addresses nginx first picks the peer (ngx_http_upstream_connect →
   * ngx_event_connect_peer → ngx_http_upstream_get_round_robin_peer): a request's first try
   * begins its tries anew.
   */
  handle(conn: Conn): void {
    const backend = this.w.backends[conn.backend];
    if (conn.phase !== ReqPhase.CONNECTING) {
      const peers = backend.nginx.peersOf(conn.nginxGen, this.workerOf(backend, conn));
      if (peers !== null) {
        const t: PeerTry = {
          peers,
          peer: peers.peers[0],
          tries: peers.peers.length,
          tried: 0,
          startedAt: conn.requestStartedAt,
        };
        this.peerTries.set(conn, t);
        if (!this.nextPeer(backend, conn, t)) return;
      } else {
        if (this.peerTries.size > 0) this.peerTries.delete(conn);
        if (backend.nginx.onlyAddressRefuses(conn.nginxGen)) {
          conn.phase = ReqPhase.NONE;
          return this.refused(backend, conn);
        }
      }
    }
    this.attempt(backend, conn);
  }

  /**
   * The next peer for `conn`'s request (ngx_http_upstream_get_round_robin_peer), skipping those
   * nothing listens on (refused at once, peerRefused); false when none is left and the request
   * was answered 502: every untried peer down within fail_timeout (NGX_BUSY, "no live
   * upstreams": ngx_http_upstream_connect → ngx_http_upstream_next(NGX_HTTP_UPSTREAM_FT_NOLIVE),
   * which proxy_next_upstream never includes: NGX_HTTP_BAD_GATEWAY), or the tries spent.
   */
  private nextPeer(backend: Backend, conn: Conn, t: PeerTry): boolean {
    const nowS = ngxTime(this.w.now);
    for (;;) {
      const peer = t.peers.get(t.tried, nowS);
      if (peer === null) {
        this.peerTries.delete(conn);
        this.w.trace.emitLimited(`no-live-${backend.index}`, {
          kind: 'nginx.no_live_upstreams',
          backend: backend.name,
          peers: t.peers.peers.length,
          failTimeout: IMPLICIT_FAIL_TIMEOUT_S,
        });
        conn.phase = ReqPhase.NONE;
        this.sink.respond(conn, Status.BAD_GATEWAY);
        return false;
      }
      // ngx_http_upstream_connect arms proxy_connect_timeout anew for each try (the first's from the request).
      if (t.tried !== 0) t.startedAt = this.w.now;
      t.tried |= 1 << peer.index;
      t.peer = peer;
      if (peer.addr.listening) return true;
      // Nothing listens on this address (an app bound to 127.0.0.1 only, asked on ::1): RST.
      if (!this.peerRefused(backend, conn, t)) return false;
    }
  }

  /**
   * The connect to `t.peer` was refused: "connect() failed (111: Connection refused) while
   * connecting to upstream" (ngx_event_connect_peer: NGX_DECLINED), ngx_http_upstream_next(
   * NGX_HTTP_UPSTREAM_FT_ERROR) frees the peer as failed (ngx_http_upstream_free_round_robin_peer:
   * fails, accessed and checked now, effective weight down: skipped for fail_timeout) and spends
   * a try; proxy_next_upstream's default `error timeout` takes FT_ERROR, so with a try left nginx
   * connects again (true), else answers 502 (false).
   */
  private peerRefused(backend: Backend, conn: Conn, t: PeerTry): boolean {
    const next = t.tries > 1;
    this.w.trace.emitLimited(`refused-${backend.index}-${t.peer.index}`, {
      kind: 'nginx.upstream_refused',
      backend: backend.name,
      upstream: peerUpstream(t.peer),
      ...(next ? { next: true as const } : {}),
    });
    t.peers.free(t.peer, true, ngxTime(this.w.now));
    t.tries--;
    if (next) return true;
    this.peerTries.delete(conn);
    conn.phase = ReqPhase.NONE;
    this.sink.respond(conn, Status.BAD_GATEWAY);
    return false;
  }

  /**
   * The try on `conn`'s peer is over (ngx_http_upstream_free_round_robin_peer): `failed` from
   * ngx_http_upstream_next (a timeout or an error: NGX_PEER_FAILED), otherwise at
   * ngx_http_upstream_finalize_request (state 0: a peer that answered after its fail_timeout is
   * live again). Nothing with one peer.
   */
  private peerDone(conn: Conn, failed: boolean): void {
    if (this.peerTries.size === 0) return;
    const t = this.peerTries.get(conn);
    if (t === undefined) return;
    this.peerTries.delete(conn);
    t.peers.free(t.peer, failed, ngxTime(this.w.now));
  }

  /**
   * A try of `conn`'s request on one of several peers failed after the connect began:
   * ngx_http_upstream_next (src/http/ngx_http_upstream.c) frees the peer as failed
   * (ngx_http_upstream_free_round_robin_peer: fails, skipped for fail_timeout) and, with a try
   * left and the failure in proxy_next_upstream (default `error timeout`, no `non_idempotent`:
   * upstream-peers.ts sendsOn), closes the upstream connection and connects to the next peer —
   * the request goes to the app again on another address (true: handled). Otherwise false: the
   * caller answers (finalStatus: 502, 504 after a timeout). `sent`: the request was written to the
   * failed peer (u->request_sent); `cached`: the try was on a connection from the keep-alive cache
   * (u->peer.cached). Nothing with one peer (false): the caller's own rule.
   */
  private nextTry(backend: Backend, conn: Conn, ft: Ft, sent: boolean, cached: boolean): boolean {
    if (this.peerTries.size === 0) return false;
    const t = this.peerTries.get(conn);
    if (t === undefined) return false;
    const failed = t.peer;
    t.peers.free(failed, true, ngxTime(this.w.now));
    t.tries = triesAfterFailure(t.tries, ft, cached);
    const method = this.w.scenario.clients.http.method;
    if (!sendsOn(t.tries, sent, method)) {
      this.peerTries.delete(conn);
      return false;
    }
    this.w.trace.emitLimited(`next-${backend.index}-${failed.index}-${ft}`, {
      kind: 'nginx.upstream_next',
      backend: backend.name,
      upstream: peerUpstream(failed),
      failure: ft === Ft.TIMEOUT ? 'timeout' : 'error',
      method,
    });
    conn.phase = ReqPhase.NONE;
    if (this.nextPeer(backend, conn, t)) this.attempt(backend, conn);
    return true;
  }

  /** The peer of the try under way of `conn`'s request (0 with one). */
  private peerOf(conn: Conn): number {
    const t = this.peerTries.size > 0 ? this.peerTries.get(conn) : undefined;
    return t === undefined ? 0 : t.peer.index;
  }

  /** When the try under way of `conn`'s request began (its request's arrival with one peer, or for the first try). */
  private tryStartedAt(conn: Conn): number {
    const t = this.peerTries.size > 0 ? this.peerTries.get(conn) : undefined;
    return t === undefined ? conn.requestStartedAt : t.startedAt;
  }

  /** The try of `conn`'s request on its peer (the app, with one): the keep-alive cache, else a connect. */
  private attempt(backend: Backend, conn: Conn): void {
    // An app whose listener is closed refuses a connect() (ECONNREFUSED: "connect() failed (111:
    // Connection refused) while connecting to upstream", 502), but nginx connects only when its
    // worker's keep-alive cache has no idle connection to the app: ngx_http_upstream_connect →
    // ngx_event_connect_peer → pc->get, ngx_http_upstream_get_keepalive_peer
    // (ngx_http_upstream_keepalive_module.c), returns NGX_DONE with a cached one and no socket is
    // made. A draining app that still reads its kept connections (app-process.ts
    // servesKeptConnsDraining: node's http.Server.close() closed only those idle at the SIGTERM;
    // gunicorn closed none of them) serves a request that comes on one: node's parser hands it to
    // the server's 'request' handler whatever the listener (lib/_http_server.js parserOnIncoming
    // checks no closing flag), gunicorn's gthread poller still holds them
    // (on_client_socket_readable) and answers `Connection: close`. A SYN still being
    // retransmitted (CONNECTING) is a connect() under way: the closed listener refuses it. A
    // draining gunicorn gthread worker's listener is not closed (app-process.ts
    // keepsListenerDraining): nginx's connect succeeds and its request waits unread in the accept
    // queue (AppServer.park) until the worker's exit resets it (502) or proxy_read_timeout (504).
    const closed = !backend.app.listening;
    if (closed && (!backend.app.servesKeptConnsDraining || conn.phase === ReqPhase.CONNECTING)) {
      conn.phase = ReqPhase.NONE;
      this.refusedTry(backend, conn);
      return;
    }
    if (this.awaitingChild.size > 0) this.awaitingChild.delete(conn);
    this.handshake = Handshake.CHILD;
    this.connectedNow = false;
    const up = this.acquireUpstream(backend, conn, closed);
    if (up === null) return;
    conn.upstream = up;
    conn.onDone = this.served;
    this.armReadTimeout(backend, conn);
    // acquireUpstream() set it (TypeScript keeps the narrowing from before the call).
    if ((this.handshake as Handshake) === Handshake.ACK_DROPPED) {
      // Connected and the request sent, but the app's kernel dropped the final ACK: the request
      // reaches the app when the child is made (app-listener.ts; ackWaiter).
      conn.phase = ReqPhase.QUEUED;
      return;
    }
    // The first request on a connection nginx made just now: an event-loop app reads it one
    // iteration after its accept (AppServer.submitOnAccept: libuv 1.46.0 src/unix/stream.c
    // uv__server_io accept()s one connection a poll, node lib/net.js onconnection → readStart adds
    // its fd to epoll at the next uv__io_poll). A cached connection's request is read at the poll
    // after it came, as any kept-alive connection's (submit).
    // With TLS ending in the app (`proxy_pass https://`), a new connection's request is sent only
    // after its handshake (app/tls.ts TlsHandshakes.upstream); a cached one's needs none.
    if (this.connectedNow && this.tls.toAppOf(backend))
      this.handshakeFirst(backend, conn, up, () => this.app.submit(backend, conn));
    else if (this.connectedNow) this.app.submitOnAccept(backend, conn);
    else this.app.submit(backend, conn);
  }

  /**
   * nginx's TLS handshake on the upstream connection `up` it made for `conn`'s request
   * (ngx_http_upstream_ssl_init_connection, src/http/ngx_http_upstream.c): the request waits
   * (QUEUED, not yet in the app) and is `sent` once the handshake is over, unless its client gave up
   * or nginx answered it meanwhile. nginx bounds the handshake by proxy_connect_timeout
   * (`ngx_add_timer(c->write, u->conf->connect_timeout)`) and arms proxy_read_timeout once the
   * request is sent; here proxy_read_timeout, armed already, covers the handshake too (a known
   * simplification: the handshake takes milliseconds against timeouts of seconds).
   */
  private handshakeFirst(backend: Backend, conn: Conn, up: UpstreamConn, sent: () => void): void {
    conn.phase = ReqPhase.QUEUED;
    conn.backend = backend.index;
    this.tls.upstream(
      backend,
      up.nginxGen,
      up.worker,
      sent,
      () => conn.upstream === up && conn.phase === ReqPhase.QUEUED && conn.onDone === this.served,
      () => this.handshakeLost(backend, conn, up),
    );
  }

  /**
   * The app's process died during the upstream handshake: nginx's SSL_do_handshake reads the EOF or
   * RST ("peer closed connection in SSL handshake while SSL handshaking to upstream",
   * ngx_ssl_handshake), ngx_http_upstream_next(FT_ERROR), which with the app as the only server
   * finalizes with 502, as for a request the dead app held (vm/lifecycle.ts jobLost).
   */
  private handshakeLost(backend: Backend, conn: Conn, up: UpstreamConn): void {
    this.cancelReadTimeout(conn);
    conn.phase = ReqPhase.NONE;
    this.abortUpstream(backend, up);
    conn.upstream = null;
    // Lost in the handshake, before the request was sent: the next peer, a POST too.
    if (this.nextTry(backend, conn, Ft.ERROR, false, false)) return;
    this.sink.respond(conn, Status.BAD_GATEWAY);
  }

  /**
   * nginx's side of a connection to the app whose final ACK the app's full accept queue dropped:
   * it waits while its request does (phase QUEUED, the same upstream connection: a client that
   * gives up, proxy_read_timeout or nginx ending the connection change those). Admitted: the
   * request joins the app's queue. Reset (its request sock expired, or the app's listener closed):
   * ngx_http_upstream_process_header reads ECONNRESET, "recv() failed (104: Connection reset by
   * peer) while reading response header from upstream", ngx_http_upstream_next(FT_ERROR), which
   * with the app as the only server finalizes with 502.
   */
  private readonly listenerSender: ListenerSender<Conn> = { ackWaiter: (conn) => this.ackWaiter(conn) };

  private ackWaiter(conn: Conn): AckWaiter {
    const backend = this.w.backends[conn.backend];
    // This wait's own mark: a later request on the same connection record (handle) replaces it.
    const mark = {};
    this.awaitingChild.set(conn, mark);
    const waiting = (): boolean => {
      if (this.awaitingChild.get(conn) !== mark) return false;
      if (conn.phase === ReqPhase.QUEUED && conn.upstream !== null) return true;
      this.awaitingChild.delete(conn);
      return false;
    };
    return {
      waiting,
      admitted: () => {
        this.awaitingChild.delete(conn);
        // With TLS to the app, its ClientHello was the data that made the child: the handshake first.
        if (this.tls.toAppOf(backend))
          return this.handshakeFirst(backend, conn, conn.upstream!, () => this.app.submit(backend, conn));
        // The child joined the accept queue just now (app-listener.ts dataCopy): read after its accept.
        this.app.submitOnAccept(backend, conn);
      },
      acceptedWithoutData: (dataAt) => {
        this.awaitingChild.delete(conn);
        // With TLS to the app the worker's wait is for the ClientHello (handshaken at once: a simplification).
        if (this.tls.toAppOf(backend))
          return this.handshakeFirst(backend, conn, conn.upstream!, () => this.app.submit(backend, conn));
        this.app.submitBeforeData(backend, conn, dataAt);
      },
      reset: () => {
        this.awaitingChild.delete(conn);
        this.cancelReadTimeout(conn);
        conn.phase = ReqPhase.NONE;
        this.abortUpstream(backend, conn.upstream!);
        conn.upstream = null;
        // recv() 104 with the request sent on a new connection (FT_ERROR): the next peer, a GET.
        if (this.nextTry(backend, conn, Ft.ERROR, true, false)) return;
        this.sink.respond(conn, Status.BAD_GATEWAY);
      },
    };
  }

  /**
   * The request is sent to the app: nginx arms the upstream read timer, proxy_read_timeout
   * (ngx_http_upstream_send_request, src/http/ngx_http_upstream.c: `ngx_add_timer(c->read,
   * u->conf->read_timeout)` once the request is sent). Any timer left from an earlier request on
   * this connection (answered another way: the app died, nginx stopped) is dropped first.
   */
  private armReadTimeout(backend: Backend, conn: Conn): void {
    this.cancelReadTimeout(conn);
    const timeout = (backend.nginx.generationOf(conn.nginxGen)?.config ?? backend.nginx.config).proxy_read_timeout;
    if (!(timeout > 0) || timeout === Infinity) return;
    if (timeout !== this.lastReadTimeout) {
      let lane = this.readLanes.get(timeout);
      if (lane === undefined) {
        lane = this.w.engine.fixedDelay(timeout);
        this.readLanes.set(timeout, lane);
      }
      this.lastReadTimeout = timeout;
      this.lastReadLane = lane;
    }
    conn.armUpstreamReadTimer(this.w.engine, this.lastReadLane, this.readTimedOut);
  }

  /** The request on `conn` no longer waits for the app's answer (answered, or given up): a store
   *  into its deadline cell is the cancel (engine.ts scheduleFixed). */
  cancelReadTimeout(conn: Conn): void {
    conn.upstreamReadTimer = -1;
  }

  /**
   * proxy_read_timeout passed with no response from the app: ngx_http_upstream_process_header sees
   * `c->read->timedout` and calls ngx_http_upstream_next(…, NGX_HTTP_UPSTREAM_FT_TIMEOUT), which
   * with the app as the only server (no try left) finalizes the request with
   * NGX_HTTP_GATEWAY_TIME_OUT: "upstream timed out (110: Connection timed out) while reading
   * response header from upstream", 504 to the client on a connection kept alive (504 is not one of
   * the errors ngx_http_special_response_handler drops keep-alive for). ngx_http_upstream_finalize_request
   * closes the upstream connection (never cached: the peer failed); the app is not told, finishes
   * the request and its late answer meets the closed socket: RST, no TIME_WAIT, wasted work
   * (as when the client gives up: client-conns.ts abandon).
   */
  private readonly readTimedOut = (conn: Conn): void => {
    conn.upstreamReadTimer = -1;
    const phase = conn.phase;
    // Still this path's request (handle set onDone), waiting for the app.
    if ((phase !== ReqPhase.SERVING && phase !== ReqPhase.QUEUED) || conn.onDone !== this.served) return;
    const backend = this.w.backends[conn.backend];
    this.closeBeforeAnswer(backend, conn);
    const gen = backend.nginx.generationOf(conn.nginxGen);
    this.w.trace.emitLimited(`read-timeout-${backend.index}`, {
      kind: 'nginx.upstream_read_timeout',
      backend: backend.name,
      proxyReadTimeout: (gen?.config ?? backend.nginx.config).proxy_read_timeout,
      queued: phase === ReqPhase.QUEUED,
    });
    // FT_TIMEOUT with the request sent: a GET goes to the next peer (the app works it again), a POST is answered 504.
    if (this.nextTry(backend, conn, Ft.TIMEOUT, true, false)) return;
    this.sink.respond(conn, Status.GATEWAY_TIMEOUT);
  };

  /**
   * nginx gives up on `conn`'s request held by the app (in service or queued) and closes its
   * upstream connection before the answer: the app is not told (AppServer.orphan: its work goes
   * on, its answer goes nowhere), and nginx's end waits in FIN_WAIT2 for that answer (finWait2).
   */
  closeBeforeAnswer(backend: Backend, conn: Conn): void {
    const up = conn.upstream;
    const held = up === null ? null : this.finWait2(backend, up);
    const answerComes = this.app.orphan(backend, conn, held === null ? undefined : () => this.lateAnswer(held));
    conn.phase = ReqPhase.NONE;
    if (held !== null) {
      conn.upstream = null;
      this.w.engine.at(held.clock.timerFiresAt(this.w.now, TCP_FIN_TIMEOUT_S), this.finTimeout, held);
      held.answerComes = answerComes;
      this.appEndsHeld.add(held);
    }
  }

  /**
   * nginx closed `up` with the app's answer still to come (proxy_read_timeout): close() with nothing
   * unread sends FIN, the app's kernel ACKs it, and nginx's orphaned socket waits in FIN_WAIT2
   * (kernel-config.ts TCP_FIN_TIMEOUT_S) while the app's is in CLOSE_WAIT: both keep their
   * 4-tuple, nginx's port stays taken, until the app writes its answer — its data meets the
   * FIN_WAIT2 timewait sock, which answers RST and goes (tcp_timewait_state_process: TCP_TW_RST),
   * no TIME_WAIT on either side (lateAnswer) — or tcp_fin_timeout ends nginx's side first
   * (finTimeout; the app's write later meets no socket and is reset).
   */
  private finWait2(backend: Backend, up: UpstreamConn): FinWait2 {
    // Linux's FIN_WAIT2 timewait sock: counted in sockstat's `tw`, not `inuse` (host-sockets.ts
    // finWait2Count) — or none, tcp_max_tw_buckets reached: nginx's socket is gone at once and its
    // port free (HostSockets.finWait2Held), the app's end still in CLOSE_WAIT.
    const nginxOpen = up.host.finWait2Held(up.pair, up.port, this.w.now);
    if (!nginxOpen && up.host === backend.host) this.w.timeWaitOverflow(backend);
    return { up, clock: up.host.clock, nginxOpen, appOpen: true, answerComes: true, givenBack: false };
  }

  /** The app wrote its late answer (or lost it with its process): RST, both ends go. */
  private lateAnswer(h: FinWait2): void {
    this.closeHeld(h, true);
  }

  /** tcp_fin_timeout: nginx's FIN_WAIT2 goes; the app's end too if no answer will ever come. */
  private readonly finTimeout = (h: FinWait2): void => {
    this.closeHeld(h, !h.answerComes);
  };

  private closeHeld(h: FinWait2, appToo: boolean): void {
    // Already given back: the late answer's RST came first and freed the record, and this is
    // the tcp_fin_timeout timer firing after it. Linux cancels that timer (tw_timer, armed by
    // tcp_time_wait → inet_twsk_schedule) when the RST kills the timewait sock (tcp_v4_rcv,
    // TCP_TW_RST → inet_twsk_deschedule_put: net/ipv4/tcp_ipv4.c, inet_timewait_sock.c); here it
    // fires and finds nothing held. Without this check the record went to `spare` twice and two
    // later connections shared it (spare34; test/model/proxy/fin-wait2-spare-once.test.ts). A flag,
    // not "both ends closed": resetStaleAppEnd closes the app's end without giving the record back.
    if (h.givenBack) return;
    const up = h.up;
    // A host rebooted since has none of these sockets (a new kernel, a new clock).
    if (up.host.clock === h.clock) {
      if (h.nginxOpen) up.host.closeFinWait2(up.pair, up.port, this.w.now);
      if (appToo && h.appOpen) up.host.close(up.appPair, up.port, this.w.now, false);
    }
    h.nginxOpen = false;
    if (appToo) {
      h.appOpen = false;
      this.appEndsHeld.delete(h);
    }
    if (!h.nginxOpen && !h.appOpen) {
      h.givenBack = true;
      this.spare.push(up);
    }
  }

  /**
   * An idle connection to the app from the keep-alive cache of worker `worker` of generation `gen`
   * (ngx_http_upstream_get_keepalive_peer, src/http/modules/ngx_http_upstream_keepalive_module.c),
   * for a request of `method`: the first still alive, after closing those that timed out or that
   * the app closed meanwhile. EMPTY: none (connect anew); FAILED: the request crossed the app's FIN
   * and, not idempotent, is not retried — or, `severalPeers`, goes to the next peer (nextTry), not to
   * this cache again.
   */
  private takeCached(
    backend: Backend,
    worker: number,
    gen: number,
    method: string,
    severalPeers = false,
    peer = -1,
  ): UpstreamConn | CacheMiss {
    const now = this.w.now;
    const pool = backend.upstreamPool;
    // One cache per worker for the upstream, but a try takes only a connection to its own peer:
    // ngx_http_upstream_get_keepalive_peer asks the balancer first (original_get_peer) and then
    // searches the cache for an item whose sockaddr is the chosen peer's (ngx_memn2cmp), else
    // connects (`return NGX_OK`). `peer` −1: any (a WebSocket upgrade, connected as with one peer).
    for (let i = lastOfWorker(pool, worker, gen, peer); i >= 0; i = lastOfWorker(pool, worker, gen, peer)) {
      // The most recently used of this worker's cache first (ngx_http_upstream_get_keepalive_peer
      // takes the cache's head); the other workers' caches are other processes' sockets — an
      // older generation's too: a reload's new workers start from their own cycle's empty cache
      // (ngx_http_upstream_init_keepalive allocates it when ngx_init_cycle parses the
      // configuration), and until their QUIT the old ones keep theirs.
      const cached = i === pool.length - 1 ? pool.pop()! : pool.splice(i, 1)[0];
      this.workerConns?.uncached(backend, cached);
      const nginxTimeout = backend.nginx.config.upstream_keepalive_timeout;
      const appTimeout = backend.app.config.keepalive_timeout;
      // Whichever idle timer ends first closes it: the app's only matters below nginx's own.
      const fate = appClosed(
        cached.idleSince,
        now,
        appTimeout < nginxTimeout ? appTimeout : 0,
        backend.nginx.config.upstream_rtt,
      );
      if (fate === CachedFate.ALIVE && now - cached.idleSince >= nginxTimeout) {
        // nginx's upstream keepalive_timeout: nginx closes first and holds the TIME_WAIT.
        this.closeUpstream(backend, cached, true);
        continue;
      }
      if (fate === CachedFate.ALIVE) return cached;
      if (fate === CachedFate.CLOSED) {
        // The app's FIN arrived first: ngx_http_upstream_keepalive_close_handler saw it and closed
        // the cached connection (the app closed first and holds the TIME_WAIT). Closed lazily
        // here, as nginx's own keepalive_timeout above.
        this.closeUpstream(backend, cached, false);
        continue;
      }
      // The request crossed the app's FIN: the closed socket answers it with RST (or nginx reads
      // the EOF first): "upstream prematurely closed connection" / "recv() failed (104)". No TIME_WAIT.
      this.abortUpstream(backend, cached);
      const retried = method !== 'POST';
      this.w.trace.emitLimited(`upstream-race-${backend.index}`, {
        kind: 'nginx.upstream_keepalive_race',
        backend: backend.name,
        method,
        retried,
        appKeepaliveTimeout: backend.app.config.keepalive_timeout,
        upstreamKeepaliveTimeout: backend.nginx.config.upstream_keepalive_timeout,
      });
      // With several peers the failed one is freed as such and the request goes to the next peer
      // (acquireUpstream → nextTry), not to this cache again.
      if (!retried || severalPeers) return CacheMiss.FAILED;
      // A failure on a cached connection costs no try (`if (u->peer.cached && ft_type ==
      // NGX_HTTP_UPSTREAM_FT_ERROR) u->peer.tries++`): nginx asks the keepalive cache again.
    }
    return CacheMiss.EMPTY;
  }

  /**
   * A WebSocket upgrade's connection to the app from `conn`'s worker's keep-alive cache, or null
   * (connect anew): ngx_http_upstream_get_keepalive_peer hands any request an idle cached
   * connection to its peer, the upgrade (a GET, retried on a crossed FIN) included.
   */
  cachedForUpgrade(backend: Backend, conn: Conn): UpstreamConn | null {
    const got = this.takeCached(backend, this.workerOf(backend, conn), conn.nginxGen, 'GET');
    return typeof got === 'number' ? null : got;
  }

  /**
   * The app answered an upgrade sent on the cached connection `up` with a 5xx, not 101: the
   * response leaves u->keepalive set, so ngx_http_upstream_free_keepalive_peer caches it again.
   */
  cacheAgain(backend: Backend, up: UpstreamConn, gen: number): void {
    up.requests++;
    this.releaseUpstream(backend, up, gen);
  }

  /**
   * The upstream connection for `conn`'s request: a cached one, else a new connect() — unless
   * `cachedOnly` (the app's listener is closed: handle), when none cached is a refusal.
   */
  private acquireUpstream(backend: Backend, conn: Conn, cachedOnly: boolean): UpstreamConn | null {
    const w = this.w;
    const now = w.now;
    const worker = this.workerOf(backend, conn);
    const cached = this.takeCached(
      backend,
      worker,
      conn.nginxGen,
      w.scenario.clients.http.method,
      this.peerTries.size > 0 && this.peerTries.has(conn),
      this.peerOf(conn),
    );
    if (cached === CacheMiss.FAILED) {
      conn.phase = ReqPhase.NONE;
      // Several peers: a GET goes to the next (a cached connection's error costs no try).
      if (this.nextTry(backend, conn, Ft.ERROR, true, true)) return null;
      // ngx_http_upstream_next: a POST already sent is non-idempotent, which proxy_next_upstream
      // (default `error timeout`) does not include: 502.
      this.sink.respond(conn, Status.BAD_GATEWAY);
      return null;
    }
    if (cached !== CacheMiss.EMPTY) return cached;
    if (cachedOnly) {
      conn.phase = ReqPhase.NONE;
      this.refusedTry(backend, conn);
      return null;
    }
    // A first connect takes one of the worker's connections (ngx_event_connect_peer →
    // ngx_get_connection, before the socket's connect()); with none free, 500, and nginx closes
    // the client connection behind it (client-conns.ts respondClosing).
    if (
      conn.phase !== ReqPhase.CONNECTING &&
      this.workerConns?.limited(backend, conn) &&
      !this.workerConns.upstreamSlot(backend, conn)
    ) {
      // ngx_event_connect_peer: NGX_ERROR, finalized with 500, the peer freed with state 0.
      this.peerDone(conn, false);
      conn.phase = ReqPhase.NONE;
      this.sink.respondClosing(conn, Status.INTERNAL_ERROR);
      return null;
    }
    // The SYN meets the app's listener: a retransmission (conn still CONNECTING) comes in a batch
    // from nginx's kernel's timer softirq, a first SYN from connect() itself (net/listen-queue.ts).
    this.handshake = this.app.listener.handshake(
      backend,
      conn.phase === ReqPhase.CONNECTING,
      backend.nginx.config.upstream_rtt,
      backend.host.clock,
      this.listenerSender,
      conn,
    );
    if (this.handshake === Handshake.SYN_DROPPED) {
      // Accept queue full: the SYN is dropped and nginx's kernel retransmits it on Linux's
      // schedule (1 s apart for the first tcp_syn_linear_timeouts + 1, then doubling), each
      // firing on the VM's timer wheel (tcp_retransmit_timer re-armed by mod_timer: net/jiffies.ts).
      w.metrics.inc(w.c.synDrops, backend.index);
      if (conn.phase !== ReqPhase.CONNECTING) conn.synAttempt = 0;
      conn.phase = ReqPhase.CONNECTING;
      // nginx gives up at proxy_connect_timeout even between two retransmissions.
      const giveUpAt = this.tryStartedAt(conn) + backend.nginx.config.proxy_connect_timeout;
      // The retransmission timer runs in its tick in the kernel's order (net/timer-wheel.ts): its
      // SYN meets the app's listener in that order within the batch.
      const delay = this.synDelay(backend, conn.synAttempt++);
      const firesAt = backend.host.clock.timerFiresAt(now, delay);
      conn.timer =
        giveUpAt < firesAt
          ? w.engine.at(giveUpAt, this.retryConnect, conn)
          : wheelOf(w.engine, backend.host.clock)!.arm(now, delay, this.retryConnect, conn);
      return null;
    }
    conn.phase = ReqPhase.NONE;
    const port = this.connectUpstream(backend);
    if (port === -3) {
      // The SYN met the app's stale end (reset by nginx's RST: connectUpstream): nginx's kernel
      // sends it again TCP_TIMEOUT_MIN later, on the VM's timer wheel (net/tcp.ts), its first
      // retransmission.
      conn.phase = ReqPhase.CONNECTING;
      conn.synAttempt = 1;
      conn.timer = wheelOf(w.engine, backend.host.clock)!.arm(
        now,
        tcpTimeoutMinS(backend.host.clock.hz),
        this.retryConnect,
        conn,
      );
      return null;
    }
    if (port === -2) {
      // The app's kernel would not take the SYN: it goes unanswered and is retransmitted.
      conn.phase = ReqPhase.CONNECTING;
      conn.synAttempt = 0;
      conn.timer = w.engine.schedule(this.synDelay(backend, conn.synAttempt++), this.retryConnect, conn);
      return null;
    }
    if (port < 0) {
      this.eaddrnotavail(backend);
      // connect() EADDRNOTAVAIL: ngx_event_connect_peer NGX_DECLINED → FT_ERROR, before the request.
      if (this.nextTry(backend, conn, Ft.ERROR, false, false)) return null;
      this.sink.respond(conn, Status.BAD_GATEWAY);
      return null;
    }
    this.connectedNow = true;
    return this.opened(backend, port, 0, conn.nginxGen, worker, this.peerOf(conn));
  }

  /**
   * nginx connect()s to the app through the VM's kernel (Backend.connectUpstream). −3: the SYN met
   * the app's end of a connection nginx left, which nginx's RST (the answer to its challenge ACK)
   * has reset: the SYN goes again TCP_TIMEOUT_MIN later.
   */
  connectUpstream(backend: Backend): number {
    const w = this.w;
    const host = backend.host;
    const reused = host.timeWaitReused;
    const reopened = host.timeWaitReopened;
    const port = backend.connectUpstream(w.now);
    if (host.timeWaitReused !== reused) w.metrics.inc(w.c.twReused, backend.index);
    if (host.timeWaitReopened !== reopened) w.metrics.inc(w.c.twReopened, backend.index);
    if (port === -3 && !this.resetStaleAppEnd(backend, backend.challengedPort)) return -2;
    return port;
  }

  /**
   * nginx's SYN on `port` met the app's end of an upstream connection nginx closed before the
   * answer (held: its FIN_WAIT2 ended by tcp_fin_timeout or refused past tcp_max_tw_buckets, the
   * app's end in CLOSE_WAIT): the app's kernel sends a challenge ACK (tcp_validate_incoming(),
   * RFC 5961 §4.2), nginx's kernel in SYN_SENT answers it with RST at the app socket's rcv_nxt
   * (tcp_rcv_synsent_state_process(): reset_and_undo), and tcp_reset() ends that socket: the
   * app's late answer then meets none. Recorded: calibration/data/kernel-stale-tuple-rt.json.
   * False: no such end found (the SYN is then retransmitted as before).
   */
  private resetStaleAppEnd(backend: Backend, port: number): boolean {
    for (const h of this.appEndsHeld) {
      if (h.up.port !== port || h.up.host !== backend.host || h.clock !== backend.host.clock) continue;
      // Only the app's end: the record goes back to `spare` when its late answer or its
      // tcp_fin_timeout comes (closeHeld), as before.
      h.up.host.close(h.up.appPair, port, this.w.now, false);
      h.appOpen = false;
      this.appEndsHeld.delete(h);
      return true;
    }
    return false;
  }

  eaddrnotavail(backend: Backend): void {
    const w = this.w;
    w.metrics.inc(w.c.upstreamEaddrnotavail, backend.index);
    w.trace.emitLimited(`eaddrnotavail-${backend.index}`, {
      kind: 'nginx.upstream_no_port',
      backend: backend.name,
      upstream: this.appAddress(backend),
      upstreamKeepalive: backend.nginx.config.upstream_keepalive,
      portRange: backend.kernel.ip_local_port_range,
    });
  }

  /** A connected upstream connection on `port` (counted). */
  opened(backend: Backend, port: number, requests: number, gen: number, worker = 0, peer = 0): UpstreamConn {
    const w = this.w;
    w.metrics.inc(w.c.upstreamConnects, backend.index);
    const up = this.spare.pop();
    if (up === undefined)
      return {
        port,
        requests,
        idleSince: w.now,
        openedAt: w.now,
        host: backend.host,
        pair: backend.upstreamPair,
        appPair: backend.appPair,
        nginxGen: gen,
        worker,
        peer,
      };
    up.port = port;
    up.requests = requests;
    up.idleSince = w.now;
    up.openedAt = w.now;
    up.host = backend.host;
    up.pair = backend.upstreamPair;
    up.appPair = backend.appPair;
    up.nginxGen = gen;
    up.worker = worker;
    up.peer = peer;
    return up;
  }

  /**
   * Seconds from SYN number k to the retransmission k+1, or after the last retransmission to the
   * kernel's give-up (the same timer's next firing: synGaveUp); after that, never.
   */
  private synDelay(backend: Backend, k: number): number {
    const schedule = this.synSchedules[backend.index];
    return synFiringAt(schedule, k) - (k > 0 ? synFiringAt(schedule, k - 1) : 0);
  }

  /**
   * Whether the kernel has given up on `conn`'s connect(): the retransmission timer fired after
   * the last SYN retransmission (net/ipv4/tcp_timer.c tcp_write_timeout: icsk_retransmits reached
   * tcp_syn_retries + tcp_syn_linear_timeouts or the time tcp_model_timeout(tcp_syn_retries)).
   */
  private synGaveUp(backend: Backend, conn: Conn): boolean {
    return conn.synAttempt > this.synSchedules[backend.index].retransmits.length;
  }

  private readonly retryConnect = (conn: Conn): void => {
    conn.timer = -1;
    const backend = this.w.backends[conn.backend];
    if (connectDeadlinePassed(this.w.now, this.tryStartedAt(conn), backend.nginx.config.proxy_connect_timeout)) {
      this.w.trace.emitLimited(`connect-timeout-${backend.index}`, {
        kind: 'nginx.upstream_connect_timeout',
        backend: backend.name,
        backlog: Math.min(backend.app.config.backlog, backend.kernel.somaxconn),
        proxyConnectTimeout: backend.nginx.config.proxy_connect_timeout,
      });
      conn.phase = ReqPhase.NONE;
      // FT_TIMEOUT before the request was sent: the next peer, a POST too.
      if (this.nextTry(backend, conn, Ft.TIMEOUT, false, false)) return;
      this.sink.respond(conn, Status.GATEWAY_TIMEOUT);
      return;
    }
    if (this.synGaveUp(backend, conn)) {
      // The kernel gave up before proxy_connect_timeout (tcp_write_timeout → tcp_write_err:
      // sk_err ETIMEDOUT). nginx's write event fires, ngx_http_upstream_test_connect reads
      // SO_ERROR: "connect() failed (110: Connection timed out) while connecting to upstream",
      // ngx_http_upstream_next(NGX_HTTP_UPSTREAM_FT_ERROR), which with the app as the only server
      // finalizes with NGX_HTTP_BAD_GATEWAY: 502, not the 504 of proxy_connect_timeout.
      this.w.trace.emitLimited(`syn-gave-up-${backend.index}`, {
        kind: 'nginx.upstream_syn_gave_up',
        backend: backend.name,
        backlog: Math.min(backend.app.config.backlog, backend.kernel.somaxconn),
        synRetries: backend.kernel.tcp_syn_retries,
        proxyConnectTimeout: backend.nginx.config.proxy_connect_timeout,
      });
      conn.phase = ReqPhase.NONE;
      if (this.nextTry(backend, conn, Ft.ERROR, false, false)) return;
      this.sink.respond(conn, Status.BAD_GATEWAY);
      return;
    }
    // Still CONNECTING: the next drop continues the same SYN schedule.
    this.handle(conn);
  };

  private readonly served = (job: AppJob): void => {
    const conn = job as Conn;
    this.cancelReadTimeout(conn);
    const backend = this.w.backends[conn.backend];
    const up = conn.upstream!;
    conn.upstream = null;
    this.peerDone(conn, false);
    up.requests++;
    this.releaseUpstream(backend, up, conn.nginxGen);
    this.sink.respond(conn, conn.status);
  };

  private releaseUpstream(backend: Backend, up: UpstreamConn, gen: number): void {
    const nginx = backend.nginx;
    const n = nginx.config;
    // An app that closes after every response (app.keepalive: close) answered `Connection: close`:
    // u->keepalive stays 0 (ngx_http_proxy_module.c: ngx_http_proxy_process_header sets it to
    // !connection_close for a response without a body, the body's input filters —
    // ngx_http_proxy_copy_filter, _chunked_filter, _non_buffered_*_filter — at its end), so
    // ngx_http_upstream_free_keepalive_peer (ngx_http_upstream_keepalive_module.c) does not cache
    // the connection (`goto invalid`); the app closed first and its VM holds the TIME_WAIT.
    // So does a draining app that does not keep alive (app-process.ts keepsAliveAfterResponse:
    // gunicorn's `resp.force_close()` once not alive, stoppable's socket.end() after the response).
    if (!backend.app.keepsAliveAfterResponse) return this.closeUpstream(backend, up, false);
    if (nginx.cachesUpstream(up.requests, gen, this.w.now - up.openedAt)) {
      up.idleSince = this.w.now;
      const pool = backend.upstreamPool;
      pool.push(up);
      this.workerConns?.cached(backend, up);
      if (!this.idleTimerArmed[backend.index]) this.armIdleTimer(backend);
      // Each worker's cache holds N idle connections ("preserved in the cache of each worker
      // process", ngx_http_upstream_keepalive_module); nginx closes that worker's least recently
      // used beyond it (ngx_http_upstream_free_keepalive_peer takes the cache's tail when no
      // free slot is left).
      if (pool.length > n.upstream_keepalive) {
        // That worker process's (worker and generation) least recently used, if it caches too many.
        const lru = lruBeyond(pool, up.worker, up.nginxGen, n.upstream_keepalive);
        if (lru >= 0) {
          const old = lru === 0 ? pool.shift()! : pool.splice(lru, 1)[0];
          this.workerConns?.uncached(backend, old);
          this.closeUpstream(backend, old, true);
        }
      }
      return;
    }
    // Upstream keepalive on: nginx asked the app to keep the connection (HTTP/1.1,
    // `Connection ""`) and closes it itself (keepalive_requests reached, older than keepalive_time, the worker exiting:
    // ngx_http_upstream_free_keepalive_peer `goto invalid` → ngx_close_connection), first. Off:
    // nginx asked for `Connection: close` and both ends close at once, a race the user states.
    this.closeUpstream(backend, up, n.upstream_keepalive > 0 || this.nginxClosesFirst(n.upstream_close_first));
  }

  /**
   * Whether nginx's FIN goes first on one upstream connection without keepalive: drawn on its
   * own stream for a `share(x)` (proxy/nginx.ts nginxClosesFirstShare), no draw for proxy / app.
   */
  private nginxClosesFirst(setting: NginxConfig['upstream_close_first']): boolean {
    const share = nginxClosesFirstShare(setting);
    if (share >= 1) return true;
    if (share <= 0) return false;
    this.closeRng ??= this.w.streams.stream('nginx.upstream-close-first');
    return this.closeRng.next() < share;
  }

  /**
   * How long a cached connection stays idle before it is closed, and by whom: nginx arms its
   * upstream keepalive_timeout on each connection it caches (ngx_http_upstream_free_keepalive_peer:
   * `ngx_add_timer(c->read, kp->conf->timeout)`) and ngx_http_upstream_keepalive_close_handler
   * closes it when that timer fires (`c->read->timedout`) or when the app's FIN arrives (its own
   * idle timer, app.keepalive_timeout, counted from the response it wrote: appClosed), whichever
   * comes first, with or without traffic. `appCloses`: the app's FIN comes first (it holds the
   * TIME_WAIT).
   */
  private idleLimit(backend: Backend): { after: number; appCloses: boolean } {
    const nginxTimeout = backend.nginx.config.upstream_keepalive_timeout;
    const appTimeout = backend.app.config.keepalive_timeout;
    const appCloses = appTimeout > 0 && appTimeout < nginxTimeout;
    return { after: appCloses ? appTimeout : nginxTimeout, appCloses };
  }

  /**
   * One timer per backend's cache for its oldest entry (the pool is in caching order, and every
   * entry's limit is the same), where nginx has one per cached connection: the same closes at the
   * same times, with an engine event only when the oldest connection's time comes (re-armed then
   * for the next oldest), not one per connection cached.
   */
  private armIdleTimer(backend: Backend): void {
    const pool = backend.upstreamPool;
    if (pool.length === 0) {
      this.idleTimerArmed[backend.index] = false;
      return;
    }
    const { after } = this.idleLimit(backend);
    if (after === Infinity) {
      this.idleTimerArmed[backend.index] = false;
      return;
    }
    this.idleTimerArmed[backend.index] = true;
    this.w.engine.at(Math.max(this.w.now, pool[0].idleSince + after), this.idleTimerFired, backend);
  }

  /** The oldest cached connection's idle time may be up: close every one whose is (idleLimit). */
  private readonly idleTimerFired = (backend: Backend): void => {
    const pool = backend.upstreamPool;
    const now = this.w.now;
    const { after, appCloses } = this.idleLimit(backend);
    let n = 0;
    while (n < pool.length && pool[n].idleSince + after <= now) n++;
    for (const up of n > 0 ? pool.splice(0, n) : []) this.dropCached(backend, up, !appCloses);
    this.armIdleTimer(backend);
  };

  /**
   * Close the cached upstream connections of the generations `which` picks (all by default),
   * newest first when some stay: nginx closing its keep-alive cache (a QUIT's
   * ngx_close_idle_connections, a stop), or the app's exit closing their other end
   * (`proxyClosesFirst` false).
   */
  closeCached(backend: Backend, proxyClosesFirst: boolean, which?: (gen: number) => boolean): void {
    const pool = backend.upstreamPool;
    if (which === undefined) {
      for (const up of pool.splice(0)) this.dropCached(backend, up, proxyClosesFirst);
      return;
    }
    for (let i = pool.length - 1; i >= 0; i--) {
      if (!which(pool[i].nginxGen)) continue;
      this.dropCached(backend, pool[i], proxyClosesFirst);
      pool.splice(i, 1);
    }
  }

  private dropCached(backend: Backend, up: UpstreamConn, proxyClosesFirst: boolean): void {
    this.workerConns?.uncached(backend, up);
    this.closeUpstream(backend, up, proxyClosesFirst);
  }

  /** The host vanished: its cached upstream connections went with its kernel, nothing is sent. */
  forgetCached(backend: Backend): void {
    for (const up of backend.upstreamPool) this.workerConns?.uncached(backend, up);
    backend.upstreamPool.length = 0;
  }

  /**
   * Close an upstream connection orderly: both of its ends are sockets of the VM's kernel, and
   * whichever closes first holds the TIME_WAIT (nginx's on its connecting 4-tuple, which keeps
   * the port; the app's on its accepting one, which a later SYN on the same 4-tuple reopens).
   */
  closeUpstream(backend: Backend, up: UpstreamConn, proxyClosesFirst: boolean): void {
    const host = up.host;
    const before = host.timeWaitOverflows;
    host.closeBothEnds(up.pair, up.appPair, up.port, this.w.now, proxyClosesFirst, !proxyClosesFirst);
    this.spare.push(up);
    if (host.timeWaitOverflows !== before && host === backend.host) this.w.timeWaitOverflow(backend);
  }

  /**
   * Whether nginx sends a request again after the app died under it on a connection from the
   * keep-alive cache: reading the FIN ("upstream prematurely closed connection") or the RST
   * (recv() 104), ngx_http_upstream_process_header calls ngx_http_upstream_next(…,
   * NGX_HTTP_UPSTREAM_FT_ERROR) (nginx 1.22.1 src/http/ngx_http_upstream.c). With the app as the
   * only peer ngx_http_upstream_free_round_robin_peer sets `pc->tries = 0` (peers->single), but
   * `if (u->peer.cached && ft_type == NGX_HTTP_UPSTREAM_FT_ERROR) u->peer.tries++` gives one back,
   * and proxy_next_upstream's default `error timeout` takes FT_ERROR: the request is sent again at
   * once through ngx_http_upstream_connect (the caller runs handle(): the cache, else a connect,
   * refused by a listener that went with the process: 502). Not a POST: a request already sent that
   * is non-idempotent needs `non_idempotent` in proxy_next_upstream (502 at once), as for a crossed
   * FIN (takeCached). One retry only: the next try is on a new connection, not cached.
   */
  retriesLostOnCached(): boolean {
    return this.w.scenario.clients.http.method !== 'POST';
  }

  /**
   * The app's process died with `conn`'s request (vm/lifecycle.ts jobLost): nginx reads its FIN
   * ("upstream prematurely closed connection while reading response header from upstream") or,
   * the request unread in the dead socket, its RST (recv() 104) — ngx_http_upstream_next(FT_ERROR)
   * with the request sent. One peer: 502, or one more try for a GET sent on a cached connection
   * (retriesLostOnCached). Several: the peer is freed as failed and a GET goes to the next
   * (nextTry: refused there too when the same app listened on both addresses, and both are then
   * down for fail_timeout), a POST is answered 502 (recorded: calibration/data/nginx-next-upstream.json).
   */
  appLost(backend: Backend, conn: Conn, unread: boolean): void {
    const up = conn.upstream;
    const cached = up !== null && up.requests > 0;
    const t = this.peerTries.size > 0 ? this.peerTries.get(conn) : undefined;
    const retried =
      t === undefined
        ? cached && this.retriesLostOnCached()
        : sendsOn(triesAfterFailure(t.tries, Ft.ERROR, cached), true, this.w.scenario.clients.http.method);
    this.traceAppLost(backend, unread, retried);
    if (up !== null) {
      if (unread) this.abortUpstream(backend, up);
      else this.closeUpstream(backend, up, false);
      conn.upstream = null;
    }
    if (t !== undefined) {
      if (this.nextTry(backend, conn, Ft.ERROR, true, cached)) return;
    } else if (retried) return this.handle(conn);
    this.sink.respond(conn, Status.BAD_GATEWAY);
  }

  /** nginx read the dead app's FIN (or RST, `unread`) under a request: traced, `retried` when it tries again. */
  traceAppLost(backend: Backend, unread: boolean, retried: boolean): void {
    this.w.trace.emitLimited(`kill-${backend.index}-${unread ? 'rst' : 'fin'}${retried ? '-retried' : ''}`, {
      kind: unread ? 'nginx.upstream_reset' : 'nginx.upstream_closed',
      backend: backend.name,
      ...(retried ? { retried: true as const } : {}),
    });
  }

  /** The upstream connection ended abruptly (RST): no TIME_WAIT on either side. */
  abortUpstream(_backend: Backend, up: UpstreamConn): void {
    up.host.closeBothEnds(up.pair, up.appPair, up.port, this.w.now, false, false);
    this.spare.push(up);
  }

  /**
   * The connect for `conn`'s request was refused: the app's listener is closed. With several
   * peers the try moves on (peerRefused, nextPeer) — to the same closed listener on another
   * address unless that one is down; with one, 502 (refused).
   */
  private refusedTry(backend: Backend, conn: Conn): void {
    const t = this.peerTries.size > 0 ? this.peerTries.get(conn) : undefined;
    if (t === undefined) return this.refused(backend, conn);
    if (this.peerRefused(backend, conn, t) && this.nextPeer(backend, conn, t)) this.attempt(backend, conn);
  }

  private refused(backend: Backend, conn: Conn): void {
    this.connectRefused(backend);
    this.sink.respond(conn, Status.BAD_GATEWAY);
  }

  /**
   * nginx's connect() to the app was refused (nothing listens on its port: RST to the SYN):
   * ngx_http_upstream_next(NGX_HTTP_UPSTREAM_FT_ERROR) finds no other peer to try (one app per
   * upstream; proxy_next_upstream's tries spent) and finalizes with 502 Bad Gateway
   * (src/http/ngx_http_upstream.c). The caller answers the request (or upgrade) with it.
   */
  connectRefused(backend: Backend): void {
    this.w.trace.emitLimited(`refused-${backend.index}`, {
      kind: 'nginx.upstream_refused',
      backend: backend.name,
      upstream: this.appAddress(backend),
    });
  }

  /**
   * The nginx worker (within its generation) holding `conn`'s connections, whose keepalive cache
   * its requests use: the one that accepted it (proxy/nginx.ts acceptingWorker, at the accept or,
   * with TLS in nginx, at its handshake: worker-cpu.ts admit), kept for the connection's life.
   * With `reuseport`, the one the kernel chose by the connection's 4-tuple.
   */
  workerOf(_backend: Backend, conn: Conn): number {
    return conn.nginxWorker;
  }

  appAddress(backend: Backend): string {
    const one = backend.nginx.config.upstream_addresses;
    if (one.length === 1) return addressUpstream(one[0].address);
    return backend.nginx.config.upstream_loopback ? '127.0.0.1:8080' : `10.0.1.${10 + backend.index}:8080`;
  }
}

/**
 * The index of the most recently cached connection of worker `worker` of generation `gen` to peer
 * `peer` (−1: any) in `pool` (−1: it caches none).
 */
function lastOfWorker(pool: UpstreamConn[], worker: number, gen: number, peer: number): number {
  for (let i = pool.length - 1; i >= 0; i--) {
    const up = pool[i];
    if (up.worker === worker && up.nginxGen === gen && (peer < 0 || up.peer === peer)) return i;
  }
  return -1;
}

/**
 * The index of the least recently cached connection of worker `worker` of generation `gen` in
 * `pool` if that process caches more than `keep` (−1: it does not). The pool holds every worker
 * process's idle connections, oldest first.
 */
function lruBeyond(pool: UpstreamConn[], worker: number, gen: number, keep: number): number {
  let first = -1;
  let count = 0;
  for (let i = 0; i < pool.length; i++) {
    if (pool[i].worker !== worker || pool[i].nginxGen !== gen) continue;
    if (first < 0) first = i;
    count++;
  }
  return count > keep ? first : -1;
}

/** An upstream connection nginx closed before the app answered: its two ends, still held. */
interface FinWait2 {
  readonly up: UpstreamConn;
  /** The host's clock when it began: a reboot since took the sockets with it. */
  readonly clock: JiffiesClock;
  nginxOpen: boolean;
  appOpen: boolean;
  /** The app still holds the request (AppServer.orphan): its answer will come. */
  answerComes: boolean;
  /** `up` is back in `spare` (closeHeld gives it back once). */
  givenBack: boolean;
}

/** What RequestPath.takeCached found instead of a cached connection. */
const CacheMiss = { EMPTY: 0, FAILED: 1 } as const;
type CacheMiss = (typeof CacheMiss)[keyof typeof CacheMiss];

/** What became of a cached upstream connection by the time nginx reuses it. */
export const CachedFate = { ALIVE: 0, CLOSED: 1, CROSSED: 2 } as const;
export type CachedFate = (typeof CachedFate)[keyof typeof CachedFate];

/**
 * The upstream keep-alive race, from timer times and the hop's round trip: nginx cached the
 * connection when the app's response reached it (`idleSince`); the app wrote it rtt/2 earlier and
 * its idle timer closes the connection `appTimeout` later, so its FIN reaches nginx exactly at
 * idleSince + appTimeout. A request nginx sends at `sendAt` reaches the app rtt/2 later: before
 * the close it is served (ALIVE); sent after the FIN arrived, nginx's close handler has already
 * dropped the connection (CLOSED); in between (one round trip wide) it crosses the FIN (CROSSED).
 * `appTimeout` 0 or ∞: the app never closes an idle connection.
 */
export function appClosed(idleSince: number, sendAt: number, appTimeout: number, rtt: number): CachedFate {
  if (appTimeout <= 0 || appTimeout === Infinity) return CachedFate.ALIVE;
  const finAtNginx = idleSince + appTimeout;
  if (sendAt >= finAtNginx) return CachedFate.CLOSED;
  return sendAt + rtt / 2 < finAtNginx - rtt / 2 ? CachedFate.ALIVE : CachedFate.CROSSED;
}

/** One request's tries over its worker's peers (ngx_http_upstream_rr_peer_data_t and peer.tries). */
interface PeerTry {
  readonly peers: WorkerPeers;
  /** The peer of the try under way (rrp->current). */
  peer: Peer;
  /** Tries left, counting the one under way (pc->tries). */
  tries: number;
  /** The peers tried so far, a bit each (rrp->tried). */
  tried: number;
  /** When the try under way began: proxy_connect_timeout counts from it (ngx_http_upstream_connect). */
  startedAt: number;
}

/** A peer's address as nginx's error.log writes it after `upstream: "http://`: [::1]:8080. */
function peerUpstream(peer: Peer): string {
  return addressUpstream(peer.addr.address);
}

function addressUpstream(a: string): string {
  return `${a.includes(':') ? `[${a}]` : a}:8080`;
}
