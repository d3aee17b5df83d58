import { inWholeJiffies } from '../../net/jiffies.js';
import { acceptQueueFull, Handshake, ListenerChecks, nextDataCopyRto } from '../../net/listen-queue.js';
import {
  reqskTimeout,
  synAckRetries,
  synCookieTime,
  synCookieValid,
  TCP_TIMEOUT_INIT_S,
} from '../../net/request-sock.js';
import { firstDataRto } from '../../net/tcp.js';
import { wheelOf } from '../../net/timer-wheel.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';

/**
 * The sender of a connection whose final ACK the app's full accept queue dropped: ESTABLISHED
 * since the SYN-ACK (its connect() returned, its request is sent), waiting for the kernel to make
 * the child.
 */
export interface AckWaiter {
  /** Its connection still wants in (false: the sender gave up or closed it meanwhile). */
  waiting(): boolean;
  /** The child exists now and holds the request: it is in the app's accept queue. */
  admitted(): void;
  /** The listener answered its data with RST (its request sock expired, or the app's listener closed). */
  reset(): void;
  /** The listener forgets the wait because waiting() said no: the sender lets go of what it held. */
  gone?(): void;
  /**
   * A challenge ACK made the child without data: it is in the app's accept queue now, in its
   * place, and the worker that accept()s it blocks in recv() until `dataAt`, when the sender's
   * next copy brings the request. Absent: the child holds a place until its data and is then
   * admitted().
   */
  acceptedWithoutData?(dataAt: number): void;
}

/**
 * A kind of connection to the app (nginx's upstream connects, WebSocket upgrades, health checks,
 * the balancer's connects), made once: what the listener asks of one connection `subject`.
 */
export interface ListenerSender<T> {
  /** The wait of `subject`, whose final ACK was dropped (called then, once). */
  ackWaiter(subject: T): AckWaiter;
  /** Whether the host takes `subject`'s SYN at all (asked only once the listener would): absent, always. */
  takes?(subject: T): boolean;
  /**
   * Whose connection it is, for an event loop's accept queue (event-loop-accepts.ts queued: a
   * client's request that comes later is held there by it); absent, unnamed.
   */
  owner?(subject: T): object;
  /**
   * Seconds until `subject`'s final ACK reaches the listener after its SYN: a sender across a
   * round trip (the clients' own connects to a bare app, lb/l4-connect.ts: in the model's time
   * their SYN-ACK round trip is clients.rtt). Absent or 0: the whole handshake runs at once, as
   * a connect() from process context over loopback or an instant leg does.
   */
  finalAckIn?(subject: T): number;
}

/**
 * The sender kernel's timers: when a timer armed now for `seconds` fires (its timer wheel:
 * net/jiffies.ts JiffiesClock), at CONFIG_HZ `hz` (the RTO is a whole number of jiffies).
 */
export interface SenderTimers {
  readonly hz: number;
  timerFiresAt(now: number, seconds: number): number;
}

/** A sender without a modelled timer wheel (no balancer host: a NAT forwards the client's SYNs): its timers fire when due. */
export function exactTimers(hz: number): SenderTimers {
  return { hz, timerFiresAt: (now, seconds) => now + seconds };
}

/** A handshake whose final ACK was dropped, until its child exists. */
interface Pending {
  readonly b: number;
  readonly waiter: AckWaiter;
  /** The app process the SYN reached (AppProcess.epoch): its listener holds the request sock. */
  readonly epoch: number;
  /** Whose connection (ListenerSender.owner), for the accept queue it joins. */
  readonly owner: object | null;
  readonly clock: SenderTimers;
  readonly rtt: number;
  /** The sender's current RTO (whole jiffies) and the copies of its data sent after the first. */
  rto: number;
  copies: number;
  /** The request sock (null: a SYN cookie answered the SYN). */
  req: RequestSock | null;
  /** A SYN cookie's tcp_cookie_time() on the app's kernel when it was sent (NaN: a request sock). */
  readonly cookieSentAt: number;
  /** A challenge ACK made the child, without data: the next data copy brings the request. */
  childWithoutData: boolean;
  /** The app took the child without data (acceptedWithoutData): the copies have nothing left to do. */
  acceptedEarly: boolean;
  /** When the data copy armed last reaches the listener. */
  copyAt: number;
  /** A remote sender's final ACK is still on its way (finalAckArrives): no data copy yet. */
  ackDue: boolean;
}

/** struct request_sock of an acked handshake (include/net/request_sock.h). */
interface RequestSock {
  /** req->num_timeout. */
  numTimeout: number;
  /** In the SYN queue (until the child, the sender going, or expiry). */
  live: boolean;
  /** Dropped after its SYN-ACK retries (reqsk_timer_handler). */
  expired: boolean;
}

