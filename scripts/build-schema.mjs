// Writes schema/scenario.schema.json (shipped in the npm package, see package.json "files") from the
// zod schema via the built CLI code, so the published schema is the validator's. Run by `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedScenarioSchema } from '../dist/sim/cli/schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, 'schema', 'scenario.schema.json'), `${JSON.stringify(publishedScenarioSchema(), null, 2)}\n`);
