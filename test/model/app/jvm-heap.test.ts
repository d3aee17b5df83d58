/** The JVM-like heap without a run: young collections, promotion, full collections, load. */
import { describe, expect, it } from 'vitest';
import { heapSettings } from '../../../sim/model/app/gc-heaps.js';
import { type Collection, type HeapSettings, JvmHeap } from '../../../sim/model/app/jvm-heap.js';
import { AppSchema } from '../../../sim/scenario/schema.js';

/** 2 GB heap, 512 MB eden, 300 MB long-lived; 30 MB per work-second; 0.25 MB per request in flight. */
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
};

/** Start `n` requests of 35 ms each with `inFlight` in the app; the collections they trigger. */
function serve(heap: JvmHeap, n: number, inFlight: number): Collection[] {
  const out: Collection[] = [];
  for (let i = 0; i < n; i++) {
    const c = heap.allocate(0.035, inFlight);
    if (c) out.push(c);
  }
  return out;
}

describe('JVM heap', () => {
  it('allocates in proportion to work and collects the young generation only when eden is full', () => {
    const heap = new JvmHeap(SETTINGS);
    expect(heap.allocate(10, 5)).toBeUndefined(); // 300 MB
    expect(heap.edenUsedMb).toBeCloseTo(300);
    expect(heap.allocate(6, 5)).toBeUndefined(); // 480 MB
    const c = heap.allocate(2, 5)!; // 540 MB ≥ 512: collect
    expect(c.kind).toBe('young');
    expect(heap.edenUsedMb).toBe(0);
    // Survivors: 5 requests × 0.25 MB + 0.5 % of 540 MB = 3.95 MB, all promoted.
    expect(c.liveMb).toBeCloseTo(3.95);
    expect(c.pause).toBeCloseTo(0.005 + 3.95 * 0.001);
    expect(heap.oldUsedMb).toBeCloseTo(303.95);
  });

  it('a young pause grows with the requests in flight, whose data survives', () => {
    const young = (inFlight: number) => new JvmHeap(SETTINGS).allocate(512 / 30, inFlight)!;
    const light = young(8);
    const loaded = young(1000);
    expect(light.pause).toBeLessThan(0.02); // tens of ms at most, as G1's young pauses
    expect(loaded.pause - light.pause).toBeCloseTo(992 * 0.25 * 0.001);
    expect(loaded.promotedMb).toBeGreaterThan(30 * light.promotedMb);
  });

  it('a full collection when the old generation cannot take the promotion: pause ∝ live heap, garbage freed', () => {
    const heap = new JvmHeap(SETTINGS);
    const collections: Collection[] = [];
    while (collections.length < 10_000 && collections.at(-1)?.kind !== 'full') collections.push(...serve(heap, 1, 8));
    const full = collections.at(-1)!;
    expect(full.kind).toBe('full');
    const before = collections.at(-2)!;
    // The young collection before had promoted up to the old generation's capacity.
    expect(before.oldUsedMb + before.promotedMb).toBeGreaterThan(
      SETTINGS.heapMb - SETTINGS.youngMb - before.promotedMb,
    );
    // Live: the long-lived 300 MB and 8 requests' data; 1 s per GB.
    expect(full.liveMb).toBeCloseTo(302);
    expect(full.pause).toBeCloseTo(302 / 1024);
    expect(full.oldUsedMb).toBeCloseTo(302);
    expect(heap.oldUsedMb).toBeCloseTo(302);
  });

  it('load moved onto a backend makes its full collections much more frequent and longer (the amplifier)', () => {
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
    expect(normal.full).toBeLessThanOrEqual(2);
    expect(overloaded.full).toBeGreaterThan(20 * Math.max(1, normal.full));
    expect(overloaded.fullPause).toBeGreaterThan(1.4 * normal.fullPause);
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
    serve(heap, 5000, 100);
    expect(heap.oldUsedMb).toBeGreaterThan(SETTINGS.liveMb);
    heap.reset();
    expect([heap.edenUsedMb, heap.oldUsedMb]).toEqual([0, SETTINGS.liveMb]);
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
    });
  });

  it('refuses a young generation as large as the heap and long-lived data the old generation cannot hold', () => {
    expect(AppSchema.safeParse({ gc: { heap: { ...heap, young_mb: 2048 } } }).success).toBe(false);
    expect(AppSchema.safeParse({ gc: { heap: { ...heap, live_mb: 1600 } } }).success).toBe(false);
  });
});
