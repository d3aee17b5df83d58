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
  /** Each worker's count, by generation id, then worker index (both small: nginx.ts hands ids out one by one). */
  private readonly held: WorkerCell[][] = [];

  constructor(private readonly workerOf: WorkerOfConn) {}

  /** The connections worker `worker` of generation `gen` holds. */
  of(gen: number, worker: number): number {
    const byWorker = this.held[gen];
    return byWorker === undefined ? 0 : (byWorker[worker]?.held ?? 0);
  }

  /** Every count kept, as [generation, worker, connections] (tests: worker-connections.ts checkCountsWith). */
  entries(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    this.held.forEach((byWorker, gen) => {
      byWorker.forEach((cell, worker) => {
        out.push([gen, worker, cell.held]);
      });
    });
    return out;
  }

  /**
   * Whether `conn` is counted: one of the VM's connections its nginx accepted. The record says so
   * itself (Conn.nginxCountedBy: the count of the worker that holds it, one of this VM's; a record
   * is in one VM's connections at a time), where a WeakSet beside it cost a hash lookup on every
   * upstream change (twice a request).
   */
  holds(conn: Conn): boolean {
    return this.cellOfRecord(conn) !== null;
  }

  /** `conn` joined the VM's connections (World.attach): in the kernel's queue, not nginx's until accept. */
  add(conn: Conn): void {
    if (this.cellOfRecord(conn) !== null) conn.nginxCountedBy = null;
  }

  /** nginx accepted `conn`, one of the VM's connections: itself, and its upstream connection if any. */
  accept(conn: Conn): void {
    if (this.cellOfRecord(conn) !== null) return;
    const cell = this.cell(conn.nginxGen, this.workerOf(conn));
    conn.nginxCountedBy = cell;
    cell.held += conn.upstream !== null ? 2 : 1;
  }

  /** `conn` left the VM's connections. */
  delete(conn: Conn): void {
    const cell = this.cellOfRecord(conn);
    if (cell === null) return;
    conn.nginxCountedBy = null;
    cell.held -= conn.upstream !== null ? 2 : 1;
  }

  /**
   * `conn`, one of the VM's connections, got an upstream connection or let its one go: its worker's
   * count, which the record points to (the worker a record is counted in changes only through
   * moved and recount), without asking RequestPath.workerOf again.
   */
  upstreamChanged(conn: Conn, held: boolean): void {
    const cell = this.cellOfRecord(conn);
    if (cell !== null) cell.held += held ? 1 : -1;
  }

  /** `conn`, one of the VM's connections, was counted in worker `from` and is now its workerOf's. */
  moved(conn: Conn, from: number): void {
    if (this.cellOfRecord(conn) === null) return;
    const to = this.workerOf(conn);
    if (to === from) return;
    const n = conn.upstream !== null ? 2 : 1;
    this.cell(conn.nginxGen, from).held -= n;
    const cell = this.cell(conn.nginxGen, to);
    cell.held += n;
    conn.nginxCountedBy = cell;
  }

  /** `up` went into its worker's keep-alive cache. */
  cached(up: UpstreamConn): void {
    this.cell(up.nginxGen, up.worker).held++;
  }

  /** `up` left its worker's keep-alive cache (reused or closed). */
  uncached(up: UpstreamConn): void {
    this.cell(up.nginxGen, up.worker).held--;
  }

  /** Count everything again (after a reload changed which worker each connection is counted in). */
  recount(conns: Iterable<Conn>, pool: readonly UpstreamConn[]): void {
    this.held.length = 0;
    for (const c of conns) {
      if (this.cellOfRecord(c) === null) continue;
      c.nginxCountedBy = null;
      this.accept(c);
    }
    for (const up of pool) this.cached(up);
  }

  /** The count `conn` is in when it is this VM's and counted; null otherwise. */
  private cellOfRecord(conn: Conn): WorkerCell | null {
    const cell = conn.nginxCountedBy as WorkerCell | null;
    return cell !== null && cell.owner === this ? cell : null;
  }

  /** Worker `worker` of generation `gen`'s count, made (with every lower index's) on first use. */
  private cell(gen: number, worker: number): WorkerCell {
    const held = this.held;
    while (held.length <= gen) held.push([]);
    const byWorker = held[gen];
    while (byWorker.length <= worker) byWorker.push(new WorkerCell(this));
    return byWorker[worker];
  }
}

/** One worker's connections (a generation's worker on one VM): what a counted record points to. */
class WorkerCell {
  held = 0;
  constructor(readonly owner: WorkerConnCount) {}
}
