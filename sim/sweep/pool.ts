/**
 * Runs sweep tasks on worker threads. Each worker takes the next task as soon as it is free, so
 * scheduling depends on timing; results are put back in task order, so the output never does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../scenario/package-root.js';
import type { RunRecord, SweepPoint, SweepSpec } from './types.js';
import type { ResultMessage, TaskMessage, WorkerSetup } from './worker-protocol.js';

export interface PoolOptions {
  workers: number;
  /** Called after each finished run. */
  onProgress?: (done: number, total: number) => void;
  /** Called with each finished run as it arrives (before onProgress), e.g. to checkpoint it. */
  onRecord?: (record: RunRecord) => void;
  /**
   * The expected cost of a task (e.g. its point's estimated engine events): tasks are handed out
   * largest first, ties in the given order. A sweep ends when its last run does, so a long run
   * handed out last keeps one worker busy while the others idle; longest-first (LPT scheduling)
   * leaves the short runs to fill in at the end. Without it, tasks go in the given order.
   */
  cost?: (task: number) => number;
}

/** Runs `tasks` (indices into the sweep's task list) and returns their records in the same order. */
export async function runTasks(
  spec: SweepSpec,
  points: SweepPoint[],
  tasks: readonly number[],
  options: PoolOptions,
): Promise<RunRecord[]> {
  if (tasks.length === 0) return [];
  const setup: WorkerSetup = { spec, points };
  const slot = new Map(tasks.map((task, i) => [task, i]));
  const records: RunRecord[] = new Array(tasks.length);
  const order = options.cost === undefined ? tasks : feedOrder(tasks, options.cost);
  const url = workerUrl();
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.workers, tasks.length)) },
    () => new Worker(url, { workerData: setup }),
  );
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (worker: Worker): void => {
        if (next < order.length) worker.postMessage({ task: order[next++]! } satisfies TaskMessage);
      };
      for (const worker of workers) {
        worker.on('message', (message: ResultMessage) => {
          if (!message.ok) {
            reject(new Error(`sweep run ${message.task} failed in a worker: ${message.error}`));
            return;
          }
          records[slot.get(message.record.task)!] = message.record;
          options.onRecord?.(message.record);
          // Counted apart from the callback: `f?.(++x)` skips its arguments when f is absent.
          done++;
          options.onProgress?.(done, tasks.length);
          if (done === tasks.length) resolve();
          else feed(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (done < tasks.length)
            reject(new Error(`a sweep worker exited (code ${code}) with ${tasks.length - done} runs unfinished`));
        });
        feed(worker);
      }
    });
  } finally {
    // Stopped, not awaited, and unref'd: a worker that is slow to exit must not hold the process.
    for (const worker of workers) {
      worker.unref();
      void worker.terminate();
    }
  }
  return records;
}

/** `tasks` by descending cost; equal costs keep their order (Array.prototype.sort is stable). */
export function feedOrder(tasks: readonly number[], cost: (task: number) => number): number[] {
  const costs = new Map(tasks.map((task) => [task, cost(task)]));
  return [...tasks].sort((a, b) => costs.get(b)! - costs.get(a)!);
}

/**
 * The compiled worker module beside this one. Under vitest this module runs from TypeScript
 * sources, which a worker thread cannot load, so it falls back to the build in dist/.
 */
function workerUrl(): URL {
  const sibling = new URL('./sweep-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const compiled = join(packageRoot(), 'dist', 'sim', 'sweep', 'sweep-worker.js');
  if (existsSync(compiled)) return pathToFileURL(compiled);
  throw new Error(
    `sweep workers run the compiled simulator, and ${compiled} does not exist: run 'npm run build' first`,
  );
}
