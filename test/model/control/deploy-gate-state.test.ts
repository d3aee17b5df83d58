/**
 * A deploy gate whose server leaves DRAINING (control/timeline.ts poll). Put back in service
 * (`set_server … ready`) the pipeline aborts that VM's deploy — it does not terminate a server
 * that serves — logs `deploy.aborted` (cause back_in_service), and a rolling deploy goes on with
 * its next batch. Set to maint it takes no new connections either: the gate keeps polling and
 * the deploy goes on. Before session 27 the gate returned without rescheduling or a word: that
 * deploy, and a rolling deploy's next batch, hung.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** Two VMs, keep-alive clients (~100 connections of ~100 s); a rolling deploy at 1 m, vm-1 first. */
function rollingWith(action: Record<string, unknown>): ScenarioInput {
  return {
    horizon: '8m',
    sample_interval: '5s',
    clients: { http: { arrival_rate: 1, requests_per_connection: 'const(100)', think_time: 'const(1s)' } },
    backends: [{ name: 'vm-1' }, { name: 'vm-2' }],
    timeline: [
      {
        at: '1m',
        do: 'rolling_deploy',
        backends: ['vm-1', 'vm-2'],
        gate: { threshold: 5, max_wait: '5m', poll: '5s', on_timeout: 'force' },
        restart_time: '20s',
        pause_between: '0s',
      },
      { at: '1m22s', backend: 'vm-1', ...action },
    ],
  } as ScenarioInput;
}

const lines = (r: RunResult, re: RegExp): string[] => r.events.map((e) => e.text).filter((t) => re.test(t));

describe('a deploy gate whose server leaves DRAINING', () => {
  it('set ready during the gate: vm-1 is not terminated, the abort is logged, the rollout goes on to vm-2', () => {
    const r = run(rollingWith({ do: 'set_server', state: 'ready' }), 1);
    const aborted = lines(r, /deploy aborted: vm-1 was put back in service/);
    expect(aborted.length).toBe(1);
    expect(r.events.find((e) => e.record.kind === 'deploy.aborted')!.t).toBeCloseTo(85, 6);
    // Not terminated: no SIGTERM, no drain completed or forced on vm-1.
    expect(lines(r, /vm-1: SIGTERM|forced stage: terminating vm-1|drain complete on vm-1/)).toEqual([]);
    // The next batch starts when vm-1 serves again: at the abort (pause_between 0).
    expect(r.figures['drain.vm-2.started_at']).toBeCloseTo(85, 6);
    expect(lines(r, /rolling deploy complete: 2 VMs/).length).toBe(1);
    // The record explains itself (every record kind is explained).
    const rec = r.events.find((e) => e.record.kind === 'deploy.aborted')!;
    expect(rec.record).toMatchObject({ cause: 'back_in_service', backend: 'vm-1' });
  });

  it('set maint during the gate: the gate keeps polling, vm-1 drains and is terminated, the rollout completes', () => {
    const r = run(rollingWith({ do: 'set_server', state: 'maint' }), 1);
    expect(lines(r, /deploy aborted/)).toEqual([]);
    expect(lines(r, /drain complete on vm-1|forced stage: terminating vm-1/).length).toBe(1);
    expect(r.figures['drain.vm-2.started_at']).toBeGreaterThan(85);
    expect(lines(r, /rolling deploy complete: 2 VMs/).length).toBe(1);
  });
});
