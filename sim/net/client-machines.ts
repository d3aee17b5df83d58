import type { Rng } from '../engine/random.js';
import { type HashConnectResult, inetHashConnect, type PortProbe } from './hash-connect.js';
import { type AdoptedSocket, bootJiffiesOf, HostSockets, SharedKernel } from './host-sockets.js';
import { wheelExpiryJiffy, wheelGranularity, wheelLevel } from './jiffies.js';
import { type HostKernelConfig, isLoopback, TCP_TIMEWAIT_LEN_S } from './kernel-config.js';
import {
  EPHEMERAL_PORT_SHUFFLE_PERIOD_S,
  hash4,
  INET_TABLE_PERTURB_SIZE,
  mix,
  type PerturbTable,
  PortHashSecrets,
  u32,
} from './port-hash.js';
import { mayReuseTimeWait } from './time-wait-rules.js';

/**
 * Many client machines, each a freshly booted Linux host with one namespace that connect()s to
 * one destination (the balancer's VIP), kept as columns of typed arrays: the same kernel as a
 * HostSockets with one connecting pair (host-sockets.ts: the __inet_hash_connect() walk,
 * table_perturb[], TIME_WAIT on the timer wheel, tcp_twsk_unique() reuse, tcp_max_tw_buckets),
 * the same draws from the same stream in the same order, at ~100 bytes a machine instead of
 * ~1 KB of objects (a HostSockets with its pair, entries, secrets, clock and probe closure).
 * A fleet of 100k clients keeps ~300k such machines alive (an open socket or a TIME_WAIT each).
 *
 * A machine is an index. Its sockets are a short list in a shared socket pool (most machines hold
 * one); a machine whose list passes LIST_MAX sockets (few source addresses, so many connections
 * per machine) is handed to a real HostSockets with the same state (adoptConnecting()), which has
 * the port-indexed tables and walk shortcuts that many sockets need, and is driven through it
 * from then on under the same index.
 *
 * TIME_WAIT expiry: HostSockets queues each TIME_WAIT with its timer's firing time and removes, at
 * each verb, the queued ones that have fired by then. Firing times grow with the close's time, so
 * that is every TIME_WAIT whose time has come; here each socket keeps its own firing time and the
 * machine's list is scanned (only when it holds a TIME_WAIT).
 */
const OPEN = 1;
const TIME_WAIT = 2;
/** Sockets a machine keeps in its list before it moves to a HostSockets. */
const LIST_MAX = 32;
/** Sockets per page of the socket pool (ClientMachines.sPort): 4,096, 68 KB of its four columns. */
const SOCKET_PAGE_BITS = 12;
const SOCKET_PAGE = 1 << SOCKET_PAGE_BITS;
/** Machines per page of the machine columns (ClientMachines.addr): 4,096, ~188 KB of its 13 columns. */
const MACHINE_PAGE_BITS = 12;
const MACHINE_PAGE = 1 << MACHINE_PAGE_BITS;
/** A machine's slot in its page. */
const MACHINE_SLOT = MACHINE_PAGE - 1;

export class ClientMachines {
  /** Active closes that skipped TIME_WAIT (tcp_max_tw_buckets reached), every machine. */
  timeWaitOverflows = 0;
  /** TIME_WAITs taken over by connect() (tcp_twsk_unique), every machine. */
  timeWaitReused = 0;

  private readonly lowParityPorts: number;
  private readonly timeoutJiffies: number;
  private readonly granularity: number;

