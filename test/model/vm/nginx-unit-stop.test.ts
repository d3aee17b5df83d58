/**
 * A VM's graceful stop stops nginx through Debian 12's nginx.service: `start-stop-daemon --retry
 * QUIT/5`, then systemd's SIGTERM to the master (TimeoutStopSec=5, KillMode=mixed), nginx's fast
 * shutdown (proxy/master.ts unitStop). WebSocket tunnels the QUIT keeps are cut by the kernel
 * `nginx.stop_timeout` (5 s) after it, not at the app's shutdown_grace kill; `infinite` keeps a
 * bare quit. Before session 24 nginx's QUIT ran unbounded (only worker_shutdown_timeout).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { explanationOf, lineOf } from '../../../sim/trace/catalog.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';

/** 100 long WebSocket sessions on vm-a; SIGTERM at 20 s, the app drains for 30 s (shutdown_grace). */
function sigtermUnderTunnels(stopTimeout?: string): RunResult {
  return run({
    warmup: '0s',
    horizon: '60s',
    clients: {
      ws: {
        initial_sessions: 100,
        initial_ramp: '5s',
        lifetime: 'const(24h)',
        // Reconnects come after the window measured below.
        reconnect: { policy: 'exponential', base: '50s', cap: '50s' },
      },
    },
    app: { graceful_shutdown: true, shutdown_grace: '30s' },
    nginx: { proxy_read_timeout: '1h', ...(stopTimeout !== undefined ? { stop_timeout: stopTimeout } : {}) },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '20s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
  } as ScenarioInput);
}

describe("a VM's graceful stop ends nginx's QUIT after nginx.stop_timeout", () => {
  it('default 5 s (Debian nginx.service): the tunnels are cut at 25 s, not at the grace kill (50 s)', () => {
    const r = sigtermUnderTunnels();
    expect(valueAt(r, 'ws_sessions', 24, 'vm-a')).toBe(100);
    expect(valueAt(r, 'ws_sessions', 26, 'vm-a')).toBe(0);
    const stops = recordsOf(r, 'nginx.stop');
    expect(stops).toHaveLength(1);
    expect(stops[0].t).toBeCloseTo(25, 6);
    expect(stops[0].afterQuit).toBe(5);
    expect(stops[0].open).toBe(100);
    expect(lineOf(stops[0])).toMatch(/^vm-a: nginx\.service: stop timed out 5s after its QUIT/);
    expect(explanationOf(stops[0])).toMatch(/start-stop-daemon --retry QUIT\/5/);
  });

  it('infinite: a bare quit, the tunnels stay until the app is killed at 50 s', () => {
    const r = sigtermUnderTunnels('infinite');
    expect(recordsOf(r, 'nginx.stop')).toHaveLength(0);
    expect(valueAt(r, 'ws_sessions', 49, 'vm-a')).toBe(100);
    expect(valueAt(r, 'ws_sessions', 51, 'vm-a')).toBe(0);
  });

  it('the timeline `nginx_quit` (nginx -s quit) is never followed by a stop', () => {
    const r = run({
      warmup: '0s',
      horizon: '40s',
      clients: {
        ws: {
          initial_sessions: 50,
          initial_ramp: '5s',
          lifetime: 'const(24h)',
          reconnect: { policy: 'exponential', base: '50s', cap: '50s' },
        },
      },
      nginx: { proxy_read_timeout: '1h' },
      backends: [{ name: 'vm-a' }],
      timeline: [{ at: '20s', do: 'nginx_quit', backend: 'vm-a' }],
    } as ScenarioInput);
    expect(recordsOf(r, 'nginx.stop')).toHaveLength(0);
    expect(valueAt(r, 'ws_sessions', 39, 'vm-a')).toBe(50);
  });
});

describe("a lame-duck app killed in its delay: the VM's nginx still stops (review34 #3)", () => {
  it('shutdown_delay 10 s, shutdown_grace 3 s: the grace kill at 8 s ends the app, nginx gets its QUIT then', () => {
    const r = run({
      warmup: '0s',
      horizon: '20s',
      clients: { requests: { rate: 20, timeout: '5s', retries: 0 } },
      app: { graceful_shutdown: true, shutdown_grace: '3s', shutdown_delay: '10s' },
      lb: { mode: 'l7' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
    } as ScenarioInput);
    // Before d9fba56: the delay's end found the app gone and returned: no QUIT, nginx up to the
    // end; d9fba56 quit it at the delay's end (15 s), 7 s after the app had died (review35 #3).
    const exits = recordsOf(r, 'nginx.generation_exit').filter((x) => x.backend === 'vm-a');
    expect(exits).toHaveLength(1);
    expect(exits[0].t).toBeGreaterThanOrEqual(8);
    expect(exits[0].t).toBeLessThan(8.1);
  });
});
