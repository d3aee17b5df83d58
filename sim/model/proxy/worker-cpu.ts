import type { TlsConfig } from '../../scenario/schema.js';
import { handshakeCpu, issuesTicket, roundTripsToRequest } from '../app/tls-protocol.js';
import type { Conn } from '../core/conn.js';
import type { TlsHandshakes } from '../core/hop.js';
import type { World } from '../core/world.js';
import type { NginxGeneration } from './nginx.js';
import { KeyDomain, SessionTickets } from './session-tickets.js';
import type { WorkerConnections } from './worker-connections.js';
import { HaproxyThreads, type NginxWorkers } from './worker-queues.js';

/**
 * Where the client's TLS ends in the VM's nginx (`app.tls.terminates: nginx`) or at an L4
 * balancer with threads stated (`terminates: lb`, `lb.nbthread`): every connection to such a VM
 * is assigned to one of nginx's workers (Nginx.acceptingWorker) or one of the balancer's threads
 * (HaproxyThreads.pick) and costs it one handshake: a full one (`handshake_cpu`), or a resumed one
 * (`resumed_handshake_cpu`, by `protocol` when unset) when the client offers a ticket that
 * server's keys still open, with the round trips `app.tls.protocol` puts before the client's first
 * request (app/tls-protocol.ts) (session-tickets.ts: same VM and nginx generation, or a shared ticket key, or the balancer's process or its tls-ticket-keys file;
 * younger than `session_timeout`). Both read the ClientHello when it comes with the final ACK, a
 * round trip after the SYN (admit, helloAtBalancer), and the client's first request comes one
 * round trip after the flight (two after a full TLS 1.2 one: roundTripAfter). A request the client then sends on it waits for its own
 * connection's handshake, and then: at the balancer, for all the work its thread has queued
 * before it; in nginx, only for the handshake its worker has in progress (NginxWorkers.readWait:
 * nginx accepts one connection per event-loop iteration, the rest wait in the kernel).
 * VMs whose TLS ends elsewhere charge nothing and delay nothing.
 */
export class TlsCpu implements TlsHandshakes {
  /** The balancer's threads (null: nbthread unset, TLS at the balancer not charged). */
  readonly lb: HaproxyThreads | null;
  /**
   * When each open connection's own handshake is done (its place in its worker's or thread's
   * FIFO queue at accept), until a WebSocket client sends its upgrade (doneIn) or it ends.
   */
  private readonly handshakeEnds = new Map<Conn, number>();
  /**
   * Connections whose client was told to send its upgrade after its handshake (doneIn) while that
   * handshake was still queued or in progress in nginx, with when it ends: still in the kernel's
   * accept queue if queued beyond what its worker holds, so a listener's close resets them too
   * (listenerClosed). Pruned there and when they end.
   */
  private readonly upgradesScheduled = new Map<Conn, number>();
  /**
   * Those of them that were full TLS 1.2 handshakes (`app.tls.protocol` 1.2): the client's first
   * request comes two round trips after the flight, not one (app/tls-protocol.ts roundTripsToRequest).
   */
  private readonly secondRoundTrip = new Set<Conn>();
  /** Connections attached to a VM whose TLS ends in nginx, not yet in its accept queue (admit), by serial. */
  private readonly awaiting = new Map<Conn, number>();
  /** Connections to the balancer whose ClientHello is on its way (helloAtBalancer), by serial. */
  private readonly hellos = new Map<Conn, number>();
  private helloSerial = 0;
  private serial = 0;
  /** What waits for a connection's admission (whenAdmitted). */
  private readonly resumes = new Map<Conn, (conn: Conn) => void>();
  /** What the waiter does if the listener resets the connection instead (refuse). */
  private readonly resets = new Map<Conn, (conn: Conn) => void>();
  /** The clients' session tickets: whether a handshake is resumed (cheaper) or full. */
  readonly tickets = new SessionTickets();
  /** nginx's count of each worker's connections, which follows a connection to its TLS worker (null: not counted). */
  workerConns: WorkerConnections | null = null;

  constructor(private readonly w: World) {
    const n = w.scenario.lb.nbthread;
    this.lb = n !== undefined && w.scenario.lb.mode === 'l4' ? new HaproxyThreads(n) : null;
  }

