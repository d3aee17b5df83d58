import type { Conn } from '../core/conn.js';
import type { World } from '../core/world.js';

/**
 * nginx's worker processes on one VM as CPU: each worker is one single-threaded event loop
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
  /** When each worker's queued work ends (worker i: the i-th forked, the i-th to register the listener; −∞: never busy, as the run starts before 0 during warmup). */
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
 * Where the client's TLS ends in nginx (`app.tls.terminates: nginx`): every connection a VM
 * accepts is assigned to one of its nginx workers (NginxWorkers.pick) and costs that worker one
 * full handshake (`handshake_cpu`, no session resumption: the worst case of a reconnect storm);
 * every request the client then sends on it waits for the work its worker has queued before it
 * (NginxWorkers.wait) — including its own connection's handshake. VMs whose TLS ends elsewhere
 * charge nothing and delay nothing.
 */
export class NginxCpu {
  private readonly workers: NginxWorkers[];

  constructor(private readonly w: World) {
    this.workers = w.backends.map(() => new NginxWorkers());
  }

  /** Whether any VM of the scenario ends TLS in nginx (otherwise nothing here runs). */
  static used(w: World): boolean {
    return w.backends.some((b) => b.app.config.tls.terminates === 'nginx');
  }

  /** The VM `b` accepted `conn` (World.attach): a worker takes it and, with TLS there, its handshake. */
  readonly accepted = (conn: Conn, b: number): void => {
    const backend = this.w.backends[b];
    const tls = backend.app.config.tls;
    if (tls.terminates !== 'nginx') return;
    const now = this.w.now;
    const cpu = this.workers[b];
    const worker = cpu.pick(backend.nginx.config.worker_processes, now);
    conn.nginxWorker = worker;
    cpu.run(worker, tls.handshake_cpu, now);
  };

  /** How long a request arriving now on `conn` waits for its worker (0 without TLS in nginx). */
  wait(conn: Conn): number {
    const b = conn.backend;
    if (this.w.backends[b].app.config.tls.terminates !== 'nginx') return 0;
    return this.workers[b].wait(conn.nginxWorker, this.w.now);
  }

  /** Handshakes queued on `conn`'s worker ahead of an event arriving now. */
  queued(conn: Conn): number {
    const b = conn.backend;
    return this.workers[b].queued(conn.nginxWorker, this.w.now, this.w.backends[b].app.config.tls.handshake_cpu);
  }
}
