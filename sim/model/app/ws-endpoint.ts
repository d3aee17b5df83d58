import type { Histogram } from '../../metrics/histogram.js';
import { Handshake } from '../../net/listen-queue.js';
import { synRetransmitSchedule } from '../../net/tcp.js';
import { type Conn, NO_RETRY_AFTER, NO_SESSION, type UpstreamConn } from '../core/conn.js';
import { WsClose } from '../core/exchanges.js';
import { UPGRADED, type WsDownstream, type WsUpstream } from '../core/hop.js';
import { Req } from '../core/request.js';
import { ErrorKind, wsCloseCounter } from '../core/series.js';
import type { VmView as Backend } from '../core/vm-view.js';
import { EndKind, type World } from '../core/world.js';
import type { NatIdleTable, PacketTrain } from '../lb/nat-idle.js';
import { type ProxyTimeout, tunnelIdleDeadline, tunnelTimeout } from '../lb/timeouts.js';
import type { RequestPath } from '../proxy/upstream.js';
import { type AckWaiter, exactTimers, type ListenerSender, type SenderTimers } from './app-listener.js';
import { LoopTlsHandshakes } from './loop-tls.js';
import { tlsInWorker, workerHandshakeHold } from './tls.js';

/**
 * The server end of WebSocket sessions: the upgrade through nginx to the app (one upstream
 * connection per tunnel) or, on a bare app server (`backends[].proxy: none`), the balancer's own
 * server connection to the app (no upstream, no proxy_read_timeout: only the balancer's tunnel
 * timeout and the app's own policies act on the tunnel), the app's session TTL, nginx's
 * idle-tunnel timeout (proxy_read_timeout),
 * the app's drain notice (retryAfter, close 1001 after `close_after`), its SIGTERM handler
 * (`close_on_shutdown`: close 1001 spread over `close_spread`) and what a dead
 * or reset server end does to a tunnel. Who closes TCP first after a Close frame is the side that
 * received the first Close when the client is Node's `ws`, the server always when it is a browser
 * (closeSession), so TIME_WAIT lands on the VM or the client machine. The client side (lifetimes,
 * pings, reconnects, its library) is clients/websocket.ts, reached through hop.ts.
 */
/**
 * Who opens the TCP connection the upgrade reaches the app on: nginx on the VM (its upstream
 * connect, proxy_connect_timeout, the VM's kernel and timer wheel) or, on a bare app server, the
 * balancer itself (HAProxy's server-side connect: `timeout connect`, lb.kernel, the balancer
 * host's timer wheel, as lb/l7-dispatch.ts sendSyn).
 */
interface AppConnector {
  /** Round trip to the app (the final ACK's delay after the SYN-ACK). */
  rtt: number;
  /** The connect gives up once the SYNs have gone unanswered this long. */
  connectTimeout: number;
  /** When a dropped SYN is sent again (seconds after the first): the sender's tcp_syn_retries schedule. */
  retransmits: number[];
  clock: SenderTimers;
}

/** A handshake whose SYN to the app was dropped by a full accept queue, waiting for a retransmit. */
interface PendingHandshake {
  b: number;
  work: number;
  since: number;
  /** SYNs retransmitted so far. */
  syn: number;
  epoch: number;
  /**
   * The client connection and its connect (Conn.connectStartedAt) whose upgrade this is, where TLS
   * ends in a bare event loop: its upgrade, read after the handshake, may still be refused (upgradeArrives).
   */
  conn: Conn | null;
  connect: number;
  /**
   * The nginx worker process (generation, worker) that connects to the app for the upgrade: with
   * TLS ending in the app behind nginx, whose saved session its handshake offers (app/tls.ts).
   */
  gen: number;
  worker: number;
}

/**
 * How often a ping crosses an otherwise idle tunnel: the clients' (`clients.ws.ping_interval`) or
 * the app's own heartbeat (`app.ws.ping_interval`), whichever is more frequent; each is answered by
 * a pong, so both directions carry it and it refreshes every idle timer on the way — HAProxy's
 * tunnel (or client/server) timeout, whose read timeouts a write on either side refreshes
 * (sc_notify(), src/stconn.c), and nginx's proxy_read_timeout, re-armed whenever the tunnel's
 * handler runs — on data from the app and from the client alike: ngx_http_upstream_process_upgraded()
 * (src/http/ngx_http_upstream.c), reached from ngx_http_upstream_upgraded_read_upstream and
 * _read_downstream, ends with ngx_add_timer(upstream->read, read_timeout) whenever the upstream
 * side has nothing to read; so one direction's traffic keeps it alive. 0 or ∞: none.
 */
export function tunnelTrafficEvery(clientPing: number, appPing: number): number {
  const pings = (p: number): boolean => p > 0 && p !== Infinity;
  if (!pings(appPing)) return clientPing;
  return pings(clientPing) ? Math.min(clientPing, appPing) : appPing;
}

/** A tunnel's packet that finds its NAT entry expired (WsEndpoint.armTunnelTimer). */
interface NatLatePacket {
  conn: Conn;
  /** When the packet before it crossed. */
  after: number;
  /** It is the client's (its ping, or its Close as its user leaves); otherwise the server's. */
  byClient: boolean;
}

/** A ping interval as a packet train's: 0 and ∞ both mean none. */
const trainEvery = (p: number): number => (p > 0 ? p : Infinity);

/** A ClientHello never read (lost with the process): nothing waits on the 101 (handshakeServed). */
const ignore = (): void => {};
/** The upgrade after a worker's TLS handshake is always read: the session started at the upgrade, whatever its client does. */
const always = (): boolean => true;

