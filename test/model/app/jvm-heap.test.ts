/** The JVM-like heap without a run: young collections, promotion, full collections, load. */
import { describe, expect, it } from 'vitest';
import { heapSettings } from '../../../sim/model/app/gc-heaps.js';
import {
  type Collection,
  computeTenuringThreshold,
  type HeapSettings,
  JvmHeap,
} from '../../../sim/model/app/jvm-heap.js';
import { AppSchema } from '../../../sim/scenario/schema.js';

/** 2 GB heap, 512 MB young (409.6 MB eden, two 51.2 MB survivor spaces), 300 MB long-lived; 30 MB per work-second; 0.25 MB per request in flight. */
const SETTINGS: HeapSettings = {
  heapMb: 2048,
  youngMb: 512,
  liveMb: 300,
  allocationMbPerWorkSecond: 30,
  requestLiveMb: 0.25,
  survival: 0.005,
  youngPause: 0.005,
  copyPerMb: 0.001,
  fullPausePerGb: 1,
  survivorRatio: 8,
  maxTenuringThreshold: 15,
  targetSurvivorRatio: 0.5,
};
/** Work that fills eden exactly: one young collection. */
const EDEN_WORK = 409.6 / 30;

/**
 * Start `n` requests of 35 ms each, each entering the app as it starts, with `inFlight` in the app
 * (a steady queue: one leaves as one enters); the collections they trigger.
 */
function serve(heap: JvmHeap, n: number, inFlight: number): Collection[] {
  const out: Collection[] = [];
  for (let i = 0; i < n; i++) {
    heap.entered();
    const c = heap.allocate(0.035, inFlight);
    if (c) out.push(c);
  }
  return out;
}

describe('AgeTable::compute_tenuring_threshold (ageTable.cpp), on hand-built age tables', () => {
  it('the smallest age whose cumulative survivors exceed the desired size, at most MaxTenuringThreshold', () => {
    // desired 25: 10 (age 1), 20 (ages 1-2), 30 > 25 at age 3.
    expect(computeTenuringThreshold([0, 10, 10, 10, 10], 25, 15)).toBe(3);
    expect(computeTenuringThreshold([0, 10, 10, 10, 10], 25, 2)).toBe(2);
    // Strictly more than desired: 25 of 25 does not stop at age 1 (the second age's 1 does).
    expect(computeTenuringThreshold([0, 25, 1], 25, 15)).toBe(2);
    // The first age alone past it: threshold 1, every survivor promoted at the next collection.
    expect(computeTenuringThreshold([0, 30], 25, 15)).toBe(1);
    // Never exceeded: table_size 16, capped at MaxTenuringThreshold.
    expect(computeTenuringThreshold([0, 1, 1, 1], 25, 15)).toBe(15);
    expect(computeTenuringThreshold([0, 1, 1, 1], 25, 7)).toBe(7);
    expect(computeTenuringThreshold([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30], 25, 16)).toBe(15);
  });
});

