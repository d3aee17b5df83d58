import type { Rng } from '../../engine/random.js';
import type { Histogram } from '../../metrics/histogram.js';
import { type SynOutcome, synTaken } from '../../net/host-sockets.js';
import { inWholeJiffies } from '../../net/jiffies.js';
import { acceptQueueFull, Handshake, nextDataCopyRto } from '../../net/listen-queue.js';
import { synCookieTime, synCookieValid, TCP_TIMEOUT_INIT_S } from '../../net/request-sock.js';
import { firstDataRto, synRetransmitSchedule, tcpTimeoutMinS } from '../../net/tcp.js';
import { acceptsByEventLoop } from '../app/accept-model.js';
import { type AppListener, exactTimers, type ListenerSender, type SenderTimers } from '../app/app-listener.js';
import type { BareClientConns } from '../app/bare-client-conns.js';
import { BackendSet } from '../core/backend-set.js';
import { type Conn, ConnKind } from '../core/conn.js';
import { LbFlow } from '../core/flow.js';
import type { FlowDownstream, FlowUpstream } from '../core/hop.js';
import { ErrorKind } from '../core/series.js';
import { EndKind, type World } from '../core/world.js';
import { clientConnects } from './client-port.js';
import type { FrontendListener, FrontendUser } from './frontend-listener.js';
import { NatIdleTable } from './nat-idle.js';
import { natRandomPicks } from './pool.js';
import type { QueueOwner } from './queue.js';
import { choosesRedispatch, newRetryFacts, type RetryFacts, turnAroundPause } from './redispatch.js';
import { awaitsAdmission, type ListenQueues, type RequestSock, SynQueues } from './syn-queue.js';

export type { ListenQueues } from './syn-queue.js';

interface Attempt {
  conn: Conn;
  /**
   * The client the record belonged to when it connected (Conn.id): a client that gives up while
   * its connect's SYN-ACK is on the way may have its record retired and given to a new client
   * (core/client-records.ts) before `established` fires.
   */
  client: number;
  handler: FlowDownstream;
  /** Retries made so far (HAProxy `s->conn_retries`). */
  retriesDone: number;
  /** The server of the next attempt; -1: load-balance again (a redispatch). */
  backend: number;
  /** The server that failed last, which a redispatch avoids (`assign_server()`'s prev_srv). */
  lastFailed: number;
  /** Sent to its server by the stick table (`stick on src`: SF_DIRECT), until a redispatch. */
  persistent: boolean;
  /** SYNs of this connect() that nginx's full listen queue dropped (0: none yet). */
  synsDropped: number;
  /** When this connect() sent its first SYN (set at the first drop). */
  firstSynAt: number;
  /** The listener's request sock for the SYN that passed (null: none, or a SYN cookie). */
  req: RequestSock | null;
  /** What the client learns when the balancer's failure reaches it (clientLearns). */
  failure: ErrorKind;
  /** The backend of that failure (-1: none). */
  failedOn: number;
  /**
   * The server whose `served` counts this stream until its connect succeeds (-1: none). In `l4`
   * from its assignment, whatever its connect meets (assign_server_and_queue(), src/backend.c:
   * sess_change_server(s, srv) before connect_server() sends a SYN); behind a NAT only while its
   * SYNs go unanswered (IPVS's own rule, unchanged). It stays counted there through a retry kept
   * on that server, the turn-around pause included (sess_change_server(), src/stream.c, returns
   * at `oldsrv == newsrv`), leaves it on a redispatch (stream_choose_redispatch(),
   * include/haproxy/stream.h) or the give-up (back_handle_st_cer(), src/backend.c), and is handed
   * to the flow when the connect succeeds (World.attach: one count per stream).
   */
  servedOn: number;
  /** Waiting out a turn-around pause on `servedOn`, counted in LoadBalancer.turnAround. */
  pausing: boolean;
}

/** A connection whose final ACK nginx's full accept queue dropped: its first data is being retransmitted. */
interface AckRetransmit {
  conn: Conn;
  backend: number;
  /** TlsCpu's serial of this connection's wait (a Conn is reused by the client's next connect). */
  serial: number;
  /** The RTO of the next retransmission (doubling). */
  rto: number;
  /** Retransmissions sent so far. */
  sent: number;
  /** The listener's request sock, whose SYN-ACK timer gives the connection more chances (null: a SYN cookie). */
  req: RequestSock | null;
  /** A SYN cookie's tcp_cookie_time() on nginx's kernel when its ACK was dropped (NaN: a request sock). */
  cookieSentAt: number;
}

/** A bare app's listener and its side of the clients' connections (app/), met by the clients' connects to an event-loop app. */
export interface BareAppFront {
  readonly listener: AppListener;
  readonly clientConns: BareClientConns;
}

/**
 * A new client connection through the L4 balancer, in the style of HAProxy `mode tcp`:
 * the balancer picks a BOUND backend; a failed connect (refused at once by a host where nothing
 * listens, or unanswered until `connect_timeout` on a vanished host) is retried `retries` times,
 * on the same server or, with `option redispatch`, load-balanced again as
 * `stream_choose_redispatch()` decides; a refused connect pauses `retry_interval` before a retry
 * on the same server (`back_handle_st_cer()`, src/backend.c). After the last failure the client
 * learns it when the packets reach it: by EOF on the connection HAProxy had accepted (mode tcp),
 * two round trips after the model's decision (proxyCloses), or by the refusal (one round trip
 * after its SYN) or silence of its own SYN behind a NAT.
 */
export class LbConnector implements FlowUpstream, QueueOwner<Attempt>, FrontendUser {
  /** The frontend's `maxconn` (lb.frontend_maxconn); null: every connection accepted at once. */
  frontend: FrontendListener | null = null;
  private readonly rng: Rng;
  private readonly connectLatency: Histogram;
  /** The backend a redispatch leaves (reused: picks allocate nothing). */
  private readonly failed = new BackendSet();
  /** Reused for every retry decision. */
  private readonly facts: RetryFacts = newRetryFacts();
  /** lb.mode nat: the connection table's idle timeout (never, for a proxy). */
  readonly nat: NatIdleTable;
  /** A proxying balancer (l4, and l7's WebSocket connects), not a NAT: a stream counts on its server from its assignment. */
  private readonly proxy: boolean;
  /** nginx's accept queues, where its workers are modelled busy (TLS in nginx); null: never full. */
  private queues: ListenQueues | null = null;
  /** The SYN queues of those listeners: request socks and their SYN-ACK timers. */
  private readonly synQueues: SynQueues;
  /**
   * When a dropped SYN is sent again (seconds after the first): by the balancer's kernel (l4,
   * lb.kernel) or, behind a NAT that forwards the client's own SYN, the client machine's.
   */
  private readonly synRetransmits: number[];
  /**
   * When that kernel gives up on a connect() whose SYNs all went unanswered (seconds after the
   * first SYN): the retransmission timer's firing after the last retransmission
   * (net/ipv4/tcp_timer.c tcp_write_timeout → tcp_write_err: connect() fails with ETIMEDOUT).
   */
  private readonly synGiveUp: number;
  /** The sender's net.ipv4.tcp_syn_retries (the balancer's, or behind a NAT the client machine's), for the log. */
  private readonly synRetries: number;
  /** The bare apps' listeners (topology.ts), where an event-loop app's accept queue meets the clients' connects. */
  bareApps: BareAppFront | null = null;
  /** Per backend: its app is a bare event loop (app.accept_model), whose listener the connects meet. */
  private readonly bareEventLoop: boolean[];
  /** The sending kernel's timers for the listener's data copies: the balancer's host (l4), else exact (a NAT's clients). */
  private readonly senderTimers: SenderTimers;

