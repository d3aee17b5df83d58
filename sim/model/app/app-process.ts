import type { AppConfig } from '../../scenario/schema.js';
import type { AppJob } from '../core/app-job.js';
import { JobList } from '../core/job-list.js';
import { EventLoopAccepts } from './event-loop-accepts.js';

/**
 * The app process's life: STARTING (the kubelet or the VM is bringing it up), SERVING (its
 * listener accepts; after a SIGTERM with `app.shutdown_delay` it still does for the delay, its
 * health endpoint failing: enterLameDuck()), DRAINING (SIGTERM: the listener is closed — or kept
 * open, unattended, by gunicorn's gthread worker: keepsListenerDraining —, requests in flight
 * finish) and DEAD (killed, exited or its host gone: nothing answers).
 */
export const AppState = { STARTING: 0, SERVING: 1, DRAINING: 2, DEAD: 3 } as const;
export type AppState = (typeof AppState)[keyof typeof AppState];

export type DependencyState = 'up' | 'down' | 'slow';

/** terminus's `timeout` default (godaddy/terminus lib/terminus.js terminus(): `timeout = 1000`), seconds. */
const TERMINUS_TIMEOUT = 1;
/** gunicorn's graceful_timeout default, s (gunicorn/config.py GracefulTimeout: `default = 30`). */
const GUNICORN_GRACEFUL_TIMEOUT = 30;
/** gunicorn's worker timeout default, s (gunicorn/config.py Timeout: `default = 30`). */
const GUNICORN_WORKER_TIMEOUT = 30;
/**
 * gunicorn's arbiter after spawning a worker sleeps `0.1 * random.random()` s (arbiter.py
 * spawn_workers()) before its loop goes on: the model takes the mean.
 */
const ARBITER_SPAWN_SLEEP = 0.05;

/**
 * One backend's app process: its life state and verbs, the in-memory facts that die with it
 * (epoch, WebSocket drain hook), its workers' queue and the pause in force. The workers' service
 * logic for every backend is app-server.ts; these fields are written only there and through the
 * verbs below.
 */
export class AppProcess {
  private current: AppState = AppState.SERVING;
  /** The app accepts WebSocket handshakes (false once its drain hook ran). */
  private wsOpen = true;
  /** The app's drain hook has run (notice sent / sessions closing). */
  drainHookDone = false;
  /** Incremented whenever the process dies with its memory: in-memory sessions of an older epoch are gone. */
  private epochCount = 0;
  /** SIGTERMs the process took (SERVING → DRAINING): the balancer's pool sees each one once (idle connections closed then). */
  private sigtermCount = 0;
  /** `sigterm_keepalive: gunicorn-23`: the gthread worker has left its `while self.alive` loop (leaveLoop). */
  private loopLeft = false;
  /** State of this backend's own database connection pool (a dead pool fails every query). */
  private ownDependency: DependencyState = 'up';
  /** When gunicorn's arbiter last woke for a worker's exit (workerTimedOut); 0: not in this process. */
  private arbiterWoke = 0;
  /** Workers killed by gunicorn's arbiter whose replacements still boot (workerTimedOut). */
  private booting = 0;

  /** Jobs a worker is serving (insertion order is deterministic: pauses re-arm them in it). */
  readonly serving = new JobList();
  /** Jobs waiting for a worker, FIFO (a head index instead of shift(): no O(n) per dequeue). */
  private readonly queue: AppJob[] = [];
  private queueHead = 0;
  /** Workers are frozen (GC, CPU starvation) until this time. */
  pausedUntil = -Infinity;
  /** A bare one-worker app's event loop: when it accept()s the clients' own connects (lb.mode l4 / nat). */
  readonly loop: EventLoopAccepts;

  constructor(
    readonly config: AppConfig,
    /** The app is one event loop (accept-model.ts acceptsByEventLoop): a gunicorn one is a gevent worker. */
    private readonly eventLoop = false,
  ) {
    this.loop = new EventLoopAccepts(config.accept_batch ?? 1);
  }

  get dependency(): DependencyState {
    return this.ownDependency;
  }

  /** The app's own database connection pool dies, slows down or recovers. */
  setDependency(state: DependencyState): void {
    this.ownDependency = state;
  }

  /**
   * An operator's maintenance file on the VM (timeline health_404 / health_200): while it exists
   * the app's health endpoint answers 404 and every other request as before. A file on disk, not
   * the process's memory: an app restart on its VM keeps it; a container restarted or replaced by
   * the kubelet starts without it (vm/backend.ts boot).
   */
  private maintenanceFile = false;

