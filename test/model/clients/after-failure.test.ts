import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * Keep-alive clients that do not retry (retries 0): 10 new connections/s of 40 requests 250 ms
 * apart, ~100 clients and ~370 requests/s in steady state after ~11 s. From 15 s to 17 s the app's
 * database is down and every request is answered 500 within 5 ms (app.dependency_fail_time) — a
 * 5xx nginx forwards on the kept-alive connection (ngx_http_special_response_handler ends
 * keep-alive only for nginx's own 400/413/414/500/501/49x). Every client that sends in those two
 * seconds (all of them: think 250 ms) has a request fail for good.
 */
function burst(afterFailure: 'next_request' | 'leave', lb: 'l4' | 'l7' = 'l4'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 10,
        arrivals: 'paced',
        requests_per_connection: 'const(40)',
        think_time: 'const(250ms)',
        retries: 0,
        after_failure: afterFailure,
      },
    },
    app: { workers: 16, service_time: 'const(5ms)' },
    lb: { mode: lb },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '15s', do: 'dependency', backend: 'vm-a', state: 'down' },
      { at: '17s', do: 'dependency', backend: 'vm-a', state: 'up' },
    ],
  } as ScenarioInput;
}

describe('clients.http.after_failure: a request that fails for good (retries 0), a burst of 5xx on kept-alive connections', () => {
  let next: RunResult;
  let leave: RunResult;
  beforeAll(() => {
    next = run(burst('next_request'));
    leave = run(burst('leave'));
  });

  it('the burst fails every request of its two seconds in both runs', () => {
    for (const r of [next, leave]) {
      // (A request or two written just before 15 s, or answered at 17 s, is a 200.)
      expect(between(r, 'requests_failed', 15, 17)).toBeGreaterThan(100);
      expect(between(r, 'responses_2xx', 15, 17)).toBeLessThanOrEqual(3);
      expect(fig(r, 'retries.total')).toBe(0);
    }
  });

  it('next_request (the default): the offered rate after the burst stays at its level before it (±5 %)', () => {
    const before = between(next, 'requests', 10, 15) / 5;
    const after = between(next, 'requests', 17, 22) / 5;
    expect(before).toBeGreaterThan(300);
    expect(Math.abs(after / before - 1)).toBeLessThan(0.05);
    // The failed requests were counted as requests the client sent: the rate through the burst holds too.
    expect(Math.abs(between(next, 'requests', 15, 17) / 2 / before - 1)).toBeLessThan(0.05);
    // Each client's remaining requests are still sent (40 per client), so answers come back after the burst.
    expect(between(next, 'responses_2xx', 17, 22) / 5).toBeGreaterThan(0.95 * before);
  });

  it('next_request: the 5xx answers leave the connections open, the next request goes on the same one', () => {
    // New connections come only from arrivals (10/s), not from clients reconnecting after the 5xx.
    expect(between(next, 'new_conn', 15, 20)).toBeLessThanOrEqual(51);
    expect(between(next, 'closed_fin', 15, 18)).toBeLessThanOrEqual(between(next, 'closed_fin', 10, 13) + 1);
  });

  it('leave: every client that met a failure is gone, and the offered rate falls with them', () => {
    const before = between(leave, 'requests', 10, 15) / 5;
    const after = between(leave, 'requests', 17, 22) / 5;
    expect(before).toBeGreaterThan(300);
    // Only the clients arrived since 17 s are left: at most ~4 requests/s each of them.
    expect(after).toBeLessThan(0.5 * before);
  });
});

/**
 * The same clients (retries 0, request_timeout 1 s) in front of an app that hangs from 15 s to 17 s
 * (a stop-the-world pause): each request written in it times out after 1 s and the client closes
 * its connection (FIN), so its next request needs a new connection.
 */
function hung(afterFailure: 'next_request' | 'leave'): ScenarioInput {
  const input = burst(afterFailure);
  const http = (input.clients as { http: Record<string, unknown> }).http;
  http.request_timeout = '1s';
  input.timeline = [{ at: '15s', do: 'pause', backend: 'vm-a', duration: '2s' }];
  return input;
}

describe('clients.http.after_failure: a request timeout that ends the connection (retries 0)', () => {
  let next: RunResult;
  let leave: RunResult;
  beforeAll(() => {
    next = run(hung('next_request'));
    leave = run(hung('leave'));
  });

  it('next_request: each client goes on with its next request on a new connection; the offered rate does not fall', () => {
    expect(fig(next, 'err_client_timeout.total')).toBeGreaterThan(50);
    const timedOut = fig(next, 'err_client_timeout.total');
    // One new connection per timed-out client (besides the 10/s arrivals), opened for its next request.
    const arrivals = between(next, 'new_conn', 0, 14);
    expect(fig(next, 'new_conn.total') - arrivals).toBeGreaterThanOrEqual(16 * 10 - 10 + timedOut - 1);
    const before = between(next, 'requests', 10, 15) / 5;
    const after = between(next, 'requests', 19, 24) / 5;
    expect(before).toBeGreaterThan(300);
    // Not below it; above it by up to ~15 %: each client arrived before the pause lost ~1.25 s of
    // its 40 requests to it (timeout + think) and is still sending when it would have been done.
    expect(after).toBeGreaterThan(0.95 * before);
    expect(after).toBeLessThan(1.2 * before);
  });

  it('leave: the clients that timed out are gone; the offered rate falls', () => {
    expect(fig(leave, 'err_client_timeout.total')).toBe(fig(next, 'err_client_timeout.total'));
    const before = between(leave, 'requests', 10, 15) / 5;
    expect(between(leave, 'requests', 19, 24) / 5).toBeLessThan(0.6 * before);
  });
});

describe('clients.http.after_failure next_request behind an L7 balancer', () => {
  let next: RunResult;
  beforeAll(() => {
    next = run(burst('next_request', 'l7'));
  });

  it("the app's 5xx is forwarded on the client's kept-alive connection (HAProxy's own replies close it): the offered rate holds (±5 %)", () => {
    expect(between(next, 'requests_failed', 15, 17)).toBeGreaterThan(100);
    const before = between(next, 'requests', 10, 15) / 5;
    const after = between(next, 'requests', 17, 22) / 5;
    expect(before).toBeGreaterThan(300);
    expect(Math.abs(after / before - 1)).toBeLessThan(0.05);
    expect(between(next, 'new_conn', 15, 20)).toBeLessThanOrEqual(51);
  });
});