  constructor(private readonly w: World) {
    this.nat = new NatIdleTable(w);
    this.proxy = w.scenario.lb.mode !== 'nat';
    this.synQueues = new SynQueues(w, () => this.listenQueues!);
    this.rng = w.streams.stream(natRandomPicks(w.scenario.lb) ? 'lb.nat-pick' : 'lb.pick');
    this.connectLatency = w.metrics.histogram('connect_latency');
    const k = w.scenario.lb.mode === 'nat' ? w.scenario.clients.kernel : w.scenario.lb.kernel;
    const schedule = synRetransmitSchedule(k.tcp_syn_retries, k.tcp_syn_linear_timeouts);
    this.synRetransmits = schedule.retransmits;
    this.synGiveUp = schedule.giveUp;
    this.synRetries = k.tcp_syn_retries;
    this.bareEventLoop = w.backends.map((b) => b.bare && acceptsByEventLoop(b));
    this.senderTimers = w.lbHost?.host.clock ?? exactTimers(k.hz);
  }

  get listenQueues(): ListenQueues | null {
    return this.queues;
  }

  /** Where nginx's accept queue is modelled, its SYN queue is too, with its counters. */
  set listenQueues(q: ListenQueues | null) {
    this.queues = q;
    if (q !== null) this.synQueues.countOn();
  }

  connect(conn: Conn, handler: FlowDownstream): void {
    if (!clientConnects(this.w, conn, handler)) return;
    if (this.frontend !== null) this.frontend.syn(conn, handler, this);
    else this.balance(conn, handler);
  }

  /**
   * HAProxy accept()ed the connection (at its SYN, or from the full frontend's accept queue): the
   * stream asks for a server. The model's client connect() goes on through the server connect,
   * so a connection that waited in the accept queue connects only now, where the real client's
   * connect() succeeded at its handshake with the balancer's kernel.
   */
  frontAccepted(conn: Conn, handler: FlowDownstream, _waited: boolean): void {
    this.balance(conn, handler);
  }

  /** In the accept queue nothing happens until HAProxy accept()s it (the client connect() the model runs goes on). */
  frontQueued(_conn: Conn): void {}

  private balance(conn: Conn, handler: FlowDownstream): void {
    const w = this.w;
    // `stick on src` (lb.sticky: source) is matched before any balancing (process_sticking_rules(),
    // src/stream.c: SF_ASSIGNED, so assign_server() runs no algorithm): lb/stick-table.ts.
    const ip = w.clientIp(conn);
    const stuck = w.lb.stuckTo(ip);
    const b = stuck >= 0 ? stuck : w.lb.pick(this.rng, ip);
    const a: Attempt = {
      conn,
      client: conn.id,
      handler,
      retriesDone: 0,
      backend: b,
      lastFailed: -1,
      persistent: stuck >= 0,
      synsDropped: 0,
      firstSynAt: 0,
      req: null,
      failure: ErrorKind.ECONNRESET,
      failedOn: -1,
      servedOn: -1,
      pausing: false,
    };
    if (b < 0) {
      if (!this.queued(a)) this.noServer(a);
      return;
    }
    if (this.queuedOnFull(a, b)) return;
    this.attempt(a);
  }

  /**
   * leastconn under maxqueue may pick a full server (served + queued < maxconn + maxqueue,
   * fwlc_get_next_server(), src/lb_fwlc.c): the connection waits in that server's own queue
   * (assign_server_and_queue(), src/backend.c: srv_currently_usable + `srv->served >= srv_dynamic_maxconn`
   * → pendconn_add() on the server) and never exceeds maxconn.
   */
  private queuedOnFull(a: Attempt, b: number): boolean {
    const queue = this.w.lb.queue;
    if (queue === null || !this.w.lb.full(b)) return false;
    a.backend = -1;
    queue.add(this, a, b);
    return true;
  }

  /**
   * A client packet on an open flow. A flow the LB forgot (hard removal) is answered with RST,
   * and the backend side is reset too while nginx still holds it; the flow ends.
   */
  forwardsClientPacket(conn: Conn): boolean {
    const w = this.w;
    const b = conn.backend;
    if (this.nat.expired(conn)) {
      // The NAT's entry timed out: the packet meets no entry and is answered with RST. The target
      // is not told (NLB resets only the sender); its socket goes with the flow here.
      w.metrics.inc(w.c.resetOut, b);
      w.end(conn, EndKind.RESET);
      return false;
    }
    if (conn.lbFlow !== LbFlow.FORGOTTEN) {
      this.nat.seen(conn);
      return true;
    }
    w.metrics.inc(w.c.resetOut, b);
    w.vmEndReset(conn);
    return false;
  }

