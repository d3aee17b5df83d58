/**
 * The scenario format: one zod schema is the single source for validation, the TypeScript types
 * the model sees, and the JSON Schema editors use (`drainsim schema`). Every default is the real
 * system's default, and each description names the system it comes from
 * (../../shared/reference/real-defaults.md has the sources).
 */
import { z } from 'zod';
import { zDistribution, zDuration, zDurationOrInfinite } from './zod-types.js';

/**
 * Most backends a scenario may have. Backend sets have no 32-bit limit (model/core/backend-set.ts);
 * picks are linear in the backend count, and test/model/many-backends.test.ts runs this many.
 */
export const MAX_BACKENDS = 1000;

const int = (min = 0) => z.number().int().min(min);

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
  return z.strictObject(shape) as unknown as z.ZodObject<{ [K in keyof S]: z.ZodOptional<z.ZodType<z.output<S[K]>, z.input<S[K]>>> }>;
}

export const KernelSchema = z.strictObject({
  ip_local_port_range: z
    .tuple([int(1), int(1)])
    .prefault([32768, 60999])
    .describe('Linux net.ipv4.ip_local_port_range, default 32768 60999 (28,232 ports per destination).'),
  tcp_tw_reuse: z
    .union([z.literal(0), z.literal(1), z.literal(2)])
    .prefault(2)
    .describe('Linux net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (default 2). Connect side only.'),
  tcp_max_tw_buckets: int(0)
    .prefault(131072)
    .describe('Linux net.ipv4.tcp_max_tw_buckets (131072 on a 23 GiB host); past it TIME_WAIT is skipped.'),
  tcp_syn_retries: int(0).prefault(6).describe('Linux net.ipv4.tcp_syn_retries, default 6.'),
  tcp_syn_linear_timeouts: int(0).prefault(4).describe('Linux ≥ 6.5 net.ipv4.tcp_syn_linear_timeouts, default 4 (connect gives up at ~131 s).'),
  somaxconn: int(1).prefault(4096).describe('Linux net.core.somaxconn, default 4096 since 5.4: caps every listen backlog.'),
});

export const NginxSchema = z.strictObject({
  keepalive_timeout: zDuration
    .prefault('75s')
    .describe('nginx keepalive_timeout (client side), default 75s; 0s turns client keep-alive off.'),
  keepalive_requests: int(1).prefault(1000).describe('nginx keepalive_requests, default 1000 since 1.19.10.'),
  proxy_read_timeout: zDuration
    .prefault('60s')
    .describe('nginx proxy_read_timeout, default 60s; also the idle timeout of an upgraded WebSocket tunnel.'),
  proxy_connect_timeout: zDuration.prefault('60s').describe('nginx proxy_connect_timeout, default 60s.'),
  upstream_keepalive: int(0)
    .prefault(0)
    .describe('nginx upstream `keepalive N` idle connections kept to the app; no default in 1.22–1.25 (0 = a new connection per request).'),
  upstream_keepalive_timeout: zDuration.prefault('60s').describe('nginx upstream keepalive_timeout, default 60s.'),
  upstream_keepalive_requests: int(1).prefault(1000).describe('nginx upstream keepalive_requests, default 1000.'),
  upstream_loopback: z
    .boolean()
    .prefault(true)
    .describe('The app listens on 127.0.0.1 (true) or on another address (false); tcp_tw_reuse=2 only helps loopback.'),
  upstream_close_first: z
    .enum(['proxy', 'app'])
    .prefault('proxy')
    .describe('Which side closes a non-kept-alive upstream connection first and so holds its TIME_WAIT.'),
  worker_shutdown_timeout: zDurationOrInfinite
    .prefault('0')
    .describe('nginx worker_shutdown_timeout; no default (0 = off): without it a quitting worker waits for every WebSocket.'),
});

export const WsServerSchema = z.strictObject({
  session_ttl: zDurationOrInfinite
    .prefault('0')
    .describe('Server-side maximum session age; at the TTL the app closes with 1001 and the client reconnects (0 = none).'),
  drain_notice: z.boolean().prefault(false).describe('On SIGTERM, broadcast DRAIN_NOTICE {retryAfter} before closing.'),
  retry_after: zDuration.prefault('15s').describe('retryAfter carried by the drain notice (seed Part 4 uses 15 s).'),
  close_on_shutdown: z
    .boolean()
    .prefault(false)
    .describe('On SIGTERM, close every session with a Close frame (1001 Going Away, RFC 6455 §7.4.1).'),
  close_spread: zDuration.prefault('0s').describe('Spread the shutdown closes evenly over this window.'),
});

