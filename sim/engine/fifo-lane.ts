/**
 * Events that all fire the same fixed delay after they were scheduled (a client's request
 * timeout, nginx's proxy_read_timeout: armed on every request, given up on almost every one).
 * Scheduled at `now + delay` with `now` never decreasing, their (time, sequence) keys come in
 * increasing order, so a ring buffer in scheduling order is already sorted: pushing is O(1), the
 * next one is the head, and the engine merges the head with its heap's top by (time, seq), which
 * fires every event in the same order as if it had been in the heap. (IEEE rounding is monotone:
 * a ≤ b gives a + d ≤ b + d.)
 *
 * An entry is (time, seq, callback, argument, cell, index): the event is armed while
 * `cell[index]` holds its sequence number (the engine writes it there when it schedules the event),
 * and given up by whoever owns the cell writing anything else there (the model's −1) — no call into
 * the engine, no slot, no id: the cell is a deadline field of the model's own record (a client
 * record's row of times, model/core/conn.ts), so that what an answered request costs is one store
 * (issue 14, session 29: two timers armed and cancelled per request were ≥ 12 % of the drain's
 * instructions). Sequence numbers are unique among pending entries, so an entry whose cell was
 * re-armed since (a later request on the same record) no longer matches either. A given-up entry
 * stays in the ring until it is at the head when the engine looks there (it is then dropped, not
 * fired, and counts as no event: `Engine.fired` and the firing order are those of a cancelled
 * event) or the ring is full and compacted. Nothing reads an entry's callback, argument or cell
 * once it is dropped; they are left in the ring's arrays (not cleared: a store each) until
 * overwritten, which keeps at most a ring's worth of old records reachable.
 */
export class FifoLane {
  time: Float64Array;
  seq: Uint32Array;
  /** Each entry's cell, its index there, its callback and its argument. */
  cell: Float64Array[];
  index: Int32Array;
  fn: unknown[];
  arg: unknown[];
  /** Index of the first entry; entries are head, head + 1, … (mod capacity). */
  head = 0;
  /** Entries, armed and given up alike (the lane cannot tell without reading their cells). */
  count = 0;
  private mask: number;

  constructor(
    readonly delay: number,
    /** A power of two. */
    capacity: number,
  ) {
    this.time = new Float64Array(capacity);
    this.seq = new Uint32Array(capacity);
    this.cell = new Array(capacity).fill(EMPTY_CELL);
    this.index = new Int32Array(capacity);
    this.fn = new Array(capacity).fill(undefined);
    this.arg = new Array(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  /** The entry at array index `i` is still armed: its cell holds its sequence number. */
  armed(i: number): boolean {
    return this.cell[i]![this.index[i]!] === this.seq[i];
  }

  /**
   * Append an entry (room made first: see makeRoom). True when the head may have changed: the lane
   * was empty, or a compaction dropped given-up entries at its head.
   */
  push(t: number, s: number, fn: unknown, arg: unknown, cell: Float64Array, index: number): boolean {
    let moved = this.count === 0;
    if (this.count === this.mask + 1) {
      this.makeRoom();
      moved = true;
    }
    const i = (this.head + this.count) & this.mask;
    this.time[i] = t;
    this.seq[i] = s;
    this.cell[i] = cell;
    this.index[i] = index;
    this.fn[i] = fn;
    this.arg[i] = arg;
    this.count++;
    return moved;
  }

  /** Drop the head entry. */
  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.count--;
  }

  /** Array index of the k-th entry (0: the head). */
  at(k: number): number {
    return (this.head + k) & this.mask;
  }

  /** Remove the given-up entries, keeping the order of the armed ones (the head's index stays). */
  compact(): void {
    let kept = 0;
    for (let k = 0; k < this.count; k++) {
      const i = this.at(k);
      if (!this.armed(i)) continue;
      const j = this.at(kept++);
      if (j !== i) {
        this.time[j] = this.time[i]!;
        this.seq[j] = this.seq[i]!;
        this.cell[j] = this.cell[i]!;
        this.index[j] = this.index[i]!;
        this.fn[j] = this.fn[i];
        this.arg[j] = this.arg[i];
      }
    }
    this.count = kept;
  }

  /**
   * The ring is full: drop its given-up entries (they are most of it when most events are given up
   * soon after they are armed, as request timers are), and double it only when more than half is
   * still armed, so a compaction is paid for by at least half a ring of pushes.
   */
  private makeRoom(): void {
    this.compact();
    if (2 * this.count > this.mask + 1) this.grow();
  }

  /** Double the capacity, entries unrolled to start at index 0. */
  private grow(): void {
    const cap = 2 * (this.mask + 1);
    const time = new Float64Array(cap);
    const seq = new Uint32Array(cap);
    const cell = new Array<Float64Array>(cap).fill(EMPTY_CELL);
    const index = new Int32Array(cap);
    const fn = new Array<unknown>(cap).fill(undefined);
    const arg = new Array<unknown>(cap).fill(undefined);
    for (let k = 0; k < this.count; k++) {
      const i = this.at(k);
      time[k] = this.time[i]!;
      seq[k] = this.seq[i]!;
      cell[k] = this.cell[i]!;
      index[k] = this.index[i]!;
      fn[k] = this.fn[i];
      arg[k] = this.arg[i];
    }
    this.time = time;
    this.seq = seq;
    this.cell = cell;
    this.index = index;
    this.fn = fn;
    this.arg = arg;
    this.head = 0;
    this.mask = cap - 1;
  }
}

/** What an unused ring position's cell is (never read: only entries between head and count are). */
const EMPTY_CELL = new Float64Array(1);
