/**
 * What the model reports as it runs: one typed record per thing an operator would see a log line
 * for (ns-3's trace sources, not printf). Types only: the model imports this module to emit, and
 * result readers (explain, reports, tests) read the records a RunResult carries. `catalog.ts`
 * turns each kind into its operator log line and its plain-language explanation.
 *
 * A record carries the setting values in force when it was emitted (a timeline `set` action may
 * have changed them since the scenario started), and the counts its explanation quotes, so no
 * reader has to reconstruct them from the scenario or the sampled timeline.
 */

/** A client retry or reconnect backoff as configured (scenario `clients.*.retry_backoff`/`reconnect`). */
export interface BackoffSetting {
  readonly policy: string;
  readonly base: number;
  readonly cap: number;
  /** policy randomized: socket.io-client's randomizationFactor (unset: 0.5). */
  readonly factor?: number;
}

interface Rec<K extends string> {
  /** Simulated seconds since start, stamped by the event log. */
  t: number;
  kind: K;
}

// ── load balancer ─────────────────────────────────────────────────────────────────────────────
/** The backend is (back) in the LB pool for new connections. */
export interface LbBound extends Rec<'lb.bound'> {
  backend: string;
  balance: string;
}
/** unbind + drain: new connections blocked, existing flows kept. */
export interface LbDrain extends Rec<'lb.drain'> {
  backend: string;
  /** active_conn at the drain: HAProxy's scur (LoadBalancer.currentSessions). */
  active: number;
  wsSessions: number;
  keepaliveTimeout: number;
}
/** The runtime API's `set server be/<b> state ready|drain|maint`. */
export interface LbSetState extends Rec<'lb.set_state'> {
  backend: string;
  state: 'ready' | 'drain' | 'maint';
  active: number;
  left: number;
}
/**
 * `shutdown sessions server be/<b>` or `on-marked-down shutdown-sessions` (at a DOWN by checks, or
 * a running server entering maint): the server's streams closed with FIN.
 */
export interface LbShutdownSessions extends Rec<'lb.shutdown_sessions'> {
  backend: string;
  streams: number;
  cause: 'command' | 'down' | 'maint';
}
/** The proxy was reloaded: the old process soft-stops with `streams` streams. */
export interface LbReload extends Rec<'lb.reload'> {
  streams: number;
  /** hard-stop-after in seconds (Infinity: none). */
  hardStopAfter: number;
}
/**
 * A stream whose client had closed towards a silent server ended: at its server side's read
 * timeout, or by the RST the server's rebooted kernel sent to a retransmission.
 */
export interface LbServerSideTimeout extends Rec<'lb.server_side_timeout'> {
  backend: string;
  /**
   * timeout: timeout server (or tunnel) in seconds; server-fin: timeout server-fin. reset,
   * retries2: seconds since the first segment the server never acknowledged.
   */
  after: number;
  /**
   * timeout: HAProxy's, from the last exchange with the server; server-fin: HAProxy's timeout
   * server-fin, from the client's FIN it relayed (lb/fin-timeouts.ts); reset: the rebooted
   * server's RST; retries2: the balancer host's kernel gave up (ETIMEDOUT).
   */
  cause: 'timeout' | 'server-fin' | 'reset' | 'retries2';
}
/** lb.mode l7 reload: the old process closed its idle client connections; busy ones close after their answer. */
export interface LbSoftStopClients extends Rec<'lb.soft_stop_clients'> {
  idleClosed: number;
  busy: number;
}
/** hard-stop-after fired: the old process shut the streams it still held. */
export interface LbHardStop extends Rec<'lb.hard_stop'> {
  streams: number;
  /**
   * The old process exits one second after the hard stop because streams resisted it (held
   * streams, lb/hard-stop.ts); `streams` are those. Absent: the hard stop itself.
   */
  exiting?: true;
  after: number;
}
/** Removed without drain. */
export interface LbRemove extends Rec<'lb.remove'> {
  backend: string;
  /** active_conn at the removal: HAProxy's scur (LoadBalancer.currentSessions). */
  active: number;
  resetsFlows: boolean;
}
/** Ten seconds after a hard removal: the RST peak and how many forgotten flows are gone. */
export interface LbResetSummary extends Rec<'lb.reset_summary'> {
  backend: string;
  peak: number;
  activeBefore: number;
  activeAfter: number;
}
/** A deploy gate's poll of a draining backend (once a minute). */
export interface LbDraining extends Rec<'lb.draining'> {
  backend: string;
  newConn: number;
  active: number;
  /** Active connections per minute since the drain began (negative while falling). */
  drainRate: number;
  gateThreshold: number;
  gateMaxWait: number;
}
/** L4: no backend in the pool for a new connection. */
export interface LbNoServer extends Rec<'lb.no_server'> {
  /** What the client reads: EOF from an L4 proxy that had accepted it, ECONNREFUSED behind a NAT. */
  clientSees: 'EOF' | 'ECONNREFUSED';
}
/** lb.frontend_maxconn: the frontend first reached its maxconn and stopped accepting (once per run). */
export interface LbFrontendFull extends Rec<'lb.frontend_full'> {
  maxconn: number;
  /** min(backlog, somaxconn): the accept queue holds one more. */
  backlog: number;
}
/** lb.mode nat: a packet came after the flow's entry timed out; it is answered with RST. */
export interface LbNatIdleExpired extends Rec<'lb.nat_idle_expired'> {
  backend: string;
  /** Seconds since the flow's previous packet. */
  idle: number;
  timeout: number;
}
/** HAProxy's configuration warning: a tcp-mode proxy lacks timeout client, or server and tunnel. */
export interface LbMissingTimeouts extends Rec<'lb.missing_timeouts'> {
  client: boolean;
  server: boolean;
  tunnel: boolean;
}
/** lb.mode l4: HAProxy's inactivity timeout closed an idle connection on both sides. */
export interface LbIdleTimeout extends Rec<'lb.idle_timeout'> {
  backend: string;
  timeout: 'client' | 'server' | 'tunnel';
  after: number;
  /** nginx reads an RST after the FIN (false: timeout client alone, a clean half-close). */
  nginxReset: boolean;
  /** The tunnel's server end is a bare app server (proxy: none), not nginx. Absent: nginx. */
  bare?: true;
}
/** HAProxy's tunnel inactivity timeout closed an idle WebSocket tunnel on both sides. */
export interface LbTunnelIdleTimeout extends Rec<'lb.tunnel_idle_timeout'> {
  backend: string;
  timeout: 'client' | 'server' | 'tunnel';
  after: number;
  pingInterval: number;
  /** nginx reads an RST after the FIN (false: timeout client alone, a clean half-close). */
  nginxReset: boolean;
  /** The tunnel's server end is a bare app server (proxy: none), not nginx. Absent: nginx. */
  bare?: true;
}
/** lb.mode l7: timeout server expired before the server answered: HAProxy's own 504. */
export interface LbServerTimeout504 extends Rec<'lb.server_timeout_504'> {
  backend: string;
  timeout: number;
}
/**
 * lb.mode l7, a bare app server (`backends[].proxy: none`): the server connection closed (FIN) or
 * was reset before any response; HAProxy answered 502 itself (a first request) or closed the
 * client's keep-alive connection silently (a later request: abort_keep_alive).
 */
