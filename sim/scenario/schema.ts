/**
 * The scenario format: one zod schema is the single source for validation, the TypeScript types
 * the model sees, and the JSON Schema editors use (`drainsim schema`). Every default is the real
 * system's default, and each description names the system it comes from
 * (../../shared/reference/real-defaults.md has the sources).
 */
import { z } from 'zod';
import { checkAcceptModel } from './accept-model.js';
import { checkBareBackends, writtenBareIssues } from './bare-backends.js';
import { checkDbPool } from './db-pool.js';
import * as L from './limits.js';
import { checkRolloutOverlap } from './rollout-overlap.js';
import { formatDuration, parseClock, UnitError } from './units.js';
import { checkWorkerTimeout } from './worker-timeout.js';
import { registerWrittenCheck } from './written-checks.js';
import {
  parseBoundedDuration,
  zDistribution,
  zDuration,
  zDurationAtLeast,
  zDurationOrInfinite,
  zDurationOrInfiniteAtLeast,
  zPercent,
} from './zod-types.js';

/**
 * Most backends a scenario may have (sim/scenario/limits.ts). Backend sets have no 32-bit limit
 * (model/core/backend-set.ts); picks are linear in the backend count, and
 * test/model/many-backends.test.ts runs this many.
 */
export const MAX_BACKENDS = L.MAX_BACKENDS;

/** A whole number from `min` to `max` (by default what the real systems keep in a C int). */
const int = (min = 0, max: number = L.MAX_INT) => z.number().int().min(min).max(max);
/** A rate per second: finite, 0 … MAX_RATE_PER_S. */
const rate = () => z.number().min(0).max(L.MAX_RATE_PER_S);
/** How a client population's arrivals are spaced (`clients.http`, `clients.ws`, `clients.requests`); unset = poisson. */
const arrivalSpacing = (text: string) => z.enum(['poisson', 'paced']).optional().describe(text);

/**
 * A partial of an object schema for overrides (a backend's own nginx keys, a `set` action): the
 * same keys and checks, but no defaults, so only what is written overrides the base. zod's own
 * `.partial()` keeps inner defaults and would silently reset every unwritten key.
 */
function overrideOf<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    let inner: z.ZodType = field;
    while (inner instanceof z.ZodPrefault || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
    shape[key] = inner.optional().describe(field.description ?? key);
  }
  return z.strictObject(shape) as unknown as z.ZodObject<{
    [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>, z.input<S[K]>>>;
  }>;
}

/**
 * A u8 sysctl such as tcp_retries2 (proc_dou8vec_minmax, net/ipv4/sysctl_net_ipv4.c): the kernel
 * refuses a write above 255 with EINVAL, and so does the scenario.
 */
const u8Sysctl = () =>
  int(0).max(L.MAX_TCP_RETRIES2, {
    error: `expected a number <= ${L.MAX_TCP_RETRIES2} (a u8 sysctl: Linux refuses more with EINVAL)`,
  });

export const KernelSchema = z.strictObject({
  ip_local_port_range: z
    .tuple([int(1, L.MAX_PORT), int(1, L.MAX_PORT)])
    .refine((range) => range[0] <= range[1], {
      message: 'the first port must not be above the last (Linux rejects such a range)',
    })
    .prefault([32768, 60999])
    .describe('Linux net.ipv4.ip_local_port_range, default 32768 60999 (28,232 ports per destination).'),
  tcp_tw_reuse: z
    .union([z.literal(0), z.literal(1), z.literal(2)])
    .prefault(2)
    .describe('Linux net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (default 2). Connect side only.'),
  tcp_tw_reuse_delay: int(1)
    .max(60000)
    .prefault(1000)
    .describe(
      'Linux ≥ 6.13 net.ipv4.tcp_tw_reuse_delay in ms, default 1000: how old a TIME_WAIT must be before connect() may take it over.',
    ),
  hz: z
    .union([z.literal(100), z.literal(250), z.literal(300), z.literal(1000)])
    .prefault(250)
    .describe(
      "Kernel CONFIG_HZ (250 on Debian and Ubuntu; Fedora and RHEL build with 1000 — read yours: `grep 'CONFIG_HZ=' /boot/config-$(uname -r)`): TIME_WAIT expires on the timer wheel in batches (2.048 s at 250, so a TIME_WAIT lasts 60-62 s; 60-64.1 s at 1000 by the wheel's coarser upper levels), and the port walk reshuffles every 10·HZ jiffies.",
    ),
  tcp_max_tw_buckets: int(0)
    .prefault(131072)
    .describe(
      "Linux net.ipv4.tcp_max_tw_buckets; past it TIME_WAIT is skipped (TCPTimeWaitOverflow). The kernel's default is half its established-hash size, which grows with memory (tcp_init(), net/ipv4/tcp.c: alloc_large_system_hash('TCP established', …, 17 = one bucket per 128 KiB of low memory, rounded up to a power of two, at most 524,288); tcp_sk_init(): max_tw_buckets = ehash buckets / 2): 16,384 on a 4 GiB host, 32,768 at 8 GiB, 65,536 at 16 GiB, 131,072 from just over 16 GiB to 32 GiB (drainsim's default: the calibration machine's 23.5 GiB), 262,144 from 64 GiB. Read yours: `sysctl net.ipv4.tcp_max_tw_buckets`.",
    ),
  tcp_syn_retries: int(L.MIN_TCP_SYN_RETRIES, L.MAX_TCP_SYNCNT)
    .prefault(6)
    .describe('Linux net.ipv4.tcp_syn_retries, default 6, 1 … 127 (MAX_TCP_SYNCNT).'),
  tcp_syn_linear_timeouts: int(0, L.MAX_TCP_SYNCNT)
    .prefault(4)
    .describe('Linux ≥ 6.5 net.ipv4.tcp_syn_linear_timeouts, default 4 (connect gives up at ~131 s).'),
  somaxconn: int(1)
    .prefault(4096)
    .describe('Linux net.core.somaxconn, default 4096 since 5.4: caps every listen backlog.'),
  tcp_retries2: u8Sysctl()
    .prefault(15)
    .describe(
      'Linux net.ipv4.tcp_retries2, default 15, 0 … 255 (a u8 sysctl): when a connection with data outstanding to a vanished peer (no FIN, no RST) gives up with ETIMEDOUT. A time, not a count (retransmits_timed_out(), net/ipv4/tcp_timer.c): (2^(n+1) − 1) × 200 ms, then 120 s per retry past 9 (924.6 s at 15), counted from the first RTO retransmission and checked only when the retransmission timer fires, so the error comes at the next firing after it — 6.7 s at 3, 26.7 s at 6, ~938 s at 15 on loopback (the 120-s timers land up to 2 s late on the wheel) (recorded: calibration/data/kernel-holdout-dead-peer-*). Read on the balancer host (lb.kernel: a stream it holds towards a vanished server; the WebSocket ping it relays — the RTO of its server socket from lb.server_rtt when set, L7, else clients.rtt) and, behind a NAT, on the client machines (clients.kernel: their ping to the vanished server, and a request a keep-alive client wrote to it, which then fails with ETIMEDOUT if that comes before clients.http.request_timeout).',
    ),
  tcp_orphan_retries: u8Sysctl()
    .prefault(0)
    .describe(
      "Linux net.ipv4.tcp_orphan_retries, default 0, 0 … 255 (a u8 sysctl; 0 means 8 while the RTO is below 120 s: tcp_orphan_retries(), net/ipv4/tcp_timer.c): a socket its process closed with data or a FIN unacknowledged by a vanished peer stays an orphan in FIN_WAIT1, holding its port, until this many retransmissions' worth of time (tcp_retries2's formula: 8 → 102.2 s from the first RTO retransmission; recorded at 2: 3.3 s). Read on the balancer host (lb.kernel): the ports of streams a reloaded HAProxy process still held towards a vanished server when it exited.",
    ),
  tcp_keepalive_time: int(1, L.MAX_JIFFIES_SYSCTL_S)
    .prefault(7200)
    .describe(
      'Linux net.ipv4.tcp_keepalive_time in seconds, default 7200 (TCP_KEEPALIVE_TIME): how long a socket with SO_KEEPALIVE stays silent before its first keep-alive probe (tcp_keepalive_timer(), net/ipv4/tcp_timer.c). Read on the balancer host (lb.kernel) for `lb.srvtcpka`.',
    ),
  tcp_keepalive_intvl: int(1, L.MAX_JIFFIES_SYSCTL_S)
    .prefault(75)
    .describe('Linux net.ipv4.tcp_keepalive_intvl in seconds, default 75: between unanswered keep-alive probes.'),
  tcp_keepalive_probes: u8Sysctl()
    .prefault(9)
    .describe(
      'Linux net.ipv4.tcp_keepalive_probes, default 9, 0 … 255 (a u8 sysctl): unanswered probes before the socket gives up (ETIMEDOUT) — 7200 + 9 × 75 s = 7875 s after the peer was last heard, at the defaults (recorded at 2/1/3: 5.09 s, calibration/data/kernel-holdout-dead-peer-keepalive-2-1-3-rt.json).',
    ),
});

export const NginxSchema = z.strictObject({
  keepalive_timeout: zDuration
    .prefault('75s')
    .describe('nginx keepalive_timeout (client side), default 75s; 0s turns client keep-alive off.'),
  keepalive_requests: int(1).prefault(1000).describe('nginx keepalive_requests, default 1000 since 1.19.10.'),
  keepalive_time: zDuration
    .prefault('1h')
    .describe(
      "nginx keepalive_time (client side, nginx >= 1.19.10), default 1h: a request read on a connection accepted longer ago than this is answered `Connection: close` and nginx closes after it (ngx_http_update_location_config, src/http/ngx_http_core_module.c: `ngx_current_msec - r->connection->start_time > clcf->keepalive_time` → r->keepalive = 0). Age counted from the client's connect() to its sending of the request (within a round trip of nginx's accept and read).",
    ),
  client_header_timeout: zDuration
    .prefault('60s')
    .describe(
      'nginx client_header_timeout, default 60s: how long an accepted connection may wait for its first request (ngx_http_init_connection arms it on the read event; ngx_http_wait_request_handler closes the connection when it fires: FIN). Only clients.http.reconnect eager opens connections that wait.',
    ),
  proxy_read_timeout: zDuration
    .prefault('60s')
    .describe('nginx proxy_read_timeout, default 60s; also the idle timeout of an upgraded WebSocket tunnel.'),
  proxy_connect_timeout: zDuration.prefault('60s').describe('nginx proxy_connect_timeout, default 60s.'),
  listen_backlog: int(1)
    .prefault(511)
    .describe(
      "nginx `listen 443 backlog=N`, default NGX_LISTEN_BACKLOG 511 on Linux (src/os/unix/ngx_linux_config.h), capped by kernel.somaxconn (listen(2)); the kernel holds min(backlog, somaxconn) + 1 connections not yet accept()ed on :443 and drops further SYNs (tcp_conn_request: ListenOverflows), which the connecting side retransmits (1 s, 2 s, …, tcp_syn_retries). Only counted when nginx's workers are busy (`app.tls.terminates: nginx`: each accepts one connection per event-loop iteration, between TLS handshakes); otherwise nginx accepts at once.",
    ),
  upstream_keepalive: int(0)
    .prefault(0)
    .describe(
      'nginx upstream `keepalive N` idle connections kept to the app per worker process; no default in 1.22–1.25 (0 = a new connection per request). Any request takes a cached connection when its worker has one, a WebSocket upgrade included (ngx_http_upstream_get_keepalive_peer), which after its 101 never returns to the cache (u->keepalive = 0).',
    ),
  upstream_keepalive_timeout: zDuration
    .prefault('60s')
    .describe(
      "nginx upstream keepalive_timeout, default 60s (ngx_http_upstream_keepalive_module.c ngx_conf_init_msec_value(conf->timeout, 60000)): each cached connection's idle timer (ngx_http_upstream_free_keepalive_peer: ngx_add_timer(c->read, timeout)); nginx closes it then, with or without traffic, and holds its TIME_WAIT — unless the app's shorter `app.keepalive_timeout` closed it first (ngx_http_upstream_keepalive_close_handler reads the FIN).",
    ),
  upstream_keepalive_requests: int(1).prefault(1000).describe('nginx upstream keepalive_requests, default 1000.'),
  upstream_keepalive_time: zDuration
    .prefault('1h')
    .describe(
      'nginx upstream keepalive_time (nginx >= 1.19.10), default 1h (ngx_http_upstream_keepalive_module.c ngx_conf_init_msec_value(kcf->time, 3600000)): a connection to the app opened longer ago than this is not cached after its response but closed by nginx, which holds its TIME_WAIT (ngx_http_upstream_free_keepalive_peer: `ngx_current_msec - c->start_time > kp->conf->time` → `goto invalid`).',
    ),
  upstream_rtt: zDuration
    .prefault('0.1ms')
    .describe(
      "Round trip between nginx and the app on the VM (loopback or a local address: ~0.1 ms, as the calibration twins use); the window in which a request on a cached upstream connection crosses the app's close.",
    ),
  proxy_ssl_protocol: z
    .enum(['1.2', '1.3'])
    .prefault('1.2')
    .describe(
      "The TLS version of nginx's upstream connections to an app that ends TLS (`app.tls.terminates: app`, `proxy_pass https://`), default 1.2: nginx 1.22.1's compiled `proxy_ssl_protocols` is TLSv1 TLSv1.1 TLSv1.2 (src/http/modules/ngx_http_proxy_module.c ngx_http_proxy_merge_loc_conf; TLSv1.3 by default from 1.23.4, nginx commit 7b24b93d6 \"SSL: enabled TLSv1.3 by default\"), and Debian's /etc/nginx/nginx.conf sets only the server-side `ssl_protocols`; 1.3 for `proxy_ssl_protocols TLSv1.2 TLSv1.3` or nginx 1.23.4 and later. Used for that leg instead of `app.tls.protocol` (the clients'): with 1.2 the request comes two `upstream_rtt` after a full handshake's flight, one after a resumed one; a resumed handshake costs 0 (no public-key operation) and brings no new ticket (OpenSSL ssl/t1_lib.c tls_decrypt_ticket renews only on request; ngx_ssl_new_client_session is not called), so each nginx worker's saved session ages from its full handshake and a full handshake comes once per worker every `app.tls.session_timeout` under steady traffic. With 1.3 every handshake brings a fresh ticket and a resumed one costs 0.1 ms (app.tls `resumed_handshake_cpu`). `app.tls.resumed_handshake_cpu` is the cost of `app.tls.protocol`: it applies here when the two versions agree; otherwise a resumed handshake here costs this version's default (0 with 1.2, 0.1 ms with 1.3).",
    ),
  upstream_loopback: z
    .boolean()
    .prefault(true)
    .describe('The app listens on 127.0.0.1 (true) or on another address (false); tcp_tw_reuse=2 only helps loopback.'),
  upstream_addresses: z
    .array(
      z.strictObject({
        address: z.string().min(1).describe('An address the host name resolved to, e.g. 127.0.0.1 or ::1.'),
        listening: z
          .boolean()
          .prefault(true)
          .describe(
            'The app accepts on this address (default true); false: nothing listens there and every connect to it is refused (RST), e.g. ::1 for an app bound to 127.0.0.1 only.',
          ),
      }),
    )
    .max(32)
    .prefault([])
    .describe(
      "The addresses nginx's `proxy_pass` host name resolved to when nginx started, in resolution order (`proxy_pass http://localhost:8080` with `127.0.0.1 localhost` and `::1 localhost` in /etc/hosts: 127.0.0.1 and ::1 — `getent ahosts localhost` shows the order), each a peer of its own: default [] = one peer, the app (an IP literal, or a name with one address); one address is one peer too, without fail accounting (peers->single): with `listening: false` every request is refused, 502. With two or more nginx 1.22.1 balances the requests over them (ngx_http_upstream_init_round_robin, an upstream implicitly defined by proxy_pass: weight 1, max_fails=1, fail_timeout=10s, as many tries as addresses), each worker process on its own (the peers' state is per worker, renewed by a reload): a refused connect (`listening: false`, or the app's listener closed) is retried at once on the next peer (proxy_next_upstream error) and the refusing peer is skipped until 10–11 s later (whole seconds of ngx_time()); a peer that then answers is live again, one that fails again is skipped again. Every peer skipped (or tried) within a request: 502 without a connect, error.log `no live upstreams` (ngx_http_upstream_connect: NGX_BUSY) — so an app that was refusing for a moment (a restart) gets 502s for up to 10 s after it listens again. A failure after the connect (proxy_read_timeout, the app's FIN or RST under the request, proxy_connect_timeout, a SYN given up) marks the peer too and sends the request to the next address while a try is left (ngx_http_upstream_next, proxy_next_upstream's default `error timeout`) — to the same app when it listens on both, which works it again — except a POST already sent (no `non_idempotent`: 502/504 at once). With upstream keepalive a try takes only a cached connection to its own address (ngx_http_upstream_get_keepalive_peer matches the chosen peer's sockaddr): `keepalive 1` behind two addresses reuses nothing. Not modelled: WebSocket upgrades connect to the app as with one peer.",
    ),
  upstream_close_first: z
    .union([
      z.enum(['proxy', 'app']),
      z
        .string()
        .regex(
          /^share\((0(\.\d+)?|1(\.0*)?)\)$/,
          'proxy, app, or share(x): the share of connections whose FIN nginx sends first, 0 to 1',
        ),
    ])
    .prefault('proxy')
    .describe(
      "With no upstream keepalive (`upstream_keepalive: 0`): who sends the first FIN of each upstream connection, so holds its TIME_WAIT (60 s on nginx's ephemeral port, or on the app's accepting 4-tuple). A race, not a rule: nginx 1.22.1 sends the request as HTTP/1.0 with `Connection: close` and closes once it has read Content-Length bytes (ngx_event_pipe_read_upstream: upstream_done → ngx_http_upstream_finalize_request), without waiting for the app's FIN; a compliant app closes right after its response (RFC 9112 §9.6; node: destroySoon once the response is written). Whichever process runs first wins; crossing FINs leave both ends in TIME_WAIT. `proxy` (default): nginx always first — the upper bound on nginx's TIME_WAITs and so on its port use (an app whose FIN is always late). `app`: the app always first (nginx's ports are free at once). `share(x)`: nginx first on a share x of the connections (each drawn on the named stream `nginx.upstream-close-first`), the app on the rest; what one loaded 2-core machine recorded (nginx 1.22.1 → node 20 on loopback, calibration/data/nginx-close-race-*.json) ranged 0.10–0.55 with the rate, load and scheduling — a measurement of that machine, not a default: state your own (`ss -tan state time-wait` on the VM, split by which end's port is the app's). Crossing FINs (both ends in TIME_WAIT) are not modelled: each connection's TIME_WAIT is on one end. With upstream keepalive on, a connection nginx does not cache (keepalive_requests reached, its worker exiting, beyond the cache's size) is closed by nginx first whatever this says: it asked the app to keep the connection.",
    ),
  worker_shutdown_timeout: zDurationOrInfinite
    .prefault('0')
    .describe(
      'nginx worker_shutdown_timeout; no default (0 = off): without it a quitting worker waits for every WebSocket.',
    ),
  stop_timeout: zDurationOrInfinite
    .prefault('5s')
    .describe(
      "How long a VM's graceful stop (timeline `terminate` graceful, a deploy's terminate) lets nginx's QUIT run before the fast shutdown, default 5s: Debian 12's nginx.service (nginx 1.22.1) stops with `ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/5 --pidfile /run/nginx.pid`, `TimeoutStopSec=5`, `KillMode=mixed` — QUIT, then (the schedule QUIT/5 ends without a KILL: start-stop-daemon(8) --retry) systemd's SIGTERM to the master 5 s later (systemd.kill(5) KillMode=mixed), nginx's fast shutdown: the workers exit and the kernel closes their sockets (FIN; tunnels end with 1006), as `nginx -s stop`. `infinite` (or 0) = a bare `nginx -s quit` with nothing behind it (only worker_shutdown_timeout bounds it). The timeline action `quit` is always a bare quit.",
    ),
  worker_processes: int(1, 1024)
    .prefault(1)
    .describe(
      'nginx worker_processes, default 1 (src/core/nginx.c); ingress-nginx sets auto (one per core). The memory gauges use it, and with `app.tls.terminates: nginx` the event loops that share the TLS handshakes.',
    ),
  reuseport: z
    .boolean()
    .prefault(false)
    .describe(
      "nginx `listen 443 reuseport`, default off. Off: the workers share one listening socket, each waiting on it with EPOLLEXCLUSIVE, and a new connection goes to the first worker in the socket's wait queue that is idle in epoll_wait (fs/eventpoll.c ep_poll_callback); nginx moves a worker to the queue's tail at its 1st, 17th, 33rd, … accept (ngx_reorder_accept_events), so with idle workers the first takes 1 connection, the second 1, then each 16 in turn. On: one socket per worker, and the kernel picks the worker by a hash of the connection's 4-tuple (net/core/sock_reuseport.c reuseport_select_sock), evenly and whatever the workers are doing; across a reload new worker k inherits old worker k's socket (ngx_init_cycle) and takes its connections unless busy (a simplification: both workers are woken and the scheduler decides who accepts; a recorded 2 → 2 reload gave the old worker 6 of 43, the model none), and sockets no new worker inherits (fewer worker_processes) stay hashed to, served by the old workers, until their QUIT, when the kernel resets the connections still in such a socket's accept queue (inet_csk_listen_stop, tcp_migrate_req 0; with `app.tls.terminates: nginx` those a TLS storm queued on its old worker; plaintext nginx accepts at once in the model). Decides which worker's upstream keep-alive cache and worker_connections a connection uses, and with `app.tls.terminates: nginx` which worker's CPU its handshake takes. ingress-nginx's template sets reuseport (its `reuse-port` option, default true).",
    ),
  worker_connections: int(0, 1_048_576)
    .prefault(512)
    .describe(
      "nginx worker_connections, default 512: nginx's compiled default (DEFAULT_CONNECTIONS, src/event/ngx_event.c) when nginx.conf's events {} does not set it; Debian's nginx.conf sets 768, ingress-nginx max-worker-connections 16384. 0 = not modelled (unlimited). Each worker process's connection array — its listening socket and master channel, every client connection, every upstream connection (in flight or cached), a tunnel's two. When a new one (an accepted client, an upstream connect) leaves a worker ≤ worker_connections/16 free, nginx first closes its longest-idle keep-alive client connections, max(min(32, idle/8), 1) at a time (ngx_drain_connections, src/core/ngx_connection.c: those clients read EOF and reconnect); with none free after that an accepted client is closed at once (ngx_event_accept: FIN when the worker is idle, the client reading EOF before any answer, or RST when its request is already in — a worker busy with TLS handshakes; ECONNRESET either way in Node's http client) and an upstream connect fails (ngx_event_connect_peer: 500).",
    ),
  worker_rss_mib: z
    .number()
    .min(0)
    .max(1_000_000)
    .prefault(3.8)
    .describe(
      "A worker process's resident memory with no connection open, in MiB (an assumption, not an nginx setting): 3.8 MiB is `ps -o rss` of an idle nginx 1.22.1 worker (Debian build, worker_connections 512, no modules loaded); an ingress-nginx worker with its Lua state is far larger. Only the memory gauges use it.",
    ),
  client_header_buffer_size: int(1)
    .prefault(1024)
    .describe('nginx client_header_buffer_size in bytes, default 1k; held by a request in flight and by a tunnel.'),
  proxy_buffer_size: int(1)
    .prefault(4096)
    .describe(
      'nginx proxy_buffer_size in bytes, default one memory page (4k on x86-64); a WebSocket tunnel holds two (one each way).',
    ),
  proxy_buffers: int(1)
    .prefault(8)
    .describe(
      'nginx proxy_buffers number, default 8 (each one memory page, 4k); charged to a proxied request in flight (memory gauges only).',
    ),
});