  /** Whether any VM's TLS ends where a CPU model is (otherwise nothing here runs). */
  static used(w: World): boolean {
    return w.backends.some((b) => TlsCpu.where(w, b.app.config.tls.terminates) !== Where.NONE);
  }

  private static where(w: World, terminates: string): Where {
    if (terminates === 'nginx') return Where.NGINX;
    if (terminates === 'lb' && w.scenario.lb.nbthread !== undefined && w.scenario.lb.mode === 'l4') return Where.LB;
    return Where.NONE;
  }

  /**
   * The VM `b` took `conn`'s SYN (World.attach): at the balancer a thread takes it now and its
   * handshake when the ClientHello comes a round trip later (helloAtBalancer); in nginx both wait
   * for the final ACK one RTT later (admit, from lb/l4-connect.ts).
   */
  readonly accepted = (conn: Conn, b: number): void => {
    const backend = this.w.backends[b];
    const tls = backend.app.config.tls;
    const where = TlsCpu.where(this.w, tls.terminates);
    if (where === Where.NONE) return;
    if (where === Where.LB) {
      // The client's handshake is with the balancer: once per client connection, however many
      // servers it is placed on (a connection placed again keeps its thread until World.end).
      if (conn.lbThread >= 0) return;
      conn.lbThread = this.lb!.pick();
      // Its ClientHello comes with the final ACK, a round trip after the SYN (helloAtBalancer).
      const serial = ++this.helloSerial;
      this.hellos.set(conn, serial);
      // The process that accepted it holds it (and seals its ticket) even if a reload comes first.
      this.w.engine.schedule(this.w.scenario.clients.rtt, this.helloAtBalancer, {
        conn,
        serial,
        process: this.w.lb.process,
      });
      return;
    }
    // In nginx the connection is charged when its final ACK puts it in the accept queue (admit),
    // not at its SYN: the kernel counts only completed handshakes there (inet_csk_reqsk_queue_add).
    this.awaiting.set(conn, ++this.serial);
  };

  /**
   * `conn`'s ClientHello reaches the balancer, a round trip after its SYN (with the final ACK, as
   * at nginx: admit): the thread holding the connection computes the server's flight when it
   * reads it, after the work queued on it — HAProxy's ssl_sock_handshake (src/ssl_sock.c), run
   * when the connection is readable, calls SSL_do_handshake, which writes the whole TLS 1.3
   * flight and returns SSL_ERROR_WANT_READ (CO_FL_SSL_WAIT_HS stays set); the client's Finished
   * and first request (or upgrade) come one round trip (`clients.rtt`) after that flight (RFC 8446
   * §2), two after a full TLS 1.2 one (roundTripAfter). No 0-RTT: early data needs `allow-0rtt`
   * on the bind line (ssl_bind_parse_allow_0rtt → SSL_CTX_set_early_data_enabled, off by default),
   * so a resumed handshake waits the round trip too. HAProxy seals tickets with keys of its own
   * for every server behind it: without `tls-ticket-keys` (lb.tls_ticket_keys) OpenSSL's random
   * per-SSL_CTX keys, since ssl_sock_prepare_ctx (src/ssl_sock.c) installs its ticket-key callback
   * only when bind_conf->keys_ref is set — a reload (`lb_reload`) starts a process with new
   * SSL_CTXs, whose keys open none of the old process's tickets (the ticket's domain is the
   * accepting process, LoadBalancer.process); with the key file every process shares the keys.
   * (HAProxy's session-ID cache, tune.ssl.cachesize, is not modelled: with tickets on OpenSSL
   * issues no session ID (ssl_generate_session_id, ssl/ssl_sess.c, when ticket_expected), and
   * the shctx is a fresh mmap in each new process (shctx_init, src/shctx.c), so it would not
   * resume across a reload either.) Before session 27 every ticket resumed across reloads. Before session 20 the flight was charged at the SYN and TLS 1.3's
   * round trip taken as the connect's own: the first request came one round trip early.
   */
  private readonly helloAtBalancer = (h: { conn: Conn; serial: number; process: number }): void => {
    const { conn } = h;
    // The connection ended (or the record was reused) before its ClientHello came.
    if (this.hellos.get(conn) !== h.serial) return;
    this.hellos.delete(conn);
    if (conn.lbThread < 0) return;
    const tls = this.w.backends[conn.backend].app.config.tls;
    const now = this.w.now;
    // One key set for every process with a key file (-1), else the accepting process's own.
    const keys = this.w.scenario.lb.tls_ticket_keys === true ? -1 : h.process;
    const resumed = this.tickets.resumes(conn, tls, KeyDomain.BALANCER, keys, now);
    const end = this.lb!.cpu.run(conn.lbThread, handshakeCpu(tls, resumed), now);
    this.charged(conn, end, tls, resumed);
    // The ticket comes with the balancer's answer to the client's Finished (TLS 1.2: to its
    // ClientKeyExchange and Finished), a round trip after the flight; none in a resumed TLS 1.2 one.
    if (issuesTicket(tls, resumed))
      this.tickets.issue(conn, tls, KeyDomain.BALANCER, keys, end + this.w.scenario.clients.rtt);
  };

