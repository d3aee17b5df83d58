import type { Rng } from '../../engine/random.js';
import type { Histogram } from '../../metrics/histogram.js';
import { type AppJob, NO_FIXED_SERVICE, ReqPhase, Status } from '../core/app-job.js';
import { Req } from '../core/request.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';
import { acceptsByEventLoop } from './accept-model.js';
import { AppListener } from './app-listener.js';
import { DbPool, dependencyDown } from './db-pool.js';
import { GcHeaps } from './gc-heaps.js';

/** The request a worker reads after a connection's TLS handshake (AppServer.submitAfterHandshake). */
interface HandshakeThen {
  readonly job: AppJob;
  /** Its client still waits for it (false: gone, the handshake was for nobody). */
  readonly wanted: () => boolean;
}

/**
 * The app's workers on every backend: a pool of `workers` serving jobs FIFO from one queue
 * (connection requests, independent requests and health checks alike), stop-the-world pauses
 * (GC, CPU starvation) that freeze service, and dependencies that turn requests into 500s
 * (down) or slow answers (slow). Allocation-driven GC: a pause after every `gc.every` requests, or
 * with `gc.heap` a JVM-like heap (gc-heaps.ts) whose collections follow the work the workers start.
 */
export class AppServer {
  private readonly serviceRng: Rng[];
  private readonly depRng: Rng[];
  private readonly gcRng: Rng[];
  private readonly servedCount: Float64Array;
  private readonly pauseLengths: Histogram;
  private readonly heaps: GcHeaps;
  /** Jobs queued before their request arrived, and when it arrives (submitBeforeData). */
  private readonly dataArrives = new Map<AppJob, number>();
  /** Per TLS handshake a worker is to do (submitAfterHandshake): the request it reads next. */
  private readonly afterHandshake = new Map<AppJob, HandshakeThen>();
  /**
   * Jobs queued on a worker-per-connection app that came on a connection its listener made (the
   * first request of a new connection: admitNew): no worker has accept()ed that connection yet, it
   * waits in the kernel's accept queue (acceptQueued) — until a worker starts the job. Requests on
   * connections accepted before (kept alive: submit) are not here.
   */
  private readonly unaccepted = new Set<AppJob>();
  /**
   * Per backend: the first requests of connections the kernel completed into the accept queue of a
   * listener nobody accept()s any more (app-process.ts keepsListenerDraining: gunicorn's gthread
   * worker after SIGTERM). Never read: they hold accept-queue places (acceptQueued) until the
   * process exits and the listener's last close resets them (drop), or their sender gives up.
   */
  private readonly parked: Set<AppJob>[];
  /** Jobs that are a connection's TLS handshake, not a request: `queue_limit` never refuses them (admit). */
  private readonly tlsHandshakes = new WeakSet<AppJob>();
  /**
   * The app's listening socket: both accept-queue checks of every connect to the app (nginx's
   * upstream connects, WebSocket upgrades, the balancer's requests and health checks).
   */
  readonly listener: AppListener;
  /** Who keeps idle connections to the app open, told when its server closes (onServerClose). */
  private readonly idleHolders: Array<(backend: Backend) => void> = [];
  /** Who acts when a connect wakes a SIGTERMed pre-24 gunicorn gthread worker (onWakeUp). */
  private readonly wakeHolders: Array<(backend: Backend) => void> = [];
  /** Per backend: an app that is one event loop (app.accept_model), which accept()s between iterations (event-loop-accepts.ts). */
  private readonly eventLoop: boolean[];
  private readonly anyEventLoop: boolean;
  /** Per backend: its app's database connection pool (`app.db_pool`), null: unbounded (db-pool.ts). */
  private readonly pools: (DbPool | null)[];
  private readonly anyPool: boolean;
  /**
   * Per job in service on a gunicorn sync worker (AppProcess.workerTimeout): since when its worker
   * has been silent to the arbiter, which kills it at AppProcess.arbiterKillsAt (armWorkerTimeout,
   * timeFinish). Empty in most runs.
   */
  private readonly silentSince = new Map<AppJob, number>();
  /** Some backend's app is a gunicorn sync worker (AppProcess.workerTimeout finite). */
  private readonly anyWorkerTimeout: boolean;
  /** Who ends a job whose worker gunicorn's arbiter killed (onWorkerKilled). */
  private readonly killHolders: Array<(backend: Backend, job: AppJob) => void> = [];

  constructor(private readonly w: World) {
    this.serviceRng = w.backends.map((b) => w.streams.stream(`app.${b.name}.service`));
    this.depRng = w.backends.map((b) => w.streams.stream(`app.${b.name}.dependencies`));
    this.gcRng = w.backends.map((b) => w.streams.stream(`app.${b.name}.gc`));
    this.servedCount = new Float64Array(w.backends.length);
    this.pauseLengths = w.metrics.histogram('app_pause');
    this.heaps = new GcHeaps(w);
    this.listener = new AppListener(
      w,
      (b) => this.acceptQueued(b),
      (b, owner) => this.childJoined(b, owner),
    );
    this.eventLoop = w.backends.map(acceptsByEventLoop);
    this.parked = w.backends.map(() => new Set<AppJob>());
    this.anyEventLoop = this.eventLoop.some((x) => x);
    this.pools = w.backends.map((b) => {
      const pool = b.app.config.db_pool;
      return pool === undefined ? null : new DbPool(pool.size, pool.connection_timeout);
    });
    this.anyPool = this.pools.some((p) => p !== null);
    this.anyWorkerTimeout = w.backends.some((b) => b.app.workerTimeout !== Infinity);
  }

  /** Queue a job for a worker; a full queue answers 503 at once. */
  submit(backend: Backend, job: AppJob): void {
    if (!this.admit(backend, job)) job.onDone(job);
  }

