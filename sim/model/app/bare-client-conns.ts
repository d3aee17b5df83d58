import type { AppJob } from '../core/app-job.js';
import { ReqPhase, Status } from '../core/app-job.js';
import type { Conn } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { HttpDownstream, HttpUpstream, ResponseSink } from '../core/hop.js';
import { EndKind, type World } from '../core/world.js';
import { type PacketWatch, serverClosesIdle, writeResponse } from '../proxy/server-end.js';
import type { AckWaiter } from './app-listener.js';
import type { AppServer } from './app-server.js';
import { LoopTlsHandshakes } from './loop-tls.js';
import { tlsInWorker, workerHandshakeHold } from './tls.js';

/** A client connection whose final ACK the app's full accept queue dropped (ackWaiter), until its child exists. */
interface ChildWait {
  /** The connect it belongs to (Conn.connectStartedAt: a Conn is reused by the client's next connect). */
  readonly connectStartedAt: number;
  readonly backend: number;
  /** The client's request came meanwhile (handle): it is in the sender's retransmission queue. */
  requestHeld: boolean;
}

/** A client connection whose TLS handshake an event-loop app has yet to do (LoopTlsHandshakes). */
interface TlsWait {
  /** The connect it belongs to (Conn.connectStartedAt, as ChildWait). */
  readonly connectStartedAt: number;
  readonly backend: number;
  /** The app process that took the connection (AppProcess.epoch). */
  readonly epoch: number;
}

/**
 * A bare app server's side of the clients' own keep-alive connections (`backends[].proxy: none`
 * behind lb.mode l4 or nat, session 15): the connection the client opened — through HAProxy mode
 * tcp, which relays its bytes, or a NAT — is accepted by the app's listener itself, so each
 * request goes straight to the app's workers and the app's own keep-alive rules decide the
 * connection: node's http server keeps it after a response (no keepalive_requests:
 * maxRequestsPerSocket 0) and closes it idle after `app.keepalive_timeout` (node: its
 * keepAliveTimeout + keepAliveTimeoutBuffer, lib/_http_server.js storeHTTPOptions: 5 s + 1 s in
 * node 20–25, 65 s + 1 s in node ≥ 26), with a plain
 * close() — a FIN the client reads (through HAProxy mode tcp, relayed: process_stream() passes the
 * server side's shutdown on, src/stream.c) — so the keep-alive race at the client is client vs
 * app (requestCrossesFin over clients.rtt). At SIGTERM its idle connections are closed at once
 * (vm/lifecycle.ts) — except gunicorn's (`sigterm_keepalive: gunicorn`, app-process.ts
 * closesIdleAtSigterm), which stay open to their idle timeout, a request on one served and
 * answered `Connection: close`; the busy ones follow `app.sigterm_keepalive`: node (keep) answers them
 * `Connection: keep-alive` and goes on serving their next requests — they end at the app's idle
 * timeout or at the kill after shutdown_grace, their requests in flight failing there — while
 * Go's Shutdown() (close) and gunicorn answer `Connection: close`. Where nginx fronts the VM this is
 * proxy/client-conns.ts and upstream.ts.
 */
export class BareClientConns implements HttpUpstream, ResponseSink {
  sink!: HttpDownstream;
  /** The L4 NAT's connection table the app's packets cross (lb.mode nat; a no-op otherwise). */
  nat: PacketWatch = { expired: () => false, seen: () => {} };
  /** Connections waiting for their child (ackWaiter): connected at the sender, not yet in the app's accept queue. */
  private readonly childWaits = new Map<Conn, ChildWait>();
  /** TLS in an event-loop app: its handshakes, read as loop work (loop-tls.ts). */
  private readonly tls: LoopTlsHandshakes;
  /** Per backend: TLS ends in an app whose workers each take one connection (tls.ts tlsInWorker). */
  private readonly tlsInWorker: boolean[];
  /** Connections whose handshake the loop has not finished (its ClientHello unread, or the client's Finished on its way). */
  private readonly tlsWaits = new WeakMap<Conn, TlsWait>();
  /** The connect (Conn.connectStartedAt) whose handshake is done (or a worker's to do), per connection, where TLS ends in the bare app. */
  private readonly secured = new WeakMap<Conn, number>();

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {
    this.tls = new LoopTlsHandshakes(w, app);
    this.tlsInWorker = w.backends.map(tlsInWorker);
  }

