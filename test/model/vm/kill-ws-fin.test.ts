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

describe('a killed app closes the WebSocket sessions whose LB flow was forgotten too', () => {
  it('remove (flows forgotten) then kill: the sessions leave the VM at the kill, not at each client ping', () => {
    const r = run({
      warmup: '0s',
      horizon: '40s',
      clients: {
        // Pings every 60 s: the clients would learn of the forgotten flows only after the window.
        ws: {
          initial_sessions: 300,
          initial_ramp: '5s',
          lifetime: 'const(24h)',
          ping_interval: '60s',
          reconnect: { policy: 'exponential', base: '20s', cap: '30s' },
        },
      },
      nginx: { proxy_read_timeout: '1h' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [
        { at: '20s', do: 'remove', backend: 'vm-a' },
        { at: '20s', do: 'terminate', backend: 'vm-a', mode: 'kill' },
      ],
    } as ScenarioInput);
    expect(valueAt(r, 'ws_sessions', 19, 'vm-a')).toBeGreaterThan(100);
    // A dead process holds no session; before the fix the killed app kept them all until each client's next ping.
    expect(valueAt(r, 'ws_sessions', 22, 'vm-a')).toBe(0);
    // The app's FIN leaves its end of each tunnel in TIME_WAIT (an RST at the client's ping would leave none).
    const tw = valueAt(r, 'time_wait', 22, 'vm-a') - valueAt(r, 'time_wait', 19, 'vm-a');
    expect(tw).toBeGreaterThan(100);
  });
});