export const WsServerSchema = z.strictObject({
  session_ttl: zDurationOrInfinite
    .prefault('0')
    .describe(
      'Server-side maximum session age; at the TTL the app closes with 1001 and the client reconnects (0 = none).',
    ),
  drain_notice: z
    .boolean()
    .prefault(false)
    .describe(
      'When the drain starts (or at SIGTERM if no drain came first), refuse new handshakes and send every session DRAIN_NOTICE {retryAfter}; closes nothing by itself.',
    ),
  retry_after: zDuration
    .prefault('15s')
    .describe(
      'retryAfter carried by the drain notice (seed Part 4 uses 15 s): clients that honour it wait at least this.',
    ),
  close_after: zDurationOrInfinite
    .prefault('infinite')
    .describe(
      'After the drain notice, wait up to this long, then close the sessions still open with 1001 (0 = at once; infinite = never).',
    ),
  close_on_shutdown: z
    .boolean()
    .prefault(false)
    .describe('On SIGTERM, close every session still open with a Close frame (1001 Going Away, RFC 6455 §7.4.1).'),
  close_spread: zDuration.prefault('0s').describe('Spread each batch of 1001 closes evenly over this window.'),
  ping_interval: zDurationOrInfiniteAtLeast(L.MIN_PING_INTERVAL_S, "sub-100 ms pings are no server's heartbeat")
    .optional()
    .describe(
      "The app's own ping period (a server heartbeat, RFC 6455 §5.5.2; unset or 0 = none): traffic on the tunnel both ways (the client's pong), so it keeps an idle tunnel from the balancer's timeout tunnel (or client/server) and nginx's proxy_read_timeout as the clients' pings do — whichever pings more often.",
    ),
  handshake_time: zDuration
    .prefault('1ms')
    .describe(
      'App worker time of one opening handshake (RFC 6455 §4.2: an HTTP GET with Upgrade, validated and answered 101 with Sec-WebSocket-Accept), like a shallow request. It takes a worker, or a place in the queue and the accept queue while all are busy (a full accept queue drops the SYN from nginx, which retransmits it; a full queue answers 503).',
    ),
});

/** `resumed_handshake_cpu` unset: 0.1 ms with TLS 1.3 (two P-256 ECDH operations), 0 with TLS 1.2 (no public-key operation). */
export function defaultResumedHandshakeCpu(protocol: '1.2' | '1.3'): number {
  return protocol === '1.2' ? 0 : 0.0001;
}

/**
 * Where the client's TLS ends on a VM. Off by default (the real default of a plain `listen`):
 * a scenario says where it terminates.
 */
export const TlsSchema = z
  .strictObject({
    terminates: z
      .enum(['none', 'lb', 'nginx', 'app'])
      .prefault('none')
      .describe(
        "Where the client's TLS session ends: none (plaintext), lb (at the balancer), nginx (the VM's nginx) or app (the app process). Every connection the VM accepts (HTTP keep-alive and WebSocket clients; behind an L7 balancer, its connections to nginx) then costs one handshake: a full one (`handshake_cpu`), or a resumed one (`resumed_handshake_cpu`) in nginx or at the balancer when the client offers a ticket that server can still decrypt (`session_tickets`, `session_timeout`, `shared_ticket_key`, `clients_resume`). `app`: on the app's workers; behind the VM's nginx per upstream connection nginx opens to the app (`proxy_pass https://`), not per client connection — a job on the app's workers, the request sent one `nginx.upstream_rtt` after it (two after a full handshake with TLS 1.2, that leg's version being `nginx.proxy_ssl_protocol`, default 1.2, not `protocol`; ngx_http_upstream_ssl_init_connection), none on a connection from the upstream keepalive cache (`nginx.upstream_keepalive`; without it one per request), resumed (`resumed_handshake_cpu`) when the nginx worker offers the session the app gave it on its previous upstream connection (`proxy_ssl_session_reuse`, default on: one saved session per worker process, none after a reload; the app resumes it within its own process, for `session_timeout`, if `session_tickets`); each WebSocket upgrade's new upstream connection likewise, before the upgrade is sent (resumed as an HTTP request's); for a bare app, also each HTTP health check's and kubelet httpGet probe's connection (HTTPS), before its request (one `clients.rtt` after the flight, two after a full handshake with `protocol` 1.2, whose resumed handshakes renew no session): HAProxy's check-ssl resumes the previous check's session (the server's reused_sess, src/ssl_sock.c), the kubelet's Go client never (pkg/probe/http/http.go: no ClientSessionCache); a bare app whose workers each take one connection (`app.accept_model: worker_per_connection`: gunicorn sync workers with a certfile) in the worker that accepts the connection, which computes the flight, waits one round trip (`clients.rtt`; two with `protocol` 1.2) for the client's Finished and request, then serves it (gunicorn/workers/sync.py SyncWorker.handle); a bare app that is one event loop (`proxy: none`, `app.accept_model: event_loop`: node's https server) reads the ClientHello in its turn, one iteration after the connection's accept (TLSWrap::OnStreamRead → SSL_read), and the first request (or upgrade) one round trip (`clients.rtt`; two with `protocol` 1.2) after that read. `nginx`: on the nginx worker that accepted the connection (the first idle one in the listening socket's wait queue, EPOLLEXCLUSIVE; see `nginx.reuseport`) — each of `nginx.worker_processes` workers is one event loop, and accepts one connection per iteration (multi_accept off): new connections are handshaken one after another (the storm waits in the kernel's accept queue, up to `nginx.listen_backlog`; SYNs beyond it are dropped and retransmitted), and a request on an established connection waits only for the handshake in progress; a new connection's first request (or upgrade) reaches nginx one round trip (`clients.rtt`) after its own handshake with TLS 1.3 (RFC 8446 §2: the client's Finished, then its data; nginx 1.22.1 leaves `ssl_early_data` off, so a resumed handshake too), two after a full TLS 1.2 handshake (`protocol`), and the client's ticket comes with the server's answer to its Finished. `lb`: not charged (the balancer has no CPU model) unless `lb.nbthread` is set: then on the thread holding the connection, when its ClientHello comes with the final ACK, and the first request (or upgrade) one round trip (`clients.rtt`) after the flight, two after a full TLS 1.2 handshake, as in nginx (HAProxy src/ssl_sock.c ssl_sock_handshake → SSL_do_handshake; no 0-RTT without `allow-0rtt`). Open-loop requests (no connection modelled) are never charged.",
      ),
    protocol: z
      .enum(['1.3', '1.2'])
      .prefault('1.3')
      .describe(
        "The TLS version the clients and the terminating server negotiate, default 1.3: node 20 (tls.DEFAULT_MAX_VERSION 'TLSv1.3', lib/tls.js) and OpenSSL 3 offer it, and Debian's /etc/nginx/nginx.conf (nginx-common) sets `ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3`, as ingress-nginx does (TLSv1.2 TLSv1.3) — though nginx 1.22.1's compiled default stops at TLSv1.2 (src/http/modules/ngx_http_ssl_module.c ngx_http_ssl_merge_srv_conf: TLSv1 TLSv1.1 TLSv1.2; TLSv1.3 added in 1.23.4). 1.3 (RFC 8446 §2): the server's one flight answers the ClientHello and the client's Finished and first request come one round trip (`clients.rtt`) after it, full or resumed. 1.2 (RFC 5246 §7.3, ECDHE): a full handshake's flight (ServerHello, Certificate, the signed ServerKeyExchange, ServerHelloDone) is answered a round trip later by the client's ClientKeyExchange, ChangeCipherSpec and Finished; the server derives the shared secret and sends its own NewSessionTicket, ChangeCipherSpec and Finished (OpenSSL ssl/statem/statem_srvr.c: tls_process_cke_ecdhe → ssl_derive; ossl_statem_server_write_transition TLS_ST_SR_FINISHED → TLS_ST_SW_SESSION_TICKET → TLS_ST_SW_CHANGE → TLS_ST_SW_FINISHED), and the first request comes a second round trip after; a ticket-resumed one (RFC 5077 §3.1, abbreviated: ServerHello, NewSessionTicket, ChangeCipherSpec and Finished at the ClientHello, TLS_ST_SW_SRVR_HELLO → TLS_ST_SW_SESSION_TICKET when s->hit) has the request one round trip after the flight, and sends no new ticket: the client's ticket keeps its age (ssl/t1_lib.c tls_decrypt_ticket sets ticket_expected only to renew). The shared secret's derive (one P-256 operation, ~0.05 ms of `handshake_cpu`) is charged with the first flight, a round trip before OpenSSL runs it (a simplification). The two round trips of a full TLS 1.2 handshake assume clients without TLS False Start (RFC 7918), which is not modelled: browsers (Chrome, Firefox) send the request with their Finished under ECDHE with an AEAD cipher (and ALPN), one round trip after a full TLS 1.2 flight like 1.3; OpenSSL, node, curl and Go clients do not, and wait for the server's Finished.",
      ),
    handshake_cpu: zDuration
      .prefault('0.35ms')
      .describe(
        "CPU of one full TLS 1.2 ECDHE-RSA handshake on the server: one RSA-2048 signature and two P-256 ECDH operations (key generation, shared secret). `openssl speed rsa2048 ecdhp256` (OpenSSL 3.0.19, one x86-64 core): 3,994 RSA-2048 signs/s (0.25 ms) and 21,499 P-256 ECDH ops/s (0.047 ms each), ~0.35 ms in all. It counts the handshake's public-key operations only: the real nginx 1.22.1 spends more per connection (calibration/nginx/tls-resume.mjs, one worker, loopback: 0.55 ms with RSA-2048, 4.35 ms with RSA-4096).",
      ),
    resumed_handshake_cpu: zDuration
      .optional()
      .describe(
        "CPU of one resumed TLS handshake on the server, counted as `handshake_cpu` is (public-key operations only); unset, it follows `protocol`. TLS 1.3 (PSK with ECDHE, RFC 8446 §2.2: the ticket decrypted, a new ECDHE share, no certificate and no signature): two P-256 ECDH operations, `openssl speed ecdhp256` (OpenSSL 3.0.19, one x86-64 core: 22,317 ops/s, 0.045 ms each), ~0.1 ms. TLS 1.2 ticket resumption (RFC 5077 §3.1): 0 — OpenSSL decrypts the ticket (tls_decrypt_ticket: HMAC and AES) and derives the keys from the session's master secret (setup_key_block), with no ServerKeyExchange and no ClientKeyExchange (ossl_statem_server_write_transition: TLS_ST_SW_SRVR_HELLO goes to the ticket or ChangeCipherSpec when s->hit), so no public-key operation. Measured on nginx 1.22.1 (calibration/nginx/tls-resume.mjs: one worker, 3 rounds of 400 serial resumed handshakes, loopback, load average 7–9): 0.39–0.47 ms, whatever the certificate, against 0.55 ms full with RSA-2048 and 4.35 ms with RSA-4096 — nginx's per-connection work besides the public-key operations (~0.3 ms there) is in neither default. Charged in nginx (`terminates: nginx`), at the balancer (`lb` with `lb.nbthread`), and in an app behind the VM's nginx for nginx's upstream connections (`terminates: app`: nginx's proxy_ssl_session_reuse; only if `nginx.proxy_ssl_protocol` equals `protocol`, else that leg's version's default); the clients' own handshakes with a bare app are always full: a simplification (not modelled), not a property of the app — node's tls.Server issues tickets by default (sessionTimeout 300 s) against process-lifetime keys, which nginx and HAProxy's checks resume here, and a client that keeps the ticket would resume too.",
      ),
    session_tickets: z
      .boolean()
      .prefault(true)
      .describe(
        "nginx `ssl_session_tickets`, default on (ngx_http_ssl_merge_srv_conf, src/http/modules/ngx_http_ssl_module.c; off sets SSL_OP_NO_TICKET). With `ssl_session_cache` at its default `none` the tickets are the only resumption: off, every handshake is full. Also stands for HAProxy's (tickets on unless `no-tls-tickets`) when TLS ends at the balancer, and for the app's (node's tls.Server and OpenSSL issue tickets by default) when TLS ends in the app behind nginx: off, each of nginx's upstream connections is a full handshake.",
      ),
    session_cache: z
      .enum(['none', 'shared'])
      .prefault('none')
      .describe(
        "nginx `ssl_session_cache`, default none (ngx_http_ssl_merge_srv_conf: NGX_SSL_NONE_SCACHE); `shared` for `ssl_session_cache shared:NAME:SIZE`, as ingress-nginx sets (its template's `ssl_session_cache shared:SSL:10m`, ssl-session-cache true and ssl-session-tickets false by default: internal/ingress/controller/config/config.go). Only where TLS ends in nginx (`app.tls.terminates: nginx`). The zone belongs to the nginx master: a reload's new configuration reuses it (ngx_ssl_session_cache_init, src/event/ngx_event_openssl.c: `if (data) { shm_zone->data = data; return NGX_OK; }`), a restart or another VM has its own. With `session_tickets: false` the sessions are resumed from it by session ID (TLS 1.2) or by OpenSSL's stateful TLS 1.3 tickets, whose identity is looked up there (SSL_OP_NO_TICKET; nginx's get-session callback ngx_ssl_get_cached_session): resumption survives an nginx reload on the same VM, within `session_timeout`. With tickets on, nginx 1.22.1 (Debian 12's, the version modelled) resumes by ticket as with `none` — sealed with the SSL_CTX's random keys, so not across a reload (TLS 1.3 tickets are stateless and a TLS 1.2 server that sends a ticket sends an empty session ID); nginx 1.23.2 and later keep the ticket keys in this zone (ngx_ssl_session_ticket_keys: cache->ticket_keys), so there tickets survive a reload too: not modelled. The zone's size (10m: about 40,000 sessions) is not modelled: no session is evicted early.",
      ),
    session_timeout: zDuration
      .prefault('5m')
      .describe(
        "nginx `ssl_session_timeout`, default 5m (300 s: ngx_http_ssl_merge_srv_conf; SSL_CTX_set_timeout in ngx_ssl_session_cache, src/event/ngx_event_openssl.c): how long a ticket resumes, counted from the handshake that issued it (with TLS 1.3 each handshake, resumed or not, issues a fresh one: OpenSSL tls_construct_new_session_ticket; a resumed TLS 1.2 handshake issues none, ssl/t1_lib.c tls_decrypt_ticket, so its ticket ages from the full handshake that made it); sent to the client as the ticket_lifetime (RFC 8446 §4.6.1). An older ticket gets a full handshake. With TLS ending in the app behind nginx, the app's session timeout for nginx's saved upstream session (node's tls.Server sessionTimeout, default 300 s, doc/api/tls.md; OpenSSL's own default, for a Python or JVM app, is 7200 s: set it for such an app).",
      ),
    shared_ticket_key: z
      .boolean()
      .prefault(false)
      .describe(
        "An `ssl_session_ticket_key` file, the same on every VM whose TLS ends in nginx. Off (nginx's default: no such directive), the tickets are sealed with keys OpenSSL makes at random for each configuration's SSL_CTX (SSL_CTX_new; ngx_ssl_session_ticket_keys installs none), shared by that nginx generation's workers only: a client resumes only on the same VM and the same generation — not after a reload, a restart, or a drain that sends it to another VM. On: any VM with the key, across reloads.",
      ),
    clients_resume: z
      .boolean()
      .prefault(true)
      .describe(
        "The clients keep the newest ticket a server sent them and offer it on their next connection (one ticket per client, used once: RFC 8446 §4.6.1, Appendix C.4), as browsers and the mobile OS TLS stacks do (Chrome and Firefox cache TLS 1.3 tickets per host). False for clients that keep no session (Go's crypto/tls without a ClientSessionCache, a fresh process per connection): every handshake full.",
      ),
  })
  // resumed_handshake_cpu unset: 0.1 ms with TLS 1.3 (two P-256 ECDH operations), 0 with TLS 1.2 (none).
  .transform(({ terminates, protocol, handshake_cpu, resumed_handshake_cpu, ...rest }) => ({
    terminates,
    protocol,
    handshake_cpu,
    resumed_handshake_cpu: resumed_handshake_cpu ?? defaultResumedHandshakeCpu(protocol),
    ...rest,
  }));