export interface LbServerAborted extends Rec<'lb.server_aborted'> {
  backend: string;
  /** The request was not the first of its client connection (TX_NOT_FIRST). */
  notFirst: boolean;
  /** It went on an idle server connection as the server closed it (the keep-alive race, lb.server_rtt), not to a killed app. */
  raced: boolean;
  /** The server reset the connection (RST: the request unread) rather than closed it (FIN). */
  reset: boolean;
  /** HAProxy retried the request (`retry-on empty-response`, lb.retry_on_empty_response). */
  retried: boolean;
  /** The server's keep-alive idle timeout then (app.keepalive_timeout, or nginx's keepalive_timeout). */
  keepAlive: number;
}
/** lb.maxconn: a connection waited timeout_queue for a server slot and was closed (EOF). */
export interface LbQueueTimeout extends Rec<'lb.queue_timeout'> {
  timeout: number;
  maxconn: number;
  /** Connections still waiting in the backend queue. */
  queued: number;
}
/** lb.mode l7 with lb.maxconn: a request waited timeout_queue for a server slot and got HAProxy's 503. */
export interface LbQueueTimeout503 extends Rec<'lb.queue_timeout_503'> {
  timeout: number;
  maxconn: number;
  /** Streams still waiting in the backend queue. */
  queued: number;
}
/** lb.maxqueue: a persistent request's server was full and its queue at maxqueue: HAProxy's 503. */
export interface LbServerQueueFull503 extends Rec<'lb.server_queue_full_503'> {
  backend: string;
  maxconn: number;
  maxqueue: number;
  redispatch: boolean;
}
/** L4: the connect to a backend failed after every retry. */
export interface LbConnectFailed extends Rec<'lb.connect_failed'> {
  backend: string;
  retries: number;
  /** `syn_giveup`: the balancer's kernel gave up on the SYNs (tcp_syn_retries) before its timeout connect. */
  /** `unreachable`: ICMP host unreachable for the SYNs (a gone pod's address under a bridge CNI). */
  cause: 'timeout' | 'refused' | 'no_port' | 'syn_giveup' | 'unreachable';
  connectTimeout: number;
  synRetries: number;
  retryInterval: number;
  redispatch: boolean;
  /** What the client reads: EOF from an L4 proxy (mode tcp) that had accepted it, else its own SYN's errno. */
  /** client_timeout: behind a NAT, the client's own connect timer (lb.connect_timeout) expired. */
  clientSees: 'EOF' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'EHOSTUNREACH' | 'client_timeout';
}
/** A proxying balancer's own host had no source port towards a backend (EADDRNOTAVAIL). */
export interface LbNoPort extends Rec<'lb.no_port'> {
  backend: string;
  portRange: readonly [number, number];
  twReuse: 0 | 1 | 2;
  /** lb.mode l7: a server connection's connect() (lb/l7-server-conns.ts); unset: an L4 proxy's. */
  serverConns?: boolean;
}
/** L7: no server for a request; the LB answers 503 itself. */
export interface LbNoServer503 extends Rec<'lb.no_server_503'> {
  pool: string;
}
/** A keep-alive client's request crossed the L7 balancer's idle close of its connection. */
export interface LbKeepaliveRace extends Rec<'lb.keepalive_race'> {
  httpKeepAliveTimeout: number;
  rtt: number;
}

