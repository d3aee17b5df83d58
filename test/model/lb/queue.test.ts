/**
 * Per-server maxconn with the backend queue (lb/queue.ts; calibration/haproxy/NOTES.md item 17):
 * a server never has more than maxconn connections, the ones beyond wait for a freed slot in
 * arrival order, and a connection still waiting after timeout queue is closed (EOF).
 */
import { describe, expect, it } from 'vitest';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, series, valueAt, window } from '../helpers.js';

/** Connections of 3 requests 1 s apart (≈ 2 s each) arriving at 5/s: 10 concurrent wanted. */
function limited(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    clients: {
      http: { arrival_rate: 5, requests_per_connection: 'const(3)', think_time: 'const(1s)', retries: 0 },
    },
    lb: { mode: 'l4', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('server maxconn and timeout queue (mode tcp)', () => {
  it('maxconn 2: never more than 2 connections per server; queued connections take freed slots, none lost with a long timeout queue', () => {
    const free = run(limited({}));
    const r = run(limited({ maxconn: 2, timeout_queue: '1h' }));
    for (let t = 1; t <= 60; t++)
      for (const b of ['vm-a', 'vm-b']) expect(valueAt(r, 'active_conn', t, b)).toBeLessThanOrEqual(2);
    expect(valueAt(free, 'active_conn', 30, 'vm-a')).toBeGreaterThan(3);
    // 4 slots of ≈ 2 s: ≈ 2 new connections per second instead of 5, all served in arrival order.
    const perSecond = (sum(window(r, 'new_conn', 31, 60, 'vm-a')) + sum(window(r, 'new_conn', 31, 60, 'vm-b'))) / 30;
    expect(perSecond).toBeGreaterThan(1.6);
    expect(perSecond).toBeLessThan(2.4);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect(recordsOf(r, 'lb.queue_timeout')).toHaveLength(0);
  });

  it('timeout queue 3s: connections that find no slot within 3 s are closed (EOF), not refused or reset', () => {
    const r = run(limited({ maxconn: 2, timeout_queue: '3s' }));
    const [first] = recordsOf(r, 'lb.queue_timeout');
    expect(first.timeout).toBe(3);
    expect(first.t).toBeGreaterThanOrEqual(3);
    // ≈ 5/s arrive, ≈ 2/s get a slot: most of the rest time out.
    expect(r.figures['err_econnreset.total']!).toBeGreaterThan(100);
    expect(r.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
  });

  it('timeout queue unset waits timeout connect (src/cfgparse.c)', () => {
    const [first] = recordsOf(run(limited({ maxconn: 2, connect_timeout: '2s' })), 'lb.queue_timeout');
    expect(first.timeout).toBe(2);
  });

  it('maxconn with lb.mode nat is a scenario error; l7 queues requests (l7-queue.test.ts)', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'nat', maxconn: 10 } });
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => i.path.join('.'))).toContain('lb.maxconn');
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l7', maxconn: 10, timeout_queue: '2s' } }).success).toBe(true);
  });
});

describe('leastconn with maxqueue in mode tcp (lb/l4-connect.ts attempt)', () => {
  it('maxconn 2 maxqueue 1: a full server takes the stream into its own queue, never beyond maxconn, and serves it', () => {
    // fwlc_get_next_server(), src/lb_fwlc.c, may return a full server while served + queued <
    // maxconn + maxqueue; assign_server_and_queue(), src/backend.c, then queues the stream there.
    const r = run(limited({ balance: 'leastconn', maxconn: 2, maxqueue: 1, timeout_queue: '1h' }));
    const s = (b: string) => series(r, 'active_conn', b).map(([, v]) => v);
    for (const b of ['vm-a', 'vm-b']) expect(Math.max(...s(b))).toBe(2);
    // The queued connections are served: ≈ 2 new connections a second on the 4 slots, no errors.
    const perSecond = (sum(window(r, 'new_conn', 31, 60, 'vm-a')) + sum(window(r, 'new_conn', 31, 60, 'vm-b'))) / 30;
    expect(perSecond).toBeGreaterThan(1.6);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect(recordsOf(r, 'lb.queue_timeout')).toHaveLength(0);
  });
});
