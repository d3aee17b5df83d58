/**
 * drainsim runs with a fixed heap growth factor (sim/util/heap-growth.ts): after every full GC V8
 * sets the next limit to 1.5 × the live size, not up to 4 × (its dynamic factor), which made a
 * long run's peak RSS grow with simulated time. V8 prints each new limit with --trace-gc-verbose.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT } from '../../sim/util/heap-growth.js';

describe('drainsim run heap growth', () => {
  it('every old-generation limit is live × 1.5', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'drainsim-heap-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--trace-gc-verbose', 'bin/drainsim.js', 'run', 'hard-cut', '--format', 'none', '--out', out],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 240_000 },
      );
      expect(run.status).toBe(0);
      const factors = [
        ...run.stdout.matchAll(/\[HeapController\] Limit: old size: \d+ KB, new limit: \d+ KB \(([\d.]+)\)/g),
      ].map((m) => Number(m[1]));
      expect(factors.length).toBeGreaterThan(0);
      expect(new Set(factors)).toEqual(new Set([1 + HEAP_GROWING_PERCENT / 100]));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});

/** A child that keeps ~40 MB of small objects alive (they survive scavenges, so V8 would grow its
 *  semi-spaces) and prints the new space's size in MB. */
const NURSERY_PROBE = `
import v8 from 'node:v8';
import { limitHeapGrowth } from './dist/sim/util/heap-growth.js';
limitHeapGrowth();
const kept = [];
for (let i = 0; i < 400000; i++) kept.push({ i, a: i * 0.5, b: [i] });
const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
console.log(s.space_size / 2 ** 20, kept.length);
`;

function newSpaceMB(nodeArgs: string[]): number {
  const run = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', NURSERY_PROBE], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim().split(' ')[0]);
}

describe('drainsim young generation', () => {
  it('semi-spaces stay at V8’s initial 1 MB unless the command line sets them', () => {
    // Two 1-MB semi-spaces; V8's default growth takes them to 16 MB each under this load.
    expect(newSpaceMB([])).toBeLessThanOrEqual(2);
    expect(newSpaceMB(['--semi-space-growth-factor=2'])).toBeGreaterThan(8);
  }, 300_000);
});
