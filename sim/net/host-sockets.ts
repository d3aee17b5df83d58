import type { Rng } from '../engine/random.js';
import { inetCskFindOpenPort } from './bind-port.js';
import { type HashConnectResult, inetHashConnect, type PortProbe, type PortSkip } from './hash-connect.js';
import { JiffiesClock } from './jiffies.js';
import { type HostKernelConfig, isLoopback, TCP_TIMEWAIT_LEN_S } from './kernel-config.js';
import { EPHEMERAL_PORT_SHUFFLE_PERIOD_S, PortHashSecrets, type PortOffset } from './port-hash.js';
import { PortMap } from './port-map.js';
import { mayReuseTimeWait, reuseDelayPassed, synReopensTimeWait } from './time-wait-rules.js';

/**
 * The TCP sockets of one host (one network namespace), keyed by 4-tuple: what both ends of a
 * connection hold, and what decides a new connection's local port and the fate of TIME_WAIT.
 *
 * A 4-tuple is (pair, port): a *pair* fixes three of the four fields and the port is the one that
 * varies. A connecting pair (`connectPair`) is (local addr, remote addr, remote port) and varies
 * the local port; an accepting pair (`acceptPair`) is (local addr, listen port, remote addr) and
 * varies the remote port. Callers intern a pair once and keep its id.
 *
 * Time is in seconds, passed in by the caller; expiry is applied lazily. Nothing here schedules
 * events, so it runs without the engine.
 *
 * Kernel sources: see hash-connect.ts (port walk), bind-port.ts (bind(addr, 0)),
 * time-wait-rules.ts (reuse and reopen), jiffies.ts (timer wheel). TIME_WAIT entry:
 * net/ipv4/tcp_minisocks.c tcp_time_wait() → inet_twsk_alloc() refuses past
 * tcp_max_tw_buckets (the socket closes at once, LINUX_MIB_TCPTIMEWAITOVERFLOW) →
 * inet_twsk_hashdance_schedule() → __inet_twsk_schedule(): mod_timer(jiffies + 60·HZ).
 */
const OPEN = 1;
const TIME_WAIT = 2;

interface Pair {
  // Not readonly: a let-go pair's record is reused for the next pair interned (intern()).
  accepting: boolean;
  localAddr: number;
  remoteAddr: number;
  /** The remote port of a connecting pair, the listen port of an accepting one. */
  fixedPort: number;
  loopback: boolean;
  /** Sockets of this pair on a port of the range's low-end parity (connecting pairs). */
  lowParityUsed: number;
  /** The port offset of the shuffle period `period` (connect() caches it per pair). */
  period: number;
  offset: PortOffset | null;
  /** The next pair with the same intern key (-1: none). */
  nextSameKey: number;
  /** Sockets (open or TIME_WAIT) of this pair. */
  count: number;
  /**
   * The caller keeps this pair's id for good (a client machine's pair towards the VIP, nginx's
   * pair towards the app). An unpinned pair (a VM's accepting pair for one client address) is
   * let go when its last socket is gone, open or TIME_WAIT: a 4-tuple that no socket holds shapes
   * nothing later (the kernel keeps no per-peer record of it once inet_twsk_kill() has freed the
   * TIME_WAIT sock), so a VM holds one pair per address it has sockets with, not per address
   * ever seen.
   */
  pinned: boolean;
  // The pair's sockets by port. Most pairs hold one (a client machine's connection to the VIP, a
  // VM's socket from one client address): that one sits inline (soloPort ≥ 0), further ones in a
  // PortMap (port-map.ts), and a pair past DENSE_AFTER sockets (nginx → app, a busy client
  // machine) moves them all to a port-indexed table, in pages of PAGE_PORTS allocated as ports
  // in them are used (a pair's ports lie in the ephemeral range: ~110 of the 256 pages). A port
  // is in exactly one of the three places.
  // Each place holds a socket's word (see WORD_SHIFT): its state and flags, and in TIME_WAIT its
  // queue slot's index; a page holds 0 for none.
  soloPort: number;
  soloWord: number;
  more: PortMap | null;
  dense: (Int32Array | undefined)[] | null;
  /**
   * A dense connecting pair's ports that __inet_check_established() refuses, as connect()'s walk
   * skips them (PortSkip: one bitmap per parity of the range): those of its open sockets, and
   * those of its TIME_WAITs when tcp_tw_reuse can take over none of them (skipsTimeWait()); when
   * it can, the TIME_WAITs it cannot take over yet (matureTimeWaits()). Kept while the pair is
   * dense, built at its first connect().
   */
  skip: PortSkip | null;
}

/** A dead TIME_WAIT queue slot's key (see TW_SLOT); no socket taken over (HostSockets.takenOver). */
const NONE = -1;
/** No socket (wordOf()). */
const NO_WORD = 0;

/**
 * A socket as its pair holds it (Pair.soloWord, a PortMap's entries, a dense page's slots): one
 * int32 word, its state (OPEN, TIME_WAIT) in the low two bits, then BOUND (bind() bound it before
 * connect(): its port's bind bucket has fastreuse ≥ 0) and TIMESTAMPS (in TIME_WAIT: timestamps
 * were on), and above them, in TIME_WAIT, its slot's index in the TIME_WAIT queue's ring (see
 * TW_SLOT), shifted left by WORD_SHIFT. A word is never 0 (a socket's state is): 0 is NO_WORD.
 *
 * An open socket is its word alone, and a TIME_WAIT its word and its queue slot, which holds what
 * the kernel's timewait sock keeps that the model reads (ts_recent, tw_entry_stamp, the timer):
 * there is no per-socket record. Every verb finds a socket through its pair's table first, and
 * the record each socket had until session 32 (an entry of a pool, its number in the word) was a
 * cache miss of its own on every path — connect()'s walk read a TIME_WAIT's entry time from a
 * record written a port cycle (~12 s) before, then wrote its queue slot dead; a SYN reopening one
 * read ts_recent there; every open and close took or gave an entry through the pool's free list
 * (README Benchmarks, sessions 31 and 32: `enteredMs` 6.3 % of the 1-h fleet's CPU profile). The
 * queue slot is the line those paths touch anyway, and the slots are in entry-time order, which is
 * nearly the order a pair's walk comes back to its ports. Ring indexes stay below 2^27 (growQueue()).
 */
const WORD_SHIFT = 4;
const STATE_BITS = 3;
const BOUND = 4;
const TIMESTAMPS = 8;
/** Slots the TIME_WAIT queue's ring may hold: a slot's index shifted by WORD_SHIFT is an int32. */
const MAX_QUEUE_SLOTS = 2 ** (31 - WORD_SHIFT);

/**
 * Numbers per TIME_WAIT queue slot: its key ((pair id · 65536 + port) · 2 + 1 when timestamps were
 * on: TW_KEY_SPAN per pair; NONE once the slot is dead), ts_recent (the peer's last TSval, which a
 * SYN reopening the TIME_WAIT must not be older than: acceptSyn()), entry time (ms, tw_entry_stamp:
 * connect()'s takeover test and matureTimeWaits()), fire time. A slot is live while its TIME_WAIT
 * is: the TIME_WAIT's end other than expiry (taken over by connect(), reopened by a SYN) marks it
 * dead (killTimeWait(), through the ring index in the socket's word). Expiry and matureTimeWaits()
 * read only the queue, which they walk in order (a VM queues ~240 TIME_WAITs a second: reading
 * scattered socket records 1 s and 60 s later was 4.6 % of the fleet workload's CPU profile,
 * session 12). Four numbers, not five: a VM's queue holds ~15,000 slots.
 */
