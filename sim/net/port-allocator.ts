import type { TimeWaitTable } from './time-wait-table.js';

const FREE = 0;
const IN_USE = 1;
const TIME_WAIT = 2;

/**
 * Ephemeral ports of one host towards one destination (dst IP, dst port).
 *
 * Linux rejects a local port only if the whole 4-tuple is taken, by an open socket or a TIME_WAIT
 * (net/ipv4/inet_hashtables.c __inet_hash_connect → __inet_check_established), so the limit is
 * `ip_local_port_range` per destination: 28,232 ports, about 470 new connections/s when the
 * connecting side also closes first and holds each port 60 s in TIME_WAIT.
 *
 * The search walks the range from a cursor, as the kernel walks from a hashed offset that moves on
 * with every connect; the oldest released port therefore comes up first. A TIME_WAIT port may be
 * taken over when `tcp_tw_reuse` allows it (tcp_twsk_unique(): ≥ 1 s since its last timestamp).
 */
export class PortAllocator {
  inUse = 0;
  /** Ports of this destination held in TIME_WAIT. */
  timeWaitHeld = 0;
  /** Ports examined by the last connect(): the kernel's search cost. */
  lastProbes = 0;
  private readonly state: Uint8Array;
  private readonly twEntry: Float64Array;
  private readonly twSince: Float64Array;
  private cursor = 0;
  private readonly ownerId: number;

  constructor(
    readonly low: number,
    readonly high: number,
    private readonly timeWait: TimeWaitTable,
    /** Whether tcp_tw_reuse applies to this destination (1, or 2 with a loopback peer). */
    private readonly twReuse: boolean,
    private readonly twReuseDelay = 1,
    startOffset = 0,
  ) {
    const size = high - low + 1;
    this.state = new Uint8Array(size);
    this.twEntry = new Float64Array(size);
    this.twSince = new Float64Array(size);
    this.cursor = startOffset % size;
    this.ownerId = timeWait.addOwner((key, entry) => {
      const i = key - this.low;
      if (this.state[i] === TIME_WAIT && this.twEntry[i] === entry) {
        this.state[i] = FREE;
        this.timeWaitHeld--;
      }
    });
  }

  get size(): number {
    return this.state.length;
  }

  /** Pick a port for connect(); -1 means EADDRNOTAVAIL. */
  connect(now: number): number {
    this.timeWait.expire(now);
    const size = this.state.length;
    if (!this.twReuse && this.inUse + this.timeWaitHeld >= size) {
      this.lastProbes = size;
      return -1;
    }
    for (let probes = 1; probes <= size; probes++) {
      const i = this.cursor;
      this.cursor = i + 1 === size ? 0 : i + 1;
      const s = this.state[i];
      if (s === FREE || (s === TIME_WAIT && this.twReuse && now - this.twSince[i] >= this.twReuseDelay)) {
        if (s === TIME_WAIT) {
          this.timeWait.kill(this.twEntry[i]);
          this.timeWaitHeld--;
        }
        this.state[i] = IN_USE;
        this.inUse++;
        this.lastProbes = probes;
        return this.low + i;
      }
    }
    // Every port busy and nothing reusable: the kernel scanned the whole range before failing.
    this.lastProbes = size;
    return -1;
  }

  /** The connection on `port` closed; `timeWait` says whether this side holds TIME_WAIT. */
  release(port: number, now: number, timeWait: boolean): void {
    const i = port - this.low;
    if (this.state[i] !== IN_USE) throw new Error(`port ${port} released but not in use`);
    this.inUse--;
    if (timeWait) {
      const entry = this.timeWait.enter(now, this.ownerId, port);
      if (entry >= 0) {
        this.state[i] = TIME_WAIT;
        this.twEntry[i] = entry;
        this.twSince[i] = now;
        this.timeWaitHeld++;
        return;
      }
    }
    this.state[i] = FREE;
  }
}
