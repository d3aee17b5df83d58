import type { SeriesId } from '../../metrics/metrics.js';
import { acceptQueueFull } from '../../net/listen-queue.js';
import { reqskTimeout, synAckRetries, synQueueFull, TCP_TIMEOUT_INIT_S } from '../../net/request-sock.js';
import type { Conn } from '../core/conn.js';
import type { World } from '../core/world.js';

/** The listener's counters, as nstat names them (defined only where nginx's accept queue is modelled). */
interface SynCounters {
  /** SYNs answered with a SYN cookie: the SYN queue held more than the backlog (SyncookiesSent). */
  cookies: SeriesId;
  /** SYN-ACKs resent by the request socks' timers (tcp_rtx_synack: the SYN-ACK part of TCPSynRetrans). */
  resends: SeriesId;
  /** Answers to resends that created the connection. */
  admitted: SeriesId;
  /** Answers to resends dropped on the full accept queue (also in syn_drops). */
  dropped: SeriesId;
  /** Request socks dropped after tcp_synack_retries timeouts. */
  expired: SeriesId;
}

/** nginx's accept queues on :443 (proxy/worker-cpu.ts TlsCpu). */
export interface ListenQueues {
  /**
   * How many connections VM `b`'s nginx holds not yet accept()ed (completed handshakes only); with
   * `conn`, in the accept queue of the listening socket its SYN reaches (`listen … reuseport`).
   */
  listenQueued(b: number, conn?: Conn): number;
  /** The serial of `conn`'s wait for the accept queue (0: in it already, or never waits). */
  awaitingAdmission(conn: Conn): number;
  /**
   * `conn`'s final ACK found room: it is queued for accept() and charged its handshake.
   * `acceptedEarly`: a worker accept()ed it before its ClientHello came (a challenge ACK's child,
   * SynQueues.childAccepted), so its handshake holds no accept-queue place (TlsCpu.admit).
   */
  admit(conn: Conn, acceptedEarly?: boolean): void;
  /**
   * VM `b`'s listener answered `conn`'s data with RST before any child existed (its request sock
   * expired): the wait ends and whatever waited for admission hears the reset.
   */
  refuse(conn: Conn): void;
}

/**
 * One request sock (struct request_sock, include/net/request_sock.h): the listener's state for a
 * handshake whose SYN it answered and whose child socket does not exist yet.
 */
export interface RequestSock {
  conn: Conn;
  backend: number;
  /** TlsCpu's serial of the connection's wait for the accept queue (ListenQueues.awaitingAdmission). */
  serial: number;
  /** When its SYN arrived (the SYN-ACK timer was armed then). */
  synAt: number;
  /** req->num_timeout: the SYN-ACK timer's firings so far. */
  numTimeout: number;
  /** When its SYN-ACK timer fires next (armed at the SYN, re-armed at each firing). */
  timerAt: number;
  /** Its timer's firing is scheduled (at the SYN when it fires before the ACK can arrive, else at the ACK's drop). */
  armed: boolean;
  /** Still in the SYN queue (until the child is created, the sender goes, or it expires). */
  live: boolean;
  /**
   * A challenge ACK created the child (challengeAckArrives): the connection is in nginx's accept
   * queue with no data, and its handshake starts when its ClientHello comes with the sender's next
   * data copy (l4-connect.ts dataRetransmitted), which then needs no room.
   */
  childCreated: boolean;
  /** That child still holds its place in the accept queue (until a worker accept()s it: childAccepted). */
  unaccepted: boolean;
  /**
   * Dropped after its SYN-ACK retries (reqsk_timer_handler): the sender's next data copy meets no
   * request sock and is answered with RST (l4-connect.ts dataRetransmitted).
   */
  expired: boolean;
}

/**
 * Whether `conn` still waits, as connection `serial`, for VM `b`'s accept queue, and that VM's
 * nginx still listens (a host gone or nginx stopped ends what waits: the connection's end is theirs).
 */