  /**
   * Queue a job whose connection the app's kernel made before its request arrived (a child made
   * by a challenge ACK, app-listener.ts): the worker that takes it accept()s the connection and
   * blocks in recv() until `dataAt`, serving no one else meanwhile, as a blocking
   * one-connection-at-a-time server does (calibration/lib/blocking-server.py: accept, recv).
   */
  submitBeforeData(backend: Backend, job: AppJob, dataAt: number): void {
    this.dataArrives.set(job, dataAt);
    if (this.admitNew(backend, job)) return;
    this.dataArrives.delete(job);
    job.onDone(job);
  }

  /**
   * Queue the first request `job` of a new TLS connection to an app whose workers each take one
   * connection (accept_model worker_per_connection, TLS ending in the app: app/tls.ts
   * tlsInWorker): the worker that takes the connection first spends `seconds` on its handshake —
   * the server flight's CPU, then blocked in recv() for the client's Finished, one round trip —
   * and then reads `job` itself, serving no one else meanwhile. gunicorn's sync worker
   * (gunicorn/workers/sync.py SyncWorker.accept → handle: the accepted socket wrapped in
   * ssl_context.wrap_socket, whose handshake runs at that call or at the first recv of
   * RequestParser, then the request read and handled, all in the worker). The handshake holds a
   * place in the queue as the connection would in the kernel's accept queue, whose bound is the
   * listener's backlog (app-listener.ts: SYN or final ACK dropped before any accept), not
   * `queue_limit`: that 503 is an HTTP answer, which no server can write on a connection whose
   * handshake has not run (tlsHandshake). It is `job`'s place until its worker starts `job`,
   * unless `wanted()` says its client has gone (then its work is for nobody). A handshake lost
   * with the process passes its status on to `job`.
   */
  submitAfterHandshake(backend: Backend, job: AppJob, seconds: number, wanted: () => boolean): void {
    const handshake = this.tlsHandshake(new Req(this.handshakeLeft));
    handshake.fixedService = seconds;
    handshake.deep = false;
    job.backend = backend.index;
    job.phase = ReqPhase.QUEUED;
    this.afterHandshake.set(handshake, { job, wanted });
    if (!this.admitNew(backend, handshake)) handshake.onDone(handshake);
  }

  /**
   * `job` is a connection's TLS handshake (a worker's, submitAfterHandshake; an event loop's read
   * of a ClientHello, loop-tls.ts), not a request: a full queue (`queue_limit`) does not refuse it.
   * That limit is the app answering 503 at once, an HTTP response, written by the server's HTTP
   * code after the TLS handshake — node's TLS runs in its core before any 'request' handler
   * (lib/_tls_wrap.js tlsConnectionListener → TLSSocket, the handshake in TLSWrap; lib/https.js
   * hands the socket to the HTTP server only at 'secureConnection'), gunicorn's in the worker's
   * ssl wrap before the WSGI app is called (gunicorn/workers/sync.py handle). Neither has a queue
   * of its own in front of the handshake: node reads the ClientHello in its turn, gunicorn's
   * connections wait in the kernel's accept queue (bounded by the backlog, app-listener.ts). So
   * the client never gets a 503 without a handshake: its request, one round trip later, meets
   * `queue_limit` as any request does on an event loop; on a worker-per-connection app the
   * worker that did the handshake starts it directly (finish), as gunicorn's does, so no limit
   * applies to it. A WebSocket upgrade likewise: read after the handshake, refused then by an
   * event loop's full queue (ws-endpoint.ts handshakeWork, upgradeArrives).
   */
  tlsHandshake<J extends AppJob>(job: J): J {
    this.tlsHandshakes.add(job);
    return job;
  }

  /** A handshake job left the app without its worker going on to the request (lost with the process). */
  private readonly handshakeLeft = (handshake: AppJob): void => {
    const next = this.afterHandshake.get(handshake);
    if (next === undefined) return;
    this.afterHandshake.delete(handshake);
    if (!next.wanted()) return;
    const job = next.job;
    job.phase = ReqPhase.NONE;
    job.status = handshake.status;
    job.onDone(job);
  };

  /** The request the worker that just finished `job` (a handshake: submitAfterHandshake) reads next, if still wanted. */
  private nextAfterHandshake(job: AppJob): AppJob | undefined {
    const next = this.afterHandshake.get(job);
    if (next === undefined) return undefined;
    this.afterHandshake.delete(job);
    return next.wanted() ? next.job : undefined;
  }

  /** How long the worker starting `job` now waits in recv() for its request (submitBeforeData). */
  private recvWait(job: AppJob): number {
    const at = this.dataArrives.get(job);
    if (at === undefined) return 0;
    this.dataArrives.delete(job);
    return Math.max(0, at - this.w.now);
  }

  /**
   * Queue the request of a connection the app's listener made just now (app-listener.ts CHILD, or
   * a child made later after a dropped final ACK): an event loop in an iteration accept()s the
   * connection at the iteration's end (libuv uv__server_io(), src/unix/stream.c) and reads its
   * request one iteration later, behind the requests ready then (event-loop-accepts.ts
   * holdUntilAccept). A health check on a blocked loop waits that long. Others: submit.
   */
  submitOnAccept(backend: Backend, job: AppJob): void {
    if (!this.admitOnAccept(backend, job)) job.onDone(job);
  }

  /**
   * submitOnAccept for a caller that answers a refusal itself (admit): the first request of a
   * connection the listener made just now — an L7/L4 balancer's per-request connect
   * (lb/l7-dispatch.ts), a WebSocket upgrade's (ws-endpoint.ts), a health check's. An event loop
   * in an iteration holds it (QUEUED: in the app's kernel, not yet read) until its accept and the
   * poll after (node lib/net.js onconnection → readStart: the new fd joins the epoll set at the
   * next uv__io_poll, src/unix/linux.c), so it is read as every other connection's first request
   * is, and never turned away here: a full queue answers it when it is read (submit).
   */
  admitOnAccept(backend: Backend, job: AppJob): boolean {
    if (!this.isEventLoop(backend)) return this.admitNew(backend, job);
    if (!backend.app.loop.running) return this.admit(backend, job);
    job.backend = backend.index;
    job.phase = ReqPhase.QUEUED;
    backend.app.loop.holdUntilAccept(job);
    return true;
  }

