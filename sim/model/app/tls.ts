import type { AppConfig, TlsConfig } from '../../scenario/schema.js';
import type { NginxUpstreamTlsFull } from '../../trace/records.js';
import { type AppJob, ReqPhase, Status } from '../core/app-job.js';
import { Req } from '../core/request.js';
import type { VmView as Backend } from '../core/vm-view.js';
import type { World } from '../core/world.js';
import { acceptsByEventLoop } from './accept-model.js';
import type { AppServer } from './app-server.js';
import { handshakeCpu, issuesTicket, roundTripsToRequest, upstreamTls } from './tls-protocol.js';

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
 * worker's recv of the request. Always a full handshake: a simplification (clients resuming with
 * a bare app are not modelled, as in loop-tls.ts), though the app issues tickets nginx and HAProxy's
 * checks resume (TlsHandshakes, CheckTlsHandshakes).
 */
export function workerHandshakeHold(app: AppConfig, rtt: number): number {
  return handshakeToRequest(app.tls, false, rtt);
}

/**
 * From the read of a connection's ClientHello to its first request, on a server that ends the
 * connection's TLS: the flight's CPU (handshakeCpu) and the client's round trips after it
 * (roundTripsToRequest, by `app.tls.protocol` and whether it resumed). A worker-per-connection
 * app's worker is held that long (workerHandshakeHold, CheckTlsHandshakes.submit).
 */
export function handshakeToRequest(tls: TlsConfig, resumed: boolean, rtt: number): number {
  return handshakeCpu(tls, resumed) + rtt * roundTripsToRequest(tls, resumed);
}

/** The newest TLS session an nginx worker process saved for its app (proxy_ssl_session_reuse). */
interface SavedSession {
  /** The app process whose ticket keys sealed it (AppProcess.epoch): a new process cannot decrypt it. */
  readonly epoch: number;
  /** When the app stops resuming it: saved + `session_timeout`. */
  readonly expires: number;
}

/**
 * Why a client's handshake with the app process `epoch` at `now` is a full one, offering the
 * session `s` it saved (null: none); null when it resumes: the app issues tickets, sealed by this
 * process's keys (a new process cannot decrypt them), within `session_timeout`.
 */
function whyNotResumed(
  tls: TlsConfig,
  s: SavedSession | null | undefined,
  epoch: number,
  now: number,
): NginxUpstreamTlsFull['why'] | null {
  if (!tls.session_tickets) return 'no_tickets';
  if (s === null || s === undefined) return 'first';
  if (s.epoch !== epoch) return 'app_restarted';
  return now <= s.expires ? null : 'expired';
}

/**
 * The session a handshake just ended leaves its client to save: the fresh ticket a TLS 1.3
 * handshake (resumed or not) or a full TLS 1.2 one brings (OpenSSL tls_construct_new_session_ticket),
 * valid `session_timeout`; null when the app sends none (tickets off, or a resumed TLS 1.2
 * handshake: issuesTicket), and the client keeps what it had.
 */
function ticketFrom(tls: TlsConfig, resumed: boolean, epoch: number, now: number): SavedSession | null {
  return tls.session_tickets && issuesTicket(tls, resumed) ? { epoch, expires: now + tls.session_timeout } : null;
}