  /** A request arrives on the client's connection, at the app itself. */
  handle(conn: Conn): void {
    const backend = this.w.backends[conn.backend];
    if (!backend.hostUp || !backend.app.up) {
      // Nobody answers (a vanished host): the request retransmits until the client's timeout.
      conn.phase = ReqPhase.CONNECTING;
      this.sink.noAnswer(conn);
      return;
    }
    if (this.childWaits.size > 0 && this.awaitsChild(conn)) return;
    conn.onDone = this.served;
    // TLS in the loop: the connection's first data is its ClientHello, the request follows it.
    if (this.tls.endsIn(backend) && !this.isSecured(conn)) {
      this.clientHello(conn);
      return;
    }
    // Its connection still in an event loop's accept queue: read one iteration after its accept.
    if (this.app.holdUntilAccepted(backend, conn, conn)) {
      conn.phase = ReqPhase.QUEUED;
      return;
    }
    // A later request on the connection: node's keep-alive timer runs since its last answer.
    if (conn.requestsServed > 0 && conn.serviceEnd > conn.connectStartedAt)
      this.app.submitOnKeptAlive(backend, conn, conn.serviceEnd);
    else if (this.tlsInWorker[conn.backend] && !this.isSecured(conn)) this.handshakeFirst(conn);
    // The first request of a connection made on a listener nobody accept()s from any more (a
    // draining gunicorn gthread worker's): it waits unread until the process exits (AppServer.park).
    else if (!this.app.park(backend, conn)) this.app.submit(backend, conn);
  }

  /**
   * The first request on a new connection to an app whose workers each take one connection and
   * end its TLS (tls.ts tlsInWorker): the worker that takes the connection does its handshake and
   * waits a round trip for the client's Finished, then reads the request (AppServer
   * submitAfterHandshake). The request is `conn`'s until then only while the client still waits
   * on this connect.
   */
  private handshakeFirst(conn: Conn): void {
    const backend = this.w.backends[conn.backend];
    const connect = conn.connectStartedAt;
    const b = conn.backend;
    this.secured.set(conn, connect);
    const hold = workerHandshakeHold(backend.app.config, this.w.scenario.clients.rtt);
    const wanted = (): boolean =>
      conn.phase === ReqPhase.QUEUED && conn.connectStartedAt === connect && conn.backend === b;
    this.app.submitAfterHandshake(backend, conn, hold, wanted);
  }

  /** `conn`'s TLS handshake with the loop is done on this connect (a later request needs none). */
  private isSecured(conn: Conn): boolean {
    return conn.requestsServed > 0 || this.secured.get(conn) === conn.connectStartedAt;
  }

  /**
   * The first data on a new connection to an event loop that ends its TLS: the ClientHello, read
   * where the request would have been (held until the connection's accept and the poll after, or
   * queued now: LoopTlsHandshakes). The request itself arrives one round trip after the read
   * (secure); until then the app holds the connection, not the request (QUEUED: the client's
   * timeout abandons it here).
   */
  private clientHello(conn: Conn): void {
    const backend = this.w.backends[conn.backend];
    const wait: TlsWait = { connectStartedAt: conn.connectStartedAt, backend: conn.backend, epoch: backend.app.epoch };
    this.tlsWaits.set(conn, wait);
    conn.phase = ReqPhase.QUEUED;
    const hello = this.tls.clientHello(
      backend,
      this.w.scenario.clients.rtt,
      () => this.secure(conn, wait),
      (status) => this.helloLost(conn, wait, status),
    );
    if (!this.app.holdUntilAccepted(backend, conn, hello)) this.app.submit(backend, hello);
  }

