import type { Workload } from './workload.js';

/** One workload's numbers, as printed and as written to out/bench.json. */
export interface Measurement {
  name: string;
  events: number;
  wallMs: number;
  eventsPerSec: number;
  /** Resident set before the workload started (after a GC): the Node baseline. */
  rssBeforeMB: number;
  /** High-water resident set of the whole process; per-workload because each runs in its own. */
  peakRssMB: number;
  details: Record<string, number>;
}

const MB = 1024 * 1024;

/** Run a workload once and measure it. Call it in a fresh process: peak RSS is process-wide. */
export function measure(workload: Workload): Measurement {
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const { events, ...details } = workload.run();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    name: workload.name,
    events,
    wallMs,
    eventsPerSec: events / (wallMs / 1000),
    rssBeforeMB: rssBefore / MB,
    // maxRSS is in kilobytes on Linux and macOS.
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    details,
  };
}
