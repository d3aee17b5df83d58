import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

function rolling(parallel: number, maxWait: string): ScenarioInput {
  return {
    horizon: '10m',
    sample_interval: '10s',
    clients: {
      ws: { initial_sessions: 300, arrival_rate: 0.1, lifetime: 'lognormal(median=1h, p99=8h)' },
    },
    backends: [{ name: 'vm-1' }, { name: 'vm-2' }, { name: 'vm-3' }, { name: 'vm-4' }],
    timeline: [
      {
        at: '1m',
        do: 'rolling_deploy',
        parallel,
        gate: { threshold: 1, max_wait: maxWait, poll: '5s', on_timeout: 'force' },
        restart_time: '20s',
        pause_between: '10s',
      },
    ],
  } as ScenarioInput;
}

describe('rolling_deploy', () => {
  it('starts each VM when the previous one serves again: drain timeout + restart + pause apart', () => {
    const r = run(rolling(1, '30s'), 1);
    const starts = ['vm-1', 'vm-2', 'vm-3', 'vm-4'].map((b) => r.figures[`drain.${b}.started_at`]!);
    expect(starts[0]).toBe(60);
    // Long sessions: every gate times out at 30 s, then 20 s of restart and 10 s of pause.
    for (let i = 1; i < 4; i++) expect(starts[i]! - starts[i - 1]!).toBeCloseTo(60, 6);
    expect(JSON.stringify(r.events)).toContain('rolling deploy complete: 4 VMs in 3m 50s');
    // Sessions moved off a drained VM land on the ones still to go: each forced stage cuts more.
    const cut = r.events
      .filter((e) => e.text.startsWith('forced stage'))
      .map((e) => Number(/with (\d+)/.exec(e.text)![1]));
    expect(cut[3]!).toBeGreaterThan(cut[0]!);
  });

  it('drains `parallel` VMs at once', () => {
    const r = run(rolling(2, '30s'), 1);
    // Two batches: 30 s drain + 20 s restart, 10 s pause, 30 s + 20 s.
    expect(r.figures['drain.vm-1.started_at']).toBe(r.figures['drain.vm-2.started_at']);
    expect(r.figures['drain.vm-3.started_at']! - r.figures['drain.vm-1.started_at']!).toBeCloseTo(60, 6);
    expect(JSON.stringify(r.events)).toContain('rolling deploy complete: 4 VMs in 1m 50s');
  });
});
