/**
 * `--shard i/n`: machine i of n (1-based, as CI matrices and `jest --shard` count) runs tasks
 * i−1, i−1+n, i−1+2n, … Interleaving keeps slices balanced when cost grows along the grid.
 */
import { SweepError } from './errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new SweepError(
      `--shard ${text}: expected i/n with 1 ≤ i ≤ n, e.g. 2/4 (with a Kubernetes Indexed Job: $((JOB_COMPLETION_INDEX + 1))/n)`,
    );
  }
  return { index, count };
}

/** The tasks of one shard, ascending. */
export function shardTasks(total: number, shard: Shard): number[] {
  const tasks: number[] = [];
  for (let t = shard.index - 1; t < total; t += shard.count) tasks.push(t);
  return tasks;
}
