import type { NginxConfig } from '../../scenario/schema.js';
import type { Conn } from '../core/conn.js';
import { ListenSockets } from './listen-sockets.js';
import type { WaitEntry } from './listen-wait-queue.js';
import { WorkerPeers } from './upstream-peers.js';
import { NginxWorkers } from './worker-queues.js';

/**
 * nginx's master process as the model sees it (src/os/unix/ngx_process_cycle.c): it listens on
 * :443, or quits gracefully after SIGQUIT (listeners closed, idle keep-alive connections closed,
 * busy ones closed after their request; ngx_close_idle_connections), or has stopped.
 */
export const NginxState = {
  /** Workers accept connections on :443. */
  LISTENING: 0,
  /** SIGQUIT received: no listener, no keep-alive, open connections finish (worker_shutdown_timeout). */
  QUITTING: 1,
  /** No nginx process: the kernel answers a SYN to :443 with RST (or nothing, if the host is gone). */
  STOPPED: 2,
} as const;
export type NginxState = (typeof NginxState)[keyof typeof NginxState];

export { spreadOver } from './listen-sockets.js';

/** ngx_master_process_cycle sleeps 100 ms after forking a reload's new workers before it QUITs the old ones (ngx_msleep(100)). */
export const RELOAD_QUIT_DELAY = 0.1;

/**
 * One generation of worker processes: the workers one configuration cycle forked. A reload forks a
 * new generation and QUITs every older one (ngx_signal_worker_processes(cycle, SIGQUIT) skips only
 * NGX_PROCESS_JUST_RESPAWN workers); a QUITted generation lives on while it holds any non-idle
 * connection (ngx_event_no_timers_left) and exits with its last one.
 */
export interface NginxGeneration {
  readonly id: number;
  /** The configuration its cycle was built with: an old worker keeps its own (worker_shutdown_timeout too). */
  readonly config: NginxConfig;
  /** Client connections its workers hold. */
  open: number;
  /** When it got QUIT (-1: still serving). */
  quitAt: number;
  /**
   * Its worker processes as CPU queues (worker-cpu.ts; used when TLS ends in nginx): a reload's
   * new workers start idle, the old ones keep the work they queued, and it all goes with them.
   */
  readonly cpu: NginxWorkers;
  /**
   * Its workers whose own `reuseport` listening socket the next cycle did not inherit (fewer
   * worker_processes, or reuseport turned off: ListenSockets.open): only its workers hold those,
   * so they close for good at its QUIT and the kernel resets their accept queues (master.ts
   * closeDropped). Empty otherwise.
   */
  droppedWorkers: number[];
  /**
   * Each worker process's round robin over `config.upstream_addresses` (upstream-peers.ts), made
   * at its first request; empty with one address or none (one peer: nothing to balance).
   */
  readonly peers: WorkerPeers[];
}

/**
 * One nginx: its master state, its worker generations and the decisions nginx itself takes about a
 * connection — whether it keeps a client connection alive after a response, how long it waits for
 * the next request, whether it caches an upstream connection, and when it times out an idle
 * WebSocket tunnel. A connection belongs to the generation that accepted it (accept()). What the
 * signals do to open connections is proxy/master.ts; the request path is upstream.ts.
 */
