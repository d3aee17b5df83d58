/**
 * nginx's QUIT with WebSocket clients whose upgrade is already scheduled (clients/websocket.ts
 * awaitHandshake: the upgrade GET goes out a round trip after the connection's TLS handshake,
 * which waits on its worker, proxy/worker-cpu.ts doneIn). nginx 1.22.1:
 * - A connection still in the kernel's accept queue when the last copy of the listening socket
 *   closes (each worker after its current pass, ngx_worker_process_cycle →
 *   ngx_close_listening_sockets) is reset (net/ipv4/inet_connection_sock.c inet_csk_listen_stop),
 *   whatever the client meant to send on it: its upgrade meets the RST, and it reconnects by its
 *   policy (master.ts resetQueued; session 22). Before, the model left these out and the QUITted
 *   worker handshook and upgraded them all.
 * - A connection the worker holds (handshake in progress, or done with its upgrade on the way) is
 *   not idle: only ngx_http_set_keepalive sets `c->idle` (src/http/ngx_http_request.c), so the
 *   QUIT's ngx_close_idle_connections leaves it; its upgrade is proxied as usual
 *   (ngx_http_upstream_upgrade has no exiting test) and the tunnel stays until it ends or
 *   worker_shutdown_timeout (ngx_shutdown_timer_handler). Pinned here; the model was already right.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

const QUIT_AT = 1.2;

/**
 * One nginx worker, 1,000 WebSocket sessions connecting at 1 s, each a full TLS handshake of 1 ms
 * in nginx (1 s of the worker's CPU; the burst fits the 4,096 listen backlog), `nginx -s quit` at
 * 1.2 s: ~170 handshakes done by then (their final ACKs came at 1.03 s), ~830 still queued.
 */
function burst(quit: boolean): RunResult {
  return run(
    {
      start: '00:00:00',
      warmup: '0s',
      horizon: '5s',
      sample_interval: '10ms',
      clients: {
        ws: {
          ping_interval: 'none',
          pong_timeout: '20s',
          scheduled: Array.from({ length: 1000 }, () => ({ at: '1s', lifetime: '1h' })),
          reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
        },
      },
      nginx: { worker_processes: 1, listen_backlog: 4096, worker_connections: 16384 },
      app: { ws: { handshake_time: '0s' }, tls: { terminates: 'nginx', handshake_cpu: '1ms' } },
      backends: [{ name: 'vm-a' }],
      timeline: quit ? [{ at: `${QUIT_AT}s`, do: 'nginx_quit', backend: 'vm-a' }] : [],
    } as ScenarioInput,
    1,
  );
}

describe("nginx's QUIT with WebSocket upgrades waiting for their TLS handshake", () => {
  it('the connections still in the accept queue are reset; those the worker holds upgrade and keep their tunnels', () => {
    const r = burst(true);
    const reset = r.events.filter((l) => l.record.kind === 'nginx.accept_queue_reset');
    expect(reset).toHaveLength(1);
    expect(reset[0].t).toBeGreaterThanOrEqual(QUIT_AT);
    expect(reset[0].t).toBeLessThanOrEqual(QUIT_AT + 0.001 + 1e-9); // one handshake at most
    const n = (reset[0].record as { reset: number }).reset;
    expect(n).toBeGreaterThan(780);
    expect(n).toBeLessThan(860);
    expect(r.figures['reset_out.total']).toBe(n);
    // Those handshaken by the QUIT, their upgrades a round trip behind, plus the 2 the worker
    // held, all upgraded and kept (no worker_shutdown_timeout): 1,000 − n sessions to the end.
    const sessions = valueAt(r, 'ws_sessions', 4.9);
    expect(sessions).toBe(1000 - n);
    expect(valueAt(r, 'ws_sessions', 1.3)).toBe(1000 - n);
  });

  it('without the QUIT all 1,000 upgrade (the regime: the worker handshakes the burst until ~2 s)', () => {
    const r = burst(false);
    expect(valueAt(r, 'ws_sessions', 2.2)).toBe(1000);
  });
});