export const AppSchema = z.strictObject({
  workers: int(1).prefault(200).describe('Concurrent requests the app serves; more wait in its queue.'),
  service_time: zDistribution('duration').prefault('exp(mean=20ms)').describe('Time to serve one request.'),
  backlog: int(1).prefault(511).describe('Listen backlog of the app (capped by somaxconn); a full queue drops SYNs.'),
  queue_limit: int(0).prefault(100000).describe('Requests that may wait for a worker; beyond it the app answers 503 at once.'),
  health_check_time: zDuration.prefault('1ms').describe('Work of a shallow health-check request (served by the same workers).'),
  dependency_fail_time: zDuration.prefault('5ms').describe('How fast a request fails with 500 when the database is down (dead connection pool).'),
  dependency_slow_latency: zDistribution('duration').prefault('exp(mean=2s)').describe('Extra latency each request (and deep check) waits on a slow database.'),
  gc: z
    .strictObject({
      every: int(0).prefault(0).describe('A stop-the-world pause after every N requests served (allocation-driven; 0 = off).'),
      pause: zDistribution('duration').prefault('const(300ms)'),
      per_inflight: zDuration
        .prefault('0s')
        .describe('Extra pause per request in service or queued: a full GC marks the live set, which grows with requests in flight.'),
    })
    .prefault({}),
  graceful_shutdown: z
    .boolean()
    .prefault(false)
    .describe('On SIGTERM: stop accepting, finish in-flight requests, then exit. False: SIGTERM kills at once (no hook).'),
  startup_time: zDuration.prefault('10s').describe('Time a restarted app takes to accept connections again.'),
  shutdown_grace: zDuration.prefault('30s').describe('How long a graceful shutdown waits before exiting anyway.'),
  crash_after: zDurationOrInfinite
    .prefault('0')
    .describe('The app process exits with an error this long after each start (a crash-looping container; 0 = never). In a pod the kubelet restarts it with CrashLoopBackOff.'),
  ws: WsServerSchema.prefault({}),
});

export const BackoffSchema = z.strictObject({
  policy: z
    .enum(['immediate', 'exponential', 'full_jitter', 'equal_jitter', 'decorrelated_jitter'])
    .prefault('full_jitter')
    .describe('Reconnect/retry delay: AWS Architecture Blog 2015 formulas (capped exponential, full, equal, decorrelated jitter).'),
  base: zDuration.prefault('1s'),
  cap: zDuration.prefault('30s'),
  honor_retry_after: z.boolean().prefault(true).describe('Wait for a drain notice retryAfter: full jitter over [0, retryAfter] when the policy has jitter, exactly retryAfter otherwise.'),
});

export const HttpClientsSchema = z.strictObject({
  arrival_rate: z.number().min(0).prefault(0).describe('New keepalive connections per second (Poisson).'),
  requests_per_connection: zDistribution('number').prefault('const(20)').describe('Requests a client sends on one connection before closing it.'),
  think_time: zDistribution('duration').prefault('exp(mean=2s)').describe('Idle time between a response and the next request.'),
  retries: int(0).prefault(2).describe('Times a failed request is retried on a new connection.'),
  retry_backoff: BackoffSchema.prefault({ policy: 'full_jitter', base: '100ms', cap: '2s' }),
  request_timeout: zDuration.prefault('30s').describe('Client gives up on a request with no answer (a vanished host) after this long.'),
});

export const WsClientsSchema = z.strictObject({
  initial_sessions: int(0).prefault(0).describe('Sessions opened at the start (during warmup), spread over initial_ramp.'),
  initial_ramp: zDuration.prefault('1m'),
  arrival_rate: z.number().min(0).prefault(0).describe('New sessions per second (Poisson).'),
  lifetime: zDistribution('duration').prefault('lognormal(median=30m, p99=6h)').describe('How long a user keeps a session open.'),
  ping_interval: zDurationOrInfinite.prefault('30s').describe('Application ping period; idle tunnels longer than proxy_read_timeout are closed by nginx (0 = no pings).'),
  pong_timeout: zDuration.prefault('20s').describe('A client declares the connection dead when a ping is not answered within this (1006).'),
  reconnect: BackoffSchema.prefault({}),
});