/**
 * A JVM-like generational heap (sim/model/app/jvm-heap.ts): opt-in, no defaults for the sizes and
 * costs, because no single heap is "the real default"; a scenario states its own, with the source
 * of each value. The survivor-space and tenuring flags default to HotSpot's.
 */
export const HeapSchema = z
  .strictObject({
    heap_mb: z
      .number()
      .positive()
      .max(16 * 1024 * 1024)
      .describe('Whole Java heap (-Xmx), MB; at most 16 TB, the largest heap a HotSpot collector (ZGC) supports.'),
    young_mb: z
      .number()
      .positive()
      .describe(
        'Young generation (-Xmn), MB: eden and two survivor spaces of young_mb / (survivor_ratio + 2) each; the old generation is the rest.',
      ),
    live_mb: z
      .number()
      .min(0)
      .describe('Long-lived data (caches, pools, framework) that every full collection keeps, MB.'),
    allocation_mb_per_work_s: z
      .number()
      .min(0)
      .describe(
        'MB allocated per second a worker spends serving: allocation proportional to work done (a 35 ms request at 30 MB/s allocates ~1 MB).',
      ),
    request_live_mb: z
      .number()
      .min(0)
      .describe(
        'Data each request holds while queued or in service (buffers, parsed body), MB: live at every young collection.',
      ),
    survival: zPercent.describe(
      'Share of what eden allocated still live at the young collection after its allocation and dead by the next (medium-lived objects): copied to a survivor space, promoted only when it overflows.',
    ),
    young_pause: zDuration.describe('Fixed part of a young pause (root scanning, stopping threads).'),
    copy_per_mb: zDuration.describe('Young pause per MB of surviving objects copied.'),
    full_pause_per_gb: zDuration.describe(
      'Full-collection pause per GB of live heap (mark and compact): an assumption the scenario states, no HotSpot document gives a per-GB cost.',
    ),
    survivor_ratio: int(1)
      .prefault(8)
      .describe(
        "-XX:SurvivorRatio, eden / one survivor space: each survivor space is young_mb / (survivor_ratio + 2). Default 8, HotSpot's (src/hotspot/share/gc/shared/gc_globals.hpp SurvivorRatio; serial/defNewGeneration.cpp compute_survivor_size).",
      ),
    max_tenuring_threshold: int(0, 15)
      .prefault(15)
      .describe(
        "-XX:MaxTenuringThreshold: young collections an object survives at most before promotion, and the first collection's threshold. Default 15, HotSpot's (gc_globals.hpp MaxTenuringThreshold; markWord::max_age 15).",
      ),
    target_survivor_ratio: zPercent
      .prefault('50%')
      .describe(
        "-XX:TargetSurvivorRatio: the survivor occupancy the adaptive tenuring threshold aims at (AgeTable::compute_tenuring_threshold, src/hotspot/share/gc/shared/ageTable.cpp: the smallest age whose cumulative survivors exceed survivor space × this). Default 50 %, HotSpot's (gc_globals.hpp TargetSurvivorRatio).",
      ),
  })
  .refine((h) => h.young_mb < h.heap_mb, { message: 'young_mb must be below heap_mb (the old generation is the rest)' })
  .refine((h) => h.live_mb < h.heap_mb - h.young_mb, {
    message: 'live_mb must fit in the old generation (heap_mb - young_mb): such a JVM fails with OutOfMemoryError',
  });

export const AppSchema = z.strictObject({
  workers: int(1, L.MAX_WORKERS).prefault(200).describe('Concurrent requests the app serves; more wait in its queue.'),
  service_time: zDistribution('duration').prefault('exp(mean=20ms)').describe('Time to serve one request.'),
  backlog: int(1)
    .prefault(511)
    .describe(
      "Listen backlog of the app (capped by somaxconn); a full queue drops SYNs. Default 511, node's (net.Server listen(): lib/net.js backlogFromArgs, `|| 511`); gunicorn's and uvicorn's `--backlog` default 2048 (gunicorn/config.py Backlog, uvicorn Config backlog), asyncio's create_server() 100.",
    ),
  accept_model: z
    .enum(['event_loop', 'worker_per_connection'])
    .optional()
    .describe(
      "How the app's process takes connections off its listen queue. Unset: `event_loop` for a bare app server (backends[].proxy: none) with `workers: 1`, else `worker_per_connection` (the rule before the key existed; no built-in scenario has such a backend). `event_loop`: one thread running an event loop — node, a single-process uvicorn or asyncio server, a gunicorn gevent/eventlet worker — accept()s `accept_batch` pending connections per loop iteration (unset = 1, node's: libuv ≥ 1.45 uv__server_io(), src/unix/stream.c: one accept(), the listening socket reported again by level-triggered epoll at the next poll; node v20.20.2 ships libuv 1.46.0; asyncio takes up to its backlog, gevent up to max_accept 100: see accept_batch) and runs the requests that were ready, each blocking the loop for its service time: the connections made while it runs wait in the kernel's accept queue, one taken per iteration (min(backlog, somaxconn) + 1 at most; SYNs beyond are dropped and retransmitted), and a client's request waits there with its connection, and every connect to the app — the clients' behind lb.mode l4/nat, the balancer's, its health checks, WebSocket upgrades, nginx's — meets that queue, and its request runs in the iteration after its accept, behind the requests already ready (so a blocked loop delays and times out health checks); a stop-the-world pause (`pause`, `gc`) stops the loop whether it runs a job or not — a stopped process accept()s nothing, so the connections made during it wait in that queue (SYNs beyond it dropped) for the pause's end. Needs `workers: 1`: N loops sharing one listening socket (node cluster, uvicorn --workers N) are refused. `worker_per_connection`: each of `workers` accept()s one connection and serves it (gunicorn sync workers — which close every connection after its response: write `keepalive: close`, workers/sync.py SyncWorker.handle_request `resp.force_close()` —; gunicorn gthread workers, whose kept-alive connections wait idle in the worker's poller holding no thread and close after `keepalive` 2 s: `keepalive_timeout: 2s`; Apache prefork, a thread-per-connection server): while every worker is busy each queued request holds a connection in the kernel's accept queue. Behind lb.mode l4/nat the clients' own connects to such an app are not queued there (accepted at once; a known limitation).",
    ),
  accept_batch: int(1)
    .optional()
    .describe(
      "With `accept_model: event_loop`: how many pending connections one loop iteration's accept callback takes (unset = 1), each stopping early when the queue is empty. 1: node (libuv ≥ 1.45 uv__server_io(), src/unix/stream.c: one accept() per poll), and uvicorn on uvloop (libuv too: uvicorn[standard]'s default loop). The listen backlog: CPython asyncio's selector loop (Lib/asyncio/selector_events.py BaseSelectorEventLoop._accept_connection: `for _ in range(backlog)`, the backlog create_server() was given — uvicorn's --backlog 2048 with `--loop asyncio`, asyncio's own default 100). 100: gevent's servers (src/gevent/baseserver.py BaseServer._do_read: `for _ in xrange(self.max_accept)`, max_accept = 100), a gunicorn gevent worker with `--workers 1` only: with more workers gunicorn sets max_accept = 1 (workers/ggevent.py GeventWorker.run: `if self.cfg.workers > 1: server.max_accept = 1`), so 1. After a pause (GC) with hundreds of connections queued, 1 leaves them to be taken one per iteration — SYNs beyond the full queue keep being dropped while the loop runs — where a batch empties the queue at the first iteration.",
    ),
  queue_limit: int(0)
    .prefault(100000)
    .describe('Requests that may wait for a worker; beyond it the app answers 503 at once.'),
  health_check_time: zDuration
    .prefault('1ms')
    .describe('Work of a shallow health-check request (served by the same workers).'),
  dependency_fail_time: zDuration
    .prefault('5ms')
    .describe(
      'With `dependency_down: fail_fast` (the default without `db_pool`): how long a request that queries a down database (dead connection pool) takes to fail with its 500, its worker held meanwhile; its own service time is not served (longer or shorter, this is the time).',
    ),
  dependency_down: z
    .enum(['fail_fast', 'wait'])
    .optional()
    .describe(
      "What a request that needs a down database meets (unset = `wait` with a `db_pool`, `fail_fast` without). `fail_fast`: its 500 after `dependency_fail_time` — a pool that opens its connections on demand against a database that refuses them at once (node-postgres's pg-pool, packages/pg-pool/index.js connect() → newClient(): client.connect()'s ECONNREFUSED goes straight to the caller). `wait`: the pool's connections are dead and none can be made, so the request waits in the pool for `db_pool.connection_timeout` holding its worker, then fails with a 500 — HikariCP (HikariPool.getConnection(): connectionBag.borrow() until connectionTimeout, then SQLTransientConnectionException \"Connection is not available, request timed out after …ms\"); needs `db_pool`.",
    ),
  db_pool: z
    .strictObject({
      size: int(1, L.MAX_WORKERS)
        .prefault(10)
        .describe(
          "Connections in the pool: at most this many requests (and deep checks) query the database at once; a request that finds none free waits, FIFO, holding its worker. Default 10: HikariCP's maximumPoolSize (HikariConfig DEFAULT_POOL_SIZE) and node-postgres pg-pool's `max`.",
        ),
      connection_timeout: zDurationOrInfinite
        .prefault('30s')
        .describe(
          "How long a request waits for a free connection before it fails with a 500 (0 or `infinite`: forever). Default 30s: HikariCP's connectionTimeout (HikariConfig CONNECTION_TIMEOUT; 0 there means Integer.MAX_VALUE ms); pg-pool's connectionTimeoutMillis defaults to 0, wait forever; pgbouncer's query_wait_timeout 120s.",
        ),
    })
    .optional()
    .describe(
      "The app's database connection pool, one per backend process (unset: no pool bound — every worker has a connection of its own, as many queries at once as workers). A request that needs the database (every client request, a deep check) borrows a connection when its worker starts it and holds it until its response (a transaction per request); with none free it waits FIFO for one, holding its worker, and fails with a 500 after `connection_timeout` (a deep check's own `dependency_timeout` ends its wait sooner). A down database: see `dependency_down`.",
    ),
  dependency_slow_latency: zDistribution('duration')
    .prefault('exp(mean=2s)')
    .describe('Extra latency each request (and deep check) waits on a slow database.'),
  gc: z
    .strictObject({
      every: int(0)
        .prefault(0)
        .describe('A stop-the-world pause after every N requests served (allocation-driven; 0 = off).'),
      pause: zDistribution('duration').prefault('const(300ms)'),
      per_inflight: zDuration
        .prefault('0s')
        .describe(
          'Extra pause per request in service or queued: a full GC marks the live set, which grows with requests in flight.',
        ),
      heap: HeapSchema.optional().describe(
        'A JVM-like heap: young collections as eden fills, promotion, a full collection when the old generation fills (off when absent).',
      ),
    })
    .prefault({}),
  graceful_shutdown: z
    .boolean()
    .prefault(false)
    .describe(
      "On SIGTERM: stop accepting, finish in-flight requests, then exit. Closing the listener resets the connections still in its accept queue (Linux inet_csk_listen_stop → inet_child_forget: RST), their requests unread: an event loop's not yet accept()ed, a worker-per-connection app's queued first requests of new connections (accept_model). False: SIGTERM kills at once (no hook).",
    ),
  startup_time: zDuration.prefault('10s').describe('Time a restarted app takes to accept connections again.'),
  shutdown_grace: zDuration.prefault('30s').describe('How long a graceful shutdown waits before exiting anyway.'),
  shutdown_delay: zDuration
    .optional()
    .describe(
      "The lame-duck phase (unset or 0 = none: SIGTERM acts at once). At SIGTERM the app's health endpoint answers `shutdown_health_status` while the app keeps its listener open and serves as before, for this long; then SIGTERM does what it does without it (graceful_shutdown's listener close and drain, or the exit at once without it; behind nginx on a VM, nginx's graceful quit with it). HAProxy's HTTP checks and the kubelet's httpGet probes read the status (behind nginx through nginx); a tcp check still connects. The supervisor's kill still counts from the SIGTERM (`shutdown_grace`, terminationGracePeriodSeconds): a delay longer than it ends in the kill. lightship (gajus/lightship src/factories/createLightship.ts defaultConfiguration) defaults `shutdownDelay` to 5000 ms (0 outside Kubernetes) and answers readiness 500 meanwhile; terminus (godaddy/terminus lib/terminus.js) has no delay of its own — its `beforeShutdown` hook, a no-op by default, is where its README puts a sleep (5000 ms in its example) while the health checks answer 503. A container restart or replacement starts healthy (the flag is the process's memory).",
    ),
  shutdown_health_status: z
    .union([z.literal(503), z.literal(404)])
    .optional()
    .describe(
      "What the app's health endpoint answers during `shutdown_delay` (unset = 503; read only with a shutdown_delay). 503: terminus's `statusError` default (lib/terminus.js, sendFailuresDuringShutdown true by default) — HAProxy counts it as a failed check and marks the server DOWN after `fall` of them; the kubelet's probe fails on it (any status >= 400; lightship's 500 acts alike). 404: with `health_check.disable_on_404` (HAProxy `http-check disable-on-404`) the first check takes the server to NOLB (out of load balancing, no fall count); without it a 404 is a failed check as a 503.",
    ),
  sigterm_keepalive: z
    .enum(['keep', 'close', 'gunicorn', 'gunicorn-23', 'gunicorn-20', 'stoppable'])
    .optional()
    .describe(
      "The app server's keep-alive after SIGTERM with graceful_shutdown (unset = keep): on a bare app server's (backends[].proxy: none) connections, and behind nginx on the upstream connections nginx keeps cached to it (where nginx outlives the app's SIGTERM: a pod's liveness or startup kill). `keep`: node's http.Server.close() (lib/_http_server.js: httpServerPreClose() closes the connections idle at that moment, once, then net.Server.close() closes the listener) — a connection busy at SIGTERM is answered `Connection: keep-alive` and keeps serving its client's next requests until it idles past keepalive_timeout or the kill after shutdown_grace, where its request in flight fails. `close`: Go net/http's Shutdown() (closeIdleConns() closes the idle connections at once; doKeepAlives() false) answers `Connection: close` and closes after the request in hand. `gunicorn`: gunicorn 24.0 and later (for 21.0-23.x write `gunicorn-23`, for 20.x — Debian 12's and Ubuntu 24.04's 20.1.0 — `gunicorn-20`) — its gthread worker (gunicorn >= 24.0, as of 26.1.0: workers/gthread.py handle_exit() sets `alive = False`, run() stops accepting and waits while nr_conns > 0, up to graceful_timeout) and its async workers close no connection at SIGTERM: each one idle then stays open until `keepalive_timeout` (gunicorn's `keepalive`, 2 s: murder_keepalived) after its last response, and a request that comes on it first is served, answered `Connection: close` (handle_request(): `if not self.alive … resp.force_close()`), as is the request in hand on a busy one. `gunicorn-23` (gunicorn 21.0-23.x) and `gunicorn-20` (20.x) — its gthread worker's run() loops `while self.alive` (workers/gthread.py ThreadWorker.run()), and SIGTERM (workers/base.py handle_exit(): `alive = False`, no wake-up) ends the loop at the poller's next return from `self.poller.select(1.0)`: the next connect or request on a kept-alive connection (that request served, answered `Connection: close`), else the 1-s timeout (the model: 1 s after the SIGTERM, the bound); then the listener closes (`for s in self.sockets: s.close()`): later connects are refused, none parked. The connect that woke it: 20.x accept()s it and serves it (accept() → enqueue_req, answered `Connection: close`); 21.0-23.x accept() it but only register it with the poller (benoitc/gunicorn 0ebb73aa), which run() closes on its way out: the socket closes with its request unread, an RST (the client: ECONNRESET; nginx: 502); the requests in hand are served (`futures.wait(self.futures, timeout=self.cfg.graceful_timeout)`) and the process exits once none is left (bounded by shutdown_grace); its idle kept-alive connections are served until the loop ends and closed (FIN) then. Its async workers (an `accept_model: event_loop` app) as `gunicorn`. `stoppable`: terminus (godaddy/terminus lib/terminus.js decorateWithSignalHandler(): `stoppable(server, timeout)`, `timeout` 1000 ms by default) and anything calling hunterloftis/stoppable's stop() (lib/stoppable.js): server.close(), every idle socket ended at once (endIfIdle), each busy one ended right after its response (`req.socket.end()` when its pending count reaches 0: a FIN after the request in hand, as `close`), and `stoppable_grace` after stop() every socket still open is destroyed (destroyAll()), its request in flight failing, and the process exits (terminus re-raises the signal once server.close()'s callback fires) — not at shutdown_grace's kill. Behind nginx, `keep` serves nginx's next requests on its cached connections (ngx_http_upstream_get_keepalive_peer takes one before connect()) and a pod's app exits only once they have closed (node fires server.close()'s callback when no socket is left: lib/net.js _emitCloseIfDrained), `close` and `stoppable` leave none cached, so requests after the SIGTERM meet the closed listener (502); `gunicorn` serves one request on each connection cached idle at the SIGTERM within its keepalive_timeout (and a pod's app exits once they have closed); its gthread worker (not an `accept_model: event_loop` app) keeps its listening socket open until its exit (workers/gthread.py run(): set_accept_enabled(False) only unregisters it; the sockets are closed on the way out of run(); the arbiter closes its own copy at once), so every later connect — nginx's, the balancer's, a client's behind l4/nat, a check's — succeeds and its request waits unread in the accept queue (up to `backlog`, SYNs beyond dropped) until the exit resets it (nginx: 502; a client: ECONNRESET, or its own timeout first); only then are connects refused. `stoppable` is not modelled in Kubernetes pods (a `rollout` action, liveness or startup probes): refused there.",
    ),
  stoppable_grace: zDuration
    .optional()
    .describe(
      "With `sigterm_keepalive: stoppable` only (unset = 1s): how long after stop() (after `shutdown_delay`, terminus's beforeShutdown) stoppable destroys every socket still open and the process exits — terminus's `timeout` option, default 1000 ms (lib/terminus.js terminus()), which it passes to stoppable(server, grace) (lib/stoppable.js: setTimeout(destroyAll, grace)).",
    ),
  graceful_timeout: zDuration
    .optional()
    .describe(
      "With `sigterm_keepalive: gunicorn`, `gunicorn-23` or `gunicorn-20` only (unset = 30s, gunicorn/config.py GracefulTimeout, `--graceful-timeout`): gunicorn's arbiter, SIGTERMed, SIGTERMs its workers and SIGKILLs those still alive this long after (arbiter.py Arbiter.stop(): `limit = time.time() + self.cfg.graceful_timeout`, then `self.kill_workers(signal.SIGKILL)`): the requests still in hand then get no response. `shutdown_grace` (the supervisor's kill: systemd TimeoutStopSec) still applies when shorter. Modelled at a VM's SIGTERM (terminate, rolling_deploy), not in a pod (where the kubelet's grace alone kills).",
    ),
  worker_timeout: zDuration
    .optional()
    .describe(
      "gunicorn's worker timeout (`--timeout`), with `sigterm_keepalive: gunicorn`, `gunicorn-23` or `gunicorn-20` only (unset = 30s: gunicorn/config.py Timeout, `default = 30`, the same in 20.1.0 and 26.1.0; 0 = off, as gunicorn's `if not self.timeout: return`). The arbiter kills a worker that has not notified it for longer than this (arbiter.py Arbiter.murder_workers(): `time - worker.tmp.last_update() > self.timeout` → SIGABRT; workers/base.py handle_abort(): sys.exit(1)), checking once per loop of its own — it sleeps at most 1 s (Arbiter.sleep(): select(…, 1.0); 26.x wait_for_signals(timeout=1.0)) and a worker's exit wakes it (SIGCHLD) and spawns the replacement (reap_workers → manage_workers → spawn_worker, then `time.sleep(0.1 * random.random())`: the model takes its mean, 0.05 s). A sync worker (`accept_model: worker_per_connection` with `keepalive: close`) notifies only between requests (workers/sync.py run_for_one: `self.notify()` before each accept), so a request it holds — from the accept: a TLS handshake, the wait for its bytes, a wait for a pool connection all count — that outlives the timeout is cut at the arbiter's first check after it: the SIGABRT unwinds through SyncWorker.handle()'s `finally: util.close(client)` (FIN, no response: a client reads EOF, nginx answers 502 — `upstream prematurely closed connection` —, an L7 balancer its own 502). The replacement worker takes `startup_time` to boot (without --preload it imports the app, Worker.init_process → load_wsgi), its place unavailable meanwhile; the queued connections wait in the accept queue. Recorded on Debian's gunicorn 20.1.0 (calibration/data/gunicorn-worker-timeout-sync-rt.json: `--timeout 3`, 10-s requests cut 3.02-3.99 s after their accept over five runs, the next one 3.06-3.10 s after the first cut; a gthread worker's both answered: gunicorn-worker-timeout-gthread-rt.json). A gthread worker notifies from its main loop whatever its threads do (workers/gthread.py ThreadWorker.run(): `self.notify()` at each `poller.select(1.0)` return, 20.1.0 to 26.1.0), so its long requests are never cut: accepted, no effect. Before its first kill the model's arbiter wakes on the run's whole seconds (+0.05 s; the real phase follows its own start). Not after the SIGTERM (Arbiter.stop() waits for its workers without murder_workers(): graceful_timeout decides). Refused on an `accept_model: event_loop` app (a gevent or eventlet worker, whose notify greenlet a blocked loop starves: not modelled) and on an app that is not gunicorn.",
    ),
  crash_after: zDurationOrInfinite
    .prefault('0')
    .describe(
      'The app process exits with an error this long after each start (a crash-looping container; 0 = never). In a pod the kubelet restarts it with CrashLoopBackOff.',
    ),
  keepalive: z
    .enum(['keep', 'close'])
    .optional()
    .describe(
      "Whether the app server keeps a connection open after answering on it (unset = keep). `keep`: node's http server (no maxRequestsPerSocket), gunicorn's gthread worker (workers/gthread.py ThreadWorker: a kept-alive connection waits in its poller, holding no thread, and is closed after `keepalive` 2 s: murder_keepalived) and async workers, uvicorn — each closes an idle connection after `keepalive_timeout`. `close`: a gunicorn sync worker (workers/sync.py SyncWorker.handle_request: `resp.force_close()` on every request, \"until someone shows a buffering proxy that supports Keep-Alive to the backend\"), Apache prefork with `KeepAlive Off`: every response says `Connection: close` and the app closes the connection after it (FIN; its VM holds the TIME_WAIT), so a keep-alive client opens one connection per request (a handshake each; the VM holds a TIME_WAIT each). Whoever connects: a client's own connection to a bare app server (backends[].proxy: none) behind lb.mode l4 or nat; behind lb.mode l7 HAProxy reuses none of its server connections (the response's explicit close: mux_h1.c h1_set_srv_conn_mode sets H1S_F_WANT_CLO); behind the VM's nginx none is cached (ngx_http_proxy_process_header leaves u->keepalive 0 on `Connection: close`; ngx_http_upstream_free_keepalive_peer `goto invalid`), whatever `nginx.upstream_keepalive`: one connect per request.",
    ),
  keepalive_timeout: zDurationOrInfinite
    .prefault('0')
    .describe(
      "The app server's own idle timeout on a kept-alive connection from nginx (upstream keepalive) or, for a bare app server (backends[].proxy: none, which requires it written), from the balancer: it closes the connection this long after its last response (unset or 0 = never). gunicorn's gthread and async workers close after `keepalive` 2 s (gunicorn/config.py Keepalive); a gunicorn sync worker closes after every response (`keepalive: close`). node closes after keepAliveTimeout + keepAliveTimeoutBuffer (lib/_http_server.js storeHTTPOptions): 5 s + 1 s = 6s in node 20–25, 65 s + 1 s = 66s in node ≥ 26 (nodejs/node main, PR #62782); uvicorn after --timeout-keep-alive 5 s; above nginx's upstream keepalive_timeout it never races nginx's reuse.",
    ),
  ws: WsServerSchema.prefault({}),
  tls: TlsSchema.prefault({}),
});

