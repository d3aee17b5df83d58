import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/** What a TLS handshake storm on one VM varies (tlsStorm). */
export interface TlsStormOptions {
  /** New WebSocket connections a second (default 4,000). */
  wsRate?: number;
  /** nginx worker_processes (default 1). */
  workers?: number;
  terminates?: 'nginx' | 'none';
  /** Further nginx settings (listen_backlog, …). */
  nginx?: ScenarioInput['nginx'];
  kernel?: ScenarioInput['kernel'];
}

/**
 * One VM; 20 keep-alive clients a second send API requests (answered in 1 ms) while WebSocket
 * clients open `wsRate` new TLS connections a second (4,000/s: 1.4 s of 0.35 ms handshakes each
 * second, more than one worker's second), for 10 s.
 */
export function tlsStorm(o: TlsStormOptions = {}): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'exp(mean=100ms)' },
      ws: { arrival_rate: o.wsRate ?? 4000, lifetime: 'const(2s)', ping_interval: 'none' },
    },
    // 65536 (as tls-reconnect-storm): 4,000 tunnels a second of 2 s hold up to 16,000 connections
    // on one worker, beyond ingress-nginx's 16384; these tests are about TLS CPU and the listen
    // backlog, not the connection limit.
    nginx: { worker_processes: o.workers ?? 1, worker_connections: 65536, ...o.nginx },
    kernel: { ...o.kernel },
    app: { service_time: 'const(1ms)', ws: { handshake_time: '0s' }, tls: { terminates: o.terminates ?? 'nginx' } },
    backends: [{ name: 'vm-a' }],
  };
}