  /**
   * The first data of a client connection `conn` arrives — its request (`job`: the connection's
   * own job), or the ClientHello's read when TLS ends in the loop (loop-tls.ts): while the
   * connection still waits in an event loop's accept queue (queued(conn): lb/l4-connect.ts) the
   * loop holds it, to be read one iteration after its accept as a check's is (submitOnAccept);
   * false: the caller submits it (accepted already, or not an event loop).
   */
  holdUntilAccepted(backend: Backend, conn: object, job: AppJob): boolean {
    if (!this.isEventLoop(backend)) return false;
    job.backend = backend.index;
    return backend.app.loop.holdRequestOf(conn, job);
  }

  /**
   * The next request on a kept-alive connection `conn` arrives, its last response written at
   * `answeredAt`: an event loop in an iteration reads it only at the iteration's end, after its
   * timers (event-loop-accepts.ts unreadUntil), where node's keep-alive timer — due
   * `app.keepalive_timeout` after that response — may destroy the socket first. The timer counts
   * from the write itself, not from the iteration's start: lib/internal/timers.js insert() takes
   * getLibuvNow(), and Environment::GetNowUint64() (src/env.cc) calls uv_update_time() before
   * uv_now() (counting from the iteration's cached loop time instead gave 10-14 EOFs in the
   * 300-ms bare-l4 twin, recorded 4: session 17's 12).
   */
  submitOnKeptAlive(backend: Backend, conn: AppJob, answeredAt: number): void {
    // A request on a kept-alive connection wakes a SIGTERMed pre-24 gunicorn gthread worker as a
    // connect does (park): its socket is in the poller (finish_request → poller.register); it is
    // read and served (reuse_connection → enqueue_req), and the loop ends.
    this.wakeUp(backend);
    this.submit(backend, conn);
    if (!this.isEventLoop(backend) || conn.phase !== ReqPhase.QUEUED) return;
    const timeout = backend.app.config.keepalive_timeout;
    if (timeout > 0 && timeout !== Infinity) backend.app.loop.unreadUntil(conn, answeredAt + timeout, this.w.now);
  }

  /** The client closed `conn` before its event loop accept()ed it: the loop will read nothing of it (true if it held the request). */
  forgetHeld(backend: Backend, conn: AppJob & object): boolean {
    return this.isEventLoop(backend) && backend.app.loop.forget(conn);
  }

  /**
   * Like submit, but a job the full queue turns away (its 503 set, in no app) is handed back to
   * the caller (false) instead of to `onDone`: the caller then knows, without reading the record
   * after it may have been released, whether the app still holds it.
   */
  admit(backend: Backend, job: AppJob): boolean {
    job.backend = backend.index;
    if (!this.allBusy(backend)) {
      if (this.heaps.any) this.heaps.entered(backend);
      this.start(backend, job);
      return true;
    }
    if (this.refuses(backend) && !this.tlsHandshakes.has(job)) {
      job.status = Status.UNAVAILABLE;
      job.phase = ReqPhase.NONE;
      return false;
    }
    job.phase = ReqPhase.QUEUED;
    if (this.heaps.any) this.heaps.entered(backend);
    backend.app.enqueue(job);
    return true;
  }

  /**
   * admit for the first request of a connection the app's listener made just now, on a
   * worker-per-connection app: queued (every worker busy), its connection waits in the kernel's
   * accept queue until a worker takes it (unaccepted).
   */
  private admitNew(backend: Backend, job: AppJob): boolean {
    if (this.park(backend, job)) return true;
    if (!this.admit(backend, job)) return false;
    if (job.phase === ReqPhase.QUEUED) this.unaccepted.add(job);
    return true;
  }

  /**
   * The first request `job` of a connection the kernel just completed on a listener the process
   * keeps open but no longer accept()s from (app-process.ts keepsListenerDraining): it waits in
   * the accept queue, unread — gunicorn's gthread worker unregistered the listener from its poller
   * at SIGTERM (workers/gthread.py run(): set_accept_enabled(False)) and never calls accept()
   * again — until the process exits and the kernel resets it (drop → vm/lifecycle.ts jobLost,
   * unread: RST; inet_csk_listen_stop() → inet_child_forget(), net/ipv4/inet_connection_sock.c).
   * False: the app still accepts (or its listener is closed), the caller goes on as before.
   */
  park(backend: Backend, job: AppJob): boolean {
    const app = backend.app;
    if (app.accepting || !app.listening) return false;
    // A SIGTERMed pre-24 gunicorn gthread worker still in its loop (app-process.ts
    // waitsForWakeUp): the connect is the event that wakes its poller, and is accept()ed first
    // (workers/gthread.py run(): `for key, _ in events: callback(key.fileobj)` → accept()); then
    // the loop ends and the listener closes (vm/lifecycle.ts gthreadLeavesLoop). 20.x: accept() →
    // enqueue_req, served, answered `Connection: close`. 21.0-23.x: accept() only registers the
    // socket in the poller, which run() closes as it leaves the loop: parked here, unread, and
    // reset then (resetParked), not at the exit.
    if (app.waitsForWakeUp) {
      this.wakeUp(backend);
      if (app.servesWakingConnect) return false;
    }
    job.backend = backend.index;
    job.phase = ReqPhase.QUEUED;
    this.parked[backend.index].add(job);
    return true;
  }

