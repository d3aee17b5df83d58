/**
 * nginx's proxy_read_timeout on a plain request (upstream.ts RequestPath armReadTimeout /
 * readTimedOut): nginx arms the upstream read timer when the request is sent
 * (ngx_http_upstream_send_request) and, with no response header by then, answers 504
 * (ngx_http_upstream_next FT_TIMEOUT → NGX_HTTP_GATEWAY_TIME_OUT) and closes the upstream
 * connection; the app is not told and finishes the request (wasted work). Held-out recording:
 * calibration/data/nginx-holdout-read-timeout-rt.json (test/calibration/nginx-holdout.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

function slowApp(service: string, extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '6s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      http: {
        arrival_rate: 10,
        requests_per_connection: 'const(1000)',
        think_time: 'const(500ms)',
        retries: 0,
      },
    },
    app: { workers: 1000, service_time: `const(${service})` },
    nginx: { proxy_read_timeout: '1s' },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
    ...extra,
  } as ScenarioInput;
}

const timeouts = (r: RunResult) => r.events.filter((l) => l.record.kind === 'nginx.upstream_read_timeout');

describe('proxy_read_timeout on a plain request', () => {
  it('an app slower than proxy_read_timeout: 504 exactly proxy_read_timeout after the request, the app still works it', () => {
    // One request per client: every request is cut, and a client goes on after a 504
    // (clients.http.after_failure next_request), so the test follows each client's one request.
    const input = slowApp('1500ms');
    input.clients!.http!.requests_per_connection = 'const(1)';
    const r = run(input, 1);
    const conns = r.figures['new_conn.total']!;
    expect(conns).toBeGreaterThan(0);
    // Each connection's one request (retries 0).
    expect(r.figures['responses_5xx.total']).toBe(conns);
    expect(r.figures['responses_2xx.total'] ?? 0).toBe(0);
    expect(r.figures['wasted.total']).toBe(conns); // the app finished each, its answer met RST
    const first = timeouts(r)[0];
    expect(first.text).toContain('upstream timed out (110: Connection timed out) while reading response header');
    // Arrivals in 0–1 s, each answered at its request + 1 s (+ a half round trip).
    for (const l of timeouts(r)) {
      expect(l.t).toBeGreaterThanOrEqual(1);
      expect(l.t).toBeLessThanOrEqual(2 + 1e-3);
    }
  });

  it('an app faster than proxy_read_timeout is never cut', () => {
    const r = run(slowApp('500ms'), 1);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
    expect(timeouts(r)).toHaveLength(0);
    expect(r.figures['responses_2xx.total']!).toBeGreaterThan(r.figures['new_conn.total']!);
  });

  it('the wait in the app queue counts: a request queued behind a busy worker times out while queued', () => {
    // One worker, 800-ms requests: the second request of a pair waits 0.8 s and then needs 0.8 s.
    const input = slowApp('800ms', {
      app: { workers: 1, service_time: 'const(800ms)' },
      clients: {
        rtt: '0.1ms',
        http: {
          arrival_rate: 0,
          requests_per_connection: 'const(1)',
          think_time: 'const(1s)',
          retries: 0,
        },
      },
      timeline: [
        { at: '0s', do: 'load', http_rate: 1000 },
        { at: '0.002s', do: 'load', http_rate: 0 },
      ],
    } as Partial<ScenarioInput>);
    const r = run(input, 1);
    const outs = timeouts(r);
    expect(outs.length).toBeGreaterThan(0);
    expect(outs.some((l) => l.record.kind === 'nginx.upstream_read_timeout' && l.record.queued)).toBe(true);
    expect(r.figures['responses_2xx.total']!).toBeGreaterThanOrEqual(1);
  });

  it('the default proxy_read_timeout (60 s) leaves a 1.5-s request alone', () => {
    const input = slowApp('1500ms');
    (input.nginx as Record<string, unknown>).proxy_read_timeout = undefined;
    const r = run(input, 1);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
    expect(r.figures['responses_2xx.total']!).toBeGreaterThan(0);
  });
});
