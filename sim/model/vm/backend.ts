import type { AppConfig, KernelConfig, NginxConfig } from '../../scenario/schema.js';
import { PortAllocator } from '../../net/port-allocator.js';
import { TimeWaitTable } from '../../net/time-wait-table.js';
import { AppProcess } from '../app/app-process.js';
import { Nginx } from '../proxy/nginx.js';
import type { Conn, UpstreamConn } from '../core/conn.js';

/** TCP_TIMEWAIT_LEN: 60 s, a compile-time constant in include/net/tcp.h (no sysctl). */
export const TIME_WAIT_SECONDS = 60;

/**
 * How a backend's processes come back. Each is a real event with its own scope; they share the
 * one boot path below, which states what each resets.
 */
export const Boot = {
  /** A rebuilt or re-bound VM (deploy `rebind_after`, a `bind` of a stopped backend): everything new. */
  NEW_VM: 0,
  /** The kubelet restarts the app container (liveness failure): same VM, same nginx, same kernel. */
  CONTAINER_RESTART: 1,
  /** A rolling update's replacement pod becomes Ready in the old one's place. */
  POD_REPLACED: 2,
} as const;
export type Boot = (typeof Boot)[keyof typeof Boot];

/**
 * One VM: its kernel (TIME_WAIT table, ephemeral ports towards the app), its nginx and its app,
 * each process with its own state machine (proxy/nginx.ts, app/app-process.ts). The VM owns the
 * one boot path and the one vanish path; what happens to the connections then is lifecycle.ts,
 * the request path is proxy/upstream.ts.
 */
export class Backend {
  private alive = true;
  readonly nginx: Nginx;
  readonly app: AppProcess;

  timeWait!: TimeWaitTable;
  upstreamPorts!: PortAllocator;
  /** Server-side TIME_WAIT entries by client 4-tuple, so a returning SYN can reopen them. */
  serverTimeWait = new Map<number, number>();
  /** Bumped when the VM is rebuilt or re-bound: timers of an earlier life check it and stand down. */
  private life = 0;

  /** Client connections whose server end is on this VM (insertion order is deterministic). */
  readonly conns = new Set<Conn>();
  readonly wsSessions = new Set<Conn>();
  /** Idle pooled upstream connections, most recently used last (nginx reuses the head of its cache). */
  readonly upstreamPool: UpstreamConn[] = [];

  constructor(
    readonly index: number,
    readonly name: string,
    nginx: NginxConfig,
    app: AppConfig,
    readonly kernel: KernelConfig,
  ) {
    this.nginx = new Nginx(nginx);
    this.app = new AppProcess(app);
    this.resetKernel();
  }

  /** The host exists and its kernel answers packets. */
  get hostUp(): boolean {
    return this.alive;
  }

  get incarnation(): number {
    return this.life;
  }

  /**
   * The one path by which a backend's processes start again. What it resets differs by `kind`, as
   * the model has always done (kept byte-identical by the restructuring; candidates for the
   * behaviour issue): only NEW_VM resets the kernel, the pause in force and nginx; CONTAINER_RESTART
   * does not start a new VM life (its timers keep running); POD_REPLACED keeps the app's
   * drain-hook flag.
   */
  boot(kind: Boot): void {
    if (kind === Boot.NEW_VM) {
      if (!this.alive) this.resetKernel();
      this.life++;
      this.app.pausedUntil = -Infinity;
      this.alive = true;
      this.nginx.start();
    } else if (kind === Boot.POD_REPLACED) this.life++;
    this.app.start();
    if (kind !== Boot.POD_REPLACED) this.app.drainHookDone = false;
  }

  /** The host disappears: no process, no kernel answering (peers get no FIN and no RST). */
  vanish(): void {
    this.alive = false;
    this.nginx.stop();
    this.app.hostLost();
  }

  /** A new (or rebuilt) VM's kernel: empty TIME_WAIT table, every ephemeral port free. */
  resetKernel(): void {
    const kernel = this.kernel;
    this.timeWait = new TimeWaitTable(TIME_WAIT_SECONDS, kernel.tcp_max_tw_buckets);
    const [low, high] = kernel.ip_local_port_range;
    const reuse = kernel.tcp_tw_reuse === 1 || (kernel.tcp_tw_reuse === 2 && this.nginx.config.upstream_loopback);
    this.upstreamPorts = new PortAllocator(low, high, this.timeWait, reuse, 1, (this.index * 7919) % (high - low + 1));
    this.serverTimeWait = new Map();
  }

  get busyWorkers(): number {
    return this.app.busyWorkers;
  }

  get appQueueLength(): number {
    return this.app.queueLength;
  }

  /** The effective accept backlog of the app: min(listen backlog, somaxconn), +1 as Linux counts. */
  get appBacklog(): number {
    return Math.min(this.app.config.backlog, this.kernel.somaxconn) + 1;
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