  /**
   * The status the app's health endpoint answers once it is shutting down (`app.shutdown_delay`:
   * set at SIGTERM, kept until the process ends); 0: not shutting down, or no such endpoint
   * behaviour. Process memory, as terminus's `state.isShuttingDown` and lightship's
   * `serverIsShuttingDown` are: the next process starts healthy.
   */
  private shuttingDownAnswer: 0 | 404 | 503 = 0;

  /**
   * The status the app's health endpoint answers when its workers serve a check: the shutdown's
   * status once SIGTERM started the lame-duck phase (terminus answers it before running the
   * health function: decorateWithHealthCheck(), lib/terminus.js), else 404 in maintenance, else 200.
   */
  get healthAnswer(): 200 | 404 | 503 {
    if (this.shuttingDownAnswer !== 0) return this.shuttingDownAnswer;
    return this.maintenanceFile ? 404 : 200;
  }

  /** SIGTERM came and the app is in its lame-duck delay: still accepting, its health endpoint failing. */
  get lameDuck(): boolean {
    return this.current === AppState.SERVING && this.shuttingDownAnswer !== 0;
  }

  /** The operator creates (true) or removes (false) the maintenance file. */
  setMaintenanceFile(present: boolean): void {
    this.maintenanceFile = present;
  }

  get state(): AppState {
    return this.current;
  }

  get epoch(): number {
    return this.epochCount;
  }

  /** The process exists (it may be draining). */
  get up(): boolean {
    return this.current === AppState.SERVING || this.current === AppState.DRAINING;
  }

  /** Its listener accepts new connections: its workers take what the kernel queues. */
  get accepting(): boolean {
    return this.current === AppState.SERVING;
  }

  /**
   * Its listening socket exists: the kernel completes handshakes into its accept queue (up to the
   * backlog) whether or not a worker accept()s them. Serving; and draining where the process keeps
   * its copy of the socket after SIGTERM (keepsListenerDraining) — a connect then succeeds, its
   * request waits unread, and the kernel resets it when the process exits (AppServer.park).
   */
  get listening(): boolean {
    return this.current === AppState.SERVING || (this.current === AppState.DRAINING && this.keepsListenerDraining);
  }

  /**
   * After SIGTERM the process keeps its listening socket open, unattended, until it exits:
   * gunicorn's gthread worker (`sigterm_keepalive: gunicorn` on a worker-per-connection app;
   * gunicorn 24.0–26.1, workers/gthread.py). Its handle_exit() only sets `alive = False`; run()
   * then calls set_accept_enabled(False), which only unregisters the listener from its poller,
   * loops while nr_conns > 0 (up to graceful_timeout), and closes its sockets (`for s in
   * self.sockets: s.close()`) only after that loop, on its way out of run(). The arbiter closes its
   * own copy at once (arbiter.py Arbiter.stop → sock.close_sockets) and SIGTERMs the workers, so
   * the socket lives in the worker until its exit: the kernel goes on completing handshakes into
   * its accept queue, nobody accept()s them, and the last close resets each one
   * (inet_csk_listen_stop → inet_child_forget). Not gunicorn's gevent worker (an event loop
   * here): its run() calls server.close() on every server once `alive` is False (within its 1-s
   * sleep; workers/ggevent.py), closing its listening socket, as the model's SIGTERM does.
   */
  get keepsListenerDraining(): boolean {
    return !this.eventLoop && (this.config.sigterm_keepalive === 'gunicorn' || this.waitsForWakeUp);
  }

  /**
   * gunicorn 20.1–23.0's gthread worker (`sigterm_keepalive: gunicorn-23`, not an event loop),
   * SIGTERMed and still in its `while self.alive` loop: workers/gthread.py ThreadWorker.run()
   * (20.1.0 lines 193-229, 23.0.0 203-239) waits in `self.poller.select(1.0)`; handle_exit()
   * (workers/base.py) only sets `alive = False` and does not wake the poller (PEP 475: select is
   * resumed after the handler), so the loop ends at its next wake-up — an event (a connect on
   * the listener, still accept()ed) or the 1-s timeout — and only then closes its listening
   * sockets (`for s in self.sockets: s.close()`). Until then the listener is open and attended.
   */
  get waitsForWakeUp(): boolean {
    return this.current === AppState.DRAINING && this.isLoopingGthread && !this.eventLoop && !this.loopLeft;
  }

  /**
   * The draining worker exits once its requests in hand are done (gunicorn 20.1–23.0 gthread run()
   * after its loop: `futures.wait(self.futures, timeout=self.cfg.graceful_timeout)`, then return),
   * not waiting for its idle kept-alive connections (not futures). vm/lifecycle.ts gthread23Exit.
   */
  get exitsAfterRequestsInHand(): boolean {
    return this.current === AppState.DRAINING && this.isLoopingGthread && this.loopLeft;
  }

