import type { AppConfig } from '../../scenario/schema.js';
import type { Conn } from '../core/conn.js';
import { Req } from '../core/request.js';
import type { World } from '../core/world.js';
import { acceptsByEventLoop } from './accept-model.js';
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
 * TLS ends in a bare app server that is one event loop (`proxy: none`, app.accept_model
 * event_loop: node's https server): the connection is the app's own and its handshake is work the
 * loop reads in turn, where the connection's first data is read (loop-tls.ts), not at the accept.
 */
export function tlsInLoop(backend: { readonly bare: boolean; readonly app: { readonly config: AppConfig } }): boolean {
  return backend.bare && backend.app.config.tls.terminates === 'app' && acceptsByEventLoop(backend);
}

/**
 * Every connection the VM accepts (World.attach: a keep-alive HTTP client's, a WebSocket
 * client's, through an L4 proxy or a NAT; behind an L7 balancer its own connections to nginx)
 * costs one full TLS handshake when TLS ends in the app: the server's first flight (ECDHE key
 * share, certificate signature) is computed before any request on the connection is read
 * (RFC 8446 §2, RFC 5246 §7.3). Every handshake is a full one here: the app's ticket keys would
 * be its process's own, new at each start (a container restart too), which the model does not
 * follow; resumption is modelled where TLS ends in nginx or at the balancer (proxy/session-tickets.ts).
 * The work is a job for the app's workers, queued at the SYN like a request (a full queue drops
 * it: the connection's own request meets that queue anyway): a pool of workers, each taking a
 * connection as it comes. A bare event loop is not charged here: it reads the ClientHello in its
 * turn (tlsInLoop, loop-tls.ts). Open-loop requests (the request-level model) have no connection
 * and are not charged.
 */
export class TlsHandshakes {
  private readonly inLoop: boolean[];

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {
    this.inLoop = w.backends.map(tlsInLoop);
  }

  readonly accepted = (_conn: Conn, b: number): void => {
    const backend = this.w.backends[b];
    const cpu = tlsHandshakeCpu(backend.app.config);
    // A bare event loop reads the ClientHello in its own turn (loop-tls.ts).
    if (cpu <= 0 || !backend.app.up || this.inLoop[b]) return;
    const job = new Req(this.done);
    job.fixedService = cpu;
    job.deep = false;
    this.app.submit(backend, job);
  };

  private readonly done = (): void => {};
}
