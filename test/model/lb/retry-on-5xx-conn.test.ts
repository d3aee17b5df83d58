/**
 * HAProxy's `retry-on` replaces its default `conn-failure` (proxy_parse_retry_on(), src/proxy.c,
 * starts from `retry_type = 0`), and back_handle_st_cer() (src/backend.c) retries a failed connect
 * only with PR_RE_CONN_FAILED. lb.retry_on_5xx is `retry-on 500 502 503 504`: under it a refused
 * connect is not retried, even with `option redispatch`, and the client gets HAProxy's 503.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Keep-alive clients behind mode http with option redispatch; vm-a's app is killed at 10 s (its connects refused). */
const refusing = (lb: Record<string, unknown>): ScenarioInput =>
  ({
    warmup: '20s',
    horizon: '30s',
    clients: {
      rtt: '30ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'const(1s)', retries: 0 },
    },
    app: { workers: 16, service_time: 'const(20ms)' },
    lb: { mode: 'l7', redispatch: true, ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  }) as ScenarioInput;

describe('lb.retry_on_5xx replaces conn-failure (HAProxy retry-on)', () => {
  it('a refused connect is not retried under it: the client gets the 503', () => {
    const connFailure = run(refusing({}));
    const only5xx = run(refusing({ retry_on_5xx: true }));
    // Default retry-on conn-failure + redispatch: the refused connects go to vm-b.
    expect(fig(connFailure, 'responses_5xx.total')).toBeLessThan(20);
    // retry-on 500 502 503 504: each request vm-a refuses is HAProxy's 503 at once.
    expect(fig(only5xx, 'responses_5xx.total')).toBeGreaterThan(100);
  });

  it('with retry_on_empty_response (retry-on conn-failure empty-response) refused connects are retried again', () => {
    const both = run(refusing({ retry_on_5xx: true, retry_on_empty_response: true }));
    expect(fig(both, 'responses_5xx.total')).toBeLessThan(20);
  });
});