  /** SIGTERMs taken so far (a serial: whoever watches the app sees each shutdown's start once). */
  get sigterms(): number {
    return this.sigtermCount;
  }

  /**
   * Draining, it still keeps a connection open after answering on it (`app.sigterm_keepalive:
   * keep`, node's http.Server.close(): lib/_http_server.js Server.prototype.close() →
   * httpServerPreClose() closes the connections idle at that moment, once, then
   * net.Server.close() closes the listener; nothing marks the server as closing for the requests
   * still to come, so resOnFinish() keeps the socket and the next response still says
   * `Connection: keep-alive`). `close` (Go net/http's Shutdown(): doKeepAlives() false) and
   * `gunicorn` (workers/gthread.py and base_async.py handle_request() `if not self.alive …
   * resp.force_close()`) answer `Connection: close` after SIGTERM and close; so does
   * `stoppable` in effect (hunterloftis/stoppable lib/stoppable.js onRequest: once stopped, the
   * response's 'finish' with no other request pending calls `req.socket.end()`).
   */
  get keepsAliveDraining(): boolean {
    return this.current === AppState.DRAINING && (this.config.sigterm_keepalive ?? 'keep') === 'keep';
  }

  /**
   * At SIGTERM the app closes the keep-alive connections idle at that moment: node
   * (closeIdleConnections()), stoppable (endIfIdle), Go's Shutdown() (closeIdleConns) — not
   * gunicorn (`sigterm_keepalive: gunicorn`): its gthread worker (workers/gthread.py,
   * gunicorn >= 24.0, as of 26.1.0) handle_exit() only sets `alive = False` and wakes the poller;
   * run() then unregisters the listener (set_accept_enabled(False)) and loops while nr_conns > 0
   * for graceful_timeout, its kept-alive connections still registered in the poller: each closes
   * when murder_keepalived() finds it past `keepalive` after its last response, and a request that
   * comes on one first is read (on_client_socket_readable) and served, answered `Connection:
   * close` (handle_request(): `if not self.alive … resp.force_close()`), then closed
   * (finish_request). Its async workers alike (base_async.py handle(): the keep-alive loop waits
   * up to `keepalive` for the next request, served with force_close).
   */
  get closesIdleAtSigterm(): boolean {
    return !this.isGunicorn;
  }

  /** `sigterm_keepalive` is one of gunicorn's (24.0+, 21.0-23.x or 20.x). */
  private get isGunicorn(): boolean {
    return this.config.sigterm_keepalive === 'gunicorn' || this.isLoopingGthread;
  }

  /**
   * gunicorn before 24.0 (`gunicorn-23`: 21.0-23.x, `gunicorn-20`: 20.x): the gthread worker's
   * run() loops `while self.alive` and leaves the loop at its poller's next wake-up after SIGTERM.
   */
  private get isLoopingGthread(): boolean {
    const v = this.config.sigterm_keepalive;
    return v === 'gunicorn-23' || v === 'gunicorn-20';
  }

  /**
   * The connect that wakes a SIGTERMed pre-24 gthread worker is served (`gunicorn-20`: 20.x's
   * ThreadWorker.accept() hands it to enqueue_req at once) — or never read (`gunicorn-23`: since
   * 21.0, benoitc/gunicorn 0ebb73aa "gthread: only read sockets when they are readable", accept()
   * only registers it with the poller, which run() closes as it leaves the loop: the TConn's last
   * reference goes and its socket closes with the request unread, an RST — net/ipv4/tcp.c
   * __tcp_close(); AppServer.park, vm/lifecycle.ts gthreadLeavesLoop).
   */
  get servesWakingConnect(): boolean {
    return this.config.sigterm_keepalive === 'gunicorn-20';
  }

  /**
   * Draining, it still reads requests on connections it kept open: node's (keep) busy at the
   * SIGTERM and kept alive after their response, gunicorn's (gunicorn) idle at the SIGTERM, each
   * until its keep-alive idle timeout (closesIdleAtSigterm). A request on one is served; every
   * other connect meets the closed listener.
   */
  get servesKeptConnsDraining(): boolean {
    // gunicorn-23's worker reads none once it has left its loop: its poller is closed.
    return (
      this.current === AppState.DRAINING && (this.keepsAliveDraining || (!this.closesIdleAtSigterm && !this.loopLeft))
    );
  }