const TW_SLOT = 4;
const TW_KEY = 0;
const TW_TS_RECENT = 1;
const TW_ENTERED_MS = 2;
const TW_FIRES_AT = 3;
/** Keys per pair id in a slot's key: two per port. */
const TW_KEY_SPAN = 65536 * 2;

/** A pair's sockets move from a map to a port-indexed table past this many. */
const DENSE_AFTER = 512;
/** Ports per page of a port-indexed table. */
const PAGE_BITS = 8;
const PAGE_PORTS = 1 << PAGE_BITS;

/** The socket (its word: WORD_SHIFT) of `pair` on `port`, or NO_WORD. */
function wordOf(pair: Pair, port: number): number {
  if (pair.dense !== null) {
    const page = pair.dense[port >>> PAGE_BITS];
    return page === undefined ? NO_WORD : page[port & (PAGE_PORTS - 1)];
  }
  if (pair.soloPort === port) return pair.soloWord;
  if (pair.more === null) return NO_WORD;
  const word = pair.more.get(port);
  return word < 0 ? NO_WORD : word;
}

/** The socket on `port` of `pair` (which holds one) changes state or flags: its new word. */
function setWord(pair: Pair, port: number, word: number): void {
  if (pair.dense !== null) pair.dense[port >>> PAGE_BITS]![port & (PAGE_PORTS - 1)] = word;
  else if (pair.soloPort === port) pair.soloWord = word;
  else pair.more!.replace(port, word);
}

/** Set or clear port's bit in a pair's PortSkip (ports outside the walked range have none). */
function markPort(skip: PortSkip, low: number, span: number, port: number, taken: boolean): void {
  const i = port - low;
  if (i < 0 || i >= span) return;
  const bits = skip.parity[i & 1];
  const k = i >>> 1;
  if (taken) bits[k >>> 5] |= 1 << (k & 31);
  else bits[k >>> 5] &= ~(1 << (k & 31));
}

/** Put a socket (its word) on a port of `pair` that holds none. */
function storeWord(pair: Pair, port: number, word: number): void {
  pair.count++;
  if (pair.dense !== null) {
    // Its page is nearly always there already (a pair's ports come back to the same pages): in
    // place, not through denseStore(), a call on every socket a busy pair opens.
    const page = pair.dense[port >>> PAGE_BITS];
    if (page !== undefined) page[port & (PAGE_PORTS - 1)] = word;
    else denseStore(pair.dense, port, word);
    return;
  }
  if (pair.soloPort < 0) {
    pair.soloPort = port;
    pair.soloWord = word;
    return;
  }
  pair.more ??= new PortMap();
  pair.more.set(port, word);
  if (pair.count > DENSE_AFTER) {
    const table: (Int32Array | undefined)[] = new Array(65536 / PAGE_PORTS).fill(undefined);
    denseStore(table, pair.soloPort, pair.soloWord);
    const more = pair.more;
    for (let i = 0; i < more.capacity; i++) if (more.portAt(i) >= 0) denseStore(table, more.portAt(i), more.entryAt(i));
    pair.dense = table;
    pair.soloPort = -1;
    pair.soloWord = NO_WORD;
    pair.more = null;
  }
}

/** Put socket `word` on `port` of a port-indexed table. */
function denseStore(table: (Int32Array | undefined)[], port: number, word: number): void {
  let page = table[port >>> PAGE_BITS];
  if (page === undefined) {
    page = new Int32Array(PAGE_PORTS);
    table[port >>> PAGE_BITS] = page;
  }
  page[port & (PAGE_PORTS - 1)] = word;
}

/** Take the socket on `port` (which holds one) off `pair`: its word. */
function deleteWord(pair: Pair, port: number): number {
  pair.count--;
  if (pair.dense !== null) {
    // The socket's page exists (it holds the socket): cleared in place, not through denseStore().
    const page = pair.dense[port >>> PAGE_BITS]!;
    const word = page[port & (PAGE_PORTS - 1)];
    page[port & (PAGE_PORTS - 1)] = NO_WORD;
    return word;
  }
  if (pair.soloPort === port) {
    const word = pair.soloWord;
    pair.soloPort = -1;
    pair.soloWord = NO_WORD;
    return word;
  }
  return pair.more!.delete(port);
}

/** An int32 key for interning pairs; pairs with equal keys are chained (Pair.nextSameKey). */
function pairKey(localAddr: number, remoteAddr: number, fixedPort: number): number {
  return (remoteAddr ^ Math.imul(localAddr, 0x9e3779b1) ^ (fixedPort << 15)) | 0;
}

/** A kernel's jiffies at simulated time 0, drawn at boot after its secrets (one draw). */
export function bootJiffiesOf(rng: Rng): number {
  return rng.next() * 2 ** 20;
}

/** What every namespace of one machine shares: boot secrets, table_perturb[], jiffies. */
export class SharedKernel {
  readonly secrets: PortHashSecrets;
  readonly clock: JiffiesClock;

  /** Boots: secrets, then jiffies at time 0 drawn from `rng`; or, with `preset`, draws nothing. */
  constructor(hz: number, rng: Rng, preset?: { readonly secrets: PortHashSecrets; readonly bootJiffies: number }) {
    this.secrets = preset?.secrets ?? new PortHashSecrets(rng);
    // Any boot value: only its phase against the 2.048-s wheel slots and the 10-s periods matters.
    this.clock = new JiffiesClock(hz, preset === undefined ? bootJiffiesOf(rng) : preset.bootJiffies);
  }
}

/** A socket handed to HostSockets.adoptConnecting(). */
export interface AdoptedSocket {
  readonly port: number;
  readonly timeWait: boolean;
  /** TIME_WAIT only: when it began (ms), whether timestamps were on, when its timer fires. */
  readonly enteredMs: number;
  readonly timestamps: boolean;
  readonly firesAt: number;
}

/**
 * What a SYN meets (HostSockets.acceptSyn): no socket ('new'), a TIME_WAIT it reopens, an open
 * socket ('challenged': a challenge ACK, whose RST from the connecting side resets that socket —
 * its owner's to close — and the SYN comes again TCP_TIMEOUT_MIN later), a TIME_WAIT whose PAWS
 * check refused it ('reset-time-wait': its ACK drew the same RST, which killed it), or one that
 * tcp_rfc1337 keeps ('rejected').
 */
export type SynOutcome = 'new' | 'reopened-time-wait' | 'challenged' | 'reset-time-wait' | 'rejected';

/** Whether the listener took the SYN (a new socket on its 4-tuple). */
export function synTaken(outcome: SynOutcome): boolean {
  return outcome === 'new' || outcome === 'reopened-time-wait';
}

