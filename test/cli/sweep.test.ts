/**
 * The sweep through the CLI, on real worker threads (which run the compiled simulator in dist/:
 * `npm test` builds it first). Runs are kept short with --set so the suite stays fast.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';
import { runCli } from './capture.js';

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
const SWEEP = ['sweep', 'hard-cut', '--vary', 'clients.http.arrival_rate=60..90:30', '--seeds', '3', ...SHORT];
const OUTPUTS = ['sweep.csv', 'sweep-summary.csv', 'sweep.html'];

let root: string;
const read = (dir: string) => Object.fromEntries(OUTPUTS.map((f) => [f, readFileSync(join(root, dir, f), 'utf8')]));

beforeAll(() => {
  const worker = join(packageRoot(), 'dist', 'sim', 'sweep', 'sweep-worker.js');
  if (!existsSync(worker))
    throw new Error(`${worker} is missing: run 'npm run build' (npm test does) before these tests`);
  root = mkdtempSync(join(tmpdir(), 'drainsim-sweep-'));
});

describe('drainsim sweep', () => {
  it('writes byte-identical outputs with 1 worker, 2 workers, and sharded then merged', async () => {
    const one = await runCli(...SWEEP, '--workers', '1', '--out', join(root, 'w1'));
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('sweep hard-cut: 2 points × 3 seeds = 6 runs, on 1 worker(s)');
    expect((await runCli(...SWEEP, '--workers', '2', '--out', join(root, 'w2'))).code).toBe(0);
    for (const i of [1, 2, 3]) {
      const shard = await runCli(...SWEEP, '--shard', `${i}/3`, '--workers', '2', '--out', join(root, 'shards'));
      expect(shard.code).toBe(0);
      expect(shard.stdout).toContain(`shard ${i}/3 runs 2 of them`);
    }
    expect(readdirSync(join(root, 'shards')).sort()).toEqual([
      'sweep-shard-1-of-3.json',
      'sweep-shard-2-of-3.json',
      'sweep-shard-3-of-3.json',
    ]);
    const merged = await runCli('merge', join(root, 'shards'), '--out', join(root, 'merged'));
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain('merged 3 shard(s): 6 runs of hard-cut');

    const reference = read('w1');
    expect(read('w2')).toEqual(reference);
    expect(read('merged')).toEqual(reference);

    const rows = reference['sweep.csv']!.trimEnd().split('\n');
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatch(/^scenario,seed,clients\.http\.arrival_rate,engine_events,active_conn\.final,/);
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 3).join(','))).toEqual([
      'hard-cut,1,60',
      'hard-cut,2,60',
      'hard-cut,3,60',
      'hard-cut,1,90',
      'hard-cut,2,90',
      'hard-cut,3,90',
    ]);
  });

  it('runs every point with the same seeds (common random numbers)', async () => {
    // The description changes nothing the model reads, so each seed must give the same run at both points.
    const r = await runCli(
      'sweep',
      'hard-cut',
      '--vary',
      'description=a,b',
      '--seeds',
      '2',
      '--workers',
      '2',
      ...SHORT,
      '--out',
      join(root, 'crn'),
    );
    expect(r.code).toBe(0);
    const rows = readFileSync(join(root, 'crn', 'sweep.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1);
    const rest = (row: string) => row.split(',').slice(3).join(',');
    expect(rest(rows[0]!)).toBe(rest(rows[2]!));
    expect(rest(rows[1]!)).toBe(rest(rows[3]!));
    expect(rest(rows[0]!)).not.toBe(rest(rows[1]!));
  });

  it('rejects bad input before running anything, with exit code 2', async () => {
    const bad = await runCli('sweep', 'hard-cut', '--vary', 'app.workers=10,lots', '--out', join(root, 'bad'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--vary app.workers=10,lots (value lots): app.workers: expected a number, found "lots"',
    );
    expect(existsSync(join(root, 'bad'))).toBe(false);
    const range = await runCli('sweep', 'hard-cut', '--vary', 'app.workers=1..5');
    expect(range).toMatchObject({
      code: 2,
      stderr: 'drainsim sweep: --vary app.workers=1..5: a range needs a step, e.g. 1..5:1\n',
    });
    expect((await runCli('sweep', 'hard-cut', '--vary', 'app.workers=1,2', '--shard', '3/2')).stderr).toMatch(
      /expected i\/n/,
    );
    expect((await runCli('sweep', 'hard-cut', '--vary', 'app.workers=1,2', '--workers', '0')).code).toBe(2);
    expect((await runCli('sweep', 'hard-cut')).stderr).toMatch(/Missing required argument: vary/);
  });

  it('merge names what is missing', async () => {
    const r = await runCli('merge', join(root, 'shards', 'sweep-shard-2-of-3.json'), '--out', join(root, 'partial'));
    expect(r).toMatchObject({
      code: 2,
      stderr: 'drainsim merge: 4 of 6 runs are missing: shard(s) 1/3, 3/3 missing\n',
    });
    expect((await runCli('merge', join(root, 'nowhere'))).stderr).toMatch(/no such file or directory/);
  });

  it('prints the answer table for --report and --goal, and refuses a malformed goal before running', async () => {
    const r = await runCli(
      ...SWEEP,
      '--workers',
      '1',
      '--out',
      join(root, 'answer'),
      '--report',
      'errors.total',
      '--goal',
      'errors.total < 1e9',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /\n3 seeds per point\nclients\.http\.arrival_rate +errors\.total \(mean \[95% CI\]\) +goal\n/,
    );
    expect(r.stdout).toMatch(/\n60 +\d+(\.\d+)? \[\d+(\.\d+)?, \d+(\.\d+)?\] +yes {2}← best\n90 .* yes\n/);
    const bad = await runCli(...SWEEP, '--goal', 'errors.total is low', '--out', join(root, 'nogoal'));
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/--goal 'errors.total is low': expected figure op number/);
  });
});
