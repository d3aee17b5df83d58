import type { AppConfig } from '../../scenario/schema.js';
import { Req } from '../core/request.js';
import type { World } from '../core/world.js';
import type { AppServer } from './app-server.js';

/**
 * The CPU of one full TLS handshake charged to the app's workers (app.tls): `handshake_cpu` when
 * the client's TLS ends in the app process, nothing otherwise. TLS ending at the balancer or at
 * nginx costs those processes' CPU, and neither has a CPU model here (nginx's workers are event
 * loops on the VM's cores, not the app's worker pool): charging the app's workers for them would
 * take capacity from the app that a real nginx or balancer does not take. So at `lb` and `nginx`
 * the handshake is not modelled at all (README: a known limit).
 */
export function tlsHandshakeCpu(app: AppConfig): number {
  return app.tls.terminates === 'app' ? app.tls.handshake_cpu : 0;
}

/**
 * Every connection the VM accepts (World.attach: a keep-alive HTTP client's, a WebSocket
 * client's, through an L4 proxy or a NAT; behind an L7 balancer its own connections to nginx)
 * costs one full TLS handshake when TLS ends in the app: the server's first flight (ECDHE key
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