export class Nginx {
  private current: NginxState = NginxState.LISTENING;
  /**
   * Set by quit() and kept until the next start(): nginx stopped after a graceful quit still
   * counts as quitting for the keep-alive decisions (it answers nothing any more either way).
   */
  private quitStarted = false;
  /** Live generations, oldest first; the last is the one accepting (ids grow across restarts). */
  private readonly gens: NginxGeneration[] = [];
  private nextId = 1;
  /**
   * Which nginx master runs: one more at each (re)start (start). Its shared memory zones, the
   * `ssl_session_cache shared:` one among them, live as long as it does: a reload's new cycle
   * finds the zone and reuses it (ngx_ssl_session_cache_init, src/event/ngx_event_openssl.c:
   * `if (data) { shm_zone->data = data; return NGX_OK; }`), a restart makes a new one.
   */
  private masterEpoch = 0;
  get master(): number {
    return this.masterEpoch;
  }
  /** Told when a QUITted generation's last connection ends (the master reaps it). */
  onGenerationExit: (gen: NginxGeneration) => void = () => {};
  /**
   * How many of its worker_connections worker `worker` of generation `gen` has free (∞: not
   * counted): told by proxy/worker-connections.ts when worker_connections is modelled.
   */
  freeConnections: (gen: number, worker: number) => number = () => Number.POSITIVE_INFINITY;
  /**
   * Whether worker `worker` of generation `gen` would refuse a connection now: no free connection
   * and none ngx_drain_connections could reclaim (told by proxy/worker-connections.ts, `refuses`).
   */
  refusesAccept: (gen: number, worker: number) => boolean = () => false;

  /** The newest configuration loaded: what new connections get (kept after the last worker exits). */
  private cfg: NginxConfig;
  /**
   * The listening sockets and the workers waiting on each: without `reuseport` one, shared by every
   * generation that listens (a reload's workers register on it beside the old ones, which leave at
   * their QUIT: quitOlderThan); with it one per worker, inherited by the new worker of the same
   * index (ListenSockets).
   */
  private readonly listen = new ListenSockets();
  /**
   * wake()'s two tests of a waiting worker, made once: arrow functions made inside wake() would
   * make V8 allocate their context (for `this`) and the two closures on every accept.
   * ngx_accept_disabled > 0: fewer than 1/8 of its generation's worker_connections free.
   */
  private readonly acceptDisabled = (e: WaitEntry): boolean => {
    const limit = this.generationOf(e.gen)?.config.worker_connections ?? 0;
    return Math.floor(limit / 8) - this.freeConnections(e.gen, e.worker) > 0;
  };
  private readonly refuses = (e: WaitEntry): boolean => this.refusesAccept(e.gen, e.worker);

  constructor(config: NginxConfig) {
    this.cfg = config;
    this.fork(config);
  }

  /** A generation of workers with `config` starts: each adds the listener to its epoll, in fork order. */
  private fork(config: NginxConfig): NginxGeneration {
    const g: NginxGeneration = {
      id: this.nextId++,
      config,
      open: 0,
      quitAt: -1,
      cpu: new NginxWorkers(),
      droppedWorkers: [],
      peers: [],
    };
    // The cycle it replaces: its listening sockets are inherited (ngx_init_cycle).
    const old = this.gens.length > 0 ? this.gens[this.gens.length - 1] : undefined;
    this.gens.push(g);
    const workers = Math.max(1, config.worker_processes);
    const dropped = this.listen.open(old?.id ?? -1, g.id, workers, config.reuseport, (i) => g.cpu.idleAt(i));
    if (old !== undefined) old.droppedWorkers = dropped;
    return g;
  }

  get config(): NginxConfig {
    return this.cfg;
  }

  get state(): NginxState {
    return this.current;
  }

  /** A SYN to :443 is accepted (otherwise the kernel resets it, if the host is up). */
  get listening(): boolean {
    return this.current === NginxState.LISTENING;
  }

  /** An nginx process exists and holds its client connections (LISTENING or QUITTING). */
  get running(): boolean {
    return this.current !== NginxState.STOPPED;
  }

  /** A graceful quit began (SIGQUIT) since nginx last started. */
  get quitting(): boolean {
    return this.quitStarted;
  }

  /** The id of the generation that accepts new connections. */
  get generation(): number {
    return this.gens.length > 0 ? this.gens[this.gens.length - 1].id : -1;
  }

  /** Generations shutting down (QUITted, still holding connections): the `nginx_old_generations` series. */
  get shuttingDown(): number {
    let n = 0;
    for (const g of this.gens) if (g.quitAt >= 0) n++;
    return n;
  }

  /** The live generations, oldest first (the last accepts new connections). */
  get generations(): readonly NginxGeneration[] {
    return this.gens;
  }

