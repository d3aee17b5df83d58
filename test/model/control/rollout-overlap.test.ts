/**
 * Two rollouts of one Deployment never overlap in drainsim: in Kubernetes a new template during a
 * rollout is a rollover (the previous new ReplicaSet becomes an old one: sync.go
 * getAllReplicaSetsAndSyncRevision), which is not modelled. Before, the second rollout acted on
 * the same backends as the first, which never completed, and the kubelet kept only the second's
 * Ready watch (Kubelet.watchReady) for a pod of the first. Now validation refuses an overlap the
 * scenario shows (within the first's min_ready_seconds, or at the same time), with file, line and
 * path, and a later overlap stops the run with a scenario error (exit 2).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../sim/scenario/errors.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { runCli } from '../../cli/capture.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function twoRollouts(second: string, minReady = '10s'): ScenarioInput {
  const rollout = (at: string) => ({
    at,
    do: 'rollout',
    termination_grace_period: '30s',
    prestop_sleep: '10s',
    endpoint_propagation: 'uniform(1s, 5s)',
    min_ready_seconds: minReady,
  });
  return {
    horizon: '4m',
    clients: { requests: { rate: 20, timeout: '2s', retries: 0 } },
    app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '10s' },
    lb: { mode: 'l4', retries: 0 },
    probes: { readiness: { type: 'http' } },
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }, { name: 'pod-c' }, { name: 'pod-d', state: 'detached' }],
    timeline: [rollout('30s'), rollout(second)],
  } as ScenarioInput;
}

function thrown(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('no ScenarioError');
}

describe('a rollout starting while another is in progress', () => {
  it('stops the run with a scenario error naming both (before: both ran on the same backends)', () => {
    // The first rollout (3 pods, one at a time, each ~10 s to Ready + 10 s minReadySeconds) is
    // still at its first pods at 45 s.
    const err = thrown(() => run(twoRollouts('45s'), 1));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ path: 'timeline[1].at', found: '"45s"' });
    expect(err.issues[0].message).toContain('while the rollout at 30s (timeline[0]) is still in progress');
    expect(err.issues[0].expected).toBe('a rollout starting after the one at 30s has completed');
  });

  it('runs both when the second starts after the first has completed', () => {
    const r = run(twoRollouts('3m'), 1);
    const done = recordsOf(r, 'k8s.rollout_complete');
    const starts = recordsOf(r, 'k8s.rollout_start');
    expect(starts).toHaveLength(2);
    expect(done[0].t).toBeLessThan(starts[1].t);
  });

  it('is refused at validation when the scenario shows the overlap: within the first one min_ready_seconds', () => {
    const parsed = ScenarioSchema.safeParse(twoRollouts('35s'));
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues.find((i) => i.path.join('.') === 'timeline.1.at');
    expect(issue?.message).toContain(
      'rollout at 35s starts while the rollout at 30s (timeline[0]) is still in progress',
    );
    // At the same time, whatever min_ready_seconds.
    expect(ScenarioSchema.safeParse(twoRollouts('30s', '0s')).success).toBe(false);
    expect(ScenarioSchema.safeParse(twoRollouts('40s')).success).toBe(true);
  });

  it("names the file and the entry's line at validation (exit 2)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-overlap-'));
    const file = join(dir, 'two.yaml');
    writeFileSync(
      file,
      [
        'horizon: 4m',
        'clients:',
        '  requests: { rate: 20 }',
        'backends:',
        '  - name: pod-a',
        '  - name: pod-b',
        'timeline:',
        '  - { at: 30s, do: rollout, min_ready_seconds: 30s }',
        '  - { at: 50s, do: rollout }',
        '',
      ].join('\n'),
    );
    const err = thrown(() => loadScenario(file, ScenarioSchema));
    const issue = err.issues.find((i) => i.path === 'timeline[1].at');
    expect(issue).toMatchObject({ file, line: 9 });
    expect(issue?.expected).toBe('a rollout starting after the one at 30s has completed');
  });

  it("names the file and the entry's line when the run refuses it (drainsim run: exit 2, nothing written)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-overlap-run-'));
    const file = join(dir, 'two.yaml');
    const rollout = (at: string) =>
      `  - { at: ${at}, do: rollout, termination_grace_period: 30s, prestop_sleep: 10s, endpoint_propagation: 'uniform(1s, 5s)', min_ready_seconds: 10s }`;
    writeFileSync(
      file,
      [
        'horizon: 4m',
        'clients:',
        '  requests: { rate: 20, timeout: 2s, retries: 0 }',
        'app: { workers: 32, service_time: exp(mean=30ms), startup_time: 10s }',
        'lb: { mode: l4, retries: 0 }',
        'probes: { readiness: { type: http } }',
        'backends:',
        '  - name: pod-a',
        '  - name: pod-b',
        '  - name: pod-c',
        '  - { name: pod-d, state: detached }',
        'timeline:',
        rollout('30s'),
        rollout('45s'),
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = await runCli('run', file, '--out', out, '--seed', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:14:`);
    expect(r.stderr).toContain('timeline[1].at');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
    // drainsim check runs the scenario too: the same location (review29 #3).
    const checked = await runCli('check', file);
    expect(checked.code).toBe(2);
    expect(checked.stdout + checked.stderr).toContain(`${file}:14:`);
  });
});
