/**
 * Issue 16: package.json listed a `schema` folder that was never built, so npm pack shipped no JSON
 * Schema, and its `$id` was a URN editors cannot fetch. `npm run build` (run before the tests)
 * writes schema/scenario.schema.json; npm pack must list it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the npm package ships the JSON Schema', () => {
  it('npm pack --dry-run --json lists schema/scenario.schema.json and schema/summary.schema.json', () => {
    // --ignore-scripts: the build already ran (npm test builds first); prepare would rebuild.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('schema/scenario.schema.json');
    expect(files).toContain('schema/summary.schema.json');
  }, 60_000);

  it('has an https $id matching the package version, and is the schema `drainsim schema` prints', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'scenario.schema.json'), 'utf8'));
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(schema.$id).toBe(`https://unpkg.com/drainsim@${version}/schema/scenario.schema.json`);
    const printed = execFileSync(process.execPath, [join(ROOT, 'bin', 'drainsim.js'), 'schema'], { encoding: 'utf8' });
    expect(JSON.parse(printed)).toEqual(schema);
  });
});
