/**
 * The discrete-event kernel: a simulated clock and a queue of callbacks ordered by
 * (time, scheduling sequence), so simultaneous events fire in the order they were scheduled.
 *
 * The queue is an indexed binary heap kept as struct-of-arrays. The keys live in heap order
 * (`heapTime[i]`, `heapSeq[i]`), so a sift compares neighbouring numbers in one typed array
 * instead of chasing slots around memory; at 10^5+ pending events that locality is what sets
 * the speed. Every pending event owns a slot (callback, argument, generation); `pos[slot]` is
 * its place in the heap, so `cancel` removes it in O(log n) without a rebuild or a tombstone
 * left behind. Idle timers are cancelled and re-armed on every request, which is why this
 * matters. The engine knows nothing of TCP, load balancers or any other domain word.
 */

export type TimerId = number;
export type Callback<T> = (arg: T) => void;

/** An id is generation * SLOT_BITS + slot. Generations wrap at GEN_LIMIT so ids stay below
 *  2^53 (exact in a double); a stale id could only match again after 2^29 reuses of its slot. */
const SLOT_BITS = 2 ** 24;
const GEN_LIMIT = 2 ** 29;
const NO_POS = -1;

export class Engine {
  /** Simulated time in seconds. */
  now = 0;
  /** Events fired so far (for benchmarks and run statistics). */
  fired = 0;