  private attempt(a: Attempt): void {
    const w = this.w;
    if (a.backend < 0) {
      // A redispatch: load-balanced again, avoiding the server that failed unless it is the only
      // one; the stick table is not asked again (it ran once, as a request analyser) and the
      // stream is no longer persistent (SF_DIRECT cleared: stream_choose_redispatch(), include/haproxy/stream.h).
      a.persistent = false;
      const ip = w.clientIp(a.conn);
      const b = w.lb.pickAvoiding(this.rng, ip, this.failed.only(a.lastFailed).members);
      if (b < 0) {
        if (!this.queued(a)) this.noServer(a);
        return;
      }
      if (this.queuedOnFull(a, b)) return;
      a.backend = b;
    }
    const backend = w.backends[a.backend];
    // HAProxy counts the stream on its server from the assignment, before the SYN: a connect
    // refused at once, dropped by a full accept queue or meeting a busy 4-tuple holds its place in
    // leastconn's key, fwrr's saturation and maxconn as one that hangs does. A NAT's flow counts
    // only once its SYN is taken (attach), or while its SYNs go unanswered (synsUnanswered) — a
    // wait that always ends in failedAttempt(), which leaves `served` (a NAT does not retry), so a
    // NAT's attempt never comes here still counted.
    if (this.proxy) this.serveOn(a);
    if (!w.lbConnect(a.conn, a.backend)) {
      this.noSourcePort(a);
      return;
    }
    if (!backend.answersBalancer) {
      this.synsUnanswered(a);
      return;
    }
    if (!(backend.bare ? backend.app.listening : backend.nginx.listening)) {
      // Nothing listens on :443 any more (a bare app server: on the app's port, closed by its
      // SIGTERM or exit): the VM's kernel answers the SYN with RST. A draining gunicorn gthread
      // worker's listener stays open (app-process.ts keepsListenerDraining): the kernel completes
      // the connect, and its accept queue, which nobody drains, holds it (appHandshake below).
      w.metrics.inc(w.c.resetIn, a.backend);
      this.failedAttempt(a, 'refused');
      return;
    }
    // A bare event-loop app's listener (app/event-loop-accepts.ts) checks both the SYN and the final
    // ACK (appHandshake); nginx's accept queue the SYN here, the ACK at ackArrives. A WebSocket's
    // upgrade meets the app's listener itself (app/ws-endpoint.ts appConnector).
    if (
      this.bareApps !== null &&
      (this.bareEventLoop[a.backend] || (backend.bare && !backend.app.accepting)) &&
      a.conn.kind === ConnKind.HTTP
    ) {
      if (!this.appHandshake(a)) return;
    } else {
      if (!backend.bare && this.listenQueueFull(a)) return;
      const syn = this.attaches(a);
      if (!synTaken(syn)) {
        this.tupleBusy(a, syn);
        return;
      }
    }
    a.req = this.requestSock(a);
    w.engine.schedule(w.scenario.clients.rtt, this.established, a);
  }

  /**
   * The VM did not take the SYN of `a` (World.attach). 'challenged': it held the 4-tuple open, and
   * the sender's RST, its answer to the challenge ACK, has reset that socket (World.attach); the
   * sender re-armed its SYN timer to TCP_TIMEOUT_MIN, 2 jiffies, on its own timer wheel (the
   * balancer's host, behind a NAT the client machine's) from the challenge ACK's arrival one round
   * trip after the SYN (tcp_rcv_synsent_state_process(), net/ipv4/tcp_input.c: `if
   * (icsk->icsk_retransmits == 0) inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS,
   * TCP_TIMEOUT_MIN, TCP_RTO_MAX)`), and that SYN, on the same port, meets no socket and connects.
   * Simplified: a SYN that was itself a retransmission would keep its RTO (icsk_retransmits > 0);
   * the model does not count a challenged connect's earlier SYNs. Otherwise (a TIME_WAIT it may
   * not reopen) the SYN is retransmitted after the initial RTO (TCP_TIMEOUT_INIT, 1 s).
   */
  private tupleBusy(a: Attempt, syn: SynOutcome): void {
    const w = this.w;
    if (syn !== 'challenged') {
      w.engine.schedule(TCP_TIMEOUT_INIT_S, this.retryNow, a);
      return;
    }
    const inS = tcpTimeoutMinS(this.senderHz());
    w.engine.at(this.senderTimerFiresAt(a.conn, inS, w.now + w.scenario.clients.rtt), this.retryNow, a);
  }

  /**
   * The SYN of `a` meets a bare app that is one event loop (app.accept_model: event_loop): while
   * the loop runs an iteration its accept queue holds the connections made meanwhile
   * (app/event-loop-accepts.ts), min(backlog, somaxconn) + 1 at most. The app's listener checks
   * it twice, as it does every other connect to the app (app/app-listener.ts,
   * net/listen-queue.ts ListenerChecks): at the SYN (tcp_conn_request(), net/ipv4/tcp_input.c,
   * sk_acceptq_is_full → drop, sent again on the sender's SYN schedule: synDropped, as for
   * nginx's queue below) and at the final ACK (tcp_v4_syn_recv_sock(), net/ipv4/tcp_ipv4.c). A
   * SYN retransmitted by the sender's timer softirq comes in a batch with the others of its timer
   * wheel bucket: all pass their SYN check before any of their ACKs arrives, and the ACKs beyond
   * the queue's room are dropped (tcp_check_req listen_overflow, tcp_abort_on_overflow 0): the
   * sender is connected — HAProxy's Tc ends — and its request reaches the app with the data copy
   * whose ACK finds room (BareClientConns.ackWaiter). False: the SYN was not taken (dropped, or
   * the VM still holds the 4-tuple) and goes again later. An app with more workers accepts at
   * once (not modelled as a queue) — except a draining gunicorn gthread worker, whose listener
   * nobody drains (app-process.ts keepsListenerDraining): its queue fills to the backlog with
   * parked connections (AppServer.park) and SYNs beyond are dropped, here as for an event loop.
   */
  private appHandshake(a: Attempt): boolean {
    const w = this.w;
    const backend = w.backends[a.backend];
    const retransmitted = a.synsDropped > 0;
    this.synMet = 'new';
    const h = this.bareApps!.listener.handshake(
      backend,
      retransmitted,
      w.scenario.clients.rtt,
      this.senderTimers,
      this.appSender,
      a,
    );
    if (h !== Handshake.SYN_DROPPED) {
      a.synsDropped = 0;
      return true;
    }
    if (!synTaken(this.synMet)) {
      a.synsDropped = 0;
      this.tupleBusy(a, this.synMet);
      return false;
    }
    const next = this.synDropped(a);
    w.trace.emitLimited(`app-listen-overflow-${a.backend}`, {
      kind: 'kernel.app_listen_overflow',
      backend: backend.name,
      queued: this.bareEventLoop[a.backend] ? backend.app.loop.pending : this.bareApps!.listener.children(backend),
      limit: backend.appBacklog,
      backlog: backend.app.config.backlog,
      somaxconn: backend.kernel.somaxconn,
      retransmit: a.synsDropped,
      retransmitIn: next.at - w.now,
      givesUp: next.givesUp,
      sender: w.scenario.lb.mode === 'nat' ? 'client' : 'lb',
    });
    return false;
  }

  /** What the SYN appHandshake() just sent met on the VM (appSender.takes: taken when its 4-tuple is free). */
  private synMet: SynOutcome = 'new';
  /** What the app's listener asks of a client connect: its 4-tuple on the VM, and its wait after a dropped ACK. */
  private readonly appSender: ListenerSender<Attempt> = {
    takes: (a) => synTaken((this.synMet = this.attaches(a))),
    ackWaiter: (a) => this.bareApps!.clientConns.ackWaiter(a.conn),
    owner: (a) => a.conn,
    // The final ACK meets the app's accept queue at `established`, one round trip after the SYN
    // (tcp_v4_syn_recv_sock), as nginx's does at ackArrives.
    finalAckIn: () => this.w.scenario.clients.rtt,
  };

