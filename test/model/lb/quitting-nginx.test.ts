/**
 * Open-loop dispatch to a quitting nginx: after `nginx -s quit` the workers have closed their
 * listening sockets (ngx_close_listening_sockets), so the balancer's SYN is reset and the request
 * goes elsewhere; only `running` (a process still holding connections) is not enough to accept.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const quitScenario: ScenarioInput = {
  warmup: '0s',
  horizon: '20s',
  // A few WebSocket tunnels keep the quitting generation alive (QUITTING, not STOPPED): it still
  // runs but no longer listens.
  clients: { requests: { rate: 100, timeout: '2s', retries: 2 }, ws: { initial_sessions: 20 } },
  app: { workers: 8, service_time: 'const(5ms)' },
  lb: { mode: 'l4' },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  timeline: [{ at: '10s', do: 'nginx_quit', backend: 'vm-a' }],
} as ScenarioInput;

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('a quitting nginx accepts no new connection from the balancer', () => {
  it('no request is served by vm-a after its nginx quit; vm-b takes them', () => {
    const r = run(quitScenario);
    expect(sum(window(r, 'goodput', 3, 10, 'vm-a'))).toBeGreaterThan(100);
    expect(sum(window(r, 'goodput', 11, 20, 'vm-a'))).toBe(0);
    expect(sum(window(r, 'goodput', 11, 20, 'vm-b'))).toBeGreaterThan(700);
  });
});