// ── nginx ─────────────────────────────────────────────────────────────────────────────────────
/** The LB reset a forgotten flow while nginx waited for its next request. */
export interface NginxResetReadingRequest extends Rec<'nginx.reset_reading_request'> {
  backend: string;
  retries: number;
  retryBackoff: BackoffSetting;
}
/** nginx's response met a flow the LB forgot. */
export interface NginxResetWritingResponse extends Rec<'nginx.reset_writing_response'> {
  backend: string;
  requestTimeout: number;
}
/** The client timed out on a request nginx still held and closed its connection: 499. */
export interface NginxClientClosedRequest extends Rec<'nginx.client_closed_request'> {
  backend: string;
  requestTimeout: number;
  /** The request was in the app (served or queued), which goes on with it. */
  inApp: boolean;
}
/** The app died with the request in service (FIN): 502, or a retry (`retried`). */
export interface NginxUpstreamClosed extends Rec<'nginx.upstream_closed'> {
  backend: string;
  /** Sent on a cached connection, a GET: nginx tries once more (ngx_http_upstream_next, peer.cached). */
  retried?: true;
}
/** The app was killed with the request unread in its socket (RST): 502, or a retry (`retried`). */
export interface NginxUpstreamReset extends Rec<'nginx.upstream_reset'> {
  backend: string;
  /** Sent on a cached connection, a GET: nginx tries once more (ngx_http_upstream_next, peer.cached). */
  retried?: true;
}
/** No ephemeral port towards the app (EADDRNOTAVAIL): 502. */
export interface NginxUpstreamNoPort extends Rec<'nginx.upstream_no_port'> {
  backend: string;
  upstream: string;
  upstreamKeepalive: number;
  portRange: readonly [number, number];
}
/** The app's accept queue dropped nginx's SYNs until proxy_connect_timeout: 504. */
export interface NginxUpstreamConnectTimeout extends Rec<'nginx.upstream_connect_timeout'> {
  backend: string;
  backlog: number;
  proxyConnectTimeout: number;
}
/** The VM's kernel gave up on nginx's SYNs to the app (tcp_syn_retries) before proxy_connect_timeout: 502. */
export interface NginxUpstreamSynGaveUp extends Rec<'nginx.upstream_syn_gave_up'> {
  backend: string;
  backlog: number;
  synRetries: number;
  proxyConnectTimeout: number;
}
/** The app sent no response within proxy_read_timeout of the request: 504, the upstream connection closed. */
export interface NginxUpstreamReadTimeout extends Rec<'nginx.upstream_read_timeout'> {
  backend: string;
  proxyReadTimeout: number;
  /** Where the request was when nginx gave up: in the app's queue or in service. */
  queued: boolean;
}
/** Nothing accepts on the app's port (or on this one of its addresses): 502, or the next address. */
export interface NginxUpstreamRefused extends Rec<'nginx.upstream_refused'> {
  backend: string;
  upstream: string;
  /** One of several addresses (nginx.upstream_addresses) with a try left: nginx connects to the next. */
  next?: true;
}
/**
 * A try on one of several addresses (nginx.upstream_addresses) failed after the connect began — a
 * timeout (proxy_connect_timeout, proxy_read_timeout) or an error (the app's FIN or RST, a failed
 * connect) — and nginx sends the request to the next address (ngx_http_upstream_next).
 */
export interface NginxUpstreamNext extends Rec<'nginx.upstream_next'> {
  backend: string;
  /** The address that failed, as error.log writes it: [::1]:8080. */
  upstream: string;
  failure: 'timeout' | 'error';
  method: string;
}
/** Every address of the app's upstream not yet tried is down within fail_timeout: 502 without a connect. */
export interface NginxNoLiveUpstreams extends Rec<'nginx.no_live_upstreams'> {
  backend: string;
  peers: number;
  failTimeout: number;
}
/** A WebSocket tunnel idle for proxy_read_timeout. */
export interface NginxTunnelIdle extends Rec<'nginx.tunnel_idle_timeout'> {
  backend: string;
  proxyReadTimeout: number;
  reconnect: BackoffSetting;
}
/** `nginx -s reload`: a new worker generation joins the listening socket (older workers accept until their QUIT with worker_processes > 1; with 1 the new worker is woken first); older ones get QUIT 100 ms later. */
export interface NginxReload extends Rec<'nginx.reload'> {
  backend: string;
  generation: number;
  shuttingDown: number;
  settings: Readonly<Record<string, unknown>>;
}
/** `nginx -s quit`: the listeners close, every generation shuts down. */
export interface NginxQuit extends Rec<'nginx.quit'> {
  backend: string;
  open: number;
  workerShutdownTimeout: number;
}
/**
 * A request waited for its nginx worker, busy with TLS handshakes (proxy/worker-cpu.ts: its own
 * connection's, behind a storm's, or the one in progress), longer than the client's round trip,
 * or until the client gave up. `handshakes`: how many it waited for.
 */
interface TlsBacklog {
  backend: string;
  /** The worker (nginx) or thread (balancer), from 0. */
  worker: number;
  workers: number;
  wait: number;
  handshakes: number;
  handshakeCpu: number;
  timedOut: boolean;
  requestTimeout: number;
}
export interface NginxWorkerTlsBacklog extends Rec<'nginx.worker_tls_backlog'>, TlsBacklog {}
/** The same at the balancer: TLS ends there (lb.nbthread), the request waited for its thread. */
export interface LbThreadTlsBacklog extends Rec<'lb.thread_tls_backlog'>, TlsBacklog {}
/** nginx sent a request on a cached upstream connection just as the app's idle timer closed it. */
export interface NginxUpstreamKeepaliveRace extends Rec<'nginx.upstream_keepalive_race'> {
  backend: string;
  method: string;
  retried: boolean;
  appKeepaliveTimeout: number;
  upstreamKeepaliveTimeout: number;
}
/**
 * nginx's TLS handshake on a new upstream connection to an app that ends TLS was a full one: the
 * worker had no session saved (`first`: its first, or a new generation's), the app no longer takes
 * it (`expired`: older than its session timeout; `app_restarted`: a new process, new ticket keys),
 * or the app issues no tickets (`no_tickets`).
 */