  /**
   * Worker `worker`'s peers of the app's upstream in generation `gen` when it has several
   * (`upstream_addresses`), null with one: each worker process resolved them in its own copy of
   * the cycle, and a reload's (or restart's) workers start from fresh peers.
   */
  peersOf(gen: number, worker: number): WorkerPeers | null {
    const g = this.generationOf(gen);
    if (g === undefined || g.config.upstream_addresses.length < 2) return null;
    let p = g.peers[worker];
    if (p === undefined) {
      p = new WorkerPeers(g.config.upstream_addresses);
      g.peers[worker] = p;
    }
    return p;
  }

  /**
   * Whether generation `gen`'s one upstream address has nothing listening on it
   * (`upstream_addresses: [{ listening: false }]`, e.g. an app bound to 127.0.0.1 only behind a
   * name that resolved to ::1 alone). A single peer has no round-robin state and no fail
   * accounting (ngx_http_upstream_init_round_robin sets `peers->single`;
   * ngx_http_upstream_get_round_robin_peer takes peer[0] without checking max_fails), so every
   * request connects, is refused and gets 502 (ngx_http_upstream_next, no try left) — never
   * "no live upstreams".
   */
  onlyAddressRefuses(gen: number): boolean {
    const a = this.generationOf(gen)?.config.upstream_addresses;
    return a !== undefined && a.length === 1 && !a[0].listening;
  }

  /** The live generation `id`, or undefined once it exited. */
  generationOf(id: number): NginxGeneration | undefined {
    for (const g of this.gens) if (g.id === id) return g;
    return undefined;
  }

  /** A new nginx process on a (re)started VM: one fresh generation. */
  start(): void {
    this.masterEpoch++;
    this.gens.length = 0;
    this.listen.clear();
    this.fork(this.config);
    this.current = NginxState.LISTENING;
    this.quitStarted = false;
  }

  /**
   * The generation whose worker accepts `conn` at `now`; returns its id: the generation of the
   * worker woken on the listening socket the kernel gives the connection (ListenSockets). For
   * RELOAD_QUIT_DELAY after a reload the old workers still listen (ngx_master_process_cycle:
   * ngx_start_worker_processes, ngx_msleep(100), then ngx_signal_worker_processes(SIGQUIT); each
   * old worker's ngx_close_listening_sockets on its ngx_quit): without `reuseport` an idle old
   * worker ahead in the shared socket's queue takes it; with `reuseport` new worker k, first on
   * the socket it inherited from old worker k, takes it unless busy, and a socket no new worker
   * inherited (fewer workers) is old worker k's alone — and the old worker, QUITted soon after,
   * closes it after its first answer (closesAfterResponse) or as idle keep-alive. Without TLS in
   * nginx the worker is chosen here; with it (`handshakeInNginx`), the generation is the one the
   * socket would wake now and its worker is chosen when the handshake enters the accept queue
   * (worker-cpu.ts admit: acceptingWorker, among that generation's workers). No `conn`: only the
   * generation's count (tests), on the newest cycle's first socket.
   */
  accept(conn?: Conn, now = 0, handshakeInNginx = false): number {
    let g = this.gens[this.gens.length - 1];
    let worker = 0;
    if (conn === undefined || handshakeInNginx) g = this.generationOf(this.listen.peekGeneration(now, conn)) ?? g;
    else {
      const e = this.wake(now, conn, anyWorker);
      if (e !== undefined) {
        g = this.generationOf(e.gen) ?? g;
        worker = e.worker;
      }
    }
    g.open++;
    // With TLS in nginx, none yet: its handshake's worker takes it (counted on worker 0 until then).
    if (conn !== undefined) conn.nginxWorker = worker;
    return g.id;
  }

  /**
   * The wait queue's pick among the entries `eligible` (ListenWaitQueue.pick): ngx_accept_disabled
   * of each worker from its own generation's worker_connections (freeConnections), and whether it
   * refuses (refusesAccept).
   */
  private wake(now: number, conn: Conn, eligible: (e: WaitEntry) => boolean): WaitEntry | undefined {
    return this.listen.pick(now, conn, eligible, this.acceptDisabled, this.refuses);
  }

