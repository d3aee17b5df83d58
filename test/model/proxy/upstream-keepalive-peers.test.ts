/**
 * nginx's upstream keep-alive cache with several addresses (session 33): one cache per worker for
 * the upstream, but a try takes only a connection to the peer the round robin chose —
 * ngx_http_upstream_get_keepalive_peer (nginx 1.22.1 src/http/modules/
 * ngx_http_upstream_keepalive_module.c) calls the balancer first and then looks for a cached item
 * whose sockaddr is that peer's, else connects. Before session 33 any cached connection served any
 * address. With `keepalive 1` and the round robin alternating ::1, 127.0.0.1, the one cached
 * connection is always the other address's: every request connects, and caching the new one
 * evicts the old (ngx_http_upstream_free_keepalive_peer takes the cache's tail when it is full).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { pacedConnects, run } from '../helpers.js';

function reuse(keepalive: number, addresses: number): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    clients: pacedConnects(10, { think_time: 'const(10ms)' }),
    app: { workers: 4, service_time: 'const(5ms)', keepalive_timeout: '60s' },
    nginx: {
      upstream_keepalive: keepalive,
      upstream_addresses: addresses === 2 ? [{ address: '::1' }, { address: '127.0.0.1' }] : [],
    },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('the upstream keep-alive cache serves a try only with a connection to its own address', () => {
  it('keepalive 1 behind two addresses: every request connects (one address: one connect for all)', () => {
    const one = run(reuse(1, 1));
    const two = run(reuse(1, 2));
    expect(one.figures['responses_2xx.total']).toBe(100);
    expect(two.figures['responses_2xx.total']).toBe(100);
    expect(one.figures['upstream_connects.total']).toBe(1);
    expect(two.figures['upstream_connects.total']).toBe(100);
  });

  it('keepalive 2 behind two addresses: one connection per address, reused', () => {
    const two = run(reuse(2, 2));
    expect(two.figures['responses_2xx.total']).toBe(100);
    expect(two.figures['upstream_connects.total']).toBe(2);
  });
});
