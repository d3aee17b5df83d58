/**
 * A JVM-like generational heap for one app process, sans-I/O: the app server tells it how much
 * work starts and how many requests are in the app, and it answers with the stop-the-world
 * collection that the allocation triggers, if any. No clock, no randomness.
 *
 * What it reproduces (paraphrased from Oracle's "HotSpot Virtual Machine Garbage Collection Tuning
 * Guide", JDK 11–24):
 * - §3 "Garbage Collector Implementation", Generational Garbage Collection: objects are allocated
 *   in the young generation; when it fills, a young (minor) collection copies what is still live
 *   and promotes it; most objects die young, so a young collection costs roughly in proportion
 *   to the live objects it copies. Here: pause = a fixed part + surviving set × copy cost.
 * - §7 "Garbage-First (G1) Garbage Collector": young-only pauses are sized to the pause-time goal
 *   (-XX:MaxGCPauseMillis, default 200 ms; in practice tens of ms); when the old generation cannot
 *   take what is promoted (G1: evacuation failure before marking could reclaim space), G1 falls
 *   back to a full, stop-the-world compaction of the whole heap (§8 "Garbage-First Garbage
 *   Collector Tuning", Observing Full Garbage Collections). Serial and Parallel do a full GC
 *   whenever the old generation fills (§5, §6). A full collection marks and compacts the live
 *   heap, so its pause grows with the live set: about 1 s per GB of live heap for a
 *   serial/parallel-old full GC, the figure the scenario files state.
 * - The surviving set grows with the requests in the app: each request queued or in service holds
 *   its request data (buffers, the deserialized body), all live at a young collection. Load moved
 *   onto fewer backends raises their allocation rate (more young collections) and their requests
 *   in flight (longer young pauses, more promotion, sooner and longer full collections).
 * - Simplification, stated: everything that survives one young collection is promoted (a
 *   tenuring threshold of 1, what survivor-space overflow does under load: premature promotion,
 *   §4 "Sizing the Generations", Survivor Space Sizing). Request data promoted this way dies soon
 *   after, as garbage only a full collection reclaims. G1's concurrent marking and mixed
 *   collections, which reclaim the old generation before it fills, are not modelled: the model is
 *   the case where promotion outruns them.
 */

/** Resolved heap settings, in MB and seconds (scenario `app.gc.heap`). */
export interface HeapSettings {
  /** Whole heap (-Xmx). */
  readonly heapMb: number;
  /** Young generation (eden; -Xmn). The old generation is the rest. */
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
  /** Young pause per MB copied (surviving set). */
  readonly copyPerMb: number;
  /** Full-collection pause per GB of live heap. */
  readonly fullPausePerGb: number;
}

export type CollectionKind = 'young' | 'full';

/** One stop-the-world collection and what it did. */
export interface Collection {
  kind: CollectionKind;
  /** Stop-the-world time, seconds. */
  pause: number;
  /** Young: the surviving set copied (and promoted). Full: the live heap marked and compacted. */
  liveMb: number;
  /** Young: MB promoted into the old generation. Full: 0. */
  promotedMb: number;
  /** Old generation occupancy after the collection. */
  oldUsedMb: number;
  oldCapacityMb: number;
  /** Requests queued or in service when it ran. */
  inFlight: number;
}

export class JvmHeap {
  /** MB allocated in eden since the last collection. */
  private eden = 0;
  /** Old generation occupancy, MB (live data plus promoted garbage). */
  private old: number;

  constructor(readonly s: HeapSettings) {
    this.old = s.liveMb;
  }

  get oldCapacityMb(): number {
    return this.s.heapMb - this.s.youngMb;
  }

  get oldUsedMb(): number {
    return this.old;
  }

  get edenUsedMb(): number {
    return this.eden;
  }

  /** A fresh JVM (the process restarted): empty eden, only the long-lived data in the old generation. */
  reset(): void {
    this.eden = 0;
    this.old = this.s.liveMb;
  }

  /**
   * `workSeconds` of service starts, with `inFlight` requests in the app (queued or in service,
   * this one included). Returns the collection the allocation triggers, or undefined.
   */
  allocate(workSeconds: number, inFlight: number): Collection | undefined {
    this.eden += workSeconds * this.s.allocationMbPerWorkSecond;
    if (this.eden < this.s.youngMb) return undefined;
    const s = this.s;
    const requestData = inFlight * s.requestLiveMb;
    const survivors = requestData + s.survival * this.eden;
    this.eden = 0;
    if (this.old + survivors <= this.oldCapacityMb) {
      this.old += survivors;
      return {
        kind: 'young',
        pause: s.youngPause + survivors * s.copyPerMb,
        liveMb: survivors,
        promotedMb: survivors,
        oldUsedMb: this.old,
        oldCapacityMb: this.oldCapacityMb,
        inFlight,
      };
    }
    // Promotion failure: the old generation cannot take the survivors; a full collection marks
    // and compacts what is live (the long-lived data and the requests in flight) and frees the rest.
    const live = Math.min(s.liveMb + requestData, s.heapMb);
    this.old = Math.min(live, this.oldCapacityMb);
    return {
      kind: 'full',
      pause: (live / 1024) * s.fullPausePerGb,
      liveMb: live,
      promotedMb: 0,
      oldUsedMb: this.old,
      oldCapacityMb: this.oldCapacityMb,
      inFlight,
    };
  }
}