  /** `wait` is `conn`'s handshake still (not abandoned, same connect, flow open). */
  private awaitsTls(conn: Conn, wait: TlsWait): boolean {
    if (this.tlsWaits.get(conn) !== wait) return false;
    this.tlsWaits.delete(conn);
    return this.sameConnect(conn, wait);
  }

  /**
   * The client's Finished and its first request reach the app, a round trip after the server's
   * flight: read as any request on an open connection. The process that did the handshake is
   * gone meanwhile (a kill): its socket was closed with nothing unread, FIN (tcp_close(),
   * net/ipv4/tcp.c), seen here at the request's arrival rather than at the kill.
   */
  private secure(conn: Conn, wait: TlsWait): void {
    if (!this.awaitsTls(conn, wait)) return;
    conn.phase = ReqPhase.NONE;
    const backend = this.w.backends[conn.backend];
    if (backend.hostUp && backend.app.epoch !== wait.epoch) {
      this.sink.serverGone(conn, EndKind.SERVER_FIN, true);
      return;
    }
    this.secured.set(conn, wait.connectStartedAt);
    this.handle(conn);
  }

  /**
   * The ClientHello was never read: the process died with it unread (RST) or in hand (FIN). No
   * full queue refuses it (AppServer.tlsHandshake): an HTTP 503 cannot be written before the
   * handshake, and node has no queue in front of its TLS (before session 19's review, a refused
   * ClientHello was answered 503 here).
   */
  private helloLost(conn: Conn, wait: TlsWait, status: Status): void {
    if (!this.awaitsTls(conn, wait)) return;
    conn.phase = ReqPhase.NONE;
    conn.status = status;
    this.served(conn);
  }

  /**
   * The wait of a client connection whose final ACK met the app's full accept queue
   * (app-listener.ts ACK_DROPPED; asked by lb/l4-connect.ts for an event-loop app). The sender —
   * HAProxy's kernel (l4) or the client's (nat) — is ESTABLISHED since the SYN-ACK: its connect()
   * returned and the client's request is sent, but the listener made no child
   * (tcp_v4_syn_recv_sock, net/ipv4/tcp_ipv4.c: sk_acceptq_is_full → exit_overflow; tcp_check_req,
   * net/ipv4/tcp_minisocks.c, listen_overflow with tcp_abort_on_overflow 0 only marks the request
   * sock acked). The request sits in the sender's retransmission queue and reaches the app with the
   * copy whose ACK finds room (admitted); a request sock that expires first answers that copy with
   * RST (reset).
   */
  ackWaiter(conn: Conn): AckWaiter {
    const wait: ChildWait = { connectStartedAt: conn.connectStartedAt, backend: conn.backend, requestHeld: false };
    this.childWaits.set(conn, wait);
    const waiting = (): boolean => this.childWaits.get(conn) === wait && this.sameConnect(conn, wait);
    return {
      waiting,
      admitted: () => {
        if (!waiting()) return;
        this.childWaits.delete(conn);
        // The request came with this copy: the app reads it as any other (before it, nothing to read).
        if (wait.requestHeld && conn.phase === ReqPhase.CONNECTING) {
          conn.phase = ReqPhase.NONE;
          this.handle(conn);
        }
      },
      reset: () => {
        if (!waiting()) return;
        this.childWaits.delete(conn);
        // The listener answered the copy with RST: the client's connection is reset under its request.
        this.sink.serverGone(conn, EndKind.RESET, wait.requestHeld && conn.phase === ReqPhase.CONNECTING);
      },
      gone: () => {
        if (this.childWaits.get(conn) === wait) this.childWaits.delete(conn);
      },
    };
  }

  /** `wait` is of the connection `conn` still is (same connect, same server, the flow open). */
  private sameConnect(conn: Conn, wait: { readonly connectStartedAt: number; readonly backend: number }): boolean {
    return (
      conn.connectStartedAt === wait.connectStartedAt && conn.backend === wait.backend && conn.lbFlow !== LbFlow.NONE
    );
  }

