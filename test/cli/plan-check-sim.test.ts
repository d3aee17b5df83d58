import { describe, expect, it } from 'vitest';
import { runCli } from './capture.js';

const SMALL_FLEET = [
  'plan',
  'drain',
  '--lifetimes',
  'exp(mean=1m)',
  '--sessions',
  '600',
  '--vms',
  '3',
  '--ttl',
  'none',
  '--timeout',
  '3m',
  '--replicas',
  '20',
  '--seeds',
  '2',
];

describe('drainsim plan drain --vms … --check-with-sim', () => {
  it('simulates the fleet the answer implies and sets its figures beside the closed form', async () => {
    const r = await runCli(...SMALL_FLEET, '--notice', '--check-with-sim');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Check with the simulator: fleet-rolling-ws over seeds 1, 2 (mean [95% CI]):');
    expect(r.stdout).toContain("--set 'backends=[{name: vm-01}, {name: vm-02}, {name: vm-03}]'");
    // With the drain notice nothing is cut, in the sim as in the closed form; what is left at the
    // timeout is moved with 1001 when the app closes it on SIGTERM.
    expect(r.stdout).toMatch(/cut \(1006\) +0 \[0 – 0\] +0 +0 \[0 – 0\] +agrees/);
    const moved = /moved \(1001\) +([\d,.]+) \[[^\]]+\] +([\d,.]+) /.exec(r.stdout);
    expect(moved).not.toBeNull();
    expect(Number(moved![1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/rollout time +10m 30s \[10m 30s – 10m 30s\] +10m 30s/);
    // The simulator counts the users moved more than once (ws_moved_again), beside the Monte Carlo.
    expect(r.stdout).toMatch(/moved more than once +[\d,.]+ \[[^\]]+\] +— +[\d,.]+ \[/);
    expect(r.stdout).not.toContain('not counted');
  });

  it('refuses a scenario without a rolling deploy to write the plan into', async () => {
    const r = await runCli(...SMALL_FLEET, '--check-with-sim', '--scenario', 'hard-cut');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no rolling_deploy action');
  });
});