/**
 * The app's TLS handshakes where TLS ends in the app process (`app.tls.terminates: app`).
 *
 * Behind the VM's nginx the client's connection ends in nginx; the app's TLS is nginx's upstream
 * connection (`proxy_pass https://`), so a handshake is due per upstream connection nginx opens
 * (upstream), not per client connection: nginx 1.22.1 ngx_http_upstream_connect → (connected, no
 * `c->ssl` yet) ngx_http_upstream_ssl_init_connection → ngx_ssl_handshake, and only once
 * ngx_http_upstream_ssl_handshake sees `c->ssl->handshaked` does ngx_http_upstream_send_request
 * send the request (src/http/ngx_http_upstream.c). A connection from the upstream keepalive cache
 * (proxy/upstream.ts) already has its `c->ssl`: no handshake. The handshake resumes the session
 * nginx saved from an earlier upstream connection, `proxy_ssl_session_reuse` (default on,
 * ngx_http_proxy_merge_loc_conf, src/http/modules/ngx_http_proxy_module.c):
 * ngx_ssl_client_session_cache (src/event/ngx_event_openssl.c) sets OpenSSL's new-session callback
 * ngx_ssl_new_client_session, which hands each session the app sends (its NewSessionTicket: TLS
 * 1.3, after the client's Finished; TLS 1.2, with a full handshake's Finished only) to ngx_http_upstream_ssl_save_session →
 * ngx_http_upstream_save_round_robin_peer_session (src/http/ngx_http_upstream_round_robin.c): it
 * replaces `peer->ssl_session`, one per upstream server, and set_round_robin_peer_session offers
 * it on the next connect. Without an upstream `zone` the peers live in the configuration cycle's
 * memory, copied into each worker at fork: one saved session per worker process and per
 * generation (a reload's new cycle starts with none). The app resumes it while its process lives
 * (its ticket keys are its own, new at each start) and for `session_timeout` (node's tls.Server
 * sessionTimeout, default 300 s, as nginx's 5m), if it issues tickets (`session_tickets`): a
 * resumed handshake costs `resumed_handshake_cpu`, a full one `handshake_cpu`. The handshake is a
 * job on the app's workers (an event loop reads it one iteration after the accept, as a first
 * request: AppServer.submitOnAccept) that `queue_limit` does not refuse (AppServer.tlsHandshake);
 * nginx's Finished and the request behind it reach the app one `nginx.upstream_rtt` after the
 * server's flight (RFC 8446 §2; two after a full TLS 1.2 handshake: flightOut), and the session
 * ticket is saved then (it comes half a round trip later: within loopback's ~0.1 ms, not
 * modelled). The leg's version is `nginx.proxy_ssl_protocol`, default 1.2 (nginx 1.22.1's
 * proxy_ssl_protocols: TLSv1 TLSv1.1 TLSv1.2, ngx_http_proxy_merge_loc_conf), not the clients'
 * `app.tls.protocol` (upstreamTls): a resumed 1.2 handshake costs 0 and brings no new ticket, so
 * a worker's saved session ages from its full handshake (one full handshake per worker every
 * `session_timeout`). A worker-per-connection app (gunicorn sync)
 * would keep the worker over that round trip and read the request itself; here the request joins
 * the queue (~0.1 ms on loopback apart).
 *
 * A WebSocket upgrade through nginx is one more such upstream connection (ws-endpoint.ts
 * submitWork): the model opens a new one per upgrade, and its handshake, before the upgrade is
 * sent, resumes the worker's saved session as an HTTP request's does. After the 101 nginx never
 * caches it again: ngx_http_proxy_process_header sets `u->keepalive = 0` on 101 Switching
 * Protocols, and ngx_http_upstream_free_keepalive_peer drops a connection without it. (nginx's
 * ngx_http_upstream_get_keepalive_peer does not tell an upgrade from a request: with upstream
 * keepalive an upgrade may take a cached connection and skip the handshake; the model's upgrade
 * always connects anew, nginx's behaviour without `keepalive`, its default.)
 * The client's own connection ends in nginx and costs the app nothing. A bare app is not charged here: an event loop reads the ClientHello in its turn (tlsInLoop,
 * loop-tls.ts), and a worker that accepts a connection does its handshake before its request
 * (tlsInWorker, AppServer.submitAfterHandshake). Open-loop requests (the request-level model) have
 * no connection and are not charged.
 */
