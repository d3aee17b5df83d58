/**
 * A JVM-like generational heap for one app process, sans-I/O: the app server tells it how much
 * work starts, when a request enters the app and how many requests are in it, and it answers with
 * the stop-the-world collection that the allocation triggers, if any. No clock, no randomness.
 *
 * What it reproduces, from HotSpot's source (openjdk/jdk, src/hotspot/share/gc):
 * - The young generation (-Xmn, `young_mb`) is eden plus two survivor spaces of
 *   young / (SurvivorRatio + 2) each (serial/defNewGeneration.cpp compute_survivor_size;
 *   SurvivorRatio 8 by default, shared/gc_globals.hpp). Allocation fills eden; when it is full a
 *   young collection copies what is live in eden and in the from-survivor space: an object younger
 *   than the tenuring threshold goes to the to-survivor space with its age + 1, an older one, or
 *   one the to-space has no room left for, is promoted into the old generation
 *   (DefNewGeneration::copy_to_survivor_space: `if (old->age() < tenuring_threshold())
 *   obj = to()->allocate(s); if (obj == nullptr) obj = _old_gen->promote(old, s);`). Premature
 *   promotion is that second case: survivors overflowing the to-space.
 * - After each young collection the threshold adapts to what survived
 *   (DefNewGeneration::adjust_desired_tenuring_threshold → AgeTable::compute_tenuring_threshold,
 *   shared/ageTable.cpp; G1 the same, G1Policy::update_survivors_policy): the smallest age at which
 *   the survivors' cumulative size exceeds desired_survivor_size = survivor capacity ×
 *   TargetSurvivorRatio / 100 (default 50), at most MaxTenuringThreshold (default 15), which is
 *   also the first collection's threshold (the DefNewGeneration and G1Policy constructors).
 *   computeTenuringThreshold below is that function.
 * - What survives: each request queued or in service holds its request data (buffers, the parsed
 *   body), live while it is in the app. The data of the requests that entered since the last
 *   collection is in eden (age 0); that of requests in flight at earlier collections is in a
 *   survivor space with its age, or already promoted — promoted once: data in the old generation
 *   is not copied by a young collection, and becomes garbage there when its request leaves.
 *   Requests are tracked as cohorts (those that entered between two collections), copied oldest
 *   first (a FIFO queue is reached from its head) and leaving oldest first (the app's queue is
 *   FIFO; the few in service at once, at most `workers`, may finish out of order, which the model
 *   ignores). The medium-lived objects (`survival` × what eden allocated) are live at the
 *   collection after their allocation and dead by the next (an assumption; what lives longer is
 *   `live_mb`): they are copied (age 1) after the requests' data and promoted only on overflow.
 * - Young pause: a fixed part + MB copied (to a survivor space or promoted) × copy cost.
 * - Promotion failure: when the old generation cannot take what a young collection promotes, a
 *   full, stop-the-world collection marks and compacts the whole heap: what stays is the
 *   long-lived data and the requests in flight, all of it in the old generation after it (serial
 *   mark-compact compacts the young generation's live objects into the old one when they fit;
 *   G1's full GC leaves only old regions), so none of it is promoted again. Its pause grows with
 *   the live set: `full_pause_per_gb`, an assumption the scenario states (no HotSpot document gives
 *   a per-GB cost; JEP 307 made G1's full GC parallel, JDK 10, so it scales with live data over
 *   GC threads).
 * - Load moved onto fewer backends raises their allocation rate (more young collections) and their
 *   requests in flight: past the survivor space (51 MB of a 512 MB young generation) their data
 *   is promoted, which fills the old generation and brings full collections.
 * - Not modelled: G1's concurrent marking (started at InitiatingHeapOccupancyPercent 45 % of the
 *   heap, gc_globals.hpp) and the mixed collections after it, which reclaim promoted garbage from
 *   old regions without a full collection; here only a full collection empties the old
 *   generation, as with the serial and parallel collectors (README, Known limitations).
 */

