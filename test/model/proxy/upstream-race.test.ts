/** The upstream keep-alive race: nginx reuses a cached connection as the app's idle timer closes it. */
import { describe, expect, it } from 'vitest';
import { appClosed, CachedFate } from '../../../sim/model/proxy/upstream.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

describe('appClosed (timer times and the hop round trip, no probability)', () => {
  const rtt = 0.001; // 1 ms between nginx and the app
  it('is ALIVE before the window, CROSSED within one round trip before the FIN arrives, CLOSED after', () => {
    // Cached at 10 s, the app closes at 12.9995 and its FIN reaches nginx at 13.
    expect(appClosed(10, 12.998, 3, rtt)).toBe(CachedFate.ALIVE); // arrives at 12.9985, before the close
    expect(appClosed(10, 12.9992, 3, rtt)).toBe(CachedFate.CROSSED); // arrives after the close
    expect(appClosed(10, 12.9999, 3, rtt)).toBe(CachedFate.CROSSED); // the FIN is still on its way
    expect(appClosed(10, 13, 3, rtt)).toBe(CachedFate.CLOSED); // the close handler dropped it
  });
  it('never closes when the app has no idle timeout', () => {
    expect(appClosed(10, 1000, 0, rtt)).toBe(CachedFate.ALIVE);
    expect(appClosed(10, 1000, Infinity, rtt)).toBe(CachedFate.ALIVE);
  });
});

/** One client per VM reusing nginx's cached connection after `think`; the app closes idle ones after 3 s. */
const race = (think: string, method: 'GET' | 'POST', nginxUpstreamTimeout = '60s'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '40s',
  sample_interval: '1s',
  clients: {
    rtt: '0.1ms',
    http: { arrival_rate: 10, requests_per_connection: 'const(10)', think_time: think, retries: 0, method },
  },
  app: { service_time: 'const(0.2ms)', keepalive_timeout: '3s' },
  nginx: { upstream_keepalive: 2, upstream_keepalive_timeout: nginxUpstreamTimeout, upstream_rtt: '0.1ms' },
  backends: Array.from({ length: 20 }, (_, i) => ({ name: `vm-${i}` })),
  timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
});

describe('the upstream keep-alive race in a run', () => {
  // Sent 2.99985 s + 0.1 ms after the response reached nginx: 0.05 ms before the app's FIN arrives.
  const inWindow = 'const(2.99985s)';

  it('a GET that crosses the app FIN is retried on a new connection: the client gets 200', () => {
    const r = run(race(inWindow, 'GET'), 1);
    const requests = r.figures['requests.total']!;
    expect(r.figures['responses_2xx.total']).toBe(requests);
    // Nearly every reuse crossed the FIN: the requests ended on connections of their own.
    expect(r.figures['upstream_connects.total']!).toBeGreaterThan(0.8 * requests);
    expect(r.events.filter((l) => l.record.kind === 'nginx.upstream_keepalive_race').length).toBeGreaterThan(10);
  });

  it('a POST that crosses the app FIN is not retried (non-idempotent): 502', () => {
    const r = run(race(inWindow, 'POST'), 1);
    const clients = r.figures['new_conn.total']!;
    // Every other request of each client's 10 (retries 0; the client goes on after the 502 on its
    // kept-alive connection): a 502 leaves nginx no cached connection, so the next request opens a
    // new one (200), and the one after it reuses that one and crosses its FIN again.
    expect(r.figures['responses_5xx.total']).toBe(5 * clients);
    expect(r.figures['responses_2xx.total']).toBe(5 * clients);
    expect(r.figures['requests_failed.total']).toBe(5 * clients);
  });

  it('outside the window nothing races: a shorter think reuses the connection, a longer one finds it closed', () => {
    const short = run(race('const(2.99s)', 'POST'), 1);
    expect(short.figures['responses_5xx.total'] ?? 0).toBe(0);
    expect(short.figures['upstream_connects.total']).toBe(short.figures['new_conn.total']); // one each, reused
    const long = run(race('const(3.01s)', 'POST'), 1);
    expect(long.figures['responses_5xx.total'] ?? 0).toBe(0);
    expect(long.figures['upstream_connects.total']).toBe(long.figures['requests.total']); // the app closed each
  });

  it('the fix, proxy < server: nginx upstream keepalive_timeout 2s below the app 3s, nginx closes first', () => {
    const r = run(race(inWindow, 'POST', '2s'), 1);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
    expect(r.events.some((l) => l.record.kind === 'nginx.upstream_keepalive_race')).toBe(false);
  });

  it('the app timer below nginx upstream keepalive_timeout closes first: the app holds the TIME_WAIT, nginx keeps no port', () => {
    // think 4.5 s: past both timers; the app's (3 s) fired first, so its FIN closed each connection.
    const appFirst = run(race('const(4.5s)', 'GET', '4s'), 1);
    const nginxOnly = run({ ...race('const(4.5s)', 'GET', '4s'), app: { service_time: 'const(0.2ms)' } }, 1);
    expect(appFirst.figures['upstream_connects.total']).toBe(appFirst.figures['requests.total']);
    expect(nginxOnly.figures['upstream_connects.total']).toBe(nginxOnly.figures['requests.total']);
    // nginx's connecting side holds a port in TIME_WAIT only when nginx closed first.
    expect(valueAt(appFirst, 'upstream_ports_busy', 20)).toBeLessThan(valueAt(nginxOnly, 'upstream_ports_busy', 20));
  });
});
