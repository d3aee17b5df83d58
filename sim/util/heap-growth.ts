/**
 * The V8 heap's growth, bounded for a simulator's long runs (issue 14: memory independent of
 * simulated time). After each full GC V8 sets the next old-generation limit to the live size times
 * a factor chosen for a 97 % mutator utilization from GC speed vs allocation speed, up to 4.0 on a
 * machine with a large default heap (V8 src/heap/heap-controller.cc, MemoryController::GrowingFactor,
 * DynamicGrowingFactor, MaxGrowingFactor kHighFactor). A simulation allocates short-lived records at
 * a high rate over a live set that stays ~15–35 MB, so over hours of simulated time the factor climbs
 * and the heap ends at several times the live set: peak RSS then grows with the horizon although the
 * data does not. `--heap-growing-percent` replaces the dynamic factor with a fixed one (the same
 * function: `factor = 1.0 + heap_growing_percent / 100`); 1.5 keeps the heap within half the live set
 * of it, for a few per cent more GC time.
 *
 * The young generation: V8 starts each semi-space at its minimum (1 MB on x64) and doubles it
 * (`--semi-space-growth-factor`, default 2) whenever more than its capacity survived since the last
 * growth, up to 16 MB (src/heap/heap.cc Heap::ConfigureHeap: max_semi_space_size_ 8 MB × the pointer
 * multiplier; src/heap/new-spaces.cc: the new space's Grow() reads the flag at each growth). Two
 * semi-spaces of 16 MB are ~32 MB of resident memory in every run that keeps connections open:
 * the model's records (a client's Conn lives for its connection, seconds to hours) survive their
 * first scavenge anyway and are promoted, so a larger nursery buys few avoided copies. Growth 1
 * keeps the semi-spaces at 1 MB: more scavenges, each cheap (their survivors are the records just
 * made), but not free: measured in session 17 (branch perf17, the bench's children now set this
 * too), the drain model at 100k connections ran 1,565 scavenges instead of 167, GC pauses 0.63 →
 * 1.16 s, CPU +5–12 % (load 5–18) for 19 MB less peak RSS (244 → 225 MB); the 1-h fleet +5 % CPU
 * for 290 → 256 MB. A trade chosen for bounded memory (issue 14), not a free win. `--max-semi-space-size` cannot do this here: V8 reads it only when the heap is set
 * up, before any script runs. A young-generation flag given to node (`node --semi-space-growth-factor=2
 * …`, or `--max-semi-space-size` in NODE_OPTIONS, the only one of them Node accepts there) is left
 * as given.
 */
import v8 from 'node:v8';

/** Old-generation limit = live size × (1 + HEAP_GROWING_PERCENT / 100) after each full GC. */
export const HEAP_GROWING_PERCENT = 50;
/** Semi-spaces stay at V8's initial size (see above). */
export const SEMI_SPACE_GROWTH_FACTOR = 1;

/**
 * Set the fixed growth factors for this process. Call once, first. Its worker threads (a sweep's)
 * share the old generation's factor but not the young generation's bound: measured (Node 20,
 * session 14), a worker's new space still grows to 2 × 16 MB with `--semi-space-growth-factor=1`.
 * A worker's `resourceLimits.maxYoungGenerationSizeMb: 3` would keep it at 2 × 1 MB (three
 * semi-spaces' worth, src/heap/heap.cc Heap::YoungGenerationSizeFromSemiSpaceSize) but cost the
 * bench sweep on 2 workers +12–14 % CPU (46.5 s against 40.7–41.7 s for 24 runs): not set.
 */
export function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!youngGenerationGiven()) v8.setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`);
}

/** The young generation's size or growth was set on node's command line or in NODE_OPTIONS. */
function youngGenerationGiven(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((a) => /^--(max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/.test(a));
}
