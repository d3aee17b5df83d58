/**
 * The import rules of README "Architecture", checked with dependency-cruiser and the rule set in
 * .dependency-cruiser.cjs. The second part shows the check can fail: a throw-away tree with one
 * forbidden import (a client importing the balancer) and one cycle must be reported.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Cruise `dirs` under `cwd` with the repository's rules; the violations found. */
function cruise(cwd: string, dirs: string[]): Violation[] {
  let out: string;
  try {
    out = execFileSync(depcruise, [...dirs, '--config', config, '--output-type', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  } catch (e) {
    // depcruise exits non-zero when it finds errors; its JSON is still on stdout.
    out = (e as { stdout: string }).stdout;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('import rules of the repository', () => {
  let violations: Violation[] = [];
  beforeAll(() => {
    violations = cruise(root, ['sim', 'reports', 'bench']);
  });

  it('hold for sim/, reports/ and bench/', () => {
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });
});

describe('the import check fails on a forbidden import', () => {
  let dir = '';
  let violations: Violation[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'drainsim-imports-'));
    cpSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    const file = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    file('sim/model/lb/pool.ts', 'export const pick = (): number => 0;\n');
    // A client reaching into the balancer instead of going through model/core/hop.ts.
    file('sim/model/clients/bad-client.ts', "import { pick } from '../lb/pool.js';\nexport const b = pick();\n");
    // A cycle between two modules.
    file('sim/metrics/a.ts', "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    file('sim/metrics/b.ts', "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
    violations = cruise(dir, ['sim']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the client importing the balancer', () => {
    expect(violations).toContainEqual(
      expect.objectContaining({
        from: 'sim/model/clients/bad-client.ts',
        to: 'sim/model/lb/pool.ts',
        rule: expect.objectContaining({ name: 'clients-only-through-hop' }),
      }),
    );
  });

  it('reports the cycle', () => {
    expect(violations.some((v) => v.rule.name === 'no-circular' && v.from.startsWith('sim/metrics/'))).toBe(true);
  });
});
