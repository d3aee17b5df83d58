import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedScenarioSchema } from '../../sim/cli/schema.js';
import { scenarioJsonSchema } from '../../sim/scenario/json-schema.js';
import { runCli } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'drainsim-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drainsim schema', () => {
  it('prints the JSON Schema of scenario files as parseable JSON', async () => {
    const { code, stdout } = await runCli('schema');
    expect(code).toBe(0);
    const schema = JSON.parse(stdout) as Record<string, unknown>;
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.title).toBe('drainsim scenario');
    expect(schema.type).toBe('object');
    // Strict objects: an editor flags unknown keys, as the loader does.
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(['backends', 'extends']));
  });

  it('writes the schema to --out whole, leaving no temporary file', async () => {
    const out = join(dir, 'nested', 'scenario.schema.json');
    const { code, stdout } = await runCli('schema', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${out}`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(publishedScenarioSchema());
    expect(readdirSync(join(dir, 'nested'))).toEqual(['scenario.schema.json']);
  });

  it('keeps descriptions from the zod schema', () => {
    const text = JSON.stringify(scenarioJsonSchema());
    expect(text).toContain('"description"');
    expect(text).toMatch(/"description":"(?!A drainsim scenario file)/);
  });
});