export class WsEndpoint implements WsUpstream {
  /** Sum of session start times per backend, for the average age gauge in O(1). */
  readonly bornSum: Float64Array;
  private readonly durations: Histogram;
  downstream!: WsDownstream;
  /** lb.mode nat: the connection table that forgets an idle tunnel (lb/nat-idle.ts; never, behind a proxy). */
  nat!: NatIdleTable;
  /** The balancer's own inactivity timeout of a tunnel (HAProxy timeout tunnel; lb/timeouts.ts). */
  private readonly lbTunnel: ProxyTimeout;
  /** The balancer as the app's connecting side, for bare app servers (proxy: none). */
  private readonly lbConnects: AppConnector;
  /** TLS ending in a bare event loop: the ClientHello read before the upgrade (loop-tls.ts). */
  private readonly tls: LoopTlsHandshakes;
  /** Per backend: TLS ending in a bare app whose workers each take one connection: the handshake before the upgrade (tls.ts). */
  private readonly tlsInWorker: boolean[];

  constructor(
    private readonly w: World,
    private readonly path: RequestPath,
  ) {
    this.lbTunnel = tunnelTimeout(w);
    const k = w.scenario.lb.kernel;
    this.lbConnects = {
      rtt: w.scenario.clients.rtt,
      connectTimeout: w.scenario.lb.connect_timeout,
      retransmits: synRetransmitSchedule(k.tcp_syn_retries, k.tcp_syn_linear_timeouts).retransmits,
      clock: w.lbHost?.host.clock ?? exactTimers(k.hz),
    };
    this.tls = new LoopTlsHandshakes(w, path.app);
    this.tlsInWorker = w.backends.map(tlsInWorker);
    this.bornSum = new Float64Array(w.backends.length);
    // Registered up front so a run with no session closes still reports it (count 0).
    this.durations = w.metrics.histogram('ws_session_duration');
  }

  /**
   * The upgrade on an established flow. Refused with a 5xx (an app that refuses WebSockets on a
   * connection it reads: its 503; behind nginx a closed or absent listener and no cached connection
   * the app still reads: nginx's 502; no upstream port: 502) the connection ends (reject(): the
   * client closes it, as a rule) and it returns HTTP_5XX — ECONNRESET when nginx reset it at its
   * accept (nginxConnections) — the error the client reads (`ws`, lib/websocket.js initAsClient(): a
   * non-101 answer is abortHandshake(…, 'Unexpected server response: 503'), a reset the socket's
   * 'error'); accepted (UPGRADED), the session runs.
   */
  handshake(conn: Conn): ErrorKind | typeof UPGRADED {
    const w = this.w;
    const backend = w.backends[conn.backend];
    // nginx takes the upgrade's connections before the app sees it: its accept, then an idle
    // connection to the app from the worker's keep-alive cache (cachedForUpgrade) or a new one.
    const cached = backend.bare ? null : this.nginxConnections(conn, backend);
    if (typeof cached === 'number') return cached;
    if (!backend.app.acceptsWebSockets) {
      // Who answers the refusal: the app, on a connection it reads — its 503 (on a cached
      // connection, cached again or closed as any response: cacheAgain), or behind nginx with
      // none cached and the app's listener closed (SIGTERMed, or not running), nginx itself: its
      // connect() is refused, 502 (RequestPath.connectRefused). A bare app's closed listener
      // refuses the balancer's or the client's connect before any upgrade is sent (l4-connect.ts:
      // HAProxy l7 retries, then its own 503; l4 retries; a NAT hands the client ECONNREFUSED).
      if (cached !== null) this.path.cacheAgain(backend, cached, conn.nginxGen);
      else if (!backend.bare && !backend.app.accepting) this.path.connectRefused(backend);
      return this.reject(conn, backend);
    }
    if (!this.handshakeWork(conn, backend, cached !== null)) {
      // The app answered the upgrade 503 (no 101): on a cached connection, kept alive, nginx caches it again.
      if (cached !== null) this.path.cacheAgain(backend, cached, conn.nginxGen);
      return this.reject(conn, backend);
    }
    if (backend.bare) {
      // No nginx: the balancer's connection is the app's own (HAProxy forwards the upgrade on its
      // server connection and, after the 101, tunnels it: one stream, balanced once and pinned).
      conn.upstream = null;
    } else if (cached !== null) {
      // Upgraded, it never goes back to the cache: its 101 cleared u->keepalive
      // (ngx_http_proxy_process_header), which ngx_http_upstream_free_keepalive_peer reads at the
      // tunnel's end (`if (!u->keepalive) goto invalid`): closed then (endTunnel, closeUpstream).
      conn.upstream = cached;
    } else {
      let port = this.path.connectUpstream(backend);
      // −3: the SYN met the app's stale end, which nginx's RST has reset; its retransmission
      // TCP_TIMEOUT_MIN (2 jiffies) later connects — taken at once here (the upgrade's few ms).
      if (port === -3) port = this.path.connectUpstream(backend);
      if (port < 0) {
        // EADDRNOTAVAIL (or the app's kernel still holding the 4-tuple): nginx answers 502.
        if (port === -1) w.metrics.inc(w.c.errEaddrnotavail, backend.index);
        return this.reject(conn, backend);
      }
      conn.upstream = this.path.opened(backend, port, 1, conn.nginxGen);
    }
    conn.retryAfter = NO_RETRY_AFTER;
    conn.sessionStartedAt = w.now - this.connectionAge(conn, backend);
    conn.ageAtConnect = 0;
    this.bornSum[backend.index] += conn.sessionStartedAt;
    backend.wsSessions.add(conn);
    this.armSessionTimer(conn, backend);
    return UPGRADED;
  }