  /**
   * How long after its graceful stop begins the process destroys every socket still open and
   * exits (Infinity: it waits for what it holds, up to the supervisor's kill). `app.sigterm_keepalive:
   * stoppable`: hunterloftis/stoppable lib/stoppable.js stop() arms setTimeout(destroyAll, grace),
   * which terminus (lib/terminus.js decorateWithSignalHandler) calls with its `timeout`, 1000 ms by
   * default (`app.stoppable_grace`); once server.close()'s callback fires terminus re-raises the
   * signal and the process is gone.
   */
  get destroysAllAfter(): number {
    if (this.config.sigterm_keepalive !== 'stoppable') return Infinity;
    return this.config.stoppable_grace ?? TERMINUS_TIMEOUT;
  }

  /**
   * How long after its SIGTERM gunicorn's arbiter SIGKILLs the workers still alive (Infinity: not
   * gunicorn): `app.graceful_timeout`, 30 s unset (arbiter.py Arbiter.stop(): `limit = time.time()
   * + self.cfg.graceful_timeout`, wait while workers remain, then kill_workers(SIGKILL)).
   */
  get killsWorkersAfter(): number {
    if (!this.isGunicorn) return Infinity;
    return this.config.graceful_timeout ?? GUNICORN_GRACEFUL_TIMEOUT;
  }

  /**
   * How long gunicorn's arbiter lets a worker hold one request (Infinity: never cut). A sync worker
   * (a gunicorn app, `keepalive: close`, not an event loop) notifies the arbiter only between
   * requests (workers/sync.py run_for_one: `self.notify()` before each accept; workers/base.py
   * notify() → WorkerTmp.notify(), a chmod of its tmp file), so the arbiter finds it silent for
   * as long as it serves: `app.worker_timeout`, 30 s unset (gunicorn/config.py Timeout; 0 = off,
   * Arbiter.murder_workers(): `if not self.timeout: return`). A gthread worker notifies from its
   * main loop at each `poller.select(1.0)` return whatever its threads do (workers/gthread.py
   * ThreadWorker.run()): never. An async (event-loop) worker is refused with the key (scenario/worker-timeout.ts).
   */
  get workerTimeout(): number {
    if (this.eventLoop || !this.isGunicorn || !this.closesAfterEveryResponse) return Infinity;
    const timeout = this.config.worker_timeout ?? GUNICORN_WORKER_TIMEOUT;
    return timeout > 0 ? timeout : Infinity;
  }

  /**
   * When gunicorn's arbiter kills a worker silent since `since` (Infinity: never). It checks in
   * each loop (arbiter.py run() → murder_workers(): SIGABRT once `time - last_update >
   * self.timeout`, strictly), which sleeps 1 s (Arbiter.sleep(): select(…, 1.0)) unless a signal
   * wakes it: a worker's exit (SIGCHLD: handle_chld → wakeup), after which it spawns the
   * replacement and sleeps ARBITER_SPAWN_SLEEP first. So its checks fall at arbiterWoke + 0.05 +
   * k s, and the kill at the first of them past `since + timeout`.
   */
  arbiterKillsAt(since: number): number {
    const timeout = this.workerTimeout;
    if (timeout === Infinity) return Infinity;
    const first = this.arbiterWoke + ARBITER_SPAWN_SLEEP;
    return first + Math.floor(since + timeout - first) + 1;
  }

  /** Workers whose replacement is still booting (workerTimedOut): no job starts on them. */
  get bootingWorkers(): number {
    return this.booting;
  }

  /**
   * It keeps a connection open after answering on it: serving, unless it closes after every
   * response (`app.keepalive: close`: a gunicorn sync worker, workers/sync.py
   * SyncWorker.handle_request → `resp.force_close()`); draining, as keepsAliveDraining says.
   */
  get keepsAliveAfterResponse(): boolean {
    if (this.closesAfterEveryResponse) return false;
    return this.accepting || this.keepsAliveDraining;
  }

  /**
   * `app.keepalive: close`: every response says `Connection: close` and the app closes the
   * connection after it (FIN first: its VM holds the TIME_WAIT), whoever connected — a client
   * (bare-client-conns.ts), HAProxy's server connection (lb/l7-server-conns.ts: not reused) or
   * nginx's upstream one (proxy/upstream.ts: not cached).
   */
  get closesAfterEveryResponse(): boolean {
    return (this.config.keepalive ?? 'keep') === 'close';
  }

  /** A WebSocket handshake would be accepted. */
  get acceptsWebSockets(): boolean {
    return this.current === AppState.SERVING && this.wsOpen;
  }

  // --- verbs -------------------------------------------------------------------------------------

  /** The process is being started again (container restart, new pod); it serves at start(). */
  starting(): void {
    if (!this.up) this.current = AppState.STARTING;
  }

