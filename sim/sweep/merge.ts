/**
 * Combines the shards of one sweep into the data a single machine would have produced. Every
 * shard must describe the same sweep (same drainsim version, spec, resolved points and scenario
 * digest), together they must hold each run exactly once, and then the runs are put in task
 * order: the merged outputs are byte-identical to an unsharded run.
 */
import { isDeepStrictEqual } from 'node:util';
import { SweepError } from './errors.js';
import type { ShardFile } from './shard-file.js';
import type { RunRecord, SweepData } from './types.js';

export function mergeShards(shards: readonly { file: ShardFile; source: string }[]): SweepData {
  if (shards.length === 0) throw new SweepError('no shard files to merge');
  const first = shards[0]!;
  const ref = first.file;
  for (const { file, source } of shards.slice(1)) {
    const differs = (what: string) =>
      new SweepError(`${source} and ${first.source} are not shards of one sweep: their ${what} differ`);
    if (file.version !== ref.version) throw differs(`drainsim versions (${file.version} vs ${ref.version})`);
    if (!isDeepStrictEqual(file.spec, ref.spec)) throw differs('sweeps (scenario, --set, --vary or seeds)');
    if (file.digest !== ref.digest || !isDeepStrictEqual(file.points, ref.points)) throw differs('resolved scenarios');
    if (file.shard.count !== ref.shard.count) throw differs(`shard counts (${file.shard.count} vs ${ref.shard.count})`);
  }
  const total = ref.points.length * ref.spec.seeds.length;
  const runs: (RunRecord | undefined)[] = new Array(total);
  const owner: string[] = new Array(total);
  for (const { file, source } of shards) {
    for (const run of file.runs) {
      if (!(Number.isInteger(run.task) && run.task >= 0 && run.task < total))
        throw new SweepError(`${source}: run ${run.task} is outside the sweep's ${total} runs`);
      if (runs[run.task] !== undefined)
        throw new SweepError(
          `run ${run.task} is in both ${owner[run.task]} and ${source}: each shard must be given once`,
        );
      runs[run.task] = run;
      owner[run.task] = source;
    }
  }
  let missing = 0;
  for (let t = 0; t < total; t++) if (runs[t] === undefined) missing++;
  if (missing > 0) {
    const have = new Set(shards.map((s) => s.file.shard.index));
    const absent = Array.from({ length: ref.shard.count }, (_, i) => i + 1).filter((i) => !have.has(i));
    const which =
      absent.length > 0
        ? `shard(s) ${absent.map((i) => `${i}/${ref.shard.count}`).join(', ')} missing`
        : 'some shards are incomplete';
    throw new SweepError(`${missing} of ${total} runs are missing: ${which}`);
  }
  return {
    version: ref.version,
    name: ref.name,
    spec: ref.spec,
    points: ref.points,
    digest: ref.digest,
    runs: runs as RunRecord[],
  };
}