  /**
   * The opening handshake is an HTTP request the app serves (RFC 6455 §4.1: a GET with Upgrade;
   * §4.2.2: the server validates it and answers 101 with Sec-WebSocket-Accept), after the
   * connection's TLS handshake where TLS ends in the app (behind nginx: nginx's upstream connection's,
   * resumed with its worker's saved session, app/tls.ts TlsHandshakes.upstream; a bare event loop reads the
   * ClientHello first and the upgrade a round trip after it: submitWork, loop-tls.ts; a worker that
   * takes one connection does the handshake, waits that round trip, then reads the upgrade:
   * AppServer.submitAfterHandshake). Its work
   * goes to the app's workers like any request, so a reconnect storm takes worker time from the
   * requests and health checks queued behind it. The session itself starts now: the 101 comes
   * after that work, which a session's story does not need to wait for. A full request queue answers 503 (false); a full
   * accept queue drops nginx's SYN, which its kernel retransmits on Linux's schedule until
   * proxy_connect_timeout (as for requests, proxy/upstream.ts), so the work comes later.
   * Where TLS ends in the bare app itself no 503 is written here: the upgrade is an HTTP request
   * on the TLS connection, read only after its handshake — node's https server hands a socket to
   * its HTTP connection listener ('upgrade' included) only at 'secureConnection' (lib/https.js
   * Server: tls.Server with _connectionListener as the 'secureConnection' listener;
   * lib/_tls_wrap.js tlsConnectionListener wraps the socket in a TLSSocket whose handshake runs in
   * TLSWrap first), gunicorn's worker after its ssl wrap (gunicorn/workers/sync.py handle). An
   * event loop's full queue refuses the upgrade when it is read, a round trip after the handshake
   * (upgradeArrives); a worker that did the handshake serves it (AppServer.submitAfterHandshake,
   * no limit applies). Before session 20 such an upgrade met `queue_limit` at its connect and was
   * answered 503 with no handshake.
   */
  private handshakeWork(conn: Conn, backend: Backend, cached: boolean): boolean {
    const app = backend.app.config;
    const work = app.ws.handshake_time;
    if (cached) {
      // A connection from nginx's keep-alive cache is connected, and secured where TLS ends in the
      // app (ngx_http_upstream_connect runs ngx_http_upstream_ssl_init_connection only `if (u->ssl
      // && c->ssl == NULL)`): the upgrade is sent on it at once, no SYN to the app's listener, no
      // handshake, and read at the app's next poll as any request on a kept-alive connection.
      if (work <= 0) return true;
      if (backend.appQueueLength >= app.queue_limit) return false;
      this.path.app.submit(backend, this.upgradeJob(work));
      return true;
    }
    // The client's TLS handshake with a bare app is read before the upgrade (submitWork); behind
    // nginx with TLS ending in the app, nginx's upstream connection's handshake comes first.
    const inLoop = this.tls.endsIn(backend);
    const tlsInApp = inLoop || this.tlsInWorker[backend.index];
    if (work <= 0 && !tlsInApp && !this.upstreamTls(backend)) return true;
    if (!tlsInApp && backend.appQueueLength >= app.queue_limit) return false;
    const w = this.w;
    const b = backend.index;
    const [who, connect] = inLoop ? [conn, conn.connectStartedAt] : [null, 0];
    const { nginxGen: gen, nginxWorker: worker } = conn;
    this.submitHandshake({ b, work, since: w.now, syn: 0, epoch: backend.app.epoch, conn: who, connect, gen, worker });
    return true;
  }

  /** nginx speaks TLS to `backend`'s app (`terminates: app` behind the VM's nginx, `proxy_pass https://`). */
  private upstreamTls(backend: Backend): boolean {
    return !backend.bare && this.path.tls.toAppOf(backend);
  }

  private readonly submitHandshake = (h: PendingHandshake): void => {
    const w = this.w;
    const backend = w.backends[h.b];
    // The app went away meanwhile: there is nothing left to serve.
    if (backend.app.epoch !== h.epoch || !backend.app.accepting) return;
    // Both accept-queue checks (app-listener.ts); a retransmitted SYN comes in a timer-wheel batch.
    const bare = backend.bare;
    const rtt = bare ? this.lbConnects.rtt : backend.nginx.config.upstream_rtt;
    const clock = bare ? this.lbConnects.clock : backend.host.clock;
    const handshake = this.path.app.listener.handshake(backend, h.syn > 0, rtt, clock, this.listenerSender, h);
    if (handshake === Handshake.SYN_DROPPED) {
      w.metrics.inc(w.c.synDrops, h.b);
      const by = this.appConnector(backend);
      const retransmits = by.retransmits;
      // The connecting kernel re-arms its SYN timer at each firing, on its timer wheel (net/jiffies.ts).
      const next =
        h.syn < retransmits.length
          ? by.clock.timerFiresAt(w.now, retransmits[h.syn] - (h.syn > 0 ? retransmits[h.syn - 1] : 0))
          : Infinity;
      h.syn++;
      if (next - h.since < by.connectTimeout) w.engine.at(next, this.submitHandshake, h);
      return;
    }
    // A dropped final ACK: the upgrade request reaches the app when its child is made (ackWaiter).
    if (handshake === Handshake.CHILD) this.submitWork(h);
  };

