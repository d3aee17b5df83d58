/**
 * The discrete-event kernel: a simulated clock and a queue of callbacks ordered by
 * (time, scheduling sequence), so simultaneous events fire in the order they were scheduled.
 *
 * The queue is a binary heap kept as struct-of-arrays: time and a key in heap order, the key
 * being the scheduling sequence number and the entry's reference in one double (seq × 2^26 + the
 * reference + 2^25: below 2^53, so exact, and ordered by seq as sequence numbers are unique),
 * so a sift moves two numbers in two typed arrays and touches nothing else — the work of a bare
 * typed-array heap (shared/peerbench/js/kernels.mjs, SoAHeap) with one array fewer.
 *
 * Two kinds of events share the heap:
 * - `at` / `schedule(fn, arg)`: any callback and argument. The reference is a slot (≥ 0) that
 *   holds callback, argument and generation; it is read once when the event fires, never during
 *   a sift. `cancel(id)` is lazy, as SimPy's defused events and Go's timer heap: it clears the
 *   slot (a new use of the slot gets a new generation); the entry is dropped when it reaches the top, or when
 *   cancelled entries outnumber live ones and the heap is compacted (linear, so amortised O(1)
 *   per cancel — idle timers are cancelled and re-armed on every request).
 * - `callAt` / `callAfter(handler, n)`: a registered handler and an integer argument packed in
 *   the reference itself (< 0), for models that keep their state in typed arrays indexed by n.
 *   Nothing but the heap is touched; there is no cancel: the model checks its own generation
 *   (e.g. a connection's timer generation) when the event fires, as the reference models do.
 * - `scheduleFixed(lane, fn, arg, cell, index)`: a callback on a lane of events that all fire the
 *   same fixed delay after they were scheduled (`fixedDelay(delay)`, fifo-lane.ts). Such events
 *   arrive in (time, seq) order, so the lane is a FIFO beside the heap; firing takes the earlier of
 *   the heap's top and the lanes' heads by (time, seq), one sequence counter for all, so the firing
 *   order is the one the heap alone would give. No slot and no id: the event is armed while
 *   `cell[index]` (a deadline field of the caller's record) holds the sequence number the engine
 *   wrote there, and given up by the caller writing anything else there — a store, not a
 *   `cancel`; the engine reads the cell when the entry is next to fire and drops it unfired.
 *
 * The engine knows nothing of TCP, load balancers or any other domain word.
 */

import { preferDoubleFields } from './double-fields.js';
import { FifoLane } from './fifo-lane.js';

export type TimerId = number;
export type Callback<T> = (arg: T) => void;
/** A registered integer-argument handler (see `handler`). */
export type HandlerId = number;
/** A fixed-delay lane (see `fixedDelay`). */
export type LaneId = number;

/** An id is generation * SLOT_BITS + slot. Generations wrap at GEN_LIMIT so ids stay below
 *  2^53 (exact in a double); a stale id could only match again after 2^29 reuses of its slot. */
const SLOT_BITS = 2 ** 24;
const GEN_LIMIT = 2 ** 29;
/**
 * A heap key is seq × REF_SPAN + ref + REF_OFFSET: a reference (a slot, below SLOT_BITS = 2^24, or a
 * direct event's negative code, at least −2^25: ARG_LIMIT below) is in [−2^25, 2^25), so the key's
 * multiple of REF_SPAN is its sequence number. Sequence numbers stay below 2^27, so that a key stays
 * below 2^53, an exact double; when they run out (every ~134 M events scheduled, once in a 1-h fleet
 * run), the pending entries are renumbered in their existing order.
 */
const REF_SPAN = 2 ** 26;
const REF_OFFSET = 2 ** 25;
const SEQ_LIMIT = 2 ** 27;
/** Below this many cancelled entries the heap is never compacted (not worth a pass). */
const COMPACT_MIN = 1024;
/** A direct event's reference is ~(arg * HANDLER_LIMIT + handler): negative, and at least −2^25 (REF_OFFSET). */
const HANDLER_BITS = 6;
const HANDLER_LIMIT = 2 ** HANDLER_BITS;
const ARG_LIMIT = 2 ** (25 - HANDLER_BITS);
const LANE_LIMIT = 255;
/**
 * A lane's first ring size (a power of two; fifo-lane.ts makeRoom compacts a full ring and doubles
 * it only when more than half is armed). The drain model's request-timer lanes hold ~500 armed
 * entries at 10k clients and ~5,000 at 100k: a ring of 4,096 (160 KB) is compacted about every
 * 3,500 pushes at 10k.
 */
