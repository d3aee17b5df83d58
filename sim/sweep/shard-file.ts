/**
 * A shard's result file, `sweep-shard-<i>-of-<n>.json`: the sweep's full description (so merge
 * can check every shard ran the same sweep) and the runs of this shard. Figures are stored as
 * JSON numbers, which round-trip exactly, so a merged sweep renders byte for byte like one run
 * on a single machine.
 */

import { SweepError } from './errors.js';
import type { PreparedSweep } from './prepare.js';
import type { Shard } from './shard.js';
import type { RunRecord, SweepData } from './types.js';

export const SHARD_FORMAT = 'drainsim-sweep-shard/1';

export interface ShardFile extends Omit<SweepData, 'runs'> {
  format: typeof SHARD_FORMAT;
  shard: Shard;
  runs: RunRecord[];
}

export function shardFileName(shard: Shard): string {
  return `sweep-shard-${shard.index}-of-${shard.count}.json`;
}

export function renderShardFile(prepared: PreparedSweep, version: string, shard: Shard, runs: RunRecord[]): string {
  const file: ShardFile = {
    format: SHARD_FORMAT,
    version,
    name: prepared.name,
    spec: prepared.spec,
    points: prepared.points,
    digest: prepared.digest,
    shard,
    runs,
  };
  return `${JSON.stringify(file)}\n`;
}

/** Parses a shard file's text; `source` names it in errors. */
export function parseShardFile(text: string, source: string): ShardFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SweepError(`${source}: not a sweep shard file (${(err as Error).message})`);
  }
  const file = value as Partial<ShardFile> | null;
  if (file === null || typeof file !== 'object' || file.format !== SHARD_FORMAT) {
    throw new SweepError(
      `${source}: not a sweep shard file (expected "format": "${SHARD_FORMAT}"; write one with drainsim sweep --shard i/n)`,
    );
  }
  if (
    !file.spec ||
    !Array.isArray(file.points) ||
    !Array.isArray(file.runs) ||
    !file.shard ||
    typeof file.digest !== 'string'
  ) {
    throw new SweepError(
      `${source}: sweep shard file is incomplete (spec, points, digest, shard and runs are required)`,
    );
  }
  return file as ShardFile;
}
