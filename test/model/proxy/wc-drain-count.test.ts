/**
 * ngx_drain_connections (nginx src/core/ngx_connection.c; the same in 1.22.1): when a worker needs
 * one more connection and has at most `connection_n / 16` free, it closes
 * `n = ngx_max(ngx_min(32, cycle->reusable_connections_n / 8), 1)` reusable connections, each
 * taken with ngx_queue_last() — the tail of the reusable queue, which ngx_reusable_connection
 * fills at its head: the longest idle. Regime: one worker, worker_connections 64, keep-alive
 * clients arriving every 100 ms, each sending one 10-ms request and then thinking 60 s. Client
 * k's upstream connect (at k/10 s) finds 2 own connections (listener, master channel) + k + 1
 * clients in use; the 58th client's (k = 57, 5.7 s) leaves 4 = 64/16 free: 57 idle clients, 7
 * of them closed — the 7 that arrived first, whose next request (at 60.0–60.6 s) opens a new
 * connection. Catches review41 WC2 (n = 1), WC3 (the sort reversed: the most recently idle
 * closed, reconnecting at 65 s) and WC4 (the threshold limit/32: the first drain two clients
 * later, at 5.9 s, of 59 idle) — before this test only the calibration round nginx-holdout4 caught
 * WC3/WC4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

describe('worker_connections 64, idle keep-alive clients piling up', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({
      start: '00:00:00',
      warmup: '0s',
      horizon: '70s',
      sample_interval: '1s',
      clients: {
        rtt: '0.1ms',
        http: {
          arrival_rate: 10,
          arrivals: 'paced',
          requests_per_connection: 'const(1000)',
          think_time: 'const(60s)',
          // Clients that keep their idle connections for nginx's drain to close.
          idle_timeout: '0s',
          retries: 0,
        },
      },
      app: { workers: 100, service_time: 'const(10ms)' },
      nginx: { keepalive_timeout: '120s', worker_connections: 64, worker_processes: 1 },
      lb: { mode: 'nat' },
      backends: [{ name: 'vm-a' }],
      timeline: [{ at: '6s', do: 'load', http_rate: 0 }],
    } as ScenarioInput);
  });

  it('the first drain comes when 4 = 64/16 connections are free, and closes floor(idle / 8) of them', () => {
    const [first] = recordsOf(r, 'nginx.worker_connections_reuse');
    expect(first).toBeDefined();
    // Its request reaches nginx one rtt (0.1 ms) after 5.7 s.
    expect(first.t).toBeCloseTo(5.7001, 6);
    expect(first.idle).toBe(57);
    expect(first.closed).toBe(Math.max(Math.min(32, Math.floor(first.idle / 8)), 1));
    expect(first.closed).toBe(7);
    // Those 7 clients read EOF (FIN) in that second.
    expect(between(r, 'closed_fin', 5, 6)).toBe(7);
  });

  it('the longest-idle clients are closed: the first to reconnect are the first arrivals, at 60 s', () => {
    expect(between(r, 'new_conn', 6, 60)).toBe(0);
    expect(between(r, 'new_conn', 60, 61)).toBeGreaterThan(0);
  });
});