export class HostSockets {
  /** This host's jiffies (a rebuilt VM boots a new HostSockets: vm/backend.ts resetKernel). */
  clock: JiffiesClock;
  /** Sockets in TIME_WAIT now (after expire()). */
  timeWaitCount = 0;
  /**
   * Orphans: sockets their process has closed that are neither gone nor in TIME_WAIT yet — the
   * `orphan` of /proc/net/sockstat (tcp_orphan_count: __tcp_close(), net/ipv4/tcp.c, sock_orphan()
   * and tcp_orphan_count_inc(); inet_csk_destroy_sock() decrements it). FIN_WAIT1 and LAST_ACK
   * until the peer's ACK, CLOSING, and FIN_WAIT2 only beyond TCP_TIMEWAIT_LEN: with tcp_fin_timeout
   * at most 60 s (the default) an orphan reaching FIN_WAIT2 becomes a timewait sock
   * (tcp_rcv_state_process(), net/ipv4/tcp_input.c: tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)), counted
   * in `tw`. Only those the model holds longer than a round trip are here (orphaned(),
   * closeOrphan()): the others last one round trip to a live peer, which the model does not keep.
   */
  orphanCount = 0;
  /**
   * Sockets the model holds open (their 4-tuple and port taken) that Linux has turned into timewait
   * socks in their FIN_WAIT2 substate: an orphan whose FIN the peer ACKed, with tcp_fin_time() ≤
   * TCP_TIMEWAIT_LEN (tcp_fin_timeout 60 s, the default) — tcp_rcv_state_process(),
   * net/ipv4/tcp_input.c, case TCP_FIN_WAIT1: `tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)`, whose
   * tcp_done() unhashes the full socket (out of sockstat's `inuse`, sock_prot_inuse_add) and
   * inet_csk_destroy_sock() takes it out of tcp_orphan_count; the timewait sock counts in `tw`
   * (tcp_death_row tw_refcount, sockstat_seq_show(), net/ipv4/proc.c). nginx's upstream socket
   * closed at proxy_read_timeout (proxy/upstream.ts finWait2). Counted in `tw` (timeWaitCount's
   * readers: Backend.timeWaitCount), not in openCount; finWait2Held() to closeFinWait2().
   */
  finWait2Count = 0;
  /**
   * Active closes that skipped TIME_WAIT, and FIN_WAIT2 transitions that got no timewait sock
   * (finWait2Held()): tcp_max_tw_buckets reached (TIME_WAIT and FIN_WAIT2 timewait socks together).
   */
  timeWaitOverflows = 0;
  /** TIME_WAITs taken over by connect() (tcp_twsk_unique) and reopened by a SYN. */
  timeWaitReused = 0;
  timeWaitReopened = 0;
  /** Ports examined by the last connect(). */
  lastProbes = 0;
  private readonly lowParityPorts: number;
  /** The ports connect()'s walk visits: (high + 1 − low) & ~1 from portLow (PortSkip's span). */
  private readonly walkSpan: number;

  private secrets: PortHashSecrets;
  private readonly pairs: Pair[] = [];
  /** Intern key → the last pair interned with that key; null while the host has one pair or none. */
  private pairIndex: Map<number, number> | null = null;
  /** Ids of pairs let go (unpinned, no socket left), for reuse by the next intern. */
  private freePairIds: number[] | null = null;
  /** Sockets open or in TIME_WAIT, every pair. */
  private socketCount = 0;
  /**
   * Sockets on each port whose bind bucket came from bind()/listen() (connect() skips those).
   * Allocated at the first bind(): most hosts (a client machine, a VM's nginx) never bind.
   */
  private portBound: Int32Array | null = null;
  /** connect()'s probe, allocated at the first connect(): the pair and time of the connect in progress. */
  private probePairId = 0;
  private probePair: Pair | null = null;
  private probeNowMs = 0;
  private probe: PortProbe | null = null;
  /**
   * The probe of the connect() in progress took over a TIME_WAIT (not NONE): the walk returns that
   * port at once, and connect() turns the socket open in place (establishedCheck()).
   */
  private takenOver = NONE;
  /** connect()'s walk writes its result here (one object per host, not one per connect). */
  private readonly walked: HashConnectResult = { port: -1, probes: 0 };
  /**
   * TIME_WAIT expiry queue in firing order (fire times grow with entry time): TW_SLOT numbers a
   * slot (see TW_SLOT). Slots are numbered in queue order (sequence numbers, twHead to twNextSeq,
   * exclusive); slot `seq` lies at (seq & twMask) · TW_SLOT, a ring of a power of two slots that
   * doubles when full. null while empty. One Float64Array, allocated when needed and dropped when
   * drained: of the tens of thousands of client machines a fleet keeps, most hold no TIME_WAIT at a
   * given moment, and per-host arrays are most of their cost. A ring, not a line whose live slots
   * move to its start when its end is reached: the line's end ran through its whole length between
   * two moves, so every page of it was written, twice the live slots at best (the balancer's
   * 131,072 TIME_WAITs at drain 100k: 8 MB resident, the ring 4 MB; issue 14). A JS array's
   * growth and splice() allocated a new backing store again and again.
   */
  private tw: Float64Array | null = null;
  /** The ring's slots − 1 (a power of two − 1). */
  private twMask = 0;
  /** Sequence number of the oldest slot held (twNextSeq: none). */
  private twHead = 0;
  /**
   * Queue slots before this sequence number hold no TIME_WAIT that a PortSkip marks as too young
   * to take over (matureTimeWaits() has passed them); twLatestEnteredMs is the latest entry time queued.
   */
  private twMatured = 0;
  private twLatestEnteredMs = Number.NEGATIVE_INFINITY;
  /**
   * Until this time (ms) the queue from twMatured on holds no marked TIME_WAIT old enough to take
   * over: the one matureTimeWaits() last stopped at is still too young (and every marked one
   * behind it is younger still), so the next connect() need not look again before then.
   */
  private twYoungUntilMs = Number.NEGATIVE_INFINITY;
  /** Sequence number of the next slot queued. */
  private twNextSeq = 0;

  constructor(
    readonly config: HostKernelConfig,
    /** This namespace's own stream: the walk's random step, bind()'s random start. */
    private readonly rng: Rng,
    /**
     * The kernel this namespace runs on. Its port-hash secrets, table_perturb[] and jiffies are
     * global to the kernel, not per namespace (secure_ipv4_port_ephemeral() hashes addresses and
     * port only): containers on one machine pass the machine's instance and share one walk per
     * destination. Default: a kernel of its own, drawn from `rng`.
     */
    kernel: SharedKernel = new SharedKernel(config.hz, rng),
  ) {
    // __inet_hash_connect's first pass: (remaining & ~1) / 2 ports of the low end's parity.
    const span = config.portHigh + 1 - config.portLow;
    this.lowParityPorts = span > 1 ? (span & ~1) / 2 : span;
    this.walkSpan = span > 1 ? span & ~1 : span;
    if (kernel.clock.hz !== config.hz) throw new RangeError(`kernel HZ ${kernel.clock.hz} ≠ config HZ ${config.hz}`);
    this.secrets = kernel.secrets;
    this.clock = kernel.clock;
  }

  /** A connecting pair: this host at `localAddr` connecting to `remoteAddr:remotePort`. */
  connectPair(localAddr: number, remoteAddr: number, remotePort: number): number {
    return this.intern(false, localAddr, remoteAddr, remotePort, true);
  }

