/**
 * A sweep shard's checkpoint, `sweep-shard-<i>-of-<n>.checkpoint` beside its shard file: every
 * finished run, rewritten atomically after each one, so a shard killed half way (a preempted CI
 * job, an evicted pod) resumes where it stopped when it is run again with the same arguments and
 * `--out`. It is removed once the shard file is written.
 *
 * Runs are keyed by drainsim version + the digest of the run's resolved scenario (which holds its
 * grid point's values) + seed, never by task index: a changed scenario, `--set`, `--vary` value or
 * drainsim version gives other keys, so a stale result is never reused. Figures are JSON numbers,
 * which round-trip exactly, so a resumed shard writes the same bytes as an uninterrupted one.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../../reports/write-atomic.js';
import type { RunRecord } from './types.js';

export const CHECKPOINT_FORMAT = 'drainsim-sweep-checkpoint/1';

interface CheckpointEntry {
  key: string;
  engineEvents: number;
  figures: RunRecord['figures'];
}

interface CheckpointFile {
  format: typeof CHECKPOINT_FORMAT;
  runs: CheckpointEntry[];
}

/** The key of one run; `pointDigest` is the digest of the point's resolved scenario. */
export function runKey(version: string, pointDigest: string, seed: number): string {
  return `${version} ${pointDigest} seed ${seed}`;
}

export interface LoadedCheckpoint {
  /** Finished runs by key (records without their task index, which the caller gives). */
  finished: Map<string, Omit<RunRecord, 'task'>>;
  /** For the user: what was resumed or why the file was ignored; null when there was no file. */
  note: string | null;
}

/** Reads a checkpoint; `wanted` are the keys of this shard's runs. Anything unreadable is ignored. */
export function loadCheckpoint(path: string, wanted: ReadonlySet<string>): LoadedCheckpoint {
  const finished = new Map<string, Omit<RunRecord, 'task'>>();
  if (!existsSync(path)) return { finished, note: null };
  let file: Partial<CheckpointFile> | null = null;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as Partial<CheckpointFile> | null;
  } catch {
    // A torn file cannot happen (atomic rename), but a hand-edited one can: start afresh.
  }
  if (file === null || typeof file !== 'object' || file.format !== CHECKPOINT_FORMAT || !Array.isArray(file.runs))
    return { finished, note: `ignored ${path}: not a sweep checkpoint (expected "format": "${CHECKPOINT_FORMAT}")` };
  let stale = 0;
  for (const entry of file.runs) {
    if (entry && typeof entry.key === 'string' && wanted.has(entry.key) && isRecordBody(entry))
      finished.set(entry.key, { engineEvents: entry.engineEvents, figures: entry.figures });
    else stale++;
  }
  if (finished.size === 0)
    return {
      finished,
      note: `ignored ${path}: its ${file.runs.length} run(s) are of another scenario, grid, seed or drainsim version`,
    };
  const staleNote = stale > 0 ? ` (${stale} run(s) of another scenario, grid, seed or version ignored)` : '';
  return {
    finished,
    note: `resuming from ${path}: ${finished.size} of ${wanted.size} run(s) already finished${staleNote}`,
  };
}

function isRecordBody(entry: CheckpointEntry): boolean {
  return typeof entry.engineEvents === 'number' && entry.figures !== null && typeof entry.figures === 'object';
}

/** Accumulates finished runs and rewrites the checkpoint atomically after each. */
export class CheckpointWriter {
  private readonly runs: CheckpointEntry[] = [];

  constructor(private readonly path: string) {}

  add(key: string, record: Omit<RunRecord, 'task'>): void {
    this.runs.push({ key, engineEvents: record.engineEvents, figures: record.figures });
  }

  /** Adds a run and writes the file. */
  record(key: string, record: Omit<RunRecord, 'task'>): void {
    this.add(key, record);
    const file: CheckpointFile = { format: CHECKPOINT_FORMAT, runs: this.runs };
    writeFileAtomic(this.path, `${JSON.stringify(file)}\n`);
  }

  /** The shard file is written: the checkpoint has served. */
  remove(): void {
    rmSync(this.path, { force: true });
  }
}

export function checkpointFileName(shardFile: string): string {
  return shardFile.replace(/\.json$/, '.checkpoint');
}