  /**
   * `conn`'s handshake has not yet entered nginx's accept queue (its final ACK is on the way, or
   * was dropped on a full queue and its data is being retransmitted): the serial of that wait
   * (0: not waiting), which lb/l4-connect.ts's retransmissions carry to recognise it.
   */
  awaitingAdmission(conn: Conn): number {
    return this.awaiting.get(conn) ?? 0;
  }

  /**
   * The final ACK (or a retransmitted segment carrying it) found room: the kernel queues the
   * connection for accept() (tcp_v4_syn_recv_sock → inet_csk_complete_hashdance →
   * inet_csk_reqsk_queue_add), a worker takes it and its handshake (pick, run), and whatever
   * waited for that (a request, an upgrade: whenAdmitted) goes on. `accepted`: a worker
   * accept()ed the connection before this ClientHello came (a challenge ACK's child, lb/syn-queue.ts
   * childAccepted): its handshake is queued work but holds no accept-queue place (listenQueued).
   */
  admit(conn: Conn, accepted = false): void {
    if (!this.awaiting.delete(conn)) return;
    const backend = this.w.backends[conn.backend];
    // The generation that accepted it (World.attach: Nginx.accept), with its own workers.
    const gen = backend.nginx.generationOf(conn.nginxGen);
    if (gen !== undefined) {
      const now = this.w.now;
      const tls = backend.app.config.tls;
      const worker = backend.nginx.acceptingWorker(gen, conn, now);
      if (this.workerConns === null) conn.nginxWorker = worker;
      else this.workerConns.assignWorker(backend, conn, worker);
      // Whose ticket keys: the fleet's key file, or this generation's SSL_CTX (session-tickets.ts);
      // without tickets, a shared ssl_session_cache: this VM's nginx master's zone, which every
      // generation it forks reads (negative: no generation id; nginx 1.22.1, tickets on, ignores it).
      const byCache = !tls.session_tickets && tls.session_cache === 'shared';
      const issuer = tls.shared_ticket_key && !byCache ? KeyDomain.SHARED : conn.backend;
      const keys = byCache ? -1 - backend.nginx.master : tls.shared_ticket_key ? 0 : gen.id;
      const resumed = this.tickets.resumes(conn, tls, issuer, keys, now, byCache);
      const end = gen.cpu.run(worker, handshakeCpu(tls, resumed), now, accepted);
      this.charged(conn, end, tls, resumed);
      // The client's Finished (TLS 1.3; in TLS 1.2 its ClientKeyExchange and Finished) comes back
      // a round trip after the server's flight; OpenSSL writes the NewSessionTicket then
      // (ssl/statem/statem_srvr.c ossl_statem_server13_write_transition: TLS_ST_SR_FINISHED →
      // TLS_ST_SW_SESSION_TICKET), none in a resumed TLS 1.2 handshake (issuesTicket).
      if (issuesTicket(tls, resumed))
        this.tickets.issue(conn, tls, issuer, keys, end + this.w.scenario.clients.rtt, byCache);
    }
    const resume = this.resumes.get(conn);
    if (resume === undefined) return;
    this.resumes.delete(conn);
    this.resets.delete(conn);
    resume(conn);
  }