  /** An accepting pair: this host's listener `localAddr:listenPort` accepting from `remoteAddr`. */
  acceptPair(localAddr: number, listenPort: number, remoteAddr: number): number {
    return this.intern(true, localAddr, remoteAddr, listenPort, true);
  }

  /**
   * An accepting pair that lives only while it holds a socket: its id is valid until the last
   * socket on it (open or TIME_WAIT) is gone, and the caller asks again for a later SYN. For
   * pairs keyed by a peer address drawn from a large population (a VM's pair per client address),
   * so the table holds the peers with sockets now, whatever the run's length.
   */
  peerAcceptPair(localAddr: number, listenPort: number, remoteAddr: number): number {
    return this.intern(true, localAddr, remoteAddr, listenPort, false);
  }

  /**
   * Take over a client machine that client-machines.ts kept compactly until it outgrew that: its
   * one connecting pair with the port offset connect() cached, and its sockets as if this host
   * had opened (and closed into TIME_WAIT) them. `sockets` lists the TIME_WAITs in firing order
   * (the order their closes queued them). Only on a host without sockets; returns the pair's id.
   * ts_recent is not carried: only a SYN to an accepting pair reads it.
   */
  adoptConnecting(
    localAddr: number,
    remoteAddr: number,
    remotePort: number,
    period: number,
    offset: PortOffset | null,
    sockets: readonly AdoptedSocket[],
  ): number {
    const id = this.connectPair(localAddr, remoteAddr, remotePort);
    const pair = this.pairs[id];
    pair.period = period;
    pair.offset = offset;
    for (const s of sockets) {
      this.open(pair, s.port, false);
      if (!s.timeWait) continue;
      // ts_recent 0, as newSocket() left it: not carried (above).
      const slot = this.enterTimeWait(id, pair, s.port, wordOf(pair, s.port), s.enteredMs, s.timestamps, 0);
      this.tw![slot + TW_FIRES_AT] = s.firesAt;
    }
    return id;
  }

  /** connect() without bind(): the local port, or −1 (EADDRNOTAVAIL). */
  connect(pairId: number, now: number): number {
    this.expire(now);
    const pair = this.connecting(pairId);
    const { portLow, portHigh, hz } = this.config;
    if (pair.count >= portHigh - portLow + 1 && !this.mayReuse(pair)) {
      // Every port of the range holds this 4-tuple open or in TIME_WAIT and none may be taken
      // over: the walk would examine both parities, fail and draw nothing (same result, cheaply).
      this.lastProbes = (portHigh - portLow + 1) & ~1;
      return -1;
    }
    const period = Math.floor(this.clock.jiffies(now) / (EPHEMERAL_PORT_SHUFFLE_PERIOD_S * hz));
    if (pair.offset === null || pair.period !== period) {
      // secure_ipv4_port_ephemeral() is a function of the pair and the 10-s period: hash once per period.
      pair.period = period;
      pair.offset = this.secrets.portOffset(pair.localAddr, pair.remoteAddr, pair.fixedPort, period);
    }
    const key = pair.offset!;
    // With no TIME_WAIT takeover possible, a first-pass parity whose every port holds this pair's
    // 4-tuple cannot yield a port.
    const firstPassFull = !this.mayReuse(pair) && pair.lowParityUsed >= this.lowParityPorts;
    this.probePairId = pairId;
    this.probePair = pair;
    this.probeNowMs = Math.floor(now * 1000);
    this.takenOver = NONE;
    this.matureTimeWaits(this.probeNowMs);
    const result = inetHashConnect(
      portLow,
      portHigh,
      key,
      this.secrets,
      this.probe ?? this.makeProbe(),
      this.rng,
      firstPassFull,
      this.skipOf(pair),
      this.walked,
    );
    this.probePair = null;
    this.lastProbes = result.probes;
    if (result.port < 0) return result.port;
    if (this.takenOver === NONE) this.open(pair, result.port, false);
    else {
      // The TIME_WAIT taken over becomes the new socket in place: what removing it and opening
      // a socket on its port would leave, without taking it out of its pair's table and putting
      // it back (its queue slot died in establishedCheck()).
      setWord(pair, result.port, OPEN);
      if (pair.skip !== null) markPort(pair.skip, this.config.portLow, this.walkSpan, result.port, true);
      this.takenOver = NONE;
    }
    return result.port;
  }

  /**
   * connect()'s probe, made once per host. Not an arrow function inside connect(): a closure there
   * that captures `this` makes V8 allocate a context for `this` on EVERY call of connect(), whether
   * or not the closure is created (40 bytes a connect: 16 % of the fleet workload's allocation).
   */
  private makeProbe(): PortProbe {
    this.probe = (port: number): boolean =>
      (this.portBound === null || this.portBound[port] === 0) &&
      this.establishedCheck(this.probePairId, this.probePair!, port, false, this.probeNowMs);
    return this.probe;
  }

  /** bind(localAddr, 0) (SO_REUSEADDR as libuv sets it): the port, or −1 (EADDRINUSE). */
  bindAny(localAddr: number, now: number, reuseAddr = true): number {
    this.expire(now);
    const { portLow, portHigh } = this.config;
    const port = inetCskFindOpenPort(
      portLow,
      portHigh,
      reuseAddr,
      (p) => this.bound()[p] === 0 && !this.portUsedFrom(localAddr, p),
      this.rng,
    );
    if (port >= 0) this.bound()[port]++;
    return port;
  }

  /** connect() on a port from bindAny(); false = EADDRNOTAVAIL (4-tuple taken). */
  connectBound(pairId: number, port: number, now: number): boolean {
    this.expire(now);
    const pair = this.connecting(pairId);
    if (!this.establishedCheck(pairId, pair, port, true, Math.floor(now * 1000))) return false;
    this.bound()[port]--; // the socket's bucket stays bound: open() counts it again
    this.open(pair, port, true);
    return true;
  }

  /**
   * The process holding an open socket closed it (or exited) and the socket stays, its FIN
   * unacknowledged: an orphan (orphanCount) until closeOrphan().
   */
  orphaned(): void {
    this.orphanCount++;
  }

  /** An orphan (orphaned()) gives up or is answered: gone, without TIME_WAIT (`timeWait` false) or into it. */
  closeOrphan(pairId: number, port: number, now: number, timeWait: boolean): void {
    this.orphanCount--;
    this.close(pairId, port, now, timeWait);
  }

  /**
   * The open socket on (pair, port), closed by its process, has its FIN ACKed at `now`: Linux
   * makes it a timewait sock in its FIN_WAIT2 substate (finWait2Count: still held, counted in
   * `tw`) — unless the death row is full: tcp_time_wait() (net/ipv4/tcp_minisocks.c) gets no sock
   * from inet_twsk_alloc() once TIME_WAITs and FIN_WAIT2 timewait socks together reach
   * tcp_max_tw_buckets, counts TCPTimeWaitOverflow and tcp_done() closes the socket at once: gone,
   * its 4-tuple and port free (false). Recorded: calibration/data/kernel-tw-overflow-finwait2-rt.json.
   */
  finWait2Held(pairId: number, port: number, now: number): boolean {
    this.expire(now);
    if (this.timeWaitCount + this.finWait2Count >= this.config.maxTwBuckets) {
      this.timeWaitOverflows++;
      this.closeOpen(pairId, port, now, Math.floor(now * 1000), false, false, 0);
      return false;
    }
    this.finWait2Count++;
    return true;
  }