/** socket.io-client's default randomizationFactor (Manager constructor: `opts.randomizationFactor ?? 0.5`). */
export const RANDOMIZED_FACTOR = 0.5;

export const BackoffSchema = z
  .strictObject({
    policy: z
      .enum(['immediate', 'exponential', 'full_jitter', 'equal_jitter', 'decorrelated_jitter', 'randomized'])
      .prefault('full_jitter')
      .describe(
        "Reconnect/retry delay: AWS Architecture Blog 2015 formulas (capped exponential min(cap, base·2^n), full jitter U(0, that), equal jitter, decorrelated jitter), or `randomized`: socket.io-client's reconnection delay (backo2 Backoff.duration: base·2^n ± a deviation of up to `factor` of it, then capped; socket.io's defaults are base 1s = reconnectionDelay, cap 5s = reconnectionDelayMax, factor 0.5 = randomizationFactor). n counts the attempts since the last success.",
      ),
    base: zDuration.prefault('1s'),
    cap: zDuration.prefault('30s'),
    factor: z
      .number()
      .gt(0)
      .lte(1)
      .optional()
      .describe(
        "policy randomized only: socket.io-client's randomizationFactor (unset = 0.5, its default): the delay base·2^n moves by floor(rand·factor·base·2^n) ms, down on an even tenth of the draw, up on an odd one, before the cap (backo2 Backoff.duration). 0 is no jitter: policy exponential.",
      ),
    honor_retry_after: z
      .boolean()
      .prefault(true)
      .describe(
        'Wait at least a drain notice retryAfter: retryAfter plus jitter over [0, retryAfter) when the policy has jitter, exactly retryAfter otherwise.',
      ),
  })
  .refine((b) => b.factor === undefined || b.policy === 'randomized', {
    message: 'factor applies only to policy randomized (socket.io-client randomizationFactor)',
    path: ['factor'],
  });

export const HttpClientsSchema = z
  .strictObject({
    arrival_rate: rate()
      .prefault(0)
      .describe('New keepalive connections per second (Poisson unless `arrivals: paced`).'),
    arrivals: arrivalSpacing(
      "How the new keepalive connections are spaced (unset = poisson). `poisson`: exponential gaps of mean 1/arrival_rate, many independent clients. `paced`: one new connection every 1/arrival_rate s exactly, the first at the clients' start — a constant-rate load generator: wrk2 (`-R`), vegeta's default constant pacer, k6's constant-arrival-rate executor, and the HAProxy bare-app recorder (calibration/haproxy/bare-l4-worker.mjs: slot i at i/count s). A `load` action's new http_rate re-paces from the change: the first new connection at it, the k-th k new gaps after it.",
    ),
    requests_per_connection: zDistribution('number')
      .prefault('const(20)')
      .describe('Requests a client sends on one connection before closing it.'),
    think_time: zDistribution('duration')
      .prefault('exp(mean=2s)')
      .describe('Idle time between a response and the next request.'),
    retries: int(0, L.MAX_RETRIES)
      .prefault(2)
      .describe(
        "Times a failed request is retried, after `retry_backoff`: on a new connection after a reset, a timeout, a connect error or an EOF; after a 5xx on a connection the server end keeps alive, as that connection's next request — counted towards nginx keepalive_requests (nginx counts every request it reads: c->requests++ in ngx_http_create_request), so the answer to its last allowed request closes it and the retry goes on a new one, as when the backoff outlasts keepalive_timeout or the client's idle_timeout. This is the application's own retry loop around its HTTP client (axios-retry, a Go for-loop, urllib3's Retry, `curl --retry`), and the default 2 is such a program's choice, not any library's default: Node's http client and undici, Go's net/http, Chromium and curl retry no failed request by themselves (curl's --retry is 0 unless given; Python requests' HTTPAdapter max_retries 0) — beyond `library`'s own resend of a request that failed on a reused connection, which is not counted here. Write 0 for a program that calls its library once.",
      ),
    retry_backoff: BackoffSchema.prefault({ policy: 'full_jitter', base: '100ms', cap: '2s' }),
    request_timeout: zDuration
      .prefault('30s')
      .describe(
        "Client gives up on any request not answered this long after it was written (a vanished host, a hung or paused app, a full queue): it closes the connection (FIN; nginx logs 499, the app still does the work), counts err_client_timeout (its own timer, not the kernel's ETIMEDOUT) and retries per `retries`.",
      ),
    method: z
      .enum(['GET', 'POST'])
      .prefault('GET')
      .describe(
        "The clients' request method. nginx retries a request that failed on a cached upstream connection (proxy_next_upstream error) unless it is a POST already sent (ngx_http_upstream_next: non_idempotent).",
      ),
    library: z
      .enum(['node', 'go', 'browser', 'curl'])
      .optional()
      .describe(
        "The HTTP client implementation (unset = node), for what it decides by itself: whether it sends a request again, at once and on a new connection, when a connection it reused fails under it before any byte of the answer — the keep-alive race (the request written as the server closed the idle connection: RST or EOF), a close with no answer (HAProxy's abort_keep_alive, nginx or a bare app stopping under the request), a balancer's reset of a flow it forgot. Such a resend is no error the program sees: not counted in errors, `retries` or `requests_failed` (it is in `requests`, and traced as client.resend); a failure on a connection opened for the request is the program's, retried per `retries`. `node`: never — Node's http client fails the request with ECONNRESET \"socket hang up\" and only marks req.reusedSocket (lib/_http_agent.js reuseSocket); undici (Node's fetch) and Python requests alike; the calibration clients are Node's. `go`: net/http resends a GET (Transport.roundTrip → persistConn.shouldRetryRequest: a reused connection, Request.isReplayable: GET, HEAD, OPTIONS, TRACE), never a POST it wrote (`method: POST`). `browser` (Chromium, HttpNetworkTransaction::HandleIOError → ShouldResendRequest: a reused connection, no response headers, any method; a socket preconnected and unused counts as reused, HttpBasicState::IsConnectionReused) and `curl` (lib/transfer.c Curl_retry_request: a reused connection with nothing received, any method): every method. The resend's latency counts from the first write; its timer `request_timeout` restarts at the resend (a simplification: Go's Client.Timeout covers both).",
      ),
    idle_timeout: zDuration
      .optional()
      .describe(
        "The client's own keep-alive idle timeout: it closes a connection idle this long itself (FIN; its TIME_WAIT on the client host) and sends its next request on a new one. 0 = never. Unset: the library's (`library`, unset = node) — `node` 5 s: http.globalAgent (node ≥ 19/20: `new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 })`, lib/_http_agent.js; keepSocketAlive() sets the idle socket's timeout and installListeners() onTimeout destroys it in the free list); `go` 90 s: net/http DefaultTransport IdleConnTimeout (transport.go; tryPutIdleConn arms pconn.idleTimer → closeConnIfStillIdle); `browser` 300 s: Chromium's used idle socket timeout (net/socket/client_socket_pool.cc g_used_idle_socket_timeout_s); `curl` 118 s: CURLOPT_MAXAGE_CONN (lib/url.c conn_max_idle_ms = 118 * 1000), checked when the next transfer looks for a connection (lib/conncache.c cpool_conn_maxage), so curl closes an over-age connection at its next request, not on a timer. Below the server's idle timeout (nginx keepalive_timeout, a bare app's keepalive_timeout) the client always closes first and never races the server's close; above it the server closes first and a request written as its FIN crosses meets the keep-alive race. Not derived from the server's answers: Node lowers its 5 s to a server's `Keep-Alive: timeout=N` hint less 1 s (keepSocketAlive: a node server sends timeout=5, so 4 s straight to a bare node app; nginx and HAProxy send no hint by default) — not modelled, write `idle_timeout: 4s` for it. Other clients: `new http.Agent({ keepAlive: true })` without `timeout` never closes (0s; the hint only lowers a set timeout), undici (Node's fetch) 4 s (keepAliveTimeout), an L7 balancer's backend idle timeout (an AWS ALB's 60 s).",
      ),
    after_failure: z
      .enum(['next_request', 'leave'])
      .prefault('next_request')
      .describe(
        "What a client does when a request fails for good (after its `retries`). next_request: it goes on with its next request after its think time, as after a success — a program calling an HTTP client library gets the error (or the 5xx) and carries on; on the same connection when the server end kept it alive (nginx keeps it after a 502/503/504: ngx_http_special_response_handler, src/http/ngx_http_special_response.c, ends keep-alive only for 400/413/414/497/495/496/500/501; Node's http client returns the socket to its Agent whatever the status, lib/_http_client.js responseOnEnd), on a new one after a reset, a timeout or a connect error. The connection's remaining requests are still sent, so the demand does not fall with the failures. leave: the client closes its connection and is gone, its remaining requests never sent — users who give up.",
      ),
    reconnect: z
      .enum(['on_demand', 'eager'])
      .prefault('on_demand')
      .describe(
        "When a client replaces a connection the server closed while it thought. on_demand: when its next request is due (an HTTP client's pool: Go's net/http Transport, Node's http.Agent dial when a request needs a connection). eager: at once, and the new connection waits for the request — a client that opens connections ahead of use: a browser's preconnect (`<link rel=preconnect>`, HTML standard: DNS, TCP and TLS done before any request; Chrome closes one left unused for 10 s), OkHttp 5's ConnectionPool.AddressPolicy minimumConcurrentCalls (the pool opens connections pre-emptively and replaces those closed, a failed attempt after backoffDelayMillis), Envoy's cluster preconnect_policy, the round-4 harness client (calibration/nginx/client.mjs: a connection closed while its client thought is replaced at once and the rest of the think time waited on the new one, unless lazyReconnect). nginx accepts such a connection at once and holds one of its worker's connections for it (ngx_event_accept); waiting for its first request it is reusable, so ngx_drain_connections may close it (FIN), but not idle (only ngx_http_set_keepalive sets c->idle), so a QUIT or reload leaves it open (ngx_close_idle_connections) and the old workers wait for it (its read timer is not cancelable: ngx_event_no_timers_left) until its request comes — answered with `Connection: close` — or nginx.client_header_timeout closes it (ngx_http_init_connection, src/http/ngx_http_request.c). A connection closed before it carried any request (refused at the accept, drained while it waited) is replaced after retry_backoff, not at once (no tight loop against a full worker), and waits again for the planned request.",
      ),
  })
  // idle_timeout unset: the library's (httpLibraryIdleTimeout); the keys keep their order (summary.json's echo).
  .transform(({ idle_timeout, after_failure, reconnect, ...rest }) => ({
    ...rest,
    idle_timeout: idle_timeout ?? httpLibraryIdleTimeout(rest.library),
    after_failure,
    reconnect,
  }));

/**
 * The keep-alive idle timeout of the HTTP client library `clients.http.idle_timeout` leaves unset
 * (seconds): how long its pool keeps an idle connection before closing it itself. Each from the
 * library's source (sim/model/clients/http-library.ts holds its other rule, the resend):
 * - node (the unset library): http.globalAgent, `new Agent({ keepAlive: true, scheduling:
 *   'lifo', timeout: 5000 })` since node 19 (lib/_http_agent.js; v20.20.2's
 *   http.globalAgent.options.timeout is 5000): Agent.prototype.keepSocketAlive() calls
 *   socket.setTimeout(5000) on the socket it keeps, and installListeners()'s onTimeout destroys a
 *   socket still in the free list when it fires.
 * - go: net/http DefaultTransport's IdleConnTimeout 90 * time.Second (src/net/http/transport.go;
 *   Transport.tryPutIdleConn arms pconn.idleTimer → closeConnIfStillIdle).
 * - browser: Chromium's used idle socket timeout, 300 s (net/socket/client_socket_pool.cc
 *   g_used_idle_socket_timeout_s = 300, "5 minutes").
 * - curl: CURLOPT_MAXAGE_CONN's default, 118 s (lib/url.c Curl_init_userdefined:
 *   set->conn_max_idle_ms = 118 * 1000; docs/libcurl/opts/CURLOPT_MAXAGE_CONN.md "DEFAULT 118
 *   seconds"), checked when a transfer looks for a connection (lib/conncache.c
 *   cpool_conn_maxage): the model's HttpClients closes it at the next request (http-library.ts
 *   closesIdleAtNextUse).
 */
export function httpLibraryIdleTimeout(library: 'node' | 'go' | 'browser' | 'curl' | undefined): number {
  switch (library ?? 'node') {
    case 'node':
      return 5;
    case 'go':
      return 90;
    case 'browser':
      return 300;
    case 'curl':
      return 118;
  }
}

export const WsClientsSchema = z
  .strictObject({
    initial_sessions: int(0, L.MAX_SESSIONS)
      .prefault(0)
      .describe('Sessions opened at the start (during warmup), spread over initial_ramp.'),
    initial_ramp: zDuration.prefault('1m'),
    start: z
      .enum(['steady', 'cold'])
      .prefault('steady')
      .describe(
        'steady: the initial sessions have the ages and remaining lives of a population that has run for ever (stationary: mean age E[L²]/(2E[L])); cold: they all start at age 0.',
      ),
    arrival_rate: rate().prefault(0).describe('New sessions per second (Poisson unless `arrivals: paced`).'),
    arrivals: arrivalSpacing(
      "How the new sessions are spaced (unset = poisson). `poisson`: exponential gaps of mean 1/arrival_rate, many independent users. `paced`: one new session every 1/arrival_rate s exactly, the first at the clients' start — a constant-rate WebSocket load generator: k6's constant-arrival-rate executor (iteration starts spaced 1/rate apart from the scenario's start, each iteration a ws.connect; Artillery's `config.mode: uniform` paces too but its first arrival comes one interval after the start, as `clients.requests.arrivals: paced` does). A `load` action's new ws_rate re-paces from the change: the first new session at it, the k-th k gaps after it. Sessions' lifetimes, initial sessions and reconnects are unchanged.",
    ),
    lifetime: zDistribution('duration')
      .prefault('lognormal(median=30m, p99=6h)')
      .describe('How long a user keeps a session open.'),
    ping_interval: zDurationOrInfiniteAtLeast(
      L.MIN_PING_INTERVAL_S,
      "sub-100 ms pings are no client's setting and cost an event per session each",
    )
      .prefault('30s')
      .describe(
        'Application ping period; idle tunnels longer than proxy_read_timeout are closed by nginx (0 = no pings).',
      ),
    pong_timeout: zDuration
      .prefault('20s')
      .describe(
        'A client declares the connection dead when a ping is not answered within this (1006). Only the pings: the opening handshake has its own timeout (handshake_timeout).',
      ),
    library: z
      .enum(['socket.io-browser', 'socket.io-node', 'browser', 'ws'])
      .optional()
      .describe(
        "The client implementation (unset = socket.io-browser), for what it decides by itself (its reconnect delays are `reconnect`'s). Who closes TCP first after the server's Close frame (a drain's, a SIGTERM's or the TTL's 1001): a browser answers the Close and waits for the server to close TCP (RFC 6455 §7.1.1; Chromium's websocket_channel.cc closes it itself only after kUnderlyingConnectionCloseTimeoutSeconds = 2 s), so the TIME_WAITs land on the server side — HAProxy's client-facing socket (`lb_time_wait`) and nginx's; Node's `ws` (8.21, lib/websocket.js receiverOnConclude() → close() → socket.end() once a Close was both sent and received) sends its FIN right after its answering Close, so the client machine holds the TIME_WAIT, HAProxy closes its server connection first (a TIME_WAIT on its own source port to the VM, `lb_ports_busy`) and nginx its upstream connection to the app (recorded with `ws` 8.21 through HAProxy 2.6.12 and nginx 1.22.1 on loopback, calibration/ws-close: 18–19 of 20 sessions at each hop, the rest the other way round). A user's own Close (1000) is answered and closed by the server first with every library. The opening handshake's timeout unless handshake_timeout is set: browser (Chromium) 240 s (websocket_stream.cc kHandshakeTimeoutIntervalInSeconds); ws none (handshakeTimeout unset, lib/websocket.js initAsClient()); socket.io-browser and socket.io-node 20 s (socket.io-client 4.8 Manager `timeout`, manager.ts open()) over the browser's WebSocket or Node's `ws` respectively (engine.io-client, `transports: ['websocket']`; socket.io's default long-polling first is not modelled).",
      ),
    handshake_timeout: zDuration
      .optional()
      .describe(
        "How long a client waits for the 101 of its upgrade — a TLS handshake queued behind a storm's, an upgrade nothing reads — before it gives up (its own timer: err_client_timeout, not the kernel's ETIMEDOUT), closes and reconnects by its policy; counted from its TCP connect's completion (a NAT's or proxy's accept), not from the connect() itself (socket.io starts its timer at the connect; a round trip, simplified). 0: none, it waits until its user leaves. Unset: the library's (`library`): `ws`'s handshakeTimeout option, socket.io-client's `timeout`.",
      ),
    reconnect: BackoffSchema.optional().describe(
      "How the client reconnects after its session ended under it (a 1006, the server's 1001, a refused or timed-out upgrade). Unset: the library's (`library`). socket.io-client (`socket.io-browser`, the unset library, and `socket.io-node`) reconnects by itself with its Manager's defaults (packages/socket.io-client/lib/manager.ts: reconnectionDelay 1000, reconnectionDelayMax 5000, randomizationFactor 0.5): `{ policy: randomized, base: 1s, cap: 5s }`, so from the 4th attempt on a client waits ~5 s. A browser's WebSocket and Node's `ws` never reconnect by themselves: the application does, here `{ policy: full_jitter, base: 1s, cap: 30s }` (AWS's capped full jitter; the default for every library before session 32). Both honour a drain notice's retryAfter. Written, it is used as written, whatever the library (its own unset fields: policy full_jitter, base 1s, cap 30s).",
    ),
    scheduled: z
      .array(
        z.strictObject({
          at: zDuration.describe(
            'When the session connects: a duration from t = 0, as a timeline `at:` (after the warmup).',
          ),
          lifetime: zDuration.describe('How long the user keeps it open (then closes it with 1000).'),
        }),
      )
      .max(L.MAX_SCHEDULED_SESSIONS)
      .optional()
      .describe(
        'Sessions opened at exact times, each with its own lifetime, besides initial_sessions and arrivals: a recorded experiment restated (calibration/scenarios) or a worked example. They reconnect like any other session.',
      ),
  })
  // reconnect unset: the library's (wsLibraryReconnect); the keys keep their order (summary.json's echo).
  .transform(({ reconnect, scheduled, ...rest }) => ({
    ...rest,
    reconnect: reconnect ?? wsLibraryReconnect(rest.library),
    ...(scheduled === undefined ? {} : { scheduled }),
  }));

