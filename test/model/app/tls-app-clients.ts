/**
 * Shared by the tests of TLS ending in a bare app (tls-in-loop, tls-in-worker): new connections,
 * one request each, to one bare app (`proxy: none`) behind HAProxy mode tcp that ends TLS itself
 * (`app.tls.terminates: app`), 10 ms a request.
 */
import type { ScenarioInput } from '../../../sim/scenario/schema.js';

export interface TlsAppClients {
  rtt: string;
  /** The app's CPU per full handshake. */
  handshake: string;
  arrivalRate: number;
  arrivals?: 'paced';
  /** The app's accept model: the event loop (the schema's default) unless said. */
  acceptModel?: 'worker_per_connection';
}

export function tlsAppClients({ rtt, handshake, arrivalRate, arrivals, acceptModel }: TlsAppClients): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '100ms',
    clients: {
      rtt,
      http: {
        arrival_rate: arrivalRate,
        arrivals,
        requests_per_connection: 'const(1)',
        think_time: 'const(1s)',
        retries: 0,
      },
    },
    app: {
      workers: 1,
      ...(acceptModel === undefined ? {} : { accept_model: acceptModel }),
      service_time: 'const(10ms)',
      backlog: 511,
      keepalive_timeout: '60s',
      tls: { terminates: 'app', handshake_cpu: handshake },
    },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
  } as ScenarioInput;
}