export const RequestClientsSchema = z.strictObject({
  rate: z.number().min(0).prefault(0).describe('Open-loop requests per second (Poisson): they keep coming however slow the answers.'),
  timeout: zDuration.prefault('5s').describe('The client gives up on an attempt after this long (the server may still do the work).'),
  retries: int(0).prefault(2).describe('Retries of a failed or timed-out request.'),
  backoff: BackoffSchema.prefault({ policy: 'full_jitter', base: '100ms', cap: '2s' }),
  users: int(0).prefault(0).describe('Distinct users (for sticky sessions); 0 = anonymous requests.'),
  session_store: z
    .enum(['memory', 'external'])
    .prefault('memory')
    .describe('Where user session state lives: in the backend\'s memory (lost when it dies) or in an external store.'),
});

export const ClientsSchema = z.strictObject({
  rtt: zDuration.prefault('30ms').describe('Round trip between clients and the backends.'),
  source_ips: int(1).prefault(100000).describe('Distinct client addresses; few addresses make 4-tuples come back within 60 s.'),
  http: HttpClientsSchema.prefault({}),
  ws: WsClientsSchema.prefault({}),
  requests: RequestClientsSchema.prefault({}),
});

export const CheckSchema = z.strictObject({
  type: z.enum(['tcp', 'http']).prefault('tcp').describe('tcp: connect only (L4); http: GET the endpoint through the app\'s workers (L7).'),
  endpoint: z
    .enum(['shallow', 'deep'])
    .prefault('shallow')
    .describe('shallow: the process answers; deep: the check also queries the database (seed: The Load Balancer Lied).'),
  inter: zDuration.prefault('2s').describe('HAProxy inter, default 2s (DEF_CHKINTR).'),
  fastinter: zDuration.optional().describe('Interval while a server changes state; unset = inter.'),
  downinter: zDuration.optional().describe('Interval while a server is DOWN; unset = inter.'),
  rise: int(1).prefault(2).describe('HAProxy rise, default 2.'),
  fall: int(1).prefault(3).describe('HAProxy fall, default 3.'),
  timeout: zDuration.optional().describe('Check timeout; unset = inter (HAProxy without `timeout check`).'),
  dependency_timeout: zDurationOrInfinite
    .prefault('0')
    .describe('A deep endpoint\'s own timeout on its database query (0 = none): a slow database then answers within it.'),
  on_dependency_timeout: z
    .enum(['unready', 'ready'])
    .prefault('unready')
    .describe('What a deep endpoint reports when its own database query times out (ready = degraded but serving).'),
});

/** Kubernetes probe defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe). */
export const ProbeSchema = z.strictObject({
  type: z.enum(['tcp', 'http']).prefault('http'),
  endpoint: z.enum(['shallow', 'deep']).prefault('shallow'),
  period: zDuration.prefault('10s').describe('periodSeconds, default 10.'),
  timeout: zDuration.prefault('1s').describe('timeoutSeconds, default 1.'),
  failure_threshold: int(1).prefault(3).describe('failureThreshold, default 3.'),
  success_threshold: int(1).prefault(1).describe('successThreshold, default 1.'),
  dependency_timeout: zDurationOrInfinite.prefault('0'),
  on_dependency_timeout: z.enum(['unready', 'ready']).prefault('unready'),
});