  /**
   * nginx's listen queue on :443 is full: the VM's kernel drops the SYN (tcp_conn_request(),
   * net/ipv4/tcp_input.c: `if (sk_acceptq_is_full(sk)) { NET_INC_STATS(..., LINUX_MIB_LISTENOVERFLOWS);
   * goto drop; }`, whatever tcp_syncookies says) and the connecting kernel sends it again on its
   * SYN schedule (1 s, 2 s, … from the first SYN; net/tcp.ts synRetransmitSchedule, the one the
   * app's accept queue uses) until the connect gives up at lb.connect_timeout (HAProxy `timeout
   * connect`; behind a NAT the same bound, as for a vanished host above), which is a failed
   * attempt like any timeout. The queue counts completed handshakes only, so this needs it full
   * already at the SYN (a storm's SYNs of one instant all pass, and their final ACKs meet the
   * limit one RTT later: ackArrives).
   */
  private listenQueueFull(a: Attempt): boolean {
    const w = this.w;
    const b = a.backend;
    const queued = this.listenQueues === null ? 0 : this.synQueues.acceptQueued(this.listenQueues, b, a.conn);
    const backend = w.backends[b];
    if (!acceptQueueFull(queued, backend.maxAckBacklog)) {
      a.synsDropped = 0;
      return false;
    }
    const next = this.synDropped(a);
    w.trace.emitLimited(`listen-overflow-${b}`, {
      kind: 'kernel.listen_overflow',
      dropped: 'syn',
      backend: backend.name,
      queued,
      limit: backend.nginxBacklog,
      listenBacklog: backend.nginx.config.listen_backlog,
      somaxconn: backend.kernel.somaxconn,
      retransmit: a.synsDropped,
      retransmitIn: next.at - w.now,
      givesUp: next.givesUp,
      kernelGivesUp: next.kernelGivesUp,
      synRetries: this.synRetries,
      connectTimeout: w.scenario.lb.connect_timeout,
      sender: w.scenario.lb.mode === 'nat' ? 'client' : 'lb',
    });
    return true;
  }

  /**
   * A full accept queue dropped attempt `a`'s SYN now: counted (syn_drops), and sent again. The
   * SYN just sent (the first, or a retransmission the timer fired now) armed the next timeout:
   * the schedule's step from this SYN to the next, on the sender's timer wheel. After the last
   * retransmission that firing is the kernel's give-up (tcp_write_timeout → tcp_write_err), which
   * fails the connect() with ETIMEDOUT if the balancer's own timeout connect has not ended it
   * first. Returns when the next step comes and whether the connect gives up then (and by whom).
   */
  private synDropped(a: Attempt): { at: number; givesUp: boolean; kernelGivesUp: boolean } {
    const w = this.w;
    w.metrics.inc(w.c.synDrops, a.backend);
    if (a.synsDropped === 0) a.firstSynAt = w.now;
    const k = a.synsDropped;
    const kernelGivesUp = k >= this.synRetransmits.length;
    const next = kernelGivesUp ? this.synGiveUp : this.synRetransmits[k];
    const retransmitAt = this.senderTimerFiresAt(a.conn, next - (k > 0 ? this.synRetransmits[k - 1] : 0));
    const giveUpAt = a.firstSynAt + w.scenario.lb.connect_timeout;
    a.synsDropped++;
    if (retransmitAt >= giveUpAt) w.engine.at(giveUpAt, this.timedOut, a);
    else w.engine.at(retransmitAt, kernelGivesUp ? this.synGaveUp : this.retryNow, a);
    return {
      at: Math.min(retransmitAt, giveUpAt),
      givesUp: kernelGivesUp || giveUpAt <= retransmitAt,
      kernelGivesUp: kernelGivesUp && retransmitAt < giveUpAt,
    };
  }

  /**
   * The server's host is gone: no SYN of this connect() is answered. The balancer gives up at its
   * timeout connect, or its kernel first, at the firing after its last SYN retransmission (each
   * re-armed on the sender's timer wheel from the firing before): with the defaults (6 retries and
   * 4 linear timeouts: 131 s) only a timeout connect over two minutes lets the kernel decide.
   */
  private synsUnanswered(a: Attempt): void {
    const w = this.w;
    // A stream connecting is in its server's `served` from assignment (sess_change_server(),
    // src/stream.c) and in its cur_sess (connect_server(), src/backend.c) until the connect fails:
    // leastconn, fwrr's saturation and maxconn count it, as the DOWN line's "sessions active" does
    // (in `l4` counted already at the assignment: attempt()).
    this.serveOn(a);
    const timeout = w.scenario.lb.connect_timeout;
    // A deleted pod's address under a bridge CNI: the node's ARP fails and its ICMP host
    // unreachable ends the connect() (lb/gone-addresses.ts), unless a give-up comes first.
    const unreachableIn = w.lb.goneAddresses.unreachableIn(a.backend, w.now);
    if (unreachableIn < Math.min(timeout, this.synGiveUp)) {
      w.engine.schedule(unreachableIn, this.unreachableFailed, a);
      return;
    }
    if (this.synGiveUp < timeout) {
      // Each firing re-armed from the one before, up to the give-up (no array made per attempt).
      let at = w.now;
      let sent = 0;
      for (let k = 0; k <= this.synRetransmits.length; k++) {
        const next = k < this.synRetransmits.length ? this.synRetransmits[k] : this.synGiveUp;
        at = this.senderTimerFiresAt(a.conn, next - sent, at);
        sent = next;
      }
      if (at < w.now + timeout) {
        w.engine.at(at, this.synGaveUp, a);
        return;
      }
    }
    w.engine.schedule(timeout, this.timedOut, a);
  }

  /**
   * The stream counts on its server `a.backend` (sess_change_server(), src/stream.c): taken there,
   * leaving the server it counted on before; a retry kept on that server keeps its count and its
   * place (connect_server()'s server_take_conn → fwlc_srv_reposition() moves it only for a
   * changed key).
   */
  private serveOn(a: Attempt): void {
    if (a.servedOn === a.backend) {
      this.w.lb.keepConn(a.backend);
      return;
    }
    this.leaveServed(a);
    const lb = this.w.lb;
    lb.takeConn(a.backend);
    lb.connecting[a.backend]++;
    a.servedOn = a.backend;
  }

  /**
   * The connect succeeded on `a.backend`: the flow is placed there (World.attach), taking over
   * the stream's count from its assignment rather than taking a second one. False: the VM still
   * holds the 4-tuple (the stream stays counted for its retransmitted SYN).
   */
  private attaches(a: Attempt): SynOutcome {
    const counted = a.servedOn === a.backend;
    const syn = this.w.attach(a.conn, a.backend, counted);
    if (!synTaken(syn)) return syn;
    if (counted) {
      this.w.lb.connecting[a.backend]--;
      a.servedOn = -1;
    }
    return syn;
  }