  /**
   * The upgrade request on the connection the app's listener made just now: an event-loop app
   * reads it one iteration after its accept, as every new connection's first request
   * (AppServer.submitOnAccept).
   */
  private submitWork(h: PendingHandshake): void {
    const backend = this.w.backends[h.b];
    if (this.tls.endsIn(backend)) {
      // The ClientHello is the connection's first data; the upgrade comes with the client's Finished.
      const rtt = this.appConnector(backend).rtt;
      const hello = this.tls.clientHello(backend, rtt, () => this.upgradeArrives(h), ignore);
      this.path.app.submitOnAccept(backend, hello);
      return;
    }
    if (this.upstreamTls(backend)) {
      // nginx's new upstream connection handshakes first (ngx_http_upstream_ssl_init_connection),
      // resuming its worker's saved session, and sends the upgrade once it is over (app/tls.ts).
      const sent = h.work > 0 ? () => this.path.app.submit(backend, this.upgradeJob(h.work)) : ignore;
      this.path.tls.upstream(backend, h.gen, h.worker, sent, always, ignore);
      return;
    }
    if (this.tlsInWorker[h.b]) {
      // The worker that accepts the connection does its handshake, then reads the upgrade.
      const hold = workerHandshakeHold(backend.app.config, this.appConnector(backend).rtt);
      this.path.app.submitAfterHandshake(backend, this.upgradeJob(h.work), hold, always);
      return;
    }
    this.path.app.submitOnAccept(backend, this.upgradeJob(h.work));
  }

  /**
   * The upgrade request reaches the loop that did the connection's handshake: read at its next
   * poll, or refused by a full queue (`queue_limit`) as a request read then is — the 503 written
   * on the secured connection (refusedAfterTls).
   */
  private upgradeArrives(h: PendingHandshake): void {
    const backend = this.w.backends[h.b];
    if (backend.app.epoch !== h.epoch || !backend.app.up) return;
    if (h.work > 0) {
      if (!this.path.app.admit(backend, this.upgradeJob(h.work))) this.refusedAfterTls(h, backend);
      return;
    }
    // No upgrade work modelled: its read meets the full queue all the same (AppServer.admit's rule).
    if (this.path.app.refuses(backend)) this.refusedAfterTls(h, backend);
  }

  /**
   * A bare event loop's full queue answered the upgrade 503 after the TLS handshake: the session
   * the model started at the upgrade's connect (handshake) never was — no 101 — and is taken back
   * uncounted (no session duration, no close code); the connection ends as any refused upgrade's
   * (reject) and its client backs off and reconnects (closedByServer, with no retryAfter: its
   * reconnect policy's backoff, as after a refusal at the connect: upgradeRefused, an HTTP 5xx
   * error, no server close of a session). Nothing when the client has left meanwhile (another
   * connect on the record, or the session already over).
   */
  private refusedAfterTls(h: PendingHandshake, backend: Backend): void {
    const conn = h.conn;
    if (conn === null || conn.connectStartedAt !== h.connect || conn.backend !== h.b) return;
    if (!backend.wsSessions.delete(conn)) return;
    const w = this.w;
    this.bornSum[h.b] -= conn.sessionStartedAt;
    conn.sessionStartedAt = NO_SESSION;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.downstream.upgradeRefused(conn, this.reject(conn, backend), h.b);
  }

  /** The upgrade request: `work` seconds of the app's (ws.handshake_time). */
  private upgradeJob(work: number): Req {
    const job = new Req(this.handshakeServed);
    job.fixedService = work;
    job.deep = false;
    return job;
  }

  /**
   * nginx's connection to the app whose final ACK was dropped: its upgrade request reaches the app
   * with a data copy or after an answer to a resent SYN-ACK (app-listener.ts). Nothing waits on the
   * 101 (the session started at the upgrade), so a reset only loses the work.
   */
  private readonly listenerSender: ListenerSender<PendingHandshake> = { ackWaiter: (h) => this.ackWaiter(h) };

  private ackWaiter(h: PendingHandshake): AckWaiter {
    return {
      waiting: () => {
        const app = this.w.backends[h.b].app;
        return app.epoch === h.epoch && app.accepting;
      },
      admitted: () => this.submitWork(h),
      reset: () => {},
    };
  }

  /**
   * Who connects to the app for `backend`'s upgrades: nginx on the VM, or on a bare app server the
   * balancer (its connection to the app is the client's stream's server side). Simplified for a
   * bare app: its accept queue is met at the upgrade, one round trip after the connect.
   */
  private appConnector(backend: Backend): AppConnector {
    if (backend.bare) return this.lbConnects;
    const k = backend.kernel;
    return {
      rtt: backend.nginx.config.upstream_rtt,
      connectTimeout: backend.nginx.config.proxy_connect_timeout,
      retransmits: synRetransmitSchedule(k.tcp_syn_retries, k.tcp_syn_linear_timeouts).retransmits,
      clock: backend.host.clock,
    };
  }

  /** The 101 went out: nothing waits on it (the session started at the upgrade). */
  private readonly handshakeServed = (): void => {};

  /**
   * How old a connection opened now already is: 0, except for the first connection of a session
   * that a steady-state start found open at t = 0. With a TTL that session has been reconnected
   * every TTL, so its connection is (session age mod TTL) old.
   */
  private connectionAge(conn: Conn, backend: Backend): number {
    const age = conn.ageAtConnect;
    if (age === 0) return 0;
    const ttl = backend.app.config.ws.session_ttl;
    return ttl > 0 && ttl !== Infinity ? age % ttl : age;
  }

