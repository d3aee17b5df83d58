/**
 * nginx's worker_connections (proxy/worker-connections.ts): each worker's connection array holds
 * its listening socket and master channel, its clients and their upstream connections. When a
 * new connection leaves ≤ worker_connections/16 free, ngx_drain_connections closes the
 * longest-idle keep-alive clients (FIN, they reconnect); with none free an accepted client is
 * closed at once (FIN or RST: refusedClose) and an upstream connect fails (500). 512 by default
 * (nginx's DEFAULT_CONNECTIONS, src/event/ngx_event.c); 0 = not modelled.
 * Held-out recordings: calibration/data/nginx-holdout4-worker-connections64*-rt.json and
 * nginx-holdout4-wc64-burst*-rt.json (test/calibration/nginx-holdout4.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { WORKER_OWN_CONNECTIONS } from '../../../sim/model/proxy/worker-connections.js';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';
import { wcBurst, wsUpgrades } from './wc-burst-fixture.js';

const burst = (nginx: Record<string, unknown>): ScenarioInput => wcBurst(nginx);

const records = (r: RunResult, kind: string) => r.events.filter((l) => l.record.kind === kind);

describe('nginx worker_connections', () => {
  it("defaults to nginx's 512 (DEFAULT_CONNECTIONS)", () => {
    expect(ScenarioSchema.parse(burst({})).nginx.worker_connections).toBe(512);
  });

  it('0 (not modelled): nothing is drained or dropped however many clients', () => {
    const r = run(burst({ worker_connections: 0 }), 1);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect(records(r, 'nginx.worker_connections_reuse')).toHaveLength(0);
    expect(records(r, 'nginx.worker_connections_not_enough')).toHaveLength(0);
  });

  it('large enough (2 + 2 per client): the same run as unset', () => {
    const free = run(burst({ worker_connections: 0 }), 1);
    const clients = free.figures['new_conn.total']!;
    const r = run(burst({ worker_connections: WORKER_OWN_CONNECTIONS + 2 * clients + 16 }), 1);
    expect(r.figures).toEqual(free.figures);
  });

  it('too small: thinking clients are closed to make room (they reconnect), clients beyond it are closed at the accept', () => {
    const free = run(burst({}), 1);
    const clients = free.figures['new_conn.total']!;
    expect(clients).toBeGreaterThan(12);
    // Room for 12 requests in flight, not for every client.
    const r = run(burst({ worker_connections: WORKER_OWN_CONNECTIONS + 24 }), 1);
    const reuse = records(r, 'nginx.worker_connections_reuse');
    expect(reuse.length).toBeGreaterThan(0);
    // ngx_drain_connections: max(min(32, idle/8), 1) of the idle ones per call.
    for (const l of reuse) {
      const rec = l.record as { closed: number; idle: number };
      expect(rec.closed).toBe(Math.max(Math.min(32, Math.floor(rec.idle / 8)), 1));
    }
    // Accepted and closed at once, by an idle worker before the request came: FIN, the client reads
    // EOF (ECONNRESET, "socket hang up"), its request meets RST, no TIME_WAIT on the VM
    // (wc-refused-close.test.ts).
    const dropped = records(r, 'nginx.worker_connections_not_enough');
    expect(dropped.length).toBeGreaterThan(0);
    expect(r.figures['err_econnreset.total']).toBeGreaterThan(0);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    // Every drained client reconnects for its next request: more connections than clients.
    expect(r.figures['new_conn.total']).toBeGreaterThan(clients + 10);
    // Never more than 12 answers in flight: at most 12 per second-long request.
    expect(r.figures['responses_2xx.peak_per_s']).toBeLessThanOrEqual(12);
  });

  it('each worker counts its own clients (two workers hold twice as many)', () => {
    const one = run(burst({ worker_connections: WORKER_OWN_CONNECTIONS + 24 }), 1);
    const two = run(burst({ worker_connections: WORKER_OWN_CONNECTIONS + 24, worker_processes: 2 }), 1);
    expect(two.figures['responses_2xx.total']!).toBeGreaterThan(one.figures['responses_2xx.total']! * 1.3);
  });

  it('a WebSocket takes two connections and is refused like any other: closed at the accept, 500 at the upstream', () => {
    // 100 upgrades at t = 1 s (no reconnect before the horizon); room for 40 tunnels (2 each).
    const ws = (worker_connections: number): ScenarioInput => wsUpgrades({ worker_processes: 1, worker_connections });
    // A connection counts from its accept, decided as its upgrade reaches nginx (one in the
    // kernel's accept queue holds none), the upgrades one after another: 40 tunnels (2 each) fill
    // the worker and the other 60 find no connection for their accept (ngx_event_accept closes
    // them: FIN, the worker being idle; each client reads EOF, ECONNRESET).
    const r = run(ws(WORKER_OWN_CONNECTIONS + 2 * 40), 1);
    expect(valueAt(r, 'ws_sessions', 2)).toBe(40);
    expect(r.figures['err_econnreset.total']).toBe(60);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
    const refused = records(r, 'nginx.worker_connections_not_enough').map((l) => l.record as { upstream: boolean });
    expect(refused.every((x) => !x.upstream)).toBe(true);
    // One connection more: each of the 60 is accepted into it and finds none for its upstream
    // (ngx_event_connect_peer: 500), which frees it for the next.
    const odd = run(ws(WORKER_OWN_CONNECTIONS + 2 * 40 + 1), 1);
    expect(valueAt(odd, 'ws_sessions', 2)).toBe(40);
    expect(odd.figures['reset_out.total'] ?? 0).toBe(0);
    expect(odd.figures['responses_5xx.total']).toBe(60);
    const upstream = records(odd, 'nginx.worker_connections_not_enough').map((l) => l.record as { upstream: boolean });
    expect(upstream.length).toBeGreaterThan(0);
    expect(upstream.every((x) => x.upstream)).toBe(true);
    // Room for all: no refusal.
    const roomy = run(ws(WORKER_OWN_CONNECTIONS + 2 * 100), 1);
    expect(valueAt(roomy, 'ws_sessions', 2)).toBe(100);
    expect(records(roomy, 'nginx.worker_connections_not_enough')).toHaveLength(0);
  });
});