  /**
   * The stream leaves the `served` of the server it counted on (sess_change_server():
   * server_drop_conn), and the slot it held goes to the oldest stream waiting for that server
   * (may_dequeue_tasks() → process_srv_queue(), src/backend.c back_handle_st_cer and
   * include/haproxy/stream.h stream_choose_redispatch).
   */
  private leaveServed(a: Attempt): void {
    const b = a.servedOn;
    if (b < 0) return;
    const lb = this.w.lb;
    this.endPause(a);
    lb.dropConn(b);
    lb.connecting[b]--;
    a.servedOn = -1;
    if (lb.slotFreed !== null) lb.slotFreed(b);
  }

  private readonly unreachableFailed = (a: Attempt): void => this.failedAttempt(a, 'unreachable');

  /**
   * When a retransmission timer the connecting kernel arms now for `seconds` fires: TCP's
   * retransmission timer (SYN, data and loss probe alike) is a timer_list (icsk_retransmit_timer,
   * inet_csk_reset_xmit_timer → sk_reset_timer → mod_timer, include/net/inet_connection_sock.h),
   * so it fires on the timer wheel (kernel/time/timer.c calc_wheel_index: at the first boundary of
   * its level's granularity after the expiry, net/jiffies.ts) — at HZ 250 a 1-s timeout (250
   * jiffies, level 1) in 32-ms buckets, a 4-s one in 256-ms buckets. Every timer of a bucket fires
   * in one run of the timer softirq, so a storm's SYNs dropped within one bucket's span are sent
   * again together: they all reach the listener before any of their final ACKs, all find room
   * (tcp_conn_request counts completed handshakes only) and their ACKs then meet the full queue
   * (ackArrives). Recorded: calibration/data/nginx-tls-storm-w1-b32-c300-rt.json, 237 SYNs
   * dropped over 110 ms came back in three batches 31 and 64 ms apart, all connected.
   * The sender is the balancer's host (l4) or, behind a NAT, the client machine, each on its own
   * jiffies phase.
   */
  /** HZ of the connecting kernel: the balancer host's (l4), or the client machines' behind a NAT. */
  private senderHz(): number {
    const w = this.w;
    return w.lbHost !== null ? w.lbHost.host.clock.hz : w.clientHosts.kernels.config.hz;
  }

  private senderTimerFiresAt(conn: Conn, seconds: number, from = this.w.now): number {
    const w = this.w;
    if (w.lbHost !== null) return w.lbHost.host.clock.timerFiresAt(from, seconds);
    const hosts = w.clientHosts;
    return hosts.kernels.wheelFiresAt(hosts.machine(w.clientIp(conn), w.now), from, seconds);
  }

  /**
   * Every usable server is at its maxconn: the connection waits in the backend queue
   * (`pendconn_add()`, src/queue.c). False when there is no queue or no usable server at all.
   */
  private queued(a: Attempt): boolean {
    const queue = this.w.lb.queue;
    if (queue === null || this.w.lb.usableCount() === 0) return false;
    a.backend = -1;
    queue.add(this, a);
    return true;
  }

  /** A slot on `b` is free and this connection was the oldest waiting: it goes there (`process_srv_queue()`). */
  takeSlot(a: Attempt, b: number): boolean {
    a.backend = b;
    this.attempt(a);
    return true;
  }

  /** Handed back to the dispatcher (its server left with `option redispatch`: pendconn_redistribute()): load-balanced again. */
  requeue(a: Attempt): void {
    a.backend = -1;
    this.attempt(a);
  }

  /**
   * `timeout queue` expired (`STRM_ET_QUEUE_TO`, src/backend.c): the stream ends without a server;
   * in tcp mode the client had been accepted and reads EOF.
   */
  queueTimedOut(a: Attempt): void {
    const w = this.w;
    w.trace.emitLimited('lb-queue-timeout', { kind: 'lb.queue_timeout', ...w.lb.queueTimeoutFacts(w.scenario.lb) });
    this.proxyCloses(a, -1);
  }

  /**
   * No server to take the connection. An L4 proxy has accepted the client and closes it
   * (HAProxy mode tcp: `SRV_STATUS_NOSRV`, the stream ends through `default_srv_error()`):
   * EOF. A NAT has nowhere to forward the SYN and rejects it (kube-proxy's REJECT rule for a
   * Service without endpoints): ECONNREFUSED. Either reaches the client later (proxyCloses,
   * synAnswered), never at its connect().
   */
  private noServer(a: Attempt): void {
    const w = this.w;
    const proxy = w.scenario.lb.mode !== 'nat';
    w.trace.emitLimited('lb-no-server', { kind: 'lb.no_server', clientSees: proxy ? 'EOF' : 'ECONNREFUSED' });
    if (proxy) this.proxyCloses(a, -1);
    else this.synAnswered(a, ErrorKind.ECONNREFUSED, -1);
  }

  /**
   * HAProxy (mode tcp) gives up on the client's stream — no server (SRV_STATUS_NOSRV), `timeout
   * queue`, the last retry failed — and closes the client side: the client reads EOF (FIN), counted
   * ECONNRESET ("socket hang up"), two round trips after the model's decision. The model runs the
   * proxy's stream from the client's connect(), where HAProxy's starts at its accept: the client's
   * SYN reaches the balancer's kernel at rtt/2, its connect() succeeds at rtt (the SYN-ACK), the
   * final ACK completes the handshake at 1.5 rtt and the listener accept()s then
   * (session_accept_fd → stream_new, src/stream.c); with no tcp-request content rules
   * (fe_req_ana empty) stream_new sets CF_AUTO_CONNECT, so process_stream asks for a server at
   * once (SC_ST_REQ → back_handle_st_req → srv_redispatch_connect → assign_server, src/backend.c),
   * before any data of the client's is read; its FIN then takes rtt/2 to the client
   * (tcp_fin, net/ipv4/tcp_input.c: the read returns 0). The client's socket lives until then.
   */
  private proxyCloses(a: Attempt, b: number): void {
    this.clientLearns(a, ErrorKind.ECONNRESET, b, 2 * this.w.scenario.clients.rtt);
  }

  /**
   * Behind a NAT the client's own SYN is answered — an RST from a VM where nothing listens, or
   * kube-proxy's REJECT (an ICMP port unreachable, which tcp_v4_err, net/ipv4/tcp_ipv4.c, turns
   * into ECONNREFUSED for a socket in SYN_SENT, icmp_err_convert) — half a round trip after the SYN
   * reached it: connect() fails one rtt after the SYN, as it succeeds one rtt after it.
   */
  private synAnswered(a: Attempt, kind: ErrorKind, b: number): void {
    this.clientLearns(a, kind, b, this.w.scenario.clients.rtt);
  }

