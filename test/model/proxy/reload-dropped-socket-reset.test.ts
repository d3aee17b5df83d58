/**
 * `nginx -s reload` with `listen … reuseport` and fewer worker_processes: ngx_init_cycle
 * (src/core/ngx_cycle.c) matches each new listening entry with the first unmatched old one of the
 * same address, in order, so new worker k inherits old worker k's socket; the old entries left
 * over (`remain == 0`) are closed by the master ("close the unnecessary listening sockets"), and
 * only the old workers, forked with every fd of their cycle, still hold them. At their QUIT each
 * closes them after its current event-loop pass (ngx_worker_process_cycle →
 * ngx_close_listening_sockets, src/os/unix/ngx_process_cycle.c), and at the last close Linux
 * resets the connections still in those sockets' accept queues (net/ipv4/inet_connection_sock.c
 * inet_csk_listen_stop → inet_child_forget: RST; net.ipv4.tcp_migrate_req 0, so
 * reuseport_migrate_sock moves none to another socket of the group). With TLS in nginx a storm
 * fills those queues (proxy/worker-queues.ts notAccepted): master.ts closeDropped resets them.
 * Before session 22 the QUITted old worker served its whole queue.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

const RELOAD_AT = 2;
/** ngx_master_process_cycle: ngx_msleep(100) between the new workers' fork and the old ones' QUIT. */
const QUIT_AT = RELOAD_AT + 0.1;

/**
 * Two nginx workers with `reuseport`, TLS in nginx at 5 ms a full handshake (200/s a worker), 600
 * new client connections a second (one request each, no retry) until the reload at 2 s: the
 * kernel hashes them evenly over the two sockets, so each worker's accept queue grows by about
 * 100 a second (about 200 each at the reload, 400 in all: within listen_backlog 511, no SYN
 * dropped). The reload sets `worker_processes` to `after`.
 */
function storm(after: number, reuseportAfter = true): RunResult {
  return run({
    warmup: '0s',
    horizon: '6s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 600,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10ms)',
        retries: 0,
        request_timeout: '60s',
      },
    },
    nginx: { worker_processes: 2, worker_connections: 65536, reuseport: true },
    app: {
      workers: 1000,
      service_time: 'const(1ms)',
      tls: { terminates: 'nginx', handshake_cpu: '5ms', session_tickets: false },
    },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: `${RELOAD_AT}s`, do: 'load', http_rate: 0 },
      {
        at: `${RELOAD_AT}s`,
        do: 'nginx_reload',
        backend: 'vm-a',
        nginx: { worker_processes: after, reuseport: reuseportAfter },
      },
    ],
  } as ScenarioInput);
}

const resets = (r: RunResult) => r.events.filter((l) => l.record.kind === 'nginx.accept_queue_reset');

describe('a reload that drops reuseport sockets resets their accept queues at the old workers QUIT', () => {
  it('2 → 1 workers: old worker 1 socket closes with the QUIT and its queue is reset; worker 0 queue is served', () => {
    const r = storm(1);
    const reset = resets(r);
    expect(reset).toHaveLength(1);
    const at = reset[0].t;
    expect(at).toBeGreaterThanOrEqual(QUIT_AT - 1e-9);
    expect(at).toBeLessThanOrEqual(QUIT_AT + 0.005 + 1e-9); // one handshake at most
    const record = reset[0].record as { reset: number; reloadDropped: boolean };
    expect(record.reloadDropped).toBe(true);
    // About 200 queued on worker 1 at the reload, 20 handshaken by the QUIT, 2 held: ~180 reset.
    expect(record.reset).toBeGreaterThan(140);
    expect(record.reset).toBeLessThan(200);
    expect(r.figures['err_econnreset.total']).toBeGreaterThanOrEqual(record.reset);
    expect(between(r, 'reset_out', RELOAD_AT, RELOAD_AT + 1)).toBeGreaterThanOrEqual(record.reset);
    // Worker 0's socket passed to the new worker 0: its ~200 are all answered.
    const answered = between(r, 'responses_2xx', RELOAD_AT, 6);
    expect(answered).toBeGreaterThan(150);
    expect(answered).toBeLessThan(260);
  });

  it('reuseport turned off (2 workers kept): the new shared socket is old worker 0 one, old worker 1 socket closes with the QUIT', () => {
    // ngx_init_cycle gives the one new entry the first old one (worker 0's socket, which keeps
    // SO_REUSEPORT); worker 1's is left with remain == 0: the same reset as 2 → 1.
    const r = storm(2, false);
    const reset = resets(r);
    expect(reset).toHaveLength(1);
    expect((reset[0].record as { reset: number }).reset).toBeGreaterThan(140);
  });

  it('2 → 2 workers: every socket is inherited, nothing is reset, both queues are served', () => {
    const r = storm(2);
    expect(resets(r)).toHaveLength(0);
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect(between(r, 'responses_2xx', RELOAD_AT, 6)).toBeGreaterThan(350);
  });
});