  /**
   * The worker of generation `g` that accepts `conn` at `now`. With `listen … reuseport` each
   * worker has its own listening socket and the kernel chooses among them by the connection's
   * 4-tuple hash (net/core/sock_reuseport.c reuseport_select_sock: reciprocal_scale of the flow
   * hash; spreadOver), whatever the workers are doing: g's worker waiting on that socket. Without
   * it (nginx's default) they share one socket and the first worker of g idle in epoll_wait in its
   * wait queue — one queue for every generation that listens — takes it (ListenWaitQueue.pick:
   * EPOLLEXCLUSIVE and ngx_reorder_accept_events). That re-adds the accepting worker's listener at
   * every accept, not only every 16th, while `ngx_accept_disabled > 0`: ngx_event_accept sets it
   * to worker_connections / 8 − the worker's free connections (src/event/ngx_event_accept.c), so
   * a worker with fewer than 1/8 of its connections free goes to the queue's tail each time — but
   * not a worker that refuses the connection (refusesAccept: ngx_get_connection returns NULL and
   * ngx_event_accept returns before ngx_reorder_accept_events), which keeps its place.
   */
  acceptingWorker(g: NginxGeneration, conn: Conn, now: number): number {
    // None of g's workers waits on that socket any more (QUITted since the connection was counted on it): 0.
    return this.wake(now, conn, (e) => e.gen === g.id)?.worker ?? 0;
  }

  /**
   * With `listen … reuseport` and more than one socket in the group, each socket has its own
   * accept queue and SYN queue (sk_ack_backlog, the request socks: tcp_conn_request checks the
   * listener the lookup chose, inet_lhash2_lookup → inet_lookup_reuseport → reuseport_select_sock,
   * net/ipv4/inet_hashtables.c) and its own limit min(backlog, somaxconn): the connections
   * counted against a SYN are those of the workers taking from its socket (takesFrom). False:
   * one socket, one queue for every worker.
   */
  get acceptQueuePerSocket(): boolean {
    return this.listen.ownQueues;
  }

  /** Whether worker `worker` of generation `gen` takes its connections from the socket a SYN from `conn` reaches. */
  takesFrom(conn: Conn, gen: number, worker: number): boolean {
    return this.listen.takesFrom(conn, gen, worker);
  }

  /** A connection of generation `id` has ended; a QUITted generation exits with its last one. */
  release(id: number): void {
    const i = this.gens.findIndex((g) => g.id === id);
    if (i < 0) return;
    const g = this.gens[i];
    g.open--;
    if (g.quitAt >= 0 && g.open <= 0) this.exit(i);
  }

  private exit(i: number): void {
    const [g] = this.gens.splice(i, 1);
    this.listen.forget(g.id);
    // The master exits after its last worker (ngx_master_process_exit once ngx_reap_children finds none).
    if (this.gens.length === 0) this.current = NginxState.STOPPED;
    this.onGenerationExit(g);
  }

  /**
   * `nginx -s reload` (SIGHUP → ngx_reconfigure): a new generation with `config` takes every new
   * connection from now on; the listening sockets stay in the master, so nothing is refused.
   * Returns the new generation; the master QUITs the older ones RELOAD_QUIT_DELAY later
   * (quitOlderThan).
   */
  reload(config: NginxConfig): NginxGeneration {
    this.cfg = config;
    return this.fork(config);
  }

