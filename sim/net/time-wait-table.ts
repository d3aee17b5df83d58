/**
 * The TIME_WAIT sockets of one host (one network namespace).
 *
 * Every TIME_WAIT lasts exactly TCP_TIMEWAIT_LEN (60 s, a compile-time constant in
 * include/net/tcp.h), so expiry order is entry order and the table is a FIFO ring: no timer
 * events, expiry is applied lazily whenever the table is looked at. Entries can also end early
 * (a reused 4-tuple), which only marks them dead.
 *
 * `tcp_max_tw_buckets` caps the table: past it the closing socket skips TIME_WAIT and goes
 * straight to CLOSED (tcp_time_wait() else-branch, TCPTimeWaitOverflow).
 */
export type TimeWaitOwner = (key: number, entry: number) => void;

export class TimeWaitTable {
  /** Sockets currently in TIME_WAIT. */
  count = 0;
  /** Closes that skipped TIME_WAIT because the table was full. */
  overflows = 0;

  private expireAt = new Float64Array(1024);
  private keys = new Float64Array(1024);
  private owners = new Int32Array(1024);
  private alive = new Uint8Array(1024);
  /** Absolute entry numbers: head is the oldest still stored, tail the next to write. */
  private head = 0;
  private tail = 0;
  private readonly ownerCallbacks: TimeWaitOwner[] = [];

  constructor(
    readonly duration: number,
    readonly maxBuckets: number,
  ) {}

  /** Register who is told when an entry expires (e.g. a port allocator); returns its id. */
  addOwner(cb: TimeWaitOwner): number {
    this.ownerCallbacks.push(cb);
    return this.ownerCallbacks.length - 1;
  }

  /** Enter TIME_WAIT; returns the entry number, or -1 if the table is full (TIME_WAIT skipped). */
  enter(now: number, owner: number, key: number): number {
    this.expire(now);
    if (this.count >= this.maxBuckets) {
      this.overflows++;
      return -1;
    }
    if (this.tail - this.head === this.expireAt.length) this.grow();
    const entry = this.tail++;
    const i = entry % this.expireAt.length;
    this.expireAt[i] = now + this.duration;
    this.keys[i] = key;
    this.owners[i] = owner;
    this.alive[i] = 1;
    this.count++;
    return entry;
  }

  /** End an entry early (4-tuple reused). Returns false if it had already ended. */
  kill(entry: number): boolean {
    if (entry < this.head || entry >= this.tail) return false;
    const i = entry % this.expireAt.length;
    if (!this.alive[i]) return false;
    this.alive[i] = 0;
    this.count--;
    return true;
  }

  isAlive(entry: number, now: number): boolean {
    this.expire(now);
    return entry >= this.head && entry < this.tail && this.alive[entry % this.expireAt.length] === 1;
  }

  /** Drop every entry whose 60 s have passed, telling its owner. */
  expire(now: number): void {
    const cap = this.expireAt.length;
    while (this.head < this.tail) {
      const i = this.head % cap;
      if (this.expireAt[i] > now) break;
      if (this.alive[i]) {
        this.alive[i] = 0;
        this.count--;
        const owner = this.owners[i];
        if (owner >= 0) this.ownerCallbacks[owner](this.keys[i], this.head);
      }
      this.head++;
    }
  }

  private grow(): void {
    const oldCap = this.expireAt.length;
    const cap = oldCap * 2;
    const expireAt = new Float64Array(cap);
    const keys = new Float64Array(cap);
    const owners = new Int32Array(cap);
    const alive = new Uint8Array(cap);
    for (let e = this.head; e < this.tail; e++) {
      const from = e % oldCap;
      const to = e % cap;
      expireAt[to] = this.expireAt[from];
      keys[to] = this.keys[from];
      owners[to] = this.owners[from];
      alive[to] = this.alive[from];
    }
    this.expireAt = expireAt;
    this.keys = keys;
    this.owners = owners;
    this.alive = alive;
  }
}
