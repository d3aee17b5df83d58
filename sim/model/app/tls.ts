import type { AppConfig } from '../../scenario/schema.js';
import type { Conn } from '../core/conn.js';
import { Req } from '../core/request.js';
import type { World } from '../core/world.js';
import { acceptsByEventLoop } from './accept-model.js';
import type { AppServer } from './app-server.js';
import { roundTripsToRequest } from './tls-protocol.js';

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
export function tlsInLoop(backend: BareAppView): boolean {
  return tlsInBareApp(backend) && acceptsByEventLoop(backend);
}

/**
 * TLS ends in a bare app server whose workers each take one connection (`proxy: none`,
 * app.accept_model worker_per_connection: gunicorn sync workers with certfile, a
 * thread-per-connection server): the worker that accepts a connection does its handshake before
 * it reads the request (AppServer.submitAfterHandshake), not a job queued at the SYN.
 */
export function tlsInWorker(backend: BareAppView): boolean {
  return tlsInBareApp(backend) && !acceptsByEventLoop(backend);
}

/** What tlsInLoop / tlsInWorker read of a backend. */
type BareAppView = { readonly bare: boolean; readonly app: { readonly config: AppConfig } };

/** TLS ends in the app of a bare backend (`proxy: none`): the connection is the app's own. */
function tlsInBareApp(backend: BareAppView): boolean {
  return backend.bare && backend.app.config.tls.terminates === 'app';
}

/**
 * How long a worker of such an app (tlsInWorker) holds a new connection before its first request:
 * the server flight's CPU (`handshake_cpu`), then blocked in recv() until the client's Finished
 * and request come back, one round trip (`rtt`) later with TLS 1.3 (RFC 8446 §2), two with TLS 1.2
 * (`app.tls.protocol`: the client's ClientKeyExchange and Finished, the server's Finished, then the
 * request: tls-protocol.ts) — Python's ssl SSLSocket.do_handshake → SSL_do_handshake, which on the
 * server returns once it has read the client's Finished (TLS 1.2: and written its own), and the
 * worker's recv of the request. Always a full handshake (the app's ticket keys are its own: TlsHandshakes).
 */
export function workerHandshakeHold(app: AppConfig, rtt: number): number {
  return tlsHandshakeCpu(app) + rtt * roundTripsToRequest(app.tls, false);
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
 * it: the connection's own request meets that queue anyway): what is left charged here is an app
 * behind the VM's nginx (the client's connection is nginx's; a known simplification). A bare app
 * is not charged here: an event loop reads the ClientHello in its turn (tlsInLoop, loop-tls.ts),
 * and a worker that accepts a connection does its handshake before its request (tlsInWorker,
 * AppServer.submitAfterHandshake). Open-loop requests (the request-level model) have no
 * connection and are not charged.
 */
export class TlsHandshakes {
  /** Per backend: a bare app, which does its handshakes where it reads a connection (not here). */
  private readonly atRead: boolean[];

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {
    this.atRead = w.backends.map((b) => tlsInLoop(b) || tlsInWorker(b));
  }

  readonly accepted = (_conn: Conn, b: number): void => {
    const backend = this.w.backends[b];
    const cpu = tlsHandshakeCpu(backend.app.config);
    // A bare app does the handshake where it reads the connection (loop-tls.ts, submitAfterHandshake).
    if (cpu <= 0 || !backend.app.up || this.atRead[b]) return;
    const job = new Req(this.done);
    job.fixedService = cpu;
    job.deep = false;
    this.app.submit(backend, job);
  };

  private readonly done = (): void => {};
}
