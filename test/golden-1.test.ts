/**
 * Shard 1 of 2 of the built-in scenarios (test/builtin-runs.ts): each run once, checked against
 * its goldens (test/golden-checks.ts) and explained (test/explain/builtin-checks.ts).
 * `npx vitest run test/golden` runs both shards.
 */
import { builtinRuns, builtinShard } from './builtin-runs.js';
import { describeExplainBuiltins, describeExplainNamed } from './explain/builtin-checks.js';
import { describeGoldenSet, describeGoldens } from './golden-checks.js';

const shard = builtinShard(1);
const run = builtinRuns(shard);
describeGoldens(shard, run);
describeExplainBuiltins(shard, run);
describeExplainNamed(run);
describeGoldenSet([shard, builtinShard(2)]);
