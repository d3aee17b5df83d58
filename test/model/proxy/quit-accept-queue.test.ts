/**
 * nginx's QUIT closes its listening sockets (the master at once, each worker after its current
 * event-loop pass: ngx_master_process_cycle, ngx_worker_process_cycle → ngx_close_listening_sockets,
 * src/os/unix/ngx_process_cycle.c), and at the last close the kernel resets the connections still
 * in the accept queue (net/ipv4/inet_connection_sock.c inet_csk_listen_stop → inet_child_forget →
 * tcp_disconnect: RST). With TLS in nginx a storm of new connections waits there for its one
 * busy worker (proxy/worker-queues.ts notAccepted): at the QUIT those are reset
 * (NginxWorkers.dropUnaccepted, master.ts closeListeners); the worker keeps the handshake in
 * progress and the connection its pass accepted. A reload hands the sockets to the new cycle
 * (ngx_init_cycle): nothing is reset. Before session 21 the QUITted worker served the whole queue.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

const SIGNAL_AT = 3;

/**
 * One nginx worker, TLS in nginx at 5 ms a full handshake (200/s), 300 new client connections a
 * second (one request each, no retry) until the signal at 3 s: the storm queues 100 connections a
 * second in the kernel's accept queue (within listen_backlog 511: no SYN dropped) — about 300 at
 * the signal, which the worker would take 1.5 s to handshake.
 */
function storm(signal: 'nginx_quit' | 'nginx_reload'): RunResult {
  return run({
    warmup: '0s',
    horizon: '8s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 300,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10ms)',
        retries: 0,
        request_timeout: '60s',
      },
    },
    nginx: { worker_processes: 1, worker_connections: 65536 },
    app: {
      workers: 1000,
      service_time: 'const(1ms)',
      tls: { terminates: 'nginx', handshake_cpu: '5ms', session_tickets: false },
    },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: `${SIGNAL_AT}s`, do: 'load', http_rate: 0 },
      { at: `${SIGNAL_AT}s`, do: signal, backend: 'vm-a' },
    ],
  } as ScenarioInput);
}

describe("nginx's QUIT resets the connections waiting in its own accept queue", () => {
  it('a TLS storm on one worker: the queued connections get RST when the worker ends the handshake in progress; it serves only what it holds', () => {
    const r = storm('nginx_quit');
    const reset = r.events.filter((l) => l.record.kind === 'nginx.accept_queue_reset');
    expect(reset).toHaveLength(1);
    const at = reset[0].t;
    expect(at).toBeGreaterThanOrEqual(SIGNAL_AT);
    expect(at).toBeLessThanOrEqual(SIGNAL_AT + 0.005 + 1e-9); // one handshake at most
    const n = (reset[0].record as { reset: number }).reset;
    expect(n).toBeGreaterThan(250);
    expect(between(r, 'reset_out', SIGNAL_AT - 0.01, SIGNAL_AT + 1)).toBeGreaterThanOrEqual(n);
    expect(r.figures['err_econnreset.total']).toBeGreaterThanOrEqual(n);
    // Before: the QUITted worker went on handshaking the whole queue (~300 at 200/s: 1.5 s), none reset.
    expect(between(r, 'responses_2xx', SIGNAL_AT + 0.1, 8)).toBeLessThanOrEqual(2);
  });

  it('a reload (no reuseport) keeps the socket: nothing is reset, the queue is served', () => {
    const r = storm('nginx_reload');
    expect(r.events.some((l) => l.record.kind === 'nginx.accept_queue_reset')).toBe(false);
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect(between(r, 'responses_2xx', SIGNAL_AT + 0.1, 8)).toBeGreaterThan(250);
  });
});