  /**
   * nginx's connections for the upgrade: its accept, then its connection to the app — an idle one
   * from the worker's keep-alive cache (RequestPath.cachedForUpgrade; null: none, a new one is
   * connection. No room for the accept: ngx_event_accept closed the socket at once — FIN before
   * the upgrade arrived, or RST with it unread (WorkerConnections.refusedClose); the client reads
   * EOF or RST before any answer, which `ws` reports alike, through Node's http client ("socket
   * hang up" or the socket's error, ECONNRESET either way). Through lb.mode l7 HAProxy answers
   * that 502, as reject(). None for a new upstream
   * connection: 500, which drops keep-alive (ngx_http_special_response_handler), so nginx closes
   * first. A number: refused, the connection ended, and the error its client reads (ECONNRESET,
   * or HTTP_5XX for a 5xx). An app that refuses upgrades gets a cached connection only if it still
   * reads requests on it (cachedFor): handshake() then has the app answer 503 on it.
   */
  private nginxConnections(conn: Conn, backend: Backend): UpstreamConn | null | ErrorKind {
    const limits = this.path.workerConns;
    if (limits === null || !limits.limited(backend, conn)) return this.cachedFor(conn, backend);
    const w = this.w;
    if (!limits.acceptUpgrade(backend, conn)) {
      if (w.scenario.lb.mode === 'l7') return this.reject(conn, backend);
      const how = limits.refusedClose(backend, conn);
      // Only a close with the upgrade unread is nginx's reset; after a FIN the kernel's RST to the
      // upgrade is not counted (as the keep-alive race's, clients/http-keepalive.ts crossedFin).
      if (how === EndKind.RESET) w.metrics.inc(w.c.resetOut, backend.index);
      w.end(conn, how);
      return ErrorKind.ECONNRESET;
    }
    const cached = this.cachedFor(conn, backend);
    if (cached === null && !limits.upstreamSlot(backend, conn)) return this.reject(conn, backend, true);
    return cached;
  }

  /**
   * The upgrade's connection from nginx's keep-alive cache (ngx_http_upstream_get_keepalive_peer
   * runs before any connect()), if the app takes upgrades, or, draining, still reads requests on
   * the connections nginx cached (app-process.ts servesKeptConnsDraining: it answers the upgrade
   * 503 there). An app still serving that only refuses upgrades (its drain hook ran) takes none:
   * its 503 would leave the connection cached again, the same (nginxConnections).
   */
  private cachedFor(conn: Conn, backend: Backend): UpstreamConn | null {
    const app = backend.app;
    return app.acceptsWebSockets || app.servesKeptConnsDraining ? this.path.cachedForUpgrade(backend, conn) : null;
  }

  /** Answer the upgrade with a 5xx and end its connection: the client reads an HTTP 5xx error. */
  private reject(conn: Conn, backend: Backend, nginxCloses = false): ErrorKind {
    const w = this.w;
    w.metrics.inc(w.c.responses5xx, backend.index);
    if (w.scenario.lb.mode === 'l7') this.rejectedThroughL7(conn, backend);
    else w.end(conn, nginxCloses ? EndKind.SERVER_FIN : this.whoClosesRefused(conn, backend));
    return ErrorKind.HTTP_5XX;
  }

  /**
   * lb.mode l4 and nat: who closes the client connection of a refused upgrade first. nginx ends
   * the 5xx (the app's 503 it relays, or its own 502) as any response: ngx_http_finalize_connection()
   * (src/http/ngx_http_request.c) calls ngx_http_set_keepalive() when r->keepalive is set, which an
   * HTTP/1.1 upgrade request gets (`Connection: Upgrade` is neither close nor keep-alive:
   * ngx_http_handler(), src/http/ngx_http_core_module.c, keepalive = http_version > 1.0), and
   * ngx_http_special_response_handler() (src/http/ngx_http_special_response.c) clears it only for
   * 400/413/414/497/495/496/500/501, not 502/503 (no lingering close either: a GET has no body).
   * The client fails the WebSocket connection on a non-101 answer (RFC 6455 §4.1, §7.1.7: it
   * closes the TCP connection; Node's `ws`, lib/websocket.js initAsClient() 'response' →
   * abortHandshake() → socket.destroy(), the response already read, so close() sends a FIN) long
   * before keepalive_timeout: the client closes first and its machine holds the TIME_WAIT; nginx
   * reads EOF in ngx_http_keepalive_handler() ("client closed keepalive connection") and closes
   * passively. Through lb.mode l4 the client's peer is HAProxy's client-facing socket, which closes
   * passively too (no `lb_time_wait`); HAProxy relays the FIN to nginx and holds that TIME_WAIT
   * on its own port (world.ts end(), `lb_ports_busy`). nginx closes first (VM TIME_WAIT) only when
   * it would after any response (nginx.ts closesAfterResponse(): keepalive_timeout 0,
   * keepalive_requests reached by this first request, or its worker generation exiting:
   * ngx_http_finalize_connection() then closes instead of ngx_http_set_keepalive()).
   */
  private whoClosesRefused(conn: Conn, backend: Backend): EndKind {
    // A bare app server keeps the connection after its 503 (node: no keepalive_requests): the client closes.
    if (backend.bare) return EndKind.CLIENT_FIN;
    // The upgrade is the first request on its connection (requestsServed counts from attach).
    return backend.nginx.closesAfterResponse(conn.requestsServed + 1, conn.nginxGen)
      ? EndKind.SERVER_FIN
      : EndKind.CLIENT_FIN;
  }

  /**
   * lb.mode l7: HAProxy mode http forwards the 5xx as the end of an ordinary transaction (no 101,
   * so no tunnel): the client connection stays open for keep-alive (HAProxy's default
   * http-keep-alive; nginx keeps it too: ngx_http_special_response_handler(),
   * src/http/ngx_http_special_response.c, drops keep-alive for 400/413/414/500/501, not for
   * 502/503/504). The client fails the WebSocket connection (RFC 6455 §4.1, §7.1.7) and closes
   * TCP first: its machine holds the TIME_WAIT and HAProxy closes its accepted socket passively
   * (no `lb_time_wait`). The finished server connection is HAProxy's: it goes idle in its pool
   * (h1_detach(), src/mux_h1.c) and HAProxy closes it itself — not pooled, purged, or at the
   * session's end — with an RST (H1C_F_SILENT_SHUT, FD_LINGER_RISK: src/fd.c
   * _fd_delete_orphan()), counted in `reset_in` now (the WebSocket flow does not go through
   * the l7 pool model, lb/l7-server-conns.ts, so a later reuse of that connection is not modelled).
   */
  private rejectedThroughL7(conn: Conn, backend: Backend): void {
    const w = this.w;
    w.metrics.inc(w.c.resetIn, backend.index);
    w.dropServerEnd(conn, true);
    w.end(conn, EndKind.CLIENT_FIN);
  }