  /** A FIN_WAIT2 timewait sock (finWait2Held()) goes: reset by the peer's data or at tcp_fin_timeout, no TIME_WAIT after. */
  closeFinWait2(pairId: number, port: number, now: number): void {
    this.finWait2Count--;
    this.close(pairId, port, now, false);
  }

  /** A bound port given up without connecting (close() after a failed connectBound). */
  unbind(port: number): void {
    this.bound()[port]--;
  }

  /** Sockets of a pair that are open or in TIME_WAIT, after expiry at `now`. */
  socketsOf(pairId: number, now: number): number {
    this.expire(now);
    return this.pairs[pairId]?.count ?? 0;
  }

  /**
   * Open sockets (every pair), like the `inuse` of /proc/net/sockstat's TCP line without listeners:
   * not the FIN_WAIT2 timewait socks the model holds open (finWait2Count, in `tw`).
   */
  get openCount(): number {
    return this.socketCount - this.timeWaitCount - this.finWait2Count;
  }

  /** Socket pairs interned and not let go (what the pair table holds; tests of its bound). */
  get pairCount(): number {
    return this.pairs.length - (this.freePairIds?.length ?? 0);
  }

  /** Slots of the TIME_WAIT expiry queue still held, stale ones included (tests of its bound). */
  get timeWaitQueueLength(): number {
    return this.tw === null ? 0 : this.twNextSeq - this.twHead;
  }

  /** Slots the TIME_WAIT queue's array has room for (tests of its footprint). */
  get timeWaitQueueCapacity(): number {
    return this.tw === null ? 0 : this.tw.length / TW_SLOT;
  }

  /** Nothing open and nothing in TIME_WAIT (after expiry at `now`): the host holds no 4-tuple. */
  isEmpty(now: number): boolean {
    // An open socket stays open whatever expires (socketCount − timeWaitCount counts the open
    // ones before and after expiry alike): answer without walking the TIME_WAIT queue, which
    // the next verb on this host expires as of its own time with the same result.
    if (this.socketCount > this.timeWaitCount) return false;
    this.expire(now);
    return this.socketCount === 0;
  }

  /**
   * A SYN from `remotePort` reaches the listener of an accepting pair. `synTsval` is the
   * sender's TSval (its TSval clock, ms) when timestamps are on.
   */
  acceptSyn(pairId: number, remotePort: number, now: number, synTsval = 0): SynOutcome {
    this.expire(now);
    const pair = this.pairs[pairId];
    if (!pair?.accepting) throw new Error(`pair ${pairId} is not an accepting pair`);
    const word = wordOf(pair, remotePort);
    if (word === NO_WORD) {
      storeWord(pair, remotePort, this.newSocket(false));
      this.socketCount++;
      return 'new';
    }
    // An open socket owns this 4-tuple: tcp_validate_incoming() (net/ipv4/tcp_input.c) answers a
    // SYN in a synchronized state with a challenge ACK (RFC 5961 §4.2: tcp_send_challenge_ack(),
    // TCPSYNChallenge); the connecting side in SYN_SENT finds its ack_seq unacceptable and
    // answers RST with seq = that ack_seq = this socket's rcv_nxt, which tcp_reset() takes: the
    // socket ends (its owner reads ECONNRESET: the caller's to close). Recorded:
    // calibration/data/kernel-stale-tuple-rt.json.
    if ((word & STATE_BITS) === OPEN) return 'challenged';
    const slot = this.twSlotOf(word);
    const timestamps = (word & TIMESTAMPS) !== 0;
    if (!synReopensTimeWait({ timestamps, synTsval, tsRecent: this.tw![slot + TW_TS_RECENT] })) {
      // PAWS refused it: the TIME_WAIT answers with an ACK (tcp_timewait_check_oow_rate_limit(),
      // TCP_TW_ACK), whose RST from the connecting side is in window: resetTimeWait().
      return this.resetTimeWait(pairId, remotePort, now) ? 'reset-time-wait' : 'rejected';
    }
    this.killTimeWait(slot);
    this.timeWaitReopened++;
    // Reopened: OPEN, its flags kept (its queue slot's index goes with the TIME_WAIT).
    setWord(pair, remotePort, OPEN | (word & (BOUND | TIMESTAMPS)));
    return 'reopened-time-wait';
  }

  /**
   * The connection on (pair, port) closed. The active closer (`timeWait`) enters TIME_WAIT,
   * keeping the 4-tuple — and on the connecting side its port — for the timer-wheel lifetime.
   * `timestamps`: negotiated on this connection; `peerTsval`: the peer's last TSval (ts_recent),
   * by default its TSval clock now in the clock acceptSyn()'s callers use (ms of simulated time):
   * the peer's last segment is this close's. (A fixed 0 made every SYN sent at a negative time —
   * a run's warmup — older than ts_recent, so PAWS refused it.)
   */
  close(
    pairId: number,
    port: number,
    now: number,
    timeWait: boolean,
    timestamps = this.config.timestamps,
    peerTsval = Math.floor(now * 1000),
  ): void {
    this.expire(now);
    this.closeOpen(pairId, port, now, Math.floor(now * 1000), timeWait, timestamps, peerTsval);
  }

  /**
   * Both ends of a connection whose two sockets are this host's (nginx's connection to the app on
   * its VM: the connecting end on `connectPairId`, the accepting end on `acceptPairId`, one port)
   * close at `now`: close() of the connecting end, then of the accepting end, each into TIME_WAIT
   * as its flag says (an orderly close: the end that closed first; an abort: neither), with the
   * host's timestamps setting and the peer's last TSval now, as close() defaults them. One verb
   * for the two: the expiry at `now` runs once (the first close queues no TIME_WAIT that fires by
   * `now`, so a second pass would find nothing).
   */
  closeBothEnds(
    connectPairId: number,
    acceptPairId: number,
    port: number,
    now: number,
    connectingTimeWait: boolean,
    acceptingTimeWait: boolean,
  ): void {
    this.expire(now);
    const nowMs = Math.floor(now * 1000);
    const timestamps = this.config.timestamps;
    this.closeOpen(connectPairId, port, now, nowMs, connectingTimeWait, timestamps, nowMs);
    this.closeOpen(acceptPairId, port, now, nowMs, acceptingTimeWait, timestamps, nowMs);
  }

  /** close() after expiry at `now` (`nowMs`: now in whole ms, the TIME_WAIT's entry stamp). */
  private closeOpen(
    pairId: number,
    port: number,
    now: number,
    nowMs: number,
    timeWait: boolean,
    timestamps: boolean,
    peerTsval: number,
  ): void {
    const pair = this.pairs[pairId];
    const word = pair === undefined ? NO_WORD : wordOf(pair, port);
    if (word === NO_WORD || (word & STATE_BITS) !== OPEN)
      throw new Error(`close of a 4-tuple that is not open (pair ${pairId}, port ${port})`);
    // inet_twsk_alloc (net/ipv4/inet_timewait_sock.c) refuses a timewait sock once
    // `refcount_read(&dr->tw_refcount) - 1 >= sysctl_max_tw_buckets`: the death row counts every
    // timewait sock, those in their FIN_WAIT2 substate (finWait2Count) as well as TIME_WAIT's.
    if (timeWait && this.timeWaitCount + this.finWait2Count < this.config.maxTwBuckets) {
      const slot = this.enterTimeWait(pairId, pair, port, word, nowMs, timestamps, peerTsval);
      this.tw![slot + TW_FIRES_AT] = this.clock.timerFiresAt(now, TCP_TIMEWAIT_LEN_S);
      return;
    }
    if (timeWait) this.timeWaitOverflows++;
    this.remove(pairId, pair, port);
  }