export class TlsHandshakes {
  /** Per backend: nginx speaks TLS to the app (TLS ends in the app behind the VM's nginx). */
  private readonly toApp: boolean[];
  /** Per backend, per nginx worker process (generation, worker): the session it saved. */
  private readonly saved: Array<Map<number, SavedSession>>;

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
  ) {
    this.toApp = w.backends.map((b) => !b.bare && b.app.config.tls.terminates === 'app');
    this.saved = w.backends.map(() => new Map());
  }

  /** Whether nginx's connections to `backend`'s app speak TLS (upstream handshakes due). */
  toAppOf(backend: Backend): boolean {
    return this.toApp[backend.index];
  }

  /**
   * nginx worker `worker` of generation `gen` connected anew to `backend`'s app for a request: the
   * app does the handshake (resumed or full), then the request reaches it one `upstream_rtt` later
   * (two after a full TLS 1.2 handshake: flightOut)
   * (`sent`, which queues it; skipped unless `wanted()` then: its client gave up meanwhile). The
   * app's process dying before that (killed: its socket's FIN or RST reaches nginx): `failed`.
   */
  upstream(
    backend: Backend,
    gen: number,
    worker: number,
    sent: () => void,
    wanted: () => boolean,
    failed: (status: Status) => void,
  ): void {
    const tls = upstreamTls(backend.app.config.tls, backend.nginx.config.proxy_ssl_protocol);
    const key = gen * WORKER_KEYS + worker;
    const full = whyNotResumed(tls, this.saved[backend.index].get(key), backend.app.epoch, this.w.now);
    const resumed = full === null;
    const cpu = handshakeCpu(tls, resumed);
    if (full !== null)
      this.w.trace.emitLimited(`upstream-tls-full-${backend.index}`, {
        kind: 'nginx.upstream_tls_full',
        backend: backend.name,
        worker,
        why: full,
        handshakeCpu: cpu,
        sessionTimeout: tls.session_timeout,
      });
    const pending: UpstreamHandshake = {
      b: backend.index,
      key,
      epoch: backend.app.epoch,
      tls,
      resumed,
      sent,
      wanted,
      failed,
    };
    const job = this.app.tlsHandshake(new Req((j) => this.flightOut(j, pending)));
    job.fixedService = cpu;
    job.deep = false;
    this.app.submitOnAccept(backend, job);
  }

  /**
   * The app's flight is out (or the job was lost): nginx's Finished and the request follow a round
   * trip (`nginx.upstream_rtt`) later with TLS 1.3, full or resumed, and after a resumed TLS 1.2
   * handshake; two after a full TLS 1.2 one (`nginx.proxy_ssl_protocol`: nginx's ClientKeyExchange and
   * Finished, the app's NewSessionTicket and Finished, then the request: app/tls-protocol.ts
   * roundTripsToRequest). nginx sends the request only once SSL_do_handshake reports the
   * handshake done (ngx_ssl_handshake → c->ssl->handshaked, ngx_http_upstream_ssl_handshake →
   * ngx_http_upstream_send_request), which as a TLS 1.2 client is after reading the server's
   * Finished.
   */
  private flightOut(job: AppJob, pending: UpstreamHandshake): void {
    if (job.status !== Status.OK) {
      if (pending.wanted()) pending.failed(job.status);
      return;
    }
    const backend = this.w.backends[pending.b];
    const trips = roundTripsToRequest(pending.tls, pending.resumed);
    this.w.engine.schedule(backend.nginx.config.upstream_rtt * trips, this.finished, pending);
  }

  private readonly finished = (pending: UpstreamHandshake): void => {
    const backend = this.w.backends[pending.b];
    // The host vanished with nginx and the app: nobody is told (vm/lifecycle.ts vanish).
    if (!backend.hostUp) return;
    // The process that did the handshake died within the round trip: nginx reads its close (502).
    if (backend.app.epoch !== pending.epoch || !backend.app.up) {
      if (pending.wanted()) pending.failed(Status.BAD_GATEWAY);
      return;
    }
    // nginx's new-session callback saves a fresh ticket; without one (a resumed TLS 1.2
    // handshake) the saved session keeps its full handshake's expiry.
    const ticket = ticketFrom(pending.tls, pending.resumed, pending.epoch, this.w.now);
    if (ticket !== null) this.saved[pending.b].set(pending.key, ticket);
    if (pending.wanted()) pending.sent();
  };
}

