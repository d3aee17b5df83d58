import type { AppConfig, KernelConfig, NginxConfig } from '../../scenario/schema.js';
import { PortAllocator } from '../../net/port-allocator.js';
import { TimeWaitTable } from '../../net/time-wait-table.js';
import type { AppJob } from '../core/app-job.js';
import type { Conn, UpstreamConn } from '../core/conn.js';

/** TCP_TIMEWAIT_LEN: 60 s, a compile-time constant in include/net/tcp.h (no sysctl). */
export const TIME_WAIT_SECONDS = 60;

/**
 * One VM: its kernel (TIME_WAIT table, ephemeral ports towards the app), its nginx and its app.
 * Holds state only; the request path and lifecycle live in request-path.ts and lifecycle.ts.
 */
export class Backend {
  hostUp = true;
  nginxUp = true;
  /** nginx is quitting gracefully (SIGQUIT): no keep-alive, idle connections closed. */
  nginxQuitting = false;
  appUp = true;
  /** The app's listener accepts new connections. */
  appAccepting = true;
  /** The app accepts WebSocket handshakes (false once its drain hook ran). */
  wsAccepting = true;
  /** The app's drain hook has run (notice sent / sessions closing). */
  drainHookDone = false;

  timeWait!: TimeWaitTable;
  upstreamPorts!: PortAllocator;
  /** Server-side TIME_WAIT entries by client 4-tuple, so a returning SYN can reopen them. */
  serverTimeWait = new Map<number, number>();
  /** Bumped when the VM is rebuilt or re-bound: timers of an earlier life check it and stand down. */
  incarnation = 0;

  /** Client connections whose server end is on this VM (insertion order is deterministic). */
  readonly conns = new Set<Conn>();
  readonly wsSessions = new Set<Conn>();
  /** Idle pooled upstream connections, most recently used last (nginx reuses the head of its cache). */
  readonly upstreamPool: UpstreamConn[] = [];

  /** Jobs a worker is serving (insertion order is deterministic: pauses re-arm them in it). */
  readonly serving = new Set<AppJob>();
  /** Jobs waiting for a worker, FIFO. */
  readonly appQueue: AppJob[] = [];
  /** Workers are frozen (GC, CPU starvation) until this time. */
  pausedUntil = -Infinity;
  /** Incremented whenever the app process dies: in-memory sessions of an older epoch are gone. */
  epoch = 0;
  /** State of this backend's own database connection pool (a dead pool fails every query). */
  dependency: 'up' | 'down' | 'slow' = 'up';
  appQueueHead = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    public nginx: NginxConfig,
    public app: AppConfig,
    readonly kernel: KernelConfig,
  ) {
    this.resetKernel();
  }

  /** A new (or rebuilt) VM's kernel: empty TIME_WAIT table, every ephemeral port free. */
  resetKernel(): void {
    const kernel = this.kernel;
    this.timeWait = new TimeWaitTable(TIME_WAIT_SECONDS, kernel.tcp_max_tw_buckets);
    const [low, high] = kernel.ip_local_port_range;
    const reuse = kernel.tcp_tw_reuse === 1 || (kernel.tcp_tw_reuse === 2 && this.nginx.upstream_loopback);
    this.upstreamPorts = new PortAllocator(low, high, this.timeWait, reuse, 1, (this.index * 7919) % (high - low + 1));
    this.serverTimeWait = new Map();
  }

  get busyWorkers(): number {
    return this.serving.size;
  }

  get appQueueLength(): number {
    return this.appQueue.length - this.appQueueHead;
  }

  /** Forget every queued job (the app process is gone). */
  clearQueue(): void {
    this.appQueue.length = 0;
    this.appQueueHead = 0;
  }

  enqueue(job: AppJob): void {
    this.appQueue.push(job);
  }

  dequeue(): AppJob | undefined {
    if (this.appQueueHead >= this.appQueue.length) return undefined;
    const c = this.appQueue[this.appQueueHead++];
    // Compact now and then so the array does not grow without bound.
    if (this.appQueueHead > 1024 && this.appQueueHead * 2 > this.appQueue.length) {
      this.appQueue.splice(0, this.appQueueHead);
      this.appQueueHead = 0;
    }
    return c;
  }

  /** The effective accept backlog of the app: min(listen backlog, somaxconn), +1 as Linux counts. */
  get appBacklog(): number {
    return Math.min(this.app.backlog, this.kernel.somaxconn) + 1;
  }

  /** A socket on this VM closed first and holds TIME_WAIT for a client 4-tuple. */
  serverTimeWaitEnter(now: number, tupleKey: number): void {
    const entry = this.timeWait.enter(now, -1, tupleKey);
    if (entry >= 0) this.serverTimeWait.set(tupleKey, entry);
  }

  /** A SYN for a 4-tuple this VM holds in TIME_WAIT reopens it (tcp_timewait_state_process TCP_TW_SYN). */
  reopenServerTimeWait(now: number, tupleKey: number): boolean {
    const entry = this.serverTimeWait.get(tupleKey);
    if (entry === undefined) return false;
    this.serverTimeWait.delete(tupleKey);
    return this.timeWait.isAlive(entry, now) && this.timeWait.kill(entry);
  }

  /** TIME_WAIT sockets on this VM now, like the `tw` of `ss -s`. */
  timeWaitCount(now: number): number {
    this.timeWait.expire(now);
    // Forget expired tuple entries occasionally; the map is only a lookup aid.
    if (this.serverTimeWait.size > 4 * (this.timeWait.count + 1024)) {
      for (const [k, e] of this.serverTimeWait) if (!this.timeWait.isAlive(e, now)) this.serverTimeWait.delete(k);
    }
    return this.timeWait.count;
  }
}