/**
 * The reconnect policy of a WebSocket client library that `clients.ws.reconnect` leaves unset.
 * socket.io-client (unset library: socket.io-browser) reconnects by itself, its Manager's
 * constructor setting reconnectionDelay `|| 1000`, reconnectionDelayMax `|| 5000` and
 * randomizationFactor `?? 0.5` (packages/socket.io-client/lib/manager.ts) for backo2's
 * Backoff.duration (clients/backoff.ts randomizedDelay). A browser's WebSocket (no reconnect in
 * the WHATWG WebSockets standard) and Node's `ws` (lib/websocket.js: a closed WebSocket stays
 * closed) leave it to the application: the capped full jitter that was every library's default.
 */
function wsLibraryReconnect(library: 'socket.io-browser' | 'socket.io-node' | 'browser' | 'ws' | undefined) {
  const socketIo = library === undefined || library === 'socket.io-browser' || library === 'socket.io-node';
  return BackoffSchema.parse(
    socketIo ? { policy: 'randomized', base: '1s', cap: '5s' } : { policy: 'full_jitter', base: '1s', cap: '30s' },
  );
}

export const RequestClientsSchema = z.strictObject({
  rate: rate()
    .prefault(0)
    .describe(
      'Open-loop requests per second (Poisson unless `arrivals: paced`): they keep coming however slow the answers.',
    ),
  arrivals: arrivalSpacing(
    "How the open-loop requests are spaced (unset = poisson). `poisson`: exponential gaps of mean 1/rate, many independent clients. `paced`: one request every 1/rate s exactly, the first 1/rate after the clients' start — a constant-rate load generator: wrk2 (`-R`), vegeta's default constant pacer, and the HAProxy calibration recorder (calibration/haproxy/worker.mjs); k6's constant-arrival-rate starts its first iteration at the start instead (the anchor of `clients.http.arrivals` and `clients.ws.arrivals: paced`). A `load` action's new rate re-paces from the change: the next request one new gap after it.",
  ),
  timeout: zDuration
    .prefault('5s')
    .describe(
      'The client gives up on an attempt after this long (the server may still do the work): counted in req_timeouts and err_client_timeout.',
    ),
  retries: int(0, L.MAX_RETRIES)
    .prefault(2)
    .describe(
      "Retries of a failed or timed-out request: the client program's own retry loop (as `clients.http.retries`), the default 2 a program's choice, not a library's (`library`'s own resend is not counted here).",
    ),
  backoff: BackoffSchema.prefault({ policy: 'full_jitter', base: '100ms', cap: '2s' }),
  users: int(0, L.MAX_USERS).prefault(0).describe('Distinct users (for sticky sessions); 0 = anonymous requests.'),
  reused_connections: z
    .boolean()
    .optional()
    .describe(
      "lb.mode l7 only (unset = false): each request goes on a client connection that already carried one (an HTTP client's kept-alive pool, as the calibration client's 12 connections), so it is not the first of its connection for HAProxy (TX_NOT_FIRST): under `http-reuse safe` it may take an idle server connection, and when its server connection closes before any response (a killed bare app server, `backends[].proxy: none`) HAProxy closes the client connection silently instead of answering 502 (http_wait_for_response() → abort_keep_alive, src/http_ana.c). False: each request is the first of a new connection.",
    ),
  library: z
    .enum(['node', 'go', 'browser', 'curl'])
    .optional()
    .describe(
      'With `reused_connections`: the HTTP client implementation (unset = node), as `clients.http.library` — whether it resends by itself, at once and on a new connection, a request the L7 balancer closed its reused connection under with no answer (HAProxy\'s abort_keep_alive, TX_NOT_FIRST: a killed bare app server). `node` never (ECONNRESET "socket hang up", retried per `retries`); `go` (transport.go shouldRetryRequest: the requests are GETs), `browser` (Chromium ShouldResendRequest) and `curl` (Curl_retry_request) resend it: no error, no retry counted, traced client.resend; the resend is the first request of its new connection (so a second such failure is HAProxy\'s 502), its latency from the first write, its `timeout` restarting at the resend.',
    ),
  session_store: z
    .enum(['memory', 'external'])
    .prefault('memory')
    .describe("Where user session state lives: in the backend's memory (lost when it dies) or in an external store."),
  pool: z
    .strictObject({
      when_busy: z
        .enum(['skip', 'wait'])
        .prefault('skip')
        .describe(
          "A due request finding every connection busy: `skip` drops it (the HAProxy calibration recorder, calibration/haproxy/worker.mjs runRequests(), logged as client.pool_skipped); `wait` queues it until one frees, oldest first (Node's http.Agent maxSockets: lib/_http_agent.js addRequest(); Go's Transport MaxConnsPerHost: net/http/transport.go queueForDial()). Latency counts from the request's due time.",
        ),
    })
    .optional()
    .describe(
      "Unset = no pool: each user sends its share of `rate` whatever it has in flight. Set (needs users >= 1): a pooled HTTP client — each user is one kept-alive connection carrying one request at a time (with its client retries); a due request goes on the NEXT IDLE connection, round robin from the one after the last used, so behind `balance source` a connection held by a dead server's retries sends nothing more until answered.",
    ),
});

export const ClientsSchema = z.strictObject({
  rtt: zDuration
    .prefault('30ms')
    .describe(
      "Round trip between clients and the backends (default 30 ms): the clients' leg, to the balancer (the balancer's own leg to its servers is instant, but for `lb.server_rtt`'s keep-alive race). Every client kind pays it: a request on an established connection takes half of it out and its answer (or the balancer's 503, FIN or reset) half back, and a request on a new connection waits one more for the handshake — HTTP keep-alive and WebSocket clients, and open-loop requests (`clients.requests`): one round trip is added to `open_loop_latency` for a kept-alive one (`reused_connections`, `pool`), two for any other (HAProxy accept()s the connection and reads the request 1.5 round trips after the client's connect(): src/stream.c stream_new, src/http_ana.c http_wait_for_request); every client timeout runs from the request's write, so the answer must be back by then. Also the round trip the model's TCP timers start from where no other is set (the first RTO of a SYN or of data, the health checks' TLS round trips).",
    ),
  source_ips: int(1)
    .prefault(100000)
    .describe(
      'Distinct client addresses, each its own client machine with its own kernel (ports, TIME_WAIT); few addresses make 4-tuples come back within 60 s.',
    ),
  kernel: KernelSchema.prefault({}).describe(
    "Kernel settings of the client machines (Linux defaults; independent of the VMs' `kernel`).",
  ),
  http: HttpClientsSchema.prefault({}),
  ws: WsClientsSchema.prefault({}),
  requests: RequestClientsSchema.prefault({}),
});

export const CheckSchema = z.strictObject({
  type: z
    .enum(['tcp', 'http'])
    .prefault('tcp')
    .describe("tcp: connect only (L4); http: GET the endpoint through the app's workers (L7)."),
  endpoint: z
    .enum(['shallow', 'deep'])
    .prefault('shallow')
    .describe(
      'shallow: the process answers; deep: the check also queries the database (seed: The Load Balancer Lied).',
    ),
  inter: checkInterval().prefault('2s').describe('HAProxy inter, default 2s (DEF_CHKINTR).'),
  fastinter: checkInterval().optional().describe('Interval while a server changes state; unset = inter.'),
  downinter: checkInterval().optional().describe('Interval while a server is DOWN; unset = inter.'),
  rise: int(1).prefault(2).describe('HAProxy rise, default 2.'),
  fall: int(1).prefault(3).describe('HAProxy fall, default 3.'),
  timeout: checkInterval()
    .optional()
    .describe(
      'HAProxy timeout check: once the check is connected, how long it waits for the answer; the connect itself then gets min(inter, lb.connect_timeout) (src/tcpcheck.c tcpcheck_eval_connect()). Unset: inter bounds the whole check, connect included.',
    ),
  on_marked_down: z
    .enum(['none', 'shutdown-sessions'])
    .prefault('none')
    .describe(
      "HAProxy `on-marked-down shutdown-sessions`: when checks mark a server DOWN every stream attached to it is shut (srv_shutdown_streams(), src/server.c): in lb.mode l4 its connections are closed (FIN); in l7 the requests waiting for its answer end too — a kept-alive connection's later request is closed with no response, a connection's first request gets HAProxy's 502 (http_wait_for_response(), src/http_ana.c). By default they carry on.",
    ),
  first_check: zDuration
    .optional()
    .describe(
      "When every server's first check runs; unset = HAProxy's spread, the k-th of n servers at m × k / n with m the servers' interval at start: fastinter (inter when fall is 1 or fastinter is unset), raised to the smallest such interval of at least 1 s (src/check.c start_checks(), start_check_task()).",
    ),
  dependency_timeout: zDurationOrInfinite
    .prefault('0')
    .describe(
      "A deep endpoint's own timeout on its database query (0 = none): a slow database then answers within it.",
    ),
  on_dependency_timeout: z
    .enum(['unready', 'ready'])
    .prefault('unready')
    .describe('What a deep endpoint reports when its own database query times out (ready = degraded but serving).'),
  disable_on_404: z
    .boolean()
    .optional()
    .describe(
      "HAProxy `http-check disable-on-404` (unset = off, HAProxy's default; needs type: http): a server that is not DOWN and answers its check 404 goes NOLB (SRV_ST_STOPPING) at that very check, no `fall` count (src/tcpcheck.c: `check->code == 404` with PR_O_DISABLE404 and `next_state != SRV_ST_STOPPED` → HCHK_STATUS_L7OKCD, \"Layer7 check conditionally passed\"; src/check.c check_notify_stopping() → src/server.c srv_set_stopping()): it leaves load balancing like a drained server — no new non-persistent streams, its own queue handed back with redispatch (pendconn_redistribute()) — keeps its established streams and its cookie users (`cur_state != SRV_ST_STOPPED`), and is UP again at the next 2xx/3xx (slowstart ramping). A DOWN server's 404 is an ordinary failed check (`Layer7 wrong status, code: 404`): it stays DOWN. The timeline's health_404 / health_200 make an app's health endpoint answer 404 (an operator's maintenance file) and 200 again.",
    ),
});

/** Kubernetes probe defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe). */
export const ProbeSchema = z.strictObject({
  type: z.enum(['tcp', 'http']).prefault('http'),
  endpoint: z.enum(['shallow', 'deep']).prefault('shallow'),
  period: zDurationAtLeast(L.MIN_PROBE_PERIOD_S, 'a probe period of 0 never lets time advance')
    .prefault('10s')
    .describe('periodSeconds, default 10.'),
  timeout: zDurationAtLeast(L.MIN_PROBE_PERIOD_S, 'a probe needs time to answer')
    .prefault('1s')
    .describe('timeoutSeconds, default 1.'),
  failure_threshold: int(1).prefault(3).describe('failureThreshold, default 3.'),
  success_threshold: int(1).prefault(1).describe('successThreshold, default 1.'),
  initial_delay: zDuration
    .prefault('0s')
    .describe(
      "initialDelaySeconds, default 0: for this long after each container's start the kubelet runs no probe of this kind and counts no result (pkg/kubelet/prober/worker.go doProbe: `int32(time.Since(c.State.Running.StartedAt).Seconds()) < InitialDelaySeconds` → no probe); the count starts afresh after it. Liveness `initial_delay` longer than the app's start-up is the older fix for a slow starter that a startup probe replaces.",
    ),
  dependency_timeout: zDurationOrInfinite.prefault('0'),
  on_dependency_timeout: z.enum(['unready', 'ready']).prefault('unready'),
  termination_grace_period: zDuration
    .optional()
    .describe(
      "Probe-level terminationGracePeriodSeconds (liveness and startup probes only; absent: the pod's, kubelet.termination_grace_period): the grace period of the kill this probe's failure causes, preStop included (kuberuntime_container.go setTerminationGracePeriod).",
    ),
});