export interface NginxUpstreamTlsFull extends Rec<'nginx.upstream_tls_full'> {
  backend: string;
  worker: number;
  why: 'first' | 'expired' | 'app_restarted' | 'no_tickets';
  handshakeCpu: number;
  sessionTimeout: number;
}
/** A worker's connection array ran low: nginx closed its longest-idle keep-alive client connections to reuse them. */
export interface NginxWorkerConnectionsReuse extends Rec<'nginx.worker_connections_reuse'> {
  backend: string;
  worker: number;
  closed: number;
  idle: number;
  workerConnections: number;
}
/** A worker had no free connection: an accepted client closed at once, or an upstream connect failed (500). */
export interface NginxWorkerConnectionsNotEnough extends Rec<'nginx.worker_connections_not_enough'> {
  backend: string;
  worker: number;
  upstream: boolean;
  /** The accepted client's close sent RST (its first bytes were in the socket), not FIN; false for an upstream connect. */
  reset: boolean;
  workerConnections: number;
  /** lb.mode l7: the refused connection is the balancer's server connection, and HAProxy answers its client. */
  l7: boolean;
}
/** `nginx -s stop`: the workers exit at once; the kernel closes what they held. */
export interface NginxStop extends Rec<'nginx.stop'> {
  backend: string;
  open: number;
  /** A VM's graceful stop: the QUIT ran this long (nginx.stop_timeout) before systemd's SIGTERM; absent for `nginx -s stop`. */
  afterQuit?: number;
  /** A pod's nginx container still running when its pod's containers were killed (SIGKILL at the grace period's end). */
  podKilled?: true;
}
/** A QUITted worker generation exited: its last connection ended, or worker_shutdown_timeout closed it. */
export interface NginxGenerationExit extends Rec<'nginx.generation_exit'> {
  backend: string;
  generation: number;
  after: number;
  forced: boolean;
  stillShuttingDown: number;
  /** Ended by a fast stop (nginx -s stop, SIGTERM, a SIGKILL with its pod) without a QUIT before it. */
  stopped?: true;
}
/** A request crossed nginx's FIN on an idle keep-alive connection (the keepalive race). */
export interface NginxKeepaliveRace extends Rec<'client.keepalive_race'> {
  backend: string;
  keepaliveTimeout: number;
  rtt: number;
  l7: boolean;
}
/**
 * A request failed before any byte of its answer on a connection the client reused, and the client
 * library sent it again by itself on a new connection (clients.http.library; clients/http-library.ts).
 */
export interface ClientResend extends Rec<'client.resend'> {
  backend: string;
  library: string;
  rtt: number;
  /** closed: the server end closed or reset the connection; etimedout: the client's kernel gave up on it. */
  cause: 'closed' | 'etimedout';
}
/** nginx's QUIT closed its listening sockets with connections in their accept queue: the kernel reset them. */
export interface NginxAcceptQueueReset extends Rec<'nginx.accept_queue_reset'> {
  backend: string;
  reset: number;
  /** Seconds from the QUIT to the last worker's close (its handshake in progress). */
  afterQuit: number;
  /**
   * Only the `reuseport` sockets a reload dropped closed (fewer workers, or reuseport off), at the
   * old workers' QUIT; false: `nginx -s quit` closed every listener.
   */
  reloadDropped: boolean;
}
/** worker_shutdown_timeout ended a graceful quit. */
export interface NginxShutdownTimeout extends Rec<'nginx.shutdown_timeout'> {
  backend: string;
  open: number;
  workerShutdownTimeout: number;
}

// ── LB health checks and Kubernetes probes ──────────────────────────────────────────────────────
export interface HcUp extends Rec<'hc.up'> {
  pool: string;
  backend: string;
  reason: string;
  durationMs: number;
  active: number;
  rise: number;
  /** Back from NOLB (`http-check disable-on-404`): one passed check, not `rise`; absent: from DOWN. */
  fromNolb?: true;
}
/**
 * `http-check disable-on-404`: a check answered 404 took the server to NOLB (SRV_ST_STOPPING,
 * srv_update_status(), src/server.c: "Server %s/%s is stopping").
 */
export interface HcStopping extends Rec<'hc.stopping'> {
  pool: string;
  backend: string;
  reason: string;
  durationMs: number;
  /** Servers left in load balancing (`srv_act`). */
  active: number;
  /** Streams of the server's own queue handed back (`pendconn_redistribute()`). */
  requeued: number;
  /** Streams still in the server's own queue (`queueslength`: "total in queue"). */
  queued: number;
  /** Streams the server still carries (`cur_sess`): they go on. */
  sessions: number;
}
export interface HcDown extends Rec<'hc.down'> {
  pool: string;
  backend: string;
  reason: string;
  durationMs: number;
  active: number;
  /** Streams on the server when it went DOWN (HAProxy `cur_sess`). */
  sessions: number;
  /** Streams its DOWN handed back to the dispatcher (`pendconn_redistribute()`). */
  requeued: number;
  /** Streams left in the server's own queue (`queueslength`). */
  queued: number;
  fall: number;
  inter: number;
  /** lb.mode nat (an NLB target group): the server's flows are reset at their next packet. */
  natResets?: true;
}
export interface HcNoServer extends Rec<'hc.no_server'> {
  pool: string;
  /** lb.mode nat: the NAT fails open, new flows go to every target whatever its health. */
  failOpen?: true;
}
export interface K8sReadiness extends Rec<'k8s.readiness'> {
  pod: string;
  ready: boolean;
  reason: string;
  /** The pod is terminating (deleted): its result sets the endpoint's `serving` only, never `ready`. */
  terminating?: boolean;
}
export interface K8sLivenessFailed extends Rec<'k8s.liveness_failed'> {
  pod: string;
  reason: string;
}
export interface K8sContainerRestarted extends Rec<'k8s.container_restarted'> {
  pod: string;
}
export interface K8sContainerDied extends Rec<'k8s.container_died'> {
  pod: string;
  cause: 'crash' | 'liveness' | 'startup';
  ranFor: number;
  restarts: number;
}
/** The startup probe succeeded (liveness and readiness now run) after `after` s of running. */
export interface K8sStarted extends Rec<'k8s.started'> {
  pod: string;
  after: number;
}
/** The kubelet kills a container (failed liveness or startup probe): its preStop hook runs first. */
export interface K8sKillPrestop extends Rec<'k8s.kill_prestop'> {
  pod: string;
  cause: 'liveness' | 'startup';
  preStop: number;
  gracePeriod: number;
}
export interface K8sCrashBackoff extends Rec<'k8s.crash_backoff'> {
  pod: string;
  /** The CrashLoopBackOff wait counted from the container's finish (0: restart at once). */
  delay: number;
  /** How long after the finish the kubelet learnt of it (its PLEG relist; 0 for its own kills). */
  noticed: number;
  /** The kubelet killed the container itself (failed liveness or startup probe). */
  killed: boolean;
  restarts: number;
}
export interface K8sEndpointNotReady extends Rec<'k8s.endpoint_not_ready'> {
  pod: string;
  delay: number;
}