  private size = 0;
  private nextSeq = 0;
  private capacity: number;
  // Heap order, index 0 is the next event.
  private heapTime: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  // Slot order.
  private pos: Int32Array;
  private gen: Uint32Array;
  private fns: Array<Callback<any> | undefined>;
  private args: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, Math.min(initialCapacity, SLOT_BITS));
    this.heapTime = new Float64Array(this.capacity);
    this.heapSeq = new Float64Array(this.capacity);
    this.heapSlot = new Int32Array(this.capacity);
    this.pos = new Int32Array(this.capacity).fill(NO_POS);
    this.gen = new Uint32Array(this.capacity);
    this.fns = new Array(this.capacity).fill(undefined);
    this.args = new Array(this.capacity).fill(undefined);
    this.freeSlots = new Int32Array(this.capacity);
    this.addFreeSlots(0, this.capacity);
  }

  /** Number of events waiting to fire. */
  get pending(): number {
    return this.size;
  }

  /** Time of the next event, or Infinity when the queue is empty. */
  peekTime(): number {
    return this.size > 0 ? this.heapTime[0] : Infinity;
  }

  /** Run `fn(arg)` after `delay` seconds of simulated time (a negative delay means now). */
  schedule<T>(delay: number, fn: Callback<T>, arg: T): TimerId {
    return this.at(this.now + delay, fn, arg);
  }

  /** Run `fn(arg)` at absolute simulated time `t` (never earlier than now). */
  at<T>(t: number, fn: Callback<T>, arg: T): TimerId {
    if (!(t >= this.now)) {
      if (Number.isNaN(t)) throw new Error('Engine.at: time is NaN');
      t = this.now;
    }
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.fns[slot] = fn;
    this.args[slot] = arg;
    this.siftUp(this.size++, t, this.nextSeq++, slot);
    return this.gen[slot] * SLOT_BITS + slot;
  }

  /** Cancel a pending event. Returns false if it already fired or was cancelled. */
  cancel(id: TimerId): boolean {
    const slot = this.pendingSlot(id);
    if (slot < 0) return false;
    this.removeAt(this.pos[slot]);
    this.release(slot);
    return true;
  }

  /** True while the event with this id is still waiting to fire. */
  isPending(id: TimerId): boolean {
    return this.pendingSlot(id) >= 0;
  }

  /** Fire the next event. Returns false when the queue is empty. */
  step(): boolean {
    if (this.size === 0) return false;
    const slot = this.heapSlot[0];
    this.now = this.heapTime[0];
    this.removeAt(0);
    const fn = this.fns[slot]!;
    const arg = this.args[slot];
    this.release(slot);
    this.fired++;
    fn(arg);
    return true;
  }

  /** Fire every event due at or before `until`, then leave the clock at `until`. */
  run(until: number): void {
    while (this.size > 0 && this.heapTime[0] <= until) this.step();
    if (until > this.now && until !== Infinity) this.now = until;
  }

  /** The slot of a pending event's id, or -1 for a fired, cancelled, stale or foreign id. */
  private pendingSlot(id: TimerId): number {
    const slot = id % SLOT_BITS;
    if (!(slot >= 0 && slot < this.capacity)) return -1; // also rejects NaN
    if (this.gen[slot] !== (id - slot) / SLOT_BITS || this.pos[slot] === NO_POS) return -1;
    return slot;
  }

  private release(slot: number): void {
    this.pos[slot] = NO_POS;
    this.fns[slot] = undefined;
    this.args[slot] = undefined;
    this.gen[slot] = (this.gen[slot] + 1) % GEN_LIMIT;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Fill the hole at heap index i with the last element, then restore the heap order. */
  private removeAt(i: number): void {
    const last = --this.size;
    if (i === last) return;
    const t = this.heapTime[last];
    const s = this.heapSeq[last];
    const slot = this.heapSlot[last];
    const parent = (i - 1) >> 1;
    if (i > 0 && (t < this.heapTime[parent] || (t === this.heapTime[parent] && s < this.heapSeq[parent]))) {
      this.siftUp(i, t, s, slot);
    } else {
      this.siftDown(i, t, s, slot);
    }
  }

  // The sifts move a hole rather than swapping, and compare (time, seq) inline on local
  // typed-array references: this is the hot loop of every simulation.

  private siftUp(i: number, t: number, s: number, slot: number): void {
    const time = this.heapTime;
    const seq = this.heapSeq;
    const slots = this.heapSlot;
    const pos = this.pos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent];
      if (pt < t || (pt === t && seq[parent] < s)) break;
      const ps = slots[parent];
      time[i] = pt;
      seq[i] = seq[parent];
      slots[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    slots[i] = slot;
    pos[slot] = i;
  }

  private siftDown(i: number, t: number, s: number, slot: number): void {
    const time = this.heapTime;
    const seq = this.heapSeq;
    const slots = this.heapSlot;
    const pos = this.pos;
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ct = time[child];
      const right = child + 1;
      if (right < n) {
        const rt = time[right];
        if (rt < ct || (rt === ct && seq[right] < seq[child])) {
          child = right;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && s < seq[child])) break;
      const cs = slots[child];
      time[i] = ct;
      seq[i] = seq[child];
      slots[i] = cs;
      pos[cs] = i;
      i = child;
    }
    time[i] = t;
    seq[i] = s;
    slots[i] = slot;
    pos[slot] = i;
  }

  private grow(): void {
    const old = this.capacity;
    if (old >= SLOT_BITS) throw new Error(`Engine: more than ${SLOT_BITS} pending events`);
    const cap = Math.min(old * 2, SLOT_BITS);
    const copy = <A extends Float64Array | Int32Array | Uint32Array>(a: A, b: A): A => {
      b.set(a);
      return b;
    };
    this.heapTime = copy(this.heapTime, new Float64Array(cap));
    this.heapSeq = copy(this.heapSeq, new Float64Array(cap));
    this.heapSlot = copy(this.heapSlot, new Int32Array(cap));
    this.pos = copy(this.pos, new Int32Array(cap).fill(NO_POS));
    this.gen = copy(this.gen, new Uint32Array(cap));
    this.freeSlots = copy(this.freeSlots, new Int32Array(cap));
    for (let s = old; s < cap; s++) {
      this.fns.push(undefined);
      this.args.push(undefined);
    }
    this.capacity = cap;
    this.addFreeSlots(old, cap);
  }

  /** Push slots [from, to) so the lowest is handed out first (keeps ids small and readable). */
  private addFreeSlots(from: number, to: number): void {
    for (let s = to - 1; s >= from; s--) this.freeSlots[this.freeCount++] = s;
  }
}
