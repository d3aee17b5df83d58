/**
 * lb.frontend_maxconn with thousands of connections waiting in the accept queue, each answered by
 * HAProxy itself the moment it is accepted (no usable server: 503, and the client's close frees the
 * slot again). Real HAProxy accepts them one listener_accept() after another (listener_release()
 * only re-enables polling: resume_listener(), src/listener.c v2.6.0); the model's listener takes
 * them in one loop (FrontendListener.slotFreed). Before session 35's guard each accept nested
 * inside the previous one's close and ~10,000 waiting overflowed the call stack (RangeError,
 * "drainsim: internal error").
 * Regime: maxconn 1, backlog 60,000, 5,000 connects a second for 2 s while the first request holds
 * the only slot for 10 s; at 3 s s1 goes to maint and its sessions are shut down.
 */
import { describe, expect, it } from 'vitest';
import { between, pacedConnects, run } from '../helpers.js';

describe('lb.frontend_maxconn: a deep accept queue drained at once', () => {
  it('accepts and answers every waiting connection without nesting one accept per connection', () => {
    const r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '6s',
        sample_interval: '1s',
        clients: pacedConnects(5000, { think_time: 'const(0s)', request_timeout: '60s' }),
        app: {
          workers: 64,
          keepalive_timeout: '5s',
          accept_model: 'worker_per_connection',
          service_time: 'const(10s)',
        },
        lb: {
          mode: 'l7',
          timeout_client: '30s',
          timeout_server: '30s',
          frontend_maxconn: 1,
          frontend_backlog: 60000,
          kernel: { somaxconn: 65535 },
        },
        backends: [{ name: 's1', proxy: 'none' }],
        timeline: [
          { at: '2s', do: 'load', http_rate: 0 },
          { at: '3s', do: 'set_server', backend: 's1', state: 'maint' },
          { at: '3s', do: 'shutdown_sessions', backend: 's1' },
        ],
      },
      1,
    );
    // At 3 s the first stream is shut down (5xx) and the 9,999 that waited behind it are answered 503.
    expect(between(r, 'responses_5xx', 2.5, 3.5)).toBe(10000);
    expect(between(r, 'requests', 0, 6)).toBe(10000);
  });
});