export const LbSchema = z.strictObject({
  mode: z
    .enum(['l4', 'l7', 'nat'])
    .prefault('l4')
    .describe(
      "l4: an L4 proxy (HAProxy mode tcp): accepts the client, connects to a backend with retries; l7: HAProxy mode http: terminates the client's connection (keep-alive clients) and balances each request over its own server connections, answers 503/502 instead of passing resets, balances a WebSocket upgrade once and pins its tunnel; nat: an L4 NAT (IPVS, kube-proxy, NLB): forwards packets, never retries, the client sees the backend's refusal or silence itself.",
    ),
  retry_on_5xx: z
    .boolean()
    .prefault(false)
    .describe(
      "L7 only: HAProxy `retry-on 500 502 503 504` — a 5xx is retried (on another backend when `redispatch` allows). Like HAProxy's `retry-on`, it replaces the default `conn-failure`: with it a failed connect (refused, timed out, no source port) is not retried, the client gets 503 at once (back_handle_st_cer(), src/backend.c, needs PR_RE_CONN_FAILED), unless `retry_on_empty_response` (`retry-on conn-failure empty-response`) is set too.",
    ),
  nbthread: int(1, 4096)
    .optional()
    .describe(
      "HAProxy nbthread: the balancer's threads, each an event loop holding the connections it accepted. HAProxy's default is one thread per CPU of its host, which drainsim does not know: unset, TLS ending at the balancer (`app.tls.terminates: lb`) costs nothing; set (lb.mode l4), each connection's handshake (`handshake_cpu`, or `resumed_handshake_cpu` when the client offers a ticket of this balancer's: app.tls) runs on its thread and the requests of that thread's connections wait behind it.",
    ),
  slowstart: zDurationOrInfinite
    .prefault('0')
    .describe(
      'HAProxy slowstart (no default = off; whole seconds, rounded up): a server back from DOWN or out of maint ramps its weight from 1/16 to 100% over this time, in integer 16ths re-evaluated every second (server_recalc_eweight()); balance source with the map (hash-type map-based, static) has no ramp, with hash-type consistent the server ring points follow it. Until the ramp ends the server is STARTING, not RUNNING (map included): with redispatch a failed connect to it is load-balanced again at once (stream_choose_redispatch(): cur_state < SRV_ST_RUNNING), and its maxconn ramps too: MAX(1, maxconn × ratio / 100) with ratio = 100 × whole seconds since it came back / slowstart (srv_dynamic_maxconn(), src/queue.c), each step serving the backend queue (pendconn_grab_from_px()).',
    ),
  sticky: z
    .enum(['none', 'cookie', 'source'])
    .prefault('none')
    .describe(
      "Session persistence (unset = none, HAProxy's default): `cookie`, an inserted cookie (`cookie SRV insert`, lb.mode l7 only); `source`, a stick table on the client's source address (`stick-table type ip` + `stick on src`, lb.mode l4 or l7, per connection in l4 and per request in l7), asked before any balancing — an address's first stream is load-balanced (any `balance`) and its server stored (process_store_rules(), src/stream.c, a response analyser: once connected in l4, with the server's response in l7 — a stream with none, such as HAProxy's own 504, stores nothing; a cookie also comes with the response), its later streams go there. Either way a drained (or NOLB) server keeps its users and a DOWN or maint one's are load-balanced again and stuck to their new server (HAProxy honours the cookie or the entry while `cur_state != SRV_ST_STOPPED` or with option persist: http_manage_client_side_cookies(), src/http_ana.c; sticking_rule_find_target(), src/stream.c); a persistent stream stays on its server for retries until redispatch says otherwise (stream_choose_redispatch()). The table's entries never expire (no `expire`: the model has no stick-table expiry; HAProxy evicts the oldest only when `size` is full, src/stick_table.c). Refused with lb.mode nat: the NAT has no stick table (kube-proxy's ClientIP affinity, IPVS persistence and an NLB's source_ip stickiness are not modelled; an NLB stops sending to a deregistering target, sticky or not).",
    ),
  balance: z
    .enum(['roundrobin', 'leastconn', 'random', 'source'])
    .prefault('roundrobin')
    .describe(
      'HAProxy balance algorithm; roundrobin is the default (configuration.txt "balance"). random is HAProxy\'s random(2) (backend_parse_balance(), src/backend.c: two draws by default; random(<draws>): `random_draws`): each draw is a uniform 32-bit value looked up on the consistent-hash ring (16 points per weight unit, chash_get_server_hash(), src/lb_chash.c), so a server is drawn with its ring share (two equal servers: 0.431 / 0.569), not its weight share, and the less loaded per weight of the two is kept, a tie to the later draw (get_server_rnd(), src/backend.c).',
    ),
  random_draws: int(1)
    .optional()
    .describe(
      'HAProxy\'s `balance random(<draws>)`: how many servers are drawn on the consistent-hash ring for each pick, of which the one serving the fewest per weight is kept (unset = 2, `balance random` written alone: backend_parse_balance(), src/backend.c, `arg_opt1 = 2`; below 1 HAProxy refuses the configuration: "random : number of draws must be at least 1"). get_server_rnd() (src/backend.c) compares each new draw with the best so far (`do { … } while (--draws > 0)`), a tie to the later draw: 1 is plain random (each server its ring share, whatever its load), more draws lean harder on the less loaded. Only with `balance: random` (any other balance: exit 2).',
    ),
  hash_type: z
    .enum(['map-based', 'consistent'])
    .optional()
    .describe(
      'HAProxy hash-type for balance source (unset = map-based): map-based takes map[hash % total weight] over the usable servers, the weights divided by their GCD and the servers interleaved by weight (init_server_map(), recalc_server_map()), so a server going DOWN or UP remaps most client addresses; consistent places each server on a ring (weight × 16 points) and a client goes to the nearest point, so only the addresses of the server that left move (get_server_sh(), src/backend.c; src/lb_map.c, src/lb_chash.c).',
    ),
  hash_avalanche: z
    .boolean()
    .optional()
    .describe(
      "HAProxy's hash-type `avalanche` modifier: the client address goes through full_hash() before the lookup. Unset = HAProxy's default: on for `hash-type consistent` written alone, off for map-based; `hash-type consistent sdbm` (a function without the modifier) is false — neighbouring addresses then sit together on the ring (cfg_parse_listen(), src/cfgparse-listen.c).",
    ),
  retries: int(0, L.MAX_RETRIES)
    .prefault(3)
    .describe(
      'HAProxy retries (CONN_RETRIES 3): failed connects are retried (5xx instead with retry_on_5xx); where, see redispatch.',
    ),
  retry_interval: zDuration
    .prefault('1s')
    .describe(
      "The turn-around pause after a refused connect, before a retry on the same server (or with one active server): min(timeout connect, this). Not an HAProxy setting: HAProxy 2.6 hard-codes it to 1000 ms (src/backend.c back_handle_st_cer: `int delay = 1000`, lowered to timeout connect when that is shorter), so leave it at 1s to model HAProxy; other values model another balancer's pause.",
    ),
  connect_timeout: zDurationOrInfinite
    .prefault('5s')
    .describe(
      "HAProxy timeout connect. Real HAProxy has no default: without `timeout connect` it warns 'missing timeouts' and a connect never times out (src/cfgparse.c leaves timeout.connect 0, tick_add_ifset arms no expiry) — write `infinite` (or `none`, 0) for that: a connect to a vanished backend or a full accept queue then ends only at the sending kernel's SYN give-up (tcp_syn_retries: 131 s with Linux's defaults), and `timeout queue`, unset, inherits it (src/cfgparse.c: timeout.queue = timeout.connect), so a queued request waits for a slot indefinitely. Unset here = 5s, Debian's /etc/haproxy/haproxy.cfg `defaults` and HAProxy's documented examples, unlike timeout client/server, which drainsim leaves unset as HAProxy does (set lb.timeout_client/timeout_server to Debian's 50s to match that file): how long SYNs to a vanished backend or a full accept queue are retransmitted before the connect fails.",
    ),
  redispatch: z
    .boolean()
    .prefault(false)
    .describe(
      "HAProxy option redispatch: a retry is load-balanced again when the server is not running (DOWN, in maint, or still in its slowstart ramp: cur_state < SRV_ST_RUNNING), on the redispatch retry (redispatch_interval; the last one by default), or at once without persistence when more than one server is active and balance is not a hash (stream_choose_redispatch()). Without it every retry stays on the same server, and a server leaving load balancing (DOWN, drain or maint) keeps the streams queued on it (pendconn_redistribute(), v2.6.0 src/queue.c, HAProxy 2.6.12 as recorded; HAProxy 3.1 hands a maint server's queue back without it, 1385e33eb).",
    ),
  redispatch_interval: int(-L.MAX_RETRIES, L.MAX_RETRIES)
    .prefault(-1)
    .describe(
      'HAProxy `option redispatch <interval>` (needs redispatch: true; default -1, what `option redispatch` alone sets: cfg_parse_listen(), src/cfgparse-listen.c): which retries go to another server when the immediate rule does not apply (a persistent stream, one active server, or balance source). P > 0: every P-th retry (1: every retry); N < 0: retries where retry % (retries + 1 + N) == 0 — -1 the last, -2 the one before it; 0: none (a retry from a DOWN, maint or slowstarting server is still redispatched). stream_choose_redispatch(), include/haproxy/stream.h. Refused at -(retries + 1) and below, where HAProxy 2.6 divides by zero or by a negative number.',
    ),
  remove_resets_flows: z
    .boolean()
    .prefault(true)
    .describe(
      "A hard `remove` forgets the backend flows: each side's next packet is answered with RST (l4 and nat; an l7 balancer terminates the client connections and keeps its streams, as HAProxy's maint does).",
    ),
  http_keep_alive_timeout: zDurationOrInfinite
    .prefault('infinite')
    .describe(
      "L7 only: HAProxy timeout http-keep-alive (no default): how long the balancer keeps an idle client connection between two requests before it closes it — the smaller of it and lb.timeout_client, and only if lb.timeout_client is set: HAProxy's connection timeout task exists only with timeout client (src/mux_h1.c h1_init(), h1_refresh_timeout() takes tick_first() of timeout client and the idle expiration h1_set_idle_expiration() sets). Unset (infinite) it falls back to lb.http_request_timeout, then to lb.timeout_client alone.",
    ),
  http_request_timeout: zDurationOrInfinite
    .optional()
    .describe(
      "L7 only: HAProxy timeout http-request (no default): drainsim's clients send each request at once, so it acts only as the idle timeout of a client connection between two requests when lb.http_keep_alive_timeout is unset (src/mux_h1.c h1_set_idle_expiration()), bounded by lb.timeout_client, without which nothing expires.",
    ),
  http_reuse: z
    .enum(['never', 'safe', 'aggressive', 'always'])
    .optional()
    .describe(
      'L7 only: HAProxy http-reuse (unset = safe, "the default and the recommended strategy", doc/configuration.txt): which requests may go over an idle server connection instead of connecting (be_reuse_connection(), src/backend.c). safe: only requests after the first of their client connection; aggressive: first requests too, over connections already reused once; always: first requests over any idle connection; never: each client connection keeps its own private server connections. Open-loop requests are each the first of their connection.',
    ),
  uptime: zDuration
    .optional()
    .describe(
      "HAProxy: how long it had run at the scenario's 0 (its start, when its first server's first check and its resolvers task ran: src/check.c start_checks(), src/resolvers.c). Sets the phase of the check tasks and of process_resolvers() (every timeout resolve, 1 s) in the shared timer tree (with timeout check); unset = the first checks at 0 (HAProxy's spread) and the resolvers task started with the first server's first check (its key stays locked to that server's), since a production HAProxy's start is unknown. Modelled on HAProxy 2.6: only HAProxy < 2.7 re-arms process_resolvers() every second with nothing to resolve (resolv_update_resolvers_timeout(); from commit fdecaf6ae, v2.7-dev10, a resolvers section with no resolution to do no longer wakes).",
    ),
  resolvers: z
    .enum(['default', 'none'])
    .optional()
    .describe(
      "HAProxy's implicit `resolvers default` section, made from /etc/resolv.conf's nameservers (resolvers_create_default(), src/resolvers.c): its task sits in the check tasks' timer tree every `timeout resolve` (1 s) in HAProxy < 2.7 (from fdecaf6ae, v2.7-dev10, resolv_update_resolvers_timeout() no longer re-arms it with nothing to resolve: set none to model 2.7+). none: a host without nameservers in resolv.conf (no such section). Unset = default.",
    ),
  pool_purge_delay: zDuration
    .optional()
    .describe(
      'L7 only: HAProxy pool-purge-delay (unset = 5s, doc/configuration.txt): every such interval the balancer closes about half of the idle server connections beyond its recent need (srv_cleanup_idle_conns(), src/server.c); 0 keeps no idle connection, so every request connects.',
    ),
  srvtcpka: z
    .boolean()
    .optional()
    .describe(
      "lb.mode l4 or l7 (unset = false): HAProxy `option srvtcpka`: SO_KEEPALIVE on the balancer's server sockets (tcp_connect_server(), src/proto_tcp.c: `if (be->options & PR_O_TCP_SRV_KA) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, ...)`), with the balancer host's lb.kernel.tcp_keepalive_time / _intvl / _probes (srvtcpka-idle/-intvl/-cnt are not modelled). An IDLE WebSocket tunnel to a vanished server then ends when that socket gives up — keepalive_time after the server was last heard, then keepalive_probes × keepalive_intvl (net/dead-peer.ts idleKeepaliveGiveUpAt) — HAProxy reading the error on the server side and closing the stream, if that comes before the client's next ping, its pong timeout or the session's end. Streams with data or a FIN outstanding (a ping in flight, held streams) are left to tcp_retries2: the keep-alive timer does not probe while anything is unacknowledged. No effect at the default 7200 s on any built-in.",
    ),
  abortonclose: z
    .boolean()
    .optional()
    .describe(
      "lb.mode l4 or l7 (unset = false, HAProxy's default): HAProxy `option abortonclose`. Without it a request whose client gave up while the balancer's connect was under way (its SYNs dropped by a full accept queue and retransmitted, `timeout connect` retried `retries` times) is still connected and served, its answer going nowhere (doc/configuration.txt \"option abortonclose\": \"aborted requests will be served\"; src/http_ana.c http_end_request(): channel_dont_read() without PR_O_ABRT_CLOSE, so the client's close is not read; src/stream.c process_stream() forwards a client's close during SC_ST_CON only with PR_O_ABRT_CLOSE; src/backend.c back_handle_st_con()/back_handle_st_cer() abort only on CF_SHUTW_NOW). With it such a connect is given up at the client's close. lb.mode l7: without the option a stream whose client left keeps counting on its server (active_conn, leastconn, maxconn, shutdown-sessions) until it ends, as HAProxy's srv->served (sess_change_server(), src/stream.c); with it the stream ends at the client's close. A connection the server acknowledged (its final ACK dropped by the full queue) is served either way. lb.mode l7 with lb.maxconn: a request waiting in HAProxy's queue whose client left stays queued without the option and is sent at its turn (or answered 503 at `timeout queue`), for nobody (\"a useless request in the queue [...] will eventually be served\"; src/backend.c back_may_abort_req() aborts a queued stream only with PR_O_ABRT_CLOSE, its request being still in the channel); with it the stream leaves the queue at the client's close (back_try_conn_req() in SC_ST_QUE: pendconn_cond_unlink()). Through lb.mode nat the SYN is the client's own and ends with its close. Where it takes effect on HAProxy 2.6.12: in `defaults` (the frontend and the backend both inherit it) or a `listen`; a frontend's own line is ignored (a backend option), and a backend-only one is ignored for an HTTP/1 request received whole (src/stconn.c sc_conn_recv() asks the H1 mux to keep reading only when the frontend has it), so such a setup is false. A backend-only option works from upstream 5ff7d2276 (haproxy/haproxy#2344), first released in 2.9.0. `drainsim import` writes it so.",
    ),
  retry_on_empty_response: z
    .boolean()
    .optional()
    .describe(
      'L7 only (unset = false): HAProxy `retry-on conn-failure empty-response`: a request whose server connection closed (FIN) or was reset (RST) with nothing received — a crashed server, an idle connection closed under it — is sent again, to another server when `redispatch` allows (do_l7_retry() from http_wait_for_response(), src/http_ana.c: PR_RE_DISCONNECTED; the reset since HAProxy 2.6.10, "Do a L7 retry on read error if there is no response"), instead of HAProxy\'s 502 or silent close; likewise a request waiting for its response on a server whose streams `shutdown-sessions` shut (http_wait_for_response() tries do_l7_retry() before the keep-alive abort and the 502). Shares `retries` with connection retries: each L7 retry needs one left (2.6.10: "Don\'t increment conn_retries counter before the L7 retry"), so `retries: 1` allows one. Only for requests that are safe to replay (doc/configuration.txt retry-on).',
    ),
  server_rtt: zDuration
    .optional()
    .describe(
      "L7 only (unset = 0): round trip between the balancer and its servers, for the keep-alive race on its server connections only (requests otherwise reach a server at once). A server's close of an idle connection (app.keepalive_timeout on a bare app server, nginx's keepalive_timeout) reaches HAProxy half a round trip later: until then HAProxy may take that connection from its pool (it drops an idle connection when it reads the FIN: h1 idle connections stay subscribed for reads, src/mux_h1.c), and a request that reaches the server after its close meets a closed socket, which the server's kernel resets. HAProxy answers that as any server connection failing before its response: a silent close for a later request of its client connection, else its own 502 (http_wait_for_response(), src/http_ana.c).",
    ),
  hard_stop_after: zDurationOrInfinite
    .optional()
    .describe(
      'HAProxy global hard-stop-after (no default; unset or 0 = none): this long after a reload (`lb_reload`) the old process shuts every stream it still holds (hard_stop(), src/proxy.c), each client reads a FIN; without it the old process lives as long as its longest stream.',
    ),
  tls_ticket_keys: z
    .boolean()
    .optional()
    .describe(
      "HAProxy bind `tls-ticket-keys <keyfile>` (unset = false, none), for TLS ending at the balancer (`app.tls.terminates: lb` with `lb.nbthread`): the balancer seals its session tickets with the file's keys, which a reload loads again (doc/configuration.txt tls-ticket-keys: rotate by appending a key and reloading), so tickets issued before an `lb_reload` still resume after it. Without it HAProxy installs no ticket-key callback (ssl_sock_prepare_ctx, src/ssl_sock.c: SSL_CTX_set_tlsext_ticket_key_evp_cb only when bind_conf->keys_ref) and OpenSSL seals the tickets with keys made at random in SSL_CTX_new; a master-worker reload starts a new process with new SSL_CTXs, so every ticket issued before it gets a full handshake. Nothing changes without a reload.",
    ),
  maxconn: int(0, 1_000_000)
    .optional()
    .describe(
      'HAProxy server maxconn, the same for every server (no default: unset or 0 = no limit): lb.mode l4 sends no more concurrent connections to a server, lb.mode l7 no more concurrent requests (streams; a WebSocket tunnel is one); beyond it they wait in the backend queue (src/queue.c) for a slot, or timeout_queue.',
    ),
  frontend_maxconn: int(0, 1_000_000)
    .optional()
    .describe(
      "lb.mode l4 or l7: the balancer's own limit on its client connections, HAProxy's frontend `maxconn` (or `defaults`'s) and global `maxconn`, whichever is smaller (unset or 0 = no limit, as before the key existed; without either line HAProxy 2.6 takes global maxconn from the fd limit, src/haproxy.c compute_ideal_maxconn(), and the frontend's from it, src/proxy.c). At the limit HAProxy stops accepting (src/listener.c listener_accept(): `p->feconn >= p->maxconn` → limit_listener()) until one of its sessions is freed (session_free() → listener_release() → resume_listener(), dequeue_proxy_listeners()): a client connection's close, or in l7, when its client closed under a stream that goes on (no lb.abortonclose), that stream's end (src/mux_h1.c keeps the front connection while a stream is attached); further connections complete their handshake into its listening socket's accept queue, min(frontend_backlog, lb.kernel.somaxconn) + 1 of them, their requests written and unread, and SYNs beyond it are dropped and retransmitted on the clients' kernel schedule (clients.kernel tcp_syn_retries, ETIMEDOUT at the give-up). Counts keep-alive and WebSocket clients' connections (open-loop requests have none). Recorded: calibration/data/haproxy-frontend-maxconn-http.json, -close.json, -close-abort.json.",
    ),
  frontend_backlog: int(1, 1_000_000)
    .optional()
    .describe(
      "HAProxy `backlog` (frontend or defaults; unset: the frontend's maxconn, lb.frontend_maxconn: listener_backlog(), src/listener.c): the listen(2) backlog of the balancer's listening socket, capped by lb.kernel.somaxconn. Only matters with lb.frontend_maxconn.",
    ),
  maxqueue: int(0, 1_000_000)
    .optional()
    .describe(
      "HAProxy server maxqueue, the same for every server (default 0 = no limit; needs maxconn): at most this many streams wait in a server's own queue. A cookie user's request whose server is full and whose queue is at maxqueue is load-balanced again with `redispatch` (its cookie dropped), else answered 503 (assign_server_and_queue() SRV_STATUS_FULL, srv_redispatch_connect(), src/backend.c); with balance leastconn a server is picked while served + queued < maxconn + maxqueue, its queue taking the excess (fwlc_get_next_server(), src/lb_fwlc.c).",
    ),
  persist: z
    .boolean()
    .optional()
    .describe(
      "HAProxy option persist (unset = off, HAProxy's default; needs sticky: cookie or source): a request whose cookie or stick-table entry names a DOWN (or maint) server is still sent there (http_manage_client_side_cookies(), src/http_ana.c, and sticking_rule_find_target(), src/stream.c: SF_DIRECT despite SRV_ST_STOPPED); with redispatch a failed connect then goes elsewhere (stream_choose_redispatch()), and a DOWN, drained or maint server keeps its queue (pendconn_redistribute(), v2.6.0 src/queue.c; HAProxy 3.1 hands a maint server's queue back anyway, 1385e33eb).",
    ),
  timeout_queue: zDurationOrInfinite
    .optional()
    .describe(
      "HAProxy timeout queue: how long a connection (l4) or request (l7) waits for a server slot; unset = connect_timeout (src/cfgparse.c; with connect_timeout infinite, no limit). Expired: l4 closes the client (EOF), l7 answers 503 and closes the client connection (termination sQ); a WebSocket upgrade gets the 503 too. When the last server leaves load balancing the backend queue's streams still wait for it (HAProxy 2.6.12 as recorded: pendconn_redistribute() leaves the backend queue and process_srv_queue() takes from it only for a usable server; HAProxy 3.1 answers them at once, 53f52e67a).",
    ),
  timeout_client: zDurationOrInfinite
    .optional()
    .describe(
      "HAProxy timeout client (no default: unset = none, HAProxy warns 'missing timeouts'): inactivity timeout of the client side; lb.mode l4 closes an idle connection after it, lb.mode l7 an idle keep-alive client connection when http_keep_alive_timeout is unset; with timeout_server it also bounds an idle tunnel when timeout_tunnel is unset.",
    ),
  timeout_server: zDurationOrInfinite
    .optional()
    .describe(
      'HAProxy timeout server (no default: unset = none): inactivity timeout of the server side; the smaller of client and server ends an idle connection (l4) or tunnel; lb.mode l7 answers 504 to a request whose server has not answered within it (src/http_ana.c http_wait_for_response()).',
    ),
  timeout_tunnel: zDurationOrInfinite
    .optional()
    .describe(
      'HAProxy timeout tunnel (no default): replaces timeout client and server once no analyser is left — in mode tcp as soon as the server connection is up, in mode http (l7) once a WebSocket is upgraded (process_stream(), src/stream.c); an idle tunnel (client pings rarer than it) is closed by the balancer.',
    ),
  timeout_client_fin: zDurationOrInfinite
    .optional()
    .describe(
      "HAProxy timeout client-fin (no default: unset = the client side keeps its ordinary timeout, timeout_tunnel in a tunnel, else timeout_client): the client side's inactivity timeout once the server's FIN has been passed on to the client (sc_app_shutw() / sc_app_shutw_conn(), src/stconn.c: `ic->rto = sc->hcto`, hcto = fe timeout.clientfin, stream_new(); in a tunnel process_stream(), src/stream.c: `req->rto = clientfin` when res CF_SHUTW). A client that keeps its side open after that EOF is ended this long after it (log cD) and is not told. HAProxy v2.6.0.",
    ),
  timeout_server_fin: zDurationOrInfinite
    .optional()
    .describe(
      "HAProxy timeout server-fin (no default: unset = the server side keeps its ordinary timeout, timeout_tunnel in a tunnel, else timeout_server): the server side's inactivity timeout once the client's FIN has been passed on to the server, counted from that FIN (stream_set_backend(), src/proxy.c: `scb->hcto = be->timeout.serverfin`; sc_app_shutw_conn(), src/stconn.c; process_stream(), src/stream.c: `res->rto = serverfin` when req CF_SHUTW). lb.mode l4: a stream whose client closed while its server is silent (a vanished host) ends this long after the FIN instead of timeout_tunnel / timeout_server after the last exchange. HAProxy v2.6.0.",
    ),
  nat_idle_timeout: zDurationOrInfinite
    // `0s` is no timeout as `0` is: a table that forgot every flow at its next packet is no setting any NAT has.
    .transform((t) => (t === 0 ? Infinity : t))
    .optional()
    .describe(
      "lb.mode nat only: the connection-tracking idle timeout after which the NAT forgets an idle flow and answers its next packet with RST. Unset = 350s (AWS NLB TCP idle timeout, documented); IPVS uses 900s (`ipvsadm --set`, IP_VS_TCP_S_ESTABLISHED 15 min); 0 or 0s = never. One timeout for every TCP state: the real tables time a half-closed flow apart (IPVS FIN_WAIT 120 s and CLOSE_WAIT 60 s, net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_timeouts; conntrack's nf_conntrack_tcp_timeout_close_wait 60 s, fin_wait 120 s), which the model does not.",
    ),
  nat_scheduler: z
    .enum(['random', 'rr'])
    .optional()
    .describe(
      "lb.mode nat with balance roundrobin only: how the NAT picks a new flow's endpoint (unset = random). random: a uniform draw over the usable endpoints (each weight unit one share), independent of earlier flows — kube-proxy's iptables mode (writeServiceToEndpointRules(), kubernetes pkg/proxy/iptables/proxier.go: one `-m statistic --mode random --probability 1/(n-i)` rule per endpoint) and AWS NLB (a flow hash of the connection's 5-tuple: a new source port lands anywhere); 300 connections over 3 pods come out near, not exactly, 100 each. rr: IPVS's round robin (kube-proxy --proxy-mode ipvs, whose --ipvs-scheduler defaults to rr): endpoints in turn, exact shares. IPVS rr itself ignores weights (kube-proxy gives every endpoint weight 1); with unequal backend weights this is IPVS wrr (weights smoothly interleaved).",
    ),
  nat_unhealthy_termination: z
    .boolean()
    .optional()
    .describe(
      'lb.mode nat with a health_check (an AWS NLB target group) only: when a target\'s checks mark it DOWN, its flows are answered with RST at their next packet, from either side (unset = true: the target group attribute target_health_state.unhealthy.connection_termination.enabled, default true; NLB docs, target-group-health-checks: "If a target becomes unhealthy, the load balancer sends a TCP RST for packets received on the client connections associated with the target, unless the unhealthy target triggers the load balancer to fail open"). false: the flows carry on to the DOWN target. Either way, when no target is healthy the NAT fails open: new flows go to every target, whatever its health, and the last target\'s DOWN resets nothing. Kubernetes readiness (kube-proxy) is not a health check: a pod leaving the endpoints keeps its conntrack flows.',
    ),
  kernel: KernelSchema.prefault({}).describe(
    "Kernel settings of the balancer's own machine (Linux defaults). In lb.mode l4 it connects to each backend from its own ephemeral ports (ip_local_port_range per backend), holds TIME_WAIT when the client closed first, and tcp_tw_reuse applies to it; lb.mode nat has no such host.",
  ),
});