  /**
   * An RST in window — its sequence number the TIME_WAIT's rcv_nxt, as the peer's own RST's is —
   * reaches the TIME_WAIT on (pair, port) at `now`: tcp_timewait_state_process()
   * (net/ipv4/tcp_minisocks.c), real TIME_WAIT substate, `if (th->rst) { if
   * (!sysctl_tcp_rfc1337) goto kill; }`. With tcp_rfc1337 0 (the default) the TIME_WAIT is killed
   * (inet_twsk_deschedule_put()): its 4-tuple, and a connecting pair's port, free at once. With
   * tcp_rfc1337 1 it stays and its timer restarts (inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN); its
   * entry stamp unchanged). Recorded: calibration/data/kernel-tw-rst-rt.json. Returns whether it
   * was killed; false too when (pair, port) holds no TIME_WAIT (an open socket takes an RST
   * through its owner: close()).
   */
  resetTimeWait(pairId: number, port: number, now: number): boolean {
    this.expire(now);
    const pair = this.pairs[pairId];
    const word = pair === undefined ? NO_WORD : wordOf(pair, port);
    if (word === NO_WORD || (word & STATE_BITS) !== TIME_WAIT) return false;
    const slot = this.twSlotOf(word);
    const tw = this.tw!;
    this.killTimeWait(slot);
    if (this.config.rfc1337 === true) {
      const timestamps = (word & TIMESTAMPS) !== 0;
      const again = this.enterTimeWait(
        pairId,
        pair,
        port,
        word,
        tw[slot + TW_ENTERED_MS],
        timestamps,
        tw[slot + TW_TS_RECENT],
      );
      this.tw![again + TW_FIRES_AT] = this.clock.timerFiresAt(now, TCP_TIMEWAIT_LEN_S);
      return false;
    }
    this.remove(pairId, pair, port);
    return true;
  }

  /** Whether (pair, port) is open or in TIME_WAIT, after expiry at `now`. */
  stateOf(pairId: number, port: number, now: number): 'open' | 'time-wait' | 'none' {
    this.expire(now);
    const pair = this.pairs[pairId];
    const word = pair === undefined ? NO_WORD : wordOf(pair, port);
    return word === NO_WORD ? 'none' : (word & STATE_BITS) === OPEN ? 'open' : 'time-wait';
  }

