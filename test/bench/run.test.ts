/** `npm run bench` arguments: workloads by name, `--workload NAME` alike; long ones by name only. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { workloads } from '../../bench/workloads.js';

const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/bench/run.js', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('bench run', () => {
  it('registers issue 14’s long workloads, run only when named', () => {
    const long = workloads.filter((w) => w.onDemand).map((w) => w.name);
    expect(long).toEqual(['fleet-5m', 'fleet-1h', 'steady-1h', 'steady-24h']);
    const list = bench('--list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^steady-24h .*\[by name only\]$/m);
    expect(list.stdout).not.toMatch(/^hold-1e5 .*\[by name only\]$/m);
  });

  it('takes --workload NAME and --workload=NAME, and names an unknown one', () => {
    for (const args of [
      ['--workload', 'steady-1h', '--workload', 'nope'],
      ['--workload=nope', 'steady-1h'],
    ]) {
      const r = bench(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('unknown workload(s): nope');
    }
    const r = bench('--workloads', 'steady-1h');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option(s): --workloads');
  });
});
