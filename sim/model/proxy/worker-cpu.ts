import type { Conn } from '../core/conn.js';
import type { TlsHandshakes } from '../core/hop.js';
import type { World } from '../core/world.js';

/**
 * The worker processes of one nginx generation as CPU: each worker is one single-threaded event loop
 * (ngx_worker_process_cycle → ngx_process_events_and_timers), so whatever work it does runs one
 * piece after another, and an event that arrives while it works waits until the work queued
 * ahead of it is done: a FIFO CPU queue, `busyUntil` being when its last queued work ends.
 *
 * The only work charged is the server side of a full TLS handshake (`app.tls.handshake_cpu`):
 * nginx runs SSL_do_handshake() inside the event loop (ngx_http_ssl_handshake →
 * ngx_ssl_handshake, src/http/ngx_http_request.c, src/event/ngx_event_openssl.c), so the worker
 * does nothing else while it computes. Reading, forwarding and answering a request cost no CPU
 * here (not modelled); a request only waits behind the handshakes its worker has queued.
 */
export class NginxWorkers {
  /**
   * When each worker's queued work ends (worker i: the i-th forked, the i-th to register the
   * listener); −∞: never busy (a run's warmup starts before t = 0).
   */
  private readonly busyUntil: number[] = [];

  /**
   * The worker that accepts a connection arriving at `now`, among `count` workers. With more
   * than one worker and epoll, nginx adds the listening socket to every worker's epoll with
   * EPOLLEXCLUSIVE (ngx_event_process_init, src/event/ngx_event.c: `accept_mutex` is off by
   * default since 1.11.3, so `ngx_use_exclusive_accept = 1`; ngx_epoll_add_event,
   * src/event/modules/ngx_epoll_module.c). Linux queues each worker's entry on the listener's
   * wait queue in registration order (fs/eventpoll.c ep_ptable_queue_proc:
   * add_wait_queue_exclusive), and a new connection's wake-up walks that queue from its head and
   * stops at the first worker actually blocked in epoll_wait (ep_poll_callback returns ewake = 1
   * only when `waitqueue_active(&ep->wq)`; kernel/sched/wait.c __wake_up_common). So the
   * lowest-numbered idle worker takes it. If every worker is busy, the listener sits on every
   * worker's ready list and the first to come back to epoll_wait accepts it: the one whose queue
   * ends first (the lowest-numbered on a tie). A worker keeps the connection for its life.
   */
  pick(count: number, now: number): number {
    const busy = this.busyUntil;
    while (busy.length < count) busy.push(Number.NEGATIVE_INFINITY);
    let best = 0;
    for (let i = 0; i < count; i++) {
      if (busy[i] <= now) return i;
      if (busy[i] < busy[best]) best = i;
    }
    return best;
  }

  /** Queue `cpu` seconds of work on `worker` at `now`; returns when it is done. */
  run(worker: number, cpu: number, now: number): number {
    const busy = this.busyUntil;
    while (busy.length <= worker) busy.push(Number.NEGATIVE_INFINITY);
    const end = Math.max(busy[worker], now) + cpu;
    busy[worker] = end;
    return end;
  }

  /** How long an event arriving at `now` on `worker` waits for the work queued ahead of it. */
  wait(worker: number, now: number): number {
    const until = worker < this.busyUntil.length ? this.busyUntil[worker] : Number.NEGATIVE_INFINITY;
    return until > now ? until - now : 0;
  }

  /** Seconds of work `worker` has queued at `now` divided by `cpu`: handshakes ahead of an event. */
  queued(worker: number, now: number, cpu: number): number {
    return cpu > 0 ? Math.ceil(this.wait(worker, now) / cpu - 1e-9) : 0;
  }
}

/**
 * HAProxy's threads (`nbthread`) as the same kind of FIFO CPU queues (NginxWorkers' run/wait), with
 * HAProxy's own choice of thread for an accepted connection (src/listener.c listener_accept(),
 * `tune.listener.multi-queue` on by default): two running indexes visit the threads, one upwards
 * (t1) and one downwards (t2); the connection goes to the one with fewer connections (its
 * accept queue plus `thr_conn`), and the index that was not taken moves on (q1 < q2: t2 steps;
 * q1 > q2: t1 steps; equal: t1 takes it and steps) — "good fairness on short connections (round
 * robin) and on long ones (conn count), without ever missing any idle thread". Left out: its
 * preference for the accepting thread itself when it is as good (q0), which only saves a
 * migration, and thread groups.
 */
export class HaproxyThreads {
  readonly cpu = new NginxWorkers();
  private readonly conns: number[];
  private t1 = 0;
  private t2: number;

  constructor(readonly count: number) {
    this.conns = new Array<number>(count).fill(0);
    this.t2 = count - 1;
  }

