import type { Conn, UpstreamConn } from '../core/conn.js';

/** The nginx worker (within its generation) holding a client connection (RequestPath.workerOf). */
export type WorkerOfConn = (conn: Conn) => number;

/**
 * How many connections each nginx worker process of a VM holds, per generation and worker, kept
 * as they come and go instead of walked at each new one (worker-connections.ts asks for one count
 * at every accept and upstream connect near the limit: a walk was O(clients) each time). A
 * worker's connections: each client it accepted (accept: from ngx_event_accept's
 * ngx_get_connection, worker-connections.ts; a connection the kernel holds for accept() holds
 * none) until it ends (NginxConnTally.delete: World.end, dropServerEnd), one more while that
 * client holds an upstream connection (a request at the app,
 * a WebSocket tunnel: Conn's `upstream` setter tells the tally), and each upstream connection in
 * its keep-alive cache (cached / uncached: upstream.ts, master.ts). The worker a connection
 * belongs to moves when a TLS worker takes its handshake (moved: worker-cpu.ts admit) and, for
 * every connection at once, when a reload changes worker_processes (recount).
 * WORKER_OWN_CONNECTIONS is not in it (worker-connections.ts adds it).
 */
export class WorkerConnCount {
  /** Connections held, by generation id, then worker index (both small: nginx.ts hands ids out one by one). */
  private readonly held: number[][] = [];
  constructor(private readonly workerOf: WorkerOfConn) {}

  /** The connections worker `worker` of generation `gen` holds. */
  of(gen: number, worker: number): number {
    const byWorker = this.held[gen];
    return byWorker === undefined ? 0 : (byWorker[worker] ?? 0);
  }

  /** Every count kept, as [generation, worker, connections] (tests: worker-connections.ts checkCountsWith). */
  entries(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    this.held.forEach((byWorker, gen) => {
      byWorker.forEach((n, worker) => {
        out.push([gen, worker, n]);
      });
    });
    return out;
  }

  /**
   * Whether `conn` is counted: one of the VM's connections its nginx accepted. The record says so
   * itself (Conn.nginxCountedBy: the count that counts it; a record is in one VM's connections at
   * a time), where a WeakSet beside it cost a hash lookup on every upstream change (twice a request).
   */
  holds(conn: Conn): boolean {
    return conn.nginxCountedBy === this;
  }

  /** `conn` joined the VM's connections (World.attach): in the kernel's queue, not nginx's until accept. */
  add(conn: Conn): void {
    if (conn.nginxCountedBy === this) conn.nginxCountedBy = null;
  }

  /** nginx accepted `conn`, one of the VM's connections: itself, and its upstream connection if any. */
  accept(conn: Conn): void {
    if (conn.nginxCountedBy === this) return;
    conn.nginxCountedBy = this;
    this.change(conn.nginxGen, this.workerOf(conn), conn.upstream !== null ? 2 : 1);
  }

  /** `conn` left the VM's connections. */
  delete(conn: Conn): void {
    if (conn.nginxCountedBy !== this) return;
    conn.nginxCountedBy = null;
    this.change(conn.nginxGen, this.workerOf(conn), conn.upstream !== null ? -2 : -1);
  }

  /** `conn`, one of the VM's connections, got an upstream connection or let its one go. */
  upstreamChanged(conn: Conn, held: boolean): void {
    if (conn.nginxCountedBy === this) this.change(conn.nginxGen, this.workerOf(conn), held ? 1 : -1);
  }

  /** `conn`, one of the VM's connections, was counted in worker `from` and is now its workerOf's. */
  moved(conn: Conn, from: number): void {
    if (conn.nginxCountedBy !== this) return;
    const to = this.workerOf(conn);
    if (to === from) return;
    const n = conn.upstream !== null ? 2 : 1;
    this.change(conn.nginxGen, from, -n);
    this.change(conn.nginxGen, to, n);
  }

  /** `up` went into its worker's keep-alive cache. */
  cached(up: UpstreamConn): void {
    this.change(up.nginxGen, up.worker, 1);
  }

  /** `up` left its worker's keep-alive cache (reused or closed). */
  uncached(up: UpstreamConn): void {
    this.change(up.nginxGen, up.worker, -1);
  }

  /** Count everything again (after a reload changed which worker each connection is counted in). */
  recount(conns: Iterable<Conn>, pool: readonly UpstreamConn[]): void {
    this.held.length = 0;
    for (const c of conns) {
      if (c.nginxCountedBy !== this) continue;
      c.nginxCountedBy = null;
      this.accept(c);
    }
    for (const up of pool) this.cached(up);
  }

  private change(gen: number, worker: number, by: number): void {
    const held = this.held;
    while (held.length <= gen) held.push([]);
    const byWorker = held[gen];
    while (byWorker.length <= worker) byWorker.push(0);
    byWorker[worker] += by;
  }
}