  private armSessionTimer(conn: Conn, backend: Backend): void {
    const w = this.w;
    const born = conn.sessionStartedAt;
    let end = conn.sessionEndsAt;
    const ttl = backend.app.config.ws.session_ttl;
    if (ttl > 0 && ttl !== Infinity) end = Math.min(end, born + ttl);
    // Idle from now: a steady-state session's backdated start says nothing of its idle time.
    const ping = tunnelTrafficEvery(w.scenario.clients.ws.ping_interval, backend.app.config.ws.ping_interval ?? 0);
    // nginx's proxy_read_timeout, where nginx relays the tunnel (a bare app has none of its own).
    if (!backend.bare) end = Math.min(end, backend.nginx.tunnelIdleDeadline(w.now, ping));
    conn.tunnelSince = w.now;
    end = Math.min(end, tunnelIdleDeadline(this.lbTunnel.after, w.now, ping));
    // The upgrade and its 101 crossed the NAT now.
    this.nat.seen(conn);
    // The session timer's close is the client's when its user leaves, else the server's (TTL, nginx idle).
    this.armTunnelTimer(conn, backend, end, this.sessionTimer, end >= conn.sessionEndsAt);
  }

  /**
   * Arm `conn`'s timer for `fn` at `end` — unless, behind lb.mode nat, a packet of the tunnel
   * before then, or the close at `end` itself (the client's if `closeByClient`), finds the flow's
   * entry expired (lb/nat-idle.ts firstLatePacket): the timer is that packet's then. The packets
   * since the upgrade are the pings, the client's (clients.ws.ping_interval, from its session's
   * start) and the app's (app.ws.ping_interval, from the upgrade), each answered by a pong that
   * crosses as soon; an idle tunnel carries nothing else (the drain notice's message is not
   * counted: simplified).
   */
  private armTunnelTimer(
    conn: Conn,
    backend: Backend,
    end: number,
    fn: (conn: Conn) => void,
    closeByClient: boolean,
  ): void {
    const w = this.w;
    // No idle timeout (any balancer but a NAT): nothing to work out, nothing allocated per session.
    if (this.nat.idle === Infinity) {
      conn.timer = w.engine.at(end, fn, conn);
      return;
    }
    const since = conn.tunnelSince;
    const clientEvery = trainEvery(w.scenario.clients.ws.ping_interval);
    const appEvery = trainEvery(backend.app.config.ws.ping_interval ?? 0);
    const trains: PacketTrain[] = [
      { first: this.downstream.pingAfter(conn, since), every: clientEvery },
      { first: since + appEvery, every: appEvery },
    ];
    const late = this.nat.firstLatePacket(since, trains, end);
    if (late === null) {
      conn.timer = w.engine.at(end, fn, conn);
      return;
    }
    const byClient = late.train === 0 || (late.train < 0 && closeByClient);
    const packet: NatLatePacket = { conn, after: late.after, byClient };
    conn.timer = w.engine.at(late.at, this.natLatePacket, packet);
  }

  /**
   * A packet of the tunnel finds its NAT entry expired. AWS NLB: "if a client or a target sends
   * data after the idle timeout period elapses, it receives a TCP RST packet"; IPVS forgets the
   * entry too and its director answers RST. The model's rule is its HTTP path's (lb/nat-idle.ts:
   * the keep-alive clients' requests, lb/l4-connect.ts forwardsClientPacket; nginx's responses and
   * idle FIN, proxy/server-end.ts writeResponse / serverClosesIdle), for kube-proxy's conntrack as
   * well (nf_conntrack_tcp_timeout_established, 24 h by kube-proxy's default: there the next
   * packet is picked up as a new entry and balanced anew — a pod without the connection answers
   * RST — or, INVALID, dropped by KUBE-FORWARD, kubernetes#74839: not told apart). The client's
   * packet: it reads ECONNRESET (1006), the server's side goes with the flow, as there. The
   * server's (the app's ping, its Close frame, nginx's FIN at proxy_read_timeout): the server's
   * socket is reset and the session ends on the VM; the client is not told (the NAT resets only
   * the sender) and learns at its own next packet.
   */
  private readonly natLatePacket = (p: NatLatePacket): void => {
    const w = this.w;
    const conn = p.conn;
    conn.timer = -1;
    // The pings before it crossed, no event of their own: the entry's timer restarted at the last.
    this.nat.seenAt(conn, p.after);
    // True by firstLatePacket's schedule: the entry is FORGOTTEN now, and logged.
    this.nat.expired(conn);
    if (p.byClient) {
      this.downstream.resetAtSend(conn);
      return;
    }
    w.metrics.inc(w.c.resetIn, conn.backend);
    this.tunnelGone(conn);
    w.dropServerEnd(conn, true);
    this.downstream.flowForgotten(conn);
  };

  /** Why a session ends, decided when its timer fires: the user leaves, the TTL, or the idle tunnel. */
  private readonly sessionTimer = (conn: Conn): void => {
    const w = this.w;
    conn.timer = -1;
    const backend = w.backends[conn.backend];
    if (w.now >= conn.sessionEndsAt) this.closeSession(conn, WsClose.NORMAL, false);
    else if (w.now >= tunnelIdleDeadline(this.lbTunnel.after, conn.tunnelSince, this.trafficEvery(backend)))
      this.closedByBalancer(conn);
    else {
      const ttl = backend.app.config.ws.session_ttl;
      const born = conn.sessionStartedAt;
      if (ttl > 0 && w.now >= born + ttl) this.closeSession(conn, WsClose.GOING_AWAY, false);
      else this.closeSession(conn, WsClose.ABNORMAL, true);
    }
  };

