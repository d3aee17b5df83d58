// Writes schema/scenario.schema.json (shipped in the npm package, see package.json "files") from the
// zod schema via the built CLI code, so the published schema is the validator's, and
// schema/summary.schema.json (every summary.json figure with its unit, sim/cli/summary-schema.ts).
// Run by `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedScenarioSchema } from '../dist/sim/cli/schema.js';
import { publishedSummarySchema } from '../dist/sim/cli/summary-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, 'schema', 'scenario.schema.json'), `${JSON.stringify(publishedScenarioSchema(), null, 2)}\n`);
writeFileSync(join(root, 'schema', 'summary.schema.json'), `${JSON.stringify(publishedSummarySchema(), null, 2)}\n`);
