/**
 * Events that all fire the same fixed delay after they were scheduled (a client's request
 * timeout: armed on every request, cancelled on almost every one). Scheduled at `now + delay`
 * with `now` never decreasing, their (time, sequence) keys come in increasing order, so a ring
 * buffer in scheduling order is already sorted: pushing is O(1), the next one is the head, and
 * the engine merges the head with its heap's top by (time, seq), which fires every event in the
 * same order as if it had been in the heap. (IEEE rounding is monotone: a ≤ b gives
 * a + d ≤ b + d.)
 *
 * Entries are (time, seq, slot) in three typed arrays; a cancelled entry stays, its slot replaced
 * by CANCELLED (the engine writes it there: it knows each live entry's index, `onMove` tells it
 * when one moves), until it reaches the head or the lane is compacted (the engine decides, as for
 * its heap). Cancelled entries are recognised in the lane's own arrays, read in order: neither
 * dropping them at the head nor a compaction reads the engine's per-slot tables, which at 10^5
 * clients are megabytes read at random.
 */
/** The slot of a cancelled entry. */
export const CANCELLED = -1;

export class FifoLane {
  time: Float64Array;
  seq: Uint32Array;
  slot: Int32Array;
  /** Index of the first entry; entries are head, head + 1, … (mod capacity). */
  head = 0;
  /** Entries, live and cancelled. */
  count = 0;
  /** Cancelled entries still in the lane. */
  dead = 0;
  private mask: number;

  constructor(
    readonly delay: number,
    /** A live entry of `slot` now has array index `index` (a grow or a compaction moved it). */
    private readonly onMove: (slot: number, index: number) => void,
    capacity = 64,
  ) {
    this.time = new Float64Array(capacity);
    this.seq = new Uint32Array(capacity);
    this.slot = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Append an entry; its array index (until onMove says otherwise). */
  push(t: number, s: number, slot: number): number {
    if (this.count === this.mask + 1) this.grow();
    const i = (this.head + this.count) & this.mask;
    this.time[i] = t;
    this.seq[i] = s;
    this.slot[i] = slot;
    this.count++;
    return i;
  }

  /** The entry at array index `i` is cancelled (its slot already free for reuse). */
  cancelAt(i: number): void {
    this.slot[i] = CANCELLED;
    this.dead++;
  }

  /** Drop cancelled entries from the head. */
  dropCancelledHead(): void {
    while (this.count > 0 && this.slot[this.head] === CANCELLED) {
      this.head = (this.head + 1) & this.mask;
      this.count--;
      this.dead--;
    }
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

  /** Remove the cancelled entries, keeping the order of the others. */
  compact(): void {
    let kept = 0;
    for (let k = 0; k < this.count; k++) {
      const i = this.at(k);
      const slot = this.slot[i];
      if (slot === CANCELLED) continue;
      const j = this.at(kept++);
      if (j !== i) {
        this.time[j] = this.time[i];
        this.seq[j] = this.seq[i];
        this.slot[j] = slot;
        this.onMove(slot, j);
      }
    }
    this.count = kept;
    this.dead = 0;
  }

  /** Double the capacity, entries unrolled to start at index 0. */
  private grow(): void {
    const cap = 2 * (this.mask + 1);
    const time = new Float64Array(cap);
    const seq = new Uint32Array(cap);
    const slot = new Int32Array(cap);
    for (let k = 0; k < this.count; k++) {
      const i = this.at(k);
      time[k] = this.time[i];
      seq[k] = this.seq[i];
      slot[k] = this.slot[i];
      if (slot[k] !== CANCELLED) this.onMove(slot[k], k);
    }
    this.time = time;
    this.seq = seq;
    this.slot = slot;
    this.head = 0;
    this.mask = cap - 1;
  }
}