  private clientLearns(a: Attempt, kind: ErrorKind, b: number, inS: number): void {
    a.failure = kind;
    a.failedOn = b;
    this.w.engine.schedule(inS, this.failureArrives, a);
  }

  /** The balancer's failure reaches the client (clientLearns): its socket closes and it is told. */
  private readonly failureArrives = (a: Attempt): void => {
    // The record is another client's now (retired and made anew: core/client-records.ts).
    if (a.conn.id !== a.client) return;
    this.w.releaseClientEnd(a.conn, false);
    a.handler.connectFailed(a.conn, a.failure, a.failedOn);
  };

  /**
   * The SYN-ACK reached the connecting side (one RTT after the SYN): its connect() succeeds there
   * whatever becomes of its final ACK, so the connect latency is the RTT (HAProxy's `timeout
   * connect` is met). The final ACK reaches the VM at about the same time (the model puts the
   * SYN's and the ACK's halves of the round trip together) and meets the accept queue (ackArrives).
   */
  private readonly established = (a: Attempt): void => {
    const req = a.req;
    a.req = null;
    // The client gave up (its record retired, perhaps another client's now), or its flow ended.
    if (a.conn.id !== a.client || a.conn.backend !== a.backend || a.conn.lbFlow === LbFlow.NONE) {
      if (req !== null) this.synQueues.remove(req);
      return;
    }
    this.nat.seen(a.conn);
    // `stick on src` stores the connected server under the client's address: process_store_rules()
    // (src/stream.c), which sess_establish() arms and tcp mode runs at once.
    this.w.lb.stickTable?.store(this.w.clientIp(a.conn), a.backend);
    this.connectLatency.record(this.w.now - a.conn.connectStartedAt);
    this.ackArrives(a.conn, a.backend, req);
    a.handler.connected(a.conn);
  };

  /**
   * The SYN that just passed the accept-queue check gets a request sock in the listener's SYN
   * queue (tcp_conn_request → inet_csk_reqsk_queue_hash_add, its SYN-ACK timer armed for
   * TCP_TIMEOUT_INIT) unless that queue already holds more than the backlog: then a SYN cookie
   * (tcp_syncookies 1), no state. Only where nginx's accept queue is modelled (listenQueues).
   */
  private requestSock(a: Attempt): RequestSock | null {
    const q = this.listenQueues;
    if (q === null) return null;
    const serial = q.awaitingAdmission(a.conn);
    if (serial === 0) return null;
    return this.synQueues.received(a.conn, a.backend, serial, this.w.backends[a.backend].maxAckBacklog);
  }

  /**
   * The final ACK of `conn`'s handshake reaches VM `b`. With room in nginx's accept queue the
   * connection is queued for accept() (tcp_v4_syn_recv_sock, net/ipv4/tcp_ipv4.c; with a
   * syncookie, cookie_v4_check, net/ipv4/syncookies.c, rebuilds the request first). The queue
   * counts only completed handshakes (sk_acceptq_added in inet_csk_reqsk_queue_add), so SYNs
   * arriving together all find room at their SYN (the SYN queue overflowing into syncookies,
   * tcp_syncookies 1, drops none) and the storm meets the limit here. A full queue drops the
   * ACK: tcp_v4_syn_recv_sock → `if (sk_acceptq_is_full(sk)) goto exit_overflow` (ListenOverflows,
   * ListenDrops), and tcp_check_req (net/ipv4/tcp_minisocks.c) at listen_overflow, with
   * tcp_abort_on_overflow 0, only marks the request acked and returns NULL: no RST, the sender
   * stays ESTABLISHED and retransmits its first data segment, each copy carrying the ACK again;
   * the request sock (`req`, if the SYN got one rather than a cookie) stays in the SYN queue and
   * its SYN-ACK timer runs (syn-queue.ts).
   */
  private ackArrives(conn: Conn, b: number, req: RequestSock | null): void {
    const q = this.listenQueues;
    if (q === null) return;
    const serial = q.awaitingAdmission(conn);
    if (serial === 0 || !acceptQueueFull(this.synQueues.acceptQueued(q, b, conn), this.w.backends[b].maxAckBacklog)) {
      // The child is created (or nothing waits): its request sock leaves the SYN queue
      // (inet_csk_complete_hashdance → inet_csk_reqsk_queue_drop).
      if (req !== null) this.synQueues.remove(req);
      if (serial !== 0) q.admit(conn);
      return;
    }
    const rto = inWholeJiffies(firstDataRto(this.w.scenario.clients.rtt), this.senderHz());
    const cookieSentAt = req === null ? this.cookieTime(b) : Number.NaN;
    this.ackDropped({ conn, backend: b, serial, rto, sent: 0, req, cookieSentAt });
    // Its request sock stays, acked, and its SYN-ACK timer gives it more chances (syn-queue.ts).
    if (req !== null) this.synQueues.ackDropped(req);
  }

  /**
   * Count and log a dropped final ACK and schedule the retransmission that carries it again, its
   * RTO `r.rto` on from now on the connecting kernel's timer wheel (tcp_retransmit_timer,
   * net/ipv4/tcp_timer.c; senderTimerFiresAt).
   */
  private ackDropped(r: AckRetransmit): void {
    const w = this.w;
    const inS = this.senderTimerFiresAt(r.conn, r.rto) - w.now;
    const b = r.backend;
    const backend = w.backends[b];
    w.metrics.inc(w.c.synDrops, b);
    w.trace.emitLimited(`listen-overflow-ack-${b}`, {
      kind: 'kernel.listen_overflow',
      dropped: 'ack',
      backend: backend.name,
      queued: this.synQueues.acceptQueued(this.listenQueues!, b, r.conn),
      limit: backend.nginxBacklog,
      listenBacklog: backend.nginx.config.listen_backlog,
      somaxconn: backend.kernel.somaxconn,
      retransmit: r.sent + 1,
      retransmitIn: inS,
      givesUp: false,
      kernelGivesUp: false,
      synRetries: this.synRetries,
      connectTimeout: w.scenario.lb.connect_timeout,
      sender: w.scenario.lb.mode === 'nat' ? 'client' : 'lb',
    });
    w.engine.schedule(inS, this.dataRetransmitted, r);
  }

