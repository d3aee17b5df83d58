/**
 * lb.mode l7: a server entering maint closes its idle server connections at once
 * (lb/l7-server-conns.ts cleanupConnections). HAProxy 2.6 src/server.c srv_update_status(), the
 * "server was still running" branch of entering maint, calls srv_cleanup_connections(): every idle
 * and safe connection moves to `toremove_conns` and the cleanup task destroys it now — not at the
 * next idle_conn_task visit (pool-purge-delay), nor at nginx's keepalive_timeout.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { scenario } from '../helpers.js';

/** Keep-alive clients (20 requests per connection, 1 s think time), 100-ms requests: a pool of idle connections. */
const input = (reuse: string, timeline: unknown[]) =>
  ({
    warmup: '0s',
    horizon: '30s',
    clients: {
      rtt: '30ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'const(1s)', retries: 2 },
    },
    app: { workers: 64, service_time: 'const(100ms)' },
    lb: { mode: 'l7', http_reuse: reuse },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline,
  }) as ScenarioInput;

describe('a server entering maint closes its idle server connections (srv_cleanup_connections)', () => {
  for (const [how, action] of [
    ['set_server maint', { at: '20s', do: 'set_server', backend: 'vm-a', state: 'maint' }],
    ['l7 remove', { at: '20s', do: 'remove', backend: 'vm-a' }],
  ] as const) {
    it(`${how}: the pool is empty right after, every idle connection reset at that instant`, () => {
      const model = buildModel(scenario(input('always', [action])));
      const w = model.world;
      const conns = model.serverConns!;
      // HAProxy's own closes of vm-a's connections (an RST each: reset_in) and when.
      const resets: number[] = [];
      const inc = w.metrics.inc.bind(w.metrics);
      w.metrics.inc = (id, b) => {
        if (id === w.c.resetIn && b === 0) resets.push(w.now);
        inc(id, b);
      };
      startModel(model);
      w.engine.run(19.999);
      const before = conns.idleCount(0);
      // Reuse-heavy traffic keeps a pool at the maint instant.
      expect(before).toBeGreaterThan(5);
      const tw = w.backends[0].timeWaitCount(w.now);
      resets.length = 0;
      w.engine.run(20.0001);
      expect(conns.idleCount(0)).toBe(0);
      const atMaint = resets.filter((t) => t === 20).length;
      // The ones pooled at 19.999 (give or take one taken or returned in the last ms).
      expect(atMaint).toBeGreaterThanOrEqual(before - 2);
      expect(atMaint).toBeLessThanOrEqual(before + 2);
      // HAProxy's close is an RST: nginx's side keeps no TIME_WAIT for them.
      expect(w.backends[0].timeWaitCount(w.now)).toBeLessThanOrEqual(tw + 2);
      // vm-b keeps its pool.
      expect(conns.idleCount(1)).toBeGreaterThan(0);
    });
  }

  it('a server already DOWN when it enters maint keeps its pool (that branch calls no cleanup)', () => {
    const model = buildModel(
      scenario(input('always', [{ at: '20s', do: 'set_server', backend: 'vm-a', state: 'maint' }])),
    );
    const w = model.world;
    startModel(model);
    w.engine.run(19.999);
    // Marked DOWN (as its checks would) just before: cur_state SRV_ST_STOPPED.
    w.lb.setHealth(0, false);
    const before = model.serverConns!.idleCount(0);
    expect(before).toBeGreaterThan(5);
    w.engine.run(20.0001);
    expect(model.serverConns!.idleCount(0)).toBe(before);
  });

  it("a running server marked DOWN by its checks keeps its pool: only maint's branch calls srv_cleanup_connections", () => {
    // HAProxy v2.6.0: the check's failure goes check_notify_failure() → srv_set_stopped()
    // (src/check.c) → srv_update_status() (src/server.c), whose DOWN branch (`cur_state !=
    // SRV_ST_STOPPED && next_state == SRV_ST_STOPPED`) calls set_server_status_down, the optional
    // srv_shutdown_streams and pendconn_redistribute — no srv_cleanup_connections(), which v2.6.0
    // calls only from the maint branch, an address/port change and `set server … ssl`. The pool
    // is left to idle_conn_task (srv_cleanup_idle_conns, pool-purge-delay) and nginx's timeout.
    const model = buildModel(
      scenario({
        ...input('always', [{ at: '18s', do: 'health_404', backend: 'vm-a' }]),
        health_check: { type: 'http', inter: '1s', fall: 2 },
      } as ScenarioInput),
    );
    const w = model.world;
    const conns = model.serverConns!;
    // When vm-a's checks mark it DOWN, and its pool then.
    let downAt = -1;
    let before = -1;
    const setHealth = w.lb.setHealth.bind(w.lb);
    w.lb.setHealth = (b, up) => {
      if (b === 0 && !up && downAt < 0) {
        downAt = w.now;
        before = conns.idleCount(0);
      }
      return setHealth(b, up);
    };
    const resets: number[] = [];
    const inc = w.metrics.inc.bind(w.metrics);
    w.metrics.inc = (id, b) => {
      if (id === w.c.resetIn && b === 0) resets.push(w.now);
      inc(id, b);
    };
    startModel(model);
    w.engine.run(25);
    expect(downAt).toBeGreaterThan(18);
    // Reuse-heavy traffic keeps a pool at the DOWN instant.
    expect(before).toBeGreaterThan(5);
    w.engine.run(downAt + 0.0001);
    // Nothing closed at the DOWN (a stream still on vm-a may hand one more back).
    expect(resets.filter((t) => t === downAt)).toEqual([]);
    expect(conns.idleCount(0)).toBeGreaterThanOrEqual(before);
  });
});
