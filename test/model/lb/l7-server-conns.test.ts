/**
 * HAProxy http-reuse and pool-purge-delay behind lb.mode l7 (issue 12, lb/l7-server-conns.ts): a
 * request after the first of its client connection goes over an idle server connection instead
 * of connecting (be_reuse_connection(), src/backend.c), idle connections are purged every
 * pool-purge-delay (srv_cleanup_idle_conns(), src/server.c), and `pool_purge_delay: 0s` keeps
 * none, so every request connects as before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, series, window } from '../helpers.js';

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
    // Connecting for each request, the balancer's SYN retransmissions come in bigger timer-wheel
    // batches, which pass the app's SYN check together and have their final ACKs dropped
    // (app-listener.ts): connected, those requests wait for a data copy to get in rather than
    // failing at `timeout connect`.
    const ackDrops = (r: RunResult): number =>
      r.events
        .filter((l) => l.record.kind === 'kernel.app_ack_overflow' && l.record.outcome === 'ack_dropped')
        .reduce((n, l) => n + 1 + l.folded, 0);
    expect(ackDrops(connectEach)).toBeGreaterThan(2 * ackDrops(reuse));
    expect(fig(connectEach, 'errors.total')).toBeLessThanOrEqual(fig(reuse, 'errors.total'));
  });
});

describe('http-reuse modes under keep-alive load', () => {
  const opened = (r: RunResult): number => fig(r, 'lb_conns_opened.total');
  const reused = (r: RunResult): number => fig(r, 'lb_conns_reused.total');
  let modes: Record<'never' | 'safe' | 'aggressive' | 'always', RunResult>;
  let purgeNone: RunResult;
  beforeAll(() => {
    modes = Object.fromEntries(
      (['never', 'safe', 'aggressive', 'always'] as const).map((m) => [m, run(keepalive({ http_reuse: m }))]),
    ) as typeof modes;
    purgeNone = run(keepalive({ pool_purge_delay: '0s' }));
  });

  it('every request connects or reuses, once', () => {
    for (const r of [...Object.values(modes), purgeNone]) {
      // Answered ones, plus the few still in flight at the horizon.
      expect(opened(r) + reused(r)).toBeGreaterThanOrEqual(
        fig(r, 'responses_2xx.total') + fig(r, 'responses_5xx.total'),
      );
      expect(opened(r) + reused(r)).toBeLessThanOrEqual(fig(r, 'requests.total'));
    }
  });

  it('pool_purge_delay 0s keeps no idle connection: every request connects', () => {
    expect(reused(purgeNone)).toBe(0);
    expect(opened(purgeNone)).toBeGreaterThan(9000);
    expect(Math.max(...series(purgeNone, 'lb_idle_conns').map(([, v]) => v))).toBe(0);
  });

  it('safe: about one connect per client connection (its first request), the other 19 of 20 reuse', () => {
    const safe = modes.safe;
    // ~20 connections/s over 30 s: ~600 first requests, each on a connection of its own.
    expect(opened(safe)).toBeGreaterThan(450);
    expect(opened(safe)).toBeLessThan(800);
    expect(reused(safe)).toBeGreaterThan(15 * opened(safe));
  });

  it('always lets first requests reuse too: a handful of connects; aggressive lies between safe and always', () => {
    expect(opened(modes.always)).toBeLessThan(50);
    expect(opened(modes.aggressive)).toBeLessThan(opened(modes.safe));
    expect(opened(modes.aggressive)).toBeGreaterThanOrEqual(opened(modes.always));
  });

  it('never: connections private to their client connection, one per server it visits (two here)', () => {
    // Round robin sends a connection's requests to both servers: ~2 connects per client connection.
    expect(opened(modes.never)).toBeGreaterThan(1.6 * opened(modes.safe));
    expect(opened(modes.never)).toBeLessThan(2.4 * opened(modes.safe));
    expect(fig(modes.never, 'lb_idle_conns.max')).toBe(0);
  });

  it('open-loop requests are first requests: safe never reuses for them, always does', () => {
    const openLoop = (lb: Record<string, unknown>) =>
      run({
        warmup: '5s',
        horizon: '20s',
        clients: { requests: { rate: 200 } },
        app: { workers: 16, service_time: 'const(20ms)' },
        lb: { mode: 'l7', ...lb },
      } as ScenarioInput);
    const safe = openLoop({});
    const always = openLoop({ http_reuse: 'always' });
    expect(reused(safe)).toBe(0);
    expect(opened(safe)).toBe(fig(safe, 'attempts.total'));
    expect(reused(always)).toBeGreaterThan(0.95 * fig(always, 'attempts.total'));
  });
});

describe('the idle pool', () => {
  // 100-ms requests: ~40 in service at a time, a pool of ~25 idle connections for the peaks.
  const slow = { service_time: 'const(100ms)', workers: 64 };

  it('is purged every pool_purge_delay once the load ends: at most about half at each visit, none left', () => {
    // New connections stop at 25 s; the last ones end by ~46 s. Then nothing uses the pool: each
    // 5-s visit closes ceil(exceed / 2) + 1 while est_need decays towards 0.
    const stop = { horizon: '90s', timeline: [{ at: '25s', do: 'load', http_rate: 0 }] } as Partial<ScenarioInput>;
    const r = run(keepalive({ http_reuse: 'always' }, slow, stop));
    const idle = window(r, 'lb_idle_conns', 47, 90);
    expect(idle[0]).toBeGreaterThan(15);
    for (let i = 1; i < idle.length; i++) {
      expect(idle[i]).toBeLessThanOrEqual(idle[i - 1]);
      expect(idle[i - 1] - idle[i]).toBeLessThanOrEqual(idle[i - 1] / 2 + 2);
    }
    // Changes only at the visits: at most one per 5 s.
    const drops = idle.filter((v, i) => i > 0 && v !== idle[i - 1]).length;
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(drops).toBeLessThanOrEqual(Math.ceil(idle.length / 5));
    expect(idle.at(-1)).toBe(0);
  });

  it('dies with the server process: after an nginx reload the requests to that server connect again', () => {
    const reload = { timeline: [{ at: '20s', do: 'nginx_reload', backend: 'vm-a' }] } as Partial<ScenarioInput>;
    const r = run(keepalive({}, slow, reload));
    // nginx's old workers close their idle keep-alive connections and answer the busy ones with
    // `Connection: close`; vm-b's pool serves on.
    const before = sumWindow(r, 'lb_conns_opened', 16, 19, 'vm-a') / 4;
    const after = sumWindow(r, 'lb_conns_opened', 21, 21, 'vm-a');
    expect(after).toBeGreaterThan(2 * before);
    expect(sumWindow(r, 'lb_conns_opened', 21, 21, 'vm-b')).toBeLessThan(after);
  });

  it("a vanished host's idle connections stay pooled: a request sent on one waits for timeout server (504)", () => {
    const vanish = {
      timeline: [{ at: '20s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
    } as Partial<ScenarioInput>;
    const pooled = run(keepalive({ timeout_server: '2s' }, {}, vanish));
    const connectEach = run(keepalive({ timeout_server: '2s', pool_purge_delay: '0s' }, {}, vanish));
    // No health checks: vm-a keeps its share. Requests on its pooled connections go unanswered
    // until HAProxy's 504; new connects time out (connect_timeout 5s) and end in 503s instead.
    expect(sumWindow(pooled, 'lb_conns_reused', 21, 30, 'vm-a')).toBeGreaterThan(0);
    expect(sumWindow(connectEach, 'lb_conns_reused', 21, 30, 'vm-a')).toBe(0);
    // Only the requests in service at the vanish get a 504 without pooled connections.
    const timeouts = (r: RunResult) => recordsOf(r, 'lb.server_timeout_504').length;
    expect(timeouts(pooled)).toBeGreaterThan(timeouts(connectEach));
  });
});

describe("nginx's end of the pooled connections", () => {
  it('keepalive_requests: nginx closes a connection after that many requests, the balancer connects again', () => {
    const r = run(
      keepalive({ http_reuse: 'always' }, {}, { nginx: { keepalive_requests: 5 } } as Partial<ScenarioInput>),
    );
    const total = fig(r, 'lb_conns_opened.total') + fig(r, 'lb_conns_reused.total');
    // One connect per 5 requests (the pool adds a few more for peaks).
    expect(fig(r, 'lb_conns_opened.total')).toBeGreaterThan(total / 5 - 50);
    expect(fig(r, 'lb_conns_opened.total')).toBeLessThan(total / 5 + 200);
  });

  it('keepalive_timeout: idle connections older than it are gone, keep-alive off (0s) pools none', () => {
    // ~200 req/s per server over a handful of idle connections, oldest first: each waits some
    // tens of ms for its next request, longer than nginx's 10 ms, so most expire and requests connect.
    const short = run(keepalive({}, {}, { nginx: { keepalive_timeout: '10ms' } } as Partial<ScenarioInput>));
    const off = run(keepalive({}, {}, { nginx: { keepalive_timeout: '0s' } } as Partial<ScenarioInput>));
    const normal = modesSafe();
    expect(fig(off, 'lb_conns_reused.total')).toBe(0);
    expect(fig(off, 'lb_idle_conns.max')).toBe(0);
    expect(fig(short, 'lb_conns_opened.total')).toBeGreaterThan(2 * fig(normal, 'lb_conns_opened.total'));
  });
});

const modesSafe = (): RunResult => run(keepalive());

function sumWindow(r: RunResult, name: string, from: number, to: number, entity: string): number {
  return window(r, name, from, to, entity).reduce((a, b) => a + b, 0);
}
