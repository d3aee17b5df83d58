/**
 * How nginx's close of a connection it cannot take reaches the client (proxy/worker-connections.ts
 * refusedClose). ngx_event_accept (src/event/ngx_event_accept.c) accepts, ngx_get_connection
 * returns NULL ("worker_connections are not enough") and ngx_close_socket closes at once; Linux's
 * close() sends RST only with data unread (net/ipv4/tcp.c __tcp_close: data_was_unread →
 * tcp_send_active_reset), else FIN, and the client's first bytes, arriving after it, meet RST from
 * the orphaned socket (net/ipv4/tcp_input.c tcp_rcv_state_process: TCPABORTONDATA). The client's
 * ACK and first bytes come together, so the order is nginx's: a worker idle in epoll_wait accepts
 * on the ACK and closes first (FIN: the client reads EOF, "socket hang up" in Node, ECONNRESET);
 * a worker busy with queued TLS handshakes reaches the listener only after them, the bytes in the
 * socket (RST). Recorded on loopback (idle workers): 3 EOF and 1 RST of 4 refused upgrades
 * (calibration/data/nginx-holdout22-ws-wc10-reset-rt.json), 21 EOF and 2 RST of 23 refused first
 * requests (nginx-holdout4 wc64-lazy). Before, every refusal was an RST (reset_out = refusals).
 */
import { describe, expect, it } from 'vitest';
import { WORKER_OWN_CONNECTIONS } from '../../../sim/model/proxy/worker-connections.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { wcBurst, wsUpgrades } from './wc-burst-fixture.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** The accept refusals' trace records (emitLimited: the first few of each kind). */
const refusals = (r: RunResult): Array<{ upstream: boolean; reset: boolean }> =>
  r.events.map((l) => l.record).filter((x) => x.kind === 'nginx.worker_connections_not_enough') as Array<{
    upstream: boolean;
    reset: boolean;
  }>;

/** 100 WebSocket upgrades at 1 s through an L4 NAT to one worker with room for 40 tunnels (2 connections each). */
const upgrades = (over: Partial<ScenarioInput> = {}): ScenarioInput => ({
  ...wsUpgrades({ worker_processes: 1, worker_connections: WORKER_OWN_CONNECTIONS + 2 * 40 }),
  lb: { mode: 'nat' },
  ...over,
});

describe("nginx's close of a connection refused at its accept: FIN before the client's bytes, RST after", () => {
  it('an idle worker: each of the 60 refused upgrades reads EOF (FIN), no reset of nginx, no TIME_WAIT', () => {
    const r = run(upgrades(), 1);
    expect(fig(r, 'ws_sessions.max')).toBe(40);
    // 60 client errors, each ECONNRESET: `ws` under Node's http client reports an EOF before the
    // answer as "socket hang up" (lib/_http_client.js socketOnEnd: connResetException).
    expect(fig(r, 'errors.total')).toBe(60);
    expect(fig(r, 'err_econnreset.total')).toBe(60);
    // None is nginx's reset (before: 60), and none an orderly close.
    expect(fig(r, 'reset_out.total')).toBe(0);
    expect(fig(r, 'closed_fin.total')).toBe(0);
    // The upgrade arriving after the FIN is answered with RST: nginx's socket is gone, no TIME_WAIT.
    expect(fig(r, 'time_wait.max')).toBe(0);
    const recs = refusals(r);
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.every((x) => !x.upstream && !x.reset)).toBe(true);
  });

  it('plain HTTP clients the same: refused first requests fail with EOF, nginx resets none', () => {
    // ~20 looping clients, room for 12 requests in flight (worker-connections.test.ts "too small").
    const r = run(wcBurst({ worker_connections: WORKER_OWN_CONNECTIONS + 24 }), 1);
    const recs = refusals(r).filter((x) => !x.upstream);
    expect(recs.length).toBeGreaterThan(10);
    expect(recs.every((x) => !x.reset)).toBe(true);
    // Every error is a refused first request's EOF (ECONNRESET in Node); before, each was also one
    // of nginx's resets (reset_out 305 of 305 errors).
    expect(fig(r, 'err_econnreset.total')).toBeGreaterThan(100);
    expect(fig(r, 'errors.total')).toBe(fig(r, 'err_econnreset.total'));
    expect(fig(r, 'reset_out.total')).toBe(0);
  });

  it('a worker busy with TLS handshakes: the upgrade is in the socket before the accept, RST', () => {
    // TLS in nginx, 1 ms a handshake, rtt 1 ms: the 100 handshakes queue on the one worker from
    // t0, the i-th (0-based) done at t0 + (i + 1) ms and its upgrade in nginx a round trip later,
    // t0 + (i + 2) ms, while the worker is busy until t0 + 100 ms for i < 98. Refused are i = 40–99:
    // the 58 with i < 98 meet a busy worker (RST), the last 2 an idle one (FIN, EOF).
    const r = run(
      upgrades({
        clients: { ...wsUpgrades({}).clients, rtt: '1ms' },
        app: { ws: { handshake_time: '0s' }, tls: { terminates: 'nginx', handshake_cpu: '1ms' } },
      }),
      1,
    );
    expect(fig(r, 'ws_sessions.max')).toBe(40);
    expect(fig(r, 'err_econnreset.total')).toBe(60);
    expect(fig(r, 'reset_out.total')).toBe(58);
    expect(refusals(r).some((x) => x.reset)).toBe(true);
  });

  it('plain HTTP at a worker busy with TLS handshakes: each refused first request is in the socket, RST', () => {
    // 100 TLS connections 1 ms apart (rtt 1 ms) to one worker, 2 ms of CPU a handshake: the worker
    // falls behind from the second one and stays busy past the last, so every accept it refuses
    // comes after the client's first bytes (refusedClose: RST, reset_out) — admit()'s plain-HTTP
    // path as acceptUpgrade's. Room for 80 connections: 40 requests in hand (client + upstream
    // connection each); the accepts refused are nginx's resets, the upstream connects refused 500s.
    const r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '3s',
        sample_interval: '100ms',
        clients: {
          rtt: '1ms',
          http: {
            arrival_rate: 1000,
            arrivals: 'paced',
            requests_per_connection: 'const(1)',
            think_time: 'const(0s)',
            retries: 0,
          },
        },
        app: { workers: 1000, service_time: 'const(1s)', tls: { terminates: 'nginx', handshake_cpu: '2ms' } },
        nginx: { worker_processes: 1, worker_connections: WORKER_OWN_CONNECTIONS + 80 },
        lb: { mode: 'nat' },
        backends: [{ name: 'vm-a' }],
        timeline: [{ at: '0.1s', do: 'load', http_rate: 0 }],
      } as ScenarioInput,
      1,
    );
    expect(fig(r, 'responses_2xx.total')).toBe(40);
    expect(fig(r, 'responses_5xx.total')).toBe(36);
    expect(fig(r, 'err_econnreset.total')).toBe(24);
    expect(fig(r, 'reset_out.total')).toBe(24);
    const accepts = refusals(r).filter((x) => !x.upstream);
    expect(accepts.length).toBeGreaterThan(0);
    expect(accepts.every((x) => x.reset)).toBe(true);
  });
});
