import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, mean, run, window } from '../helpers.js';

/**
 * `app.dependency_fail_time` is how long a request to a down database takes to fail with its 500,
 * whatever the service time: a fail time longer than the service time lengthens the failure. Before
 * session 30 the model took min(service time, fail time), so a longer fail time changed nothing
 * (review51: `--set app.dependency_fail_time=30s` on lb-lied gave the golden's figures).
 *
 * One backend, 50 open-loop requests/s of 5 ms each; its database is down from 10 s to 20 s with a
 * fail time of 2 s: each failing request holds its worker 2 s, so by Little's law ~100 workers are
 * busy (50/s × 2 s) where 5-ms failures keep fewer than one busy.
 */
function downFor10s(failTime: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate: 50, arrivals: 'paced', timeout: '10s', retries: 0 } },
    app: { workers: 400, service_time: 'const(5ms)', dependency_fail_time: failTime },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '10s', do: 'dependency', backend: 'vm-a', state: 'down' },
      { at: '20s', do: 'dependency', backend: 'vm-a', state: 'up' },
    ],
  } as ScenarioInput;
}

describe('app.dependency_fail_time: a down database fails each request after that long', () => {
  it('2 s: each failure holds its worker 2 s (~100 busy at 50 req/s), every request of the outage a 500', () => {
    const r = run(downFor10s('2s'));
    const busy = mean(window(r, 'app_busy', 13, 20));
    expect(busy).toBeGreaterThan(90);
    expect(busy).toBeLessThan(110);
    // The requests of 10-18 s have failed by 20 s; none was answered 2xx.
    expect(between(r, 'req_5xx', 10, 20)).toBeGreaterThan(400);
    expect(between(r, 'goodput', 10.5, 20)).toBe(0);
  });

  it('5 ms (the default): fewer than one worker busy, the same 500s at once', () => {
    const r = run(downFor10s('5ms'));
    expect(mean(window(r, 'app_busy', 13, 20))).toBeLessThan(2);
    expect(between(r, 'req_5xx', 10, 20)).toBeGreaterThan(480);
  });
});