export function awaitsAdmission(w: World, q: ListenQueues, conn: Conn, b: number, serial: number): boolean {
  if (conn.backend !== b || q.awaitingAdmission(conn) !== serial) return false;
  const backend = w.backends[b];
  return backend.answersBalancer && backend.nginx.listening;
}

/**
 * The SYN queues of nginx's :443 listeners (one per VM) and the SYN-ACK timers of their request
 * socks. A SYN that passes the accept-queue check gets a request sock unless the SYN queue already
 * holds more than the backlog (then a SYN cookie: tcp_conn_request, net/ipv4/tcp_input.c). The
 * request sock leaves when its final ACK creates the child. When that ACK met a full accept queue
 * (tcp_check_req, net/ipv4/tcp_minisocks.c: listen_overflow with tcp_abort_on_overflow 0 sets
 * inet_rsk(req)->acked and returns NULL) it stays, and its timer (reqsk_timer_handler,
 * net/ipv4/inet_connection_sock.c) resends the SYN-ACK 1, 3, 7, 15, 31 s after the SYN: the
 * request sock's own rsk_timer (TIMER_PINNED, mod_timer) on the VM's timer wheel; syn_ack_recalc sets `resend` for every request sock without
 * TCP_DEFER_ACCEPT (nginx's default `listen` has none). The sender is ESTABLISHED: a SYN-ACK is a
 * SYN in its window, so tcp_validate_incoming (net/ipv4/tcp_input.c, "step 4", RFC 5961 4.2)
 * answers with a challenge ACK — rate-limited per socket to one per tcp_invalid_ratelimit
 * (500 ms) and per netns by tcp_challenge_ack_limit (INT_MAX, off, since 6.0), neither reached by
 * resends ≥ 1 s apart. That ACK (ack_seq = the SYN-ACK's ISN + 1, seq within the window) passes
 * tcp_check_req and creates the child if the accept queue has room (tcp_v4_syn_recv_sock), or is
 * dropped again (ListenOverflows). A child created by a challenge ACK has no data: the challenge
 * ACK is a pure ACK (tcp_send_challenge_ack → __tcp_send_ack(sk, rcv_nxt)) and leaves the sender's
 * retransmission timer alone, so its ClientHello comes only with the sender's next data copy, on
 * that RTO schedule (l4-connect.ts dataRetransmitted), and nginx's worker starts the handshake
 * then (TlsCpu.admit). Until then the connection takes the accept-queue slot it found, and a
 * worker accept()s it at no CPU cost (nothing to read) once the connections queued before it are
 * accepted: nginx accepts one connection per event-loop iteration (ngx_event_accept,
 * src/event/ngx_event_accept.c: multi_accept off) and a busy worker's iteration is a handshake, so
 * about `listenQueued · handshake_cpu / worker_processes` later (childAccepted); it holds no place
 * after that. A request sock whose SYN-ACK timer fired tcp_synack_retries times is
 * dropped (syn_ack_recalc `expire`), fewer when the SYN queue is mostly old (synAckRetries).
 * The sender's next data copy then finds no request sock and no valid cookie and is answered with
 * RST (l4-connect.ts dataRetransmitted, `expired`).
 */
export class SynQueues {
  /**
   * Request socks per VM (qlen). Simplified: kept per VM, not per listening socket, so after an
   * nginx stop/start those of the old listener (req->rsk_listener) count against the new one
   * until their timer fires and drops them (reqsk_timer_handler: listener not in TCP_LISTEN; here
   * the connection no longer awaits admission): up to 32 s for an acked one. Nor per
   * `reuseport` socket (inet_csk_reqsk_queue_len is the listener's): the SYN-queue limit stays
   * the VM's, while the accept queue is counted per socket (acceptQueued with the connection).
   */
  private readonly length: number[] = [];
  private readonly young: number[] = [];
  /** Children made by challenge ACKs that no worker has accept()ed yet, per VM: accept-queue places. */
  private readonly unaccepted: number[] = [];

  private counters: SynCounters | null = null;

  constructor(
    private readonly w: World,
    private readonly queues: () => ListenQueues,
  ) {}