const BackendOverrides = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -'),
  weight: int(0, L.MAX_WEIGHT).prefault(1),
  state: z.enum(['bound', 'draining', 'detached', 'ready', 'drain', 'maint']).prefault('bound'),
  proxy: z
    .enum(['nginx', 'none'])
    .optional()
    .describe(
      "What listens on the VM for the balancer (unset = nginx): `nginx` in front of the app, or `none`, a bare app server (node, gunicorn, a JVM server) that the balancer reaches on the app's own listener — its connects and health checks meet `app.backlog`, its idle server connections end at the app's keep-alive idle timeout `app.keepalive_timeout` (node 20–25: keepAliveTimeout 5 s + 1 s, node ≥ 26: 65 s + 1 s; required, written scenario-wide or in the backend's own `app`, since no default fits every app), SIGTERM closes the app's listener and idle connections (gunicorn's idle ones: at their keep-alive timeout, and its gthread worker's listener only at its exit: `app.sigterm_keepalive: gunicorn`), and a request whose server connection closes before any response is HAProxy's to answer (502, or a silent close of a keep-alive request: http_wait_for_response(), src/http_ana.c). WebSocket clients' upgrades ride HAProxy's connection to the app and are tunnelled from there (no nginx proxy_read_timeout: HAProxy's tunnel timeout and the app's own ping, drain notice and close-on-shutdown act on them). Behind lb.mode l4 or nat the client's own connection (relayed by HAProxy mode tcp, or NATed) reaches the app's listener: the app's keep-alive idle timeout closes it (FIN at the client), a killed app's FIN or RST reaches the client, a closed listener refuses its connects (retried and redispatched by an l4 balancer). nginx settings, nginx events and `app.tls.terminates: nginx` are refused for it.",
    ),
  nginx: overrideOf(NginxSchema).optional(),
  app: overrideOf(AppSchema).optional(),
  kernel: overrideOf(KernelSchema).optional(),
});

const At = z
  .string()
  .regex(
    /^(\d{1,2}:\d{2}(:\d{2})?|[-+]?\s*[0-9.]+\s*[a-z]+.*)$/,
    'a duration since start such as 2m, or a wall-clock time such as 14:02',
  )
  .superRefine(readable(checkAt))
  .describe('When: a duration since start (`2m`) or a wall-clock time (`14:02` / `14:02:30`).');

const GateSchema = z.strictObject({
  threshold: int(0).prefault(10).describe('Drain is complete when new == 0 && active < threshold.'),
  max_wait: zDuration.prefault('30m').describe('Longest wait for the gate before the forced stage.'),
  poll: zDurationAtLeast(L.MIN_GATE_POLL_S, 'a deploy script polls the LB stats a few times a second at most').prefault(
    '10s',
  ),
  on_timeout: z
    .enum(['force', 'abort'])
    .prefault('force')
    .describe('force: terminate anyway; abort: leave the backend draining.'),
});

/**
 * A refinement from a parser of the units module: its UnitError becomes the issue, so a value
 * the simulation would fail to read is an error at validation, with its path and line.
 */
function readable(parse: (text: string) => unknown) {
  return (text: string, ctx: z.core.$RefinementCtx<string>): void => {
    try {
      parse(text);
    } catch (e) {
      if (!(e instanceof UnitError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message, input: text, params: { expected: e.expected } });
    }
  };
}

const CLOCK_AT = /^\s*\d{1,2}:\d{2}(:\d{2})?\s*$/;

/** A timeline `at:` as sim-time.ts will read it: a valid clock time, or a duration of 0 … 365 days. */
function checkAt(at: string): void {
  if (CLOCK_AT.test(at)) parseClock(at);
  else parseBoundedDuration(at);
}

/** An HAProxy check interval or timeout: more than 0 (see limits.ts). */
function checkInterval() {
  return zDurationAtLeast(
    L.MIN_CHECK_INTERVAL_S,
    'HAProxy rejects a delay of 0 and keeps check timers in milliseconds',
  );
}

// A whole percentage, as the Deployment API takes it (IntOrString: "25%"; a fraction such as "12.5%"
// is refused by pkg/apis/apps/validation ValidatePositiveIntOrPercent → GetIntOrPercentValue's Atoi).
const IntOrPercent = z.union([
  int(0),
  z.string().regex(/^\d+%$/, 'a count such as 1 or a whole percentage such as 25%'),
]);

const TerminateMode = z
  .enum(['graceful', 'kill', 'vanish'])
  .describe('graceful: SIGTERM; kill: kill -9; vanish: the host disappears (no FIN, no RST).');