/**
 * The app's listening socket on every backend, between a SYN and the child the app's workers
 * accept(): both accept-queue checks (net/listen-queue.ts ListenerChecks: at the SYN,
 * tcp_conn_request; at the final ACK, tcp_v4_syn_recv_sock), and what the kernel does with a
 * handshake whose final ACK met the full queue (tcp_check_req listen_overflow,
 * net/ipv4/tcp_minisocks.c, tcp_abort_on_overflow 0): the request sock stays, acked, and the
 * sender — connected — gets in with
 * - a copy of its first data (it carries the ACK): the loss probe at the RTO, then RTO doubling,
 *   from firstDataRto on the sender's kernel (net/listen-queue.ts nextDataCopyRto) on its timer
 *   wheel, a child with the request when the queue has room; or
 * - its answer to a resent SYN-ACK (reqsk_timer_handler, net/ipv4/inet_connection_sock.c: 1, 3,
 *   7, 15, 31 s after the SYN, fewer retries while the SYN queue is mostly old, synAckRetries): the
 *   ESTABLISHED sender answers with a challenge ACK (tcp_validate_incoming, net/ipv4/tcp_input.c),
 *   which creates the child without data if the queue has room. That child holds an accept-queue
 *   place and its request arrives with the next data copy.
 * A request sock that runs out of retries is dropped: the next copy meets the listener, no cookie,
 * and is answered with RST (tcp_v4_do_rcv → tcp_v4_send_reset). The SYN queue is the app's
 * listener's (synQueueFull: a SYN cookie past the backlog, no request sock, no resend); a
 * cookie's copies get in only while it decodes, 60 to 120 s after the SYN, and the first copy
 * after that is reset the same way (net/request-sock.ts synCookieValid).
 * A child without data is accepted in its turn and its worker blocks in recv() until the next
 * copy (AckWaiter.acceptedWithoutData, nginx's upstream connects); for senders without that verb
 * it holds an accept-queue place until its data (simplified).
 */
export class AppListener {
  private readonly checks: ListenerChecks[];
  /** Children made by challenge ACKs waiting for their data, per backend. */
  private readonly childrenWithoutData: number[];
  /** The app process (AppProcess.epoch) whose listener the counts above are. */
  private readonly listenerEpoch: number[];

  constructor(
    private readonly w: World,
    /**
     * The connections the app holds not yet accept()ed (AppServer.acceptQueued): a
     * worker-per-connection app's queued requests, an event loop's connections made during its
     * iteration (event-loop-accepts.ts).
     */
    private readonly queuedRequests: (backend: Backend) => number,
    /** A child (of `owner`'s connection, if named) joined the accept queue: an event loop holds it until its accept (AppServer.childJoined). */
    private readonly childJoined: (backend: Backend, owner: object | null) => void,
  ) {
    const n = w.backends.length;
    this.checks = w.backends.map(() => new ListenerChecks());
    this.childrenWithoutData = new Array<number>(n).fill(0);
    this.listenerEpoch = w.backends.map((b) => b.app.epoch);
  }

  /** Connections the app's kernel holds not yet accept()ed: queued requests and children without data. */
  children(backend: Backend): number {
    return this.queuedRequests(backend) + this.withoutData(backend);
  }

  /** sk_max_ack_backlog of the app's listener: min(backlog, somaxconn). */
  private maxAckBacklog(backend: Backend): number {
    return backend.appBacklog - 1;
  }