  /** Define the counters (once, where nginx's accept queue is modelled: LbConnector.listenQueues). */
  countOn(): void {
    if (this.counters !== null) return;
    const m = this.w.metrics;
    this.counters = {
      cookies: m.counter(
        'syn_cookies',
        'SYN',
        "SYNs nginx's :443 listener answered with a SYN cookie because its SYN queue held more than the backlog (tcp_conn_request; nstat TcpExtSyncookiesSent)",
      ),
      resends: m.counter(
        'synack_resends',
        'SYN-ACK',
        "SYN-ACKs resent by the request socks' timers (reqsk_timer_handler; nstat counts them in TcpExtTCPSynRetrans)",
      ),
      admitted: m.counter(
        'synack_resend_admitted',
        'conn',
        'Connections whose answer to a resent SYN-ACK found room in the accept queue',
      ),
      dropped: m.counter(
        'synack_resend_dropped',
        'conn',
        'Answers to resent SYN-ACKs dropped on the full accept queue (counted in syn_drops too)',
      ),
      expired: m.counter(
        'request_socks_expired',
        'conn',
        'Request socks dropped after tcp_synack_retries SYN-ACK timeouts (fewer while the SYN queue is mostly old)',
      ),
    };
  }

  private inc(pick: (c: SynCounters) => SeriesId, b: number): void {
    if (this.counters !== null) this.w.metrics.inc(pick(this.counters), b);
  }

  /**
   * A SYN for VM `b` passed the accept-queue check now: a request sock, or null when the SYN queue
   * already holds more than `maxAckBacklog` (a SYN cookie: no state kept).
   */
  received(conn: Conn, b: number, serial: number, maxAckBacklog: number): RequestSock | null {
    while (this.length.length <= b) {
      this.length.push(0);
      this.young.push(0);
      this.unaccepted.push(0);
    }
    if (synQueueFull(this.length[b], maxAckBacklog)) {
      this.inc((c) => c.cookies, b);
      return null;
    }
    this.length[b]++;
    this.young[b]++;
    const w = this.w;
    // tcp_conn_request → inet_csk_reqsk_queue_hash_add → reqsk_queue_hash_req: the request sock's
    // rsk_timer is armed now for req->timeout (TCP_TIMEOUT_INIT), on the VM's timer wheel.
    const timerAt = w.backends[b].host.clock.timerFiresAt(w.now, TCP_TIMEOUT_INIT_S);
    const req: RequestSock = {
      conn,
      backend: b,
      serial,
      synAt: w.now,
      numTimeout: 0,
      timerAt,
      armed: false,
      live: true,
      childCreated: false,
      unaccepted: false,
      expired: false,
    };
    // It fires whatever the ACK's fate; a firing after the child exists finds nothing (remove),
    // so the event is scheduled now only when it can come before the ACK (RTT ≥ ~1 s): a resend
    // to a request sock still waiting for its ACK (young--), answered like any other.
    if (timerAt <= w.now + w.scenario.clients.rtt) this.arm(req);
    return req;
  }

  /** The request sock leaves the SYN queue (child created, sender gone, or expired). */
  remove(req: RequestSock): void {
    if (!req.live) return;
    req.live = false;
    this.length[req.backend]--;
    if (req.numTimeout === 0) this.young[req.backend]--;
  }

  /** Its final ACK met the full accept queue: it stays, acked, its SYN-ACK timer running from the SYN. */
  ackDropped(req: RequestSock): void {
    if (!req.armed) this.arm(req);
  }

  private arm(req: RequestSock): void {
    req.armed = true;
    this.w.engine.at(req.timerAt, this.timerFires, req);
  }

  /**
   * Connections VM `b`'s kernel holds on nginx's :443 not yet accept()ed: TlsCpu's (completed
   * handshakes whose worker is busy) and the children of challenge ACKs waiting for their accept.
   * `conn`: those in the accept queue its SYN meets (with `listen … reuseport`, its socket's own:
   * TlsCpu.listenQueued; the challenge ACKs' children still counted per VM, a simplification).
   */
  acceptQueued(q: ListenQueues, b: number, conn?: Conn): number {
    return q.listenQueued(b, conn) + (this.unaccepted[b] ?? 0);
  }

