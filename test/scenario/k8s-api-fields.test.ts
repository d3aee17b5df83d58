/**
 * Probe and rollout fields the Kubernetes API refuses are refused here too (review33 #6):
 * periodSeconds / timeoutSeconds / initialDelaySeconds are int32 seconds (period and timeout at
 * least 1), a liveness or startup probe's successThreshold must be 1
 * (pkg/apis/core/validation/validation.go validateProbe), and maxSurge / maxUnavailable take a
 * whole percentage (IntOrString, GetIntOrPercentValue's Atoi).
 */
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../sim/scenario/schema.js';

const paths = (input: unknown): string[] => {
  const res = ScenarioSchema.safeParse(input);
  return res.success ? [] : res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('Kubernetes API fields', () => {
  it('refuses fractional probe seconds and a liveness/startup success_threshold other than 1', () => {
    const issues = paths({
      probes: {
        liveness: { success_threshold: 3, period: '2.5s', timeout: '300ms' },
        startup: { success_threshold: 2, initial_delay: '1.5s' },
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^probes\.liveness\.success_threshold: must be 1/),
        expect.stringMatching(/^probes\.liveness\.period: Kubernetes takes periodSeconds in whole seconds/),
        expect.stringMatching(
          /^probes\.liveness\.timeout: Kubernetes takes timeoutSeconds in whole seconds, at least 1/,
        ),
        expect.stringMatching(/^probes\.startup\.success_threshold: must be 1/),
        expect.stringMatching(/^probes\.startup\.initial_delay: Kubernetes takes initialDelaySeconds in whole seconds/),
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it("accepts a readiness probe's success_threshold above 1 and whole seconds", () => {
    expect(paths({ probes: { readiness: { success_threshold: 3, period: '2s', timeout: '1s' } } })).toEqual([]);
  });

  it('refuses a fractional rollout percentage, accepts a whole one', () => {
    const rollout = (max_surge: string) => ({ timeline: [{ at: '10s', do: 'rollout', max_surge }] });
    expect(paths(rollout('12.5%'))).toEqual([expect.stringMatching(/^timeline\.0\.max_surge: /)]);
    expect(paths(rollout('25%'))).toEqual([]);
  });

  it('refuses fractional grace periods, maxUnavailable 0 with maxSurge 0, and maxUnavailable above 100% (review35 #4)', () => {
    const issues = paths({
      kubelet: { termination_grace_period: '2.5s' },
      probes: { liveness: { termination_grace_period: '1.5s' } },
      timeline: [
        { at: '10s', do: 'rollout', termination_grace_period: '30.5s', max_surge: 0, max_unavailable: '0%' },
        { at: '20s', do: 'rollout', max_unavailable: '150%' },
      ],
    });
    expect(issues).toEqual([
      expect.stringMatching(/^kubelet\.termination_grace_period: Kubernetes takes terminationGracePeriodSeconds/),
      expect.stringMatching(/^probes\.liveness\.termination_grace_period: Kubernetes takes/),
      expect.stringMatching(/^timeline\.0\.termination_grace_period: Kubernetes takes/),
      expect.stringMatching(/^timeline\.0\.max_unavailable: may not be 0 when max_surge is 0/),
      expect.stringMatching(/^timeline\.1\.max_unavailable: may not be more than 100%/),
    ]);
    expect(paths({ timeline: [{ at: '10s', do: 'rollout', max_surge: 0, max_unavailable: 1 }] })).toEqual([]);
  });

  it("refuses a rollout's terminationGracePeriodSeconds of 0 (immediate API deletion, not modelled), keeps the kubelet's", () => {
    // pkg/registry/core/pod/strategy.go CheckGracefulDelete → store.go: grace 0 deletes the pod at once.
    const rollout = (termination_grace_period: string) => ({
      timeline: [{ at: '10s', do: 'rollout', termination_grace_period }],
    });
    expect(paths(rollout('0s'))).toEqual([
      expect.stringMatching(/^timeline\.0\.termination_grace_period: expected at least 1s: .*CheckGracefulDelete/),
    ]);
    expect(paths(rollout('1s'))).toEqual([]);
    // The kubelet's own kills of the scenario's pods (a liveness failure) delete nothing through the API.
    expect(paths({ kubelet: { termination_grace_period: '0s' } })).toEqual([]);
  });
});
