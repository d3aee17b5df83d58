/**
 * The README's complete scenario example must be a scenario drainsim accepts: a reader copies it
 * first (review30 #2: its unquoted `lognormal(median=25ms, p99=150ms)` inside `{ … }` flow mappings
 * split at the comma, and `validate` refused it with 8 errors).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

function completeExample(): string {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const at = readme.indexOf('A complete example');
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block) throw new Error("README: no 'A complete example' yaml block");
  return block[1]!;
}

function validate(yaml: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-readme-'));
  try {
    const file = join(dir, 'example.yaml');
    writeFileSync(file, yaml);
    const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'drainsim.js'), 'validate', file], {
      encoding: 'utf8',
    });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the README's complete scenario example", () => {
  it('validates', () => {
    const r = validate(completeExample());
    expect(r.output).toMatch(/^OK /);
    expect(r.status).toBe(0);
  });

  it('and the check can fail: the same example with its distributions unquoted is refused', () => {
    const unquoted = completeExample().replace(/"(lognormal\([^"]*\))"/g, '$1');
    expect(unquoted).not.toBe(completeExample());
    expect(validate(unquoted).status).toBe(2);
  });
});