  /** The thread that takes a new connection (counted on it until release()). */
  pick(): number {
    const n = this.count;
    let t: number;
    if (this.conns[this.t1] < this.conns[this.t2]) {
      t = this.t1;
      this.t2 = (this.t2 + n - 1) % n;
    } else if (this.conns[this.t1] > this.conns[this.t2]) {
      t = this.t2;
      this.t1 = (this.t1 + 1) % n;
    } else {
      t = this.t1;
      this.t1 = (this.t1 + 1) % n;
    }
    this.conns[t]++;
    return t;
  }

  /** A connection of thread `t` ended. */
  release(t: number): void {
    if (this.conns[t] > 0) this.conns[t]--;
  }

  /** Connections thread `t` holds. */
  connections(t: number): number {
    return this.conns[t];
  }
}

/**
 * Where the client's TLS ends in the VM's nginx (`app.tls.terminates: nginx`) or at an L4
 * balancer with threads stated (`terminates: lb`, `lb.nbthread`): every connection to such a VM
 * is assigned to one of nginx's workers (NginxWorkers.pick) or one of the balancer's threads
 * (HaproxyThreads.pick) and costs it one full handshake (`handshake_cpu`, no session resumption:
 * the worst case of a reconnect storm); every request the client then sends on it waits for the
 * work its worker or thread has queued before it (including its own connection's handshake).
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

  /** The VM `b` accepted `conn` (World.attach): a worker or thread takes it, and its handshake. */
  readonly accepted = (conn: Conn, b: number): void => {
    const backend = this.w.backends[b];
    const tls = backend.app.config.tls;
    const where = TlsCpu.where(this.w, tls.terminates);
    if (where === Where.NONE) return;
    const now = this.w.now;
    if (where === Where.LB) {
      // The client's handshake is with the balancer: once per client connection, however many
      // servers it is placed on (a connection placed again keeps its thread until World.end).
      if (conn.lbThread >= 0) return;
      const lb = this.lb!;
      conn.lbThread = lb.pick();
      this.charged(conn, lb.cpu.run(conn.lbThread, tls.handshake_cpu, now));
      return;
    }
    // The generation that accepted it (World.attach: Nginx.accept), with its own workers.
    const gen = backend.nginx.generationOf(conn.nginxGen);
    if (gen === undefined) return;
    const worker = gen.cpu.pick(gen.config.worker_processes, now);
    conn.nginxWorker = worker;
    this.charged(conn, gen.cpu.run(worker, tls.handshake_cpu, now));
  };

  /** `conn`'s handshake ends at `end`: a WebSocket client's upgrade waits for it (doneIn). */
  private charged(conn: Conn, end: number): void {
    this.handshakeEnds.set(conn, end);
  }

  /**
   * Seconds until `conn`'s own handshake is done, asked once, when its client is about to send
   * the upgrade (clients/websocket.ts connected). Only its own: in nginx a worker accepts one
   * connection per wake-up (ngx_event_accept, src/event/ngx_event_accept.c: `ev->available =
   * ecf->multi_accept`, off by default), so the storm's later connections wait in the kernel's
   * accept queue, not ahead of this one's next read.
   */
  doneIn(conn: Conn): number {
    const end = this.handshakeEnds.get(conn);
    if (end === undefined) return 0;
    this.handshakeEnds.delete(conn);
    return end > this.w.now ? end - this.w.now : 0;
  }

  /** A connection ended: the balancer thread holding it has one fewer. */
  readonly ended = (conn: Conn): void => {
    this.handshakeEnds.delete(conn);
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
    if (where === Where.NGINX) return this.workersOf(conn)?.wait(conn.nginxWorker, this.w.now) ?? 0;
    if (where === Where.LB && conn.lbThread >= 0) return this.lb!.cpu.wait(conn.lbThread, this.w.now);
    return 0;
  }

  /** Handshakes queued on `conn`'s worker or thread ahead of an event arriving now. */
  queued(conn: Conn): number {
    const cpu = this.w.backends[conn.backend].app.config.tls.handshake_cpu;
    if (this.whereOf(conn) === Where.LB) return this.lb!.cpu.queued(conn.lbThread, this.w.now, cpu);
    return this.workersOf(conn)?.queued(conn.nginxWorker, this.w.now, cpu) ?? 0;
  }

  /** The nginx workers holding `conn`: its generation's (none once that generation is gone). */
  private workersOf(conn: Conn): NginxWorkers | undefined {
    return this.w.backends[conn.backend].nginx.generationOf(conn.nginxGen)?.cpu;
  }
}

/** Where a connection's TLS costs CPU in the model. */
export const Where = { NONE: 0, NGINX: 1, LB: 2 } as const;
export type Where = (typeof Where)[keyof typeof Where];
