/**
 * A worker with no connection free keeps its place in the listening socket's wait queue
 * (proxy/listen-wait-queue.ts ListenWaitQueue.pick `refuses`, proxy/nginx.ts refusesAccept): in
 * ngx_event_accept (src/event/ngx_event_accept.c) ngx_get_connection (src/core/ngx_connection.c,
 * after ngx_drain_connections found no reusable connection) returns NULL — "worker_connections are
 * not enough" — and ngx_event_accept closes the accepted socket and returns before
 * ngx_reorder_accept_events: no re-add (EPOLL_CTL_DEL + ADD), no `c->requests++`. Once first in the
 * queue, the full worker is woken (EPOLLEXCLUSIVE: the first idle waiter, fs/eventpoll.c) for every
 * new connection and refuses each, though the other worker has room.
 */
import { describe, expect, it } from 'vitest';
import { WORKER_OWN_CONNECTIONS } from '../../../sim/model/proxy/worker-connections.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, valueAt } from '../helpers.js';

/**
 * The sessions worker 0 accepts before it is full, by the wait queue's rule (1, 1, then blocks of 16;
 * every accept while short of connections): sessions 0, 2–17, 34, 35 (to the tail: fewer than
 * 42/8 free) and 52 (its 20th tunnel: none free). They last; worker 1's last 200 ms, so it always
 * has room.
 */
const WORKER0 = new Set([0, ...Array.from({ length: 16 }, (_, i) => 2 + i), 34, 35, 52]);

/** 2 workers with room for 20 tunnels each; 100 WebSocket upgrades 100 ms apart (each worker idle at every arrival). */
const upgrades: ScenarioInput = {
  start: '00:00:00',
  warmup: '0s',
  horizon: '12s',
  sample_interval: '100ms',
  clients: {
    ws: {
      ping_interval: 'none',
      scheduled: Array.from({ length: 100 }, (_, i) => ({
        at: `${1000 + 100 * i}ms`,
        lifetime: WORKER0.has(i) ? '1h' : '200ms',
      })),
      reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
    },
  },
  nginx: { worker_processes: 2, worker_connections: WORKER_OWN_CONNECTIONS + 2 * 20 },
  app: { ws: { handshake_time: '0s' } },
  backends: [{ name: 'vm-a' }],
};

describe('a full worker at the head of the wait queue refuses every new connection', () => {
  it('worker 0 full of tunnels: after worker 1’s block of 16 every accept goes to worker 0 and is refused', () => {
    const r = run(upgrades, 1);
    // Worker 0 takes its 20th tunnel with session 52 (at 6.2 s) and is sent to the tail (short of
    // connections); worker 1 then leads for its block (counts 33–47: sessions 53–67) and is
    // re-added behind it at session 68. From session 69 (7.9 s) worker 0 is first, idle and full:
    // each of the last 31 is accepted by it and closed at once — FIN before the upgrade came, the
    // worker idle (worker-connections.ts refusedClose), so the client reads EOF (ECONNRESET) —
    // while worker 1 holds no tunnel at all. Before, worker 0 went to the tail at each refusal and
    // worker 1 took the rest: 2 refusals in all.
    expect(r.figures['err_econnreset.total']).toBe(31);
    expect(between(r, 'err_econnreset', 0, 7.9)).toBe(0);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    expect(between(r, 'upstream_connects', 7.9, 12)).toBe(0);
    expect(valueAt(r, 'ws_sessions', 11.9)).toBe(20);
    const refused = r.events.filter((l) => l.record.kind === 'nginx.worker_connections_not_enough');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((l) => (l.record as { worker: number; upstream: boolean }).worker === 0)).toBe(true);
    expect(refused.every((l) => !(l.record as { upstream: boolean }).upstream)).toBe(true);
  });
});
