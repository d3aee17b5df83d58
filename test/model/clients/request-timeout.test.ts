import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * Keep-alive clients in front of one backend whose app hangs (a stop-the-world pause) from 10 s
 * to 40 s: the host is up, nginx accepts, nothing answers. No health checks, so nothing else
 * intervenes: only the client's own request timeout can end a request.
 */
function hung(mode: 'l4' | 'l7', requestTimeout = '3s', retries = 2): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 2,
        requests_per_connection: 'const(50)',
        think_time: 'const(500ms)',
        retries,
        retry_backoff: { policy: 'immediate' },
        request_timeout: requestTimeout,
      },
    },
    app: { workers: 8, service_time: 'const(10ms)' },
    lb: { mode },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '10s', do: 'pause', backend: 'vm-a', duration: '30s' }],
  } as ScenarioInput;
}

describe('clients.http.request_timeout applies to every unanswered request', () => {
  let l4: RunResult;
  beforeAll(() => {
    l4 = run(hung('l4'));
  });

  it('a hung app: the requests time out request_timeout after their write, not when the pause ends', () => {
    // Nothing times out before 10 s − rtt/2 + 3 s (a request written up to 0.5 ms before the pause
    // reaches the app in it: it times out in the sample of 13 s); those written at the pause time
    // out in (13, 14].
    expect(between(l4, 'err_client_timeout', 0, 12)).toBe(0);
    expect(between(l4, 'err_client_timeout', 12, 13)).toBeLessThanOrEqual(1);
    expect(between(l4, 'err_client_timeout', 13, 14)).toBeGreaterThan(0);
    // The clients keep sending (retries, then new requests), each waits 3 s: timeouts all through
    // the pause, none after it (the app answers again at 40 s).
    expect(between(l4, 'err_client_timeout', 20, 40)).toBeGreaterThan(10);
    expect(between(l4, 'err_client_timeout', 44, 60)).toBe(0);
    // No attempt waited longer than the client's timeout (before, they waited out the 30-s pause): a
    // request's latency counts from its first write through its immediate retries (session 32), so
    // at most its three attempts of 3 s each.
    expect(l4.histograms.request_latency.max).toBeLessThanOrEqual(9.01);
  });

  it('is retried per `retries`, then fails; each timeout closes the connection with a FIN (nginx logs 499)', () => {
    const timeouts = fig(l4, 'err_client_timeout.total');
    expect(timeouts).toBeGreaterThan(20);
    // Every failed request was tried 1 + retries times; every timeout is a retry or a give-up.
    expect(fig(l4, 'retries.total') + fig(l4, 'requests_failed.total')).toBe(timeouts);
    expect(fig(l4, 'requests_failed.total')).toBeGreaterThan(0);
    const closed = recordsOf(l4, 'nginx.client_closed_request');
    expect(closed.length).toBeGreaterThan(0);
    expect(closed[0].t).toBeCloseTo(13, 0);
    expect(closed.every((c) => c.requestTimeout === 3)).toBe(true);
    // The client closed first: FIN, not RST, and no RST anywhere.
    expect(fig(l4, 'closed_fin.total')).toBeGreaterThanOrEqual(timeouts);
    expect(fig(l4, 'reset_out.total')).toBe(0);
    expect(fig(l4, 'err_econnreset.total')).toBe(0);
  });

  it('the app keeps the abandoned work: served after the pause, its answers go nowhere (wasted)', () => {
    expect(between(l4, 'wasted', 0, 40)).toBe(0);
    // Each timed-out request the app held is still served once it resumes.
    expect(fig(l4, 'wasted.total')).toBeGreaterThan(20);
    expect(between(l4, 'wasted', 40, 42)).toBe(fig(l4, 'err_client_timeout.total'));
  });

  it('behind an L7 balancer the timeout is the same, and the balancer answers nothing (client gone)', () => {
    const l7 = run(hung('l7'));
    expect(between(l7, 'err_client_timeout', 0, 12)).toBe(0);
    expect(between(l7, 'err_client_timeout', 12, 13)).toBeLessThanOrEqual(1);
    expect(between(l7, 'err_client_timeout', 13, 14)).toBeGreaterThan(0);
    expect(fig(l7, 'responses_5xx.total')).toBe(0);
    expect(recordsOf(l7, 'nginx.client_closed_request')).toHaveLength(0);
  });

  it('a longer timeout than the hang: nothing times out, the requests wait and are answered', () => {
    const patient = run(hung('l4', '60s'));
    expect(fig(patient, 'err_client_timeout.total')).toBe(0);
    expect(fig(patient, 'wasted.total')).toBe(0);
    expect(patient.histograms.request_latency.max).toBeGreaterThan(29);
  });
});

describe('a request still connecting from nginx to the app when its client gives up', () => {
  it('the app accept queue is full (SYNs dropped): nginx stops connecting, logs 499, nothing is served late', () => {
    const input = hung('l4');
    (input as { app: Record<string, unknown> }).app = { workers: 1, backlog: 2, service_time: 'const(10ms)' };
    const r = run(input);
    const closed = recordsOf(r, 'nginx.client_closed_request');
    expect(closed.some((c) => !c.inApp)).toBe(true);
    expect(fig(r, 'syn_drops.total')).toBeGreaterThan(0);
    // Only the requests the app had taken (in service or in its queue) are served after the pause.
    expect(fig(r, 'wasted.total')).toBeLessThan(fig(r, 'err_client_timeout.total'));
    expect(between(r, 'err_client_timeout', 0, 12)).toBe(0);
    expect(between(r, 'err_client_timeout', 12, 13)).toBeLessThanOrEqual(1);
    expect(fig(r, 'err_econnreset.total')).toBe(0);
  });
});

describe('request_timeout runs from the write, not from the arrival rtt/2 later (review43 #3)', () => {
  it('with a 1-s round trip, a kept-alive request reaching the hung app times out 3 s after its write, not 3 s after its arrival', () => {
    // One paced client, a request 2 s after each answer on one connection, the app hung from 9.99 s.
    const input = hung('l4', '3s', 0);
    const r = run({
      ...input,
      sample_interval: '100ms',
      horizon: '16s',
      clients: {
        rtt: '1s',
        http: {
          arrival_rate: 1,
          arrivals: 'paced',
          requests_per_connection: 'const(100)',
          think_time: 'const(2s)',
          retries: 0,
          request_timeout: '3s',
        },
      },
      timeline: [
        { at: '0.5s', do: 'load', http_rate: 0 },
        { at: '9.99s', do: 'pause', backend: 'vm-a', duration: '30s' },
      ],
    } as ScenarioInput);
    // Writes at 0.5 (the paced connection's first request crosses 1 rtt to 1.0 s), 3.51, 6.52 and
    // 9.53 s (answer + rtt/2 + think 2 s); the last reaches the hung app at 10.03 s. From its write:
    // the client timeout at 12.53 s; from its arrival it would be 13.03 s.
    expect(between(r, 'err_client_timeout', 12.4, 12.8)).toBe(1);
    expect(between(r, 'err_client_timeout', 12.8, 16)).toBe(0);
  });
});