const LANE_CAPACITY = 4096;

export class Engine {
  /** Simulated time in seconds. */
  now = 0;
  /** Events fired so far (for benchmarks and run statistics). */
  fired = 0;

  /** Heap entries, live and cancelled. */
  private size = 0;
  /** Cancelled entries still in the heap. */
  private dead = 0;
  private nextSeq = 0;
  private capacity: number;
  // Heap order, index 0 is the next entry: its time, and its key (seq × REF_SPAN + ref + REF_OFFSET, see refOf).
  private heapTime: Float64Array;
  private heapKey: Float64Array;
  // Slot order. A slot's callback and argument are neighbours, calls[2 * slot] and
  // calls[2 * slot + 1] (one cache line to read when the event fires, not one in each of two
  // tables); the callback is undefined for a free or cancelled slot. A slot's generation is
  // bumped when the slot is handed out, so firing or cancelling an event need not touch `gen`.
  private slotCount: number;
  private gen: Uint32Array;
  private calls: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private readonly handlers: Array<Callback<number>> = [];
  /** Fixed-delay lanes (fifo-lane.ts). */
  private readonly lanes: FifoLane[] = [];
  /**
   * The lane whose head fires first among the lanes (null when all are empty), found again only
   * after a lane's head changed (`headsMoved`): when its head fired or was dropped given up, when
   * an entry went into an empty lane, or when a full lane was compacted. Every other event leaves
   * the heads where they are, so firing does not compare every lane's head on every event. A
   * lane's head may have been given up (its cell rewritten) since: that is found when it is next
   * to fire (fireLaneHead, liveLaneHead), and the head is dropped then.
   */
  private firstLane: FifoLane | null = null;
  /** A new lane's ring size: LANE_CAPACITY, or less for an engine made smaller (tests' rings then grow and compact). */
  private readonly laneCapacity: number;
  private headsMoved = false;
  /**
   * The heap's top entry has fired and its place is a hole, filled by the first `push` of its
   * callback (most events schedule one: the next request, the service end): the new entry goes in at
   * the top and sifts down once, instead of the last entry sifting down into the popped top and the
   * new one then sifting up from the bottom. Filled by a pop if nothing is pushed (`fillHole`), and
   * before anything else reads the heap.
   */
  private topFired = false;

  // `now` starts at 0 or −warmup and becomes fractional at the first event: a double field from the
  // start (double-fields.ts), so that this store does not deprecate the engine's maps mid-run.
  static {
    preferDoubleFields(new Engine(16), ['now']);
  }

  constructor(initialCapacity = 1024) {
    this.capacity = Math.max(16, Math.min(initialCapacity, SLOT_BITS));
    this.laneCapacity = 2 ** Math.ceil(Math.log2(Math.min(this.capacity, LANE_CAPACITY)));
    this.heapTime = new Float64Array(this.capacity);
    this.heapKey = new Float64Array(this.capacity);
    this.slotCount = this.capacity;
    this.gen = new Uint32Array(this.slotCount);
    this.calls = new Array(2 * this.slotCount).fill(undefined);
    this.freeSlots = new Int32Array(this.slotCount);
    this.addFreeSlots(0, this.slotCount);
  }

  /** Number of events waiting to fire (a lane's armed entries are counted by reading their cells). */
  get pending(): number {
    this.fillHole();
    let n = this.size - this.dead;
    for (const lane of this.lanes) for (let k = 0; k < lane.count; k++) if (lane.armed(lane.at(k))) n++;
    return n;
  }

  /** Time of the next event, or Infinity when the queue is empty. */
  peekTime(): number {
    this.fillHole();
    const lane = this.liveEarliestLane();
    if (lane !== null) return lane.time[lane.head];
    return this.size > 0 ? this.heapTime[0] : Infinity;
  }

  /** Run `fn(arg)` after `delay` seconds of simulated time (a negative delay means now). */
  schedule<T>(delay: number, fn: Callback<T>, arg: T): TimerId {
    return this.at(this.now + delay, fn, arg);
  }

  /** Run `fn(arg)` at absolute simulated time `t` (never earlier than now). */
  at<T>(t: number, fn: Callback<T>, arg: T): TimerId {
    const slot = this.takeSlot(fn, arg);
    this.push(t, slot);
    return this.gen[slot] * SLOT_BITS + slot;
  }