  /**
   * The connecting kernel retransmits the unacknowledged first data: with room now, the ACK it
   * carries completes the handshake and the connection is queued; otherwise it is dropped again.
   * The first copy is a tail loss probe: sending the data armed the probe timer, not the RTO
   * (tcp_write_xmit → tcp_schedule_loss_probe, net/ipv4/tcp_output.c: SACK is on and
   * tcp_early_retrans is 3 by default), with PTO = 2·srtt + tcp_rto_min for one segment in flight,
   * capped by the time left to the RTO (rto_delta_us) — so the probe goes at the RTO;
   * tcp_send_loss_probe() retransmits the segment and re-arms the RTO from that copy
   * (tcp_rearm_rto) without backing it off. The RTO then fires one whole RTO later and from there
   * doubles (tcp_retransmit_timer, net/ipv4/tcp_timer.c: inet_csk_reset_xmit_timer with
   * `icsk_rto << 1`, capped at TCP_RTO_MAX): copies at 1, 2, 4, 8 … RTOs after the first send,
   * one probe per tail-loss episode (tp->tlp_high_seq). Recorded (nginx-tls-storm-w1, RTO 0.2 s
   * on loopback): rounds of handshakes 0.2, 0.4, 0.8, 1.6 and 3.2 s after the connects, and
   * TCPLossProbes ≈ the connections whose final ACK was dropped. Simplified: the retransmissions
   * go on while the connection lives (tcp_retries2 = 15 gives up after ~15 min, beyond any storm
   * here); a host gone or nginx stopped meanwhile ends them here (the connection's end is theirs).
   * A connection whose SYN got a request sock (not a SYN cookie) has one more way in: the
   * listener's SYN-ACK resends, 1, 3, 7 … s after the SYN, each answered by an ACK that creates
   * the child if the queue has room then (syn-queue.ts SynQueues); that ACK carries no data, so
   * the handshake still starts only at the next copy here, which needs no room then. A copy that
   * gets the connection in ends the resends.
   */
  private readonly dataRetransmitted = (r: AckRetransmit): void => {
    const q = this.listenQueues!;
    const conn = r.conn;
    if (!awaitsAdmission(this.w, q, conn, r.backend, r.serial)) {
      if (r.req !== null) this.synQueues.remove(r.req);
      return;
    }
    if (r.req?.expired === true) {
      this.expiredReset(r);
      return;
    }
    if (r.req === null && !synCookieValid(r.cookieSentAt, this.cookieTime(r.backend))) {
      // Its SYN cookie no longer decodes (60 to 120 s after the SYN): the listener resets the
      // copy, room or not (net/request-sock.ts synCookieValid; as app/app-listener.ts dataCopy).
      this.cookieReset(r);
      return;
    }
    const backend = this.w.backends[r.backend];
    r.sent++;
    // A challenge ACK made the child already: this copy brings its ClientHello, no room needed.
    const childCreated = r.req?.childCreated === true;
    if (childCreated || !acceptQueueFull(this.synQueues.acceptQueued(q, r.backend, r.conn), backend.maxAckBacklog)) {
      // A worker accept()ed the challenge ACK's child before this ClientHello came (childAccepted
      // ran): its handshake is a worker's queued work, no longer an accept-queue place. Linux
      // inet_csk_complete_hashdance queued the child once; nginx ngx_event_accept took it then.
      const acceptedEarly = childCreated && r.req?.unaccepted === false;
      if (r.req !== null) {
        this.synQueues.remove(r.req);
        this.synQueues.childAccepted(r.req);
      }
      q.admit(conn, acceptedEarly);
      return;
    }
    // The tail loss probe (the first copy) leaves the RTO as it is; each RTO doubles it.
    r.rto = nextDataCopyRto(r.sent, r.rto);
    this.ackDropped(r);
  };

  /**
   * The request sock of `r`'s connection expired (syn-queue.ts: reqsk_timer_handler dropped it
   * after its SYN-ACK retries) and the sender's data copy, carrying the ACK again, now reaches the
   * listener. Verified in Linux 6.18: tcp_v4_rcv (net/ipv4/tcp_ipv4.c) finds the listener (no
   * request sock in the ehash any more) and tcp_v4_do_rcv → tcp_v4_cookie_check → cookie_v4_check
   * (net/ipv4/syncookies.c) returns the listener itself: with no SYN cookie sent recently
   * (tcp_synq_no_recent_overflow) it looks no further, otherwise the ACK's ack_seq − 1 is the
   * request sock's ISN, no cookie (__cookie_v4_check fails, SyncookiesFailed). In TCP_LISTEN
   * tcp_rcv_state_process answers an ACK with `return 1` and tcp_v4_do_rcv resets
   * (tcp_v4_send_reset): the sender, ESTABLISHED since the SYN-ACK, gets RST and its application
   * ECONNRESET at this copy, whatever room the accept queue has now.
   */
  private expiredReset(r: AckRetransmit): void {
    const w = this.w;
    const backend = w.backends[r.backend];
    w.trace.emitLimited(`synack-reset-${r.backend}`, {
      kind: 'kernel.synack_resend',
      backend: backend.name,
      outcome: 'reset',
      // It expired at its firing numTimeout == retries (syn-queue.ts timerFires): both are that.
      resend: r.req!.numTimeout,
      retries: r.req!.numTimeout,
      queued: this.synQueues.acceptQueued(this.listenQueues!, r.backend, r.conn),
      limit: backend.nginxBacklog,
      requestSocks: this.synQueues.requestSocks(r.backend),
      nextIn: 0,
    });
    this.listenQueues!.refuse(r.conn);
  }

  /**
   * The SYN cookie of `r`'s connection no longer decodes when its data copy, carrying the ACK
   * again, reaches nginx's listener: check_tcp_syn_cookie (net/ipv4/syncookies.c) refuses a
   * cookie whose tcp_cookie_time() count is MAX_SYNCOOKIE_AGE (2, include/net/tcp.h) behind, so
   * cookie_v4_check hands back the listener (SyncookiesFailed) and, as for an expired request sock
   * (expiredReset), tcp_rcv_state_process in TCP_LISTEN returns 1 for an ACK and tcp_v4_do_rcv
   * sends RST (tcp_v4_send_reset): ECONNRESET at this copy, whatever room the queue has now.
   */
  private cookieReset(r: AckRetransmit): void {
    const w = this.w;
    const backend = w.backends[r.backend];
    w.trace.emitLimited(`synack-reset-${r.backend}`, {
      kind: 'kernel.synack_resend',
      backend: backend.name,
      outcome: 'cookie_expired',
      // A cookie has no request sock, so no SYN-ACK resend.
      resend: 0,
      retries: 0,
      queued: this.synQueues.acceptQueued(this.listenQueues!, r.backend, r.conn),
      limit: backend.nginxBacklog,
      requestSocks: this.synQueues.requestSocks(r.backend),
      nextIn: 0,
    });
    this.listenQueues!.refuse(r.conn);
  }

  /** tcp_cookie_time() on VM `b`'s kernel now (include/net/tcp.h: jiffies / 60 s). */
  private cookieTime(b: number): number {
    const clock = this.w.backends[b].host.clock;
    return synCookieTime(clock.jiffies(this.w.now), clock.hz);
  }

