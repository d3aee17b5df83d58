/**
 * HTTPS health checks of a bare app that ends TLS itself (`proxy: none`, app.tls.terminates: app):
 * each check is a new connection whose TLS handshake the app computes before the check's request
 * (app/tls.ts CheckTlsHandshakes). HAProxy's check-ssl resumes the session the previous check
 * saved (src/ssl_sock.c: the server's reused_sess, filled by ssl_sess_new_srv_cb, offered by
 * ssl_sock_init; a check's connection targets the server, src/tcpcheck.c); the kubelet's Go client
 * keeps no session (pkg/probe/http/http.go: no ClientSessionCache): every probe is a full handshake.
 * Before, a check's handshake cost the app nothing.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/**
 * A node app (one event loop) serving 50 open-loop requests/s of 1 ms, checked every second;
 * a full handshake costs `full` of the loop (a slow certificate, exaggerated to see it), a resumed
 * one 1 ms.
 */
function checked(checks: Record<string, unknown>, tls: Record<string, unknown>, full = '300ms'): RunResult {
  return run({
    warmup: '0s',
    horizon: '60s',
    clients: { requests: { rate: 50, timeout: '10s', retries: 0 } },
    app: {
      workers: 1,
      service_time: 'const(1ms)',
      keepalive_timeout: '5s',
      tls: { terminates: 'app', handshake_cpu: full, resumed_handshake_cpu: '1ms', ...tls },
    },
    ...checks,
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput);
}

const haproxy = { lb: { mode: 'l4' }, health_check: { type: 'http', inter: '1s', timeout: '900ms' } };
const kubelet = { probes: { readiness: { type: 'http', period: '1s', timeout: '1s' } } };
const p99 = (r: RunResult) => r.figures['open_loop_latency.p99'] ?? Number.NaN;
const plaintext = (checks: Record<string, unknown>) =>
  run({
    warmup: '0s',
    horizon: '60s',
    clients: { requests: { rate: 50, timeout: '10s', retries: 0 } },
    app: { workers: 1, service_time: 'const(1ms)', keepalive_timeout: '5s' },
    ...checks,
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput);

describe('the TLS handshake of an HTTPS health check to a bare app', () => {
  it("HAProxy check-ssl resumes after the first check: the app's requests see no 300-ms handshakes", () => {
    const r = checked(haproxy, {});
    expect(p99(r)).toBeLessThan(p99(plaintext(haproxy)) + 0.01);
    expect(r.figures['removals.total'] ?? 0).toBe(0);
  });

  it('HAProxy check-ssl against an app that issues no tickets: a full handshake per check blocks the loop 300 ms a second', () => {
    const r = checked(haproxy, { session_tickets: false });
    // ~30 % of requests arrive while the loop computes a check's handshake (before: no cost at all).
    expect(p99(r)).toBeGreaterThan(0.2);
  });

  it("the kubelet's HTTPS probes never resume (no ClientSessionCache): a full handshake per probe", () => {
    const r = checked(kubelet, {});
    expect(p99(r)).toBeGreaterThan(0.2);
    // The plaintext requests: 1 ms of service and their client's two round trips (clients.rtt 30 ms).
    expect(p99(plaintext(kubelet))).toBeLessThan(2 * 0.03 + 0.05);
  });

  it('a check whose handshake outlasts its timeout fails (L7 timeout) and saves no session', () => {
    const r = checked(haproxy, {}, '1.5s');
    expect(r.figures['removals.total']).toBeGreaterThan(0);
  });
});