  /**
   * Connections the app's kernel holds not yet accept()ed. A worker-per-connection app: while
   * every worker is busy (or paused), each queued request holds a connection in its accept queue.
   * An event loop: the connections made during its current iteration (every connect to it — the
   * balancer's, its health checks', nginx's, WebSocket upgrades — meets the one listening socket
   * the loop drains once per iteration: libuv uv__server_io(), src/unix/stream.c), whatever
   * requests its accepted connections have queued in the process.
   */
  acceptQueued(backend: Backend): number {
    if (this.isEventLoop(backend)) return backend.app.loop.pending;
    // Plus those on a listener nobody accept()s from (park), each holding its place to the end.
    return (this.allBusy(backend) ? backend.appQueueLength : 0) + this.parked[backend.index].size;
  }

  /**
   * A request read now is refused (503, admit): every worker busy (or the app paused) and the
   * queue at `queue_limit`. Read by admit and by callers that model a read without a job
   * (ws-endpoint.ts upgradeArrives), so the rule lives here once. A connection's TLS handshake
   * is never refused (admit).
   */
  refuses(backend: Backend): boolean {
    return this.allBusy(backend) && backend.appQueueLength >= backend.app.config.queue_limit;
  }

  /** No worker can start a job now: all busy, or the app paused. */
  private allBusy(backend: Backend): boolean {
    return backend.busyWorkers + backend.app.bootingWorkers >= backend.app.config.workers || this.paused(backend);
  }

  /**
   * A connection joined the app's accept queue (app-listener.ts): an event loop accept()s it at
   * the end of its current iteration, and the request it brings is queued behind those already in
   * the app (submitted by the caller now), so it runs in a later iteration — a health check on a
   * blocked loop waits as the clients' requests do (node: no check is answered out of turn).
   */
  private childJoined(backend: Backend, owner: object | null): void {
    if (this.isEventLoop(backend)) backend.app.loop.queued(owner);
  }

  /** An event loop holds `job` unread (admitOnAccept): `stand` takes its place (event-loop-accepts.ts replaceHeld). */
  private replaceHeld(backend: Backend, job: AppJob, stand: AppJob): boolean {
    return this.isEventLoop(backend) && backend.app.loop.replaceHeld(job, stand);
  }

  /** The backend's app is one event loop (app.accept_model; `anyEventLoop` first: most runs have none). */
  private isEventLoop(backend: Backend): boolean {
    return this.anyEventLoop && this.eventLoop[backend.index];
  }

  paused(backend: Backend): boolean {
    return backend.app.pausedUntil > this.w.now;
  }

  private start(backend: Backend, job: AppJob, silentSince?: number): void {
    const w = this.w;
    const i = backend.index;
    job.phase = ReqPhase.SERVING;
    if (this.unaccepted.size > 0) this.unaccepted.delete(job);
    if (this.isEventLoop(backend)) backend.app.loop.jobStarted();
    let d =
      job.fixedService !== NO_FIXED_SERVICE
        ? job.fixedService
        : backend.app.config.service_time.sample(this.serviceRng[i]);
    job.status = Status.OK;
    // The work the job starts now, for a heap's allocation (a job waiting for a connection: none yet).
    let work = -1;
    if (job.deep) {
      const config = backend.app.config;
      const db = this.database(backend);
      const pool = this.anyPool ? this.pools[i] : null;
      if (db === 'down' && dependencyDown(config) === 'fail_fast') {
        // A pool that fails fast (pg-pool's on-demand connect refused): a 500 after dependency_fail_time.
        job.status = Status.INTERNAL_ERROR;
        d = config.dependency_fail_time;
      } else if (pool !== null && (db === 'down' || !pool.free)) {
        // No connection for it: it waits in the pool holding its worker (grant), and fails with a
        // 500 at connection_timeout — HikariCP's getConnection() (HikariPool.java: borrow() until
        // connectionTimeout, then SQLTransientConnectionException). A down database's connections
        // are dead and no new one can be made, so there the wait always runs out (dependency_down:
        // wait). A deep check's own dependency_timeout, when shorter, ends the wait first with its
        // own answer (the handler gives up on the database, the pool's request with it).
        job.status = job.depTimeout < pool.timeout ? job.depTimeoutStatus : Status.INTERNAL_ERROR;
        pool.wait(job, { since: w.now, service: d });
        d = Math.min(pool.timeout, job.depTimeout);
        work = 0;
      } else {
        // A connection (or no bound): held from now to the response, a transaction per request.
        if (pool !== null) pool.borrow(job);
        d += this.query(backend, job, db, job.depTimeout);
      }
    }
    job.serviceEnd = w.now + (this.dataArrives.size > 0 ? this.recvWait(job) : 0) + d;
    backend.app.serving.add(job);
    if (this.anyWorkerTimeout) this.armWorkerTimeout(backend, job, silentSince);
    this.timeFinish(job);
    // Only when some app has a heap: the call, when TurboFan does not inline it, boxes `d` (a heap
    // number per request) only to return 0.
    if (this.heaps.any) this.heapWork(backend, work < 0 ? d : work);
  }

  /**
   * `job` finishes at its serviceEnd (finish). A wait for a pool connection without any timeout
   * (connection_timeout infinite) has no end of its own: no timer.
   */
  private timeFinish(job: AppJob): void {
    const since = this.silentSince.size > 0 ? this.silentSince.get(job) : undefined;
    const kill = since === undefined ? Infinity : this.w.backends[job.backend].app.arbiterKillsAt(since);
    // A response due no later than the arbiter's check is written first.
    if (kill !== Infinity && !(job.serviceEnd <= kill)) job.timer = this.w.engine.at(kill, this.workerKilled, job);
    else job.timer = Number.isFinite(job.serviceEnd) ? this.w.engine.at(job.serviceEnd, this.finish, job) : -1;
  }

