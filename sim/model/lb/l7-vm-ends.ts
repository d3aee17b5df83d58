import type { HostSockets } from '../../net/host-sockets.js';

const EMPTY = -1;

/**
 * nginx's ends of one server's connections from the L7 balancer (l7-server-conns.ts), by the
 * balancer's local port: the VM kernel holding each accepted socket and its accepting pair there.
 * An open-addressing table (linear probing, deletion by backward shift, no tombstones) over
 * typed arrays: opening and closing a connection allocates nothing once the table has grown to
 * the connections open at a time. A Map of `{ host, pair }` records allocated a record per
 * connection and a new hash table every few hundred as ports came and went (issue 14: one per
 * open-loop request under `http-reuse safe`). Nothing iterates it, so its order is no output.
 */
export class VmEnds {
  private ports = new Int32Array(16).fill(EMPTY);
  private pairs = new Float64Array(16);
  private hosts: Array<HostSockets | null> = new Array<HostSockets | null>(16).fill(null);
  private mask = 15;
  /** 32 − log2(table size): home() keeps the product's top bits. */
  private shift = 28;
  private count = 0;

  /** The slot of `port` (≥ 0), or -1 when no end is recorded for it. */
  find(port: number): number {
    for (let i = this.home(port); ; i = (i + 1) & this.mask) {
      const p = this.ports[i];
      if (p === port) return i;
      if (p === EMPTY) return -1;
    }
  }

  hostAt(slot: number): HostSockets {
    return this.hosts[slot]!;
  }

  pairAt(slot: number): number {
    return this.pairs[slot];
  }

  /** Record (or replace) the end of the connection from `port`. */
  set(port: number, host: HostSockets, pair: number): void {
    const found = this.find(port);
    if (found >= 0) {
      // A replacement adds no entry: no reason to grow (review14 finding 6).
      this.hosts[found] = host;
      this.pairs[found] = pair;
      return;
    }
    if (2 * (this.count + 1) > this.ports.length) this.grow();
    let i = this.home(port);
    while (this.ports[i] !== EMPTY) i = (i + 1) & this.mask;
    this.count++;
    this.ports[i] = port;
    this.hosts[i] = host;
    this.pairs[i] = pair;
  }

  /** Forget the end in `slot` (from find()); later entries of its probe run shift back into the gap. */
  deleteAt(slot: number): void {
    const { ports, mask } = this;
    let gap = slot;
    for (let i = (slot + 1) & mask; ports[i] !== EMPTY; i = (i + 1) & mask) {
      // An entry may fill the gap if its home is not cyclically within (gap, i].
      const h = this.home(ports[i]);
      if (((i - h) & mask) >= ((i - gap) & mask)) {
        ports[gap] = ports[i];
        this.hosts[gap] = this.hosts[i];
        this.pairs[gap] = this.pairs[i];
        gap = i;
      }
    }
    ports[gap] = EMPTY;
    this.hosts[gap] = null;
    this.count--;
  }

  get size(): number {
    return this.count;
  }

  /** Slots in the table (tests: it grows only for a new port). */
  get capacity(): number {
    return this.ports.length;
  }

  private home(port: number): number {
    // Fibonacci hashing: consecutive ports (a kernel's port walk) spread over the table.
    return Math.imul(port, 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const { ports, hosts, pairs } = this;
    const size = ports.length * 2;
    this.ports = new Int32Array(size).fill(EMPTY);
    this.pairs = new Float64Array(size);
    this.hosts = new Array<HostSockets | null>(size).fill(null);
    this.mask = size - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < ports.length; i++) if (ports[i] !== EMPTY) this.set(ports[i], hosts[i]!, pairs[i]);
  }
}