  /** A free slot holding `fn(arg)`, its event waiting in the heap. */
  private takeSlot(fn: unknown, arg: unknown): number {
    if (this.freeCount === 0) this.growSlots();
    const slot = this.freeSlots[--this.freeCount];
    const calls = this.calls;
    calls[2 * slot] = fn;
    calls[2 * slot + 1] = arg;
    // A new generation for this use of the slot: ids of its earlier uses no longer match.
    this.gen[slot] = (this.gen[slot] + 1) & (GEN_LIMIT - 1);
    return slot;
  }

  /** The lane of events that fire `delay` (≥ 0) seconds after they are scheduled; one per delay. */
  fixedDelay(delay: number): LaneId {
    if (!(delay >= 0)) throw new Error(`Engine.fixedDelay: bad delay ${delay}`);
    const known = this.lanes.findIndex((lane) => lane.delay === delay);
    if (known >= 0) return known;
    if (this.lanes.length === LANE_LIMIT) throw new Error(`Engine: more than ${LANE_LIMIT} fixed-delay lanes`);
    this.lanes.push(new FifoLane(delay, this.laneCapacity));
    return this.lanes.length - 1;
  }

  /**
   * Run `fn(arg)` after the lane's delay while `cell[index]` still holds what this call writes there
   * (its sequence number, an integer ≥ 0): the same event as `schedule(delay, fn, arg)`, with the
   * same place among ties, and without a heap entry or a slot. The caller gives the event up by
   * writing anything else into the cell (e.g. −1), re-arms it by calling this again (the earlier
   * entry then no longer matches), and should write −1 there when it fires, as a fired id is
   * forgotten. A given-up event never fires and is no event (`fired`, `pending`).
   */
  scheduleFixed<T>(laneId: LaneId, fn: Callback<T>, arg: T, cell: Float64Array, index: number): void {
    const lane = this.lanes[laneId];
    if (this.nextSeq >= SEQ_LIMIT) this.renumber();
    const seq = this.nextSeq++;
    // now + delay, as schedule() computes it: never before now for delay ≥ 0.
    if (lane.push(this.now + lane.delay, seq, fn, arg, cell, index)) this.headsMoved = true;
    cell[index] = seq;
  }

  /** Register a handler for `callAt` / `callAfter`; at most 64 per engine. */
  handler(fn: Callback<number>): HandlerId {
    if (this.handlers.length === HANDLER_LIMIT) throw new Error(`Engine: more than ${HANDLER_LIMIT} handlers`);
    this.handlers.push(fn);
    return this.handlers.length - 1;
  }

  /** Run handler(arg) at absolute time `t`; arg is an integer in [0, 2^19). Not cancellable. */
  callAt(t: number, handler: HandlerId, arg: number): void {
    if (!(arg >= 0 && arg < ARG_LIMIT && arg === Math.floor(arg)))
      throw new Error(`Engine.callAt: bad argument ${arg}`);
    if (!(handler >= 0 && handler < this.handlers.length)) throw new Error(`Engine.callAt: unknown handler ${handler}`);
    this.push(t, ~(arg * HANDLER_LIMIT + handler));
  }

  /** Run handler(arg) after `delay` seconds (see `callAt`). */
  callAfter(delay: number, handler: HandlerId, arg: number): void {
    this.callAt(this.now + delay, handler, arg);
  }

  /** Cancel a pending event. Returns false if it already fired or was cancelled. */
  cancel(id: TimerId): boolean {
    const slot = this.pendingSlot(id);
    if (slot < 0) return false;
    this.calls[2 * slot] = undefined;
    this.calls[2 * slot + 1] = undefined;
    this.dead++;
    if (this.dead > COMPACT_MIN && 2 * this.dead > this.size) this.compact();
    return true;
  }

  /** True while the event with this id is still waiting to fire. */
  isPending(id: TimerId): boolean {
    return this.pendingSlot(id) >= 0;
  }

  /** Fire the next event. Returns false when the queue is empty. */
  step(): boolean {
    this.fillHole();
    if (this.lanes.length === 0) {
      if (!this.dropCancelledTop()) return false;
      this.fireTop();
      return true;
    }
    const lane = this.liveEarliestLane();
    if (lane !== null) this.fireLaneHead(lane);
    else if (this.size > 0) this.fireTop();
    else return false;
    return true;
  }

