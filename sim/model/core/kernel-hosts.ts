import type { RandomStreams, Rng } from '../../engine/random.js';
import { ClientMachines } from '../../net/client-machines.js';
import type { WheelClock } from '../../net/dead-peer.js';
import { HostSockets, SharedKernel } from '../../net/host-sockets.js';
import type { HostKernelConfig } from '../../net/kernel-config.js';
import type { KernelConfig } from '../../scenario/schema.js';

/**
 * The model's hosts as kernels (sim/net/host-sockets.ts): the scenario's kernel settings in the
 * kernel model's terms, the addresses the model uses, and the client machines.
 *
 * Every port choice, TIME_WAIT, reuse and reopen happens inside a HostSockets; model code only
 * calls its verbs (connect, acceptSyn, close) and reads its counts.
 */

/** A scenario `kernel:` block as the kernel model reads it. */
export function hostKernelConfig(k: KernelConfig): HostKernelConfig {
  const [portLow, portHigh] = k.ip_local_port_range;
  return {
    portLow,
    portHigh,
    twReuse: k.tcp_tw_reuse,
    twReuseDelayMs: k.tcp_tw_reuse_delay,
    // Linux's default (tcp_sk_init: tcp_timestamps = 1) on every host the model has.
    timestamps: true,
    maxTwBuckets: k.tcp_max_tw_buckets,
    hz: k.hz,
  };
}

/** A freshly booted machine with one namespace: its own secrets, table_perturb[] and jiffies. */
export function bootHost(config: HostKernelConfig, rng: Rng): HostSockets {
  return new HostSockets(config, rng, new SharedKernel(config.hz, rng));
}

/** 127.0.0.1 */
export const LOOPBACK = 0x7f000001;
/** The balancer's virtual address the clients connect to (192.0.2.10, TEST-NET-1) and its port. */
export const VIP = 0xc000020a;
export const VIP_PORT = 443;
/**
 * The balancer's own address on the backend network (10.0.1.2), the source of its connections to
 * the VMs when it proxies (lb-host.ts).
 */
export const LB_ADDRESS = 0x0a000102;
/** nginx's listener on every VM. */
export const NGINX_PORT = 443;
/** The app's port behind nginx. */
export const APP_PORT = 8080;

/** The address of VM `index`: 10.0.1.(10 + index), as nginx's logs name it. */
export function vmAddress(index: number): number {
  return (0x0a00010a + index) >>> 0;
}

/** The first client address (100.64.0.0/10). */
const CLIENT_BASE = 0x64400000;

/** Client address number `ip` (0 … source_ips − 1): 100.64.0.0/10 and up. */
export function clientAddress(ip: number): number {
  return (CLIENT_BASE + ip) >>> 0;
}

/** Sweep idle client machines after this many new ones. */
const SWEEP_EVERY = 4096;
/** The address table's first size (slots, a power of two). */
const FIRST_TABLE_SLOTS = 1024;

/**
 * The client population's machines: one per source address (`clients.source_ips`), each a Linux
 * host with the `clients.kernel` settings connecting to the balancer's VIP, holding the ports of
 * its open connections and the TIME_WAIT of the connections it closed first. Their kernels are
 * the columns of one ClientMachines (sim/net/client-machines.ts); a machine is an index there.
 *
 * A machine exists while it holds a 4-tuple (open or TIME_WAIT). One that holds none is let go and
 * booted afresh (new secrets, new jiffies phase) when its address connects again: once its
 * TIME_WAITs have expired nothing of it shapes a later connect except table_perturb[] slots
 * that the 10-s reshuffle of the port offset moves away from anyway, and so the default 100,000
 * client addresses cost only the machines that are busy. New machines draw from one stream
 * (`kernel.clients`) in the order they boot, which the event order fixes.
 */