// ── Kubernetes rolling update ───────────────────────────────────────────────────────────────────
export interface K8sRolloutStart extends Rec<'k8s.rollout_start'> {
  pods: number;
  gracePeriod: number;
  preStop: number;
  propagation: string;
  /** maxSurge and maxUnavailable as resolved (ResolveFenceposts), and the spare backends surge pods can use. */
  surge: number;
  unavailable: number;
  spares: number;
  /** The new version's app.crash_after when the rollout sets it (0: it does not crash); null: unchanged. */
  crashAfter: number | null;
}
export interface K8sRolloutComplete extends Rec<'k8s.rollout_complete'> {
  pods: number;
}
/** A new pod the Deployment created has no backend to go to: the scheduler leaves it Pending. */
export interface K8sPodPending extends Rec<'k8s.pod_pending'> {
  /** New pods Pending now, this one included. */
  pending: number;
  /** Old pods terminating, whose slots will free. */
  terminating: number;
}
/** The stalled rollout made no progress for progressDeadlineSeconds: the Deployment reports it. */
export interface K8sProgressDeadline extends Rec<'k8s.progress_deadline'> {
  deadline: number;
}
/** Nothing can move: new pods Pending, no old pod terminating, maxUnavailable lets none go. */
export interface K8sRolloutStalled extends Rec<'k8s.rollout_stalled'> {
  pending: number;
  surge: number;
  unavailable: number;
  oldPods: number;
}
export interface K8sPodTerminating extends Rec<'k8s.pod_terminating'> {
  pod: string;
  preStop: number;
  gracePeriod: number;
}
export interface K8sEndpointRemoved extends Rec<'k8s.endpoint_removed'> {
  pod: string;
  delay: number;
  preStop: number;
  /** The pod had already gone (its sandbox and address): what was sent to it since went unanswered. */
  podGone: boolean;
  /** No other endpoint is ready: kube-proxy keeps sending to it as a terminating endpoint. Absent: false. */
  fallback?: boolean;
}
/** A gone pod's deletion reached kube-proxy while it was the terminating fallback: it stops sending to its released IP. */
export interface K8sEndpointDeleted extends Rec<'k8s.endpoint_deleted'> {
  pod: string;
  /** Seconds from the pod's exit to the deletion's arrival (the rollout's endpoint_propagation). */
  delay: number;
}
/** A deleted pod's containers have exited and the kubelet stopped its sandbox: its IP answers nothing. */
export interface K8sPodIpGone extends Rec<'k8s.pod_ip_gone'> {
  pod: string;
  /** The balancer has not heard of the endpoint's removal yet and still sends to the old address. */
  stillSent: boolean;
  /** kubernetes.deleted_pod_ip `unreachable`: a bridge CNI's node answers that address with host unreachable. */
  unreachable?: boolean;
  /** The removal has landed, but kube-proxy sends to it as the terminating fallback (no endpoint ready) until the deletion lands. */
  fallback?: boolean;
}
/** A rollout's new pod's first Ready reached the load balancer (EndpointSlice, kube-proxy): its endpoint takes traffic. */
export interface K8sEndpointAdded extends Rec<'k8s.endpoint_added'> {
  pod: string;
  /** Seconds from the pod's Ready (the kubelet's status) to its arrival (kubelet.endpoint_propagation). */
  delay: number;
}
/** kube-proxy uses (or stops using) a terminating endpoint: no other endpoint is ready (or one is again). */
export interface K8sTerminatingFallback extends Rec<'k8s.terminating_fallback'> {
  pod: string;
  used: boolean;
}
export interface K8sPodSigterm extends Rec<'k8s.pod_sigterm'> {
  pod: string;
  gracePeriod: number;
  preStop: number;
  endpointRemoved: boolean;
  /** `app.shutdown_delay` (seconds): the app keeps accepting this long first (app.lame_duck). Absent: none. */
  shutdownDelay?: number;
  /** The pod has an nginx container: the stop signal it gets at the same time (kubernetes.nginx_stop_signal; lifecycle.ts podNginxStopSignal). */
  nginx?: 'quit' | 'term';
}
export interface K8sGraceOver extends Rec<'k8s.grace_over'> {
  pod: string;
  gracePeriod: number;
  inFlight: number;
}
export interface K8sPodReady extends Rec<'k8s.pod_ready'> {
  pod: string;
  startupTime: number;
  /** The app listens already (false: Ready without a readiness probe while it starts). */
  listening: boolean;
}
export interface K8sGraceExtended extends Rec<'k8s.grace_extended'> {
  pod: string;
  gracePeriod: number;
  preStop: number;
  extension: number;
}

// ── app ───────────────────────────────────────────────────────────────────────────────────────
export interface AppPause extends Rec<'app.pause'> {
  backend: string;
  cause: string;
  duration: number;
}
/** A stop-the-world collection of the app's JVM-like heap (sim/model/app/jvm-heap.ts). */
export interface AppGc extends Rec<'app.gc'> {
  backend: string;
  collection: 'young' | 'full';
  /** Stop-the-world time, seconds. */
  pause: number;
  /** Young: surviving MB copied and promoted. Full: live MB marked and compacted. */
  liveMb: number;
  oldUsedMb: number;
  oldCapacityMb: number;
  /** Requests queued or in service when it ran (their data is live). */
  inFlight: number;
  /** Collections of this kind on this backend in the last 60 s, this one included. */
  lastMinute: number;
}
/**
 * A bare one-worker app's event loop (node) ended an iteration after a kept-alive connection's
 * keep-alive timer was due, with that connection's next request still unread: the timer phase
 * runs before the poll that would read it, and destroys the socket (app/event-loop-accepts.ts
 * timersDue). The client's request gets no response.
 */