  private readonly timedOut = (a: Attempt): void => this.failedAttempt(a, 'timeout');
  /**
   * The connecting kernel gave up on the SYNs (tcp_write_timeout → tcp_write_err: sk_err
   * ETIMEDOUT): for HAProxy an asynchronous connection error (the socket reports it, conn_sock /
   * sock_conn_check → CO_FL_ERROR: STRM_ET_CONN_ERR, not the STRM_ET_CONN_TO of its own timeout
   * connect), retried by back_handle_st_cer after the same turn-around pause as a refusal; behind
   * a NAT the client's own connect() fails with ETIMEDOUT.
   */
  private readonly synGaveUp = (a: Attempt): void => this.failedAttempt(a, 'timeout', true);
  private readonly retryNow = (a: Attempt): void => this.attempt(a);
  /** The turn-around pause ended: the stream connects again (in `cur_sess` once more). */
  private readonly retryAfterPause = (a: Attempt): void => {
    this.endPause(a);
    this.attempt(a);
  };
  /** The stream no longer waits out a turn-around pause on `servedOn` (LoadBalancer.turnAround). */
  private endPause(a: Attempt): void {
    if (!a.pausing) return;
    a.pausing = false;
    this.w.lb.turnAround[a.servedOn]--;
  }

  /**
   * The balancer's own connect() found no source port (EADDRNOTAVAIL on its host): HAProxy's
   * tcp_connect_server() returns SF_ERR_RESOURCE, a local error it retries at once, without the
   * turn-around pause (back_handle_st_req() → back_handle_st_cer(), src/backend.c).
   */
  private noSourcePort(a: Attempt): void {
    const w = this.w;
    w.metrics.inc(w.c.lbEaddrnotavail, a.backend);
    w.trace.emitLimited(`lb-no-port-${a.backend}`, {
      kind: 'lb.no_port',
      backend: w.backends[a.backend].name,
      portRange: w.scenario.lb.kernel.ip_local_port_range,
      twReuse: w.scenario.lb.kernel.tcp_tw_reuse,
    });
    this.failedAttempt(a, 'no_port');
  }

  /** `back_handle_st_cer()`: give up after `retries` retries, else retry where and when HAProxy does. */
  /**
   * `unreachable`: ICMP host unreachable for the SYN (tcp_v4_err in SYN_SENT: connect() fails with
   * EHOSTUNREACH), for HAProxy a connection error like a refusal (STRM_ET_CONN_ERR: the
   * turn-around pause before a retry); behind a NAT the client's own connect() fails so.
   */
  private failedAttempt(
    a: Attempt,
    cause: 'refused' | 'timeout' | 'no_port' | 'unreachable',
    kernelGaveUp = false,
  ): void {
    const w = this.w;
    const lb = w.scenario.lb;
    const b = a.backend;
    const refused = cause === 'refused';
    const unreachable = cause === 'unreachable';
    // A retry is a new connect(): its SYNs start a schedule of their own.
    a.synsDropped = 0;
    // The SYN was refused or never answered: the balancer's socket closes without TIME_WAIT.
    w.releaseLbEnd(a.conn, false);
    // An L4 NAT (IPVS, kube-proxy, NLB) forwards the client's own SYN: no retry of its own.
    if (a.retriesDone >= lb.retries || lb.mode === 'nat') {
      this.leaveServed(a);
      w.trace.emitLimited(`lb-connect-fail-${b}`, {
        kind: 'lb.connect_failed',
        backend: w.backends[b].name,
        retries: a.retriesDone,
        cause: kernelGaveUp ? 'syn_giveup' : cause,
        connectTimeout: lb.connect_timeout,
        synRetries: this.synRetries,
        retryInterval: lb.retry_interval,
        redispatch: lb.redispatch,
        clientSees:
          lb.mode === 'nat'
            ? refused
              ? 'ECONNREFUSED'
              : unreachable
                ? 'EHOSTUNREACH'
                : kernelGaveUp
                  ? 'ETIMEDOUT'
                  : 'client_timeout'
            : 'EOF',
      });
      if (lb.mode === 'nat') {
        // The client's own SYN met the refusal (RST) or the node's ICMP (both back a round trip
        // after the SYN that met them), or the silence (its own kernel's or timer's give-up, now):
        // it sees the errno itself — ETIMEDOUT only from its kernel (tcp_write_timeout →
        // tcp_write_err once the SYN retries are spent, net/ipv4/tcp_timer.c); a NAT has no
        // timeout connect, so lb.connect_timeout stands for the client's own connect timer
        // (curl --connect-timeout, Go's Dialer.Timeout): its library's error, CLIENT_TIMEOUT.
        if (refused) this.synAnswered(a, ErrorKind.ECONNREFUSED, b);
        else if (unreachable) this.synAnswered(a, ErrorKind.EHOSTUNREACH, b);
        else {
          w.releaseClientEnd(a.conn, false);
          a.handler.connectFailed(a.conn, kernelGaveUp ? ErrorKind.ETIMEDOUT : ErrorKind.CLIENT_TIMEOUT, b);
        }
        return;
      }
      // HAProxy mode tcp accepted the client before connecting to the server; giving up, it only
      // sets the termination flags (`default_srv_error()`, src/stream.c) and shuts the client side
      // without NOLINGER: the client reads EOF (FIN) where it waited for data — Node's
      // "socket hang up", ECONNRESET — and the LB, closing first, keeps the TIME_WAIT.
      w.metrics.inc(w.c.closedFin, b);
      this.proxyCloses(a, b);
      return;
    }
    a.retriesDone++;
    const f = this.facts;
    f.redispatch = lb.redispatch;
    f.redispatchInterval = lb.redispatch_interval;
    f.persistent = a.persistent; // a stick-table match (lb.sticky: source); tcp mode has no cookie
    f.serverRunning = w.lb.running(b);
    f.retryNumber = a.retriesDone;
    f.retries = lb.retries;
    f.activeServers = w.lb.activeCount();
    f.hashAlgorithm = lb.balance === 'source';
    const redispatching = choosesRedispatch(f);
    if (redispatching) {
      this.leaveServed(a);
      a.lastFailed = b;
      a.backend = -1;
    }
    // STRM_ET_CONN_ERR (a refusal or the kernel's give-up) pauses before the retry; a timeout does not.
    const pause = turnAroundPause(
      refused || unreachable || kernelGaveUp,
      redispatching,
      f.activeServers,
      Math.min(lb.retry_interval, lb.connect_timeout),
    );
    if (pause > 0) {
      // Kept on its server, the stream keeps its slot (served) through the pause but leaves its
      // cur_sess (back_handle_st_cer(), src/backend.c: SF_CURR_SESS cleared, cur_sess--) until
      // connect_server() raises it again: the DOWN line's "sessions active" and `show stat` scur
      // leave it out.
      if (a.servedOn === b) {
        a.pausing = true;
        w.lb.turnAround[b]++;
      }
      w.engine.schedule(pause, this.retryAfterPause, a);
    } else this.attempt(a);
  }
}