  // Per machine (index m), in pages of MACHINE_PAGE machines added together and never moved
  // (machine m at [m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]), as the socket pool is (sPort):
  // doubled columns were allocated whole and copied, the old ones held until the next full GC (at
  // drain 100k the 13 columns, 11.75 MB at 262,144 machines, were resident twice while copying;
  // issue 14). A machine's columns are read a few times a connect(), not per event.
  private used = 0;
  private readonly freeIds: number[] = [];
  private readonly addr: Uint32Array[] = [];
  private readonly secretIndex: Uint32Array[] = [];
  private readonly secretOffset: Uint32Array[] = [];
  private readonly secretPerturb: Uint32Array[] = [];
  /**
   * table_perturb[] increments since boot: the first two indices written inline (−1: none yet),
   * later ones in perturbMore. A machine writes one index per 10-s period it connects in, and at
   * 100k clients ~50k machines write a second one but only ~1 in 60 a third: a second index kept
   * in a Map of small arrays cost ~230 bytes of heap a machine (~13 MB at 120 s; session 15).
   */
  private readonly perturbIndex: Int32Array[] = [];
  private readonly perturbAdded: Uint32Array[] = [];
  private readonly perturbIndex2: Int32Array[] = [];
  private readonly perturbAdded2: Uint32Array[] = [];
  /** By machine, [index, added, index, added, …] of the indices written after the first two. */
  private readonly perturbMore = new Map<number, number[]>();
  private readonly bootJiffies: Float64Array[] = [];
  // Sockets in the list: at most LIST_MAX (connect() moves a fuller machine to a HostSockets
  // before it opens another), so a byte each (issue 14: ~300k machines at 100k clients).
  private readonly lowParityUsed: Uint8Array[] = [];
  private readonly count: Uint8Array[] = [];
  private readonly timeWaits: Uint8Array[] = [];
  /** First socket of the machine's list (−1: none). */
  private readonly head: Int32Array[] = [];
  /** Machines moved to a HostSockets, and their pair there. */
  private readonly adopted = new Map<number, { readonly host: HostSockets; readonly pair: number }>();

  // The socket pool: per socket (index s), in pages of SOCKET_PAGE sockets added together and never
  // moved (socket s at [s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)]: portOf(), …); free ones
  // chained through next. Pages, not columns that double: a doubled column was allocated whole and
  // its predecessor stayed allocated until the next full GC (at drain 100k the pool passed 262,144
  // sockets at 51 s, and the 524,288-socket columns and their 262,144-socket predecessors were
  // resident at once around the drain, the run's peak; issue 14). A socket is read and written a
  // few times a connection, not per event: the page lookup costs little.
  private sUsed = 0;
  private sFree = -1;
  private readonly sPort: Int32Array[] = [];
  private readonly sState: Uint8Array[] = [];
  /**
   * A TIME_WAIT's close time (s): its entry stamp (ms, enteredMsOf()) and when its timer fires
   * (firesAtOf()) are both functions of it and of the machine's boot jiffies, so one number, not
   * the two (issue 14: 8 bytes a socket, ~300k sockets at 100k clients). Whether it had timestamps
   * is not kept either: every close here takes the one config's (close()).
   */
  private readonly sClosedAt: Float64Array[] = [];
  private readonly sNext: Int32Array[] = [];

  // The connect() in progress (the walk's probe and table_perturb[] read the machine's columns).
  private cur = 0;
  private curNowMs = 0;
  private readonly probe: PortProbe = (port) => this.establishedCheck(this.cur, port, this.curNowMs);
  private readonly perturbTable: PerturbTable = {
    perturb: (index) => this.perturb(this.cur, index),
    addPerturb: (index, by) => this.addPerturb(this.cur, index, by),
  };
  // offset is a u32 hash (a double above 2^31): NaN, a double, so the field is one from the start
  // (engine/double-fields.ts); connect() sets both before every use.
  private readonly key = { index: 0, offset: Number.NaN };
  /** connect()'s walk writes its result here (no object per connect). */
  private readonly walked: HashConnectResult = { port: -1, probes: 0 };

  constructor(
    readonly config: HostKernelConfig,
    /** Every machine's boot draws and walk draws, in the order the machines boot and connect. */
    private readonly rng: Rng,
    private readonly remoteAddr: number,
    private readonly remotePort: number,
  ) {
    const span = config.portHigh + 1 - config.portLow;
    this.lowParityPorts = span > 1 ? (span & ~1) / 2 : span;
    // JiffiesClock.timerFiresAt() for TCP_TIMEWAIT_LEN: the wheel level of a 60-s timer.
    this.timeoutJiffies = Math.round(TCP_TIMEWAIT_LEN_S * config.hz);
    this.granularity = wheelGranularity(wheelLevel(this.timeoutJiffies, config.hz));
  }