describe('JVM heap', () => {
  it('eden is the young generation less two survivor spaces of young / (SurvivorRatio + 2)', () => {
    const heap = new JvmHeap(SETTINGS);
    expect(heap.survivorCapacityMb).toBeCloseTo(51.2);
    expect(heap.edenCapacityMb).toBeCloseTo(409.6);
    expect(heap.tenuringThreshold).toBe(15); // MaxTenuringThreshold at start
  });

  it('allocates in proportion to work and collects the young generation only when eden is full', () => {
    const heap = new JvmHeap(SETTINGS);
    for (let i = 0; i < 5; i++) heap.entered();
    expect(heap.allocate(10, 5)).toBeUndefined(); // 300 MB
    expect(heap.edenUsedMb).toBeCloseTo(300);
    expect(heap.allocate(3, 5)).toBeUndefined(); // 390 MB
    const c = heap.allocate(1, 5)!; // 420 MB ≥ 409.6: collect
    expect(c.kind).toBe('young');
    expect(heap.edenUsedMb).toBe(0);
    // Survivors: 5 requests × 0.25 MB + 0.5 % of 420 MB = 3.35 MB, all into the survivor space.
    expect(c.liveMb).toBeCloseTo(3.35);
    expect(c.survivorMb).toBeCloseTo(3.35);
    expect(c.promotedMb).toBe(0);
    expect(c.pause).toBeCloseTo(0.005 + 3.35 * 0.001);
    expect(heap.oldUsedMb).toBe(300);
  });

  it('a request in flight across many young collections is copied until its age reaches the threshold, then promoted once', () => {
    const heap = new JvmHeap({ ...SETTINGS, survival: 0 });
    heap.entered();
    const cs: Collection[] = [];
    for (let i = 0; i < 30; i++) cs.push(heap.allocate(EDEN_WORK, 1)!);
    expect(cs.every((c) => c.kind === 'young')).toBe(true);
    // Ages 1..15 in the survivor space (threshold 15: nothing near TargetSurvivorRatio), promoted at the 16th.
    expect(cs.slice(0, 15).every((c) => c.survivorMb === 0.25 && c.promotedMb === 0)).toBe(true);
    expect(cs[15]!.promotedMb).toBe(0.25);
    expect(cs.slice(16).every((c) => c.promotedMb === 0 && c.liveMb === 0)).toBe(true);
    expect(heap.oldUsedMb).toBe(300.25);
  });

  it('requests in flight across two young collections are promoted once (past the survivor space: part early, the rest at the next)', () => {
    const heap = new JvmHeap({ ...SETTINGS, survival: 0 });
    for (let i = 0; i < 300; i++) heap.entered();
    const [first, second, third] = [1, 2, 3].map(() => heap.allocate(EDEN_WORK, 300)!);
    // 75 MB of request data in all, promoted once over the three collections (not 75 MB at each).
    expect(first!.promotedMb + second!.promotedMb + third!.promotedMb).toBeCloseTo(75);
    // 75 MB of request data: 204 requests (51 MB) fill the survivor space, 96 overflow (premature promotion).
    expect(first!.survivorMb).toBeCloseTo(51);
    expect(first!.promotedMb).toBeCloseTo(24);
    expect(first!.overflowMb).toBeCloseTo(24);
    // 51 MB of age 1 > 25.6 MB (51.2 × TargetSurvivorRatio 50 %): threshold 1.
    expect(first!.tenuringThreshold).toBe(1);
    // Still in flight: the 204 of age 1 are promoted now; the 96 promoted before are not copied again.
    expect(second!.promotedMb).toBeCloseTo(51);
    expect(second!.overflowMb).toBe(0);
    expect(third!.promotedMb).toBe(0);
    expect(third!.liveMb).toBe(0);
    expect(heap.oldUsedMb).toBeCloseTo(300 + 75);
  });

  it('premature promotion: survivors past the to-space are promoted at once, whatever their age', () => {
    const heap = new JvmHeap(SETTINGS);
    for (let i = 0; i < 400; i++) heap.entered();
    const c = heap.allocate(EDEN_WORK, 400)!;
    // 100 MB of request data + 2.05 MB medium-lived into 51.2 MB: 204 requests (51 MB) copied, then
    // 0.2 MB of the medium-lived objects; the rest is promoted.
    expect(c.promotedMb).toBeCloseTo(0.25 * 196 + (0.005 * 409.6 - 0.2), 5);
    expect(c.survivorMb).toBeCloseTo(51.2);
    expect(c.overflowMb).toBeCloseTo(c.promotedMb, 9);
    expect(c.pause).toBeCloseTo(0.005 + (100 + 0.005 * 409.6) * 0.001);
  });

  it('at 88 % utilisation (~8 requests in flight, each leaving long before the next collection) nothing is promoted: no full collection, ever', () => {
    const heap = new JvmHeap(SETTINGS);
    // A million 35-ms requests: 83 minutes of a backend at 200 req/s, ~2,600 young collections.
    const cs = serve(heap, 1_000_000, 8);
    expect(cs.length).toBeGreaterThan(2500);
    expect(cs.filter((c) => c.kind === 'full')).toHaveLength(0);
    expect(cs.every((c) => c.promotedMb === 0)).toBe(true);
    expect(heap.oldUsedMb).toBe(SETTINGS.liveMb);
    expect(cs.at(-1)!.tenuringThreshold).toBe(15);
  });

  it('a young pause grows with the requests in flight, whose data survives', () => {
    const young = (inFlight: number) => {
      const heap = new JvmHeap(SETTINGS);
      for (let i = 0; i < inFlight; i++) heap.entered();
      return heap.allocate(EDEN_WORK, inFlight)!;
    };
    const light = young(8);
    const loaded = young(1000);
    expect(light.pause).toBeLessThan(0.02); // tens of ms at most, as G1's young pauses
    expect(loaded.pause - light.pause).toBeCloseTo(992 * 0.25 * 0.001);
    expect(light.promotedMb).toBe(0);
    expect(loaded.promotedMb).toBeGreaterThan(190);
  });

  it('a full collection when the old generation cannot take the promotion: pause ∝ live heap, garbage freed', () => {
    const heap = new JvmHeap(SETTINGS);
    // 600 requests queued, a new one entering as one leaves: each collection overflows the survivor space.
    const collections: Collection[] = [];
    while (collections.length < 10_000 && collections.at(-1)?.kind !== 'full') collections.push(...serve(heap, 1, 600));
    const full = collections.at(-1)!;
    expect(full.kind).toBe('full');
    const before = collections.at(-2)!;
    // The young collection before had promoted up to the old generation's capacity.
    expect(before.oldUsedMb + before.promotedMb).toBeGreaterThan(
      SETTINGS.heapMb - SETTINGS.youngMb - before.promotedMb,
    );
    // Live: the long-lived 300 MB and 600 requests' data; 1 s per GB.
    expect(full.liveMb).toBeCloseTo(450);
    expect(full.pause).toBeCloseTo(450 / 1024);
    expect(heap.oldUsedMb).toBeCloseTo(450);
    expect(heap.survivorUsedMb).toBe(0);
    // Compacted into the old generation: the next collection copies none of those 600 again.
    const next = serve(heap, 2000, 600).find((c) => c.kind === 'young')!;
    expect(next.promotedMb).toBeLessThan(0.25 * 600);
  });

  it('load moved onto a backend makes its full collections frequent (the amplifier); at 88 % there are none', () => {
    // Same 100,000 requests (each 35 ms of work); at 88 % utilisation ~8 are in the app, past
    // capacity a queue of 600 builds.
    const stats = (inFlight: number) => {
      const cs = serve(new JvmHeap(SETTINGS), 100_000, inFlight);
      const full = cs.filter((c) => c.kind === 'full');
      const young = cs.filter((c) => c.kind === 'young');
      return { full: full.length, fullPause: full[0]?.pause ?? 0, youngPause: young[0]!.pause };
    };
    const normal = stats(8);
    const overloaded = stats(600);
    expect(normal.full).toBe(0);
    expect(overloaded.full).toBeGreaterThan(10);
    expect(overloaded.fullPause).toBeGreaterThan(1.4 * (SETTINGS.liveMb / 1024));
    expect(overloaded.youngPause).toBeGreaterThan(10 * normal.youngPause);
  });

  it('more live data than the heap holds caps the full collection at the heap (back-to-back full GCs)', () => {
    const heap = new JvmHeap(SETTINGS);
    const cs = serve(heap, 10_000, 20_000); // 5 GB of request data
    expect(cs.every((c) => c.kind === 'full')).toBe(true);
    expect(cs[0]!.liveMb).toBe(SETTINGS.heapMb);
    expect(cs[0]!.pause).toBeCloseTo(2);
  });

  it('a restarted process starts with a fresh heap', () => {
    const heap = new JvmHeap(SETTINGS);
    serve(heap, 5000, 300);
    expect(heap.oldUsedMb).toBeGreaterThan(SETTINGS.liveMb);
    heap.reset();
    expect([heap.edenUsedMb, heap.oldUsedMb, heap.survivorUsedMb, heap.tenuringThreshold]).toEqual([
      0,
      SETTINGS.liveMb,
      0,
      15,
    ]);
  });
});

