/**
 * Shard 2 of 2 of the built-in scenarios (test/builtin-runs.ts): each run once, checked against
 * its goldens (test/golden-checks.ts) and explained (test/explain/builtin-checks.ts).
 * `npx vitest run test/golden` runs both shards.
 */
import { builtinRuns, builtinShard } from './builtin-runs.js';
import { describeExplainBuiltins } from './explain/builtin-checks.js';
import { describeGoldens } from './golden-checks.js';

const shard = builtinShard(2);
const run = builtinRuns(shard);
describeGoldens(shard, run);
describeExplainBuiltins(shard, run);