  /** The process serves: listener open, WebSocket handshakes accepted. */
  start(): void {
    this.current = AppState.SERVING;
    this.wsOpen = true;
    this.shuttingDownAnswer = 0;
    this.booting = 0;
    this.arbiterWoke = 0;
    // A new process listens on a new socket: nothing an earlier loop held (a graceful exit leaves
    // them to their timeouts; a kill or a lost host handed them to app-server.ts drop()).
    this.loop.heldRequests();
  }

  /**
   * SIGTERM with `app.shutdown_delay`: the app keeps its listener open and serves as before, its
   * health endpoint answering `status` (terminus's `beforeShutdown` with the health checks'
   * `sendFailuresDuringShutdown`; lightship's `shutdownDelay` with readiness false). False when it
   * was not serving or is already shutting down (a second SIGTERM changes nothing: terminus's
   * cleanup() runs once, lightship's shutdown() warns "already shutting down").
   */
  enterLameDuck(status: 404 | 503): boolean {
    if (this.current !== AppState.SERVING || this.shuttingDownAnswer !== 0) return false;
    this.shuttingDownAnswer = status;
    return true;
  }

  /** SIGTERM: the listener closes (or stays open unattended: keepsListenerDraining); what is in flight may finish. */
  sigterm(): void {
    if (this.current !== AppState.SERVING) return;
    this.current = AppState.DRAINING;
    this.loopLeft = false;
    this.sigtermCount++;
  }

  /**
   * gunicorn-23's gthread worker wakes up after its SIGTERM (waitsForWakeUp) and leaves its loop:
   * `self.tpool.shutdown(False); self.poller.close(); for s in self.sockets: s.close()` — the
   * listener is closed, the requests in hand still run. False if it was not waiting.
   */
  leaveLoop(): boolean {
    if (!this.waitsForWakeUp) return false;
    this.loopLeft = true;
    return true;
  }

  /**
   * gunicorn's arbiter killed a worker at `now` (workerTimeout): its replacement boots
   * (arbiter.py spawn_worker → Worker.init_process) until workerBooted(), and the exit's SIGCHLD
   * woke the arbiter, whose checks count from now on (arbiterKillsAt).
   */
  workerTimedOut(now: number): void {
    this.booting++;
    this.arbiterWoke = now;
  }

  /** A replacement worker has booted and takes connections. */
  workerBooted(): void {
    if (this.booting > 0) this.booting--;
  }

  /** The drain hook (or SIGTERM in a pod) refuses new WebSocket sessions. */
  refuseWebSockets(): void {
    this.wsOpen = false;
  }

  /**
   * The process ends (SIGKILL, or a graceful exit): its memory, and the sessions in it, are gone,
   * and so is a stop-the-world pause in force (a GC or stall of that process): the next process
   * starts unpaused, as it starts with a fresh heap (gc-heaps.ts).
   */
  exit(): void {
    this.epochCount++;
    this.loop.reset();
    this.current = AppState.DEAD;
    this.pausedUntil = -Infinity;
    this.shuttingDownAnswer = 0;
    this.booting = 0;
    this.arbiterWoke = 0;
  }

  /**
   * The host under the process vanished: the process and its memory are gone with it, so the
   * epoch moves on like at exit() (in-memory sessions do not survive a host that comes back
   * rebuilt; its pending timers, e.g. a scheduled crash, stand down).
   */
  hostLost(): void {
    this.exit();
  }

  // --- the workers' queue ------------------------------------------------------------------------

  get busyWorkers(): number {
    return this.serving.size;
  }

  get queueLength(): number {
    return this.queue.length - this.queueHead;
  }

  /** Forget every queued job (the app process is gone). */
  clearQueue(): void {
    this.queue.length = 0;
    this.queueHead = 0;
  }

  enqueue(job: AppJob): void {
    this.queue.push(job);
  }

  /** Put `next` in queued `job`'s place (the jobs that timed out are the oldest: near the head). */
  replaceQueued(job: AppJob, next: AppJob): boolean {
    const q = this.queue;
    for (let i = this.queueHead; i < q.length; i++) {
      if (q[i] !== job) continue;
      q[i] = next;
      return true;
    }
    return false;
  }

  /** Take queued `job` out of the queue (false: not in it). */
  unqueue(job: AppJob): boolean {
    const i = this.queue.indexOf(job, this.queueHead);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  dequeue(): AppJob | undefined {
    if (this.queueHead >= this.queue.length) return undefined;
    const c = this.queue[this.queueHead++];
    // Compact now and then so the array does not grow without bound.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return c;
  }
}