describe('app.gc.heap in a scenario', () => {
  const heap = {
    heap_mb: 2048,
    young_mb: 512,
    live_mb: 300,
    allocation_mb_per_work_s: 30,
    request_live_mb: 0.25,
    survival: '0.5%',
    young_pause: '5ms',
    copy_per_mb: '1ms',
    full_pause_per_gb: '1s',
  };

  it('is absent unless written, so scenarios without it keep the old model', () => {
    expect(AppSchema.parse({}).gc.heap).toBeUndefined();
  });

  it('resolves units to MB and seconds', () => {
    const resolved = AppSchema.parse({ gc: { heap } }).gc.heap!;
    expect(heapSettings(resolved)).toEqual({
      heapMb: 2048,
      youngMb: 512,
      liveMb: 300,
      allocationMbPerWorkSecond: 30,
      requestLiveMb: 0.25,
      survival: 0.005,
      youngPause: 0.005,
      copyPerMb: 0.001,
      fullPausePerGb: 1,
      // HotSpot's defaults (gc_globals.hpp).
      survivorRatio: 8,
      maxTenuringThreshold: 15,
      targetSurvivorRatio: 0.5,
    });
  });

  it('takes the survivor and tenuring flags', () => {
    const resolved = AppSchema.parse({
      gc: { heap: { ...heap, survivor_ratio: 6, max_tenuring_threshold: 4, target_survivor_ratio: '90%' } },
    }).gc.heap!;
    expect([resolved.survivor_ratio, resolved.max_tenuring_threshold, resolved.target_survivor_ratio]).toEqual([
      6, 4, 0.9,
    ]);
    expect(AppSchema.safeParse({ gc: { heap: { ...heap, max_tenuring_threshold: 16 } } }).success).toBe(false);
    expect(AppSchema.safeParse({ gc: { heap: { ...heap, survivor_ratio: 0 } } }).success).toBe(false);
  });

  it('refuses a young generation as large as the heap and long-lived data the old generation cannot hold', () => {
    expect(AppSchema.safeParse({ gc: { heap: { ...heap, young_mb: 2048 } } }).success).toBe(false);
    expect(AppSchema.safeParse({ gc: { heap: { ...heap, live_mb: 1600 } } }).success).toBe(false);
  });
});
