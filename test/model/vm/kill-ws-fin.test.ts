/**
 * kill -9 of the app under idle WebSocket tunnels: the kernel closes the app's sockets with a FIN
 * (tcp_close() resets only when received data is unread, net/ipv4/tcp.c __tcp_close), so the app
 * closed the nginx → app connection first and its orphaned socket holds TIME_WAIT on the VM, next
 * to nginx's TIME_WAIT for the client side it then closes. An abort (RST) would leave neither
 * upstream end in TIME_WAIT.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

describe('a killed app closes its WebSocket upstreams with FIN', () => {
  it('each tunnel leaves two TIME_WAITs on the VM: the app end upstream and nginx towards the client', () => {
    const r = run({
      warmup: '0s',
      horizon: '40s',
      clients: {
        ws: {
          initial_sessions: 300,
          initial_ramp: '5s',
          lifetime: 'const(24h)',
          // Reconnects come after the window measured below.
          reconnect: { policy: 'exponential', base: '20s', cap: '30s' },
        },
      },
      backends: [{ name: 'vm-a' }],
      timeline: [{ at: '20s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
    } as ScenarioInput);
    const sessions = valueAt(r, 'ws_sessions', 19, 'vm-a');
    expect(sessions).toBeGreaterThan(250);
    const tw = valueAt(r, 'time_wait', 22, 'vm-a') - valueAt(r, 'time_wait', 19, 'vm-a');
    expect(tw).toBeGreaterThanOrEqual(2 * sessions - 5);
  });
});