/** Resolved heap settings, in MB and seconds (scenario `app.gc.heap`). */
export interface HeapSettings {
  /** Whole heap (-Xmx). */
  readonly heapMb: number;
  /** Young generation (-Xmn): eden and two survivor spaces. The old generation is the rest. */
  readonly youngMb: number;
  /** Long-lived data (caches, pools, the framework): what a full collection keeps. */
  readonly liveMb: number;
  /** MB allocated per second a worker spends serving: allocation proportional to work done. */
  readonly allocationMbPerWorkSecond: number;
  /** Data each request holds while it is queued or in service: live at any young collection. */
  readonly requestLiveMb: number;
  /** Fraction of what eden allocated that is still live at a young collection (medium-lived objects). */
  readonly survival: number;
  /** The fixed part of a young pause (root scanning, thread stop). */
  readonly youngPause: number;
  /** Young pause per MB copied (to a survivor space or promoted). */
  readonly copyPerMb: number;
  /** Full-collection pause per GB of live heap. */
  readonly fullPausePerGb: number;
  /** -XX:SurvivorRatio: eden / one survivor space (HotSpot default 8). */
  readonly survivorRatio: number;
  /** -XX:MaxTenuringThreshold (HotSpot default 15). */
  readonly maxTenuringThreshold: number;
  /** -XX:TargetSurvivorRatio as a fraction (HotSpot default 50 %). */
  readonly targetSurvivorRatio: number;
}

export type CollectionKind = 'young' | 'full';

/** One stop-the-world collection and what it did. */
export interface Collection {
  kind: CollectionKind;
  /** Stop-the-world time, seconds. */
  pause: number;
  /** Young: MB copied (to the survivor space and promoted). Full: the live heap marked and compacted. */
  liveMb: number;
  /** Young: MB promoted into the old generation (aged past the threshold, or survivor overflow). Full: 0. */
  promotedMb: number;
  /** Young: of promotedMb, what the to-survivor space had no room for (premature promotion). Full: 0. */
  overflowMb: number;
  /** Young: MB in the to-survivor space after it. Full: 0. */
  survivorMb: number;
  /** The tenuring threshold the next young collection uses. */
  tenuringThreshold: number;
  /** Old generation occupancy after the collection. */
  oldUsedMb: number;
  oldCapacityMb: number;
  /** Requests queued or in service when it ran. */
  inFlight: number;
}

/** Ages an object header holds: 0..15 (markWord::max_age 15), AgeTable's table_size. */
const AGE_TABLE_SIZE = 16;

/**
 * AgeTable::compute_tenuring_threshold (src/hotspot/share/gc/shared/ageTable.cpp): `sizes[age]`
 * is what survived with that age (index 0 unused), `desired` the survivor space × TargetSurvivorRatio.
 * The smallest age whose cumulative size exceeds `desired`, else 16; at most `max`.
 */
export function computeTenuringThreshold(sizes: readonly number[], desired: number, max: number): number {
  let total = 0;
  let age = 1;
  while (age < AGE_TABLE_SIZE) {
    total += sizes[age] ?? 0;
    if (total > desired) break;
    age++;
  }
  // `result = age < MaxTenuringThreshold ? age : MaxTenuringThreshold;`
  return Math.min(age, max);
}

/** Requests that entered the app between the same two collections, with what the heap did to their data. */
interface Cohort {
  count: number;
  /** Young collections the data survived (its object age). */
  age: number;
  /** In the old generation (promoted, or compacted there by a full collection): never copied again. */
  tenured: boolean;
}

export class JvmHeap {
  /** MB allocated in eden since the last collection. */
  private eden = 0;
  /** Old generation occupancy, MB (live data plus promoted garbage). */
  private old: number;
  /** The requests in flight at the last collection and still believed in, oldest first. */
  private cohorts: Cohort[] = [];
  /** Requests in flight at the last collection. */
  private lastInFlight = 0;
  /** Requests that entered the app since the last collection. */
  private enteredSince = 0;
  private threshold: number;
  private survivor = 0;

  constructor(readonly s: HeapSettings) {
    this.old = s.liveMb;
    this.threshold = s.maxTenuringThreshold;
  }

  get oldCapacityMb(): number {
    return this.s.heapMb - this.s.youngMb;
  }

  /** Eden: the young generation less its two survivor spaces. */
  get edenCapacityMb(): number {
    return this.s.youngMb - 2 * this.survivorCapacityMb;
  }

  /** One survivor space: young / (SurvivorRatio + 2) (DefNewGeneration::compute_survivor_size). */
  get survivorCapacityMb(): number {
    return this.s.youngMb / (this.s.survivorRatio + 2);
  }

  get oldUsedMb(): number {
    return this.old;
  }

  get edenUsedMb(): number {
    return this.eden;
  }

  get survivorUsedMb(): number {
    return this.survivor;
  }

  get tenuringThreshold(): number {
    return this.threshold;
  }

  /** A fresh JVM (the process restarted): empty young generation, only the long-lived data in the old one. */
  reset(): void {
    this.eden = 0;
    this.old = this.s.liveMb;
    this.cohorts = [];
    this.lastInFlight = 0;
    this.enteredSince = 0;
    this.threshold = this.s.maxTenuringThreshold;
    this.survivor = 0;
  }

  /** A request entered the app (queued or started): its data is allocated in eden. */
  entered(): void {
    this.enteredSince++;
  }