  /** A worker accept()ed the child of a challenge ACK (or its ClientHello came first): its place is free. */
  readonly childAccepted = (req: RequestSock): void => {
    if (!req.unaccepted) return;
    req.unaccepted = false;
    this.unaccepted[req.backend]--;
  };

  /** Request socks VM `b`'s listener holds. */
  requestSocks(b: number): number {
    return this.length[b] ?? 0;
  }

  /** reqsk_timer_handler: expire, or resend the SYN-ACK (answered one RTT later) and re-arm. */
  private readonly timerFires = (req: RequestSock): void => {
    if (!req.live) return;
    const w = this.w;
    const b = req.backend;
    if (!awaitsAdmission(w, this.queues(), req.conn, b, req.serial)) {
      this.remove(req);
      return;
    }
    const backend = w.backends[b];
    const retries = synAckRetries(this.length[b], this.young[b], backend.maxAckBacklog);
    if (req.numTimeout >= retries) {
      this.remove(req);
      req.expired = true;
      this.inc((c) => c.expired, b);
      this.trace(req, 'expired', retries, 0);
      return;
    }
    // `if (req->num_timeout++ == 0) atomic_dec(&queue->young)`, then mod_timer(reqsk_timeout(req)).
    if (req.numTimeout++ === 0) this.young[b]--;
    req.timerAt = backend.host.clock.timerFiresAt(w.now, reqskTimeout(req.numTimeout));
    this.inc((c) => c.resends, b);
    w.engine.schedule(w.scenario.clients.rtt, this.challengeAckArrives, req);
  };

  /**
   * The sender's answer to the resent SYN-ACK reaches the listener: the child (accept-queue slot
   * now, handshake at the next data copy), or dropped again.
   */
  private readonly challengeAckArrives = (req: RequestSock): void => {
    if (!req.live) return;
    const w = this.w;
    const b = req.backend;
    const q = this.queues();
    if (!awaitsAdmission(w, q, req.conn, b, req.serial)) {
      this.remove(req);
      return;
    }
    const backend = w.backends[b];
    const retries = synAckRetries(this.length[b], this.young[b], backend.maxAckBacklog);
    if (!acceptQueueFull(this.acceptQueued(q, b, req.conn), backend.maxAckBacklog)) {
      this.inc((c) => c.admitted, b);
      this.trace(req, 'admitted', retries, 0);
      this.remove(req);
      // tcp_check_req → tcp_v4_syn_recv_sock: the child, with no data; the ClientHello comes with
      // the sender's next data copy (l4-connect.ts dataRetransmitted), which charges the handshake.
      // Meanwhile it waits in the accept queue behind those queued before it (one accept() per
      // event-loop iteration, a busy worker's iteration being a handshake).
      req.childCreated = true;
      req.unaccepted = true;
      this.unaccepted[b]++;
      const acceptIn =
        (q.listenQueued(b) * backend.app.config.tls.handshake_cpu) / backend.nginx.config.worker_processes;
      w.engine.schedule(acceptIn, this.childAccepted, req);
      return;
    }
    w.metrics.inc(w.c.synDrops, b);
    this.inc((c) => c.dropped, b);
    this.trace(req, 'dropped', retries, req.timerAt - w.now);
    w.engine.at(req.timerAt, this.timerFires, req);
  };

  private trace(req: RequestSock, outcome: 'admitted' | 'dropped' | 'expired', retries: number, nextIn: number): void {
    const w = this.w;
    const b = req.backend;
    const backend = w.backends[b];
    w.trace.emitLimited(`synack-resend-${b}`, {
      kind: 'kernel.synack_resend',
      backend: backend.name,
      outcome,
      resend: req.numTimeout,
      retries,
      queued: this.acceptQueued(this.queues(), b, req.conn),
      limit: backend.nginxBacklog,
      requestSocks: this.length[b],
      nextIn,
    });
  }
}
