/**
 * nginx ≥ 1.19.10 limits a keep-alive connection's whole life with keepalive_time (default 1h),
 * however busy it is (nginx release-1.22.1):
 * - client side: ngx_http_update_location_config (src/http/ngx_http_core_module.c) clears
 *   r->keepalive when `ngx_current_msec - r->connection->start_time > clcf->keepalive_time`, so
 *   the first request read after the hour is answered `Connection: close` and nginx closes;
 * - upstream side: ngx_http_upstream_free_keepalive_peer
 *   (src/http/modules/ngx_http_upstream_keepalive_module.c) does not cache a connection with
 *   `ngx_current_msec - c->start_time > kp->conf->time` (`goto invalid`): nginx closes it.
 * One client sends 5,000 requests at ~1/s on one connection (keepalive_requests raised out of
 * the way), so only the connection's age can end it before the horizon.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import { scenario } from '../helpers.js';
import { oneKeepAliveClient } from './keepalive-race-fixture.js';

const HOUR = 3600;

/** Runs one client for `horizon` s; the times nginx answered `Connection: close` and the upstream connects. */
function oneHourClient(nginx: Record<string, unknown>, horizon = 3700, lb?: Record<string, unknown>) {
  const input = oneKeepAliveClient({
    think: '1s',
    horizon: `${horizon}s`,
    http: { requests_per_connection: 'const(5000)' },
    nginx: { keepalive_requests: 100000, upstream_keepalive: 4, upstream_keepalive_requests: 100000, ...nginx },
  });
  const model = buildModel(scenario(lb === undefined ? input : { ...input, lb }));
  const w = model.world;
  const n = w.backends[0]!.nginx;
  const closes: Array<{ at: number; age: number; served: number }> = [];
  const kept: number[] = [];
  const inner = n.closesAfterResponse.bind(n);
  n.closesAfterResponse = (served: number, gen?: number, age = 0): boolean => {
    const close = inner(served, gen, age);
    if (close) closes.push({ at: w.engine.now, age, served });
    else kept.push(age);
    return close;
  };
  startModel(model);
  w.engine.run(horizon);
  return { closes, kept, upstreamConnects: w.metrics.runningTotal(w.c.upstreamConnects, 0) };
}

describe('nginx keepalive_time (default 1h)', () => {
  it('answers Connection: close on the first response of a request sent more than 3,600 s after the connect', () => {
    const r = oneHourClient({ upstream_keepalive_time: '2h' });
    // About 3,400 requests kept alive in the first hour (1 s think + a 60-ms round trip each).
    expect(r.kept.length).toBeGreaterThan(3300);
    expect(r.closes.length).toBe(1);
    const c = r.closes[0]!;
    expect(c.age).toBeGreaterThan(HOUR);
    // The first such request: the one before it was sent within the hour, ~1.06 s earlier.
    expect(c.age).toBeLessThan(HOUR + 1.1);
    expect(Math.max(...r.kept.filter((a) => a <= HOUR + 2))).toBeLessThanOrEqual(HOUR);
    expect(c.at).toBeGreaterThan(HOUR);
    expect(c.at).toBeLessThan(HOUR + 1.2);
    // The client's next request went on a new connection, young again: kept alive.
    expect(r.kept.at(-1)!).toBeLessThan(100);
  });

  it('keepalive_time 10m ends the connection after 600 s, then every 600 s', () => {
    const r = oneHourClient({ keepalive_time: '10m', upstream_keepalive_time: '2h' }, 1900);
    expect(r.closes.map((c) => Math.floor(c.at / 600))).toEqual([1, 2, 3]);
  });

  it("behind lb.mode l7: nginx closes HAProxy's server connection after the first request sent on it after 3,600 s", () => {
    const r = oneHourClient({ upstream_keepalive_time: '2h' }, 3700, { mode: 'l7' });
    expect(r.kept.length).toBeGreaterThan(3300);
    expect(r.closes.length).toBe(1);
    expect(r.closes[0]!.age).toBeGreaterThan(HOUR);
    expect(r.closes[0]!.age).toBeLessThan(HOUR + 1.1);
    expect(r.kept.at(-1)!).toBeLessThan(100);
  });

  it('does not cache an upstream connection older than 1 h: nginx closes it and connects again', () => {
    // The client's own connection is kept past the hour (keepalive_time 2h): only the upstream one ages out.
    const r = oneHourClient({ keepalive_time: '2h' });
    expect(r.closes.length).toBe(0);
    // One connect in the first hour, cached after each of ~3,400 responses, then a second one.
    expect(r.upstreamConnects).toBe(2);
    const young = oneHourClient({ keepalive_time: '2h' }, HOUR - 10);
    expect(young.upstreamConnects).toBe(1);
  });
});