export interface AppKeepaliveUnread extends Rec<'app.keepalive_unread'> {
  backend: string;
  /** app.keepalive_timeout (node's keepAliveTimeout + 1 s), seconds. */
  timeout: number;
  /** How long the request had waited to be read, seconds. */
  waited: number;
}
export interface AppKilled extends Rec<'app.killed'> {
  backend: string;
  inFlight: number;
  /** A bare app server (proxy: none): the balancer, not nginx, answers its requests in flight. Absent: nginx. */
  bare?: true;
}
/** The app still ran when shutdown_grace after its SIGTERM ran out: SIGKILL (vm/lifecycle.ts terminate). */
export interface AppGraceKilled extends Rec<'app.grace_killed'> {
  backend: string;
  /** shutdown_grace, seconds since the SIGTERM. */
  shutdownGrace: number;
  /** Requests queued or in service at the kill. */
  inFlight: number;
  /** WebSocket sessions still open at the kill. */
  wsSessions: number;
  /** A bare app server (proxy: none): the balancer, not nginx, answers its requests in flight. Absent: nginx. */
  bare?: true;
}
/**
 * stoppable's grace after its stop() ran out with sockets still open (`app.sigterm_keepalive:
 * stoppable`, terminus): destroyAll(), then the process exits (vm/lifecycle.ts destroyAllAfterStop).
 */
export interface AppStoppableDestroyed extends Rec<'app.stoppable_destroyed'> {
  backend: string;
  /** stoppable's grace (app.stoppable_grace; terminus's `timeout`), seconds since stop(). */
  grace: number;
  /** Requests queued or in service when the sockets were destroyed. */
  inFlight: number;
  /** WebSocket sessions still open then. */
  wsSessions: number;
  /** A bare app server (proxy: none): the balancer, not nginx, answers its requests in flight. Absent: nginx. */
  bare?: true;
}
/**
 * gunicorn's arbiter SIGKILLed its workers still alive `graceful_timeout` after its SIGTERM
 * (`app.sigterm_keepalive: gunicorn*`; vm/lifecycle.ts arbiterKillsAfterGracefulTimeout).
 */
export interface AppArbiterKilled extends Rec<'app.arbiter_killed'> {
  backend: string;
  /** app.graceful_timeout (gunicorn's --graceful-timeout), seconds since the SIGTERM. */
  gracefulTimeout: number;
  /** Requests queued or in service at the kill. */
  inFlight: number;
  /** WebSocket sessions still open at the kill. */
  wsSessions: number;
  /** A bare app server (proxy: none): the balancer, not nginx, answers its requests in flight. Absent: nginx. */
  bare?: true;
}
/**
 * gunicorn's arbiter killed a sync worker silent past `app.worker_timeout` (arbiter.py
 * murder_workers(): SIGABRT) under a request, cut with no response (app/app-server.ts workerKilled).
 */
export interface AppWorkerTimeout extends Rec<'app.worker_timeout'> {
  backend: string;
  /** app.worker_timeout (gunicorn's --timeout), seconds. */
  timeout: number;
  /** How long its replacement boots (app.startup_time), seconds. */
  boot: number;
  /** Other requests in service on the app's workers, and queued, after the kill. */
  busy: number;
  queued: number;
  /** A bare app server (proxy: none): the balancer or the client, not nginx, sees the close. Absent: nginx. */
  bare?: true;
}
export interface AppSigterm extends Rec<'app.sigterm'> {
  backend: string;
  graceful: boolean;
  shutdownGrace: number;
  workerShutdownTimeout: number;
  wsSessions: number;
  /** The app has a drain hook for WebSockets (drain notice or close on shutdown). */
  wsHook: boolean;
  /** The drain notice had already gone out when SIGTERM came. */
  drainHookDone: boolean;
  /** The app closes its remaining sessions with 1001 on SIGTERM. */
  closeOnShutdown: boolean;
  /** A bare app server (proxy: none): no nginx quits with it. Absent: nginx. */
  bare?: true;
  /** `app.shutdown_delay` (seconds): what the SIGTERM does waits this long (app.lame_duck). Absent: none. */
  shutdownDelay?: number;
}
/**
 * SIGTERM started the app's lame-duck phase (`app.shutdown_delay`, vm/lifecycle.ts): its health
 * endpoint answers `status`, its listener stays open for `delay`.
 */
export interface AppLameDuck extends Rec<'app.lame_duck'> {
  backend: string;
  status: 503 | 404;
  delay: number;
  /** The pod's SIGTERM (kubelet), not a VM's: no nginx quits after it. */
  pod?: true;
  bare?: true;
}
/** The lame-duck delay ran out with the process alive: the SIGTERM's own steps run now. */
export interface AppLameDuckOver extends Rec<'app.lame_duck_over'> {
  backend: string;
  delay: number;
  graceful: boolean;
  pod?: true;
  bare?: true;
}
export interface AppWsSessions extends Rec<'app.ws_sessions'> {
  backend: string;
  sessions: number;
  avgAge: number;
  wsHook: boolean;
}
/** The app sent DRAIN_NOTICE {retryAfter} to its sessions (nothing closed yet). */
export interface AppDrainNotice extends Rec<'app.drain_notice'> {
  backend: string;
  retryAfter: number;
  sessions: number;
  /** The sessions still open this long after the notice are closed with 1001 (Infinity: never). */
  closeAfter: number;
  honorRetryAfter: boolean;
  reconnectPolicy: string;
}
/** The app closes every session still open with 1001 Going Away. */
export interface AppWsGoingAway extends Rec<'app.ws_going_away'> {
  backend: string;
  /** SIGTERM (close_on_shutdown) or the end of close_after after a drain notice. */
  cause: 'sigterm' | 'close_after';
  sessions: number;
  closeSpread: number;
  /** retryAfter of the notice these sessions got (-1: no notice). */
  retryAfter: number;
  honorRetryAfter: boolean;
  reconnectPolicy: string;
}
export interface AppSessionLost extends Rec<'app.session_lost'> {
  backend: string;
  user: number;
  home: string;
}
/** After SIGTERM the app finished its last request and exited by itself. */
export interface AppShutdownComplete extends Rec<'app.shutdown_complete'> {
  backend: string;
  after: number;
  gracePeriod: number;
}
/** A timeline `dependency` action: one backend's database pool, or the shared database. */
/** The timeline's health_404 / health_200: the app's health endpoint answers 404 (a maintenance file) or 200. */
export interface AppHealthAnswer extends Rec<'app.health_answer'> {
  backend: string;
  code: 404 | 200;
}
export interface AppDependency extends Rec<'app.dependency'> {
  /** null: the database every backend shares. */
  backend: string | null;
  state: 'up' | 'down' | 'slow';
  failTime: number;
  slowLatency: string;
  /** The app's connection pool (app.db_pool), absent: unbounded. connectionTimeout Infinity: none. */
  pool?: { size: number; connectionTimeout: number };
  /** dependency_down: wait — a down database's requests wait connectionTimeout, then 500 (HikariCP). */
  downWaits?: true;
}