  /** Fire every event due at or before `until`, then leave the clock at `until`. */
  run(until: number): void {
    this.fireUntil(until, Infinity);
    if (until > this.now && until !== Infinity) this.now = until;
  }

  /**
   * `run`, stopping once `fired` reaches `stopAt` (a caller's checkpoint: scenario/work-budget.ts
   * checks its event and memory limits there instead of around every single event). True when it
   * ran to `until` (the clock then at `until`, as `run` leaves it); false when it stopped at
   * `stopAt` with events still due by `until` (the clock at the last event fired).
   */
  runUntilCount(until: number, stopAt: number): boolean {
    this.fireUntil(until, stopAt);
    if (this.fired >= stopAt && this.peekTime() <= until) return false;
    if (until > this.now && until !== Infinity) this.now = until;
    return true;
  }

  /**
   * Fire every event due at or before `until`, while fewer than `stopAt` have fired. Apart from `run`, so that nothing follows the loop:
   * a long first chunk is compiled on-stack (OSR) while the loop runs, before the code after the
   * loop has ever run, and the clock store that followed it had no type feedback then — every
   * later exit from that OSR code deoptimised `run` ("Insufficient type feedback for generic named
   * access", `node --trace-deopt`). Here the loop's exit is a bare return.
   */
  private fireUntil(until: number, stopAt: number): void {
    this.fillHole();
    // Each loop is left by `return`, with nothing after it: code after a hot loop has no type
    // feedback when V8 compiled the loop on-stack (OSR) before it first ended, and that code then
    // deoptimised at every chunk's end, 100 times a run ("Insufficient type feedback for generic
    // named access"; test/engine/engine-deopt.test.ts, seen under load in session 23's CI, when the
    // heap-only loop was followed by a `this.lanes.length` test).
    // Heap only, until a callback creates a lane (fixedDelay mid-run: review29 #5), then below.
    while (this.lanes.length === 0) {
      if (!(this.fired < stopAt && this.dropCancelledTop() && this.heapTime[0] <= until)) return;
      this.fireTop();
    }
    for (;;) {
      if (!(this.fired < stopAt)) return;
      const lane = this.earliestLane();
      if (lane !== null) {
        if (!(lane.time[lane.head] <= until)) return;
        this.fireLaneHead(lane);
      } else if (this.size > 0 && this.heapTime[0] <= until) this.fireTop();
      else return;
    }
  }

  /**
   * Drop cancelled entries from the heap's top; the lane whose head fires before every other
   * pending event, or null when that is the heap's top (or nothing is pending).
   */
  private earliestLane(): FifoLane | null {
    const found = this.dropCancelledTop();
    if (this.headsMoved) this.findFirstLane();
    const lane = this.firstLane;
    if (lane === null || !found) return lane;
    const lt = lane.time[lane.head];
    const t = this.heapTime[0];
    // The lane's seq is below the heap top's exactly when its multiple of REF_SPAN is below the top's key.
    return lt < t || (lt === t && lane.seq[lane.head] * REF_SPAN < this.heapKey[0]) ? lane : null;
  }

  /** `earliestLane`, its head's entry dropped while given up (see fireLaneHead). */
  private liveEarliestLane(): FifoLane | null {
    for (;;) {
      const lane = this.earliestLane();
      if (lane === null || lane.armed(lane.head)) return lane;
      lane.shift();
      this.headsMoved = true;
    }
  }

  /** Find the lane whose head fires first (given up or not: see firstLane). */
  private findFirstLane(): void {
    this.headsMoved = false;
    const lanes = this.lanes;
    let first: FifoLane | null = null;
    let t = 0;
    let s = 0;
    for (let k = 0; k < lanes.length; k++) {
      const lane = lanes[k];
      if (lane.count === 0) continue;
      const lt = lane.time[lane.head];
      const ls = lane.seq[lane.head];
      if (first === null || lt < t || (lt === t && ls < s)) {
        first = lane;
        t = lt;
        s = ls;
      }
    }
    this.firstLane = first;
  }

