import { acceptQueueFull } from '../../net/listen-queue.js';
import { synFiringAt, synRetransmitSchedule } from '../../net/tcp.js';
import { type Conn, NO_MACHINE } from '../core/conn.js';
import type { FlowDownstream } from '../core/hop.js';
import { ErrorKind } from '../core/series.js';
import type { World } from '../core/world.js';

/** Who connects through the frontend: told when HAProxy accept()s the connection. */
export interface FrontendUser {
  /** HAProxy accept()ed `conn`: at its SYN (`waited` false), or from the accept queue when a slot freed. */
  frontAccepted(conn: Conn, downstream: FlowDownstream, waited: boolean): void;
  /** The kernel completed `conn`'s handshake into the accept queue of the full frontend (HAProxy reads nothing of it yet). */
  frontQueued(conn: Conn): void;
}

/** A connect that has not been accept()ed: in the accept queue, or its SYN dropped and due again. */
interface Waiting {
  conn: Conn;
  /** The client's record and connect() it stands for (a record is reused by the client's next connect, or by another client). */
  client: number;
  startedAt: number;
  downstream: FlowDownstream;
  user: FrontendUser;
  /** Firings of the client's SYN retransmission timer so far. */
  firings: number;
}

/**
 * HAProxy's frontend listener under `maxconn` (lb.frontend_maxconn; src/listener.c, v2.6.0). Each
 * client connection it accept()ed counts (feconn, and actconn against global maxconn) until its
 * session is freed (listener_release()); at the limit listener_accept() stops (`p->feconn >=
 * p->maxconn` → limit_listener(): the listener leaves the poller) and listener_release() resumes
 * it (resume_listener(), dequeue_proxy_listeners()), accepting from the queue up to the limit.
 * Meanwhile the kernel completes handshakes into the listening socket's accept queue, min(backlog,
 * somaxconn) + 1 of them (net/listen-queue.ts; backlog: listener_backlog(), the frontend's maxconn
 * unless `backlog` is set), the clients' requests written and unread, and drops SYNs beyond it
 * (tcp_conn_request, ListenOverflows), which the client's kernel retransmits (tcp_syn_retries,
 * tcp_syn_linear_timeouts; ETIMEDOUT at its give-up). Not modelled: SYNs a full queue drops are
 * sent again one by one on the exact schedule (no timer-wheel batch, so no dropped final ACKs), and
 * HAProxy's accept is at the SYN (the real one lags a burst of connects by a scheduling slice).
 */
export class FrontendListener {
  /**
   * The sessions HAProxy holds, each a slot: an accepted client connection until its client closes,
   * or the stream that outlives a client that left (keptByStream) until that stream ends.
   */
  private readonly held = new Set<object>();
  /** The accept queue, oldest first (entries of clients that left stay until accepted, as their children do). */
  private readonly queue: Waiting[] = [];
  private readonly maxAckBacklog: number;
  private readonly schedule: { retransmits: number[]; giveUp: number };
  private warned = false;
  /** slotFreed is accepting from the queue (a free meanwhile is taken by its loop, not by a nested one). */
  private accepting = false;

  constructor(
    private readonly w: World,
    private readonly maxconn: number,
  ) {
    const lb = w.scenario.lb;
    this.maxAckBacklog = Math.min(lb.frontend_backlog ?? maxconn, lb.kernel.somaxconn);
    const k = w.scenario.clients.kernel;
    this.schedule = synRetransmitSchedule(k.tcp_syn_retries, k.tcp_syn_linear_timeouts);
  }

  /** The frontend where the scenario limits it (lb.frontend_maxconn > 0), else null: every connect is accepted at once. */
  static of(w: World): FrontendListener | null {
    const maxconn = w.scenario.lb.frontend_maxconn ?? 0;
    return maxconn > 0 && w.scenario.lb.mode !== 'nat' ? new FrontendListener(w, maxconn) : null;
  }

  /** Whether HAProxy has accept()ed `conn`. */
  holds(conn: Conn): boolean {
    return this.held.has(conn);
  }

  /** Connections waiting in the accept queue (`ss -lnt` Recv-Q of the listener). */
  get queued(): number {
    return this.queue.length;
  }

  /** `conn`'s SYN reaches the frontend's listening socket (its connect() just began). */
  syn(conn: Conn, downstream: FlowDownstream, user: FrontendUser): void {
    this.arrives({ conn, client: conn.id, startedAt: conn.connectStartedAt, downstream, user, firings: 0 });
  }