  /**
   * `job` starts on a gunicorn sync worker (AppProcess.workerTimeout), silent to its arbiter from
   * now — or `since`: the request a worker reads after the TLS handshake it did
   * (submitAfterHandshake) is held by the same worker, silent since its accept
   * (workers/sync.py run_for_one: notify(), then accept() → handle(): wrap, parse, the app).
   * Every such job is recorded, not only one due after the kill: a pause or a pool wait lengthens
   * its service, and the arbiter's checks move when a worker's exit wakes it (timeFinish re-reads
   * the kill each time).
   */
  private armWorkerTimeout(backend: Backend, job: AppJob, since = this.w.now): void {
    if (backend.app.workerTimeout !== Infinity) this.silentSince.set(job, since);
  }

  /** `job` leaves its worker (ended, withdrawn, replaced, lost): since when it was silent, if recorded. */
  private takeSilence(job: AppJob): number | undefined {
    if (this.silentSince.size === 0) return undefined;
    const since = this.silentSince.get(job);
    if (since !== undefined) this.silentSince.delete(job);
    return since;
  }

  /**
   * gunicorn's arbiter kills `job`'s worker (arbiter.py murder_workers(): SIGABRT; workers/base.py
   * handle_abort(): `sys.exit(1)`): the SystemExit unwinds the request through SyncWorker.handle()'s
   * `finally: util.close(client)` — the connection closes (FIN, the request read: no RST) with no
   * response, and the caller ends the job as a killed process's (onWorkerKilled: nginx 502, a
   * client's EOF, the balancer's own answer). The replacement boots for `startup_time` (without
   * --preload it imports the app: Worker.init_process → load_wsgi), its place taken meanwhile.
   * Not once the app drains: SIGTERMed, the arbiter waits for its workers (Arbiter.stop(), no
   * murder_workers) — graceful_timeout decides; the job then runs to its end.
   */
  private readonly workerKilled = (job: AppJob): void => {
    const w = this.w;
    const backend = w.backends[job.backend];
    const armed = this.silentSince.delete(job);
    if (!backend.app.accepting || !armed) return this.timeFinish(job);
    job.timer = -1;
    job.phase = ReqPhase.NONE;
    backend.app.serving.delete(job);
    if (this.anyPool) this.leftPool(backend, job);
    const app = backend.app;
    app.workerTimedOut(w.now);
    w.trace.emitLimited(`worker-timeout-${backend.index}`, {
      kind: 'app.worker_timeout',
      backend: backend.name,
      timeout: app.workerTimeout,
      boot: app.config.startup_time,
      busy: backend.busyWorkers,
      queued: backend.appQueueLength,
      ...(backend.bare ? { bare: true as const } : {}),
    });
    const epoch = app.epoch;
    w.engine.schedule(app.config.startup_time, () => this.workerBooted(backend, epoch), null);
    // The exit's SIGCHLD woke the arbiter: its checks of the other workers fall from now on.
    for (const other of app.serving) {
      if (!this.silentSince.has(other)) continue;
      if (other.timer >= 0) w.engine.cancel(other.timer);
      this.timeFinish(other);
    }
    for (const lost of this.killHolders) lost(backend, job);
  };

  /** A replacement worker of the same process booted (workerKilled): it takes the next queued job. */
  private workerBooted(backend: Backend, epoch: number): void {
    if (backend.app.epoch !== epoch || !backend.app.up) return;
    backend.app.workerBooted();
    this.fillWorkers(backend);
  }

  /** `lost` ends, with the backend, each job whose worker gunicorn's arbiter killed (workerKilled). */
  onWorkerKilled(lost: (backend: Backend, job: AppJob) => void): void {
    this.killHolders.push(lost);
  }

  /** `seconds` of work start on `backend`: what they allocate may start a collection, which stops the world. */
  private heapWork(backend: Backend, seconds: number): void {
    const gcPause = this.heaps.workStarts(backend, seconds);
    if (gcPause > 0) this.stopTheWorld(backend, gcPause);
  }

  /** The database as `backend`'s app sees it: its own pool's state or the shared database's, the worse. */
  private database(backend: Backend): 'up' | 'down' | 'slow' {
    const own = backend.app.dependency;
    const shared = this.w.sharedDependency;
    return own === 'down' || shared === 'down' ? 'down' : own === 'slow' || shared === 'slow' ? 'slow' : 'up';
  }

  /**
   * The extra time `job`'s query takes on a database in state `db` (not down): none when up; on a
   * slow one a draw of dependency_slow_latency, cut at `budget` (what is left of a deep check's own
   * dependency_timeout), where the job's status becomes that check's answer.
   */
  private query(backend: Backend, job: AppJob, db: 'up' | 'down' | 'slow', budget: number): number {
    if (db !== 'slow') return 0;
    const wait = backend.app.config.dependency_slow_latency.sample(this.depRng[backend.index]);
    if (wait <= budget) return wait;
    job.status = job.depTimeoutStatus;
    return budget;
  }

  /**
   * `job` left `backend`'s pool (its response, its wait's end, its caller gone): a connection it
   * held goes to the oldest waiter (grantWaiters).
   */
  private leftPool(backend: Backend, job: AppJob): void {
    const pool = this.pools[backend.index];
    if (pool?.leave(job)) this.grantWaiters(backend);
  }

  /**
   * Free connections go to the waiters in order, unless the database is down (its connections
   * dead: the waits run out). Each granted job then does its work: the service time drawn at its
   * start and its query, a deep check's dependency_timeout counting from that start.
   */
  private grantWaiters(backend: Backend): void {
    const pool = this.pools[backend.index];
    if (pool === null || pool.waiting === 0) return;
    const db = this.database(backend);
    if (db === 'down') return;
    const w = this.w;
    for (let next = pool.grantNext(); next !== undefined; next = pool.grantNext()) {
      const { job, entry } = next;
      w.engine.cancel(job.timer);
      job.status = Status.OK;
      const d = entry.service + this.query(backend, job, db, job.depTimeout - (w.now - entry.since));
      job.serviceEnd = Math.max(w.now, backend.app.pausedUntil) + d;
      this.timeFinish(job);
      if (this.heaps.any) this.heapWork(backend, d);
    }
  }