  /**
   * QUIT to every generation older than `id` that is not already shutting down (a second QUIT
   * is a no-op: ngx_exiting is already set). Returns the generations that start shutting down
   * now; one without connections exits at once.
   */
  quitOlderThan(id: number, now: number): NginxGeneration[] {
    const quitted = this.gens.filter((g) => g.id < id && g.quitAt < 0);
    for (const g of quitted) g.quitAt = now;
    // Each QUITted worker closes its listening sockets (ngx_worker_process_cycle → ngx_close_listening_sockets:
    // ngx_del_event, EPOLL_CTL_DEL): out of the wait queues; sockets only it held close.
    for (const g of quitted) this.listen.leave(g.id);
    for (const g of quitted) if (g.open <= 0) this.exit(this.gens.indexOf(g));
    return quitted;
  }

  /** SIGQUIT to the master: the listeners close, every generation shuts down. Returns those that start now. */
  quit(now: number): NginxGeneration[] {
    this.quitStarted = true;
    if (this.current === NginxState.LISTENING) this.current = NginxState.QUITTING;
    return this.quitOlderThan(Infinity, now);
  }

  /**
   * `nginx -s stop` (SIGTERM → ngx_terminate): the workers exit at their next loop iteration
   * (ngx_worker_process_cycle: `if (ngx_terminate) … ngx_worker_process_exit`) and the master
   * after them, listeners and all. Returns the generations that were alive, now gone; what was
   * listening is closed, so the next SYN is refused.
   */
  terminate(): NginxGeneration[] {
    const gone = this.gens.splice(0);
    this.listen.clear();
    this.current = NginxState.STOPPED;
    return gone;
  }

  /** The process is gone (the host vanished, or every worker was forced out): nothing left. */
  stop(): void {
    this.current = NginxState.STOPPED;
    this.gens.length = 0;
    this.listen.clear();
    this.fork(this.config);
  }

  /** The generation `id` has been QUITted (or is gone): its workers keep no connection alive. */
  exiting(id: number): boolean {
    const g = this.generationOf(id);
    return g === undefined || g.quitAt >= 0;
  }

  /**
   * After a response nginx answers with `Connection: close` (and closes first, holding the
   * TIME_WAIT) when keep-alive is off, the connection reached keepalive_requests, or its worker is
   * shutting down (ngx_http_header_filter: `if (r->keepalive && (ngx_terminate || ngx_exiting))
   * r->keepalive = 0`; ngx_http_finalize_connection then closes), or the connection was accepted
   * more than keepalive_time before its request was read (`age`: nginx ≥ 1.19.10,
   * ngx_http_update_location_config, src/http/ngx_http_core_module.c: `ngx_current_msec -
   * r->connection->start_time > clcf->keepalive_time` → r->keepalive = 0; start_time is set at
   * accept, ngx_event_accept). The callers give the age from their own clocks (the client's
   * connect() to its sending of the request: within a round trip of nginx's).
   */
  closesAfterResponse(requestsServed: number, gen = this.generation, age = 0): boolean {
    const c = this.config;
    return (
      requestsServed >= c.keepalive_requests ||
      this.quitStarted ||
      c.keepalive_timeout === 0 ||
      age > c.keepalive_time ||
      this.exiting(gen)
    );
  }

  /**
   * nginx's keepalive timer (ngx_http_set_keepalive arms keepalive_timeout after the response)
   * decides the connection's end when the client's next request, `think` s after the response
   * reached it, does not arrive before the close: with the response rtt/2 on its way back and the
   * request rtt/2 on its way in (clients/http-keepalive.ts sendWhenDue), that is
   * think ≥ keepalive_timeout − rtt. Some of those requests cross the FIN (requestCrossesFin); the
   * rest come after the client saw it.
   */
  closesIdle(think: number, rtt = 0): boolean {
    return think >= this.config.keepalive_timeout - rtt;
  }

  /**
   * Whether an upstream connection that served `requests` and was opened `age` s ago goes back
   * into the keepalive cache (ngx_http_upstream_free_keepalive_peer: never while the worker exits,
   * nor past keepalive_requests, nor older than keepalive_time — `ngx_current_msec - c->start_time
   * > kp->conf->time` → `goto invalid`, nginx ≥ 1.19.10; start_time set in ngx_event_connect_peer).
   */
  cachesUpstream(requests: number, gen = this.generation, age = 0): boolean {
    const c = this.config;
    return (
      c.upstream_keepalive > 0 &&
      requests < c.upstream_keepalive_requests &&
      age <= c.upstream_keepalive_time &&
      !this.quitStarted &&
      !this.exiting(gen)
    );
  }

