/**
 * Issue #17: a sweep shard killed half way resumes from its checkpoint when run again with the
 * same arguments and --out, skipping finished runs, and writes the same shard file byte for byte
 * as an uninterrupted run. A checkpoint of another scenario or version is ignored with a note.
 * Worker threads run the compiled simulator in dist/ (`npm test` builds it first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';
import { runCli } from './capture.js';

const BIN = join(packageRoot(), 'bin', 'drainsim.js');
const SHORT = [
  '--set',
  'horizon=20s',
  '--set',
  'warmup=10s',
  '--set',
  'timeline[0].at=5s',
  '--set',
  'timeline[1].at=5s',
];
const SWEEP = ['sweep', 'hard-cut', '--vary', 'clients.http.arrival_rate=60..90:30', '--seeds', '4', ...SHORT];
const SHARD = ['--shard', '1/2', '--workers', '1'];
const SHARD_FILE = 'sweep-shard-1-of-2.json';
const CHECKPOINT = 'sweep-shard-1-of-2.checkpoint';

let root: string;
let reference: string;

interface Checkpoint {
  format: string;
  runs: { key: string; engineEvents: number; figures: Record<string, number | null> }[];
}

beforeAll(async () => {
  if (!existsSync(join(packageRoot(), 'dist', 'sim', 'sweep', 'sweep-worker.js')))
    throw new Error("dist/ is missing: run 'npm run build' (npm test does) before these tests");
  root = mkdtempSync(join(tmpdir(), 'drainsim-resume-'));
  const whole = await runCli(...SWEEP, ...SHARD, '--out', join(root, 'whole'));
  expect(whole.stderr).toBe('');
  expect(whole.code).toBe(0);
  reference = readFileSync(join(root, 'whole', SHARD_FILE), 'utf8');
}, 120_000);

/** Runs the shard in a child process and SIGKILLs it once its checkpoint holds `runs` runs. */
async function killAfter(out: string, runs: number): Promise<Checkpoint> {
  const child = spawn(process.execPath, [BIN, ...SWEEP, ...SHARD, '--out', out], { stdio: 'ignore' });
  const path = join(out, CHECKPOINT);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error('the shard finished before it could be killed');
      if (existsSync(path)) {
        const checkpoint = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
        if (checkpoint.runs.length >= runs) return checkpoint;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
    );
  }
}

describe('sweep shard checkpoints', () => {
  it('leaves no checkpoint after an uninterrupted shard', () => {
    expect(readdirSync(join(root, 'whole'))).toEqual([SHARD_FILE]);
  });

  it('resumes a shard killed half way and writes the same bytes', async () => {
    const out = join(root, 'killed');
    const atKill = await killAfter(out, 2);
    expect(existsSync(join(out, SHARD_FILE))).toBe(false);
    const resumed = await runCli(...SWEEP, ...SHARD, '--out', out);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`: ${atKill.runs.length} of 4 run(s) already finished`);
    expect(readFileSync(join(out, SHARD_FILE), 'utf8')).toBe(reference);
    expect(readdirSync(out)).toEqual([SHARD_FILE]);
  }, 120_000);

  it('takes finished runs from the checkpoint instead of running them again', async () => {
    const out = join(root, 'doctored');
    const checkpoint = await killAfter(out, 1);
    // A figure no simulation gives: it can only reach the shard file through the checkpoint.
    checkpoint.runs[0]!.figures['requests.total'] = 123456789;
    writeFileSync(join(out, CHECKPOINT), JSON.stringify(checkpoint));
    const resumed = await runCli(...SWEEP, ...SHARD, '--out', out);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(out, SHARD_FILE), 'utf8')).toContain('"requests.total":123456789');
  }, 120_000);

  it('ignores, with a note, a checkpoint of another drainsim version or scenario', async () => {
    const out = join(root, 'stale');
    const checkpoint = await killAfter(out, 1);
    const first = checkpoint.runs[0]!;
    checkpoint.runs = [
      { ...first, key: first.key.replace(/^\S+/, '0.0.0-other'), figures: { 'requests.total': 1 } },
      { ...first, key: first.key.replace(/[0-9a-f]{64}/, '0'.repeat(64)), figures: { 'requests.total': 2 } },
    ];
    writeFileSync(join(out, CHECKPOINT), JSON.stringify(checkpoint));
    const resumed = await runCli(...SWEEP, ...SHARD, '--out', out);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(
      `ignored ${join(out, CHECKPOINT)}: its 2 run(s) are of another scenario, grid, seed or drainsim version`,
    );
    expect(readFileSync(join(out, SHARD_FILE), 'utf8')).toBe(reference);

    writeFileSync(join(out, CHECKPOINT), '{"format":"something else"}');
    const notOne = await runCli(...SWEEP, ...SHARD, '--out', out);
    expect(notOne.stdout).toContain('not a sweep checkpoint');
    expect(readFileSync(join(out, SHARD_FILE), 'utf8')).toBe(reference);
  }, 120_000);
});
