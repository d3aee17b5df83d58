/**
 * A Deployment's pod as `drainsim import` reads it (imp30): every probe field the scenario has
 * (initialDelaySeconds → initial_delay, default 0, SetDefaults_Probe in pkg/apis/core/v1/
 * defaults.go; a probe-level terminationGracePeriodSeconds), the startup probe (probes.startup,
 * modelled since session 2x, warned "not modelled" before), the pod's grace period and preStop for
 * the kubelet's own kills too (kubelet.*: a liveness kill runs the same preStop within the same
 * grace, kuberuntime_container.go killContainer → executePreStopHook), the preStop sleep as sleep
 * reads it (a unit, a decimal, the kubelet's own `sleep:` action), and the app as one container
 * (the default-container annotation, else the first): other containers' probes are warnings.
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importK8s, preStopSleep } from '../../sim/import/k8s-manifest.js';
import { valueAt as value } from './read-fixture.js';

const deployment = (podSpec: string, annotations = '') => {
  const into = new Imported();
  importK8s(
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    metadata:
${annotations || '      labels: { app: web }'}
    spec:
${podSpec}`,
    'd.yaml',
    into,
  );
  return into;
};

describe('Kubernetes pod: probes', () => {
  it('reads initialDelaySeconds, a probe-level grace period, and the startup probe', () => {
    const into = deployment(`      containers:
        - name: web
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            initialDelaySeconds: 20
          livenessProbe:
            tcpSocket: { port: 8080 }
            initialDelaySeconds: 60
            terminationGracePeriodSeconds: 10
          startupProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 2
            failureThreshold: 30
`);
    expect(value(into, 'probes.readiness')).toEqual({ type: 'http', initial_delay: '20s' });
    expect(value(into, 'probes.liveness')).toEqual({
      type: 'tcp',
      initial_delay: '60s',
      termination_grace_period: '10s',
    });
    expect(value(into, 'probes.startup')).toEqual({ type: 'http', period: '2s', failure_threshold: 30 });
    expect(into.warnings.join('\n')).not.toContain('startupProbe not modelled');
  });

  it('an exec probe is warned (imported as a connect), not silently a tcp probe', () => {
    const into = deployment(`      containers:
        - name: web
          readinessProbe:
            exec: { command: [cat, /tmp/ready] }
`);
    expect(into.warnings.join('\n')).toContain('readinessProbe exec: not modelled');
  });
});

describe('Kubernetes pod: grace period and preStop for every kill', () => {
  it("the pod's terminationGracePeriodSeconds and preStop sleep go to kubelet.* as well as the rollout", () => {
    const into = deployment(`      terminationGracePeriodSeconds: 60
      containers:
        - name: web
          lifecycle:
            preStop:
              exec: { command: [sh, -c, sleep 10] }
          livenessProbe:
            tcpSocket: { port: 8080 }
`);
    expect(value(into, 'kubelet.termination_grace_period')).toBe('60s');
    expect(value(into, 'kubelet.prestop_sleep')).toBe('10s');
    expect(value(into, 'timeline')).toEqual([
      { at: '1m', do: 'rollout', termination_grace_period: '60s', prestop_sleep: '10s' },
    ]);
  });

  it('reads sleep as sleep does: units, decimals, the kubelet sleep action; warns what else the hook does', () => {
    expect(preStopSleep({ exec: { command: ['sleep', '1m'] } })).toEqual({ seconds: 60, rest: null });
    expect(preStopSleep({ exec: { command: ['/bin/sh', '-c', 'sleep 0.5'] } })).toEqual({ seconds: 0.5, rest: null });
    expect(preStopSleep({ sleep: { seconds: 15 } })).toEqual({ seconds: 15, rest: null });
    const more = preStopSleep({ exec: { command: ['sh', '-c', 'sleep 5 && nginx -s quit'] } });
    expect(more.seconds).toBe(5);
    expect(more.rest).toContain('the rest not modelled');
    expect(preStopSleep({ httpGet: { path: '/drain', port: 8080 } }).seconds).toBeNull();
    const into = deployment(`      containers:
        - name: web
          lifecycle:
            preStop:
              sleep: { seconds: 15 }
`);
    expect(value(into, 'timeline')).toEqual([{ at: '1m', do: 'rollout', prestop_sleep: '15s' }]);
    expect(into.warnings.join('\n')).not.toContain('preStop');
  });
});

describe('Kubernetes pod: several containers', () => {
  const containers = `      containers:
        - name: web
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 5
        - name: envoy
          lifecycle:
            preStop:
              exec: { command: [sleep, '30'] }
          readinessProbe:
            httpGet: { path: /ready, port: 15021 }
            periodSeconds: 15
`;

  it("takes the first container's probes and preStop, not the sidecar's that comes last, and warns about the sidecar", () => {
    const into = deployment(containers);
    expect(value(into, 'probes.readiness')).toEqual({ type: 'http', period: '5s' });
    expect(value(into, 'timeline')).toEqual([{ at: '1m', do: 'rollout' }]);
    expect(into.warnings.join('\n')).toContain(
      'container envoy is not the app (container web: the kubectl.kubernetes.io/default-container annotation, else the first): its readinessProbe, lifecycle not imported',
    );
  });

  it('the kubectl.kubernetes.io/default-container annotation names the app', () => {
    // A third container last: the old reader took the last container's probes (logs', a tcp probe).
    const three = `${containers}        - name: logs\n          readinessProbe:\n            tcpSocket: { port: 24224 }\n`;
    const into = deployment(three, '      annotations:\n        kubectl.kubernetes.io/default-container: envoy');
    expect(value(into, 'probes.readiness')).toEqual({ type: 'http', period: '15s' });
    expect(value(into, 'timeline')).toEqual([{ at: '1m', do: 'rollout', prestop_sleep: '30s' }]);
  });
});