/** Room for worker indices in a (generation, worker) key: far above any worker_processes. */
const WORKER_KEYS = 4096;

/** An upstream handshake in progress (TlsHandshakes.upstream). */
interface UpstreamHandshake {
  readonly b: number;
  readonly key: number;
  readonly epoch: number;
  /** The leg's TLS: `nginx.proxy_ssl_protocol`, its resumed cost (upstreamTls). */
  readonly tls: TlsConfig;
  /** It resumed nginx's saved session (fewer round trips with TLS 1.2, no new ticket). */
  readonly resumed: boolean;
  readonly sent: () => void;
  readonly wanted: () => boolean;
  readonly failed: (status: Status) => void;
}

/**
 * The TLS handshake of an HTTP health check's connection to a bare app that ends TLS itself
 * (`proxy: none`, `app.tls.terminates: app`): HAProxy's `check-ssl` and a kubelet httpGet probe
 * with scheme HTTPS (control/probe-words.ts probeTarget) open a new connection per check and
 * handshake on it before the request, on the app's workers as a client's connection does (an event
 * loop reads the ClientHello one iteration after the accept, loop-tls.ts; a worker-per-connection
 * app's worker holds the connection over the handshake and the round trips,
 * AppServer.submitAfterHandshake), the request one round trip (`clients.rtt`) after the flight,
 * two after a full TLS 1.2 handshake (`app.tls.protocol`: handshakeToRequest). A resumed TLS 1.2
 * handshake brings no new ticket (issuesTicket), so HAProxy's saved session then keeps the expiry
 * of the full handshake that made it. Whether it resumes depends on the checker:
 *
 * - HAProxy 2.6 (src/tcpcheck.c tcpcheck_eval_connect): the check's connection targets the server
 *   (`conn_new(&s->obj_type)`), so ssl_sock_init (src/ssl_sock.c) builds it from the server's
 *   SSL_CTX and offers `srv->ssl_ctx.reused_sess[tid]`, and that SSL_CTX's new-session callback,
 *   ssl_sess_new_srv_cb, saves the session the app sends back there (ssl_sock_prepare_srv_ssl_ctx:
 *   SSL_SESS_CACHE_CLIENT, SSL_CTX_sess_set_new_cb): after the first check, each resumes the
 *   previous one's session (`resumed_handshake_cpu`) while the app's process lives, for its
 *   `session_timeout`, if it issues tickets (`session_tickets`); a failed handshake drops it
 *   (ssl_sock_handshake out_error). The slot is per server and per thread, shared with the
 *   server's traffic connections; the model keeps one per server, the checks' own.
 * - The kubelet (pkg/probe/http/http.go NewWithTLSConfig): one http.Transport for every probe,
 *   `DisableKeepAlives: true` (a new connection per probe), a tls.Config of
 *   `InsecureSkipVerify: true` only — no ClientSessionCache, without which Go's crypto/tls client
 *   neither stores nor offers a session: every probe is a full handshake (`handshake_cpu`).
 *
 * TCP checks and tcpSocket probes connect only (no TLS). Checks through the VM's nginx are not
 * charged here (their TLS, if any, ends in nginx).
 */
export class CheckTlsHandshakes {
  /** Per backend: a bare app that ends TLS. */
  private readonly inApp: boolean[];
  /** Per backend: the session the checker saved from its last check (HAProxy's reused_sess), null: none. */
  private readonly saved: Array<SavedSession | null>;

