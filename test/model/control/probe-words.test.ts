/**
 * Kubelet probe failures in the kubelet's words, as `kubectl describe pod` shows them (issue #13):
 * Go's error text from pkg/probe/http/http.go DoHTTPProbe and pkg/probe/tcp/tcp.go DoTCPProbe,
 * not HAProxy's check status words (those stay on the balancer's [hc] lines).
 */
import { describe, expect, it } from 'vitest';
import { kubeletProbeOutput, type ProbedVm } from '../../../sim/model/control/probe-words.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

function pods(probes: ScenarioInput['probes'], timeline: ScenarioInput['timeline']) {
  return run({
    warmup: '10s',
    horizon: '90s',
    clients: { requests: { rate: 100, timeout: '2m', retries: 0 } },
    app: { workers: 32, service_time: 'exp(mean=30ms)', startup_time: '5s' },
    lb: { mode: 'nat', retries: 0 },
    probes,
    backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
    timeline,
  });
}

describe('kubelet probe failure wording', () => {
  it('refused: Get "<url>": dial tcp <addr>: connect: connection refused', () => {
    const r = pods({ readiness: { type: 'http', period: '5s' } }, [{ at: '30s', do: 'nginx_stop', backend: 'pod-a' }]);
    const failed = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-a' && !x.ready);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].reason).toBe(
      'Get "https://10.0.1.10:443/health": dial tcp 10.0.1.10:443: connect: connection refused',
    );
    expect(failed[0].reason).not.toMatch(/Layer/);
  });

  it('a paused app, its accept queue full: the SYNs go unanswered, dial tcp <addr>: i/o timeout', () => {
    const r = pods({ liveness: { type: 'http', period: '5s' } }, [
      { at: '30s', do: 'pause', backend: 'pod-b', duration: '40s' },
    ]);
    const failed = recordsOf(r, 'k8s.liveness_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].reason).toBe(
      'Get "https://10.0.1.11:443/health": dial tcp 10.0.1.11:443: i/o timeout (Client.Timeout exceeded while awaiting headers)',
    );
  });

  it('connected, no answer in time: context deadline exceeded (Client.Timeout exceeded while awaiting headers)', () => {
    const r = pods({ readiness: { type: 'http', endpoint: 'deep', period: '5s' } }, [
      { at: '30s', do: 'dependency', backend: 'pod-b', state: 'slow' },
    ]);
    const failed = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-b' && !x.ready);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].reason).toBe(
      'Get "https://10.0.1.11:443/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    );
  });

  it('a 5xx: HTTP probe failed with statuscode: <code>', () => {
    const r = pods({ readiness: { type: 'http', endpoint: 'deep', period: '5s' } }, [
      { at: '30s', do: 'dependency', backend: 'pod-a', state: 'down' },
    ]);
    const failed = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-a' && !x.ready);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].reason).toMatch(/^HTTP probe failed with statuscode: 5\d\d$/);
  });

  it('tcpSocket: dial tcp <addr>: connect: connection refused / i/o timeout, no Get', () => {
    expect(kubeletProbeOutput('tcp', vm(0), 'Layer4 connection problem, info: "Connection refused"')).toBe(
      'dial tcp 10.0.1.10:443: connect: connection refused',
    );
    expect(kubeletProbeOutput('tcp', vm(2), 'Layer4 timeout')).toBe('dial tcp 10.0.1.12:443: i/o timeout');
    expect(kubeletProbeOutput('http', vm(2), 'Layer4 timeout')).toBe(
      'Get "https://10.0.1.12:443/health": dial tcp 10.0.1.12:443: i/o timeout (Client.Timeout exceeded while awaiting headers)',
    );
  });

  it("a bare pod (proxy: none) is probed on the app's own port 8080, https only where the app terminates TLS", () => {
    expect(kubeletProbeOutput('http', vm(1, true), 'Layer4 timeout')).toBe(
      'Get "http://10.0.1.11:8080/health": dial tcp 10.0.1.11:8080: i/o timeout (Client.Timeout exceeded while awaiting headers)',
    );
    expect(kubeletProbeOutput('tcp', vm(1, true, 'app'), 'Layer4 timeout')).toBe(
      'dial tcp 10.0.1.11:8080: i/o timeout',
    );
    expect(kubeletProbeOutput('http', vm(1, true, 'app'), 'Layer7 timeout')).toBe(
      'Get "https://10.0.1.11:8080/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    );
    // In a run: a killed bare pod's readiness probe is refused on its app port, not on nginx's 443.
    const r = run({
      warmup: '10s',
      horizon: '60s',
      clients: { requests: { rate: 50, timeout: '2m', retries: 0 } },
      app: { workers: 32, service_time: 'exp(mean=30ms)', keepalive_timeout: '6s' },
      lb: { mode: 'l7', retries: 0 },
      probes: { readiness: { type: 'http', period: '5s' } },
      backends: [
        { name: 'pod-a', proxy: 'none' },
        { name: 'pod-b', proxy: 'none' },
      ],
      timeline: [{ at: '30s', do: 'terminate', backend: 'pod-a', mode: 'kill' }],
    });
    const failed = recordsOf(r, 'k8s.readiness').filter((x) => x.pod === 'pod-a' && !x.ready);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].reason).toBe(
      'Get "http://10.0.1.10:8080/health": dial tcp 10.0.1.10:8080: connect: connection refused',
    );
  });
});

/** The pod the words are about: its index, whether nginx fronts it, where its TLS ends. */
function vm(index: number, bare = false, terminates = 'none'): ProbedVm {
  return { index, bare, app: { config: { tls: { terminates } } } };
}
