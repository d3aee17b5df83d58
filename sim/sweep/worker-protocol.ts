/** Messages between the sweep pool and its worker threads. */
import type { RunRecord, SweepPoint, SweepSpec } from './types.js';

/** Given once, as workerData. */
export interface WorkerSetup {
  spec: SweepSpec;
  points: SweepPoint[];
}

/** Pool → worker: run this task. */
export interface TaskMessage {
  task: number;
}

/** Worker → pool: a finished run, or why it failed. */
export type ResultMessage = { ok: true; record: RunRecord } | { ok: false; task: number; error: string };