  /**
   * A timeline `dependency` action changed a backend's pool (`backend`) or the shared database
   * (null): a database back up or merely slow gives the waiting jobs the free connections at once
   * (HikariCP's pool adds connections as soon as the database accepts them and hands each to a
   * waiter: ConcurrentBag.add() → handoffQueue).
   */
  dependencyChanged(backend: Backend | null): void {
    if (!this.anyPool) return;
    if (backend !== null) this.grantWaiters(backend);
    else for (const b of this.w.backends) this.grantWaiters(b);
  }

  private readonly finish = (job: AppJob): void => {
    const backend = this.w.backends[job.backend];
    job.timer = -1;
    job.phase = ReqPhase.NONE;
    backend.app.serving.delete(job);
    if (this.anyPool) this.leftPool(backend, job);
    const since = this.takeSilence(job);
    // A TLS handshake done: its worker reads the connection's request (submitAfterHandshake).
    const next = this.afterHandshake.size > 0 ? this.nextAfterHandshake(job) : undefined;
    if (next !== undefined) this.start(backend, next, since);
    this.loopTimers(backend);
    this.fillWorkers(backend);
    this.loopJobDone(backend);
    this.maybeCollectGarbage(backend);
    job.onDone(job);
  };

  /**
   * An event loop's iteration ends now: its timers run before the next poll reads what came
   * meanwhile (event-loop-accepts.ts timersDue). A kept-alive connection whose keep-alive timer is
   * due is destroyed with its request unread: the request leaves the app, and its socket's close
   * with unread data sends RST (tcp_close(), net/ipv4/tcp.c).
   */
  private loopTimers(backend: Backend): void {
    if (!this.isEventLoop(backend) || !backend.app.loop.endsIteration) return;
    for (const { job, since } of backend.app.loop.timersDue(this.w.now)) {
      if (job.phase !== ReqPhase.QUEUED || !backend.app.unqueue(job)) continue;
      job.phase = ReqPhase.NONE;
      job.status = Status.RESET;
      this.w.trace.emitLimited(`keepalive-unread-${backend.index}`, {
        kind: 'app.keepalive_unread',
        backend: backend.name,
        timeout: backend.app.config.keepalive_timeout,
        waited: this.w.now - since,
      });
      job.onDone(job);
    }
  }

  /**
   * A job of an event loop's iteration left its worker (served, or withdrawn): the last one ends
   * the iteration, and the requests read at its end join the next one (event-loop-accepts.ts).
   */
  private loopJobDone(backend: Backend): void {
    if (!this.isEventLoop(backend)) return;
    const loop = backend.app.loop;
    if (loop.endsIteration) for (const read of loop.readable()) this.submit(backend, read);
    for (const read of loop.jobDone(backend.busyWorkers + backend.appQueueLength)) this.submit(backend, read);
  }

  /** Give free workers the next queued jobs (unless the app is paused). */
  private fillWorkers(backend: Backend): void {
    while (!this.allBusy(backend)) {
      const next = backend.app.dequeue();
      if (next === undefined) return;
      if (next.phase === ReqPhase.QUEUED && next.backend === backend.index) this.start(backend, next);
    }
  }

  private maybeCollectGarbage(backend: Backend): void {
    const gc = backend.app.config.gc;
    if (gc.every <= 0) return;
    if (++this.servedCount[backend.index] % gc.every !== 0) return;
    const liveSet = backend.busyWorkers + backend.appQueueLength;
    this.pause(backend, gc.pause.sample(this.gcRng[backend.index]) + gc.per_inflight * liveSet, 'GC');
  }

  /** Stop the world for `duration`: jobs in service finish that much later, none start. */
  pause(backend: Backend, duration: number, cause: string): void {
    if (!this.stopTheWorld(backend, duration)) return;
    if (cause !== 'GC' || duration >= 0.1)
      this.w.trace.emitLimited(`pause-${backend.index}`, {
        kind: 'app.pause',
        backend: backend.name,
        cause,
        duration,
      });
  }

  /** Freeze the workers for `duration` (logged by the caller); false when a longer pause already covers it. */
  private stopTheWorld(backend: Backend, duration: number): boolean {
    const w = this.w;
    const until = Math.max(backend.app.pausedUntil, w.now + duration);
    const extra = until - Math.max(backend.app.pausedUntil, w.now);
    if (extra <= 0) return false;
    backend.app.pausedUntil = until;
    w.metrics.inc(w.c.pauses, backend.index);
    this.pauseLengths.record(duration);
    for (const job of backend.app.serving) {
      // A wait for a pool connection without a timeout: nothing to shift.
      if (!Number.isFinite(job.serviceEnd)) continue;
      w.engine.cancel(job.timer);
      job.serviceEnd += extra;
      this.timeFinish(job);
    }
    // An idle event loop stopped accepts nothing until the pause ends (event-loop-accepts.ts stopped).
    if (this.isEventLoop(backend)) backend.app.loop.stopped();
    w.engine.at(until, this.resume, backend);
    return true;
  }

  /**
   * The pause is over (a longer one may have replaced it): the workers take the queued jobs. A
   * pause that was an idle event loop's iteration ends as any iteration does (finish): its timers,
   * then one accept() and the requests read meanwhile (loopJobDone).
   */
  private readonly resume = (backend: Backend): void => {
    if (this.paused(backend)) return;
    const pauseIteration = this.isEventLoop(backend) && backend.app.loop.resumed();
    if (pauseIteration) this.loopTimers(backend);
    this.fillWorkers(backend);
    if (pauseIteration) this.loopJobDone(backend);
  };

