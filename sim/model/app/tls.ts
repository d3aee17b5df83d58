import type { AppConfig } from '../../scenario/schema.js';
import { Req } from '../core/request.js';
import type { World } from '../core/world.js';
import type { AppServer } from './app-server.js';

/**
 * The CPU of one full TLS handshake on the VM (app.tls): `handshake_cpu` when the client's TLS
 * ends on the VM (at nginx or the app), nothing when it does not (plaintext, or TLS ending at the
 * balancer). The cost is charged to the app's workers: nginx and the app share the VM's cores,
 * and the workers are the model's only CPU.
 */
export function tlsHandshakeCpu(app: AppConfig): number {
  return app.tls.terminates === 'none' ? 0 : app.tls.handshake_cpu;
}

/**
 * Every connection the VM accepts (World.attach: a keep-alive HTTP client's, a WebSocket
 * client's, through an L4 proxy or a NAT; behind an L7 balancer its own connections to nginx)
 * costs one full TLS handshake when TLS ends on the VM: the server's first flight (ECDHE key
 * share, certificate signature) is computed before any request on the connection is read
 * (RFC 8446 §2, RFC 5246 §7.3). No session resumption: every handshake is a full one, the
 * worst case of a reconnect storm. The work is a job for the app's workers, queued like a
 * request (a full queue drops it: the connection's own request meets that queue anyway).
 * Open-loop requests (the request-level model) have no connection and are not charged.
 */
export class TlsHandshakes {
  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {}

  readonly accepted = (b: number): void => {
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