  constructor(
    private readonly w: World,
    private readonly app: AppServer,
    /** The checker keeps the session the app sends (HAProxy), or none (the kubelet's Go client). */
    private readonly resumes: boolean,
  ) {
    this.inApp = w.backends.map(tlsInBareApp);
    this.saved = w.backends.map(() => null);
  }

  /** An HTTP check of `backend` is an HTTPS one: its app ends TLS on its own listener. */
  endsIn(backend: Backend): boolean {
    return this.inApp[backend.index];
  }

  /**
   * Queue the check request `job` on a connection the app's listener made just now, after the
   * connection's handshake and the checker's round trips (`rtt` each: one with TLS 1.3 or a
   * resumed TLS 1.2 handshake, two after a full TLS 1.2 one, `app.tls.protocol`, as a client's
   * connection: tls-protocol.ts roundTripsToRequest): skipped unless `wanted()` then (the check
   * timed out meanwhile). Lost with the app's process before it: `job` ends with that status.
   */
  submit(backend: Backend, job: AppJob, rtt: number, wanted: () => boolean): void {
    const config = backend.app.config.tls;
    const resumed = this.resumable(backend);
    const cpu = handshakeCpu(config, resumed);
    const epoch = backend.app.epoch;
    // The handshake is over when the request comes: the app's ticket, if it sent one, has reached
    // the checker. A resumed TLS 1.2 handshake brings none (issuesTicket), and HAProxy's
    // ssl_sess_new_srv_cb is not called: the saved session keeps its full handshake's expiry.
    const handshaken = (): boolean => {
      if (!wanted()) return false;
      const ticket = this.resumes ? ticketFrom(config, resumed, epoch, this.w.now) : null;
      if (ticket !== null) this.saved[backend.index] = ticket;
      return true;
    };
    if (!acceptsByEventLoop(backend)) {
      // AppServer.submitAfterHandshake asks `handshaken` when the worker's hold (flight + round trips) ends.
      this.app.submitAfterHandshake(backend, job, handshakeToRequest(config, resumed, rtt), handshaken);
      return;
    }
    const after = rtt * roundTripsToRequest(config, resumed);
    job.backend = backend.index;
    job.phase = ReqPhase.QUEUED;
    const hello = this.app.tlsHandshake(
      new Req((h) => {
        if (h.status !== Status.OK) {
          if (wanted()) lose(job, h.status);
        } else this.w.engine.schedule(after, this.requestArrives, { backend, job, epoch, handshaken });
      }),
    );
    hello.fixedService = cpu;
    hello.deep = false;
    this.app.submitOnAccept(backend, hello);
  }

  /** The check's request reaches the loop that did its handshake: read at its next poll. */
  private readonly requestArrives = (c: CheckAfterHandshake): void => {
    const { backend, job, epoch, handshaken } = c;
    if (!backend.hostUp) return;
    // Killed within the round trip: the check reads the connection's close, no response.
    if (backend.app.epoch !== epoch || !backend.app.up) {
      if (job.phase === ReqPhase.QUEUED) lose(job, Status.NO_RESPONSE);
      return;
    }
    if (handshaken()) this.app.submit(backend, job);
  };

  /** The saved session is one `backend`'s app would resume now. */
  private resumable(backend: Backend): boolean {
    if (!this.resumes) return false;
    return whyNotResumed(backend.app.config.tls, this.saved[backend.index], backend.app.epoch, this.w.now) === null;
  }
}

/** A check request waiting for its connection's handshake (CheckTlsHandshakes.submit). */
interface CheckAfterHandshake {
  readonly backend: Backend;
  readonly job: AppJob;
  /** The app process that did the handshake. */
  readonly epoch: number;
  readonly handshaken: () => boolean;
}

/** A check request that never reached the app ends with `status` (its checker reads it). */
function lose(job: AppJob, status: Status): void {
  job.phase = ReqPhase.NONE;
  job.status = status;
  job.onDone(job);
}