  /**
   * The listener answered `conn`'s data with RST before any child existed (lb/l4-connect.ts
   * expiredReset: its request sock expired): it will never be admitted, and its waiter hears
   * the reset (ECONNRESET at the client), which ends the connection.
   */
  refuse(conn: Conn): void {
    if (!this.awaiting.delete(conn)) return;
    const reset = this.resets.get(conn);
    this.resumes.delete(conn);
    this.resets.delete(conn);
    if (reset !== undefined) reset(conn);
  }

  /**
   * Run `resume` when `conn` is admitted (admit), or `reset` if the listener resets it first
   * (refuse): the client's first data (ClientHello and request, or upgrade) sits in its kernel's
   * retransmission queue until then, and nginx has nothing to read. One waiter per connection (a
   * later one replaces it); none once it ends.
   */
  whenAdmitted(conn: Conn, resume: (conn: Conn) => void, reset: (conn: Conn) => void): void {
    this.resumes.set(conn, resume);
    this.resets.set(conn, reset);
  }

  /** `conn`'s handshake work ends at `end`: a WebSocket client's upgrade waits for it (doneIn). */
  private charged(conn: Conn, end: number, tls: TlsConfig, resumed: boolean): void {
    this.handshakeEnds.set(conn, end);
    if (roundTripsToRequest(tls, resumed) === 2) this.secondRoundTrip.add(conn);
  }

  /** `conn`'s own handshake and the round trips after it are over: nothing of it is waited for again. */
  private secured(conn: Conn): void {
    this.handshakeEnds.delete(conn);
    this.secondRoundTrip.delete(conn);
  }

  /**
   * Seconds until `conn`'s own handshake is done and the client's Finished and upgrade have come
   * back a round trip after it (roundTripAfter), in nginx or at the balancer, asked once, when its client is about
   * to send the upgrade (clients/websocket.ts connected). Only its own: in nginx a worker accepts one
   * connection per wake-up (ngx_event_accept, src/event/ngx_event_accept.c: `ev->available =
   * ecf->multi_accept`, off by default), so the storm's later connections wait in the kernel's
   * accept queue, not ahead of this one's next read.
   */
  doneIn(conn: Conn): number {
    const end = this.handshakeEnds.get(conn);
    if (end === undefined) return 0;
    const at = end + this.roundTripAfter(conn);
    this.secured(conn);
    if (end > this.w.now && this.whereOf(conn) === Where.NGINX) this.upgradesScheduled.set(conn, end);
    return at > this.w.now ? at - this.w.now : 0;
  }

  /**
   * What separates the end of `conn`'s handshake work from the arrival of the client's next data:
   * in nginx one round trip (clients.rtt), two after a full TLS 1.2 handshake (`app.tls.protocol`,
   * app/tls-protocol.ts: the client's ClientKeyExchange and Finished, the server's Finished, then
   * the request). TLS 1.3 is the default: nginx 1.22.1's compiled `ssl_protocols` default is TLSv1
   * TLSv1.1 TLSv1.2 (ngx_http_ssl_merge_srv_conf; TLSv1.3 by default only since 1.23.4), but
   * Debian's nginx.conf (`ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3`), ingress-nginx (TLSv1.2
   * TLSv1.3) and the calibration harness enable it, and current clients then negotiate it. With
   * OpenSSL 3 and `ssl_early_data` off by default a resumed TLS 1.3 handshake sends no request with
   * its ClientHello either: nginx reads the ClientHello when the connection's first
   * read event fires (ngx_http_ssl_handshake, src/http/ngx_http_request.c) and SSL_do_handshake
   * (ngx_ssl_handshake, src/event/ngx_event_openssl.c) computes and writes the whole server flight,
   * returning SSL_ERROR_WANT_READ; the client sends its Finished and, right behind it, its first
   * request (or upgrade) once that flight reaches it (RFC 8446 §2, figure 1), so they reach the
   * worker one round trip after the flight was written. At the balancer (TLS ending there) the
   * same: its thread computes the flight when the ClientHello comes (helloAtBalancer).
   */
  private roundTripAfter(conn: Conn): number {
    const rtt = this.w.scenario.clients.rtt;
    return this.secondRoundTrip.size > 0 && this.secondRoundTrip.has(conn) ? 2 * rtt : rtt;
  }