  /**
   * `workSeconds` of service starts, with `inFlight` requests in the app (queued or in service,
   * this one included). Returns the collection the allocation triggers, or undefined.
   */
  allocate(workSeconds: number, inFlight: number): Collection | undefined {
    this.eden += workSeconds * this.s.allocationMbPerWorkSecond;
    if (this.eden < this.edenCapacityMb) return undefined;
    return this.collect(inFlight);
  }

  private collect(inFlight: number): Collection {
    const s = this.s;
    const r = s.requestLiveMb;
    this.age(inFlight);
    const medium = s.survival * this.eden;
    this.eden = 0;
    // The young collection as copy_to_survivor_space does it, cohort by cohort, oldest first.
    const sizes = new Array<number>(AGE_TABLE_SIZE).fill(0);
    const next: Cohort[] = [];
    let room = this.survivorCapacityMb;
    let promoted = 0;
    let overflow = 0;
    for (const c of this.cohorts) {
      if (c.tenured) {
        next.push(c);
        continue;
      }
      if (c.age >= this.threshold) {
        promoted += c.count * r;
        next.push({ count: c.count, age: c.age, tenured: true });
        continue;
      }
      const fit = r > 0 ? Math.min(c.count, Math.floor(room / r + 1e-9)) : c.count;
      if (fit > 0) {
        const age = Math.min(c.age + 1, AGE_TABLE_SIZE - 1);
        next.push({ count: fit, age, tenured: false });
        room -= fit * r;
        sizes[age] += fit * r;
      }
      if (fit < c.count) {
        // The to-space is full: the rest of the cohort (its newer requests) is promoted early.
        const rest = c.count - fit;
        promoted += rest * r;
        overflow += rest * r;
        next.push({ count: rest, age: c.age, tenured: true });
      }
    }
    const mediumToSurvivor = Math.min(medium, Math.max(0, room));
    sizes[1] += mediumToSurvivor;
    room -= mediumToSurvivor;
    promoted += medium - mediumToSurvivor;
    overflow += medium - mediumToSurvivor;
    const toSurvivor = this.survivorCapacityMb - room;
    if (this.old + promoted <= this.oldCapacityMb) {
      this.old += promoted;
      this.cohorts = next;
      this.survivor = toSurvivor;
      this.threshold = computeTenuringThreshold(
        sizes,
        this.survivorCapacityMb * s.targetSurvivorRatio,
        s.maxTenuringThreshold,
      );
      return {
        kind: 'young',
        pause: s.youngPause + (toSurvivor + promoted) * s.copyPerMb,
        liveMb: toSurvivor + promoted,
        promotedMb: promoted,
        overflowMb: overflow,
        survivorMb: toSurvivor,
        tenuringThreshold: this.threshold,
        oldUsedMb: this.old,
        oldCapacityMb: this.oldCapacityMb,
        inFlight,
      };
    }
    // Promotion failure: the old generation cannot take the promotion; a full collection marks
    // and compacts what is live (the long-lived data and the requests in flight) into the old
    // generation and frees the rest, the survivor spaces emptied.
    const live = Math.min(s.liveMb + inFlight * r, s.heapMb);
    this.old = Math.min(live, this.oldCapacityMb);
    for (const c of this.cohorts) c.tenured = true;
    this.survivor = 0;
    return {
      kind: 'full',
      pause: (live / 1024) * s.fullPausePerGb,
      liveMb: live,
      promotedMb: 0,
      overflowMb: 0,
      survivorMb: 0,
      tenuringThreshold: this.threshold,
      oldUsedMb: this.old,
      oldCapacityMb: this.oldCapacityMb,
      inFlight,
    };
  }

  /**
   * Bring the cohorts up to the `inFlight` requests in the app now: those that left since the last
   * collection are the oldest (their data dies where it is: in a survivor space, or as garbage in
   * the old generation), those that entered since are a new cohort of age 0 (in eden).
   */
  private age(inFlight: number): void {
    // Requests in flight at the last collection still here: at most inFlight less those that entered since.
    let leave = Math.max(0, this.lastInFlight + this.enteredSince - inFlight);
    const kept = Math.max(0, this.lastInFlight - leave);
    while (leave > 0 && this.cohorts.length > 0) {
      const c = this.cohorts[0]!;
      const n = Math.min(leave, c.count);
      c.count -= n;
      leave -= n;
      if (c.count === 0) this.cohorts.shift();
    }
    const fresh = inFlight - kept;
    if (fresh > 0) this.cohorts.push({ count: fresh, age: 0, tenured: false });
    this.lastInFlight = inFlight;
    this.enteredSince = 0;
  }
}
