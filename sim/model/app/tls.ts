import type { AppConfig } from '../../scenario/schema.js';
import type { Conn } from '../core/conn.js';
import { Req } from '../core/request.js';
import type { World } from '../core/world.js';
import type { AppServer } from './app-server.js';

/**
 * The CPU of one full TLS handshake charged to the app's workers (app.tls): `handshake_cpu` when
 * the client's TLS ends in the app process, nothing otherwise. TLS ending in nginx costs nginx's
 * own workers (proxy/worker-cpu.ts: each worker an event loop whose requests wait behind its
 * handshakes), not the app's worker pool; TLS ending at the balancer is not charged (the
 * balancer has no CPU model: README, a known limit).
 */
export function tlsHandshakeCpu(app: AppConfig): number {
  return app.tls.terminates === 'app' ? app.tls.handshake_cpu : 0;
}

/**
 * Every connection the VM accepts (World.attach: a keep-alive HTTP client's, a WebSocket
 * client's, through an L4 proxy or a NAT; behind an L7 balancer its own connections to nginx)
 * costs one full TLS handshake when TLS ends in the app: the server's first flight (ECDHE key
 * share, certificate signature) is computed before any request on the connection is read
 * (RFC 8446 §2, RFC 5246 §7.3). Every handshake is a full one here: the app's ticket keys would
 * be its process's own, new at each start (a container restart too), which the model does not
 * follow; resumption is modelled where TLS ends in nginx or at the balancer (proxy/session-tickets.ts). The work is a job for the app's workers, queued like a
 * request (a full queue drops it: the connection's own request meets that queue anyway).
 * Open-loop requests (the request-level model) have no connection and are not charged.
 */
export class TlsHandshakes {
  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {}

  readonly accepted = (_conn: Conn, b: number): void => {
    const backend = this.w.backends[b];
    const cpu = tlsHandshakeCpu(backend.app.config);
    if (cpu <= 0 || !backend.app.up) return;
    const job = new Req(this.done);
    job.fixedService = cpu;
    job.deep = false;
    this.app.submit(backend, job);
  };

  private readonly done = (): void => {};
}