  /**
   * Pop the entry at a lane's head, next to fire, and call it if it is still armed; a given-up one
   * is dropped and is no event (its time not taken, `fired` not counted), as a cancelled heap entry.
   */
  private fireLaneHead(lane: FifoLane): void {
    const head = lane.head;
    const armed = lane.armed(head);
    lane.shift();
    this.headsMoved = true;
    if (!armed) return;
    this.now = lane.time[head];
    this.fired++;
    // biome-ignore lint/suspicious/noExplicitAny: a lane holds callbacks of every argument type.
    (lane.fn[head] as Callback<any>)(lane.arg[head]);
    // A heap event fired by a nested run inside this callback may have thrown, the callback caught
    // it, and its hole is still open at the top (review28 #1): close it before the loop reads the heap.
    if (this.topFired) this.fillHole();
  }

  /** Call a fired event's slot: its callback and argument, the slot then free for reuse. */
  private callSlot(ref: number): void {
    const calls = this.calls;
    // biome-ignore lint/suspicious/noExplicitAny: the table holds callbacks of every argument type.
    const fn = calls[2 * ref] as Callback<any>;
    const arg = calls[2 * ref + 1];
    calls[2 * ref] = undefined;
    calls[2 * ref + 1] = undefined;
    this.freeSlots[this.freeCount++] = ref;
    fn(arg);
  }

  /** Pop the live entry at the top and call it. */
  private fireTop(): void {
    const ref = refOf(this.heapKey[0]);
    this.now = this.heapTime[0];
    this.topFired = true;
    this.fired++;
    if (ref < 0) {
      const code = ~ref;
      this.handlers[code & (HANDLER_LIMIT - 1)](code >>> HANDLER_BITS);
    } else this.callSlot(ref);
    if (this.topFired) {
      this.topFired = false;
      this.popTop();
    }
  }

  /** Pop the fired top if its callback left the hole (see topFired): a thrown callback, or a
   *  read of the heap from inside a callback. */
  private fillHole(): void {
    if (!this.topFired) return;
    this.topFired = false;
    this.popTop();
  }

  /** Drop cancelled entries from the top; true when a live event is left there. */
  private dropCancelledTop(): boolean {
    while (this.size > 0) {
      const ref = refOf(this.heapKey[0]);
      if (ref < 0 || this.calls[2 * ref] !== undefined) return true;
      this.popTop();
      this.dead--;
      this.freeSlots[this.freeCount++] = ref;
    }
    return false;
  }

  /** The slot of a pending event's id, or -1 for a fired, cancelled, stale or foreign id. */
  private pendingSlot(id: TimerId): number {
    // generation = ⌊id / 2^24⌋ and slot = id − generation × 2^24: exact for every integer id below
    // 2^53 (division by a power of two and the product are exact), and no floating-point `%`,
    // which V8 compiles to a C call for a double id (every id past generation 127 is one).
    const generation = Math.floor(id / SLOT_BITS);
    const slot = id - generation * SLOT_BITS;
    if (!(slot >= 0 && slot < this.slotCount)) return -1; // also rejects NaN
    if (this.gen[slot] !== generation || this.calls[2 * slot] === undefined) return -1;
    return slot;
  }

  /** Append the entry at the heap's end and sift it up, or put it into the fired top's place and
   *  sift it down (see topFired); past it only integers are passed (see siftUp). */
  private push(t: number, ref: number): void {
    if (!(t >= this.now)) {
      if (Number.isNaN(t)) throw new Error('Engine.at: time is NaN');
      t = this.now;
    }
    if (this.nextSeq >= SEQ_LIMIT) this.renumber();
    const key = this.nextSeq++ * REF_SPAN + (ref + REF_OFFSET);
    if (this.topFired) {
      // Into the hole the firing event left at the top (see topFired).
      this.topFired = false;
      this.heapTime[0] = t;
      this.heapKey[0] = key;
      this.siftDown(0, 0);
      return;
    }
    if (this.size === this.capacity) this.growHeap();
    const i = this.size++;
    this.heapTime[i] = t;
    this.heapKey[i] = key;
    this.siftUp(i);
  }

  /** Remove heap index 0: move the last entry into the hole and sift it down. */
  private popTop(): void {
    const last = --this.size;
    if (last > 0) this.siftDown(0, last);
  }

  // The sifts move a hole rather than swapping, and compare (time, seq) inline on local
  // typed-array references: this is the hot loop of every simulation. They take array indices,
  // never the entry's time: a double passed to a call TurboFan does not inline is boxed, a heap
  // number allocated for every event (V8 passes tagged values), while an index is a small integer.

