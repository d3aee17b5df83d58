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
 */
import v8 from 'node:v8';

/** Old-generation limit = live size × (1 + HEAP_GROWING_PERCENT / 100) after each full GC. */
export const HEAP_GROWING_PERCENT = 50;

/** Set the fixed growth factor for this process (its worker threads share it). Call once, first. */
export function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
