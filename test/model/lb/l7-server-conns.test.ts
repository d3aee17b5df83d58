/**
 * HAProxy http-reuse and pool-purge-delay behind lb.mode l7 (issue 12, lb/l7-server-conns.ts): a
 * request after the first of its client connection goes over an idle server connection instead
 * of connecting (be_reuse_connection(), src/backend.c), idle connections are purged every
 * pool-purge-delay (srv_cleanup_idle_conns(), src/server.c), and `pool_purge_delay: 0s` keeps
 * none, so every request connects as before.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Keep-alive clients (20 requests per connection, a second apart) over two backends: ~400 req/s. */
function keepalive(
  lb: Record<string, unknown> = {},
  app: Record<string, unknown> = {},
  over: Partial<ScenarioInput> = {},
) {
  return {
    warmup: '10s',
    horizon: '30s',
    clients: {
      rtt: '30ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'const(1s)', retries: 2 },
    },
    app: { workers: 16, service_time: 'const(20ms)', ...app },
    lb: { mode: 'l7', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    ...over,
  } as ScenarioInput;
}

describe('scenario validation', () => {
  it('defaults are left unset (HAProxy: http-reuse safe, pool-purge-delay 5s) and 0s is accepted', () => {
    const s = ScenarioSchema.parse({ lb: { mode: 'l7' } });
    expect(s.lb.http_reuse).toBeUndefined();
    expect(s.lb.pool_purge_delay).toBeUndefined();
    const z = ScenarioSchema.parse({ lb: { mode: 'l7', http_reuse: 'always', pool_purge_delay: '0s' } });
    expect(z.lb.pool_purge_delay).toBe(0);
  });

  it('refuses http_reuse and pool_purge_delay on a balancer that does not terminate HTTP, naming the setting', () => {
    for (const mode of ['l4', 'nat']) {
      for (const [key, value] of [
        ['http_reuse', 'safe'],
        ['pool_purge_delay', '5s'],
      ]) {
        const res = ScenarioSchema.safeParse({ lb: { mode, [key]: value } });
        expect(res.success).toBe(false);
        const issue = res.error!.issues.find((i) => i.path.join('.') === `lb.${key}`);
        expect(issue?.message).toMatch(/^needs lb.mode: l7/);
      }
    }
  });

  it('refuses an unknown reuse mode', () => {
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l7', http_reuse: 'sometimes' } }).success).toBe(false);
  });
});

describe('reused server connections skip the connect', () => {
  it('an overloaded app drops fewer of the balancer SYNs when later requests reuse connections', () => {
    // 2 workers × 50 req/s per backend against ~200 req/s each: the app queue is full, its accept
    // queue (backlog 4) drops every new connection's SYN. A reused connection is already accepted.
    const slow = { workers: 2, backlog: 4 };
    const reuse = run(keepalive({}, slow));
    const connectEach = run(keepalive({ pool_purge_delay: '0s' }, slow));
    expect(fig(connectEach, 'syn_drops.total')).toBeGreaterThan(fig(reuse, 'syn_drops.total') * 1.1);
    expect(fig(connectEach, 'errors.total')).toBeGreaterThan(fig(reuse, 'errors.total'));
  });
});
