/**
 * TLS ending in the app behind the VM's nginx (app.tls.terminates: app, `proxy_pass https://`):
 * the app's TLS is nginx's upstream connection, so a handshake is due per upstream connection
 * nginx opens, before the request on it is sent (nginx 1.22.1 ngx_http_upstream_ssl_init_connection),
 * none on a connection from the upstream keepalive cache, and a resumed one when nginx offers the
 * session it saved from its previous upstream connection (proxy_ssl_session_reuse, default on:
 * ngx_http_upstream_save_round_robin_peer_session, one per worker process). app/tls.ts
 * TlsHandshakes.upstream, proxy/upstream.ts handshakeFirst. Before, the app was charged one full
 * handshake per client connection at its SYN, beside the request instead of before it.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { NginxUpstreamTlsFull } from '../../../sim/trace/records.js';
import { mean, run, window } from '../helpers.js';

/**
 * 300 requests/s on one VM (30 client connections/s, 10 requests each), 2 app workers, 3 ms a
 * request (0.9 of the 2 workers busy in plaintext), nginx with 2 workers.
 */
function vm(tls: Record<string, unknown>, upstreamKeepalive: number, rate = 30, service = 'const(3ms)'): RunResult {
  return run({
    warmup: '0s',
    horizon: '30s',
    clients: { http: { arrival_rate: rate, requests_per_connection: 'const(10)', think_time: 'const(10ms)' } },
    app: { workers: 2, service_time: service, tls },
    // Upstream TLS 1.3 as the clients' (app.tls.protocol): resumed_handshake_cpu applies (README's figures).
    nginx: { upstream_keepalive: upstreamKeepalive, worker_processes: 2, proxy_ssl_protocol: '1.3' },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput);
}

const queue = (r: RunResult) => mean(window(r, 'app_queue', 5, 30, 'vm-a'));
const busy = (r: RunResult) => mean(window(r, 'app_busy', 5, 30, 'vm-a'));
const p50 = (r: RunResult) => r.figures['request_latency.p50'] ?? Number.NaN;
const p99 = (r: RunResult) => r.figures['request_latency.p99'] ?? Number.NaN;

/** A full handshake with an RSA-4096 certificate as measured on nginx 1.22.1 (schema: 4.35 ms), resumed 0.45 ms. */
const RSA4096 = { terminates: 'app', handshake_cpu: '4.35ms', resumed_handshake_cpu: '0.45ms' };

describe("nginx's upstream TLS handshakes to an app that ends TLS", () => {
  it('without upstream keepalive and without tickets, a full handshake per request saturates the app (before: one per client connection, 0.13 workers)', () => {
    const plain = vm({}, 0);
    const r = vm({ ...RSA4096, session_tickets: false }, 0);
    // 300/s × (3 + 4.35) ms = 2.2 workers of 2: the queue grows and the latency with it.
    expect(busy(r)).toBeGreaterThan(1.9);
    expect(queue(r)).toBeGreaterThan(10);
    expect(p99(r)).toBeGreaterThan(p99(plain) + 0.1);
    expect(r.figures['upstream_connects.total']).toBeGreaterThan(8000);
  });

  it('with upstream keepalive 32 the cached connections cost nothing: latency and queue as in plaintext', () => {
    const plain = vm({}, 32);
    const r = vm({ ...RSA4096, session_tickets: false }, 32);
    expect(r.figures['upstream_connects.total']).toBeLessThan(30);
    expect(queue(r)).toBeLessThan(queue(plain) + 0.1);
    expect(p50(r)).toBeCloseTo(p50(plain), 4);
    expect(p99(r)).toBeCloseTo(p99(plain), 3);
  });

  it("resumes the session nginx saved (proxy_ssl_session_reuse): 300 resumed handshakes/s at 0.45 ms keep the app's queue short", () => {
    const plain = vm({}, 0);
    const r = vm(RSA4096, 0);
    expect(busy(r)).toBeLessThan(1.5);
    expect(queue(r)).toBeLessThan(1);
    expect(p99(r)).toBeLessThan(p99(plain) + 0.005);
  });

  it("only each nginx worker's first upstream connection is a full handshake: one 100-ms handshake per worker", () => {
    const r = vm({ terminates: 'app', handshake_cpu: '100ms', resumed_handshake_cpu: '0s' }, 0);
    // The slowest request waited behind a full handshake; 99 % did not (2 of ~9,000 requests).
    expect(r.figures['request_latency.max']).toBeGreaterThan(0.1);
    expect(p99(r)).toBeLessThan(0.1);
  });

  it("a new upstream connection's request waits for its handshake, nginx's Finished and the app's (2 × upstream_rtt, TLS 1.2: nginx.proxy_ssl_protocol): +50.2 ms", () => {
    // One client connection a second, one request each, on an idle app: nothing else queues.
    const one = (tls: Record<string, unknown>) =>
      run({
        warmup: '0s',
        horizon: '20s',
        clients: { http: { arrival_rate: 1, requests_per_connection: 'const(1)', think_time: 'const(10ms)' } },
        app: { workers: 2, service_time: 'const(1ms)', tls },
        backends: [{ name: 'vm-a' }],
      } as ScenarioInput);
    const plain = one({});
    const r = one({ terminates: 'app', handshake_cpu: '50ms', session_tickets: false });
    // Before, the handshake ran on the other worker beside the request: no wait.
    expect(p50(r) - p50(plain)).toBeCloseTo(0.0502, 4);
  });

  describe('which handshakes are full (nginx.upstream_tls_full)', () => {
    const fulls = (r: RunResult) =>
      r.events.filter((l) => l.record.kind === 'nginx.upstream_tls_full').map((l) => l.record as NginxUpstreamTlsFull);
    /** 20 requests/s, each on a new upstream connection, nginx with 2 workers; `timeline` on vm-a. */
    const slow = (timeline: unknown[], tls: Record<string, unknown> = {}, rate = 2) =>
      run({
        warmup: '0s',
        horizon: '30s',
        clients: { http: { arrival_rate: rate, requests_per_connection: 'const(10)', think_time: 'const(100ms)' } },
        app: { workers: 2, service_time: 'const(1ms)', tls: { terminates: 'app', ...tls } },
        nginx: { worker_processes: 2 },
        backends: [{ name: 'vm-a' }],
        timeline,
      } as ScenarioInput);

    it('one per nginx worker, its first; none after while the app runs', () => {
      const r = slow([]);
      expect(fulls(r).map((f) => [f.worker, f.why])).toEqual([
        [0, 'first'],
        [1, 'first'],
      ]);
    });

    it("a reload's new workers start with no session: one more per worker (a new cycle's peers)", () => {
      const r = slow([{ at: '10s', do: 'nginx_reload', backend: 'vm-a' }]);
      const after = fulls(r).filter((f) => f.t > 10);
      expect(after.map((f) => f.why)).toEqual(['first', 'first']);
    });

    it("an app restarted since cannot resume: its new process's ticket keys are new", () => {
      // A pod whose app crashes 8 s after each start; the kubelet restarts the container (nginx stays).
      const r = run({
        warmup: '0s',
        horizon: '40s',
        clients: { http: { arrival_rate: 2, requests_per_connection: 'const(10)', think_time: 'const(100ms)' } },
        app: { workers: 2, service_time: 'const(1ms)', crash_after: '8s', tls: { terminates: 'app' } },
        nginx: { worker_processes: 2 },
        probes: { readiness: { period: '1s' } },
        backends: [{ name: 'pod-a' }],
      } as ScenarioInput);
      expect(r.figures['restarts.total']).toBeGreaterThan(0);
      expect(fulls(r).map((f) => f.why)).toContain('app_restarted');
    });

    it("a session older than the app's session_timeout is not resumed", () => {
      // One client connection every 5 s (one request every ~0.1 s while it lasts), session_timeout 500 ms.
      const r = slow([], { session_timeout: '500ms' }, 0.2);
      expect(fulls(r).some((f) => f.why === 'expired')).toBe(true);
    });
  });

  it('an app killed during the handshake: nginx answers 502 at once (the request does not wait for its timeout)', () => {
    // One request per client connection a second, each a 900-ms full handshake: one is always in progress.
    const r = run({
      warmup: '0s',
      horizon: '20s',
      clients: {
        http: {
          arrival_rate: 1,
          requests_per_connection: 'const(1)',
          think_time: 'const(10ms)',
          request_timeout: '5s',
        },
      },
      app: {
        workers: 4,
        service_time: 'const(1ms)',
        tls: { terminates: 'app', handshake_cpu: '900ms', session_tickets: false },
      },
      backends: [{ name: 'vm-a' }],
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
    } as ScenarioInput);
    // The handshake in progress (begun at 9.67 s) is the app's to end: nginx reads its close at the kill.
    const atKill = r.events.filter((l) => l.t === 10 && l.record.kind === 'nginx.upstream_closed');
    expect(atKill.length).toBe(1);
    expect(r.figures['responses_5xx.total']).toBeGreaterThan(0);
  });
});
