/**
 * `clients.requests.pool` (clients/connection-pool.ts): a pooled HTTP client — each user one
 * kept-alive connection carrying one request at a time, a due request on the next idle connection
 * (calibration/haproxy/worker.mjs runRequests(): cursor round robin, none idle → skipped), or
 * queued until one frees (Node's http.Agent maxSockets, Go's Transport MaxConnsPerHost).
 */
import { describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../../sim/model/clients/connection-pool.js';
import type { Req } from '../../../sim/model/core/request.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

describe('ConnectionPool', () => {
  it('takes the next idle connection after the last used, skipping busy ones; -1 when none is idle', () => {
    const pool = new ConnectionPool(3, 'skip');
    expect([pool.take(0), pool.take(0)]).toEqual([0, 1]);
    expect(pool.release(0, 1)).toBeNull();
    // The cursor is after 1: 2, then around to 0.
    expect([pool.take(1), pool.take(1), pool.take(1)]).toEqual([2, 0, -1]);
  });

  it('a freed connection goes to the oldest parked request and stays busy', () => {
    const pool = new ConnectionPool(1, 'wait');
    const a = { id: 'a' } as unknown as Req;
    const b = { id: 'b' } as unknown as Req;
    expect(pool.take(0)).toBe(0);
    pool.park(a);
    pool.park(b);
    expect(pool.release(0, 1)).toBe(a);
    expect(pool.take(1)).toBe(-1);
    expect(pool.release(0, 2)).toBe(b);
    expect(pool.release(0, 3)).toBeNull();
    expect(pool.take(3)).toBe(0);
  });

  it('a released connection is idle only from the instant given (the client learns it then)', () => {
    const pool = new ConnectionPool(2, 'wait');
    expect([pool.take(0), pool.take(0)]).toEqual([0, 1]);
    expect(pool.release(1, 0.06)).toBeNull();
    expect(pool.release(0, 0.05)).toBeNull();
    // Before either instant nothing is idle; the one learned free first is claimed.
    expect(pool.take(0.04)).toBe(-1);
    expect(pool.soonestReleased()).toBe(0);
    expect(pool.claim(0)).toBe(0.05);
    expect(pool.soonestReleased()).toBe(1);
    expect(pool.take(0.06)).toBe(1);
    expect(pool.soonestReleased()).toBe(-1);
  });
});

/** HAProxy balance source (map-based), retries 3 + redispatch, 30 users; s3 killed at 5 s, DOWN ≈ 4.9 s later. */
function sourceKill(pool: boolean): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '16s',
    clients: {
      rtt: '0.1ms',
      requests: {
        rate: 60,
        arrivals: 'paced',
        timeout: '8s',
        retries: 0,
        users: 30,
        session_store: 'external',
        ...(pool ? { pool: { when_busy: 'skip' } } : {}),
      },
    },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode: 'l7', balance: 'source', retries: 3, redispatch: true },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 's1' }, { name: 's2' }, { name: 's3' }],
    timeline: [{ at: '5s', do: 'terminate', backend: 's3', mode: 'kill' }],
  } as ScenarioInput;
}

describe('behind balance source, a dead server holds its addresses’ connections', () => {
  it('pooled: each of its connections fails one request per 2-s hold; open-loop users keep sending their share', () => {
    // Every request hashed to s3 fails after 1 + 3 connects and two 1-s turn-arounds (the last
    // retry's redispatch hashes to s3 again: map_get_server_hash(), src/lb_map.c, avoids nothing).
    const pooled = run(sourceKill(true));
    const open = run(sourceKill(false));
    const s3Connections = 10; // of 30 addresses, as the map hashes them (the recording: 10)
    // Kill to DOWN (three failed checks 2 s apart, ≈ 4-6 s by the checks' phase) / 2 s per
    // failing request: at most 3 failures per connection, at least 1.
    expect(pooled.figures['req_failed.total']!).toBeGreaterThanOrEqual(s3Connections);
    expect(pooled.figures['req_failed.total']!).toBeLessThanOrEqual(3 * s3Connections);
    // Open-loop: s3's third of 60/s for ≈ 2.9 s (until DOWN minus the 2-s hold) and more.
    expect(open.figures['req_failed.total']!).toBeGreaterThan(2.5 * pooled.figures['req_failed.total']!);
    // The other 20 connections took the load: nothing skipped.
    expect(recordsOf(pooled, 'client.pool_skipped')).toHaveLength(0);
  });
});

describe('when every connection is busy', () => {
  /** 4 connections at 10/s, each request 500 ms: the pool carries at most 8/s. */
  const slow = (whenBusy: 'skip' | 'wait'): ScenarioInput =>
    ({
      warmup: '0s',
      horizon: '10s',
      clients: {
        rtt: '0.1ms',
        requests: { rate: 10, arrivals: 'paced', timeout: '60s', retries: 0, users: 4, pool: { when_busy: whenBusy } },
      },
      app: { workers: 8, service_time: 'const(500ms)' },
      lb: { mode: 'l7', balance: 'roundrobin' },
      backends: [{ name: 'vm-a' }],
    }) as ScenarioInput;

  it('skip: the due request is dropped (client.pool_skipped), the others are answered in 500 ms', () => {
    const r = run(slow('skip'));
    expect(recordsOf(r, 'client.pool_skipped').length).toBeGreaterThan(0);
    expect(r.figures['open_loop_latency.max']!).toBeLessThan(0.6);
    expect(r.figures['goodput.total']!).toBeLessThanOrEqual(80);
  });

  it('wait: it queues for the first connection to free, its wait counted in its latency', () => {
    const r = run(slow('wait'));
    expect(recordsOf(r, 'client.pool_skipped')).toHaveLength(0);
    // 2/s more than the pool carries: the queue grows, the last answers wait seconds.
    expect(r.figures['open_loop_latency.max']!).toBeGreaterThan(1.5);
  });

  it('a pool needs users', () => {
    const res = ScenarioSchema.safeParse({ clients: { requests: { rate: 1, pool: { when_busy: 'skip' } } } });
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => i.path.join('.'))).toContain('clients.requests.pool');
  });
});
