/**
 * clients.http.after_failure next_request (http-keepalive.ts nextAfterGivingUp): what a failed
 * request still counts for, where the count decides the figure (mut29's mutation audit).
 * - A 5xx answered on a kept-alive connection counts towards nginx's keepalive_requests as any
 *   request does (ngx_http_set_keepalive / ngx_http_update_location_config:
 *   `r->connection->requests >= clcf->keepalive_requests` → r->keepalive = 0, whatever the
 *   status): nginx closes the connection after the N-th request, failed or not.
 * - A failed request is one of the client's requests_per_connection: one that fails for good on
 *   the last of them ends the client (Node's Agent: the calling program has nothing more to send).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, pacedConnects, run } from '../helpers.js';

/**
 * 5 clients/s paced, 40 requests 100 ms apart each, retries 0, nginx keepalive_requests 5; the
 * app's database down from 10 s to 20 s (every request answered 500 within 5 ms, forwarded by
 * nginx on the kept-alive connection).
 */
function counted(failing: boolean): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 5,
        arrivals: 'paced',
        requests_per_connection: 'const(40)',
        think_time: 'const(100ms)',
        retries: 0,
      },
    },
    app: { workers: 64, service_time: 'const(5ms)' },
    nginx: { keepalive_requests: 5 },
    lb: { mode: 'l4' },
    backends: [{ name: 'vm-a' }],
    timeline: failing ? [{ at: '10s', do: 'dependency', backend: 'vm-a', state: 'down' }] : [],
  } as ScenarioInput;
}

describe('after_failure next_request: a 5xx on a kept-alive connection counts towards nginx keepalive_requests', () => {
  let ok: RunResult;
  let failing: RunResult;
  beforeAll(() => {
    ok = run(counted(false));
    failing = run(counted(true));
  });

  it('keepalive_requests 5: nginx closes after every 5th request, 500s included — the reconnect rate is the same as with 200s', () => {
    expect(between(failing, 'requests_failed', 12, 20)).toBeGreaterThan(500);
    // ~21 clients (40 requests ~105 ms apart: ~4.2 s each) sending ~200 requests/s: a new
    // connection every 5 requests, ~40/s.
    const reconnects = between(ok, 'new_conn', 12, 20);
    expect(reconnects).toBeGreaterThan(250);
    expect(Math.abs(between(failing, 'new_conn', 12, 20) / reconnects - 1)).toBeLessThan(0.05);
  });
});

/**
 * 10 clients/s paced, one request per connection, retries 0, request_timeout 1 s; the app paused
 * from 5 s to 8 s: the requests written then time out, each on its client's only request.
 */
describe('after_failure next_request: a request that fails for good on the last of requests_per_connection ends the client', () => {
  it('one request per connection: each client sends exactly one, timed out or answered', () => {
    const r = run(
      {
        warmup: '0s',
        horizon: '12s',
        clients: pacedConnects(10, { request_timeout: '1s' }),
        app: { workers: 64, service_time: 'const(5ms)' },
        lb: { mode: 'l4' },
        backends: [{ name: 'vm-a' }],
        timeline: [{ at: '5s', do: 'pause', backend: 'vm-a', duration: '3s' }],
      } as ScenarioInput,
      1,
    );
    expect(r.figures['err_client_timeout.total']).toBeGreaterThan(15);
    // One connection and one request per arrival (10/s for 12 s): no second request after a timeout.
    expect(r.figures['new_conn.total']).toBeLessThanOrEqual(121);
    expect(r.figures['requests.total']).toBeLessThanOrEqual(121);
  });
});
