import type { Histogram } from '../../metrics/histogram.js';
import type { HeapConfig } from '../../scenario/schema.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';
import { type CollectionKind, type HeapSettings, JvmHeap } from './jvm-heap.js';

/** Young pauses shorter than this are not logged (a young GC every few seconds per backend is routine). */
const LOGGED_YOUNG_PAUSE = 0.1;
/** Window of the "collections in the last minute" count a record carries. */
const RECENT_WINDOW = 60;

export function heapSettings(h: HeapConfig): HeapSettings {
  return {
    heapMb: h.heap_mb,
    youngMb: h.young_mb,
    liveMb: h.live_mb,
    allocationMbPerWorkSecond: h.allocation_mb_per_work_s,
    requestLiveMb: h.request_live_mb,
    survival: h.survival,
    youngPause: h.young_pause,
    copyPerMb: h.copy_per_mb,
    fullPausePerGb: h.full_pause_per_gb,
    survivorRatio: h.survivor_ratio,
    maxTenuringThreshold: h.max_tenuring_threshold,
    targetSurvivorRatio: h.target_survivor_ratio,
  };
}

/**
 * The JVM heap of every backend whose app has `app.gc.heap`: work starting on a worker allocates,
 * and the collection it triggers comes back as a stop-the-world pause for the app server to apply.
 * A process that died and started again (a new epoch) starts with a fresh heap.
 */
export class GcHeaps {
  private readonly heaps: (JvmHeap | undefined)[];
  private readonly epochs: number[];
  /** Times of each backend's recent collections, per kind (for the records' last-minute counts). */
  private readonly recent: Record<CollectionKind, number[][]>;
  private readonly pauses: Record<CollectionKind, Histogram> | undefined;
  /** Some backend has a heap (without one, workStarts is always 0 and need not be called). */
  readonly any: boolean;

  constructor(private readonly w: World) {
    this.heaps = w.backends.map((b) => {
      const h = b.app.config.gc.heap;
      return h === undefined ? undefined : new JvmHeap(heapSettings(h));
    });
    this.epochs = w.backends.map((b) => b.app.epoch);
    this.recent = { young: w.backends.map(() => []), full: w.backends.map(() => []) };
    this.any = this.heaps.some((h) => h !== undefined);
    // Created only when some backend has a heap, so other scenarios' figures are unchanged.
    this.pauses = this.any
      ? { young: w.metrics.histogram('gc_young_pause'), full: w.metrics.histogram('gc_full_pause') }
      : undefined;
  }

  /** The heap of `backend`'s current process (a new epoch: a fresh one), undefined: none. */
  private heapOf(backend: Backend): JvmHeap | undefined {
    const heap = this.heaps[backend.index];
    if (heap === undefined) return undefined;
    if (this.epochs[backend.index] !== backend.app.epoch) {
      this.epochs[backend.index] = backend.app.epoch;
      heap.reset();
    }
    return heap;
  }

  /** A request entered `backend`'s app (queued, or started at once): its data joins eden. */
  entered(backend: Backend): void {
    this.heapOf(backend)?.entered();
  }

  /** `workSeconds` of service start on `backend`: the stop-the-world pause it triggers (0: none). */
  workStarts(backend: Backend, workSeconds: number): number {
    const heap = this.heapOf(backend);
    if (heap === undefined) return 0;
    const c = heap.allocate(workSeconds, backend.busyWorkers + backend.appQueueLength);
    if (c === undefined) return 0;
    this.pauses![c.kind].record(c.pause);
    const recent = this.recent[c.kind][backend.index];
    const now = this.w.now;
    while (recent.length > 0 && recent[0] <= now - RECENT_WINDOW) recent.shift();
    recent.push(now);
    if (c.kind === 'full' || c.pause >= LOGGED_YOUNG_PAUSE)
      this.w.trace.emitLimited(`gc-${backend.index}`, {
        kind: 'app.gc',
        backend: backend.name,
        collection: c.kind,
        pause: c.pause,
        liveMb: c.liveMb,
        oldUsedMb: c.oldUsedMb,
        oldCapacityMb: c.oldCapacityMb,
        inFlight: c.inFlight,
        lastMinute: recent.length,
      });
    return c.pause;
  }
}
