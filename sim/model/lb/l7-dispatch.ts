import type { Rng } from '../../engine/random.js';
import { type SynOutcome, synTaken } from '../../net/host-sockets.js';
import { Handshake } from '../../net/listen-queue.js';
import { connectDeadlinePassed, synFiringAt, synRetransmitSchedule, tcpTimeoutMinS } from '../../net/tcp.js';
import { type AckWaiter, exactTimers, type ListenerSender, type SenderTimers } from '../app/app-listener.js';
import type { AppServer } from '../app/app-server.js';
import { type AppJob, ReqPhase, Status } from '../core/app-job.js';
import { BackendSet, NO_BACKENDS } from '../core/backend-set.js';
import type { RequestDownstream, RequestUpstream } from '../core/hop.js';
import { HOLD_BALANCER, type Req } from '../core/request.js';
import { ErrorKind } from '../core/series.js';
import type { World } from '../core/world.js';
import { type L7ServerConns, SrvConn } from './l7-server-conns.js';
import type { QueueOwner } from './queue.js';
import { choosesRedispatch, newRetryFacts, type RetryFacts, turnAroundPause } from './redispatch.js';

/**
 * The balancer in front of the open-loop request population (the request-level model): it picks
 * a backend per request and connects to its app. In L7 mode it sees status codes and, with
 * `retry_on_5xx`, retries a 5xx; in L4 mode it only sees connection failures (refused, timeout)
 * and passes everything else through. Its retries stay on the same server or, with `option
 * redispatch`, are load-balanced again as HAProxy's `stream_choose_redispatch()` decides; after
 * the last one the client gets its answer at once (`back_handle_st_cer()`, src/backend.c).
 * Sticky sessions keep a user on the backend named by its cookie (or source address) while that
 * backend is in service.
 *
 * With `countsStreams` (lb.mode l7: the streams of keep-alive clients behind lb/l7-http-front.ts
 * and the open-loop requests alike) an attempt counts on its server from assignment to answer
 * (or, for an attempt its client gave up on, until the stream ends: without `option abortonclose`
 * HAProxy still queues, connects and waits for the server's answer; abandon), as HAProxy's `srv->served`
 * (`sess_change_server()`, src/stream.c): that is the server's `scur` in `show stat`, what
 * leastconn weighs and what a drain waits for (`active_conn`, a drain gate's `active`).
 *
 * With `lb.maxconn` (lb.mode l7) a server holds at most that many streams: when every usable one
 * is full a new stream waits in the backend queue (lb/queue.ts, `pendconn_add()`, src/queue.c),
 * a cookie user's stream whose server is full in that server's queue (a server leaving the
 * rotation hands its queue back to the dispatcher only with `option redispatch` (and not `persist`),
 * maint included, in HAProxy 2.6, and the
 * stream is load-balanced again without its cookie: `pendconn_redistribute()`),
 * until a stream ends on a server (`process_srv_queue()`), or gets HAProxy's 503 after `timeout
 * queue` (`http_return_srv_error()`, src/http_ana.c: STRM_ET_QUEUE_TO, termination flags sQ).
 * A stream whose client left while queued stays there and is sent at its turn, its answer going
 * nowhere, unless `option abortonclose` (lb.abortonclose) takes it out of the queue at once (abandon).
 */
