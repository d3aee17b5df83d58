import { type AppJob, Status } from '../core/app-job.js';
import { Req } from '../core/request.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';
import type { AppServer } from './app-server.js';
import { tlsHandshakeCpu, tlsInLoop } from './tls.js';
import { roundTripsToRequest } from './tls-protocol.js';

/** One ClientHello the loop is to read, and what follows its reading. */
interface Hello {
  /** From the server's flight to the client's first data: one round trip (TLS 1.3) or two (TLS 1.2). */
  readonly after: number;
  /** The client's Finished and its first request (or upgrade) arrive, `after` the flight. */
  readonly secured: () => void;
  /** Never read: lost with the process (RESET unread, NO_RESPONSE in service); no queue limit refuses it (AppServer.tlsHandshake). */
  readonly failed: (status: Status) => void;
}

/**
 * The TLS handshakes of a bare app server that is one event loop (`proxy: none`, accept_model
 * event_loop, `app.tls.terminates: app`: node's https server), read as loop work where the
 * connection's first data is read, not charged at its accept. Node v20.20.2 (libuv 1.46.0):
 * uv__server_io (src/unix/stream.c) accept()s one connection per poll and calls node's
 * onconnection (lib/net.js), whose 'connection' listener is tlsConnectionListener
 * (lib/_tls_wrap.js): it wraps the socket in a TLSSocket, whose initRead (process.nextTick)
 * calls read(0) → readStart, so the socket joins the epoll set at the next uv__io_poll
 * (src/unix/linux.c) and its ClientHello — sent by the client right after its connect, so
 * already there — is read in its turn behind whatever became readable first: TLSWrap::OnStreamRead
 * (src/crypto/crypto_tls.cc) → Cycle → ClearOut → SSL_read, which runs OpenSSL's server
 * handshake and computes the server's whole flight (TLS 1.3, node 20's tls.DEFAULT_MAX_VERSION in
 * lib/tls.js: the ECDHE share, the shared secret and the certificate signature, all of
 * `handshake_cpu`), written at once (EncOut). That read is one job of the loop's iteration,
 * blocking it as a request's handler does (event-loop-accepts.ts).
 * The client answers with its Finished and, right behind it, its first request (RFC 8446 §2,
 * figure 1: {Finished} then [Application Data]), one round trip after the flight: TLSWrap reads
 * both in one callback — SSL_read ends the handshake (onhandshakedone → _finishInit → 'secure' →
 * onServerSocketSecure → 'secureConnection', the https server's HTTP connection listener) and
 * hands the request's bytes to the HTTP parser. No public-key operation is left there, so that
 * second piece costs nothing of its own here: it is the first request's job, read at the poll
 * after its arrival as a kept-alive connection's request is.
 * With TLS 1.2 (`app.tls.protocol`, tls-protocol.ts) the client answers the flight with its
 * ClientKeyExchange and Finished a round trip after it, read at a poll as any data (its ECDH derive
 * charged with the first job: tls-protocol.ts), the server's Finished goes out, and the request
 * comes a second round trip after the flight: `secured` runs then.
 * Every client handshake is a full one: a simplification (clients resuming with a bare app are
 * not modelled), not a property of node, whose tls.Server issues tickets by default that nginx and
 * HAProxy's checks do resume here (tls.ts).
 */
export class LoopTlsHandshakes {
  private readonly inLoop: boolean[];

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {
    this.inLoop = w.backends.map(tlsInLoop);
  }

  /** `backend`'s clients' TLS ends in its event loop. */
  endsIn(backend: Backend): boolean {
    return this.inLoop[backend.index];
  }

  /**
   * The job of reading a ClientHello that reaches `backend` now; the caller queues it where the
   * connection's first data goes (AppServer.holdUntilAccepted, submitOnAccept). Once it is
   * served the server's flight is out, and `secured` runs one round trip (`rtt`) later, two with
   * TLS 1.2 (tls-protocol.ts roundTripsToRequest); `failed`
   * if it is never served (lost with the process: a full queue does not refuse it, AppServer.tlsHandshake).
   */
  clientHello(backend: Backend, rtt: number, secured: () => void, failed: (status: Status) => void): Req {
    const after = rtt * roundTripsToRequest(backend.app.config.tls, false);
    const hello: Hello = { after, secured, failed };
    const job = this.app.tlsHandshake(new Req((j) => this.read(j, hello)));
    job.fixedService = tlsHandshakeCpu(backend.app.config);
    job.deep = false;
    return job;
  }

  private read(job: AppJob, hello: Hello): void {
    if (job.status !== Status.OK) hello.failed(job.status);
    else this.w.engine.schedule(hello.after, arrive, hello);
  }
}

function arrive(hello: Hello): void {
  hello.secured();
}