  /**
   * The part of the last wait() that is work on the worker (or thread), not the client's round
   * trip after its own handshake (roundTripAfter): in nginx the longer of the handshake in
   * progress (NginxWorkers.readWait) and what is left of `conn`'s own handshake work; at the
   * balancer the whole wait. The worker's backlog the trace reports (client-conns.ts). Before
   * session 20 the trace took `wait − rtt`, one round trip short when the worker's read wait is
   * the longer term, and negative inside (end, end + rtt) of the connection's own handshake (review23 #4).
   */
  lastWorkerWait = 0;

  /**
   * Connections the kernel of VM `b` holds on nginx's :443 not yet accept()ed now: those queued
   * on its workers beyond the two a busy worker has accepted (NginxWorkers.notAccepted), over
   * every live generation (a QUITted one's queue stands for connections the new workers would
   * take from the same inherited socket). 0 where TLS does not end in nginx: with no work
   * charged, a worker is always back in epoll_wait and accepts a connection as it arrives.
   * `conn`: the connection whose SYN or final ACK meets the queue. With `listen … reuseport`
   * (Nginx.acceptQueuePerSocket) each listening socket has its own accept queue, and the kernel
   * checks the one its lookup chose for that SYN (tcp_conn_request, net/ipv4/tcp_input.c, on the
   * socket inet_lhash2_lookup → reuseport_select_sock returned; the final ACK on the request's
   * rsk_listener, tcp_v4_syn_recv_sock): only the workers taking from it count (Nginx.takesFrom).
   */
  listenQueued(b: number, conn?: Conn): number {
    const backend = this.w.backends[b];
    if (TlsCpu.where(this.w, backend.app.config.tls.terminates) !== Where.NGINX) return 0;
    const nginx = backend.nginx;
    let n = 0;
    if (conn === undefined || !nginx.acceptQueuePerSocket) {
      for (const gen of nginx.generations) n += gen.cpu.notAccepted(this.w.now);
      return n;
    }
    for (const gen of nginx.generations) n += gen.cpu.notAccepted(this.w.now, (k) => nginx.takesFrom(conn, gen.id, k));
    return n;
  }

  /**
   * nginx on VM `b` closed its listening sockets for good (a QUIT of every generation: `nginx -s
   * quit`, a VM's SIGTERM): the connections still in the kernel's accept queue — those queued on
   * the workers beyond what each busy worker holds (NginxWorkers.dropUnaccepted) — leave their
   * workers' queues now and are returned with `at`, when the last worker closes its copy after its
   * pass (the kernel's RST: inet_csk_listen_stop). Every live generation counts: an older one's
   * queue stands for connections in the same inherited socket (listenQueued). A WebSocket
   * connection whose client already scheduled its upgrade (doneIn: upgradesScheduled) is among them
   * when its handshake is cut: its ClientHello waits in the accept queue like any other (session
   * 22). Nothing where TLS does not end in nginx: a worker idle in
   * epoll_wait accepts each connection as it comes. `only`: a reload's old generation got QUIT
   * and just the reuseport sockets the new cycle did not inherit close for good
   * (NginxGeneration.droppedWorkers): only those workers' queues, and only that generation's.
   */
  listenerClosed(b: number, only?: NginxGeneration): { conns: Conn[]; at: number } {
    const backend = this.w.backends[b];
    const now = this.w.now;
    if (TlsCpu.where(this.w, backend.app.config.tls.terminates) !== Where.NGINX) return { conns: [], at: now };
    const cuts = new Map<number, number[]>();
    let at = now;
    for (const gen of only === undefined ? backend.nginx.generations : [only]) {
      const dropped = gen.cpu.dropUnaccepted(now, only?.droppedWorkers);
      cuts.set(gen.id, dropped.cuts);
      if (dropped.lastPass > at) at = dropped.lastPass;
    }
    // A connection of VM b whose handshake ends after its worker's cut is still in the accept queue.
    const queuedPastCut = (conn: Conn, end: number): boolean => {
      const cut = conn.backend === b ? cuts.get(conn.nginxGen)?.[conn.nginxWorker] : undefined;
      return cut !== undefined && end > cut;
    };
    const conns: Conn[] = [];
    for (const [conn, end] of this.handshakeEnds) if (queuedPastCut(conn, end)) conns.push(conn);
    for (const [conn, end] of this.upgradesScheduled) {
      // Handshaken already: the worker holds it (its upgrade proceeds), nothing left to reset.
      if (end <= now) this.upgradesScheduled.delete(conn);
      else if (queuedPastCut(conn, end)) conns.push(conn);
    }
    return { conns, at };
  }

