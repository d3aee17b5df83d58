/**
 * `nginx.worker_tls_backlog` logs the worker's own part of a request's wait (worker-cpu.ts
 * lastWorkerWait): the handshake in progress on its worker, or the rest of its connection's own
 * handshake work, never the client's round trip after that handshake. review23 #4: the trace
 * took `wait − rtt`, one round trip short when the worker's read wait is the longer term.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

/**
 * One keep-alive client (clients.http.reconnect eager, tickets off: every handshake full, 200 ms)
 * whose connection nginx closes while it thinks: the replacement is connected at 1.41 s, admitted
 * at 1.51 s, its handshake done at 1.71 s; its request, written at 1.71 s, reaches nginx at 1.76 s
 * (rtt/2 later: clients/http-keepalive.ts send), inside the round trip after that handshake (until
 * 1.81 s). A WebSocket client connecting at 1.62 s has its handshake on the
 * same worker from 1.72 s to 1.92 s: the request waits 0.16 s for it, all of it worker backlog.
 */
function eagerBehindHandshake(): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '3s',
    sample_interval: '100ms',
    clients: {
      rtt: '100ms',
      http: {
        arrival_rate: 0.25,
        arrivals: 'paced',
        requests_per_connection: 'const(2)',
        think_time: 'const(1.25s)',
        reconnect: 'eager',
        retries: 0,
      },
      ws: { ping_interval: 'none', scheduled: [{ at: '1.62s', lifetime: '1h' }] },
    },
    nginx: { worker_processes: 1, keepalive_timeout: '1s' },
    app: {
      workers: 1,
      service_time: 'const(10ms)',
      ws: { handshake_time: '0s' },
      tls: { terminates: 'nginx', handshake_cpu: '200ms', session_tickets: false },
    },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('nginx.worker_tls_backlog: the worker part of the wait, not wait − rtt', () => {
  it('a request inside its own handshake round trip, behind another handshake: logs that handshake (0.16 s)', () => {
    const r = run(eagerBehindHandshake(), 1);
    const late = r.events.filter((l) => l.record.kind === 'nginx.worker_tls_backlog' && Math.abs(l.t - 1.76) < 1e-9);
    // Before: 0.16 − 0.1 = 0.06 s, below the round trip, so nothing was logged.
    expect(late).toHaveLength(1);
    expect((late[0].record as { wait: number }).wait).toBeCloseTo(0.16, 9);
    expect((late[0].record as { handshakes: number }).handshakes).toBe(1);
  });
});