  /**
   * A SYN reaches the app's listener now. `retransmitted`: sent by the sender's SYN timer (a
   * timer-softirq batch), not by connect() itself. SYN_DROPPED: the sender retransmits it. CHILD:
   * the caller hands the request to the app now. ACK_DROPPED (never ACK_DROPPED_COOKIE): the
   * sender is connected and its request sent, and `waiter` hears later (admitted or reset); the
   * connect is the caller's to count. ACK_PENDING (a sender with finalAckIn): the same for the
   * caller; the ACK, on its way, meets the accept queue when it comes (finalAckArrives).
   * `rtt` and `clock`: the round trip to the sender and the sender kernel's timer wheel. A SYN
   * the host does not take (sender.takes) is SYN_DROPPED as well: the caller knows why.
   */
  handshake<T>(
    backend: Backend,
    retransmitted: boolean,
    rtt: number,
    clock: SenderTimers,
    sender: ListenerSender<T>,
    subject: T,
  ): Handshake {
    const b = backend.index;
    const max = this.maxAckBacklog(backend);
    const checks = this.checks[b];
    const ackIn = sender.finalAckIn?.(subject) ?? 0;
    // A remote sender's batch of retransmitted SYNs has none of its ACKs in before its last SYN:
    // each SYN sees the queue as it is (ListenerChecks.synReceived).
    const batched = retransmitted && !(ackIn > 0);
    if (!checks.synPasses(this.w.now, this.children(backend), max, batched)) return Handshake.SYN_DROPPED;
    // The caller's own test of the SYN (its 4-tuple on the host), asked once the listener takes it.
    if (sender.takes !== undefined && !sender.takes(subject)) return Handshake.SYN_DROPPED;
    if (ackIn > 0) return this.synReceived(backend, ackIn, rtt, clock, sender, subject);
    const h = checks.finalAck(this.children(backend), max, retransmitted);
    const owner = sender.owner?.(subject) ?? null;
    if (h === Handshake.CHILD) this.childJoined(backend, owner);
    if (h !== Handshake.ACK_DROPPED && h !== Handshake.ACK_DROPPED_COOKIE) return h;
    const w = this.w;
    // A request sock (counted by the checks), or a SYN cookie: no state, no SYN-ACK resend.
    const req: RequestSock | null = h === Handshake.ACK_DROPPED ? { numTimeout: 0, live: true, expired: false } : null;
    const rto = inWholeJiffies(firstDataRto(rtt), clock.hz);
    const p: Pending = {
      b,
      waiter: sender.ackWaiter(subject),
      epoch: backend.app.epoch,
      owner,
      clock,
      rtt,
      rto,
      copies: 0,
      req,
      cookieSentAt: req === null ? this.cookieTime(backend) : Number.NaN,
      childWithoutData: false,
      acceptedEarly: false,
      copyAt: Number.NaN,
      ackDue: false,
    };
    w.metrics.inc(w.c.synDrops, b);
    // The line quotes the queue the dropping check counted (a batch's, not children() alone).
    this.trace(p, 'ack_dropped', checks.ackQueue(this.children(backend), retransmitted));
    this.armDataCopy(p);
    // tcp_conn_request → inet_csk_reqsk_queue_hash_add: the request sock's timer, armed at the SYN
    // for TCP_TIMEOUT_INIT on the app's kernel.
    if (req !== null) this.armSynAckTimer(backend, p, TCP_TIMEOUT_INIT_S);
    return Handshake.ACK_DROPPED;
  }

  /**
   * The SYN of a sender across a round trip passed: a request sock (or a SYN cookie once the SYN
   * queue holds more than the backlog: ListenerChecks.synReceived) and the SYN-ACK, its timer
   * armed now (tcp_conn_request → inet_csk_reqsk_queue_hash_add, TCP_TIMEOUT_INIT), and the
   * final ACK `ackIn` s later (finalAckArrives), where the accept queue decides. The sender is
   * connected then whatever the ACK meets: the caller goes on as for ACK_DROPPED, and `waiter`
   * (made now: the request the client sends once connected waits for the child) hears later.
   */
  private synReceived<T>(
    backend: Backend,
    ackIn: number,
    rtt: number,
    clock: SenderTimers,
    sender: ListenerSender<T>,
    subject: T,
  ): Handshake {
    const w = this.w;
    const cookie = !this.checks[backend.index].synReceived(this.maxAckBacklog(backend));
    const req: RequestSock | null = cookie ? null : { numTimeout: 0, live: true, expired: false };
    const p: Pending = {
      b: backend.index,
      waiter: sender.ackWaiter(subject),
      epoch: backend.app.epoch,
      owner: sender.owner?.(subject) ?? null,
      clock,
      rtt,
      rto: inWholeJiffies(firstDataRto(rtt), clock.hz),
      copies: 0,
      req,
      cookieSentAt: cookie ? this.cookieTime(backend) : Number.NaN,
      childWithoutData: false,
      acceptedEarly: false,
      copyAt: Number.NaN,
      ackDue: true,
    };
    if (req !== null) this.armSynAckTimer(backend, p, TCP_TIMEOUT_INIT_S);
    w.engine.schedule(ackIn, this.finalAckArrives, p);
    return Handshake.ACK_PENDING;
  }

