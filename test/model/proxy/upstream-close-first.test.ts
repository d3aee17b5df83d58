/**
 * Who sends the first FIN of an upstream connection nginx does not cache, so holds its TIME_WAIT
 * (nginx.upstream_close_first; proxy/upstream.ts releaseUpstream, proxy/nginx.ts
 * nginxClosesFirstShare). Without upstream keepalive it is a race between nginx's close once it
 * has the response's Content-Length bytes (ngx_event_pipe_read_upstream → upstream_done →
 * ngx_http_upstream_finalize_request) and the app's close after a `Connection: close` response
 * (node resOnFinish: destroySoon): the user states nginx's share. With keepalive on, a connection
 * nginx does not cache (keepalive_requests reached: ngx_http_upstream_free_keepalive_peer
 * `goto invalid`) was kept alive by the app, and nginx closes it first whatever the setting says.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { scenario } from '../helpers.js';

/**
 * ~300 requests/s on long keep-alive client connections to one VM for 20 s (every TIME_WAIT still
 * held: 60 s), nginx → app on another address (tcp_tw_reuse 2 is loopback only: none taken over).
 * The TIME_WAITs each end holds at the end, per upstream connect.
 */
function sides(
  nginx: Record<string, unknown>,
  seed = 1,
): { nginx: number; app: number; connects: number; requests: number; newConn: number } {
  const model = buildModel(
    scenario({
      seed,
      warmup: '0s',
      horizon: '20s',
      clients: {
        http: { arrival_rate: 3, requests_per_connection: 'const(100000)', think_time: 'const(100ms)', retries: 0 },
      },
      app: { workers: 64, service_time: 'const(1ms)' },
      nginx: { upstream_loopback: false, ...nginx },
      backends: [{ name: 'vm-a' }],
    } as ScenarioInput),
  );
  const w = model.world;
  const b = w.backends[0];
  startModel(model);
  w.engine.run(20);
  const now = w.engine.now;
  const nginxSide = b.host.socketsOf(b.upstreamPair, now);
  // The app's, with those a later SYN on the same 4-tuple reopened (the port walk came back to
  // a port nginx had not held: tcp_timewait_state_process TCP_TW_SYN) counted back in.
  const appSide = b.host.socketsOf(b.appPair, now) + w.metrics.runningTotal(w.c.twReopened, 0);
  // Every upstream connect the run made (warmup 0: counted from the start); a few are still open
  // (a request in flight at the end).
  const connects = w.metrics.runningTotal(w.c.upstreamConnects, 0);
  return {
    nginx: nginxSide / connects,
    app: appSide / connects,
    connects,
    requests: w.metrics.runningTotal(w.c.requests, 0),
    newConn: w.metrics.runningTotal(w.c.newConn, 0),
  };
}

describe('nginx.upstream_close_first: who holds the TIME_WAIT of an upstream connection nginx does not cache', () => {
  it('share(0.3) without upstream keepalive: nginx holds 0.3 ± 0.05 of the TIME_WAITs per connect, the app the rest', () => {
    const s = sides({ upstream_keepalive: 0, upstream_close_first: 'share(0.3)' });
    expect(s.connects).toBeGreaterThan(4000);
    expect(Math.abs(s.nginx - 0.3)).toBeLessThan(0.05);
    expect(Math.abs(s.app - 0.7)).toBeLessThan(0.05);
  });

  it('proxy (the default) and app: every connection, and none', () => {
    const proxy = sides({ upstream_keepalive: 0 });
    expect(proxy.nginx).toBeGreaterThan(0.99);
    expect(proxy.app).toBeLessThan(0.01);
    const app = sides({ upstream_keepalive: 0, upstream_close_first: 'app' });
    expect(app.nginx).toBeLessThan(0.01);
    expect(app.app).toBeGreaterThan(0.99);
  });

  it('keepalive on, keepalive_requests 1: nginx closes each connection first even with `app` (the app kept it alive)', () => {
    const s = sides({
      upstream_keepalive: 4,
      upstream_keepalive_requests: 1,
      upstream_close_first: 'app',
    });
    expect(s.connects).toBeGreaterThan(4000);
    expect(s.nginx).toBeGreaterThan(0.99);
    expect(s.app).toBeLessThan(0.01);
  });

  it('share(x) draws on its own named stream: the clients arrive and send as with `proxy` (no draw)', () => {
    // Each connection's draw is on `nginx.upstream-close-first` alone (RandomStreams: one
    // generator per name); sharing a client stream would move their arrivals and think times.
    const proxy = sides({ upstream_keepalive: 0 });
    const share = sides({ upstream_keepalive: 0, upstream_close_first: 'share(0.3)' });
    expect(share.requests).toBeGreaterThan(4000);
    expect(share.requests).toBe(proxy.requests);
    expect(share.newConn).toBe(proxy.newConn);
  });

  it('share(x) is validated: 0 to 1', () => {
    expect(() => scenario({ nginx: { upstream_close_first: 'share(1.5)' } } as ScenarioInput)).toThrow();
    expect(() => scenario({ nginx: { upstream_close_first: 'share(-0.1)' } } as ScenarioInput)).toThrow();
    expect(
      scenario({ nginx: { upstream_close_first: 'share(0.25)' } } as ScenarioInput).nginx.upstream_close_first,
    ).toBe('share(0.25)');
  });
});
