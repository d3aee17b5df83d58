/**
 * After proxy_read_timeout nginx closes the upstream connection with the app's answer still to
 * come (upstream.ts readTimedOut): its close() sends FIN, and its orphaned socket waits in
 * FIN_WAIT2 (tcp_rcv_state_process → tcp_time_wait(sk, TCP_FIN_WAIT2, tcp_fin_timeout 60 s)) while
 * the app's sits in CLOSE_WAIT. nginx's port stays taken until the app writes its late answer
 * (RST: tcp_timewait_state_process TCP_TW_RST), or tcp_fin_timeout ends it first.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/** 10 requests in the first second to an app that answers each after `service`, proxy_read_timeout 1 s. */
function slowApp(service: string): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '80s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      http: { arrival_rate: 10, requests_per_connection: 'const(1)', think_time: 'const(500ms)', retries: 0 },
    },
    app: { workers: 1000, service_time: `const(${service})` },
    nginx: { proxy_read_timeout: '1s', upstream_keepalive: 0 },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}

describe("nginx's upstream port after proxy_read_timeout", () => {
  it('is held in FIN_WAIT2 until the app writes its late answer, then freed without TIME_WAIT', () => {
    const r = run(slowApp('10s'), 1);
    const timedOut = r.figures['responses_5xx.total']!;
    expect(timedOut).toBeGreaterThan(0);
    // Timed out at 1–2 s; the answers come at 10–11 s.
    expect(valueAt(r, 'upstream_ports_busy', 5)).toBe(timedOut);
    expect(valueAt(r, 'upstream_ports_busy', 12)).toBe(0);
    expect(r.figures['time_wait.max'] ?? 0).toBe(0);
  });

  it('is freed by tcp_fin_timeout (60 s, on the timer wheel) when the app answers later still', () => {
    const r = run(slowApp('75s'), 1);
    const timedOut = r.figures['responses_5xx.total']!;
    expect(valueAt(r, 'upstream_ports_busy', 60)).toBe(timedOut);
    expect(valueAt(r, 'upstream_ports_busy', 66)).toBe(0);
  });
});