  /**
   * Boot a machine at `localAddr`: secrets (index, offset, perturb) then jiffies, the draws of
   * `new SharedKernel(hz, rng)`. Returns its index.
   */
  boot(localAddr: number): number {
    let m = this.freeIds.pop();
    if (m === undefined) {
      if (this.used === this.addr.length * MACHINE_PAGE) this.addMachinePage();
      m = this.used++;
    }
    const rng = this.rng;
    this.addr[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = localAddr;
    this.secretIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = u32(rng);
    this.secretOffset[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = u32(rng);
    this.secretPerturb[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = u32(rng);
    this.bootJiffies[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = bootJiffiesOf(rng);
    this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = -1;
    this.perturbAdded[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = 0;
    this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = -1;
    this.perturbAdded2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = 0;
    this.perturbMore.delete(m);
    this.lowParityUsed[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = 0;
    this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = 0;
    this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = 0;
    this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = -1;
    return m;
  }

  /** Let an empty machine go (isEmpty() was true); its index is reused by a later boot. */
  free(m: number): void {
    this.adopted.delete(m);
    this.perturbMore.delete(m);
    this.freeIds.push(m);
  }

  /** The local address machine m booted with. */
  addressOf(m: number): number {
    return this.addr[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
  }

  /** Machines booted and not let go. */
  get size(): number {
    return this.used - this.freeIds.length;
  }

  /** connect() without bind() towards the destination: the local port, or −1 (EADDRNOTAVAIL). */
  connect(m: number, now: number): number {
    const moved = this.adopted.get(m);
    if (moved !== undefined) return moved.host.connect(moved.pair, now);
    this.expire(m, now);
    if (this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] >= LIST_MAX) {
      const host = this.adopt(m);
      return host.host.connect(host.pair, now);
    }
    const { portLow, portHigh, hz } = this.config;
    const mayReuse = this.mayReuse(m);
    // HostSockets.connect(): every port holds this 4-tuple and none may be taken over.
    if (this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] >= portHigh - portLow + 1 && !mayReuse) return -1;
    const period = Math.floor(
      Math.floor(this.bootJiffies[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] + now * hz) /
        (EPHEMERAL_PORT_SHUFFLE_PERIOD_S * hz),
    );
    // PortHashSecrets.portOffset(), hashed at each connect(): a machine connects a few times in
    // its life, and a cached offset and its period were 10 bytes on every machine (issue 14).
    const saddr = this.addr[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
    this.key.index =
      hash4(
        this.secretIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
        saddr,
        this.remoteAddr,
        this.remotePort,
        period,
      ) &
      (INET_TABLE_PERTURB_SIZE - 1);
    this.key.offset = hash4(
      this.secretOffset[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
      saddr,
      this.remoteAddr,
      this.remotePort,
      period,
    );
    const firstPassFull =
      !mayReuse && this.lowParityUsed[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] >= this.lowParityPorts;
    this.cur = m;
    this.curNowMs = Math.floor(now * 1000);
    const result = inetHashConnect(
      portLow,
      portHigh,
      this.key,
      this.perturbTable,
      this.probe,
      this.rng,
      firstPassFull,
      null,
      this.walked,
    );
    if (result.port >= 0) this.open(m, result.port);
    return result.port;
  }

  /**
   * The connection on `port` closed; the machine closed first (`timeWait`) and keeps the 4-tuple
   * in TIME_WAIT (ts_recent, which only a SYN to a listener reads, is not kept).
   */
  close(m: number, port: number, now: number, timeWait: boolean): void {
    const moved = this.adopted.get(m);
    if (moved !== undefined) {
      moved.host.close(moved.pair, port, now, timeWait);
      return;
    }
    this.expire(m, now);
    const s = this.find(m, port);
    if (s < 0 || this.sockState(s) !== OPEN)
      throw new Error(`close of a 4-tuple that is not open (machine ${m}, port ${port})`);
    if (timeWait && this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] < this.config.maxTwBuckets) {
      this.sState[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)] = TIME_WAIT;
      this.sClosedAt[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)] = now;
      this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]++;
      return;
    }
    if (timeWait) this.timeWaitOverflows++;
    this.remove(m, s);
  }

  /** Nothing open and nothing in TIME_WAIT (after expiry at `now`). */
  isEmpty(m: number, now: number): boolean {
    const moved = this.adopted.get(m);
    if (moved !== undefined) return moved.host.isEmpty(now);
    // An open socket stays open whatever expires (HostSockets.isEmpty()).
    if (
      this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] > this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]
    )
      return false;
    this.expire(m, now);
    return this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] === 0;
  }