  /**
   * A remote sender's final ACK reaches the listener (synReceived): tcp_check_req
   * (net/ipv4/tcp_minisocks.c) → tcp_v4_syn_recv_sock (net/ipv4/tcp_ipv4.c) makes the child if
   * the accept queue has room now (sk_acceptq_is_full; a SYN cookie's ACK the same way through
   * cookie_v4_check → tcp_get_cookie_sock) and inet_csk_complete_hashdance queues it; a full
   * queue drops the ACK (exit_overflow; listen_overflow with tcp_abort_on_overflow 0 marks the
   * request sock acked and sends nothing): the sender, connected, retransmits its first data
   * (dataCopy) and the request sock's SYN-ACK timer runs on.
   */
  private readonly finalAckArrives = (p: Pending): void => {
    p.ackDue = false;
    const w = this.w;
    const backend = w.backends[p.b];
    // The sender let go before connecting (its SYN_SENT socket closed): the SYN-ACK met no socket
    // there and was answered with RST, which drops the request sock.
    if (this.senderLeft(p)) return;
    if (!backend.hostUp) {
      // Nobody takes the ACK; the sender, connected, sends its data copies unanswered.
      this.armDataCopy(p);
      return;
    }
    if (this.resetByListener(p)) return;
    if (this.roomFor(backend)) {
      this.removeRequestSock(p);
      this.childJoined(backend, p.owner);
      p.waiter.admitted();
      return;
    }
    w.metrics.inc(w.c.synDrops, p.b);
    this.trace(p, 'ack_dropped');
    this.armDataCopy(p);
  };

  private withoutData(backend: Backend): number {
    const b = backend.index;
    // The app's process died since: its listener, with its request socks and children, went with it.
    if (this.listenerEpoch[b] !== backend.app.epoch) {
      this.listenerEpoch[b] = backend.app.epoch;
      this.childrenWithoutData[b] = 0;
      this.checks[b].reset();
    }
    return this.childrenWithoutData[b];
  }

  /** `p`'s counts are still in the listener's (the process that took its SYN lives). */
  private sameListener(p: Pending): boolean {
    return this.w.backends[p.b].app.epoch === p.epoch;
  }

  /** tcp_cookie_time() on `backend`'s kernel now. */
  private cookieTime(backend: Backend): number {
    const clock = backend.host.clock;
    return synCookieTime(clock.jiffies(this.w.now), clock.hz);
  }

  private roomFor(backend: Backend): boolean {
    return !acceptQueueFull(this.children(backend), this.maxAckBacklog(backend));
  }

  /**
   * The listener that took the SYN is gone: the app died or closed it since (the host answers
   * RST). One kept open unattended (gunicorn's gthread worker draining: app-process.ts
   * keepsListenerDraining) still makes the child, whose request is then parked (AppServer.park).
   */
  private listenerGone(p: Pending): boolean {
    const backend = this.w.backends[p.b];
    return backend.app.epoch !== p.epoch || !backend.app.listening;
  }

  private removeRequestSock(p: Pending): void {
    const req = p.req;
    if (req === null || !req.live) return;
    req.live = false;
    if (!this.sameListener(p)) return; // the counts went with the old listener
    this.checks[p.b].requestSockGone(req.numTimeout === 0);
  }

  /** A copy of the sender's first data, carrying the final ACK again, reaches the listener. */
  private readonly dataCopy = (p: Pending): void => {
    // The app holds the child (acceptedWithoutData): this copy is the request it waits for.
    if (p.acceptedEarly) return;
    const backend = this.w.backends[p.b];
    if (!p.waiter.waiting() && p.childWithoutData && this.sameListener(p)) this.childrenWithoutData[p.b]--;
    if (this.senderLeft(p)) return;
    if (!backend.hostUp) {
      // A vanished host answers nothing: the copies go on, unanswered, until the sender gives up.
      this.nextCopy(p);
      return;
    }
    if (this.resetByListener(p)) return;
    if (p.req === null && !synCookieValid(p.cookieSentAt, this.cookieTime(backend))) {
      // Its SYN cookie no longer decodes (60 to 120 s after the SYN): the listener resets the
      // copy, room or not (net/request-sock.ts synCookieValid).
      this.trace(p, 'cookie_expired');
      p.waiter.reset();
      return;
    }
    if (p.childWithoutData) {
      // A challenge ACK made the child: this copy brings its request, no room needed.
      this.childrenWithoutData[p.b]--;
      p.waiter.admitted();
      return;
    }
    if (this.roomFor(backend)) {
      this.removeRequestSock(p);
      this.childJoined(backend, p.owner);
      p.waiter.admitted();
      return;
    }
    this.w.metrics.inc(this.w.c.synDrops, p.b);
    this.nextCopy(p);
  };

  /**
   * The sender let go (its socket closed) before its final ACK or data copy got in: the request
   * sock goes. True when so — the same for the ACK (finalAckArrives) and a copy (dataCopy).
   */
  private senderLeft(p: Pending): boolean {
    if (p.waiter.waiting()) return false;
    this.removeRequestSock(p);
    p.waiter.gone?.();
    return true;
  }