export const ActionSchema = z.discriminatedUnion('do', [
  z.strictObject({ at: At, do: z.literal('bind'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('unbind'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('drain'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('remove'), backend: z.string() }),
  z
    .strictObject({
      at: At,
      do: z.literal('set_server'),
      backend: z.string(),
      state: z.enum(['ready', 'drain', 'maint']),
    })
    .describe(
      'HAProxy runtime API `set server be/<backend> state ready|drain|maint`: drain keeps established streams and cookie users, maint keeps established streams only.',
    ),
  z
    .strictObject({ at: At, do: z.literal('lb_reload') })
    .describe(
      'Reload the L4/L7 proxy (HAProxy master-worker reload): the new process takes new connections, the old one keeps its streams until they end or lb.hard_stop_after.',
    ),
  z
    .strictObject({ at: At, do: z.literal('shutdown_sessions'), backend: z.string() })
    .describe(
      'HAProxy runtime API `shutdown sessions server be/<backend>`: every stream on it ends now, the client reads a FIN.',
    ),
  z.strictObject({ at: At, do: z.literal('terminate'), backend: z.string(), mode: TerminateMode.prefault('graceful') }),
  z.strictObject({
    at: At,
    do: z.literal('deploy'),
    backend: z.string(),
    gate: GateSchema.prefault({}),
    terminate: TerminateMode.prefault('graceful'),
    rebind_after: zDurationOrInfinite
      .prefault('0')
      .describe('Bind the new version this long after terminate (0 = never).'),
  }),
  z
    .strictObject({
      at: At,
      do: z.literal('rolling_deploy'),
      backends: z
        .array(z.string())
        .optional()
        .describe('VMs to redeploy, in order; default every backend bound when the action fires.'),
      parallel: int(1)
        .prefault(1)
        .describe('VMs drained and redeployed at a time (a batch; max_unavailable of a VM fleet).'),
      gate: GateSchema.prefault({}).describe('The drain gate of each VM; max_wait is the drain timeout of a step.'),
      terminate: TerminateMode.prefault('graceful'),
      restart_time: zDuration.prefault('30s').describe('From terminate to the new version serving (bound again).'),
      pause_between: zDuration
        .prefault('0s')
        .describe('Wait after a batch serves again before the next batch starts draining.'),
    })
    .describe(
      'A rolling deploy of VMs: batches of `parallel` go through deploy (unbind → drain hook → gate → terminate → restart → bind); each batch starts when the previous one serves again. A gate timeout with on_timeout: abort stops the rollout.',
    ),
  z
    .strictObject({ at: At, do: z.literal('set'), backend: z.string().optional(), nginx: overrideOf(NginxSchema) })
    .describe('Change nginx settings: applied the real way, by `nginx -s reload` (a new worker generation).'),
  z
    .strictObject({
      at: At,
      do: z.literal('nginx_reload'),
      backend: z.string().optional(),
      nginx: overrideOf(NginxSchema).optional(),
    })
    .describe(
      '`nginx -s reload` (optionally with changed settings): a new worker generation joins the listening socket; older ones get QUIT 100 ms later (until then they take the new connections with worker_processes > 1; with 1 the new worker is woken first) and stay while their tunnels do.',
    ),
  z
    .strictObject({ at: At, do: z.literal('nginx_quit'), backend: z.string() })
    .describe(
      '`nginx -s quit` only (the app keeps running): listeners close (new connects refused), idle keep-alive closed, tunnels kept until they end or worker_shutdown_timeout.',
    ),
  z
    .strictObject({ at: At, do: z.literal('nginx_stop'), backend: z.string() })
    .describe(
      '`nginx -s stop` only (the app keeps running): the workers exit at once, the kernel closes every client connection and tunnel (FIN: EOF, a WebSocket sees 1006), requests in flight are cut, new connects refused.',
    ),
  z.strictObject({
    at: At,
    do: z.literal('load'),
    http_rate: rate().optional().describe('New arrival rate of HTTP connections per second.'),
    http_think_time: zDistribution('duration')
      .optional()
      .describe(
        'The think time every keep-alive client draws from now on (clients.http.think_time until then); a client already thinking keeps its draw. With http_rate, a second population with its own think time: e.g. idle clients (think 1h) already in, then a busy burst.',
      ),
    ws_rate: rate().optional(),
    request_rate: rate().optional().describe('New open-loop request rate per second.'),
  }),
  z.strictObject({ at: At, do: z.literal('note'), text: z.string() }),
  z.strictObject({
    at: At,
    do: z.literal('rollout'),
    pods: z
      .array(z.string())
      .optional()
      .describe(
        "Pods (backends) of the Deployment to replace; default all. The old ones go in the ReplicaSet controller's order (pkg/controller/controller_utils.go ActivePodsWithRanks: not Ready first, then Ready most recently, then most restarts, then created most recently; ties in the listed order).",
      ),
    termination_grace_period: zDuration
      .prefault('30s')
      .describe(
        'terminationGracePeriodSeconds, default 30 (includes preStop); then SIGKILL. At least 1 s: 0 has the API server delete the pod at once (not modelled).',
      ),
    prestop_sleep: zDuration.prefault('0s').describe('A preStop hook that sleeps before SIGTERM (none by default).'),
    endpoint_propagation: zDistribution('duration')
      .prefault('uniform(1s, 5s)')
      .describe(
        'Delay until the load balancer stops sending new connections to a terminating pod (environment-dependent: EndpointSlice → kube-proxy sync).',
      ),
    min_ready_seconds: zDuration
      .prefault('0s')
      .describe(
        'Deployment minReadySeconds (default 0): a new pod counts as available, and lets the next old pod go, once it has been Ready this long without a break (pkg/api/v1/pod/util.go IsPodAvailable).',
      ),
    max_surge: IntOrPercent.prefault('25%').describe(
      'Deployment maxSurge (default 25%, rounded up): new pods beyond the replicas. Surge pods need spare backends (not bound, not in `pods`).',
    ),
    max_unavailable: IntOrPercent.prefault('25%').describe(
      'Deployment maxUnavailable (default 25%, rounded down; 1 if both come out 0).',
    ),
    crash_after: zDurationOrInfinite
      .optional()
      .describe(
        "The new version's `app.crash_after` (absent: the backend's, unchanged). `0` is a release that does not crash: rolling a crash-looping release back (`kubectl rollout undo`).",
      ),
  }),
  z.strictObject({
    at: At,
    do: z.literal('pause'),
    backend: z.string(),
    duration: zDuration.describe('A stop-the-world pause (JVM full GC, CPU starvation).'),
  }),
  z
    .strictObject({ at: At, do: z.literal('health_404'), backend: z.string() })
    .describe(
      "An operator's maintenance file on the backend (`touch`): its app's health endpoint answers 404 from now on, everything else as before. With health_check.disable_on_404 HAProxy takes the server out of load balancing (NOLB) at its next check; without it the 404 is a failed check (DOWN after `fall`); a Kubernetes HTTP probe fails on it (statuscode 404). The app has one health endpoint: every HTTP check answers 404, HAProxy's and the kubelet's readiness, liveness and startup probes alike, so a liveness probe on it restarts the container — whose fresh writable layer has no maintenance file (an app restart on a VM keeps it). The app's own 503s (a full queue, a dependency down) read as 404 while the file exists.",
    ),
  z
    .strictObject({ at: At, do: z.literal('health_200'), backend: z.string() })
    .describe(
      "The maintenance file removed: the backend's health endpoint answers 200 again (HAProxy puts a NOLB server back UP at its next check).",
    ),
  z.strictObject({
    at: At,
    do: z.literal('dependency'),
    backend: z
      .string()
      .optional()
      .describe("One backend's view (a dead connection pool) or, when absent, the shared database."),
    state: z.enum(['up', 'down', 'slow']),
  }),
]);

export const ScenarioSchema = z
  .strictObject({
    name: z.string().optional(),
    description: z.string().prefault(''),
    source: z
      .string()
      .optional()
      .describe(
        'The article, post-mortem or documentation this scenario replays (a title or an https URL); reports name it.',
      ),
    shows: z
      .enum(['failure', 'fix', 'baseline'])
      .optional()
      .describe(
        'What the scenario demonstrates: a failure (its expectations assert that the failure happens), the fix of one, or a baseline. Reports say "demonstrates a failure" instead of a green "passed".',
      ),
    extends: z.string().optional().describe('A built-in scenario name or a path to a base file.'),
    seed: int(0, L.MAX_SEED).prefault(1),
    start: z
      .string()
      .regex(/^\d{1,2}:\d{2}(:\d{2})?$/, 'HH:MM or HH:MM:SS')
      .superRefine(readable(parseClock))
      .prefault('00:00:00')
      .describe('Wall-clock time of simulated t=0, used in logs.'),
    warmup: zDuration.prefault('0s').describe('Simulated time before t=0 that builds steady state; not recorded.'),
    horizon: zDurationAtLeast(0.001, 'a run records some time')
      .prefault('5m')
      .describe('Simulated time recorded after t=0.'),
    sample_interval: zDurationAtLeast(
      L.MIN_SAMPLE_INTERVAL_S,
      "the model's delays are milliseconds and every sample is a timeline row per backend, so finer samples add memory, not information",
    ).prefault('1s'),
    kernel: KernelSchema.prefault({}),
    nginx: NginxSchema.prefault({}),
    app: AppSchema.prefault({}),
    lb: LbSchema.prefault({}),
    clients: ClientsSchema.prefault({}),
    health_check: CheckSchema.optional().describe(
      'LB health checks (absent: none, every backend is always in service).',
    ),
    kubelet: z
      .strictObject({
        endpoint_propagation: zDistribution('duration')
          .prefault('uniform(1s, 5s)')
          .describe(
            "Delay until a pod status change (NotReady after a crash, a readiness probe failing or passing, Ready after a restart, a rollout's new pod Ready) reaches the load balancer: status sync → EndpointSlice → kube-proxy.",
          ),
        termination_grace_period: zDuration
          .prefault('30s')
          .describe(
            "The pod's terminationGracePeriodSeconds (default 30) for the kubelet's own kills: a container that fails its liveness or startup probe runs its preStop hook, gets SIGTERM, finishes what it holds, and is killed with SIGKILL if it still runs this long after the kill began, preStop included (kuberuntime_container.go killContainer). A rollout has its own, which its new pods keep.",
          ),
        prestop_sleep: zDuration
          .prefault('0s')
          .describe(
            "The pod's preStop hook (a sleep; none by default), run by every kill of the kubelet's own: a container that fails its liveness or startup probe keeps serving while it runs, then gets SIGTERM with what is left of the grace period, at least 2 s (kuberuntime_container.go killContainer → executePreStopHook). A rollout has its own `prestop_sleep`, which its new pods keep.",
          ),
      })
      .prefault({}),
    kubernetes: z
      .strictObject({
        nginx_stop_signal: z
          .enum(['quit', 'term'])
          .prefault('quit')
          .describe(
            "The stop signal a deleted pod's nginx container gets: with the app's SIGTERM, after the same preStop sleep (`prestop_sleep` applies to each container), as the kubelet stops every container of the pod in parallel (kuberuntime_container.go killContainersWithSyncResult → killContainer → StopContainer, which sends the image's STOPSIGNAL; SIGKILL at the grace period's end). `quit` (default): the official nginx image's `STOPSIGNAL SIGQUIT` (nginxinc/docker-nginx mainline/debian/Dockerfile, since commit 3fb70dd, image 1.19.5) — nginx's graceful quit: its listener closes at once (connections still sent to the pod are refused), idle keep-alive connections close, the requests it holds are answered and it exits with the last. `term`: an image that stops nginx with SIGTERM (the official images before 1.19.5, or a custom one) — nginx's fast stop: the listener and every connection close at once, requests in flight get EOF without a response, WebSocket clients see 1006.",
          ),
        deleted_pod_ip: z
          .enum(['drop', 'unreachable'])
          .prefault('drop')
          .describe(
            "What a connection sent to a deleted pod's address meets once the kubelet has stopped its sandbox (StopPodSandbox: the CNI releases the IP) and before the endpoint's removal reaches the load balancer. `drop` (default): nothing answers, the SYNs are retransmitted until the connect times out (ETIMEDOUT) — a routed CNI, whose node drops packets to a released address (Calico's blackhole route for its IP block, cloud VPC CNIs such as the AWS VPC CNI or GKE's). `unreachable`: a bridge CNI (flannel and the bridge plugin, kindnet), whose node keeps the pod subnet on its bridge and ARPs for the gone address: nobody answers, and after 3 s (3 broadcast ARP requests 1 s apart: net/ipv4/arp.c arp_tbl mcast_solicit 3, retrans_time 1 s; net/core/neighbour.c __neigh_event_send starts the count at ucast_solicit, neigh_timer_handler fails the entry at neigh_max_probes) it answers every SYN queued meanwhile with ICMP host unreachable, which fails connect() with EHOSTUNREACH, 113 \"No route to host\" (net/ipv4/tcp_ipv4.c tcp_v4_err: a hard error in SYN_SENT) — the balancer's own connect (HAProxy retries it like a refusal) or, behind a NAT (kube-proxy), the client's. Connects to that address while a resolution is under way join it and fail with it.",
          ),
      })
      .prefault({})
      .describe('Kubernetes cluster networking.'),
    probes: z
      .strictObject({
        readiness: ProbeSchema.optional(),
        liveness: ProbeSchema.optional(),
        startup: ProbeSchema.optional().describe(
          'startupProbe: liveness and readiness are not run until it succeeds (pkg/kubelet/prober/worker.go); it passes once the app listens, and after failure_threshold × period without success the kubelet kills the container (restarted with CrashLoopBackOff). Its success_threshold is 1, as the API requires.',
        ),
      })
      .prefault({})
      .describe(
        'Kubernetes probes: readiness removes the pod from endpoints, liveness restarts it, startup holds both back while the app starts.',
      ),
    backends: z
      .array(BackendOverrides)
      .min(1)
      .max(MAX_BACKENDS)
      .prefault([{ name: 'vm-a' }, { name: 'vm-b' }])
      .describe(`The VMs behind the balancer, at most ${MAX_BACKENDS} (the largest count the model is tested with).`),
    timeline: z.array(ActionSchema).prefault([]),
    expect: z
      .array(z.string().max(L.MAX_EXPECT_LENGTH, `an assertion is at most ${L.MAX_EXPECT_LENGTH} characters`))
      .prefault([])
      .describe('Assertions checked after the run; see the README.'),
  })
  .superRefine((s, ctx) => {
    checkProbeFields(s.probes, ctx);
    checkKubernetesSeconds(s, ctx);
    if (s.probes.readiness?.termination_grace_period !== undefined) {
      // The API server rejects it (pkg/apis/core/validation/validation.go: "must not be set for
      // readinessProbes"): a readiness failure kills nothing.
      ctx.addIssue({
        code: 'custom',
        path: ['probes', 'readiness', 'termination_grace_period'],
        message: 'only a liveness or startup probe has one — a failed readiness probe kills nothing',
      });
    }
    for (const key of ['http_keep_alive_timeout', 'http_request_timeout'] as const) {
      // Only a balancer that terminates HTTP has client connections of its own to keep alive.
      if (s.lb.mode === 'l7' || s.lb[key] === undefined || s.lb[key] === Infinity) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['lb', key],
        message: `needs lb.mode: l7 — an ${s.lb.mode} balancer forwards the client's connection to nginx, whose keepalive_timeout decides`,
      });
    }
    for (const key of ['http_reuse', 'pool_purge_delay', 'server_rtt', 'retry_on_empty_response'] as const) {
      // Only a balancer that terminates HTTP balances requests over server connections of its own.
      if (s.lb[key] === undefined || s.lb.mode === 'l7') continue;
      ctx.addIssue({
        code: 'custom',
        path: ['lb', key],
        message: `needs lb.mode: l7 — an ${s.lb.mode} balancer opens one server connection per client connection (or none: nat) and reuses nothing`,
      });
    }
    const ws = s.clients.ws;
    const wsMean = ws.lifetime.mean();
    if (ws.start === 'steady' && ws.initial_sessions > 0 && !(Number.isFinite(wsMean) && wsMean > 0)) {
      // A population with an infinite mean lifetime never reaches a steady state: it only ages.
      // One whose sessions last no time has no population at all: the stationary age density
      // S(a)/E[L] is undefined when E[L] = 0.
      ctx.addIssue({
        code: 'custom',
        path: ['clients', 'ws', 'start'],
        message: Number.isFinite(wsMean)
          ? `a steady start needs sessions that last some time; ${ws.lifetime.spec} has mean 0s — use start: cold, or a lifetime with a positive mean`
          : `a steady start needs a lifetime with a finite mean; ${ws.lifetime.spec} has none — use start: cold, or a distribution with a finite mean`,
      });
    }
    if ((s.lb.maxqueue ?? 0) > 0 && !((s.lb.maxconn ?? 0) > 0) && s.lb.mode !== 'nat') {
      // A server queue exists only under maxconn (assign_server_and_queue(), src/backend.c).
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'maxqueue'],
        message: 'needs lb.maxconn — a server queue holds only streams beyond maxconn; without it no stream ever waits',
      });
    }
    if (s.lb.nbthread !== undefined && s.lb.mode !== 'l4') {
      // Only the L4 proxy's request path passes the balancer's threads in the model.
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'nbthread'],
        message: `needs lb.mode: l4 — the balancer's threads are modelled for TLS ending at an L4 proxy (HAProxy mode tcp with bind … ssl)${s.lb.mode === 'nat' ? '; an L4 NAT forwards packets and ends no TLS' : ''}`,
      });
    }
    if (s.lb.persist && s.lb.sticky === 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'persist'],
        message:
          "needs sticky: cookie or source — option persist keeps a cookie's or a stick-table entry's server even when it is DOWN; without sticky there is no persistence",
      });
    }
    for (const key of [
      'timeout_client',
      'timeout_server',
      'timeout_tunnel',
      'timeout_client_fin',
      'timeout_server_fin',
      'timeout_queue',
      'maxconn',
      'maxqueue',
      'frontend_maxconn',
    ] as const) {
      // A proxy (HAProxy mode tcp or http) has them all; a NAT has no connection of its own.
      if (s.lb[key] === undefined || s.lb[key] === 0 || s.lb.mode !== 'nat') continue;
      ctx.addIssue({
        code: 'custom',
        path: ['lb', key],
        message:
          'needs a proxy (lb.mode: l4 or l7) — a NAT has no connections of its own; its idle flows end by lb.nat_idle_timeout',
      });
    }
    if (s.lb.nat_scheduler !== undefined && (s.lb.mode !== 'nat' || s.lb.balance !== 'roundrobin'))
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'nat_scheduler'],
        message:
          s.lb.mode !== 'nat'
            ? `needs lb.mode: nat — an ${s.lb.mode} proxy balances with lb.balance (HAProxy's algorithms)`
            : `needs lb.balance: roundrobin — the scheduler replaces the NAT's round robin, and lb.balance is ${s.lb.balance}`,
      });
    if (s.lb.nat_unhealthy_termination !== undefined && (s.lb.mode !== 'nat' || s.health_check === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'nat_unhealthy_termination'],
        message:
          s.lb.mode !== 'nat'
            ? `needs lb.mode: nat — an ${s.lb.mode} proxy ends a DOWN server's streams with health_check.on_marked_down`
            : 'needs a health_check — without checks no target is ever unhealthy (Kubernetes readiness leaves conntrack flows alone)',
      });
    if (s.lb.mode !== 'nat' && s.lb.nat_idle_timeout !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'nat_idle_timeout'],
        message: `needs lb.mode: nat — an ${s.lb.mode} proxy ends its own connections (HAProxy timeout client/server), it keeps no NAT table`,
      });
    }
    if (s.lb.mode === 'nat' && s.lb.srvtcpka === true)
      // SO_KEEPALIVE goes on a socket of the balancer's own: a NAT has none towards the server.
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'srvtcpka'],
        message: 'needs a proxy (lb.mode: l4 or l7) — lb.mode: nat forwards packets and has no server socket',
      });
    if (s.clients.requests.pool !== undefined && s.clients.requests.users < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['clients', 'requests', 'pool'],
        message: "needs clients.requests.users >= 1 — each user is one of the pool's connections",
      });
    if (s.lb.redispatch_interval !== -1 && !s.lb.redispatch && s.lb.mode !== 'nat')
      // cfg_parse_listen() sets redispatch_after only with the option itself (KWM_STD).
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'redispatch_interval'],
        message: 'needs lb.redispatch: true — the interval is an argument of HAProxy `option redispatch`',
      });
    else if (s.lb.retries > 0 && s.lb.redispatch_interval <= -(s.lb.retries + 1))
      // stream_choose_redispatch() takes conn_retries % (retries + 1 + interval): 0 or below names no
      // retry. With retries 0 nothing is retried and the interval is never read.
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'redispatch_interval'],
        message: `expected a number >= ${-s.lb.retries} with lb.retries ${s.lb.retries} — a negative interval counts back from the last retry (HAProxy takes retry % (retries + 1 + interval))`,
      });
    if (s.lb.random_draws !== undefined && s.lb.balance !== 'random')
      // The draws are an argument of `balance random(<draws>)` itself (backend_parse_balance(), src/backend.c):
      // no other algorithm reads them, so a set value would be silently ignored.
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'random_draws'],
        message: `needs lb.balance: random — the draws are the argument of HAProxy \`balance random(<draws>)\`, and lb.balance is ${s.lb.balance}`,
      });
    if (s.lb.mode === 'nat') {
      // A NAT forwards packets: it has no connection of its own to retry or redispatch, and sees no HTTP.
      for (const [key, on] of [
        ['retry_on_5xx', s.lb.retry_on_5xx],
        ['redispatch', s.lb.redispatch],
        ['redispatch_interval', s.lb.redispatch_interval !== -1],
        ['hard_stop_after', s.lb.hard_stop_after !== undefined],
        ['abortonclose', s.lb.abortonclose !== undefined],
      ] as const) {
        if (on)
          ctx.addIssue({
            code: 'custom',
            path: ['lb', key],
            message: `needs a proxy (lb.mode: l4 or l7) — lb.mode: nat forwards packets and never retries a connection`,
          });
      }
    }
    if (s.lb.mode === 'nat') {
      // What only a proxy's own process does: HAProxy's slowstart weight ramp (server_recalc_eweight(),
      // src/server.c) and closing a server's streams (srv_shutdown_streams(), from `on-marked-down
      // shutdown-sessions` or the runtime API's `shutdown sessions server`). IPVS/kube-proxy/NLB
      // keep a flow table, not streams; the model would otherwise apply a proxy's FIN to NAT flows.
      if (s.lb.slowstart > 0 && Number.isFinite(s.lb.slowstart))
        ctx.addIssue({
          code: 'custom',
          path: ['lb', 'slowstart'],
          message:
            'needs a proxy (lb.mode: l4 or l7) — HAProxy slowstart is a weight ramp of its own; lb.mode: nat has none',
        });
      if (s.health_check?.on_marked_down === 'shutdown-sessions')
        ctx.addIssue({
          code: 'custom',
          path: ['health_check', 'on_marked_down'],
          message:
            "shutdown-sessions needs a proxy (lb.mode: l4 or l7) — lb.mode: nat forwards packets and has no streams of its own to close (a DOWN target's flows are reset by the NAT itself, as an NLB does: lb.nat_unhealthy_termination)",
        });
    }
    if (s.health_check?.disable_on_404 && s.health_check.type !== 'http')
      // `http-check disable-on-404` reads the status line of an HTTP check's response (tcpcheck_eval_expect_http()).
      ctx.addIssue({
        code: 'custom',
        path: ['health_check', 'disable_on_404'],
        message: `needs health_check.type: http — HAProxy's http-check disable-on-404 reads the HTTP status of the check's response; a ${s.health_check.type} check reads none`,
      });
    if (s.lb.mode === 'l4' && s.lb.retry_on_5xx) {
      // HAProxy `retry-on` with status codes is an http-mode (L7) retry: do_l7_retry(), src/http_ana.c.
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'retry_on_5xx'],
        message: 'needs lb.mode: l7 — an l4 balancer forwards bytes and never reads the response status',
      });
    }
    if (s.lb.sticky === 'cookie' && s.lb.mode !== 'l7') {
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'sticky'],
        message: `cookie needs lb.mode: l7 — an ${s.lb.mode} balancer forwards bytes and cannot see cookies; use lb.mode: l7${s.lb.mode === 'l4' ? ', or sticky: source (a stick table on the client address)' : ''}`,
      });
    }
    if (s.lb.sticky === 'source' && s.lb.mode === 'nat') {
      // HAProxy's `stick on src` is a proxy's table; the NATs lb.mode nat stands for have affinities
      // of their own with other rules (an NLB stops sending to a deregistering target, sticky or
      // not: DeregisterTargets, Elastic Load Balancing API), not modelled.
      ctx.addIssue({
        code: 'custom',
        path: ['lb', 'sticky'],
        message:
          "source needs a proxy (lb.mode: l4 or l7) — sticky: source is HAProxy's stick table on the client address (stick on src); lb.mode: nat forwards packets and keeps no such table (kube-proxy's ClientIP affinity, IPVS persistence and NLB source_ip stickiness are not modelled)",
      });
    }
    checkBareBackends(s, ctx);
    checkAcceptModel(s, ctx);
    checkWorkerTimeout(s, ctx);
    checkDbPool(s, ctx);
    checkRolloutOverlap(s, ctx);
    const names = new Set<string>();
    s.backends.forEach((b, i) => {
      if (names.has(b.name))
        ctx.addIssue({ code: 'custom', path: ['backends', i, 'name'], message: `duplicate backend name '${b.name}'` });
      names.add(b.name);
    });
    s.timeline.forEach((a, i) => {
      if (a.do === 'rolling_deploy') {
        (a.backends ?? []).forEach((p, j) => {
          if (!names.has(p))
            ctx.addIssue({
              code: 'custom',
              path: ['timeline', i, 'backends', j],
              message: `unknown backend '${p}'; backends are ${[...names].join(', ')}`,
            });
        });
      }
      if (a.do === 'rollout') {
        (a.pods ?? []).forEach((p, j) => {
          if (!names.has(p))
            ctx.addIssue({
              code: 'custom',
              path: ['timeline', i, 'pods', j],
              message: `unknown backend '${p}'; backends are ${[...names].join(', ')}`,
            });
        });
      }
      if (a.do === 'shutdown_sessions' && s.lb.mode === 'nat') {
        ctx.addIssue({
          code: 'custom',
          path: ['timeline', i, 'do'],
          message:
            "shutdown_sessions needs a proxy (lb.mode: l4 or l7) — it is HAProxy's runtime `shutdown sessions server`; lb.mode: nat has no sessions to close",
        });
      }
      if (a.do === 'lb_reload' && s.lb.mode === 'nat') {
        ctx.addIssue({
          code: 'custom',
          path: ['timeline', i, 'do'],
          message:
            'lb_reload needs a proxy (lb.mode: l4 or l7) — lb.mode: nat is a kernel table with no process to reload',
        });
      }
      if ('backend' in a && a.backend !== undefined && !names.has(a.backend)) {
        ctx.addIssue({
          code: 'custom',
          path: ['timeline', i, 'backend'],
          message: `unknown backend '${a.backend}'; backends are ${[...names].join(', ')}`,
        });
      }
    });
  });

// What only the raw input shows (a key left unwritten, or written at its default): the loader's.
registerWrittenCheck(ScenarioSchema, writtenBareIssues);

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type KernelConfig = z.output<typeof KernelSchema>;
export type NginxConfig = z.output<typeof NginxSchema>;
export type AppConfig = z.output<typeof AppSchema>;
export type TlsConfig = z.output<typeof TlsSchema>;
export type HeapConfig = z.output<typeof HeapSchema>;
export type BackoffConfig = z.output<typeof BackoffSchema>;
export type Action = z.output<typeof ActionSchema>;
export type LbConfig = z.output<typeof LbSchema>;
export type CheckConfig = z.output<typeof CheckSchema>;
export type ProbeConfig = z.output<typeof ProbeSchema>;

/** A whole number of seconds, as the Kubernetes API's int64 terminationGracePeriodSeconds. */
function wholeSeconds(v: number, path: Array<string | number>, field: string, ctx: z.RefinementCtx): void {
  if (Number.isInteger(v)) return;
  ctx.addIssue({
    code: 'custom',
    path,
    message: `Kubernetes takes ${field} in whole seconds (found ${formatDuration(v)})`,
  });
}

/**
 * What the Kubernetes API refuses in grace periods and rollouts (review35 #4):
 * terminationGracePeriodSeconds is an int64 of seconds (pod, probe-level, the rollout's); a
 * RollingUpdate's maxUnavailable may not be 0 when maxSurge is 0 and may not exceed 100 %
 * (pkg/apis/apps/validation ValidateRollingUpdateDeployment, IsNotMoreThan100Percent).
 */
function checkKubernetesSeconds(
  s: {
    kubelet: { termination_grace_period: number };
    probes: Partial<Record<'readiness' | 'liveness' | 'startup', ProbeConfig | undefined>>;
    timeline: Array<z.output<typeof ActionSchema>>;
  },
  ctx: z.RefinementCtx,
): void {
  wholeSeconds(
    s.kubelet.termination_grace_period,
    ['kubelet', 'termination_grace_period'],
    'terminationGracePeriodSeconds',
    ctx,
  );
  for (const kind of ['liveness', 'startup'] as const) {
    const g = s.probes[kind]?.termination_grace_period;
    if (g !== undefined)
      wholeSeconds(g, ['probes', kind, 'termination_grace_period'], 'terminationGracePeriodSeconds', ctx);
  }
  s.timeline.forEach((a, i) => {
    if (a.do !== 'rollout') return;
    wholeSeconds(
      a.termination_grace_period,
      ['timeline', i, 'termination_grace_period'],
      'terminationGracePeriodSeconds',
      ctx,
    );
    // A rollout deletes its old pods through the API, and a grace period of 0 deletes the pod
    // object at once: pkg/registry/core/pod/strategy.go CheckGracefulDelete takes the pod's
    // terminationGracePeriodSeconds (0), rest/delete.go BeforeDelete sets deletionGracePeriodSeconds
    // 0, and the generic registry's store.go updateForGracefulDeletionAndFinalizers deletes an
    // object whose grace is 0 (no finalizers) immediately. The endpoint is then gone, never
    // terminating, while the kubelet still kills the containers with its 2 s minimum
    // (kuberuntime_container.go minimumGracePeriodInSeconds): the model's termination (preStop,
    // terminating endpoint, SIGTERM, SIGKILL) is not that, so it is refused.
    if (a.termination_grace_period === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['timeline', i, 'termination_grace_period'],
        message:
          'expected at least 1s: a terminationGracePeriodSeconds of 0 has the API server delete the pod at once (pkg/registry/core/pod/strategy.go CheckGracefulDelete, apiserver registry store.go: grace 0 → immediate deletion, the endpoint gone without terminating), which drainsim does not model',
      });
    const zero = (v: number | string): boolean => v === 0 || v === '0%';
    if (zero(a.max_surge) && zero(a.max_unavailable))
      ctx.addIssue({
        code: 'custom',
        path: ['timeline', i, 'max_unavailable'],
        message: 'may not be 0 when max_surge is 0 (the Kubernetes API refuses a rollout that could never move)',
      });
    if (typeof a.max_unavailable === 'string' && Number.parseInt(a.max_unavailable, 10) > 100)
      ctx.addIssue({
        code: 'custom',
        path: ['timeline', i, 'max_unavailable'],
        message: `may not be more than 100% (found ${a.max_unavailable})`,
      });
  });
}

/**
 * What the Kubernetes API refuses in a probe (pkg/apis/core/validation/validation.go
 * validateProbe, and the v1 Probe's int32 fields): periodSeconds, timeoutSeconds and
 * initialDelaySeconds are whole seconds (period and timeout at least 1), and a liveness or startup
 * probe's successThreshold must be 1 (review33 #6: drainsim took 2.5s, 0.3s and 3).
 */
function checkProbeFields(
  probes: Partial<Record<'readiness' | 'liveness' | 'startup', ProbeConfig | undefined>>,
  ctx: z.RefinementCtx,
): void {
  const field = { period: 'periodSeconds', timeout: 'timeoutSeconds', initial_delay: 'initialDelaySeconds' } as const;
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const probe = probes[kind];
    if (probe === undefined) continue;
    for (const key of ['period', 'timeout', 'initial_delay'] as const) {
      const v = probe[key];
      if (Number.isInteger(v) && (key === 'initial_delay' || v >= 1)) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['probes', kind, key],
        message: `Kubernetes takes ${field[key]} in whole seconds${key === 'initial_delay' ? '' : ', at least 1'} (found ${formatDuration(v)})`,
      });
    }
    if (kind !== 'readiness' && probe.success_threshold !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['probes', kind, 'success_threshold'],
        message: `must be 1 for a ${kind} probe (the Kubernetes API refuses any other value)`,
      });
  }
}
