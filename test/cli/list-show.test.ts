import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listScenarios } from '../../sim/cli/list.js';
import { builtinScenarioNames } from '../../sim/scenario/load.js';
import { toPlain } from '../../sim/scenario/to-plain.js';
import { captureIO, runCli } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'drainsim-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('drainsim list', () => {
  it('lists names and first description lines in aligned columns, variants by their base', () => {
    writeFileSync(join(dir, 'hard-cut.yaml'), 'description: |\n  Backend removed without a drain.\n  More detail.\n');
    writeFileSync(join(dir, 'ws.yaml'), 'description: WebSocket drain\n');
    writeFileSync(join(dir, 'hard-cut-v2.yaml'), 'extends: hard-cut\n');
    const { io, output } = captureIO();
    expect(listScenarios(io, dir)).toBe(0);
    expect(output().stdout).toBe(
      [
        'hard-cut     Backend removed without a drain.',
        'hard-cut-v2  (variant of hard-cut)',
        'ws           WebSocket drain',
        '',
      ].join('\n'),
    );
  });

  it('flags a broken built-in and exits 2, still listing the others', () => {
    const broken = mkdtempSync(join(tmpdir(), 'drainsim-list-broken-'));
    try {
      writeFileSync(join(broken, 'ok.yaml'), 'description: fine\n');
      writeFileSync(join(broken, 'bad.yaml'), 'description: [\n');
      const { io, output } = captureIO();
      expect(listScenarios(io, broken)).toBe(2);
      expect(output().stdout).toContain("bad  (invalid: run 'drainsim validate bad')");
      expect(output().stdout).toContain('ok   fine');
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('lists the package built-ins through main()', async () => {
    const { code, stdout } = await runCli('list');
    expect(code).toBe(0);
    for (const name of builtinScenarioNames()) expect(stdout).toContain(name);
  });

  it('prints whole first sentences in users\' terms: no cut mid-sentence, no "Seed Part 6 case 1" (issue 16)', async () => {
    const { stdout } = await runCli('list');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(builtinScenarioNames().length);
    for (const line of lines) {
      expect(line).toMatch(/[.!?]$/);
      expect(line).not.toMatch(/\bseed\b|\bPart \d|cheat sheet/i);
    }
    expect(stdout).toMatch(
      /^hard-cut +A backend removed from the L4 pool without drain: vm-c is pulled while it carries ~1800 keepalive connections; .*30 s later\.$/m,
    );
  });

  it('joins a sentence that spans lines and stops at its end', () => {
    const d = mkdtempSync(join(tmpdir(), 'drainsim-list-sentence-'));
    writeFileSync(
      join(d, 'a.yaml'),
      'description: |\n  A backend is removed\n  without drain (e.g. by hand). Then more.\n',
    );
    const { io, output } = captureIO();
    expect(listScenarios(io, d)).toBe(0);
    expect(output().stdout).toBe('a  A backend is removed without drain (e.g. by hand).\n');
  });
});

describe('drainsim show', () => {
  it('prints the resolved scenario as YAML, with overrides applied', async () => {
    const path = join(dir, 'to-show.yaml');
    writeFileSync(path, 'description: before\n');
    const { code, stdout, stderr } = await runCli('show', path, '--set', 'description=after');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^# to-show: resolved from .*to-show\.yaml with --set description=after$/);
    const shown = parse(stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ name: 'to-show', description: 'after' });
    expect(Array.isArray(shown.backends)).toBe(true);
  });

  it('exits 2 with located errors for an invalid scenario', async () => {
    const path = join(dir, 'bad-show.yaml');
    writeFileSync(path, 'descripton: x\n');
    const { code, stdout, stderr } = await runCli('show', path);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/bad-show\.yaml:1:1: descripton: unknown key; did you mean 'description'\?/);
  });
});

describe('toPlain', () => {
  it('prints values with a spec as their spec, maps as mappings, and drops functions', () => {
    const dist = { spec: 'exp(mean=2s)', sample: () => 1 };
    expect(toPlain({ a: dist, b: [dist, 1], m: new Map([['k', 1]]), f: () => 0, u: undefined, n: null })).toEqual({
      a: 'exp(mean=2s)',
      b: ['exp(mean=2s)', 1],
      m: { k: 1 },
      n: null,
    });
  });
});