export const LbSchema = z.strictObject({
  mode: z
    .enum(['l4', 'l7'])
    .prefault('l4')
    .describe('l4: sees connections only (RST, timeouts); l7: terminates HTTP, sees status codes, balances each request.'),
  retry_on_5xx: z.boolean().prefault(false).describe('L7 only: HAProxy `retry-on 500 502 503 504` — a 5xx is retried on another backend.'),
  slowstart: zDurationOrInfinite
    .prefault('0')
    .describe('HAProxy slowstart (no default = off): a server back from DOWN ramps its weight from ~0 to 100% over this time.'),
  sticky: z
    .enum(['none', 'cookie', 'source'])
    .prefault('none')
    .describe('Session persistence: an inserted cookie or the source address; a DOWN server\'s users are redispatched.'),
  balance: z
    .enum(['roundrobin', 'leastconn', 'random', 'source'])
    .prefault('roundrobin')
    .describe('HAProxy balance algorithm; roundrobin is the default.'),
  retries: int(0).prefault(3).describe('HAProxy retries (CONN_RETRIES 3): failed connects (and 5xx with retry_on_5xx) are retried on the same server, min(timeout connect, 1s) apart.'),
  retry_interval: zDuration.prefault('1s').describe('Pause between connect retries to the same server: min(timeout connect, 1s).'),
  connect_timeout: zDuration.prefault('5s').describe('HAProxy timeout connect (no default; 5s is the common setting): how long SYNs to a vanished backend or a full accept queue are retransmitted before the connect fails.'),
  redispatch: z.boolean().prefault(false).describe('HAProxy option redispatch: the last retry goes to another backend.'),
  remove_resets_flows: z
    .boolean()
    .prefault(true)
    .describe('A hard `remove` forgets the backend flows: each side\'s next packet is answered with RST.'),
});

const BackendOverrides = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -'),
  weight: int(0).prefault(1),
  state: z.enum(['bound', 'draining', 'detached', 'ready', 'drain', 'maint']).prefault('bound'),
  nginx: overrideOf(NginxSchema).optional(),
  app: overrideOf(AppSchema).optional(),
  kernel: overrideOf(KernelSchema).optional(),
});

const At = z
  .string()
  .regex(/^(\d{1,2}:\d{2}(:\d{2})?|[-+]?\s*[0-9.]+\s*[a-z]+.*)$/, 'a duration since start such as 2m, or a wall-clock time such as 14:02')
  .describe('When: a duration since start (`2m`) or a wall-clock time (`14:02` / `14:02:30`).');

const GateSchema = z.strictObject({
  threshold: int(0).prefault(10).describe('Drain is complete when new == 0 && active < threshold.'),
  max_wait: zDuration.prefault('30m').describe('Longest wait for the gate before the forced stage.'),
  poll: zDuration.prefault('10s'),
  on_timeout: z.enum(['force', 'abort']).prefault('force').describe('force: terminate anyway; abort: leave the backend draining.'),
});

const IntOrPercent = z.union([int(0), z.string().regex(/^\d+(\.\d+)?%$/, 'a count such as 1 or a percentage such as 25%')]);

const TerminateMode = z.enum(['graceful', 'kill', 'vanish']).describe('graceful: SIGTERM; kill: kill -9; vanish: the host disappears (no FIN, no RST).');