  /** Sockets open or in TIME_WAIT, after expiry at `now`. */
  socketsOf(m: number, now: number): number {
    const moved = this.adopted.get(m);
    if (moved !== undefined) return moved.host.socketsOf(moved.pair, now);
    this.expire(m, now);
    return this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
  }

  /** Whether the socket on `port` is open or in TIME_WAIT, after expiry at `now`. */
  stateOf(m: number, port: number, now: number): 'open' | 'time-wait' | 'none' {
    const moved = this.adopted.get(m);
    if (moved !== undefined) return moved.host.stateOf(moved.pair, port, now);
    this.expire(m, now);
    const s = this.find(m, port);
    return s < 0 ? 'none' : this.sockState(s) === OPEN ? 'open' : 'time-wait';
  }

  /** Machines holding table_perturb[] increments beyond their two inline ones: a heap array each (tests). */
  get perturbOverflows(): number {
    return this.perturbMore.size;
  }

  /** Whether the machine was moved to a HostSockets (tests). */
  isAdopted(m: number): boolean {
    return this.adopted.has(m);
  }

  /**
   * When a timer the machine's kernel arms at `now` for `seconds` fires on its timer wheel
   * (JiffiesClock.timerFiresAt on its clock): a connecting socket's SYN or data retransmission
   * (lb/l4-connect.ts, behind a NAT that forwards the client's own packets).
   */
  wheelFiresAt(m: number, now: number, seconds: number): number {
    const moved = this.adopted.get(m);
    if (moved !== undefined) return moved.host.clock.timerFiresAt(now, seconds);
    const hz = this.config.hz;
    const boot = this.bootJiffies[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
    return (wheelExpiryJiffy(Math.floor(boot + now * hz), Math.round(seconds * hz), hz) - boot) / hz;
  }

  /** Remove the machine's TIME_WAITs whose timer has fired by `now`. */
  private expire(m: number, now: number): void {
    if (this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] === 0) return;
    let s = this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
    while (s >= 0) {
      const next = this.nextOf(s);
      if (this.sockState(s) === TIME_WAIT && this.firesAtOf(m, s) <= now) {
        this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]--;
        this.remove(m, s);
      }
      s = next;
    }
  }

  /** When the timer of TIME_WAIT socket `s` of machine m fires (its close time's timerFiresAt()). */
  private firesAtOf(m: number, s: number): number {
    return this.timerFiresAt(m, this.sClosedAt[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)]);
  }

  /** A TIME_WAIT socket's entry stamp, tw_entry_stamp in ms (HostSockets: the close time in whole ms). */
  private enteredMsOf(s: number): number {
    return Math.floor(this.sClosedAt[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)] * 1000);
  }

  /** JiffiesClock.timerFiresAt(now, TCP_TIMEWAIT_LEN_S) on the machine's clock. */
  private timerFiresAt(m: number, now: number): number {
    const hz = this.config.hz;
    const boot = this.bootJiffies[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
    const gran = this.granularity;
    const jiffy = Math.floor((Math.floor(boot + now * hz) + this.timeoutJiffies + gran) / gran) * gran;
    return (jiffy - boot) / hz;
  }

  /** PortHashSecrets.perturb() of the machine (int32 bits, as PerturbTable.perturb). */
  private perturb(m: number, index: number): number {
    const initial = mix(this.secretPerturb[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT], index);
    let added = 0;
    if (index === this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT])
      added = this.perturbAdded[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
    else if (index === this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT])
      added = this.perturbAdded2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT];
    else {
      const more = this.perturbMore.get(m);
      if (more !== undefined)
        for (let i = 0; i < more.length; i += 2)
          if (more[i] === index) {
            added = more[i + 1];
            break;
          }
    }
    return (initial + added) | 0;
  }

  /** PortHashSecrets.addPerturb() of the machine. */
  private addPerturb(m: number, index: number, by: number): void {
    if (this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] < 0)
      this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = index;
    if (index === this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]) {
      this.perturbAdded[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] =
        (this.perturbAdded[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] + by) >>> 0;
      return;
    }
    if (this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] < 0)
      this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = index;
    if (index === this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]) {
      this.perturbAdded2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] =
        (this.perturbAdded2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] + by) >>> 0;
      return;
    }
    const more = this.perturbMore.get(m);
    if (more === undefined) {
      // A literal of two, not [] then push (which reserves 17 slots).
      this.perturbMore.set(m, [index, by >>> 0]);
      return;
    }
    for (let i = 0; i < more.length; i += 2)
      if (more[i] === index) {
        more[i + 1] = (more[i + 1] + by) >>> 0;
        return;
      }
    more.push(index, by >>> 0);
  }

  /** HostSockets.mayReuse() for the machine's pair. */
  private mayReuse(m: number): boolean {
    const reuse = this.config.twReuse;
    return this.config.timestamps && (reuse === 1 || (reuse === 2 && this.loopback(m)));
  }

  private loopback(m: number): boolean {
    return isLoopback(this.addr[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]) || isLoopback(this.remoteAddr);
  }

  /** HostSockets.establishedCheck() (never bound): the port is free, or its TIME_WAIT is taken over. */
  private establishedCheck(m: number, port: number, nowMs: number): boolean {
    const s = this.find(m, port);
    if (s < 0) return true;
    if (this.sockState(s) === OPEN) return false;
    const { twReuse, twReuseDelayMs } = this.config;
    if (
      !mayReuseTimeWait(
        twReuse,
        twReuseDelayMs,
        this.loopback(m),
        this.config.timestamps,
        false,
        this.enteredMsOf(s),
        nowMs,
      )
    )
      return false;
    this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]--;
    this.timeWaitReused++;
    this.remove(m, s);
    return true;
  }

  private find(m: number, port: number): number {
    for (let s = this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]; s >= 0; s = this.nextOf(s))
      if (this.portOf(s) === port) return s;
    return -1;
  }

  // A socket's numbers in its page (see sPort).
  private portOf(s: number): number {
    return this.sPort[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)];
  }

  private sockState(s: number): number {
    return this.sState[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)];
  }

  private nextOf(s: number): number {
    return this.sNext[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)];
  }

  private setNext(s: number, next: number): void {
    this.sNext[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)] = next;
  }

  /** The port lies in the range and has the parity of its low end (connect()'s first pass). */
  private inLowParity(port: number): boolean {
    const i = port - this.config.portLow;
    return i >= 0 && i < this.lowParityPorts * 2 && (i & 1) === 0;
  }

  private open(m: number, port: number): void {
    let s = this.sFree;
    if (s >= 0) this.sFree = this.nextOf(s);
    else {
      if (this.sUsed === this.sPort.length * SOCKET_PAGE) this.addSocketPage();
      s = this.sUsed++;
    }
    this.sPort[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)] = port;
    this.sState[s >>> SOCKET_PAGE_BITS][s & (SOCKET_PAGE - 1)] = OPEN;
    this.setNext(s, this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]);
    this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = s;
    this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]++;
    if (this.inLowParity(port)) this.lowParityUsed[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]++;
  }

  private remove(m: number, s: number): void {
    let prev = -1;
    for (let t = this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]; t !== s; t = this.nextOf(t)) prev = t;
    if (prev < 0) this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = this.nextOf(s);
    else this.setNext(prev, this.nextOf(s));
    this.setNext(s, this.sFree);
    this.sFree = s;
    this.count[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]--;
    if (this.inLowParity(this.portOf(s))) this.lowParityUsed[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]--;
  }

  /** Move machine m to a HostSockets holding the same kernel state (it has outgrown its list). */
  private adopt(m: number): { readonly host: HostSockets; readonly pair: number } {
    const secrets = new PortHashSecrets(this.rng, {
      index: this.secretIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
      offset: this.secretOffset[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
      perturb: this.secretPerturb[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
    });
    if (this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] >= 0)
      secrets.addPerturb(
        this.perturbIndex[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
        this.perturbAdded[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
      );
    if (this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] >= 0)
      secrets.addPerturb(
        this.perturbIndex2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
        this.perturbAdded2[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
      );
    const more = this.perturbMore.get(m) ?? [];
    for (let i = 0; i < more.length; i += 2) secrets.addPerturb(more[i], more[i + 1]);
    const kernel = new SharedKernel(this.config.hz, this.rng, {
      secrets,
      bootJiffies: this.bootJiffies[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
    });
    const host = new HostSockets(this.config, this.rng, kernel);
    const sockets: AdoptedSocket[] = [];
    for (let s = this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]; s >= 0; s = this.nextOf(s)) {
      const timeWait = this.sockState(s) === TIME_WAIT;
      sockets.push({
        port: this.portOf(s),
        timeWait,
        enteredMs: timeWait ? this.enteredMsOf(s) : 0,
        timestamps: timeWait && this.config.timestamps,
        firesAt: timeWait ? this.firesAtOf(m, s) : Number.POSITIVE_INFINITY,
      });
    }
    // The TIME_WAITs in the order their closes queued them: firing times grow with close time.
    sockets.sort((a, b) => a.firesAt - b.firesAt);
    const pair = host.adoptConnecting(
      this.addr[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT],
      this.remoteAddr,
      this.remotePort,
      // No cached offset: its first connect() hashes the same one.
      -1,
      null,
      sockets,
    );
    while (this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] >= 0)
      this.remove(m, this.head[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT]);
    this.timeWaits[m >>> MACHINE_PAGE_BITS][m & MACHINE_SLOT] = 0;
    const moved = { host, pair };
    this.adopted.set(m, moved);
    return moved;
  }

  /** MACHINE_PAGE more machines, in new pages. */
  private addMachinePage(): void {
    this.addr.push(new Uint32Array(MACHINE_PAGE));
    this.secretIndex.push(new Uint32Array(MACHINE_PAGE));
    this.secretOffset.push(new Uint32Array(MACHINE_PAGE));
    this.secretPerturb.push(new Uint32Array(MACHINE_PAGE));
    this.perturbIndex.push(new Int32Array(MACHINE_PAGE));
    this.perturbAdded.push(new Uint32Array(MACHINE_PAGE));
    this.perturbIndex2.push(new Int32Array(MACHINE_PAGE));
    this.perturbAdded2.push(new Uint32Array(MACHINE_PAGE));
    this.bootJiffies.push(new Float64Array(MACHINE_PAGE));
    this.lowParityUsed.push(new Uint8Array(MACHINE_PAGE));
    this.count.push(new Uint8Array(MACHINE_PAGE));
    this.timeWaits.push(new Uint8Array(MACHINE_PAGE));
    this.head.push(new Int32Array(MACHINE_PAGE));
  }

  /** SOCKET_PAGE more sockets, in new pages. */
  private addSocketPage(): void {
    this.sPort.push(new Int32Array(SOCKET_PAGE));
    this.sState.push(new Uint8Array(SOCKET_PAGE));
    this.sClosedAt.push(new Float64Array(SOCKET_PAGE));
    this.sNext.push(new Int32Array(SOCKET_PAGE));
  }
}