  /**
   * When nginx times out a WebSocket tunnel born at `born`: proxy_read_timeout of silence, unless
   * pings (every `pingInterval`, the client's or the app's: app/ws-endpoint.ts tunnelTrafficEvery;
   * 0 or ∞: none) cross more often than that. Data either way re-arms it, not only reads from the
   * app: ngx_http_upstream_process_upgraded() (src/http/ngx_http_upstream.c) runs for the
   * client's data too (ngx_http_upstream_upgraded_read_downstream) and re-adds the upstream read
   * timer (ngx_add_timer(upstream->read, u->conf->read_timeout)) whenever that side is not ready.
   */
  tunnelIdleDeadline(born: number, pingInterval: number): number {
    const timeout = this.config.proxy_read_timeout;
    if (pingInterval === 0 || pingInterval === Infinity || pingInterval > timeout) return born + timeout;
    return Infinity;
  }
}

/**
 * The keepalive race, from timer times and the round trip, not a probability: nginx closes an
 * idle connection at `closeAt` (keepalive timer, or a QUIT's ngx_close_idle_connections) with a
 * plain close() → FIN, which reaches the client rtt/2 later. A client that sends its next request
 * at `sendAt` before that FIN arrived puts it on a dead connection: nginx's socket answers it with
 * RST (unread data at close(), or data to an orphaned FIN_WAIT socket: net/ipv4/tcp.c __tcp_close,
 * tcp_input.c tcp_rcv_state_process) and the client gets ECONNRESET or EOF for a request it
 * already sent (NOTES §7 cases 1–2). A request sent after the FIN arrived goes on a new connection.
 * The request reaches nginx rtt/2 after `sendAt` (clients/http-keepalive.ts send), so at a close
 * nginx still sees the connection idle when its request was sent in the rtt/2 before: `sendAt`
 * earlier than `closeAt` counts too, and the window is one round trip, (closeAt − rtt/2,
 * closeAt + rtt/2) (NOTES §7: "the window for 1–2 is about one RTT"). At the keepalive timer's
 * own close no request is on its way (closesIdle), so there it is the rtt/2 after the close.
 */
export function requestCrossesFin(sendAt: number, closeAt: number, rtt: number): boolean {
  // An exact tie (think == keepalive_timeout) is decided for the FIN: the two sums differ only by
  // floating-point rounding, which must not decide a race.
  return sendAt < closeAt + rtt / 2 - TIE_EPSILON;
}

/** 1 ns: far below any timer resolution (nginx's clock is in ms), far above float rounding. */
const TIE_EPSILON = 1e-9;

/** accept()'s wait-queue filter: every waiting worker may take the connection (one function, not one per accept). */
const anyWorker = (_e: WaitEntry): boolean => true;

/**
 * The share of upstream connections without keepalive whose first FIN nginx sends
 * (`nginx.upstream_close_first`): `proxy` 1, `app` 0, `share(x)` x. A race between two processes,
 * not a rule of either: nginx closes once it has read the response's Content-Length bytes
 * (src/event/ngx_event_pipe.c ngx_event_pipe_read_upstream: p->length reaches 0, upstream_done;
 * src/http/ngx_http_upstream.c ngx_http_upstream_process_request →
 * ngx_http_upstream_finalize_request → ngx_close_connection), without waiting for the app's FIN;
 * the app closes after writing a response that said `Connection: close` (node lib/_http_server.js
 * resOnFinish: socket.destroySoon()). The user states it; it is never derived.
 */
export function nginxClosesFirstShare(setting: NginxConfig['upstream_close_first']): number {
  if (setting === 'proxy') return 1;
  if (setting === 'app') return 0;
  return Number(setting.slice('share('.length, -1));
}