  /** When the oldest TIME_WAIT still held fires, or Infinity. */
  nextTimeWaitExpiry(): number {
    const tw = this.tw;
    if (tw === null) return Number.POSITIVE_INFINITY;
    for (let seq = this.twHead; seq < this.twNextSeq; seq++) {
      const i = (seq & this.twMask) * TW_SLOT;
      if (tw[i + TW_KEY] !== NONE) return tw[i + TW_FIRES_AT];
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Remove every TIME_WAIT whose timer-wheel slot has fired by `now`. */
  expire(now: number): void {
    const tw = this.tw;
    if (tw === null) return;
    const mask = this.twMask;
    const tail = this.twNextSeq;
    let head = this.twHead;
    let i = (head & mask) * TW_SLOT;
    while (head < tail && tw[i + TW_FIRES_AT] <= now) {
      const key = tw[i + TW_KEY];
      if (key !== NONE) {
        this.timeWaitCount--;
        const pairId = Math.floor(key / TW_KEY_SPAN);
        this.remove(pairId, this.pairs[pairId], (key - pairId * TW_KEY_SPAN) >>> 1);
      }
      head++;
      i = (head & mask) * TW_SLOT;
    }
    this.twHead = head;
    if (head === tail) {
      // Drained (a client machine's one TIME_WAIT gone): drop the queue, so an idle host holds
      // none however many connections it closed before.
      this.tw = null;
      this.twMatured = head;
    }
  }

  /**
   * Socket `word` of the pair on `port` enters TIME_WAIT at `enteredMs`. Its queue slot is
   * appended (see `tw`): its index is returned, and the caller writes when its timer fires
   * (TW_FIRES_AT) before anything reads the queue. Not a parameter: that time is a fraction of a
   * second, and a fractional double passed to a call TurboFan does not inline (this one, into
   * close()) is boxed, a heap number allocated per close into TIME_WAIT; `now` comes boxed already.
   */
  private enterTimeWait(
    pairId: number,
    pair: Pair,
    port: number,
    word: number,
    enteredMs: number,
    timestamps: boolean,
    tsRecent: number,
  ): number {
    const i = this.queueSlot();
    const tw = this.tw!;
    const index = this.twNextSeq++ & this.twMask;
    setWord(pair, port, (index << WORD_SHIFT) | (word & BOUND) | TIME_WAIT | (timestamps ? TIMESTAMPS : 0));
    this.timeWaitCount++;
    this.timeWaitInSkip(pair, port, enteredMs, timestamps);
    tw[i + TW_KEY] = pairId * TW_KEY_SPAN + port * 2 + (timestamps ? 1 : 0);
    tw[i + TW_TS_RECENT] = tsRecent;
    tw[i + TW_ENTERED_MS] = enteredMs;
    return i;
  }

  /** Append a slot to the TIME_WAIT queue (see `tw`) for sequence number twNextSeq: its index. */
  private queueSlot(): number {
    const tw = this.tw;
    if (tw === null) {
      this.tw = new Float64Array(4 * TW_SLOT);
      this.twMask = 3;
    } else if (this.twNextSeq - this.twHead > this.twMask) this.growQueue(tw);
    return (this.twNextSeq & this.twMask) * TW_SLOT;
  }

  /**
   * The full ring `tw` doubles: each held slot moves to where its sequence number lies in the new
   * one, and a live slot's TIME_WAIT takes its new index into its word.
   */
  private growQueue(tw: Float64Array): void {
    const mask = this.twMask * 2 + 1;
    if (mask + 1 > MAX_QUEUE_SLOTS)
      throw new RangeError(`more than ${MAX_QUEUE_SLOTS} TIME_WAIT queue slots on one host`);
    const grown = new Float64Array((mask + 1) * TW_SLOT);
    for (let seq = this.twHead; seq < this.twNextSeq; seq++) {
      const from = (seq & this.twMask) * TW_SLOT;
      const to = (seq & mask) * TW_SLOT;
      for (let k = 0; k < TW_SLOT; k++) grown[to + k] = tw[from + k];
      const key = tw[from + TW_KEY];
      if (key === NONE) continue;
      const pairId = Math.floor(key / TW_KEY_SPAN);
      const pair = this.pairs[pairId];
      const port = (key - pairId * TW_KEY_SPAN) >>> 1;
      setWord(pair, port, ((seq & mask) << WORD_SHIFT) | (wordOf(pair, port) & ((1 << WORD_SHIFT) - 1)));
    }
    this.tw = grown;
    this.twMask = mask;
  }

  private intern(
    accepting: boolean,
    localAddr: number,
    remoteAddr: number,
    fixedPort: number,
    pinned: boolean,
  ): number {
    const key = pairKey(localAddr, remoteAddr, fixedPort);
    if (this.pairIndex === null && this.pairs.length > 0) {
      // A second pair: index the first (a client machine never gets here).
      this.pairIndex = new Map();
      const p = this.pairs[0];
      this.pairIndex.set(pairKey(p.localAddr, p.remoteAddr, p.fixedPort), 0);
    }
    const first = this.pairIndex === null ? -1 : (this.pairIndex.get(key) ?? -1);
    for (let id = first; id >= 0; id = this.pairs[id].nextSameKey) {
      const p = this.pairs[id];
      if (
        p.accepting === accepting &&
        p.localAddr === localAddr &&
        p.remoteAddr === remoteAddr &&
        p.fixedPort === fixedPort
      ) {
        if (pinned) p.pinned = true;
        return id;
      }
    }
    const reused = this.freePairIds?.pop();
    if (reused !== undefined) {
      const p = this.pairs[reused];
      p.accepting = accepting;
      p.localAddr = localAddr;
      p.remoteAddr = remoteAddr;
      p.fixedPort = fixedPort;
      p.loopback = isLoopback(localAddr) || isLoopback(remoteAddr);
      p.period = -1;
      p.offset = null;
      p.nextSameKey = first;
      p.pinned = pinned;
      this.pairIndex!.set(key, reused);
      return reused;
    }
    const id = this.pairs.length;
    this.pairs.push({
      accepting,
      localAddr,
      remoteAddr,
      fixedPort,
      loopback: isLoopback(localAddr) || isLoopback(remoteAddr),
      lowParityUsed: 0,
      period: -1,
      offset: null,
      nextSameKey: first,
      count: 0,
      pinned,
      soloPort: -1,
      soloWord: NO_WORD,
      more: null,
      dense: null,
      skip: null,
    });
    this.pairIndex?.set(key, id);
    return id;
  }

  /**
   * Forget an unpinned pair whose last socket is gone: out of the intern index, its id and record
   * kept for the next pair. Nothing else refers to it: it holds no TIME_WAIT, so every queue slot
   * that named it is dead or gone, and its caller asks peerAcceptPair() again for a later socket.
   */
  private letGo(id: number, pair: Pair): void {
    const key = pairKey(pair.localAddr, pair.remoteAddr, pair.fixedPort);
    const head = this.pairIndex?.get(key) ?? -1;
    if (this.pairIndex === null) {
      // No index: this was the host's one pair. An empty index now stands for "none", so that
      // intern() does not index the let-go record as the host's first pair.
      this.pairIndex = new Map();
    } else if (head === id) {
      if (pair.nextSameKey >= 0) this.pairIndex.set(key, pair.nextSameKey);
      else this.pairIndex.delete(key);
    } else {
      let prev = head;
      while (this.pairs[prev].nextSameKey !== id) prev = this.pairs[prev].nextSameKey;
      this.pairs[prev].nextSameKey = pair.nextSameKey;
    }
    pair.nextSameKey = -1;
    // A pair that went dense (thousands of sockets from one peer) gives its table back.
    pair.dense = null;
    pair.skip = null;
    pair.more = null;
    pair.soloPort = -1;
    pair.soloWord = NO_WORD;
    (this.freePairIds ??= []).push(id);
  }

  /**
   * Whether connect() might take over some TIME_WAIT of this pair, whatever the TIME_WAIT's own
   * timestamps (mayReuseTimeWait() with bound = false needs tcp_tw_reuse in effect for the pair).
   * When not, every socket of the pair makes its port unusable to the walk.
   */
  private mayReuseAny(pair: Pair): boolean {
    const reuse = this.config.twReuse;
    return reuse === 1 || (reuse === 2 && pair.loopback);
  }

  /**
   * Whether the pair's PortSkip marks its TIME_WAITs: only when connect() can take over none of
   * them (mayReuseAny false). Otherwise a TIME_WAIT's port is probed, as its age and timestamps
   * decide (tcp_twsk_unique()), and only open sockets are skipped: a loopback pair (nginx → app
   * under tcp_tw_reuse = 2) holding thousands of open connections walks past them a word at a time.
   */
  private skipsTimeWait(pair: Pair): boolean {
    return !this.mayReuseAny(pair);
  }

  /**
   * The pair's PortSkip, built from its sockets the first time a dense connecting pair connects
   * (small pairs walk few ports: null, probe each).
   * Protected, not private: a test host overrides it with null to probe every port.
   */
  protected skipOf(pair: Pair): PortSkip | null {
    if (pair.dense === null || pair.accepting || this.walkSpan < 2) return null;
    // Built out of line: connect() calls this on every walk, and TurboFan inlines a callee whole,
    // so the build, which runs once per pair, took from connect()'s inlining budget what
    // expire() then lacked (a call on every connect).
    return pair.skip ?? this.buildSkip(pair, pair.dense);
  }

  /** A dense connecting pair's PortSkip, built from its sockets (its port-indexed table `dense`). */
  private buildSkip(pair: Pair, dense: readonly (Int32Array | undefined)[]): PortSkip {
    const words = ((this.walkSpan >>> 1) + 31) >>> 5;
    const skip: PortSkip = { parity: [new Uint32Array(words), new Uint32Array(words)] };
    const { portLow } = this.config;
    const everyTimeWait = this.skipsTimeWait(pair);
    for (let page = 0; page < dense.length; page++) {
      const words = dense[page];
      if (words === undefined) continue;
      for (let j = 0; j < PAGE_PORTS; j++) {
        const w = words[j];
        // A TIME_WAIT of a pair whose TIME_WAITs may be taken over: marked only without
        // timestamps (never taken over); one with timestamps is left to the probe whatever its
        // age (timeWaitInSkip() marks only those closed from now on, in entry-time order).
        const held = w !== NO_WORD && (everyTimeWait || (w & STATE_BITS) === OPEN || (w & TIMESTAMPS) === 0);
        if (held) markPort(skip, portLow, this.walkSpan, (page << PAGE_BITS) | j, true);
      }
    }
    pair.skip = skip;
    return skip;
  }

  /**
   * The socket of the pair on `port` enters TIME_WAIT (before its queue slot is pushed). Its
   * port stays in the PortSkip (set by open()) while connect() cannot take it over: always when
   * skipsTimeWait() or without timestamps; with timestamps, until tcp_tw_reuse_delay has passed,
   * which matureTimeWaits() finds in queue order, so only a TIME_WAIT queued in entry-time order
   * stays (one entered before the latest queued is probed from now on: the safe side).
   */
  private timeWaitInSkip(pair: Pair, port: number, enteredMs: number, timestamps: boolean): void {
    const inOrder = enteredMs >= this.twLatestEnteredMs;
    if (inOrder) this.twLatestEnteredMs = enteredMs;
    // skipsTimeWait() last: a call, and nearly every TIME_WAIT is queued in order.
    if (pair.skip === null || inOrder || !timestamps || this.skipsTimeWait(pair)) return;
    markPort(pair.skip, this.config.portLow, this.walkSpan, port, false);
  }

  /**
   * Take out of their pairs' PortSkips the TIME_WAITs that connect() may take over at `nowMs`
   * (tcp_twsk_unique(): tcp_tw_reuse_delay has passed since tw_entry_stamp), walking the queue
   * from twMatured. Entry times grow along the queue for the TIME_WAITs a PortSkip marks
   * (timeWaitInSkip()), so the first live one still too young ends the walk: every marked one
   * behind it is younger still.
   *
   * A slot whose pair has no PortSkip now is passed without looking at its socket: there is
   * nothing to take out (an accepting pair's TIME_WAITs, most of a VM's, never have one), and a
   * PortSkip built later marks none of its TIME_WAITs that this walk would take out (skipOf()
   * leaves a TIME_WAIT with timestamps to the probe). Passing it does not pass a marked slot
   * that is already mature: a marked TIME_WAIT entered no earlier than any slot before it.
   *
   * Walking again from an earlier slot changes nothing (a mature one's port is taken out again:
   * no socket can have taken it since, as its TIME_WAIT still holds it), so until the slot it
   * stopped at matures (twYoungUntilMs) the walk is not started: that slot may have died since,
   * but every marked one behind it is as young.
   */
  private matureTimeWaits(nowMs: number): void {
    // The walk a function of its own: as one body inlined whole into connect(), which had spent
    // its inlining budget by then, its small steps (mayReuseAny(), the age test, markPort()) were
    // calls on every slot; split, TurboFan inlines them (callgrind of the fleet, session 22).
    if (this.tw !== null && nowMs > this.twYoungUntilMs) this.walkMatured(this.tw, nowMs);
  }

  /** matureTimeWaits() past its gate: the walk of the queue `tw` from twMatured. */
  private walkMatured(tw: Float64Array, nowMs: number): void {
    const { twReuseDelayMs } = this.config;
    const mask = this.twMask;
    const tail = this.twNextSeq;
    let seq = Math.max(this.twMatured, this.twHead);
    for (; seq < tail; seq++) {
      const i = (seq & mask) * TW_SLOT;
      const key = tw[i + TW_KEY];
      if (key === NONE) continue; // dead: its port is someone else's
      const pairId = Math.floor(key / TW_KEY_SPAN);
      const pair = this.pairs[pairId];
      if (pair.skip === null) continue;
      // mayReuseTimeWait() of a TIME_WAIT with timestamps, not bound, in its two parts (not a call
      // with the entry time, a double, boxed for it on every slot): the pair may take over a
      // TIME_WAIT at all (mayReuseAny), then tcp_tw_reuse_delay has passed.
      if (!this.mayReuseAny(pair)) continue; // never taken over: its pair's PortSkip marks every TIME_WAIT
      const enteredMs = tw[i + TW_ENTERED_MS];
      if (!reuseDelayPassed(enteredMs, nowMs, twReuseDelayMs)) {
        // Too young yet, and so is every marked one after it.
        this.twYoungUntilMs = enteredMs + twReuseDelayMs;
        break;
      }
      const portTs = key - pairId * TW_KEY_SPAN;
      if ((portTs & 1) !== 0) markPort(pair.skip, this.config.portLow, this.walkSpan, portTs >>> 1, false);
    }
    this.twMatured = seq;
  }

  /** Whether connect() may ever take over a TIME_WAIT of this pair (tcp_twsk_unique's sysctl test). */
  private mayReuse(pair: Pair): boolean {
    const reuse = this.config.twReuse;
    return this.config.timestamps && (reuse === 1 || (reuse === 2 && pair.loopback));
  }

  /** The port lies in the range and has the parity of its low end (connect()'s first pass). */
  private inLowParity(port: number): boolean {
    const i = port - this.config.portLow;
    return i >= 0 && i < this.lowParityPorts * 2 && (i & 1) === 0;
  }

  /** Whether a socket of some connecting pair from `localAddr` uses `port` (bind()'s conflict test). */
  private portUsedFrom(localAddr: number, port: number): boolean {
    for (let id = 0; id < this.pairs.length; id++) {
      const pair = this.pairs[id];
      if (!pair.accepting && pair.localAddr === localAddr && wordOf(pair, port) !== NO_WORD) return true;
    }
    return false;
  }

  private connecting(pairId: number): Pair {
    const pair = this.pairs[pairId];
    if (pair === undefined || pair.accepting) throw new Error(`pair ${pairId} is not a connecting pair`);
    return pair;
  }

  /** __inet_check_established(): the 4-tuple is free, or its TIME_WAIT may be taken over (and is). */
  private establishedCheck(pairId: number, pair: Pair, port: number, bound: boolean, nowMs: number): boolean {
    const word = wordOf(pair, port);
    if (word === NO_WORD) return true;
    if ((word & STATE_BITS) === OPEN) return false;
    const slot = this.twSlotOf(word);
    const reusable = mayReuseTimeWait(
      this.config.twReuse,
      this.config.twReuseDelayMs,
      pair.loopback,
      (word & TIMESTAMPS) !== 0,
      bound,
      this.tw![slot + TW_ENTERED_MS],
      nowMs,
    );
    if (!reusable) return false;
    this.killTimeWait(slot);
    this.timeWaitReused++;
    // connect()'s walk returns this port at once: connect() turns the socket open in place. A
    // bound socket's connect() opens a new one (its port's bind count moves with it).
    if (bound) this.remove(pairId, pair, port);
    else this.takenOver = port;
    return true;
  }

  /**
   * Where the queue slot of the TIME_WAIT `word` starts in `tw`: live while the TIME_WAIT lasts
   * (expire() removes the TIME_WAIT with its slot, killTimeWait() kills the slot as it ends it).
   */
  private twSlotOf(word: number): number {
    return (word >>> WORD_SHIFT) * TW_SLOT;
  }

  /** A TIME_WAIT ends before its timer: its queue slot (index `slot` in `tw`) dies. */
  private killTimeWait(slot: number): void {
    this.tw![slot + TW_KEY] = NONE;
    this.timeWaitCount--;
  }

  private open(pair: Pair, port: number, bound: boolean): void {
    storeWord(pair, port, this.newSocket(bound));
    if (pair.skip !== null) markPort(pair.skip, this.config.portLow, this.walkSpan, port, true);
    this.socketCount++;
    if (this.inLowParity(port)) pair.lowParityUsed++;
    if (bound) this.bound()[port]++;
  }

  private bound(): Int32Array {
    if (this.portBound === null) this.portBound = new Int32Array(65536);
    return this.portBound;
  }

  /** A new open socket's word: its state and flags, nothing else (see WORD_SHIFT). */
  private newSocket(bound: boolean): number {
    return OPEN | (bound ? BOUND : 0);
  }

  private remove(pairId: number, pair: Pair, port: number): void {
    const word = deleteWord(pair, port);
    if (pair.skip !== null) markPort(pair.skip, this.config.portLow, this.walkSpan, port, false);
    this.socketCount--;
    if (pair.count === 0 && !pair.pinned) this.letGo(pairId, pair);
    if (pair.accepting) return; // the listener's port stays with the listener
    if (this.inLowParity(port)) pair.lowParityUsed--;
    if (this.portBound !== null && (word & BOUND) !== 0) this.portBound[port]--;
  }
}