export const ActionSchema = z.discriminatedUnion('do', [
  z.strictObject({ at: At, do: z.literal('bind'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('unbind'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('drain'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('remove'), backend: z.string() }),
  z.strictObject({ at: At, do: z.literal('terminate'), backend: z.string(), mode: TerminateMode.prefault('graceful') }),
  z.strictObject({
    at: At,
    do: z.literal('deploy'),
    backend: z.string(),
    gate: GateSchema.prefault({}),
    terminate: TerminateMode.prefault('graceful'),
    rebind_after: zDurationOrInfinite.prefault('0').describe('Bind the new version this long after terminate (0 = never).'),
  }),
  z.strictObject({ at: At, do: z.literal('set'), backend: z.string().optional(), nginx: overrideOf(NginxSchema) }),
  z.strictObject({
    at: At,
    do: z.literal('load'),
    http_rate: z.number().min(0).optional().describe('New arrival rate of HTTP connections per second.'),
    ws_rate: z.number().min(0).optional(),
    request_rate: z.number().min(0).optional().describe('New open-loop request rate per second.'),
  }),
  z.strictObject({ at: At, do: z.literal('note'), text: z.string() }),
  z.strictObject({
    at: At,
    do: z.literal('rollout'),
    pods: z.array(z.string()).optional().describe('Pods (backends) to replace, in order; default all.'),
    termination_grace_period: zDuration.prefault('30s').describe('terminationGracePeriodSeconds, default 30 (includes preStop); then SIGKILL.'),
    prestop_sleep: zDuration.prefault('0s').describe('A preStop hook that sleeps before SIGTERM (none by default).'),
    endpoint_propagation: zDistribution('duration')
      .prefault('uniform(1s, 5s)')
      .describe('Delay until the load balancer stops sending new connections to a terminating pod (environment-dependent: EndpointSlice → kube-proxy sync).'),
    between: zDuration.prefault('5s').describe('Wait after a replacement is ready before it counts as available (minReadySeconds) and the next pod may go.'),
    max_surge: IntOrPercent.prefault('25%').describe('Deployment maxSurge (default 25%, rounded up): new pods beyond the replicas. Surge pods need spare backends (not bound, not in `pods`).'),
    max_unavailable: IntOrPercent.prefault('25%').describe('Deployment maxUnavailable (default 25%, rounded down; 1 if both come out 0).'),
  }),
  z.strictObject({
    at: At,
    do: z.literal('pause'),
    backend: z.string(),
    duration: zDuration.describe('A stop-the-world pause (JVM full GC, CPU starvation).'),
  }),
  z.strictObject({
    at: At,
    do: z.literal('dependency'),
    backend: z.string().optional().describe('One backend\'s view (a dead connection pool) or, when absent, the shared database.'),
    state: z.enum(['up', 'down', 'slow']),
  }),
]);

export const ScenarioSchema = z
  .strictObject({
    name: z.string().optional(),
    description: z.string().prefault(''),
    extends: z.string().optional().describe('A built-in scenario name or a path to a base file.'),
    seed: int(0).prefault(1),
    start: z.string().regex(/^\d{1,2}:\d{2}(:\d{2})?$/, 'HH:MM or HH:MM:SS').prefault('00:00:00').describe('Wall-clock time of simulated t=0, used in logs.'),
    warmup: zDuration.prefault('0s').describe('Simulated time before t=0 that builds steady state; not recorded.'),
    horizon: zDuration.prefault('5m').describe('Simulated time recorded after t=0.'),
    sample_interval: zDuration.prefault('1s'),
    kernel: KernelSchema.prefault({}),
    nginx: NginxSchema.prefault({}),
    app: AppSchema.prefault({}),
    lb: LbSchema.prefault({}),
    clients: ClientsSchema.prefault({}),
    health_check: CheckSchema.optional().describe('LB health checks (absent: none, every backend is always in service).'),
    kubelet: z
      .strictObject({
        endpoint_propagation: zDistribution('duration')
          .prefault('uniform(1s, 5s)')
          .describe('Delay until a pod status change (NotReady after a crash, Ready after a restart) reaches the load balancer: status sync → EndpointSlice → kube-proxy.'),
      })
      .prefault({}),
    probes: z
      .strictObject({ readiness: ProbeSchema.optional(), liveness: ProbeSchema.optional() })
      .prefault({})
      .describe('Kubernetes probes: readiness removes the pod from endpoints, liveness restarts it.'),
    backends: z
      .array(BackendOverrides)
      .min(1)
      .max(MAX_BACKENDS)
      .prefault([{ name: 'vm-a' }, { name: 'vm-b' }])
      .describe(`The VMs behind the balancer, at most ${MAX_BACKENDS} (the largest count the model is tested with).`),
    timeline: z.array(ActionSchema).prefault([]),
    expect: z.array(z.string()).prefault([]).describe('Assertions checked after the run; see the README.'),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.backends.forEach((b, i) => {
      if (names.has(b.name)) ctx.addIssue({ code: 'custom', path: ['backends', i, 'name'], message: `duplicate backend name '${b.name}'` });
      names.add(b.name);
    });
    s.timeline.forEach((a, i) => {
      if (a.do === 'rollout') {
        (a.pods ?? []).forEach((p, j) => {
          if (!names.has(p)) ctx.addIssue({ code: 'custom', path: ['timeline', i, 'pods', j], message: `unknown backend '${p}'; backends are ${[...names].join(', ')}` });
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

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type KernelConfig = z.output<typeof KernelSchema>;
export type NginxConfig = z.output<typeof NginxSchema>;
export type AppConfig = z.output<typeof AppSchema>;
export type BackoffConfig = z.output<typeof BackoffSchema>;
export type Action = z.output<typeof ActionSchema>;
export type LbConfig = z.output<typeof LbSchema>;
export type CheckConfig = z.output<typeof CheckSchema>;
export type ProbeConfig = z.output<typeof ProbeSchema>;