  /**
   * End a session that is alive on its backend. `proxyFirst`: nginx closes both sides (idle
   * tunnel timeout, no Close frame). Otherwise a Close frame ends it, and TCP is closed first by
   * the side that received the first Close when the client is Node's `ws`
   * (lib/websocket.js receiverOnConclude() → close(): socket.end() as soon as a Close was both sent
   * and received), by the server always when the client waits for it (a browser: RFC 6455
   * §7.1.1, Chromium's websocket_channel.cc; clients/ws-library.ts). The user's own 1000 is
   * received first by the app, which answers and closes: the server's FIN first with every
   * client. The app's 1001 (drain, SIGTERM, TTL) to a `ws` client: its answer and FIN go out
   * together, the FIN relayed behind the Close at every hop — HAProxy shuts its server side
   * (TIME_WAIT on the balancer's source port, world.ts end()), and nginx, reading the
   * downstream EOF with the Close flushed, finalizes the tunnel (ngx_http_upstream_process_upgraded(),
   * src/http/ngx_http_upstream.c: `downstream->read->eof && u->from_client.pos ==
   * u->from_client.last`) and closes its upstream connection before the app, which still has
   * the Close to read, closes its own: nginx's socket holds that TIME_WAIT. Recorded on loopback
   * (`ws` 8.21 both ends, HAProxy 2.6.12 mode tcp and http, nginx 1.22.1, 20 sessions each):
   * client 19 of 20, HAProxy's server side 18–19, nginx's upstream 18–19 (the rest the other way round);
   * with a client that waits for the server's FIN: the app, nginx's accepted socket and HAProxy's
   * client-facing socket, 20 of 20.
   */
  private closeSession(conn: Conn, code: number, proxyFirst: boolean): void {
    const w = this.w;
    const clientFirst = code === WsClose.GOING_AWAY && this.downstream.finFirstAfterServerClose;
    const backend = clientFirst
      ? this.endTunnel(conn, true, EndKind.CLIENT_FIN, code)
      : this.endTunnel(conn, proxyFirst, EndKind.SERVER_FIN, code);
    if (code === WsClose.NORMAL) return;
    if (code === WsClose.ABNORMAL) {
      w.trace.emitLimited(`ws-idle-${backend.index}`, {
        kind: 'nginx.tunnel_idle_timeout',
        backend: backend.name,
        proxyReadTimeout: backend.nginx.config.proxy_read_timeout,
        reconnect: w.scenario.clients.ws.reconnect,
      });
    }
    this.downstream.closedByServer(conn);
  }

  /**
   * Take a live session off its backend and end its tunnel: nginx's upstream closes (both sides
   * at once when `proxyFirst`), the client's flow ends `how`, and the close code is counted.
   */
  private endTunnel(conn: Conn, proxyFirst: boolean, how: EndKind, code: number): Backend {
    const w = this.w;
    const backend = w.backends[conn.backend]!;
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.closeUpstream(backend, conn.upstream, proxyFirst);
    conn.upstream = null;
    w.end(conn, how);
    w.metrics.inc(wsCloseCounter(w.c, code), backend.index);
    return backend;
  }

  /**
   * The balancer's tunnel timeout expired first: HAProxy closes both of its connections, the
   * client and nginx each read a FIN (no Close frame: 1006), nginx then closes its upstream.
   * nginx also reads an RST unless only timeout client expired (lb/timeouts.ts ProxyTimeout).
   */
  private closedByBalancer(conn: Conn): void {
    const w = this.w;
    const backend = this.endTunnel(conn, true, this.lbTunnel.how, WsClose.ABNORMAL);
    w.trace.emitLimited(`lb-tunnel-idle-${backend.index}`, {
      kind: 'lb.tunnel_idle_timeout',
      backend: backend.name,
      timeout: this.lbTunnel.closer,
      after: this.lbTunnel.after,
      pingInterval: this.trafficEvery(backend),
      nginxReset: this.lbTunnel.how === EndKind.PROXY_FIN,
      ...(backend.bare ? { bare: true as const } : {}),
    });
    this.downstream.closedByServer(conn);
  }

  /** How often something crosses `backend`'s tunnels when idle otherwise (tunnelTrafficEvery). */
  private trafficEvery(backend: Backend): number {
    return tunnelTrafficEvery(this.w.scenario.clients.ws.ping_interval, backend.app.config.ws.ping_interval ?? 0);
  }

  /** The server side vanished (SILENT) or was killed (FIN / RST) under a live session. */
  serverGone(conn: Conn, how: EndKind): void {
    const w = this.w;
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    if (how === EndKind.SILENT) {
      // The client times its give-up from its next ping, on the session's own schedule (pings every
      // ping_interval from the session start, clients/websocket.ts nextPingAt): it reads the start
      // before forgetSession clears it. Only a vanish defers the client's end; FIN / RST end (and may
      // reconnect) it at once, so there the session is forgotten first.
      this.downstream.serverGone(conn, how);
      this.tunnelGone(conn);
      return;
    }
    this.tunnelGone(conn);
    this.downstream.serverGone(conn, how);
  }