  private arrives(c: Waiting): void {
    if (this.held.size < this.maxconn) {
      this.held.add(c.conn);
      c.user.frontAccepted(c.conn, c.downstream, false);
      return;
    }
    if (!this.warned) {
      this.warned = true;
      this.w.trace.emit({ kind: 'lb.frontend_full', maxconn: this.maxconn, backlog: this.maxAckBacklog });
    }
    if (!acceptQueueFull(this.queue.length, this.maxAckBacklog)) {
      this.queue.push(c);
      c.user.frontQueued(c.conn);
      return;
    }
    // The SYN is dropped (ListenOverflows): the client's retransmission timer sends it again, or gives up.
    this.w.metrics.inc(this.w.c.synDrops, -1);
    const at = c.startedAt + synFiringAt(this.schedule, c.firings) - this.w.now;
    this.w.engine.schedule(Math.max(at, 0), this.synTimer, c);
  }

  private readonly synTimer = (c: Waiting): void => {
    if (this.left(c)) return;
    c.firings++;
    if (c.firings <= this.schedule.retransmits.length) {
      this.arrives(c);
      return;
    }
    // tcp_write_timeout → tcp_write_err (net/ipv4/tcp_timer.c): connect() fails with ETIMEDOUT.
    this.w.releaseClientEnd(c.conn, false);
    c.downstream.connectFailed(c.conn, ErrorKind.ETIMEDOUT, -1);
  };

  /** The client's connect() this stands for is over (given up, or its record another connect's now). */
  private left(c: Waiting): boolean {
    const conn = c.conn;
    return conn.id !== c.client || conn.connectStartedAt !== c.startedAt || conn.clientPair === NO_MACHINE;
  }

  /**
   * A client connection closed (World.releaseClientEnd). One HAProxy held frees its slot
   * (listener_release()): the listener resumes and accept()s from the queue up to the limit.
   */
  readonly closed = (conn: Conn): void => {
    if (this.held.delete(conn)) this.slotFreed();
  };

  /**
   * `conn`'s client closes while its stream goes on — in http mode (no `option abortonclose`: HAProxy does not
   * read the close, l7-dispatch.ts abandon): the session, and its slot, stays with `stream` until
   * that stream ends. The H1 mux does not release a front connection with a stream attached
   * (src/mux_h1.c h1_process(), v2.6.0: "waiting to release the SC before releasing the
   * connection"); the stream's end detaches it (stream_free() → sc_destroy() → h1_detach() →
   * h1_release()), whose destroy_cb, conn_session_free() (src/session.c), calls session_free() →
   * listener_release(). Likewise a mode tcp stream held after its client's close towards a
   * vanished server (core/held-streams.ts): mux_pt releases the front connection only when the
   * stream detaches (mux_pt_detach() → mux_pt_destroy(), src/mux_pt.c).
   */
  readonly keptByStream = (conn: Conn, stream: object): void => {
    if (this.held.delete(conn)) this.held.add(stream);
  };

  /** A stream ended (RequestBalancer.onStreamEnd, World.onHeldStreamEnded): one keptByStream frees its slot now. */
  readonly streamEnded = (stream: object): void => {
    if (this.held.delete(stream)) this.slotFreed();
  };

  /**
   * listener_release(): resume_listener() accepts from the queue up to the limit. A connection
   * accepted here may end at once (HAProxy's own 503 when no server is usable, its client's close
   * then frees the slot again): that nested free only marks the slot, and this loop, which re-reads
   * the count, takes the next one. Real HAProxy never accepts from inside listener_release() — it
   * re-enables the listener's polling (resume_listener() → proto->enable, src/listener.c v2.6.0) and
   * listener_accept() runs later — and a nested accept per queued connection overflowed the call
   * stack with a few thousand waiting (session 35 review).
   */
  private slotFreed(): void {
    if (this.accepting) return;
    this.accepting = true;
    try {
      while (this.held.size < this.maxconn && this.queue.length > 0) {
        const c = this.queue.shift()!;
        // A child whose client left is let go here: no slot kept. (HAProxy 2.6.12 in http mode reads
        // its complete request and, without abortonclose, serves it: not modelled, see README.)
        if (this.left(c)) continue;
        this.held.add(c.conn);
        c.user.frontAccepted(c.conn, c.downstream, true);
      }
    } finally {
      this.accepting = false;
    }
  }
}