// ── kernel ────────────────────────────────────────────────────────────────────────────────────
/**
 * A SYN to nginx's :443 was dropped: the kernel already held `queued` connections nginx's busy
 * workers had not accept()ed, its limit min(listen_backlog, somaxconn) + 1 (TcpExtListenOverflows).
 * `retransmit`: this connect()'s drops so far; the next SYN goes `retransmitIn` s later, or the
 * connect gives up then (`givesUp`: lb.connect_timeout). `sender`: whose kernel retransmits.
 */
export interface KernelListenOverflow extends Rec<'kernel.listen_overflow'> {
  /** What the full queue dropped: a SYN (sent again on the SYN schedule) or a final ACK (the sender is established and retransmits its first data). */
  dropped: 'syn' | 'ack';
  backend: string;
  queued: number;
  limit: number;
  listenBacklog: number;
  somaxconn: number;
  retransmit: number;
  retransmitIn: number;
  givesUp: boolean;
  /** The sender's kernel gives up (its SYN retries run out) before the balancer's timeout connect. */
  kernelGivesUp: boolean;
  synRetries: number;
  connectTimeout: number;
  sender: 'lb' | 'client';
}
/**
 * A client's SYN (its own behind a NAT, the balancer's behind lb.mode l4) to a bare one-worker
 * app met its full accept queue: the app's event loop is running an iteration and `queued`
 * connections already wait for its next accept() (app/event-loop-accepts.ts). The SYN is dropped
 * and sent again `retransmitIn` later, or the connect gives up.
 */
export interface KernelAppListenOverflow extends Rec<'kernel.app_listen_overflow'> {
  backend: string;
  queued: number;
  limit: number;
  backlog: number;
  somaxconn: number;
  retransmit: number;
  retransmitIn: number;
  givesUp: boolean;
  sender: 'lb' | 'client';
}
/**
 * The SYN-ACK timer of a request sock whose final ACK a full accept queue dropped fired
 * (reqsk_timer_handler, net/ipv4/inet_connection_sock.c): the listener sent its SYN-ACK again and
 * the connected sender answered with an ACK (a challenge ACK, tcp_validate_incoming), which either
 * found room (`admitted`) or met the full queue again (`dropped`); or the request sock ran out of
 * SYN-ACK retries and was dropped without a resend (`expired`). `resend`: its timer firings so far;
 * `retries`: tcp_synack_retries after the SYN queue's pruning of old request socks.
 */
export interface KernelSynAckResend extends Rec<'kernel.synack_resend'> {
  backend: string;
  /** `cookie_expired`: a data copy whose SYN cookie no longer decodes (lb/l4-connect.ts cookieReset): RST. */
  outcome: 'admitted' | 'dropped' | 'expired' | 'reset' | 'cookie_expired';
  resend: number;
  retries: number;
  queued: number;
  limit: number;
  requestSocks: number;
  /** Seconds to this request sock's next SYN-ACK timer (dropped only). */
  nextIn: number;
}
/**
 * The app's listener and a handshake whose SYN passed its accept-queue check (app/app-listener.ts):
 * its final ACK met the full queue (`ack_dropped`: the sender is connected, its request sent,
 * and retransmits it every `rto` doubling), a challenge ACK to a resent SYN-ACK made its child
 * without data (`child_without_data`), its request sock expired (`expired`), or its next data copy
 * met no request sock (`reset`) or a SYN cookie too old to decode (`cookie_expired`).
 */
export interface KernelAppAckOverflow extends Rec<'kernel.app_ack_overflow'> {
  backend: string;
  outcome: 'ack_dropped' | 'child_without_data' | 'expired' | 'reset' | 'cookie_expired';
  /**
   * The accept queue: for `ack_dropped` the count the dropping check compared with the backlog
   * (net/listen-queue.ts ackQueue: a batch's), else the children not yet accept()ed.
   */
  queued: number;
  limit: number;
  requestSocks: number;
  rto: number;
}
export interface KernelTwOverflow extends Rec<'kernel.tw_overflow'> {
  backend: string;
  maxTwBuckets: number;
}
/** A VM's /proc/net/sockstat TCP line (the counts `ss -s` summarises): sockets in use, orphaned and in TIME_WAIT. */
export interface KernelSs extends Rec<'kernel.ss'> {
  backend: string;
  inuse: number;
  /** Orphans the VM's kernel holds (HostSockets.orphanCount). */
  orphan: number;
  tw: number;
  upstreamPortsBusy: number;
  portRange: readonly [number, number];
}