export class RequestBalancer implements RequestUpstream, QueueOwner<Req> {
  private readonly pickRng: Rng;
  /** The server a redispatch avoids (`prev_srv`; reused: picks allocate nothing). */
  private readonly avoid = new BackendSet();
  /**
   * The sender's SYN schedule (seconds after the first SYN): its retransmissions, then the give-up
   * (tcp_write_timeout → tcp_write_err: connect() fails with ETIMEDOUT; net/tcp.ts
   * synRetransmitSchedule), a connection error for HAProxy (back_handle_st_cer: the turn-around
   * pause before a retry) when it comes before `timeout connect`.
   */
  private readonly synSchedule: { retransmits: number[]; giveUp: number };
  /** Backend holding each user's session, and that backend's process epoch then. */
  private readonly sessionBackend: Int32Array;
  private readonly sessionEpoch: Float64Array;
  downstream!: RequestDownstream;
  /**
   * Told when a stream ends (HAProxy's stream_free(), src/stream.c): the keep-alive clients' front
   * frees a session its client left (lb/frontend-listener.ts keptByStream); null: nobody asks.
   */
  onStreamEnd: ((req: Req) => void) | null = null;
  /** Reused for every retry decision. */
  private readonly facts: RetryFacts = newRetryFacts();
  /** HAProxy `timeout server` in http mode (Infinity: unset, or not an L7 balancer). */
  private readonly serverTimeout: number;
  /**
   * The requests waiting for their server's answer under `timeout server`, in the order they were
   * sent: the timeout is one constant, so their deadlines come in that order too, and ONE engine
   * timer at the oldest live deadline serves them all (re-armed when it fires) instead of one
   * scheduled and cancelled event per request. An entry is live while its request's
   * `serverTimer` still holds the entry's token (an answer sets it to -1, a resend to a new one).
   */
  private readonly awaiting: Req[] = [];
  private readonly awaitingToken: number[] = [];
  private readonly awaitingAt: number[] = [];
  private awaitingHead = 0;
  private lastToken = 0;
  private serverTimerArmed = false;
  /**
   * The streams counting on each server, in the order they joined it: HAProxy's list of a
   * server's streams (`srv->per_thr[].streams`, linked by `by_srv` in sess_change_server(),
   * src/stream.c), which srv_shutdown_streams() walks. Kept only where streams are counted and
   * the scenario can shut them (`on-marked-down shutdown-sessions`, a `shutdown_sessions` action;
   * neither changes during a run): null otherwise, so no request pays a set insert and delete.
   */
  private readonly onServer: Set<Req>[] | null;

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
    /** Name of the random stream of its picks (one per balancer instance). */
    pickStream = 'lb.pick.requests',
    private readonly countsStreams = false,
    /** lb.mode l7: the balancer's server connections (http-reuse), shared by its frontends. */
    private readonly conns: L7ServerConns | null = null,
  ) {
    this.pickRng = w.streams.stream(pickStream);
    const sc = w.scenario;
    const shutsStreams =
      sc.health_check?.on_marked_down === 'shutdown-sessions' || sc.timeline.some((a) => a.do === 'shutdown_sessions');
    this.onServer = countsStreams && shutsStreams ? w.backends.map(() => new Set<Req>()) : null;
    // The SYNs are the sender's: the balancer's host (lb.kernel), or behind a NAT that forwards the
    // client's own SYN, the client machine's (as l4-connect.ts).
    const k = w.scenario.lb.mode === 'nat' ? w.scenario.clients.kernel : w.scenario.lb.kernel;
    this.synSchedule = synRetransmitSchedule(k.tcp_syn_retries, k.tcp_syn_linear_timeouts);
    this.senderTimers = w.lbHost?.host.clock ?? exactTimers(k.hz);
    const users = w.scenario.clients.requests.users;
    this.sessionBackend = new Int32Array(users).fill(-1);
    this.sessionEpoch = new Float64Array(users);
    const lb = w.scenario.lb;
    this.serverTimeout = lb.mode === 'l7' ? (lb.timeout_server ?? Infinity) : Infinity;
    this.oneWay = (lb.server_rtt ?? 0) / 2;
    this.userAddresses = w.scenario.clients.source_ips;
  }

  /** Half of `lb.server_rtt` (the balancer's server connections' keep-alive race only). */
  private readonly oneWay: number;

  /** The client addresses open-loop users send from (`clients.source_ips`): user u from u mod this. */
  private readonly userAddresses: number;

  /** A client's attempt arrives at the balancer. */
  send(req: Req): void {
    req.clearTried();
    req.onDone = this.done;
    // An L4 NAT forwards the client's own SYN: no balancer retry.
    req.lbRetriesLeft = this.w.scenario.lb.mode === 'nat' ? 0 : this.w.scenario.lb.retries;
    req.persistent = false;
    req.lbReply = false;
    this.dispatch(req, -1);
  }

  /**
   * Whether the balancer goes on connecting `req` (SYNs, `timeout connect`, its retries): a stream
   * not abandoned, or one whose client gave up through a proxy (lb.mode l4, l7) without `option
   * abortonclose`. HAProxy does not read the client's close of a complete request (src/http_ana.c
   * http_end_request(): `channel_dont_read()` without PR_O_ABRT_CLOSE; at HTTP_MSG_DONE
   * http_request_forward_body() calls `channel_dont_close()`); process_stream() (src/stream.c)
   * passes a client's close on to the server side during the connect only with the option (`scb->state
   * != SC_ST_CON || (s->be->options & PR_O_ABRT_CLOSE)`); back_handle_st_con() and
   * back_handle_st_cer() (src/backend.c) give a connect up for the client only on CF_SHUTW_NOW, and
   * back_may_abort_req() a queued or turn-around stream only on it too, its request still in the
   * channel unless abortonclose (mode tcp reads the close but keeps the request's bytes). So the
   * SYNs are retransmitted, `timeout connect` retried `retries` times, and the request served when
   * it gets in, its answer going nowhere: doc/configuration.txt "option abortonclose", "by default
   * [...] aborted requests will be served", and with it "a session with an incoming channel closed
   * will be aborted [...] during the connection establishment if the server has not yet
   * acknowledged the connection request" (lb.abortonclose). Through a NAT the SYN is the client's
   * own and ends with its close.
   */
  private connectGoesOn(req: Req): boolean {
    if (!req.abandoned) return true;
    const lb = this.w.scenario.lb;
    return lb.mode !== 'nat' && lb.abortonclose !== true && !req.lbEnded;
  }

  /**
   * The client gave up on `req` (its timeout) and closed its connection. A stream waiting in
   * HAProxy's queue stays there without `option abortonclose`: the close of a complete request is
   * not read (src/http_ana.c http_end_request(): channel_dont_read(); http_request_forward_body()
   * at HTTP_MSG_DONE: channel_dont_close(), so process_stream() never sets CF_SHUTW_NOW), and
   * back_may_abort_req() (src/backend.c) aborts a queued stream only on a read error or on
   * CF_SHUTW_NOW with its request out of the channel or PR_O_ABRT_CLOSE — the request is still in
   * the channel. It is sent when its turn comes (takeSlot), or gets its 503 at `timeout queue`
   * (queueTimedOut), answering nobody. With the option the close is read and forwarded
   * (channel_auto_read/channel_auto_close in http_request_forward_body()), and back_try_conn_req()
   * in SC_ST_QUE unlinks the stream from the queue at once (pendconn_cond_unlink(),
   * STRM_ET_QUEUE_ABRT): "aborted while [...] pending in the queue for a connection slot"
   * (doc/configuration.txt "option abortonclose").
   *
   * A stream past the queue likewise goes on without the option (connectGoesOn): connecting,
   * retrying, waiting for its answer, it keeps counting on its server — `srv->served`, what
   * leastconn weighs and maxconn caps, and the list srv_shutdown_streams() walks — until it ends:
   * sess_change_server(s, NULL) (src/stream.c) runs only when its server side closes
   * (process_stream() at SC_ST_DIS), its last connect fails (back_handle_st_cer(), src/backend.c)
   * or the stream is freed (stream_free()), never at a client close it has not read. With the
   * option it ends now: a connect is aborted (back_handle_st_con(), back_may_abort_req() in
   * SC_ST_TAR), and an established stream's close is forwarded with SC_FL_NOLINGER
   * (http_request_forward_body()), which closes its server connection (sc_app_shutw_conn(),
   * src/stconn.c: SC_ST_DIS) — the app goes on with a request it holds, answering nobody.
   */
  abandon(req: Req): void {
    req.abandoned = true;
    if (req.queueEntry !== null) {
      if (this.connectGoesOn(req)) return;
      this.w.lb.queue!.withdraw(req.queueEntry);
      req.queueEntry = null;
      this.letGo(req);
      return;
    }
    if (this.connectGoesOn(req)) return;
    this.pauseEnds(req);
    this.leaveServer(req);
    this.closeServerSide(req);
  }

  /**
   * `option abortonclose` ends the stream of `req` at its client's close (abandon): HAProxy reads
   * the FIN at once (the H1 mux keeps reading: src/stconn.c sc_conn_recv() CO_RFL_KEEP_RECV with
   * PR_O_ABRT_CLOSE), and its server side closes then, not later:
   *
   * - A connect under way (SYN-SENT): process_stream() (src/stream.c) sets CF_SHUTW_NOW on the
   *   request channel during SC_ST_CON only with PR_O_ABRT_CLOSE, and back_handle_st_con()
   *   (src/backend.c) aborts at once — SC_FL_NOLINGER, sc_shutw() → sc_app_shutw_conn()
   *   (src/stconn.c) closes the connecting socket, "client abort during connection attempt" (CC):
   *   its port is free now, not at the SYN's next retransmission (held-out round 26 B: 16 sockets
   *   held during the stop, the model before this 23). The SYN timer still pending finds the
   *   stream given up and only lets it go (synTimer, retryConnection).
   * - An established one (the request sent, in the app's accept queue or in the app; a reused
   *   connection alike): http_request_forward_body() (src/http_ana.c) sets SC_FL_NOLINGER on the
   *   server side at the client's read0 and channel_auto_close() lets process_stream() shut it:
   *   sc_app_shutw_conn() silently (CO_SHW_SILENT: no shutdown(SHUT_WR)) and sc_conn_shut(), and
   *   the server connection, marked FD_LINGER_RISK at its connect (tcp_connect_server(),
   *   src/proto_tcp.c), is closed with SO_LINGER 0 (_fd_delete_orphan(), src/fd.c): an RST, no
   *   TIME_WAIT, never pooled (L7ServerConns.kill). The server's kernel keeps the request already
   *   received readable (tcp_reset() purges only the write queue, net/ipv4/tcp_input.c): the app
   *   still reads and serves it, for nobody (held-out round 26 B: the 2 queued connections reset,
   *   ss ESTAB 2 → 0, their requests read after the SIGCONT) — the work stays `wasted`.
   * - One whose final ACK the server's full accept queue dropped (CONNECTING: HAProxy connected,
   *   the request sent, the server's request sock still in SYN_RECV): the RST ends the request
   *   sock (tcp_check_req() → embryonic_reset, net/ipv4/tcp_minisocks.c: inet_csk_reqsk_queue_drop),
   *   so the app never gets it: the wait ends (ackWaiter: its attempt no longer matches; the
   *   listener forgets it at its next data copy and lets it go, `gone`).
   */
  private closeServerSide(req: Req): void {
    const conns = this.conns;
    if (conns === null) return;
    // SYN-SENT: the connect's socket closes (no packet: tcp_close() in SYN_SENT sends no RST).
    conns.connectEnded(req);
    // Connected: RST, the connection never pooled.
    conns.kill(req);
    if (req.phase === ReqPhase.CONNECTING) req.connectStartedAt = -1;
  }

  /**
   * `shutdown sessions server` and `on-marked-down shutdown-sessions` in http mode:
   * srv_shutdown_streams() (HAProxy 2.6 src/server.c) calls stream_shutdown(SF_ERR_DOWN)
   * (src/stream.c) on EVERY stream attached to server `b` — connecting, waiting for its response
   * or in a retry's turn-around — not only on established tunnels: channel_shutw_now(req) and
   * channel_shutr_now(res). process_stream() shuts the server side, and the response analyser
   * finds the response channel shut with nothing read: http_wait_for_response() case 4 "close
   * from server" (src/http_ana.c), as for a server that closed under the request (serverAborted):
   * a request that is not the first of its client connection (TX_NOT_FIRST) goes to
   * `abort_keep_alive` — the client connection is closed with no response and no log line —, a
   * first one gets HAProxy's 502; SC_FL_NOLINGER: the server connection is reset, not pooled.
   * Streams still in HAProxy's queue are not attached yet (no srv_conn) and stay. The app goes on
   * with a request it holds and answers nobody (wasted work), as after `timeout server`.
   * With `retry-on empty-response` a request waiting for its response is retried instead
   * (shutRetried). Returns the number of streams shut.
   */
  shutdownStreams(b: number): number {
    if (this.onServer === null) return 0;
    const streams = [...this.onServer[b]];
    for (const req of streams) this.shutStream(req, b);
    return streams.length;
  }

  /**
   * One stream of shutdownStreams(): it leaves its server, its server connection and its client.
   * A stream whose client already gave up (its timeout: without `option abortonclose` it still
   * counts on the server) has nobody left to answer or to retry for: it only leaves.
   */
  private shutStream(req: Req, b: number): void {
    this.pauseEnds(req);
    if (!req.abandoned && this.shutRetried(req, b)) return;
    this.leaveServer(req);
    this.conns?.kill(req);
    // Shut by HAProxy itself: a connect still under way for a client that left ends here too.
    req.lbEnded = true;
    if (req.abandoned) {
      // The stream ends now, whoever lets go of the record later.
      this.onStreamEnd?.(req);
      return;
    }
    if (req.notFirst) this.downstream.closedSilently(req, b);
    else {
      req.lbReply = true;
      this.downstream.answered(req, Status.BAD_GATEWAY, b);
    }
    // Whoever holds it still (the app, a SYN or turn-around timer, `timeout server`) lets it go.
    req.abandoned = true;
  }

  /**
   * A request waiting for server `b`'s response when shutdownStreams() shut it, with `retry-on
   * empty-response` (lb.retry_on_empty_response) and a retry left: http_wait_for_response() case 4
   * (HAProxy 2.6 src/http_ana.c) tries do_l7_retry() BEFORE its TX_NOT_FIRST and 502 paths, for a
   * response channel shut with nothing read whatever shut it, and do_l7_retry() clears what
   * stream_shutdown() set (SF_ERR_DOWN with SF_ERR_MASK, CF_SHUTR on the response, CF_SHUTW on the
   * request), resets the server side and lets stream_choose_redispatch() send it on: to another
   * server with `option redispatch` (the server, DOWN, is not running), else to the same one
   * (SC_ST_ASS connects to the assigned server whatever its state). The client sees nothing. The
   * app keeps doing the work for nobody (orphan(): a stand-in, counted `wasted`). A stream not yet
   * connected or in a turn-around pause has no response analyser yet: it is shut as before. True
   * when retried.
   */
  private shutRetried(req: Req, b: number): boolean {
    if (this.w.scenario.lb.retry_on_empty_response !== true || req.lbRetriesLeft <= 0) return false;
    // orphan() takes no pooled record (app-server.ts refuseRecycled: a stale app-queue entry could
    // meet it reused): this one leaves its pool for the GC, as a record never let go does (ReqPool).
    const pool = req.pool;
    req.pool = null;
    if (!this.app.orphan(this.w.backends[b], req)) {
      req.pool = pool;
      return false;
    }
    // Its `timeout server` entry is dead (the shared timer skips it); its server connection is reset.
    req.serverTimer = -1;
    this.leaveServer(req);
    this.conns?.kill(req);
    this.lbRetry(req, false);
    return true;
  }

  /** The client connection `session` ended: its private server connections close with it. */
  sessionEnded(session: object): void {
    this.conns?.sessionEnded(session);
  }

  /** The attempt now counts on server `b` (`sess_change_server()`, src/stream.c). */
  private joinServer(req: Req, b: number): void {
    if (req.streamServer === b) {
      // A retry kept on its server: sess_change_server() returns at `oldsrv == newsrv`.
      this.w.lb.keepConn(b);
      this.w.lb.newFlows[b]++;
      return;
    }
    this.leaveServer(req);
    if (!this.countsStreams) return;
    req.streamServer = b;
    this.onServer?.[b].add(req);
    this.w.lb.takeConn(b);
    this.w.lb.newFlows[b]++;
  }

  /** The stream leaves its server; `freesSlot`: a stream waiting in the queue may take its place. */
  private leaveServer(req: Req, freesSlot = true): void {
    const b = req.streamServer;
    if (b < 0) return;
    this.onServer?.[b].delete(req);
    this.w.lb.dropConn(b);
    req.streamServer = -1;
    if (freesSlot && this.w.lb.slotFreed !== null) this.w.lb.slotFreed(b);
  }

  /**
   * The balancer places one attempt on `server`, or on a backend it picks; `req.lbRetriesLeft`
   * are its own retries of connection failures (with `retry_on_5xx`, of 5xx answers instead). A
   * retry on the same server keeps its slot there; one that leaves it hands it on.
   *
   * `place` tells which server the stream counts on when it returns: it may have let go of the
   * record (released to the pool), so the record itself is not read again here. Returns the same.
   */
  private dispatch(req: Req, server: number): number {
    const left = req.streamServer;
    // A retry kept on its server stays counted there (joinServer); any other attempt leaves first,
    // its pick made without it.
    if (left < 0 || server !== left) this.leaveServer(req, false);
    const counted = this.place(req, server);
    if (left >= 0 && counted !== left && this.w.lb.slotFreed !== null) this.w.lb.slotFreed(left);
    return counted;
  }

  /**
   * Places one attempt (see dispatch). Returns the server the stream counts on when it returns
   * (`req.streamServer` while the balancer still holds the record), -1 on every path that let go
   * of it or left it queued. Every call below that may let go returns this value itself.
   */
  private place(req: Req, server: number): number {
    const w = this.w;
    if (!this.connectGoesOn(req)) {
      // A retry kept on its server (dispatch) is still counted there: it leaves (dispatch hands the slot on).
      this.leaveServer(req, false);
      return this.letGo(req);
    }
    let b = server >= 0 ? server : this.pick(req, true);
    if (b < 0 && this.queued(req, -1)) return -1;
    // Persistence (or leastconn under maxqueue) sent it to a server at maxconn: it waits in that
    // server's own queue (assign_server_and_queue(), src/backend.c: SF_ASSIGNED → pendconn_add()
    // on the server) unless that queue is at maxqueue (SRV_STATUS_FULL).
    if (server < 0 && b >= 0 && w.lb.full(b)) {
      if (!w.lb.serverQueueFull(b)) {
        if (this.queued(req, b)) return -1;
      } else {
        // srv_redispatch_connect(): a persistent stream (SF_DIRECT) is load-balanced again with
        // `option redispatch`, its cookie dropped; otherwise HAProxy answers 503 (STRM_ET_QUEUE_ERR,
        // http_return_srv_error(), src/http_ana.c).
        if (req.abandoned) return this.letGo(req);
        if (!req.persistent || !w.scenario.lb.redispatch) return this.serverQueueFull(req, b);
        req.persistent = false;
        b = this.pick(req, false);
        if (b < 0 && this.queued(req, -1)) return -1;
        if (b >= 0 && w.lb.full(b) && this.queued(req, b)) return -1;
      }
    }
    // A retry for a client that left finds no server: HAProxy's answer would go nowhere.
    if (b < 0 && req.abandoned) return this.letGo(req);
    if (b < 0 && w.scenario.lb.mode !== 'l7') {
      // No HTTP to answer with: an L4 proxy closes the accepted client (EOF), a NAT rejects the SYN.
      const proxy = w.scenario.lb.mode === 'l4';
      w.trace.emitLimited('lb-no-server', { kind: 'lb.no_server', clientSees: proxy ? 'EOF' : 'ECONNREFUSED' });
      this.downstream.connectFailed(req, proxy ? ErrorKind.ECONNRESET : ErrorKind.ECONNREFUSED, -1);
      return this.letGo(req);
    }
    if (b < 0) {
      // HAProxy answers 503 when the backend has no server available.
      w.trace.emitLimited('lb-no-server-req', { kind: 'lb.no_server_503', pool: 'be' });
      req.lbReply = true;
      this.downstream.answered(req, Status.UNAVAILABLE, -1);
      return this.letGo(req);
    }
    req.addTried(b);
    req.backend = b;
    this.joinServer(req, b);
    const backend = w.backends[b];
    w.metrics.inc(w.c.attempts, b);
    if (this.conns?.take(req, b)) return this.sendReused(req);
    // connect() from the balancer's host comes first: out of ports it fails locally.
    if (this.conns !== null && !this.conns.open(req, b)) return this.noSourcePort(req);
    if (!backend.answersBalancer) {
      // No RST from a vanished host: the SYNs go unanswered until `timeout connect`, or the
      // sender's kernel gives up on them first — or, a deleted pod's address under a bridge CNI,
      // the node's failed ARP answers them with host unreachable (lb/gone-addresses.ts).
      const giveUp = this.synSchedule.giveUp;
      const timeout = w.scenario.lb.connect_timeout;
      const unreachableIn = w.lb.goneAddresses.unreachableIn(b, w.now);
      if (unreachableIn < Math.min(giveUp, timeout)) w.engine.schedule(unreachableIn, this.hostUnreachable, req);
      else if (giveUp < timeout) w.engine.schedule(giveUp, this.synGaveUp, req);
      else w.engine.schedule(timeout, this.connectTimedOut, req);
      return req.streamServer;
    }
    if (!backend.nginx.listening || !backend.app.listening) {
      // Refused at once (RST to the SYN): no process, or a quitting nginx whose workers closed
      // their listening sockets (ngx_close_listening_sockets on SIGQUIT, ngx_process_cycle.c). A
      // draining gunicorn gthread worker keeps its listener (app-process.ts keepsListenerDraining):
      // the connect succeeds and the request waits unread (AppServer.park) until its exit resets it.
      w.metrics.inc(w.c.resetIn, b);
      return this.retryConnection(req, false);
    }
    req.connectStartedAt = w.now;
    req.synAttempt = 0;
    return this.sendSyn(req);
  }

  /**
   * One SYN to the attempt's backend. A full accept queue drops it and the balancer's kernel
   * retransmits it on Linux's schedule to the same server, until `timeout connect` ends the
   * attempt (HAProxy then counts a connection retry). Returns as place does.
   */
  private sendSyn(req: Req): number {
    const w = this.w;
    const b = req.backend;
    const backend = w.backends[b];
    // Both accept-queue checks of the app's listener (app-listener.ts); a retransmission comes in
    // a batch of the sender's timer wheel. A SYN the listener would take but the VM's kernel does
    // not (a TIME_WAIT it may not reopen: vmAccepts, asked only then) is retransmitted on the same
    // schedule, one that met the 4-tuple still open 2 jiffies later; only a full accept queue
    // counts as a drop.
    this.synMet = 'new';
    const handshake = this.app.listener.handshake(
      backend,
      req.synAttempt > 0,
      w.scenario.clients.rtt,
      this.senderTimers,
      this.listenerSender,
      req,
    );
    if (handshake === Handshake.SYN_DROPPED) {
      const deadline = req.connectStartedAt + w.scenario.lb.connect_timeout;
      // Set by listenerSender.takes during handshake() (the compiler keeps the 'new' above).
      const met = this.synMet as SynOutcome;
      if (met === 'challenged') {
        // The VM held the 4-tuple open: the balancer kernel's RST, its answer to the challenge ACK,
        // reset that socket (L7ServerConns.vmAccepts), and its SYN timer, re-armed to
        // TCP_TIMEOUT_MIN when the ACK came a round trip after the SYN, sends it again
        // (tcp_rcv_synsent_state_process(), net/ipv4/tcp_input.c; lb/l4-connect.ts tupleBusy).
        req.synAttempt++;
        const from = w.now + w.scenario.clients.rtt;
        const again = this.senderTimers.timerFiresAt(from, tcpTimeoutMinS(this.senderTimers.hz));
        w.engine.at(Math.min(again, deadline), this.synTimer, req);
        return req.streamServer;
      }
      if (synTaken(met)) w.metrics.inc(w.c.synDrops, b);
      const k = req.synAttempt++;
      // After the last retransmission the same timer's next firing is the kernel's give-up.
      const givesUp = k === this.synSchedule.retransmits.length;
      // Re-armed at each firing on the sender's timer wheel (tcp_retransmit_timer → mod_timer).
      const step = synFiringAt(this.synSchedule, k) - (k > 0 ? synFiringAt(this.synSchedule, k - 1) : 0);
      const retransmitAt = step < Infinity ? this.senderTimers.timerFiresAt(w.now, step) : Infinity;
      if (givesUp && retransmitAt < deadline) w.engine.at(retransmitAt, this.synGaveUp, req);
      else w.engine.at(Math.min(retransmitAt, deadline), this.synTimer, req);
      return req.streamServer;
    }
    this.conns?.connected(req, b);
    if (handshake === Handshake.CHILD) return this.sendRequest(req, true);
    // Connected and the request sent, but its final ACK was dropped: it reaches the app when the
    // child is made (ackWaiter). CONNECTING keeps a `timeout server` from letting it go meanwhile.
    this.connectedTo(req, b);
    if (this.serverTimeout !== Infinity) this.awaitAnswer(req);
    req.phase = ReqPhase.CONNECTING;
    return req.streamServer;
  }

  /**
   * The balancer's side of a connection whose final ACK the app's full accept queue dropped
   * (app-listener.ts). It waits while `timeout server` does (serverTimedOut ends the wait, and the
   * wait's end lets the record go), and while its client does behind a NAT (the client's own
   * connection). Behind a proxy (l4, l7) it waits on after its client left without `option
   * abortonclose`: HAProxy's connect succeeded (the server acknowledged it; the request is sent), so
   * it waits for the answer with its client's close unread (src/http_ana.c http_end_request():
   * channel_dont_read()); with the option HAProxy resets the connection at the client's close and
   * the request sock goes with it (closeServerSide). Admitted: the request joins the app's queue (a
   * full one answers 503 at once). Reset (its request sock expired): the server closed the
   * connection before any response — 502 from an L7 balancer (HAProxy SH, "server aborted"), a
   * reset client connection through an L4 proxy or a NAT.
   */
  /** What the SYN sendSyn() just sent met on the VM's kernel (listenerSender.takes: vmAccepts). */
  private synMet: SynOutcome = 'new';
  private readonly listenerSender: ListenerSender<Req> = {
    ackWaiter: (req) => this.ackWaiter(req, req.backend),
    takes: (req) => synTaken((this.synMet = this.conns === null ? 'new' : this.conns.vmAccepts(req, req.backend))),
  };

  private ackWaiter(req: Req, b: number): AckWaiter {
    const attempt = req.connectStartedAt;
    const waiting = (): boolean =>
      req.phase === ReqPhase.CONNECTING &&
      req.backend === b &&
      req.connectStartedAt === attempt &&
      (!req.abandoned || (this.w.scenario.lb.mode !== 'nat' && !req.lbEnded));
    return {
      waiting,
      admitted: () => {
        req.phase = ReqPhase.NONE;
        if (!this.app.admitOnAccept(this.w.backends[b], req)) this.finished(req);
      },
      reset: () => {
        req.phase = ReqPhase.NONE;
        req.serverTimer = -1;
        this.leaveServer(req);
        this.conns?.kill(req);
        // Its client left (a ghost connect): the 502 or reset would go nowhere.
        if (req.abandoned) {
          this.letGo(req);
          return;
        }
        if (this.w.scenario.lb.mode === 'l7') {
          req.lbReply = true;
          this.downstream.answered(req, Status.BAD_GATEWAY, b);
        } else this.downstream.connectFailed(req, ErrorKind.ECONNRESET, b);
        this.letGo(req);
      },
      gone: () => {
        if (req.phase !== ReqPhase.CONNECTING) return;
        req.phase = ReqPhase.NONE;
        // Let go here: its `timeout server` entry, if any, is dead (the shared timer skips it).
        req.serverTimer = -1;
        this.leaveServer(req);
        this.conns?.kill(req);
        this.letGo(req);
      },
    };
  }

  /**
   * The connecting kernel's timers: the balancer's host (lb.kernel), on its timer wheel. Behind a
   * NAT the SYNs are the client machines' (clients.kernel): simplified to the exact schedule.
   */
  private readonly senderTimers: SenderTimers;

  /**
   * The request goes over an idle server connection: no connect, no accept queue. On a vanished
   * host's connection nobody answers: `timeout server`, else the client's patience, ends it.
   * Returns as place does.
   */
  private sendReused(req: Req): number {
    if (req.srvConn === SrvConn.CROSSED) {
      // Sent as the server closed the connection (lb.server_rtt): its RST comes back a round trip later.
      this.w.engine.schedule(2 * this.oneWay, this.serverClosedFirst, req);
      return req.streamServer;
    }
    if (!this.w.backends[req.backend].answersBalancer) {
      if (this.serverTimeout !== Infinity) this.awaitAnswer(req);
      return req.streamServer;
    }
    return this.sendRequest(req);
  }

  /**
   * The server's RST for a request that crossed its close of the idle connection arrived: no
   * response, as from a killed server (serverAborted). A stream its client gave up meanwhile
   * just ends.
   */
  private readonly serverClosedFirst = (req: Req): void => {
    if (req.abandoned) {
      this.leaveServer(req);
      this.conns?.release(req);
      this.letGo(req);
      return;
    }
    req.status = Status.NO_RESPONSE;
    this.finished(req);
  };

  /**
   * Returns as place does: a request the app's full queue turns away is answered at once (done).
   * `newConn`: the first on a connection made just now (an event loop reads it after its accept:
   * AppServer.admitOnAccept).
   */
  private sendRequest(req: Req, newConn = false): number {
    const w = this.w;
    const b = req.backend;
    this.connectedTo(req, b);
    if (this.serverTimeout !== Infinity) this.awaitAnswer(req);
    if (newConn ? this.app.admitOnAccept(w.backends[b], req) : this.app.admit(w.backends[b], req))
      return req.streamServer;
    return this.finished(req);
  }

  /**
   * `timeout server` expired before the server's answer: HAProxy answers 504 itself
   * (http_wait_for_response(), src/http_ana.c: CF_READ_TIMEOUT → txn->status = 504, SF_ERR_SRVTO,
   * SC_FL_NOLINGER on the server side, http_reply_and_close()). The stream leaves its server at
   * once; the app finishes for nobody (wasted work).
   */
  private awaitAnswer(req: Req): void {
    req.serverTimer = ++this.lastToken;
    this.awaiting.push(req);
    this.awaitingToken.push(req.serverTimer);
    this.awaitingAt.push(this.w.now + this.serverTimeout);
    if (this.serverTimerArmed) return;
    this.serverTimerArmed = true;
    this.w.engine.schedule(this.serverTimeout, this.serverTimerFired, null);
  }

  /** The oldest deadline came: every live request past its deadline times out; re-arm for the next. */
  private readonly serverTimerFired = (): void => {
    const now = this.w.now;
    const reqs = this.awaiting;
    while (this.awaitingHead < reqs.length) {
      const i = this.awaitingHead;
      const req = reqs[i];
      if (req.serverTimer === this.awaitingToken[i] && this.awaitingAt[i] > now) break;
      this.awaitingHead++;
      if (req.serverTimer === this.awaitingToken[i]) this.serverTimedOut(req);
    }
    if (this.awaitingHead > 1024 && this.awaitingHead * 2 > reqs.length) {
      reqs.splice(0, this.awaitingHead);
      this.awaitingToken.splice(0, this.awaitingHead);
      this.awaitingAt.splice(0, this.awaitingHead);
      this.awaitingHead = 0;
    }
    if (this.awaitingHead < reqs.length)
      this.w.engine.at(this.awaitingAt[this.awaitingHead], this.serverTimerFired, null);
    else this.serverTimerArmed = false;
  };

  private serverTimedOut(req: Req): void {
    const w = this.w;
    req.serverTimer = -1;
    this.leaveServer(req);
    // SC_FL_NOLINGER: the server connection is reset, not pooled.
    this.conns?.kill(req);
    // HAProxy ends the stream: a connection waiting for its final ACK stops waiting (its ackWaiter's
    // attempt no longer matches) and is let go by the listener (gone), its client there or not.
    req.lbEnded = true;
    // The stream ends now (a 504 to its client, or to nobody), though the app may hold the record still.
    this.onStreamEnd?.(req);
    if (req.phase === ReqPhase.CONNECTING) req.connectStartedAt = -1;
    if (!req.abandoned) {
      const b = req.backend;
      w.trace.emitLimited(`lb-server-timeout-${b}`, {
        kind: 'lb.server_timeout_504',
        backend: w.backends[b].name,
        timeout: this.serverTimeout,
      });
      req.lbReply = true;
      this.downstream.answered(req, Status.GATEWAY_TIMEOUT, b);
      req.abandoned = true;
    }
    // In no app (sent over a reused connection to a vanished host: never submitted), no `done`
    // will come: the balancer is through with it now (review14 finding 3). One still in an app
    // (or lost in one with its host) is let go by `done`, or never (left to the GC).
    if (req.phase === ReqPhase.NONE && req.inList === null) this.letGo(req);
  }

  private readonly synTimer = (req: Req): void => {
    if (!this.connectGoesOn(req)) {
      this.conns?.connectEnded(req);
      this.leaveServer(req);
      this.letGo(req);
      return;
    }
    if (connectDeadlinePassed(this.w.now, req.connectStartedAt, this.w.scenario.lb.connect_timeout))
      this.connectTimedOut(req);
    else this.sendSyn(req);
  };

  /**
   * Every usable server holds `maxconn` streams: the stream waits in the backend queue (`server`
   * -1), or persistence assigned it to the full `server`: it waits in that server's queue. False
   * when there is no queue, no usable server at all (backend queue), or the streams are not
   * counted (through an L4 balancer the open-loop requests are not HAProxy streams with a slot).
   */
  private queued(req: Req, server: number): boolean {
    const queue = this.w.lb.queue;
    if (queue === null || !this.countsStreams) return false;
    if (server < 0 && this.w.lb.usableCount() === 0) return false;
    req.queueEntry = queue.add(this, req, server);
    return true;
  }

  /**
   * Handed back to the dispatcher by `pendconn_redistribute()` (src/queue.c: "it's left to the
   * dispatcher to choose a server"): persistence is dropped (SF_DIRECT cleared) and the stream is
   * load-balanced again, away from the server it waited for.
   */
  requeue(req: Req): void {
    req.queueEntry = null;
    // A stream whose client left without `option abortonclose` is still in the queue (abandon): it
    // goes back to the dispatcher with the others. Every stream in the queue goes on connecting
    // (connectGoesOn holds): abandon() withdraws one whose client left with the option, place()
    // queues none that is given up, and a queued stream is on no server, so neither `timeout
    // server` nor srv_shutdown_streams() can end it there (lbEnded).
    const home = req.user >= 0 ? this.sessionBackend[req.user] : -1;
    if (home >= 0) req.addTried(home);
    req.persistent = false;
    this.dispatch(req, -1);
  }

  /**
   * Its turn came: the stream takes the slot on `b` (process_srv_queue() → pendconn_process_next_strm(),
   * src/queue.c, wakes it; back_try_conn_req() sees it dequeued and connects). One whose client left
   * is still here only without `option abortonclose` (abandon): HAProxy sends it, its answer going
   * nowhere (doc/configuration.txt "option abortonclose": "the request will eventually be served").
   * Every queued stream goes on connecting (see requeue): it always takes the slot.
   */
  takeSlot(req: Req, b: number): boolean {
    req.queueEntry = null;
    this.dispatch(req, b);
    return true;
  }

  /**
   * `timeout queue` expired: HAProxy answers 503 itself and closes the client's connection
   * (STRM_ET_QUEUE_TO, sQ); for a stream whose client left (without `option abortonclose`) the
   * answer goes nowhere.
   */
  queueTimedOut(req: Req): void {
    req.queueEntry = null;
    if (req.abandoned) {
      this.letGo(req);
      return;
    }
    const w = this.w;
    w.trace.emitLimited('lb-queue-timeout-503', {
      kind: 'lb.queue_timeout_503',
      ...w.lb.queueTimeoutFacts(w.scenario.lb),
    });
    req.lbReply = true;
    this.downstream.answered(req, Status.UNAVAILABLE, -1);
    this.letGo(req);
  }

  private readonly connectTimedOut = (req: Req): number => this.retryConnection(req, true);
  /** The sender's kernel gave up on the SYNs: ETIMEDOUT, a connection error (pause before a retry). */
  private readonly synGaveUp = (req: Req): number => this.retryConnection(req, true, true);
  /**
   * ICMP host unreachable for the SYN (a gone pod's address, lb/gone-addresses.ts): connect()
   * fails with EHOSTUNREACH — for HAProxy, as for a refusal, an asynchronous connection error
   * (conn_sock / sock_conn_check → CO_FL_ERROR: STRM_ET_CONN_ERR), retried after the turn-around
   * pause (back_handle_st_cer, src/backend.c); behind a NAT the client's own connect() fails so.
   */
  private readonly hostUnreachable = (req: Req): number => this.retryConnection(req, false, false, true);
  private readonly retryNow = (req: Req): number => this.dispatch(req, req.redispatchNext ? -1 : req.backend);
  /** The turn-around pause ended: the stream connects again (counted in `cur_sess` once more). */
  private readonly retryAfterPause = (req: Req): void => {
    this.pauseEnds(req);
    this.retryNow(req);
  };

  private pauseEnds(req: Req): void {
    if (!req.lbPausing) return;
    req.lbPausing = false;
    this.w.lb.turnAround[req.streamServer]--;
  }

  /**
   * A connection attempt failed: retry it while the balancer has retries, else give up at once.
   * Returns as place does.
   */
  private retryConnection(req: Req, timedOut: boolean, kernelGaveUp = false, unreachable = false): number {
    // The failed connect()'s socket closes (RST, ICMP or silence: no TIME_WAIT on the balancer).
    this.conns?.connectEnded(req);
    if (!this.connectGoesOn(req)) {
      this.leaveServer(req);
      return this.letGo(req);
    }
    if (req.lbRetriesLeft > 0 && this.retriesConnects()) return this.lbRetry(req, !timedOut || kernelGaveUp);
    // `timeout connect` expired: STRM_ET_CONN_TO; the kernel's give-up is a connection error.
    return this.connectFailed(req, timedOut, req.backend, timedOut && !kernelGaveUp, unreachable, kernelGaveUp);
  }

  /**
   * The balancer's own connect() found no source port (EADDRNOTAVAIL on its host, lb-host.ts):
   * tcp_connect_server() returns SF_ERR_RESOURCE (src/proto_tcp.c), a local error retried at
   * once, without the turn-around pause, as l4-connect.ts does; after the last retry HAProxy
   * answers 503 (`http_return_srv_error()`, src/http_ana.c: STRM_ET_CONN_RES). Returns as place does.
   */
  private noSourcePort(req: Req): number {
    const w = this.w;
    const b = req.backend;
    w.metrics.inc(w.c.lbEaddrnotavail, b);
    w.trace.emitLimited(`lb-no-port-${b}`, {
      kind: 'lb.no_port',
      backend: w.backends[b].name,
      portRange: w.scenario.lb.kernel.ip_local_port_range,
      twReuse: w.scenario.lb.kernel.tcp_tw_reuse,
      serverConns: true,
    });
    if (req.lbRetriesLeft > 0 && this.retriesConnects()) return this.lbRetry(req, false);
    return this.connectFailed(req, false, b, true);
  }

  /**
   * HAProxy retries a failed connect only while its `retry-on` holds conn-failure:
   * back_handle_st_cer() (src/backend.c) gives up at once when `!(s->be->retry_type &
   * PR_RE_CONN_FAILED)`. `retry-on` replaces the default conn-failure rather than adding to it
   * (proxy_parse_retry_on(), src/proxy.c, starts from `retry_type = 0`; doc/configuration.txt
   * "retry-on": conn-failure "is the default"): lb.retry_on_5xx's `retry-on 500 502 503 504`
   * holds none, lb.retry_on_empty_response's `retry-on conn-failure empty-response` holds it.
   */
  private retriesConnects(): boolean {
    const lb = this.w.scenario.lb;
    return !lb.retry_on_5xx || lb.retry_on_empty_response === true;
  }

  /**
   * One retry, connection (`back_handle_st_cer()`) or 5xx (`do_l7_retry()`): redispatched or
   * kept on the same server by `stream_choose_redispatch()`; only a refused connect kept on the
   * same server (or with one active server) waits the turn-around pause. Returns as place does.
   */
  private lbRetry(req: Req, refused: boolean): number {
    const w = this.w;
    const lb = w.scenario.lb;
    req.lbRetriesLeft--;
    const f = this.facts;
    f.redispatch = lb.redispatch;
    f.redispatchInterval = lb.redispatch_interval;
    f.persistent = req.persistent;
    f.serverRunning = w.lb.running(req.backend);
    f.retryNumber = lb.retries - req.lbRetriesLeft;
    f.retries = lb.retries;
    f.activeServers = w.lb.activeCount();
    f.hashAlgorithm = lb.balance === 'source';
    req.redispatchNext = choosesRedispatch(f);
    // A redispatched stream loses its persistence (SF_DIRECT cleared).
    if (req.redispatchNext) req.persistent = false;
    const pause = turnAroundPause(
      refused,
      req.redispatchNext,
      f.activeServers,
      Math.min(lb.retry_interval, lb.connect_timeout),
    );
    if (pause > 0) {
      if (this.countsStreams && req.streamServer >= 0) {
        req.lbPausing = true;
        w.lb.turnAround[req.streamServer]++;
      }
      w.engine.schedule(pause, this.retryAfterPause, req);
      return req.streamServer;
    }
    return this.retryNow(req);
  }

  /**
   * A bare app server's connection (proxy: none) closed or was reset before any response: its
   * process died under the request (or, `lb.server_rtt`, the server closed the idle connection the
   * request went on). HAProxy 2.6.12 http_wait_for_response() (src/http_ana.c), with the response
   * buffer empty: a server close (FIN) and, since 2.6.10's backport of 6f78ac560 "BUG/MINOR:
   * http-ana: Do a L7 retry on read error if there is no response", a read error (RST) too unless
   * it is refused TLS early data are L7-retried with `retry-on empty-response` (PR_RE_DISCONNECTED,
   * lb.retry_on_empty_response) — `retry-on 500 502 503 504` (lb.retry_on_5xx) holds neither, and
   * the 502 below is HAProxy's own, never a server status that l7_status_match() reads. Then, for a
   * request that is not the first of its client connection (TX_NOT_FIRST), `abort_keep_alive`:
   * the client connection is closed with no response and no log line, "so that the client
   * retries"; for a first request, 502 (SF_ERR_SRVCL, SC_FL_NOLINGER, http_reply_and_close():
   * the client connection closes after it). A read timeout is 504 whatever TX_NOT_FIRST
   * (serverTimedOut). Returns as place does.
   */
  private serverAborted(req: Req, raced: boolean): number {
    const w = this.w;
    const b = req.backend;
    const backend = w.backends[b];
    // `retry-on empty-response` (PR_RE_DISCONNECTED): a close (FIN) or a reset (RST) with nothing
    // read is retried by do_l7_retry() while the stream's conn_retries is below `retries`: 2.6.10
    // backported 41ade746c "BUG/MINOR: http-ana: Don't increment conn_retries counter before the
    // L7 retry" (v2.6.0 counted first, so one retry fewer), so the test is the connection retries'
    // own (> 0, as retry_on_5xx's); where it goes, stream_choose_redispatch() decides. drainsim
    // models no TLS early data (CO_ER_SSL_EARLY_FAILED), the one read error not retried so.
    const reset = req.status === Status.RESET;
    const retried = w.scenario.lb.retry_on_empty_response === true && req.lbRetriesLeft > 0;
    w.trace.emitLimited(`lb-server-aborted-${b}-${req.notFirst ? 1 : 0}-${raced ? 1 : 0}-${retried ? 1 : 0}`, {
      kind: 'lb.server_aborted',
      backend: backend.name,
      notFirst: req.notFirst,
      raced,
      reset,
      retried,
      keepAlive: backend.bare ? backend.app.config.keepalive_timeout : backend.nginx.config.keepalive_timeout,
    });
    if (retried) return this.lbRetry(req, false);
    if (req.notFirst) this.downstream.closedSilently(req, b);
    else {
      req.lbReply = true;
      this.downstream.answered(req, Status.BAD_GATEWAY, b);
    }
    return this.letGo(req);
  }

  /**
   * Server `b`'s queue is at `maxqueue` and the stream may not go elsewhere: HAProxy answers 503
   * itself (STRM_ET_QUEUE_ERR → txn->status 503, termination flags sQ, http_return_srv_error()).
   */
  private serverQueueFull(req: Req, b: number): number {
    const w = this.w;
    w.trace.emitLimited(`lb-server-queue-full-${b}`, {
      kind: 'lb.server_queue_full_503',
      backend: w.backends[b].name,
      maxconn: w.lb.maxconn,
      maxqueue: w.lb.maxqueue,
      redispatch: w.scenario.lb.redispatch,
    });
    req.lbReply = true;
    this.downstream.answered(req, Status.UNAVAILABLE, b);
    return this.letGo(req);
  }

  /**
   * The server for a new stream: its persistence's (`persistence`: a cookie's, or `stick on src`'s
   * stick-table entry, when honoured), else load-balanced. `persistence` is false for a stream
   * load-balanced again after its server's queue was full (srv_redispatch_connect() clears SF_DIRECT).
   */
  private pick(req: Req, persistence: boolean): number {
    const w = this.w;
    const lb = w.lb;
    const sticky = w.scenario.lb.sticky;
    const clientIp = sticky === 'source' || w.scenario.lb.balance === 'source' ? this.sourceAddress(req) : 0;
    if (persistence && sticky !== 'none') {
      // A drained server keeps its cookie users and its stick-table addresses; a DOWN or maint one
      // does not, except with `option persist` (lb.persistsTo, lb.stuckTo). The stick table is asked
      // before any balancing (process_sticking_rules(), src/stream.c, sets SF_ASSIGNED).
      const home = sticky === 'cookie' ? this.cookieServer(req) : lb.stuckTo(clientIp);
      if (home >= 0 && !req.excludes(home)) {
        req.persistent = true;
        return home;
      }
    }
    // Redispatch: avoid only the server that just failed, unless it is the only one left:
    // assign_server(), src/backend.c, passes prev_srv = objt_server(s->target) to
    // fwrr_get_next_server() / fwlc_get_next_server() / get_server_sh(), which skip that one
    // server (`srvtoavoid`) and fall back to it; servers tried earlier may be picked again.
    if (req.tried === NO_BACKENDS || req.backend < 0) return lb.pick(this.pickRng, clientIp);
    return lb.pickAvoiding(this.pickRng, clientIp, this.avoid.only(req.backend).members);
  }

  /** The server named by the user's cookie while it honours it (lb.persistsTo); -1: none. */
  private cookieServer(req: Req): number {
    const home = req.user >= 0 ? this.sessionBackend[req.user] : -1;
    return home >= 0 && this.w.lb.persistsTo(home) ? home : -1;
  }

  /**
   * The stream's source address, which `balance source` hashes (get_server_sh() on the connection's
   * src) and `stick on src` keys its table on. A keep-alive client's is its connection's
   * (req.clientAddress, world.ts assignTuple). An open-loop user has no TCP connection in the
   * model: it sends from one address, as real clients do — its own host's, or behind a NAT the one
   * the NAT maps it to, chosen by a hash of its own address so that "servers see the same client
   * coming from the same IP" (find_best_ips_proto(), net/netfilter/nf_nat_core.c) — user u from
   * address u mod clients.source_ips: with more users than addresses several users share one
   * address, and its server (the NAT hot spot of `balance source`). An anonymous open-loop request
   * comes from the address its client drew (clients/open-loop.ts arrive: one per request, over
   * clients.source_ips), in req.clientAddress as a keep-alive client's.
   */
  private sourceAddress(req: Req): number {
    return req.user >= 0 ? req.user % this.userAddresses : req.clientAddress;
  }

  /**
   * The stream is connected to server `b` and its request sent. HAProxy in tcp mode (lb.mode l4)
   * runs its response analysers as soon as the server connection is established
   * (sess_establish()), so `stick on src` stores then; a NAT's stream is its connection. In http
   * mode the store waits for the response (answeredBy).
   */
  private connectedTo(req: Req, b: number): void {
    if (this.w.scenario.lb.mode !== 'l7') this.touchSession(req, b);
  }

  /**
   * Server `b` answered the stream (an app's response, 5xx included, passed to the client): in
   * http mode the persistence goes with it — `stick on src` (= `stick match` + `stick
   * store-request`) collected its entry on the request side and process_store_rules()
   * (src/stream.c, the response analyser AN_RES_STORE_RULES) writes the server into the table
   * now; `cookie … insert` adds its Set-Cookie to this response (http_process_res_common(),
   * src/http_ana.c), and the app's own session cookie comes in it too. A stream with no response
   * (HAProxy's 504 at `timeout server`, a server abort, a 5xx retried by `retry-on`) stores
   * nothing: stream_free() frees the collected entries.
   */
  private answeredBy(req: Req, b: number): void {
    if (this.w.scenario.lb.mode === 'l7') this.touchSession(req, b);
  }

  /** Sessions in backend memory survive only on the same backend process that created them. */
  private touchSession(req: Req, b: number): void {
    const w = this.w;
    // `stick on src` stores the stream's server under its address (process_store_rules(), src/stream.c).
    w.lb.stickTable?.store(this.sourceAddress(req), b);
    if (req.user < 0) return;
    const home = this.sessionBackend[req.user];
    const epoch = w.backends[b].app.epoch;
    if (w.scenario.clients.requests.session_store === 'memory' && home >= 0) {
      const lost = home !== b || this.sessionEpoch[req.user] !== epoch;
      if (lost) {
        w.metrics.inc(w.c.sessionsLost, home);
        w.trace.emitLimited('session-lost', {
          kind: 'app.session_lost',
          backend: w.backends[b].name,
          user: req.user,
          home: w.backends[home].name,
        });
      }
    }
    this.sessionBackend[req.user] = b;
    this.sessionEpoch[req.user] = epoch;
  }

  private readonly done = (job: AppJob): void => {
    this.finished(job as Req);
  };

  /** The app is through with `req` (answered, or turned away at once). Returns as place does. */
  private finished(req: Req): number {
    const w = this.w;
    // Answered: its `timeout server` entry is dead (the shared timer skips it).
    req.serverTimer = -1;
    this.leaveServer(req);
    const raced = req.srvConn === SrvConn.CROSSED;
    this.conns?.release(req);
    if (req.abandoned) {
      w.metrics.inc(w.c.wasted, req.backend);
      // Its client is through with it already (timeout, or this balancer's 504): the last holder.
      return this.letGo(req);
    }
    if (req.status === Status.NO_RESPONSE || req.status === Status.RESET) {
      if (w.scenario.lb.mode === 'l7') return this.serverAborted(req, raced);
      // lb.mode l4 / nat, a bare app server killed under the request: the client's own connection
      // (relayed by HAProxy mode tcp, which cannot retry data it forwarded) reads the app's FIN or
      // RST instead of a response — EOF or ECONNRESET, "socket hang up".
      this.downstream.closedSilently(req, req.backend);
      return this.letGo(req);
    }
    if (
      req.status !== Status.OK &&
      w.scenario.lb.mode === 'l7' &&
      w.scenario.lb.retry_on_5xx &&
      req.lbRetriesLeft > 0
    ) {
      // The L7 balancer saw the 5xx and retries it (retry-on 5xx); the client does not see it.
      w.metrics.inc(w.c.req5xx, req.backend);
      return this.lbRetry(req, false);
    }
    this.answeredBy(req, req.backend);
    this.downstream.answered(req, req.status, req.backend);
    return this.letGo(req);
  }

  /**
   * The balancer could not connect. An L7 proxy answers the client 503 whether the connect was
   * refused (`SC`) or timed out (`sC`) (`http_return_srv_error()`, src/http_ana.c), except that a
   * connect timeout (STRM_ET_CONN_TO) or a local resource error (STRM_ET_CONN_RES, no source
   * port) of a request that is not the first of its client connection (TX_NOT_FIRST) gets no
   * message: `http_server_error()` with none closes the client connection (`silentIfNotFirst`);
   * a refused connect (STRM_ET_CONN_ERR) is 503 whatever the request's place. An L4 proxy
   * (HAProxy mode tcp) had accepted the client and closes it: `default_srv_error()` (src/stream.c)
   * only sets the flags, the client reads EOF. Through a NAT (kube-proxy, IPVS) the client sees the
   * refusal, the timeout or the host unreachable (`unreachable`) of its own SYN: ETIMEDOUT when
   * its kernel gave up on the SYNs (`kernelGaveUp`: tcp_write_timeout → tcp_write_err,
   * net/ipv4/tcp_timer.c), else its own connect timer's error (lb.connect_timeout stands for it
   * behind a NAT, which has none): CLIENT_TIMEOUT.
   */
  private connectFailed(
    req: Req,
    vanished: boolean,
    b: number,
    silentIfNotFirst = false,
    unreachable = false,
    kernelGaveUp = false,
  ): number {
    const w = this.w;
    this.leaveServer(req);
    // The last retry of a connect whose client left failed: HAProxy's answer would go nowhere.
    if (req.abandoned) return this.letGo(req);
    const mode = w.scenario.lb.mode;
    if (mode === 'l7') {
      if (silentIfNotFirst && req.notFirst) {
        this.downstream.closedSilently(req, b);
        return this.letGo(req);
      }
      req.lbReply = true;
      this.downstream.answered(req, Status.UNAVAILABLE, b);
      return this.letGo(req);
    }
    if (mode === 'l4') w.metrics.inc(w.c.closedFin, b);
    const kind =
      mode === 'l4'
        ? ErrorKind.ECONNRESET
        : unreachable
          ? ErrorKind.EHOSTUNREACH
          : vanished
            ? kernelGaveUp
              ? ErrorKind.ETIMEDOUT
              : ErrorKind.CLIENT_TIMEOUT
            : ErrorKind.ECONNREFUSED;
    this.downstream.connectFailed(req, kind, b);
    return this.letGo(req);
  }

  /**
   * The balancer is through with the attempt: it answered it or gave it up, and no queue entry,
   * timer or server of its own holds it any more (a `timeout server` entry is dead once answered,
   * see awaitAnswer). A pooled record is reused once its client let go too (core/request.ts
   * ReqPool). Not called while the app still holds the request (a 504 of `timeout server`: its
   * `done` comes later) nor for a request lost in an app with its vanished host (left to the GC);
   * one sent to a vanished host over a reused connection is let go at its `timeout server`.
   * Returns -1: the stream counts on no server any more (place's answer on every let-go path).
   */
  private letGo(req: Req): -1 {
    // Through with the stream: a record not pooled (lb/l7-http-front.ts's, or one shutRetried took
    // out of its pool) carries no end into a later use; a pooled one is reset on release anyway.
    req.lbEnded = false;
    this.onStreamEnd?.(req);
    req.letGo(HOLD_BALANCER);
    return -1;
  }
}
