import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * A keep-alive client's retried request: its `request_latency` counts from its first attempt's
 * write (clients/http-keepalive.ts firstWrites), as the user waits through the program's retry
 * loop — as open-loop's open_loop_latency (firstSentAt) and the library's resend do.
 *
 * Paced clients, one a second (at 0 s and 1 s), one request each, 1-ms rtt, a 5-ms app. The
 * database is down for the first 100 ms: the first client's request is answered 500 within
 * ~7 ms and retried once after a fixed 200-ms backoff, when it succeeds. The second client's
 * request succeeds at once.
 */
function scenario(retries = 1, downFor = '100ms'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '2s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 1,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(1s)',
        retries,
        retry_backoff: { policy: 'exponential', base: '200ms', cap: '200ms' },
      },
    },
    app: { workers: 4, service_time: 'const(5ms)' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '0s', do: 'dependency', backend: 'vm-a', state: 'down' },
      { at: downFor, do: 'dependency', backend: 'vm-a', state: 'up' },
    ],
  } as ScenarioInput;
}

describe('a retried keep-alive request: its latency counts from its first write', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(scenario());
  });

  it('the first request fails once and its retry succeeds', () => {
    expect(fig(r, 'retries.total')).toBe(1);
    expect(fig(r, 'requests_failed.total')).toBe(0);
    expect(fig(r, 'responses_5xx.total')).toBe(1);
  });

  it('the retried request waited its first attempt, the 200-ms backoff and its retry', () => {
    // First attempt (~7 ms) + backoff (200 ms) + retry (~7 ms). Counted from the retry's own
    // connect, as before, it was ~7 ms.
    const max = fig(r, 'request_latency.max');
    expect(max).toBeGreaterThan(0.21);
    expect(max).toBeLessThan(0.23);
  });
});

describe('a request retried twice: its latency counts from the first of its three writes', () => {
  // The database down for 300 ms and `retries: 2`: the first attempt (0 s) and the second
  // (~0.21 s) are answered 500, the third (~0.41 s) succeeds. The first write is kept at the
  // first failure only: the second failure does not move it.
  let r: RunResult;
  beforeAll(() => {
    r = run(scenario(2, '300ms'));
  });

  it('waited both backoffs and all three attempts', () => {
    expect(fig(r, 'retries.total')).toBe(2);
    expect(fig(r, 'responses_5xx.total')).toBe(2);
    // Three ~7-ms attempts and two 200-ms backoffs; from the second attempt's write it was ~0.21 s.
    const max = fig(r, 'request_latency.max');
    expect(max).toBeGreaterThan(0.41);
    expect(max).toBeLessThan(0.44);
  });
});

describe('a request lost to the keep-alive race and retried: its latency counts from its lost write', () => {
  // The keep-alive race at nginx's keepalive_timeout 1 s (keep-alive clients thinking 0.9-1.1 s
  // over a 60-ms round trip, as http-library.test.ts): a request written as nginx's FIN is on its
  // way never reaches nginx (clients/http-keepalive.ts crossedFin), so its write is the client's
  // last activity, not the previous request's stamp; `retries: 1` sends it again on a new
  // connection. Counted from the previous request's arrival, each retried latency would add a
  // whole think (~1 s).
  it('costs the lost write, the way back of the FIN, the backoff and the retry: well under a think', () => {
    const r = run({
      warmup: '0s',
      horizon: '60s',
      sample_interval: '1s',
      clients: {
        rtt: '60ms',
        http: { arrival_rate: 5, requests_per_connection: 'const(30)', think_time: 'uniform(0.9s, 1.1s)', retries: 1 },
      },
      app: { workers: 64, service_time: 'const(2ms)' },
      nginx: { keepalive_timeout: '1s' },
      lb: { mode: 'nat' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput);
    // Seed 1: 1,668 races, each retried once; the longest latency 0.25 s.
    expect(fig(r, 'retries.total')).toBeGreaterThan(1000);
    expect(fig(r, 'request_latency.max')).toBeLessThan(0.4);
  });
});
