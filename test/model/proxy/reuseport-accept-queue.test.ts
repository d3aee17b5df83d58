/**
 * With `listen … reuseport` each nginx worker has its own listening socket, and each listening
 * socket its own accept queue and limit: Linux counts sk_ack_backlog per socket and checks it
 * against that socket's sk_max_ack_backlog = min(listen backlog, somaxconn) (include/net/sock.h
 * sk_acceptq_is_full; __sys_listen). A SYN meets the queue of the socket the listener lookup chose
 * for it (net/ipv4/inet_hashtables.c inet_lhash2_lookup → inet_lookup_reuseport →
 * reuseport_select_sock), in tcp_conn_request (net/ipv4/tcp_input.c), and its final ACK the same
 * socket's (the request's rsk_listener: tcp_check_req → tcp_v4_syn_recv_sock). So two workers
 * with backlog B hold about 2·B connections before a SYN is dropped; one shared socket holds B.
 * Before session 23 the model counted one queue for the port (its limit B) whatever `reuseport`.
 */
import { describe, expect, it } from 'vitest';
import { ListenSockets, spreadOver } from '../../../sim/model/proxy/listen-sockets.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/** The listen backlog of both sockets (nginx `listen … backlog=`; somaxconn 4096 is above it). */
const BACKLOG = 64;

/**
 * Two workers, TLS in nginx at 50 ms a full handshake (20 a second a worker), and 96 connections
 * (1.5 × BACKLOG) arriving within 0.1 s, one request each: the workers handshake about 8 of them
 * by then, so some 90 wait in the kernel — above one socket's limit, but about 45 in each of two.
 */
function burst(reuseport: boolean): RunResult {
  return run({
    warmup: '0s',
    horizon: '8s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 960,
        arrivals: 'paced',
        requests_per_connection: 'const(1)',
        think_time: 'const(10ms)',
        retries: 0,
        request_timeout: '60s',
      },
    },
    nginx: { worker_processes: 2, worker_connections: 65536, listen_backlog: BACKLOG, reuseport },
    app: {
      workers: 1000,
      service_time: 'const(1ms)',
      tls: { terminates: 'nginx', handshake_cpu: '50ms', session_tickets: false },
    },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '0.1s', do: 'load', http_rate: 0 }],
  } as ScenarioInput);
}

describe('reuseport: one accept queue, and one limit, per listening socket', () => {
  it('without reuseport the one shared socket overflows: SYNs and final ACKs are dropped', () => {
    const r = burst(false);
    expect(r.figures['syn_drops.total']).toBeGreaterThan(0);
  });

  it('with reuseport each socket holds its own backlog: the same burst, split by the hash, drops nothing', () => {
    const r = burst(true);
    expect(r.figures['syn_drops.total']).toBe(0);
    // Every connection was served (none given up, none reset).
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
  });
});

describe('ListenSockets.takesFrom: the workers whose queued connections are the accept queue a SYN meets', () => {
  const idle = (): number => Number.NEGATIVE_INFINITY;
  /** A client 4-tuple the group's hash sends to socket `k` of 2. */
  const toSocket = (k: number) => {
    for (let port = 1024; ; port++) if (spreadOver(2, 1, port) === k) return { clientIp: 1, clientPort: port };
  };

  it('one shared socket (no reuseport): one queue, not told apart', () => {
    const s = new ListenSockets();
    s.open(-1, 1, 2, false, idle);
    expect(s.ownQueues).toBe(false);
  });

  it('reuseport, 2 workers, then a reload to 1: new worker 0 shares old worker 0 socket; old worker 1 keeps its own until the QUIT', () => {
    const s = new ListenSockets();
    s.open(-1, 1, 2, true, idle);
    expect(s.ownQueues).toBe(true);
    const [a, b] = [toSocket(0), toSocket(1)];
    expect([s.takesFrom(a, 1, 0), s.takesFrom(a, 1, 1)]).toEqual([true, false]);
    expect([s.takesFrom(b, 1, 0), s.takesFrom(b, 1, 1)]).toEqual([false, true]);
    // ngx_init_cycle: new entry 0 inherits old socket 0; old socket 1 stays in the group until the QUIT.
    s.open(1, 2, 1, true, idle);
    expect([s.takesFrom(a, 1, 0), s.takesFrom(a, 2, 0), s.takesFrom(a, 1, 1)]).toEqual([true, true, false]);
    expect([s.takesFrom(b, 1, 1), s.takesFrom(b, 2, 0)]).toEqual([true, false]);
    // The old workers' QUIT closes socket 1 (reuseport_detach_sock): one socket left, one queue.
    s.leave(1);
    expect(s.ownQueues).toBe(false);
  });
});
