/** A stop-the-world pause is the process's: a killed and restarted container is not paused. */
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

describe('a pause belongs to its process', () => {
  it('ends when the process dies: a liveness-killed container restarted within the pause serves at once', () => {
    // pod-a stops the world for 60 s at 30 s; its liveness probe kills it (SIGKILL 5 s after the
    // kill: it cannot finish), and it is restarted (5 s to listen) well inside the 60 s.
    const r = run({
      warmup: '10s',
      horizon: '3m',
      clients: { requests: { rate: 200, timeout: '2m', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
      lb: { mode: 'nat', retries: 0 },
      kubelet: { termination_grace_period: '5s' },
      probes: { liveness: { type: 'http', period: '5s' } },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [{ at: '30s', do: 'pause', backend: 'pod-a', duration: '60s' }],
    });
    const failed = recordsOf(r, 'k8s.liveness_failed').filter((f) => f.pod === 'pod-a');
    const restarted = recordsOf(r, 'k8s.container_restarted').filter((f) => f.pod === 'pod-a');
    expect(restarted.length).toBeGreaterThan(0);
    expect(restarted[0].t).toBeLessThan(90);
    // The new process is not paused: its liveness probe does not fail again.
    expect(failed).toHaveLength(1);
  });
});