  /** A connection ended: the balancer thread holding it has one fewer. */
  readonly ended = (conn: Conn): void => {
    // A handshake still in progress never gave the client its ticket.
    this.tickets.lost(conn, this.w.now);
    this.secured(conn);
    this.upgradesScheduled.delete(conn);
    this.awaiting.delete(conn);
    this.hellos.delete(conn);
    this.resumes.delete(conn);
    this.resets.delete(conn);
    if (conn.lbThread < 0) return;
    this.lb?.release(conn.lbThread);
    conn.lbThread = -1;
  };

  /** Where a request on `conn` waits: the balancer, nginx, or nowhere. */
  whereOf(conn: Conn): Where {
    return TlsCpu.where(this.w, this.w.backends[conn.backend].app.config.tls.terminates);
  }

  /** How long a request arriving now on `conn` waits for its worker or thread (0: no CPU model there). */
  wait(conn: Conn): number {
    const where = this.whereOf(conn);
    if (where === Where.NGINX) {
      const workers = this.workersOf(conn);
      if (workers === undefined) return 0;
      const now = this.w.now;
      // Its own handshake first (a new connection's first request), which the client's Finished
      // and request follow a round trip after (roundTripAfter), then only the handshake its
      // worker has in progress (NginxWorkers.readWait: one accept per event-loop iteration).
      const end = this.handshakeEnds.get(conn);
      let own = end === undefined ? undefined : end + this.roundTripAfter(conn);
      if (own !== undefined && own <= now) {
        // Done: later requests on this connection never wait for it again (doneIn would say 0).
        this.secured(conn);
        own = undefined;
      }
      const read = workers.readWait(conn.nginxWorker, now);
      // The worker's own part: its handshake in progress, or the rest of this connection's.
      this.lastWorkerWait = own === undefined || end! <= now + read ? read : end! - now;
      return own !== undefined && own - now > read ? own - now : read;
    }
    if (where !== Where.LB || conn.lbThread < 0) {
      this.lastWorkerWait = 0;
      return 0;
    }
    const now = this.w.now;
    const wait = this.lb!.cpu.wait(conn.lbThread, now);
    this.lastWorkerWait = wait;
    // A new connection's first request comes a round trip after the balancer's flight (two after
    // a full TLS 1.2 one), then waits for what its thread has queued.
    const end = this.handshakeEnds.get(conn);
    if (end === undefined) return wait;
    const back = end + this.roundTripAfter(conn);
    if (back <= now) {
      this.secured(conn);
      return wait;
    }
    return Math.max(wait, back - now);
  }

  /** Handshakes a request on `conn` arriving now waits for (`wait`: its wait()). */
  queued(conn: Conn, wait: number): number {
    if (this.whereOf(conn) === Where.LB) return this.lb!.cpu.queued(conn.lbThread, this.w.now);
    const workers = this.workersOf(conn);
    return workers === undefined ? 0 : workers.endingBy(conn.nginxWorker, this.w.now, wait);
  }

  /** The nginx workers holding `conn`: its generation's (none once that generation is gone). */
  private workersOf(conn: Conn): NginxWorkers | undefined {
    return this.w.backends[conn.backend].nginx.generationOf(conn.nginxGen)?.cpu;
  }
}

/** Where a connection's TLS costs CPU in the model. */
export const Where = { NONE: 0, NGINX: 1, LB: 2 } as const;
export type Where = (typeof Where)[keyof typeof Where];
