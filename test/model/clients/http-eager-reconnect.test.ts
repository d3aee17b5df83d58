/**
 * clients.http.reconnect eager: a client replaces a connection the server closed while it thought
 * at once, and the new connection waits for the request (a pre-opening pool, a browser's
 * preconnect, the round-4 harness client). What nginx 1.22.1 does with a connection waiting for
 * its first request (ngx_http_init_connection, src/http/ngx_http_request.c): it holds one of its
 * worker's connections from the accept; it is reusable (ngx_drain_connections may close it) but
 * not idle (ngx_close_idle_connections at a QUIT leaves it, and its client_header_timeout timer,
 * not cancelable, keeps the old worker: ngx_event_no_timers_left); client_header_timeout closes it.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { wcBurst } from '../proxy/wc-burst-fixture.js';

/** ~10 keep-alive clients arriving in the first half second, one request every `think` (10-ms service). */
function clients(
  reconnect: string,
  think: string,
  nginx: Record<string, unknown>,
  horizon: string,
  timeline: unknown[] = [],
): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon,
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 20,
        requests_per_connection: 'const(1000)',
        think_time: `const(${think})`,
        retries: 0,
        reconnect,
      },
    },
    app: { workers: 100, service_time: 'const(10ms)' },
    nginx,
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '0.5s', do: 'load', http_rate: 0 }, ...timeline],
  } as ScenarioInput;
}

const total = (r: RunResult, name: string): number => r.figures[`${name}.total`] ?? 0;
const exitAt = (r: RunResult): number => r.events.find((l) => l.record.kind === 'nginx.generation_exit')!.t;

describe('clients.http.reconnect eager', () => {
  it('defaults: on_demand (today’s client), nginx client_header_timeout 60 s', () => {
    const s = ScenarioSchema.parse({ backends: [{ name: 'vm-a' }], clients: { http: { arrival_rate: 1 } } });
    expect(s.clients.http.reconnect).toBe('on_demand');
    expect(s.nginx.client_header_timeout).toBe(60);
  });

  it('a connection nginx closed for keepalive_timeout is replaced at once, and client_header_timeout closes the waiting one', () => {
    // think 30 s, keepalive_timeout 5 s, client_header_timeout 10 s: each client's connection is
    // closed 5 s after its answer, the new one 10 s later, and again; the request at 30 s goes on
    // the third replacement. on_demand: one close, one new connection at 30 s.
    const nginx = { keepalive_timeout: '5s', client_header_timeout: '10s' };
    const lazy = run(clients('on_demand', '30s', nginx, '32s'), 1);
    const eager = run(clients('eager', '30s', nginx, '32s'), 1);
    const n = total(lazy, 'responses_2xx') / 2;
    expect(n).toBeGreaterThan(3);
    expect(total(eager, 'responses_2xx')).toBe(2 * n);
    expect(total(lazy, 'closed_fin')).toBe(n);
    expect(total(lazy, 'new_conn')).toBe(2 * n);
    expect(total(eager, 'closed_fin')).toBe(3 * n);
    expect(total(eager, 'new_conn')).toBe(4 * n);
    expect(total(eager, 'errors')).toBe(0);
    // With the default 60 s only the keep-alive close: the new connection comes 25 s earlier.
    const patient = run(clients('eager', '30s', { keepalive_timeout: '5s' }, '32s'), 1);
    expect(total(patient, 'closed_fin')).toBe(n);
    expect(total(patient, 'new_conn')).toBe(2 * n);
  });

  it('a QUIT leaves a waiting connection open: the old generation exits after its request, answered with Connection: close', () => {
    // think 3 s, keepalive_timeout 1 s: each client's connection closes ~1 s after its answer and
    // the eager client waits on a new one until ~3 s; a reload at 2 s QUITs generation 1 at 2.1 s.
    const nginx = { keepalive_timeout: '1s' };
    const reload = [{ at: '2s', do: 'nginx_reload' }];
    const lazy = run(clients('on_demand', '3s', nginx, '5s', reload), 1);
    const eager = run(clients('eager', '3s', nginx, '5s', reload), 1);
    // on_demand: nothing of generation 1 is left at the QUIT.
    expect(exitAt(lazy)).toBeLessThan(2.2);
    // eager: the waiting connections stay (not c->idle) until their requests at 3.0–3.5 s.
    expect(exitAt(eager)).toBeGreaterThan(3);
    expect(exitAt(eager)).toBeLessThan(3.6);
    expect(total(eager, 'errors')).toBe(0);
    expect(total(eager, 'responses_2xx')).toBe(total(lazy, 'responses_2xx'));
  });

  it('a waiting connection keeps an exiting worker until client_header_timeout closes it', () => {
    // think 30 s: the requests come long after the QUIT; client_header_timeout 5 s closes the
    // waiting connections (opened ~1.0–1.5 s) at ~6.0–6.5 s, and generation 1 exits then.
    const r = run(
      clients('eager', '30s', { keepalive_timeout: '1s', client_header_timeout: '5s' }, '8s', [
        { at: '2s', do: 'nginx_reload' },
      ]),
      1,
    );
    expect(exitAt(r)).toBeGreaterThan(6);
    expect(exitAt(r)).toBeLessThan(6.6);
  });

  it('under worker_connections a waiting connection is reusable: nginx closes it to make room, so the churn grows', () => {
    const burst = (reconnect: string): ScenarioInput => wcBurst({ worker_connections: 26 }, { reconnect });
    const lazy = run(burst('on_demand'), 1);
    const eager = run(burst('eager'), 1);
    // on_demand: only thinking clients are drained; eager: their waiting replacements too, again and again.
    expect(total(eager, 'closed_fin')).toBeGreaterThan(2 * total(lazy, 'closed_fin'));
    expect(total(eager, 'new_conn')).toBeGreaterThan(1.2 * total(lazy, 'new_conn'));
    // The waiting connections are drained, never an upstream connect refused.
    expect(total(eager, 'responses_5xx')).toBe(0);
    const reuse = eager.events.filter((l) => l.record.kind === 'nginx.worker_connections_reuse');
    expect(reuse.length).toBeGreaterThan(0);
  });
});