  /** Take one job out of the app (its caller went away): free its worker or its queue place. */
  withdraw(backend: Backend, job: AppJob): void {
    refuseRecycled(job, 'withdraw');
    if (this.unparked(backend, job)) return;
    if (this.unaccepted.size > 0) this.unaccepted.delete(job);
    if (backend.app.serving.delete(job)) {
      this.w.engine.cancel(job.timer);
      job.timer = -1;
      this.takeSilence(job);
      job.phase = ReqPhase.NONE;
      if (this.anyPool) {
        this.leftPool(backend, job);
        // A wait for a connection without a timeout ends here.
        if (!Number.isFinite(job.serviceEnd)) job.serviceEnd = this.w.now;
      }
      this.loopTimers(backend);
      this.fillWorkers(backend);
      // Its iteration must still end (before, a withdrawn job left an event loop "running" for good).
      this.loopJobDone(backend);
    } else if (job.phase === ReqPhase.QUEUED) {
      // Held by an event loop (admitOnAccept): the request's bytes are in the app's socket already
      // (nginx wrote them at its connect), so node still accepts the connection, reads the request
      // and runs its handler before it reads the EOF (lib/_http_server.js: parserOnIncoming emits
      // 'request' in the same read, socketOnEnd after): a stand-in does the work for nobody, as in
      // orphan(). Before (d5f1b22) the held request was taken out and its work never done.
      if (this.isEventLoop(backend)) this.replaceHeld(backend, job, this.standIn(job));
      else {
        // A worker-per-connection app's queue keeps the place (its length is what the app holds)
        // but not the caller's record: a withdrawn client's record may be retired and reused
        // (core/client-records.ts), and the old entry would then start the next client's request
        // out of turn (review31 #1). A stand-in skipped when dequeued takes the place.
        const tombstone = this.standIn(job);
        tombstone.phase = ReqPhase.NONE;
        backend.app.replaceQueued(job, tombstone);
      }
      job.phase = ReqPhase.NONE; // skipped when dequeued
    }
  }

  /**
   * The job's caller went away but the app is not told (its connection from nginx closed, which a
   * worker notices only when it writes the response): the work goes on, in service or later from
   * the queue, and its answer goes nowhere (counted `wasted`). The job itself leaves: a stand-in
   * takes its place (same service end, same place in the queue), so the caller's record is free.
   * False when the app held nothing of it (no stand-in, no answer to come).
   */
  orphan(backend: Backend, job: AppJob, onAnswered?: () => void): boolean {
    refuseRecycled(job, 'orphan');
    // Parked (never to be read): nothing will answer it, whoever waits.
    if (this.unparked(backend, job)) return false;
    const app = backend.app;
    const ghost = this.standIn(job, onAnswered);
    if (app.serving.replace(job, ghost)) {
      this.w.engine.cancel(job.timer);
      if (this.anyPool) this.pools[backend.index]?.replace(job, ghost);
      // Its worker goes on serving it, silent to the arbiter as before.
      const since = this.takeSilence(job);
      if (since !== undefined) this.silentSince.set(ghost, since);
      this.timeFinish(ghost);
    } else if (
      job.phase !== ReqPhase.QUEUED ||
      !(app.replaceQueued(job, ghost) || this.replaceHeld(backend, job, ghost))
    )
      return false;
    // The stand-in's connection is the job's: still in the accept queue if the job's was.
    if (this.unaccepted.delete(job)) this.unaccepted.add(ghost);
    job.timer = -1;
    job.phase = ReqPhase.NONE;
    return true;
  }

  /**
   * The connections parked unread (park) leave the app, returned for the caller to reset (vm/lifecycle.ts
   * jobLost, unread): at the process's exit (drop), and when a 21.0-23.x gthread worker leaves its
   * loop, whose poller held the connect that woke it (gthreadLeavesLoop).
   */
  resetParked(backend: Backend): AppJob[] {
    const parked = this.parked[backend.index];
    if (parked.size === 0) return [];
    const reset = [...parked];
    if (this.dataArrives.size > 0) for (const j of reset) this.dataArrives.delete(j);
    parked.clear();
    return reset;
  }

  /** `job` waits unread in the accept queue of a listener nobody accept()s from any more (park). */
  isParked(backend: Backend, job: AppJob): boolean {
    return this.parked[backend.index].has(job);
  }

  /**
   * Take `job` out of the parked ones (its sender gave up). A simplification: the real child stays
   * in the accept queue (CLOSE_WAIT after the sender's FIN) until the listener's close, holding its
   * place; here the place is freed.
   */
  private unparked(backend: Backend, job: AppJob): boolean {
    if (!this.parked[backend.index].delete(job)) return false;
    job.phase = ReqPhase.NONE;
    return true;
  }

  /** A request doing `job`'s work for nobody (its answer counted `wasted`), in `job`'s phase and service end. */
  private standIn(job: AppJob, onAnswered?: () => void): Req {
    // `onAnswered`: the caller hears when the app writes its answer (or loses it with its process).
    const ghost = new Req(
      onAnswered === undefined
        ? this.wasted
        : (g) => {
            this.wasted(g);
            onAnswered();
          },
    );
    ghost.backend = job.backend;
    ghost.deep = job.deep;
    ghost.fixedService = job.fixedService;
    ghost.depTimeout = job.depTimeout;
    ghost.depTimeoutStatus = job.depTimeoutStatus;
    ghost.status = job.status;
    ghost.serviceEnd = job.serviceEnd;
    ghost.phase = job.phase;
    return ghost;
  }

  private readonly wasted = (job: AppJob): void => {
    // Served (finish()) rather than lost with the process (lifecycle.ts jobLost gives it 502).
    if (job.status !== Status.BAD_GATEWAY) this.w.metrics.inc(this.w.c.wasted, job.backend);
  };