export class ClientHosts {
  /** Every machine's kernel; a client record keeps its machine's index (conn.clientPair). */
  readonly kernels: ClientMachines;
  /**
   * The machine of each address that has one, plus one (0: an empty slot): an open-addressing
   * table (linear probing) keyed by the address, which the machine itself holds
   * (kernels.addressOf), so a slot is the machine's number only. Kept at most 5/8 full: the
   * machines alive at once, not every address a run may draw (an Int32Array of `source_ips`
   * entries was 3.8 MB at drain 100k's 1,000,000 addresses, every page of it written by ~300,000
   * random draws; this is 2 MB for the ≤ 262,144 machines alive; issue 14).
   */
  private machineOf = new Int32Array(FIRST_TABLE_SLOTS);
  /** machineOf's slots − 1, and how many hold a machine. */
  private tableMask = FIRST_TABLE_SLOTS - 1;
  private tableCount = 0;
  /** The machines of addresses that have one, in boot order (what the sweep walks). A machine's
   *  address number is its booted address less CLIENT_BASE (no column of its own: issue 14). */
  private live = new Int32Array(1024);
  private liveCount = 0;
  private bootsSinceSweep = 0;

  constructor(kernel: KernelConfig, streams: RandomStreams) {
    this.kernels = new ClientMachines(hostKernelConfig(kernel), streams.stream('kernel.clients'), VIP, VIP_PORT);
  }

  /** The machine of address `ip` (0 … addresses − 1): its index in `kernels`. */
  machine(ip: number, now: number): number {
    let m = this.lookUp(ip);
    if (m < 0) {
      if (++this.bootsSinceSweep >= SWEEP_EVERY) this.sweep(now);
      m = this.kernels.boot(clientAddress(ip));
      this.insert(m);
      if (this.liveCount === this.live.length) {
        const live = new Int32Array(this.liveCount * 2);
        live.set(this.live);
        this.live = live;
      }
      this.live[this.liveCount++] = m;
    }
    return m;
  }

  /**
   * The timer wheel of address `ip`'s machine (its own jiffies phase): where its sockets'
   * retransmission timers fire (net/dead-peer.ts).
   */
  wheelOf(ip: number, now: number): WheelClock {
    const m = this.machine(ip, now);
    const kernels = this.kernels;
    return { hz: kernels.config.hz, timerFiresAt: (t, seconds) => kernels.wheelFiresAt(m, t, seconds) };
  }

  /** Client machines alive now (tests). */
  get size(): number {
    return this.liveCount;
  }

  private sweep(now: number): void {
    this.bootsSinceSweep = 0;
    let kept = 0;
    const { live, kernels } = this;
    for (let i = 0; i < this.liveCount; i++) {
      const m = live[i];
      if (kernels.isEmpty(m, now)) {
        this.remove(m);
        kernels.free(m);
      } else live[kept++] = m;
    }
    this.liveCount = kept;
  }

  /** The table slot where address number `ip`'s probe starts (Fibonacci hashing of the address). */
  private home(ip: number): number {
    return (Math.imul(ip, 0x9e3779b1) >>> 0) & this.tableMask;
  }

  /** The machine of address number `ip`, or −1 when it has none. */
  private lookUp(ip: number): number {
    const table = this.machineOf;
    const mask = this.tableMask;
    const address = clientAddress(ip);
    for (let i = this.home(ip); ; i = (i + 1) & mask) {
      const held = table[i];
      if (held === 0) return -1;
      if (this.kernels.addressOf(held - 1) === address) return held - 1;
    }
  }

  /** Machine `m` (just booted, its address in no slot) into the table; the table doubles past 5/8 full. */
  private insert(m: number): void {
    if ((this.tableCount + 1) * 8 > (this.tableMask + 1) * 5) this.growTable();
    this.place(m);
    this.tableCount++;
  }

  private place(m: number): void {
    const table = this.machineOf;
    const mask = this.tableMask;
    let i = this.home(this.kernels.addressOf(m) - CLIENT_BASE);
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = m + 1;
  }

  private growTable(): void {
    const old = this.machineOf;
    this.machineOf = new Int32Array(old.length * 2);
    this.tableMask = old.length * 2 - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.place(old[i] - 1);
  }

  /**
   * Machine `m` (still booted) out of the table. Linear probing's deletion: each later machine of
   * the same run of slots whose probe starts at or before the freed slot moves back into it, so
   * every lookup still finds its machine before an empty slot.
   */
  private remove(m: number): void {
    const table = this.machineOf;
    const mask = this.tableMask;
    let hole = this.home(this.kernels.addressOf(m) - CLIENT_BASE);
    while (table[hole] !== m + 1) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(this.kernels.addressOf(table[j] - 1) - CLIENT_BASE);
      // Movable when its home is not in the cyclic range (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        table[hole] = table[j];
        hole = j;
      }
    }
    table[hole] = 0;
    this.tableCount--;
  }
}
