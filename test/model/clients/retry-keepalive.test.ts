import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * A retry after a 5xx nginx answered on a kept-alive connection is the connection's next request
 * (clients/http-keepalive.ts retryOrGiveUp → afterAnswer): nginx counts every request it reads
 * towards keepalive_requests whatever it answers (c->requests++ in ngx_http_create_request,
 * src/http/ngx_http_request.c; the check `r->connection->requests >= clcf->keepalive_requests` in
 * ngx_http_update_location_config, src/http/ngx_http_core_module.c), and closes a connection idle
 * past keepalive_timeout whatever its last status.
 *
 * Keep-alive clients (10 new/s, 40 requests 250 ms apart) retry twice (retries 2, a fixed 20-ms
 * backoff); nginx keepalive_requests 3. From 15 s to 17 s the app's database is down and every
 * request is answered 500 within 5 ms: each client's request then takes three attempts, all
 * failing, then the next request (after_failure next_request).
 */
function burst(nginx: Record<string, unknown>, backoff: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '25s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 10,
        arrivals: 'paced',
        requests_per_connection: 'const(40)',
        think_time: 'const(250ms)',
        retries: 2,
        retry_backoff: { policy: 'exponential', base: backoff, cap: backoff },
      },
    },
    app: { workers: 16, service_time: 'const(5ms)' },
    nginx,
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '15s', do: 'dependency', backend: 'vm-a', state: 'down' },
      { at: '17s', do: 'dependency', backend: 'vm-a', state: 'up' },
    ],
  } as ScenarioInput;
}

describe('a retry after a kept-alive 5xx counts towards nginx keepalive_requests (3), retries 2', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(burst({ keepalive_requests: 3 }, '20ms'));
  });

  it('every attempt in the burst fails and is retried twice', () => {
    expect(between(r, 'requests_failed', 15, 17)).toBeGreaterThan(100);
    // Two retries per failed request: the burst's attempts are about three times its failures.
    expect(fig(r, 'retries.total')).toBeGreaterThan(1.9 * fig(r, 'requests_failed.total'));
  });

  it('nginx closes the connection after its third request, failed or not: ~3 attempts per new connection in the burst as before it', () => {
    const before = between(r, 'requests', 10, 15) / between(r, 'new_conn', 10, 15);
    const during = between(r, 'requests', 15.5, 16.5) / between(r, 'new_conn', 15.5, 16.5);
    expect(before).toBeGreaterThan(2.5);
    expect(before).toBeLessThan(3.2);
    // Before the fix the retries went out on the same connection uncounted: ~9 attempts (3 counted
    // requests × 3 attempts) per connection.
    expect(during).toBeGreaterThan(2.5);
    expect(during).toBeLessThan(3.6);
  });
});

describe('keepalive_requests 2: the failed request counts before the client decides where its retry goes', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(burst({ keepalive_requests: 2 }, '20ms'));
  });

  it('two attempts per new connection in the burst, as before it', () => {
    // The answer to the 2nd request says `Connection: close` (c->requests >= keepalive_requests in
    // ngx_http_update_location_config), so the retry after it opens a new connection: 2.0 attempts
    // per connection. Counted only after the client looked at the connection, a retry would go on
    // it once more: 3.0 (the keepalive_requests 3 regime above only moves 3.0 → 3.6, inside its bounds).
    const before = between(r, 'requests', 10, 15) / between(r, 'new_conn', 10, 15);
    const during = between(r, 'requests', 15.5, 16.5) / between(r, 'new_conn', 15.5, 16.5);
    expect(before).toBeGreaterThan(1.9);
    expect(before).toBeLessThan(2.1);
    expect(during).toBeGreaterThan(1.9);
    expect(during).toBeLessThan(2.1);
  });
});

describe('a retry whose backoff outlasts nginx keepalive_timeout goes on a new connection', () => {
  let r: RunResult;
  beforeAll(() => {
    // keepalive_timeout 100 ms, below the 250-ms think (every think ends in nginx's idle close) and
    // the 150-ms backoff: each retry finds the connection closed by nginx.
    r = run(burst({ keepalive_timeout: '100ms' }, '150ms'));
  });

  it('each retry opens a new connection (nginx closed the idle one: its FIN, not a request on a closed socket)', () => {
    const retries = between(r, 'retries', 15.5, 16.5);
    expect(retries).toBeGreaterThan(100);
    // Every request and retry is on a new connection here: the think (250 ms) and the backoff
    // (150 ms) both outlast keepalive_timeout.
    expect(between(r, 'new_conn', 15.5, 16.5)).toBeGreaterThan(0.95 * between(r, 'requests', 15.5, 16.5));
    expect(fig(r, 'err_econnreset.total')).toBe(0);
  });
});

describe('a retry within keepalive_timeout goes on the same connection, after the backoff, not the think time', () => {
  let r: RunResult;
  beforeAll(() => {
    // keepalive_timeout 100 ms: the 250-ms think outlasts it (every request on a new connection
    // before the burst), the 20-ms backoff does not — each retry is sent 20 ms after the 500 on
    // the connection nginx still keeps (afterAnswer with the backoff as the wait).
    r = run(burst({ keepalive_timeout: '100ms' }, '20ms'));
  });

  it('three attempts per new connection in the burst, one per connection before it', () => {
    const before = between(r, 'requests', 10, 15) / between(r, 'new_conn', 10, 15);
    expect(before).toBeLessThan(1.05);
    expect(between(r, 'retries', 15.5, 16.5)).toBeGreaterThan(100);
    // Waiting the think time instead (250 ms > keepalive_timeout), each retry would find the
    // connection closed: one attempt per connection.
    const during = between(r, 'requests', 15.5, 16.5) / between(r, 'new_conn', 15.5, 16.5);
    expect(during).toBeGreaterThan(2.5);
    expect(during).toBeLessThan(3.5);
  });
});