  /** The request of a connection still waiting for its child: held (CONNECTING) until admitted. */
  private awaitsChild(conn: Conn): boolean {
    const wait = this.childWaits.get(conn);
    if (wait === undefined) return false;
    if (!this.sameConnect(conn, wait)) {
      this.childWaits.delete(conn);
      return false;
    }
    wait.requestHeld = true;
    conn.phase = ReqPhase.CONNECTING;
    return true;
  }

  /**
   * The app is through with the request: its response, or — killed under it (vm/lifecycle.ts
   * jobLost) — its socket closed with nothing sent, FIN when the request had been read, RST when it
   * sat unread (tcp_close(), net/ipv4/tcp.c): the client reads EOF or ECONNRESET ("socket hang
   * up"), through HAProxy mode tcp as from the app itself.
   */
  private readonly served = (job: AppJob): void => {
    const conn = job as Conn;
    if (conn.status === Status.NO_RESPONSE || conn.status === Status.RESET) {
      this.sink.serverGone(conn, conn.status === Status.RESET ? EndKind.RESET : EndKind.SERVER_FIN, true);
      return;
    }
    this.respond(conn, conn.status);
  };

  /** The app writes its response (a flow the balancer forgot resets the app's write: server-end.ts). */
  respond(conn: Conn, status: Status): void {
    writeResponse(this.w, this.sink, this.nat, conn, status);
  }

  /** The client gave up on its request and closed: the app is not told, its answer is wasted. */
  abandon(conn: Conn): boolean {
    const w = this.w;
    const b = conn.backend;
    if (b < 0 || !w.backends[b].hostUp) return false;
    const phase = conn.phase;
    if (phase === ReqPhase.NONE) return false;
    if (this.tlsWaits.delete(conn)) {
      // Mid-handshake: a ClientHello still in the accept queue goes with the connection (node
      // accepts it and reads its close); one already read does its work for nobody.
      this.app.forgetHeld(w.backends[b], conn);
      conn.phase = ReqPhase.NONE;
      return true;
    }
    if (this.app.forgetHeld(w.backends[b], conn)) {
      // Unread in the accept queue: node accepts the connection and reads only its close.
      conn.phase = ReqPhase.NONE;
      return true;
    }
    if (phase === ReqPhase.SERVING || phase === ReqPhase.QUEUED) this.app.orphan(w.backends[b], conn);
    conn.phase = ReqPhase.NONE;
    return true;
  }

  /**
   * The app keeps the connection after a response while it serves — unless it closes after every
   * one (`app.keepalive: close`, a gunicorn sync worker: the client then opens a connection per
   * request) — and after SIGTERM only if its server does (app-process.ts keepsAliveDraining: node
   * yes, so a busy client stays on the draining app until shutdown_grace's kill; gunicorn answers
   * `Connection: close`).
   */
  keepsAlive(conn: Conn): boolean {
    return this.w.backends[conn.backend].app.keepsAliveAfterResponse;
  }

  /** The app closes the idle connection after its keep-alive timeout if the next request comes later (or crosses its FIN). */
  idleCloseAfter(conn: Conn, think: number): number {
    const timeout = this.w.backends[conn.backend].app.config.keepalive_timeout;
    if (!(timeout > 0) || timeout === Infinity) return -1;
    return think >= timeout - this.w.scenario.clients.rtt ? timeout : -1;
  }

  /** The app closes the connection `delay` s from now; it closes first and its VM holds the TIME_WAIT. */
  closeIdle(conn: Conn, delay: number): void {
    conn.timer = this.w.engine.schedule(delay, this.idleClose, conn);
  }

  private readonly idleClose = (conn: Conn): void => {
    conn.timer = -1;
    serverClosesIdle(this.w, this.sink, this.nat, conn);
  };
}
