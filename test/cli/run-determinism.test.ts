/** Same scenario + seed + version ⇒ byte-identical outputs; another seed ⇒ different ones. */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './capture.js';

const SHORT = [
  '--set',
  'expect=[]',
  '--set',
  'warmup=40s',
  '--set',
  'horizon=40s',
  '--set',
  'timeline[0].at=14:00:20',
  '--set',
  'timeline[1].at=14:00:20',
  '--set',
  'timeline[2].at=14:00:30',
];
const FILES = ['summary.json', 'timeline.csv', 'events.log'];

async function runInto(seed: number): Promise<Record<string, string>> {
  const out = mkdtempSync(join(tmpdir(), 'drainsim-det-'));
  const r = await runCli('run', 'hard-cut', '--seed', String(seed), '--out', out, '--format', 'none', ...SHORT);
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

describe('drainsim run determinism', () => {
  it('the same seed twice gives byte-identical summary.json, timeline.csv and events.log', async () => {
    const a = await runInto(7);
    const b = await runInto(7);
    for (const f of FILES) expect(b[f], f).toBe(a[f]);
    expect(JSON.parse(a['summary.json']).seed).toBe(7);
  });

  it('another seed gives different outputs', async () => {
    const a = await runInto(7);
    const c = await runInto(8);
    for (const f of FILES) expect(c[f], f).not.toBe(a[f]);
  });
});

describe('drainsim run exit codes and outputs', () => {
  it('writes the three files and prints the terminal summary, exit 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drainsim-run-'));
    const r = await runCli('run', 'hard-cut', '--out', out, ...SHORT);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(expect.arrayContaining(FILES));
    expect(r.stdout).toContain('hard-cut');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI colour escapes.
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('--format json prints the summary as JSON on stdout', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drainsim-run-'));
    const r = await runCli('run', 'hard-cut', '--out', out, '--format', 'json', ...SHORT);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.scenario.name).toBe('hard-cut');
    expect(summary.figures['errors.total']).toBeTypeOf('number');
  });

  it('a bad scenario exits 2 and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'drainsim-bad-')), 'never');
    const r = await runCli('run', 'hard-cut', '--out', out, '--set', 'nginx.keepalive_timout=5s');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'keepalive_timeout'?");
    expect(existsSync(out)).toBe(false);
  });
});