  /**
   * The listener that made the request sock is gone (or the sock expired): the ACK or data copy
   * finds none and is reset (tcp_v4_do_rcv → tcp_v4_send_reset). True when so.
   */
  private resetByListener(p: Pending): boolean {
    if (!this.listenerGone(p) && p.req?.expired !== true) return false;
    this.removeRequestSock(p);
    this.trace(p, 'reset');
    p.waiter.reset();
    return true;
  }

  /** The sender's retransmission timer: the next copy one RTO on, doubled after the loss probe. */
  private nextCopy(p: Pending): void {
    p.copies++;
    p.rto = nextDataCopyRto(p.copies, p.rto);
    this.armDataCopy(p);
  }

  /**
   * The sender's retransmission timer (icsk_retransmit_timer, not pinned) on its kernel's timer
   * wheel: a tick's timers run in the kernel's order (net/timer-wheel.ts), so the copies of one
   * tick meet the listener in that order.
   */
  private armDataCopy(p: Pending): void {
    const w = this.w;
    p.copyAt = p.clock.timerFiresAt(w.now, p.rto);
    const wheel = wheelOf(w.engine, p.clock);
    if (wheel !== null) wheel.arm(w.now, p.rto, this.dataCopy, p);
    else w.engine.at(p.copyAt, this.dataCopy, p);
  }

  /** The request sock's rsk_timer on the app's kernel: TIMER_PINNED (reqsk_queue_hash_req). */
  private armSynAckTimer(backend: Backend, p: Pending, seconds: number): void {
    wheelOf(this.w.engine, backend.host.clock)!.arm(this.w.now, seconds, this.synAckTimer, p, true);
  }

  /** reqsk_timer_handler: expire the request sock, or resend the SYN-ACK and re-arm. */
  private readonly synAckTimer = (p: Pending): void => {
    const req = p.req!;
    if (!req.live) return;
    const w = this.w;
    const backend = w.backends[p.b];
    if (!p.waiter.waiting() || this.listenerGone(p) || !backend.hostUp) {
      this.removeRequestSock(p);
      return;
    }
    const checks = this.checks[p.b];
    const retries = synAckRetries(checks.requestSocks, checks.young, this.maxAckBacklog(backend));
    if (req.numTimeout >= retries) {
      this.removeRequestSock(p);
      req.expired = true;
      this.trace(p, 'expired');
      return;
    }
    // `if (req->num_timeout++ == 0) atomic_dec(&queue->young)`, then mod_timer(tcp_reqsk_timeout(req)).
    if (req.numTimeout++ === 0) checks.firstTimeout();
    this.armSynAckTimer(backend, p, reqskTimeout(req.numTimeout));
    // A SYN-ACK resent before the first ACK came (a round trip of 1 s or more) completes nothing
    // sooner: the ACK on its way decides (finalAckArrives).
    if (p.ackDue) return;
    w.engine.schedule(p.rtt, this.challengeAck, p);
  };

  /** The sender's answer to the resent SYN-ACK: the child without data if the queue has room. */
  private readonly challengeAck = (p: Pending): void => {
    const backend = this.w.backends[p.b];
    if (!p.req!.live || !p.waiter.waiting() || this.listenerGone(p) || !backend.hostUp) return;
    if (!this.roomFor(backend)) {
      this.w.metrics.inc(this.w.c.synDrops, p.b);
      return;
    }
    this.removeRequestSock(p);
    if (p.waiter.acceptedWithoutData !== undefined) {
      // The child is a connection in the accept queue like any other (tcp_child_process wakes
      // the listener): a one-connection-at-a-time worker accept()s it in turn and blocks in
      // recv() until the data copy comes (calibration/lib/blocking-server.py).
      p.acceptedEarly = true;
      this.childJoined(backend, p.owner);
      p.waiter.acceptedWithoutData(p.copyAt);
    } else {
      this.withoutData(backend);
      this.childrenWithoutData[p.b]++;
      p.childWithoutData = true;
    }
    this.trace(p, 'child_without_data');
  };

  private trace(
    p: Pending,
    outcome: 'ack_dropped' | 'child_without_data' | 'expired' | 'reset' | 'cookie_expired',
    queued = this.children(this.w.backends[p.b]),
  ): void {
    const backend = this.w.backends[p.b];
    this.w.trace.emitLimited(`app-ack-overflow-${p.b}-${outcome}`, {
      kind: 'kernel.app_ack_overflow',
      backend: backend.name,
      outcome,
      queued,
      limit: backend.appBacklog,
      requestSocks: this.checks[p.b].requestSocks,
      rto: p.rto,
    });
  }
}