  /**
   * The app process was killed under a live session. On process exit the kernel closes the app's
   * socket like close(): tcp_close() (net/ipv4/tcp.c __tcp_close) sends a RST only when received
   * data was left unread, otherwise a FIN; an idle tunnel has nothing unread (the app read the
   * client's pings), so nginx reads EOF from the app, which closed first and whose orphaned
   * socket holds the TIME_WAIT. nginx then closes the client side (FIN, no Close frame: 1006).
   * On a bare app server the app's FIN reaches HAProxy's own server connection: the upgraded
   * stream has no analyser left (a tunnel since the 101: no 502, no L7 retry), and
   * process_stream() (src/stream.c, v2.6.0: response channel CF_AUTO_CLOSE|CF_SHUTR →
   * channel_shutw_now(res)) passes the shutdown on to the client: FIN, 1006 all the same.
   */
  appKilled(conn: Conn): void {
    const w = this.w;
    const backend = w.backends[conn.backend];
    if (conn.timer >= 0) w.engine.cancel(conn.timer);
    conn.timer = -1;
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.closeUpstream(backend, conn.upstream, false);
    conn.upstream = null;
    this.downstream.serverGone(conn, EndKind.SERVER_FIN);
  }

  /**
   * The app was killed under a session whose LB flow was already forgotten (a hard removal came
   * first). The process exit closes the app's socket all the same (tcp_close(), net/ipv4/tcp.c:
   * FIN, the app holds the TIME_WAIT) and nginx, reading EOF, closes its upstream side: the
   * session is gone from the VM now. The client's side is unchanged: it still learns at its next
   * packet, which the LB answers with RST (its timer from flowForgotten stays armed).
   */
  appKilledBehindForgottenFlow(conn: Conn): void {
    const backend = this.w.backends[conn.backend];
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.closeUpstream(backend, conn.upstream, false);
    conn.upstream = null;
  }

  /** The LB forgot the flow (hard removal): the client learns at its next packet. */
  flowForgotten(conn: Conn): void {
    this.downstream.flowForgotten(conn);
  }

  /** The tunnel is gone without a Close frame: the session ends, the upstream connection is reset. */
  tunnelGone(conn: Conn): void {
    const backend = this.w.backends[conn.backend];
    this.forgetSession(conn, backend);
    if (conn.upstream) this.path.abortUpstream(backend, conn.upstream);
    conn.upstream = null;
  }

  /**
   * The app's drain API (seed Part 4 strategy 5, `onDrainStart`), when `drain_notice` is on:
   * refuse new handshakes and send every session DRAIN_NOTICE {retryAfter}. It closes nothing by
   * itself; with a finite `close_after` the sessions still open that long after the notice are
   * closed with 1001 ("wait up to D, then close"; 0: at once, the seed's example).
   */
  drainNotice(backend: Backend): void {
    const w = this.w;
    const ws = backend.app.config.ws;
    if (!ws.drain_notice || backend.app.drainHookDone) return;
    backend.app.drainHookDone = true;
    backend.app.refuseWebSockets();
    for (const s of backend.wsSessions) s.retryAfter = ws.retry_after;
    const reconnect = w.scenario.clients.ws.reconnect;
    w.trace.emit({
      kind: 'app.drain_notice',
      backend: backend.name,
      retryAfter: ws.retry_after,
      sessions: backend.wsSessions.size,
      closeAfter: ws.close_after,
      honorRetryAfter: reconnect.honor_retry_after,
      reconnectPolicy: reconnect.policy,
    });
    if (ws.close_after === Infinity) return;
    const life = backend.incarnation;
    const epoch = backend.app.epoch;
    w.engine.schedule(
      ws.close_after,
      (bk: Backend) => bk.incarnation === life && bk.app.epoch === epoch && this.closeAll(bk, 'close_after'),
      backend,
    );
  }

  /**
   * The app's SIGTERM handler (seed Part 4 strategy 1): refuse new handshakes, send the drain
   * notice if none went out yet, and with `close_on_shutdown` close every session still open with
   * 1001 Going Away (RFC 6455 §7.4.1), spread over `close_spread`.
   */
  sigterm(backend: Backend): void {
    backend.app.refuseWebSockets();
    this.drainNotice(backend);
    if (backend.app.config.ws.close_on_shutdown) this.closeAll(backend, 'sigterm');
  }

  /** Close every session still open on `backend` with 1001, spread evenly over `close_spread`. */
  private closeAll(backend: Backend, cause: 'sigterm' | 'close_after'): void {
    const w = this.w;
    const ws = backend.app.config.ws;
    const sessions = [...backend.wsSessions];
    if (sessions.length === 0) return;
    const reconnect = w.scenario.clients.ws.reconnect;
    const noticed = sessions[0].retryAfter !== NO_RETRY_AFTER;
    w.trace.emit({
      kind: 'app.ws_going_away',
      backend: backend.name,
      cause,
      sessions: sessions.length,
      closeSpread: ws.close_spread,
      retryAfter: noticed ? ws.retry_after : -1,
      honorRetryAfter: reconnect.honor_retry_after,
      reconnectPolicy: reconnect.policy,
    });
    sessions.forEach((s, i) => {
      if (s.timer >= 0) w.engine.cancel(s.timer);
      // Its 1001 Close frame is the server's packet: behind a NAT it may meet an expired entry.
      const at = w.now + (ws.close_spread * i) / Math.max(1, sessions.length);
      this.armTunnelTimer(s, backend, at, this.goingAway, false);
    });
  }

  private readonly goingAway = (conn: Conn): void => {
    conn.timer = -1;
    if (conn.backend < 0) return;
    this.closeSession(conn, WsClose.GOING_AWAY, false);
  };

  private forgetSession(conn: Conn, backend: Backend): void {
    if (!backend.wsSessions.delete(conn)) return;
    const born = conn.sessionStartedAt;
    this.bornSum[backend.index] -= born;
    conn.sessionStartedAt = NO_SESSION;
    this.durations.record(this.w.now - born);
  }

  /** Average age of the sessions on a backend now (0 when none). */
  averageAge(backend: Backend): number {
    const n = backend.wsSessions.size;
    return n === 0 ? 0 : this.w.now - this.bornSum[backend.index] / n;
  }
}