  /** Sift the entry at index `i` up to its place. */
  private siftUp(i: number): void {
    const time = this.heapTime;
    const keys = this.heapKey;
    const t = time[i];
    const k = keys[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent];
      if (pt < t || (pt === t && keys[parent] < k)) break;
      time[i] = pt;
      keys[i] = keys[parent];
      i = parent;
    }
    time[i] = t;
    keys[i] = k;
  }

  /** Put the entry at index `from` (the heap's last, outside `size`, or `i` itself) into the
   *  hole at `i` and sift it down to its place. */
  private siftDown(i: number, from: number): void {
    const time = this.heapTime;
    const keys = this.heapKey;
    const n = this.size;
    const t = time[from];
    const k = keys[from];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ct = time[child];
      const right = child + 1;
      if (right < n) {
        const rt = time[right];
        if (rt < ct || (rt === ct && keys[right] < keys[child])) {
          child = right;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && k < keys[child])) break;
      time[i] = ct;
      keys[i] = keys[child];
      i = child;
    }
    time[i] = t;
    keys[i] = k;
  }

  /** Remove every cancelled entry and rebuild the heap (Floyd). (time, seq) keys are unique,
   *  so any valid heap of the same entries fires them in the same order. */
  private compact(): void {
    this.fillHole();
    const time = this.heapTime;
    const keys = this.heapKey;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const ref = refOf(keys[i]);
      if (ref >= 0 && this.calls[2 * ref] === undefined) {
        this.freeSlots[this.freeCount++] = ref;
        continue;
      }
      time[kept] = time[i];
      keys[kept] = keys[i];
      kept++;
    }
    this.size = kept;
    this.dead = 0;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.siftDown(i, i);
  }

  /** Give the entries sequence numbers 0..size-1 in their current order, which keeps the heap
   *  valid and the order of ties unchanged; a lane entry's cell gets its new number too. */
  private renumber(): void {
    this.fillHole();
    // Given-up lane entries first go: their cells are the owners' now.
    for (const lane of this.lanes) lane.compact();
    this.headsMoved = true;
    // Every entry, the heap's and the lanes', as (its sequence number, index, its lane or null), in sequence order.
    const keys = this.heapKey;
    const entries: Array<[number, number, FifoLane | null]> = [];
    for (let i = 0; i < this.size; i++) entries.push([Math.floor(keys[i] / REF_SPAN), i, null]);
    for (const lane of this.lanes)
      for (let k = 0; k < lane.count; k++) entries.push([lane.seq[lane.at(k)], lane.at(k), lane]);
    entries.sort(([a], [b]) => a - b);
    entries.forEach(([seq, i, lane], rank) => {
      if (lane === null) keys[i] = rank * REF_SPAN + (keys[i] - seq * REF_SPAN);
      else {
        lane.seq[i] = rank;
        lane.cell[i][lane.index[i]] = rank;
      }
    });
    this.nextSeq = entries.length;
  }

  private growHeap(): void {
    const cap = this.capacity * 2;
    const time = new Float64Array(cap);
    const keys = new Float64Array(cap);
    time.set(this.heapTime);
    keys.set(this.heapKey);
    this.heapTime = time;
    this.heapKey = keys;
    this.capacity = cap;
  }

  private growSlots(): void {
    const old = this.slotCount;
    if (old >= SLOT_BITS) throw new Error(`Engine: more than ${SLOT_BITS} pending events`);
    const count = Math.min(old * 2, SLOT_BITS);
    const gen = new Uint32Array(count);
    gen.set(this.gen);
    this.gen = gen;
    this.freeSlots = new Int32Array(count); // empty: every old slot is in use
    for (let s = old; s < count; s++) this.calls.push(undefined, undefined);
    this.slotCount = count;
    this.addFreeSlots(old, count);
  }

  /** Push slots [from, to) so the lowest is handed out first (keeps ids small and readable). */
  private addFreeSlots(from: number, to: number): void {
    for (let s = to - 1; s >= from; s--) this.freeSlots[this.freeCount++] = s;
  }
}

/**
 * The reference in a heap key (seq × REF_SPAN + ref + REF_OFFSET, below 2^53): the key less its
 * multiple of REF_SPAN and the offset, exact in doubles (`| 0`: an int32 for its uses). Not
 * `key % REF_SPAN`: V8 compiles a double `%` to a C call.
 */
function refOf(key: number): number {
  return (key - Math.floor(key / REF_SPAN) * REF_SPAN - REF_OFFSET) | 0;
}