  /**
   * `idleClosed` is told, with the backend, when the app's server closes at its SIGTERM
   * (listenerClosed): the app closes then every keep-alive connection idle at that moment, each
   * with a FIN — node's http.Server.close() (lib/_http_server.js Server.prototype.close →
   * httpServerPreClose → closeIdleConnections(), node >= 19: socket.destroy() of each idle one),
   * stoppable's stop() (lib/stoppable.js endIfIdle), Go's Shutdown() (closeIdleConns). Those
   * held by nginx's upstream keep-alive cache are nginx's to drop (proxy/upstream.ts).
   */
  onServerClose(idleClosed: (backend: Backend) => void): void {
    this.idleHolders.push(idleClosed);
  }

  /** `woke` is told when a connect wakes a SIGTERMed pre-24 gunicorn gthread worker (park, submitOnKeptAlive). */
  onWakeUp(woke: (backend: Backend) => void): void {
    this.wakeHolders.push(woke);
  }

  private wakeUp(backend: Backend): void {
    if (backend.app.waitsForWakeUp) for (const woke of this.wakeHolders) woke(backend);
  }

  /**
   * The app's listening socket closed (its SIGTERM, graceful_shutdown): the connections still in
   * its accept queue are reset by the kernel (inet_csk_listen_stop() → inet_child_forget() →
   * tcp_disconnect(): RST, net/ipv4/inet_connection_sock.c), and their requests, never read, leave
   * the app, returned for the caller to answer as a kill's unread ones (vm/lifecycle.ts jobLost).
   * Which those are follows acceptQueued: an event loop's connections not yet accept()ed
   * (event-loop-accepts.ts); a worker-per-connection app's queued first requests of new
   * connections (unaccepted: nginx's new upstream connections, the balancer's connects, health
   * checks, upgrades, a TLS handshake its worker would do first), not the requests queued on
   * connections accepted before (kept alive). Before session 21 the draining app served them.
   */
  listenerClosed(backend: Backend): AppJob[] {
    if (backend.app.closesIdleAtSigterm) for (const closed of this.idleHolders) closed(backend);
    // The process keeps its listener (gunicorn's gthread worker): nothing is reset now. The
    // requests queued at the SIGTERM are served: the real worker had accept()ed them into its
    // thread pool's queue (workers/gthread.py accept → enqueue_req; nr_conns counts them), the
    // model's worker-per-connection queue standing for that one. What comes after is parked (park).
    if (backend.app.listening) return [];
    if (this.isEventLoop(backend)) return backend.app.loop.listenerClosed();
    if (this.unaccepted.size === 0) return [];
    const reset: AppJob[] = [];
    const kept: AppJob[] = [];
    for (let j = backend.app.dequeue(); j !== undefined; j = backend.app.dequeue()) {
      if (j.phase !== ReqPhase.QUEUED || j.backend !== backend.index) continue;
      if (this.unaccepted.delete(j)) reset.push(j);
      else kept.push(j);
    }
    backend.app.clearQueue();
    for (const j of kept) backend.app.enqueue(j);
    return reset;
  }

  /**
   * The process died: every job in service or queued leaves, returned as `serving` and `queued`.
   * An event loop's held requests (event-loop-accepts.ts) are `queued`: unread when it died, so a
   * kill resets them as it resets a queued request (the listener's close resets what its accept
   * queue holds, inet_csk_listen_stop() → inet_child_forget(), net/ipv4/inet_connection_sock.c;
   * an accepted socket closed with unread data sends RST, tcp_close(), net/ipv4/tcp.c), and a
   * vanished host leaves them to their own timeouts — instead of forgetting them, so that a health
   * check held on a blocked loop timed out at its deadline although the process was gone.
   */
  drop(backend: Backend): { serving: AppJob[]; queued: AppJob[] } {
    const serving = [...backend.app.serving];
    for (const job of serving) {
      this.w.engine.cancel(job.timer);
      job.timer = -1;
      this.takeSilence(job);
    }
    backend.app.serving.clear();
    // The pool is the process's memory: gone with it, its connections with it.
    if (this.anyPool) this.pools[backend.index]?.clear();
    const queued: AppJob[] = [];
    for (let j = backend.app.dequeue(); j !== undefined; j = backend.app.dequeue())
      if (j.phase === ReqPhase.QUEUED && j.backend === backend.index) queued.push(j);
    backend.app.clearQueue();
    if (this.unaccepted.size > 0) for (const j of queued) this.unaccepted.delete(j);
    // The listener nobody accept()ed from closes with the process: its queued children are reset.
    queued.push(...this.resetParked(backend));
    for (const j of backend.app.loop.heldRequests()) if (j.backend === backend.index) queued.push(j);
    if (this.afterHandshake.size > 0 && !backend.hostUp) this.forgetHandshakes(serving, queued);
    return { serving, queued };
  }

  /**
   * The host vanished under these jobs (vm/lifecycle.ts vanish: nobody is told, no job's `onDone`
   * runs): the TLS handshakes among them take their entries (submitAfterHandshake) with them,
   * which otherwise stayed in the map for good. A kill tells each job (lifecycle.ts jobLost →
   * handshakeLeft), which passes the handshake's status on to its request and clears the entry.
   */
  private forgetHandshakes(serving: readonly AppJob[], queued: readonly AppJob[]): void {
    for (const job of serving) this.afterHandshake.delete(job);
    for (const job of queued) this.afterHandshake.delete(job);
  }
}

/**
 * withdraw() leaves a queued job's entry in the app's FIFO (skipped when dequeued because its phase
 * is no longer QUEUED), and orphan() may leave the record no holder: a pooled request record
 * (core/request.ts ReqPool) could then be released and reused while that stale entry remains, and
 * sent QUEUED to the same backend again, be started by it ahead of its turn (review14 finding 2).
 * Only connections are withdrawn or orphaned today; a later caller must give queue entries a
 * generation first.
 */
function refuseRecycled(job: AppJob, verb: string): void {
  if (job instanceof Req && job.pool !== null)
    throw new Error(`AppServer.${verb}: a pooled request record would leave a stale app-queue entry`);
}