// ── deploy pipeline and timeline actions ────────────────────────────────────────────────────────
/** A timeline `set` action: nginx settings changed and reloaded. */
export interface DeployConfig extends Rec<'deploy.config'> {
  target: string | null;
  nginx: Readonly<Record<string, unknown>>;
}
export interface DeployStart extends Rec<'deploy.start'> {
  backend: string;
  threshold: number;
  poll: number;
  maxWait: number;
  onTimeout: string;
}
export interface DeployDrainComplete extends Rec<'deploy.drain_complete'> {
  backend: string;
  after: number;
  active: number;
}
export interface DeployGateTimeout extends Rec<'deploy.gate_timeout'> {
  backend: string;
  maxWait: number;
}
export interface DeployAborted extends Rec<'deploy.aborted'> {
  backend: string;
  active: number;
  /** Unset: the gate timed out with on_timeout abort. back_in_service: the server was put back in load balancing during the gate. */
  cause?: 'back_in_service';
}
export interface DeployForced extends Rec<'deploy.forced'> {
  backend: string;
  active: number;
}
export interface DeployVanish extends Rec<'deploy.vanish'> {
  backend: string;
  /** active_conn as the host goes: HAProxy's scur (LoadBalancer.currentSessions). */
  active: number;
  requestTimeout: number;
}
export interface DeployNewVersion extends Rec<'deploy.new_version'> {
  backend: string;
}
/** A `rolling_deploy` starts a batch of VMs. */
export interface DeployRollingStep extends Rec<'deploy.rolling_step'> {
  step: number;
  steps: number;
  backends: string[];
}
/** Every batch of a `rolling_deploy` serves the new version again. */
export interface DeployRollingComplete extends Rec<'deploy.rolling_complete'> {
  vms: number;
  after: number;
}
/** A timeline `note` action: the scenario author's own line. */
export interface DeployNote extends Rec<'deploy.note'> {
  text: string;
}

// ── clients ───────────────────────────────────────────────────────────────────────────────────
export interface ClientLoad extends Rec<'client.load'> {
  rates: { http_rate?: number; ws_rate?: number; request_rate?: number };
}
/** A client machine had no free ephemeral port towards the VIP (__inet_hash_connect: -EADDRNOTAVAIL). */
export interface ClientNoPort extends Rec<'client.no_port'> {
  portRange: readonly [number, number];
}

/** A pooled client's due request found every connection busy and was dropped (clients.requests.pool skip). */
export interface ClientPoolSkipped extends Rec<'client.pool_skipped'> {
  connections: number;
}

export type TraceRecord =
  | LbBound
  | LbDrain
  | LbSetState
  | LbShutdownSessions
  | LbReload
  | LbHardStop
  | LbServerSideTimeout
  | LbSoftStopClients
  | LbRemove
  | LbResetSummary
  | LbDraining
  | LbNoServer
  | LbFrontendFull
  | LbConnectFailed
  | LbNatIdleExpired
  | LbIdleTimeout
  | LbQueueTimeout
  | LbTunnelIdleTimeout
  | LbServerTimeout504
  | LbServerAborted
  | LbQueueTimeout503
  | LbServerQueueFull503
  | LbMissingTimeouts
  | LbNoPort
  | LbNoServer503
  | LbKeepaliveRace
  | NginxResetReadingRequest
  | NginxResetWritingResponse
  | NginxClientClosedRequest
  | NginxUpstreamClosed
  | NginxUpstreamReset
  | NginxUpstreamNoPort
  | NginxUpstreamConnectTimeout
  | NginxUpstreamSynGaveUp
  | NginxUpstreamReadTimeout
  | NginxUpstreamRefused
  | NginxNoLiveUpstreams
  | NginxUpstreamNext
  | NginxTunnelIdle
  | NginxShutdownTimeout
  | NginxAcceptQueueReset
  | NginxReload
  | NginxQuit
  | NginxStop
  | NginxUpstreamKeepaliveRace
  | NginxUpstreamTlsFull
  | NginxWorkerConnectionsReuse
  | NginxWorkerConnectionsNotEnough
  | NginxWorkerTlsBacklog
  | LbThreadTlsBacklog
  | NginxGenerationExit
  | NginxKeepaliveRace
  | ClientResend
  | HcUp
  | HcDown
  | HcStopping
  | HcNoServer
  | K8sReadiness
  | K8sLivenessFailed
  | K8sContainerRestarted
  | K8sContainerDied
  | K8sStarted
  | K8sKillPrestop
  | K8sCrashBackoff
  | K8sEndpointNotReady
  | K8sRolloutStart
  | K8sRolloutComplete
  | K8sPodPending
  | K8sRolloutStalled
  | K8sProgressDeadline
  | K8sPodTerminating
  | K8sEndpointRemoved
  | K8sEndpointDeleted
  | K8sPodIpGone
  | K8sEndpointAdded
  | K8sTerminatingFallback
  | K8sPodSigterm
  | K8sGraceOver
  | K8sPodReady
  | K8sGraceExtended
  | AppPause
  | AppKeepaliveUnread
  | AppGc
  | AppKilled
  | AppGraceKilled
  | AppStoppableDestroyed
  | AppArbiterKilled
  | AppWorkerTimeout
  | AppSigterm
  | AppLameDuck
  | AppLameDuckOver
  | AppWsSessions
  | AppDrainNotice
  | AppWsGoingAway
  | AppSessionLost
  | AppShutdownComplete
  | AppDependency
  | AppHealthAnswer
  | KernelListenOverflow
  | KernelAppListenOverflow
  | KernelSynAckResend
  | KernelAppAckOverflow
  | KernelTwOverflow
  | KernelSs
  | DeployConfig
  | DeployStart
  | DeployDrainComplete
  | DeployGateTimeout
  | DeployAborted
  | DeployForced
  | DeployVanish
  | DeployNewVersion
  | DeployNote
  | DeployRollingStep
  | DeployRollingComplete
  | ClientLoad
  | ClientNoPort
  | ClientPoolSkipped;

export type TraceKind = TraceRecord['kind'];

/** The record of one kind. */
export type TraceOf<K extends TraceKind> = Extract<TraceRecord, { kind: K }>;

/** What the model passes to the event log: a record without its time, which the log stamps. */
export type TraceInput = TraceRecord extends infer R ? (R extends TraceRecord ? Omit<R, 't'> : never) : never;
