/**
 * A WebSocket upgrade waits for its own connection's TLS handshake where TLS ends on a worker or
 * thread CPU queue (sim/model/proxy/worker-cpu.ts; clients/websocket.ts awaitHandshake): nginx
 * reads the upgrade GET only after SSL_do_handshake() completes (ngx_http_ssl_handshake →
 * ngx_http_wait_request_handler), so a reconnect storm reaches the app paced by the worker.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/**
 * One VM with one nginx worker; 1,000 WebSocket sessions connect in the same instant (t = 1 s),
 * each a full TLS handshake of 1 ms: 1 s of the worker's CPU. The app's own upgrade work is 0.
 * nginx's listen backlog (4,096, within the default somaxconn) holds the whole burst: with the
 * default 511 the SYNs beyond it are dropped and sent again (listen-backlog.test.ts).
 */
const burst = (terminates: 'nginx' | 'lb' | 'none', handshakeTimeout = '20s'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '5s',
  // Fine enough to count at 0.1 s + the 30-ms round trip of the client's Finished.
  sample_interval: '10ms',
  clients: {
    ws: {
      ping_interval: 'none',
      handshake_timeout: handshakeTimeout,
      scheduled: Array.from({ length: 1000 }, () => ({ at: '1s', lifetime: '1h' })),
      reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
    },
  },
  // worker_connections as ingress-nginx: 1,000 tunnels hold 2,000 connections on the one worker;
  // this test is about the worker's handshake CPU, not the connection limit.
  nginx: { worker_processes: 1, listen_backlog: 4096, worker_connections: 16384 },
  app: { ws: { handshake_time: '0s' }, tls: { terminates, handshake_cpu: '1ms' } },
  lb: terminates === 'lb' ? { nbthread: 1 } : {},
  backends: [{ name: 'vm-a' }],
});

describe('a burst of WebSocket upgrades on one TLS worker', () => {
  it('reaches the app paced by the worker (~1 per ms), not all at once', () => {
    const r = run(burst('nginx'), 1);
    // Queued for accept() at their final ACKs (t = 1 s + RTT 30 ms), the handshakes run back to
    // back: ~70 done by 1.1 s, ~470 by 1.5 s, each upgrade reaching nginx one RTT after its
    // handshake (the client's Finished and upgrade answer the server's flight): ~70 up by 1.13 s,
    // ~470 by 1.53 s.
    const at11 = valueAt(r, 'ws_sessions', 1.13);
    const at15 = valueAt(r, 'ws_sessions', 1.53);
    expect(at11).toBeGreaterThan(60);
    expect(at11).toBeLessThan(80);
    expect(at15).toBeGreaterThan(450);
    expect(at15).toBeLessThan(490);
    expect(valueAt(r, 'ws_sessions', 2.2)).toBe(1000);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
  });

  it('with TLS ending elsewhere every upgrade reaches the app at once', () => {
    const r = run(burst('none'), 1);
    expect(valueAt(r, 'ws_sessions', 1.1)).toBe(1000);
  });

  it('is paced the same by a balancer thread (terminates: lb, lb.nbthread 1), a round trip after each flight as in nginx', () => {
    // The ClientHellos reach the thread at 1.03 s (HAProxy ssl_sock_handshake → SSL_do_handshake
    // when the connection is readable), each upgrade one RTT after its flight (RFC 8446 §2).
    // Before session 20 they were charged at the SYN with no round trip after: ~500 up by 1.5 s.
    const r = run(burst('lb'), 1);
    const at11 = valueAt(r, 'ws_sessions', 1.13);
    const at15 = valueAt(r, 'ws_sessions', 1.53);
    expect(at11).toBeGreaterThan(60);
    expect(at11).toBeLessThan(80);
    expect(at15).toBeGreaterThan(450);
    expect(at15).toBeLessThan(490);
  });

  it('a client that would wait past its timeout gives up (its own timer: err_client_timeout) and reconnects later', () => {
    const r = run(burst('nginx', '500ms'), 1);
    // Connected at 1.03 s, a client gives up at 1.53 s: the ~470 whose handshakes end later.
    const timedOut = r.figures['err_client_timeout.total']!;
    expect(timedOut).toBeGreaterThan(450);
    expect(timedOut).toBeLessThan(550);
    expect(valueAt(r, 'ws_sessions', 1.6)).toBe(1000 - timedOut);
    // They come back after the 10 s backoff, past the horizon: still gone at the end.
    expect(valueAt(r, 'ws_sessions', 5)).toBe(1000 - timedOut);
  });
});
