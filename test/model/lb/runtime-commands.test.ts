/**
 * HAProxy's runtime API and `on-marked-down shutdown-sessions` (calibration/haproxy/NOTES.md items
 * 11–14): drain and maint keep established streams, `shutdown sessions server` ends them at once
 * with a FIN (never an RST), and so does a DOWN with on-marked-down shutdown-sessions — and so does
 * maint of a running server with it (srv_update_status(), src/server.c; calibration/data/haproxy-maint-onmarkeddown-*).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt, window } from '../helpers.js';

/** Keep-alive clients (long-lived connections) through the L4 balancer to two backends. */
function streams(timeline: ScenarioInput['timeline'], extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: {
      // idle_timeout 0s: long-lived connections, never closed idle by the client itself.
      http: {
        arrival_rate: 5,
        requests_per_connection: 'const(1000)',
        think_time: 'exp(mean=1s)',
        idle_timeout: '0s',
        retries: 0,
      },
    },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline,
    ...extra,
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('runtime API', () => {
  it('set server state drain: no new flow to vm-a, its established flows carry on', () => {
    const r = run(streams([{ at: '10s', do: 'set_server', backend: 'vm-a', state: 'drain' }]));
    const before = valueAt(r, 'active_conn', 10, 'vm-a');
    expect(before).toBeGreaterThan(10);
    expect(sum(window(r, 'new_conn', 11, 40, 'vm-a'))).toBe(0);
    expect(valueAt(r, 'active_conn', 20, 'vm-a')).toBe(before);
    expect(recordsOf(r, 'lb.set_state')).toHaveLength(1);
  });

  it('shutdown sessions server: every stream of vm-a ends at once with a FIN, no RST; vm-b untouched', () => {
    const r = run(
      streams([
        { at: '10s', do: 'set_server', backend: 'vm-a', state: 'drain' },
        { at: '15.5s', do: 'shutdown_sessions', backend: 'vm-a' },
      ]),
    );
    const onA = valueAt(r, 'active_conn', 15, 'vm-a');
    expect(onA).toBeGreaterThan(10);
    expect(valueAt(r, 'active_conn', 16, 'vm-a')).toBe(0);
    expect(sum(window(r, 'closed_fin', 16, 16, 'vm-a'))).toBeGreaterThanOrEqual(onA);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    expect(valueAt(r, 'active_conn', 16, 'vm-b')).toBeGreaterThanOrEqual(valueAt(r, 'active_conn', 15, 'vm-b'));
    expect(recordsOf(r, 'lb.shutdown_sessions')[0].streams).toBe(onA);
  });

  it("on-marked-down shutdown-sessions: a hung vm-a's streams end with FIN when checks mark it DOWN; without it they stay", () => {
    const hung = (onMarkedDown: 'none' | 'shutdown-sessions') =>
      run(
        streams([{ at: '5s', do: 'pause', backend: 'vm-a', duration: '60s' }], {
          health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, on_marked_down: onMarkedDown },
        } as Partial<ScenarioInput>),
      );
    const withIt = hung('shutdown-sessions');
    const down = recordsOf(withIt, 'hc.down')[0];
    expect(down.reason).toBe('Layer7 timeout');
    const shut = recordsOf(withIt, 'lb.shutdown_sessions')[0];
    expect(shut.t).toBe(down.t);
    expect(shut.streams).toBeGreaterThan(5);
    expect(valueAt(withIt, 'active_conn', Math.ceil(down.t) + 1, 'vm-a')).toBe(0);
    const without = hung('none');
    expect(recordsOf(without, 'lb.shutdown_sessions')).toHaveLength(0);
    expect(valueAt(without, 'active_conn', Math.ceil(down.t) + 1, 'vm-a')).toBeGreaterThan(5);
  });
  describe('set server state maint with on-marked-down shutdown-sessions (srv_update_status(), src/server.c)', () => {
    const hc = (onMarkedDown: 'none' | 'shutdown-sessions') =>
      ({
        health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, on_marked_down: onMarkedDown },
      }) as Partial<ScenarioInput>;

    it("a running vm-a's streams end with FIN at the command; without the option they stay", () => {
      const maint = (o: 'none' | 'shutdown-sessions') =>
        run(streams([{ at: '10.5s', do: 'set_server', backend: 'vm-a', state: 'maint' }], hc(o)));
      const withIt = maint('shutdown-sessions');
      const onA = valueAt(withIt, 'active_conn', 10, 'vm-a');
      expect(onA).toBeGreaterThan(10);
      const shut = recordsOf(withIt, 'lb.shutdown_sessions');
      expect(shut).toHaveLength(1);
      expect(shut[0]).toMatchObject({ t: 10.5, backend: 'vm-a', cause: 'maint' });
      expect(shut[0].streams).toBeGreaterThanOrEqual(onA - 2);
      expect(valueAt(withIt, 'active_conn', 11, 'vm-a')).toBe(0);
      expect(sum(window(withIt, 'closed_fin', 11, 11, 'vm-a'))).toBeGreaterThanOrEqual(onA);
      expect(withIt.figures['reset_out.total'] ?? 0).toBe(0);
      const without = maint('none');
      expect(recordsOf(without, 'lb.shutdown_sessions')).toHaveLength(0);
      expect(valueAt(without, 'active_conn', 11, 'vm-a')).toBeGreaterThan(10);
      expect(valueAt(without, 'active_conn', 20, 'vm-a')).toBe(valueAt(without, 'active_conn', 11, 'vm-a'));
    });

    it('a drained server is still running: drain then maint shuts its streams at the maint', () => {
      const r = run(
        streams(
          [
            { at: '10s', do: 'set_server', backend: 'vm-a', state: 'drain' },
            { at: '15s', do: 'set_server', backend: 'vm-a', state: 'maint' },
          ],
          hc('shutdown-sessions'),
        ),
      );
      const shut = recordsOf(r, 'lb.shutdown_sessions');
      expect(shut).toHaveLength(1);
      expect(shut[0]).toMatchObject({ t: 15, cause: 'maint' });
      expect(shut[0].streams).toBeGreaterThan(10);
      expect(valueAt(r, 'active_conn', 16, 'vm-a')).toBe(0);
    });

    it('a server already DOWN enters maint without a second shutdown ("was DOWN and now enters maintenance")', () => {
      const r = run(
        streams(
          [
            { at: '5s', do: 'pause', backend: 'vm-a', duration: '60s' },
            { at: '30s', do: 'set_server', backend: 'vm-a', state: 'maint' },
          ],
          hc('shutdown-sessions'),
        ),
      );
      const shut = recordsOf(r, 'lb.shutdown_sessions');
      expect(shut.map((x) => x.cause)).toEqual(['down']);
      expect(shut[0].t).toBeLessThan(30);
    });
  });
});
