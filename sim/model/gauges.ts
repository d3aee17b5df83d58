/**
 * The model's gauges (the timeline's pulled series), read at each sample.
 *
 * The readers are methods of one class, not closures made per run: a sweep worker runs many
 * models one after another, and V8 keeps a closure's optimized code only as long as some closure
 * of that run still uses it (the feedback vector holds it weakly), so closures made anew each run
 * were compiled again by TurboFan in nearly every run (issue 14: ~17 of a worker's ~22
 * re-optimisations per run, compile threads competing with a second worker). A prototype method
 * is one function for the life of the process; each run binds it to its own ModelGauges.
 */
import type { Metrics } from '../metrics/metrics.js';
import type { WsEndpoint } from './app/ws-endpoint.js';
import type { World } from './core/world.js';
import type { L7ServerConns } from './lb/l7-server-conns.js';
import { PoolState } from './lb/pool.js';
import { type NginxMemory, nginxMemory } from './proxy/memory.js';

/** A bare app server (proxy: none) runs no nginx: nothing resident. */
const NO_NGINX: NginxMemory = { total: 0, old: 0 };

class ModelGauges {
  private readonly n: number;
  /** Both nginx memory gauges read one count of the VM's connections per sample. */
  private readonly memoryAt: Float64Array;
  private readonly memoryOf: NginxMemory[] = [];

  constructor(
    private readonly w: World,
    private readonly ws: WsEndpoint,
    private readonly serverConns: L7ServerConns | null,
  ) {
    this.n = w.backends.length;
    this.memoryAt = new Float64Array(this.n).fill(-1);
  }

  /**
   * HAProxy `show stat` scur of the server: `sv->cur_sess` (stats_fill_sv_stats(), src/stats.c),
   * which connect_server() raises and back_handle_st_cer() lowers for a retry's turn-around pause
   * (src/backend.c) — not `served`, which keeps the paused stream (LoadBalancer.currentSessions).
   */
  activeConn(e: number): number {
    return this.w.lb.currentSessions(e);
  }

  timeWait(e: number): number {
    // lb.mode l7: the server connections a quitting or dead server process closed since (FIN:
    // their TIME_WAIT is on the VM) are brought up to date first.
    this.serverConns?.idleCount(e);
    return this.w.backends[e].timeWaitCount(this.w.now);
  }

  wsSessions(e: number): number {
    return this.w.backends[e].wsSessions.size;
  }

  wsAverageAge(e: number): number {
    return this.ws.averageAge(this.w.backends[e]);
  }

  wsAverageAgeTotal(): number {
    let sessions = 0;
    let ageSum = 0;
    for (const b of this.w.backends) {
      sessions += b.wsSessions.size;
      ageSum += this.ws.averageAge(b) * b.wsSessions.size;
    }
    return sessions === 0 ? 0 : ageSum / sessions;
  }

  upstreamPortsBusy(e: number): number {
    return this.w.backends[e].upstreamPortsBusy(this.w.now);
  }

  lbPortsBusy(e: number): number {
    // lb.mode l7: the server connections' idle ones closed by now free their ports first.
    this.serverConns?.idleCount(e);
    return this.w.lbHost?.portsBusy(e, this.w.now) ?? 0;
  }

  zero(): number {
    return 0;
  }

  lbClientTimeWaits(): number {
    return this.w.lbHost?.clientTimeWaits(this.w.now) ?? 0;
  }

  lbIdleConns(e: number): number {
    return this.serverConns?.idleCount(e) ?? 0;
  }

  nginxOldGenerations(e: number): number {
    return this.w.backends[e].nginx.shuttingDown;
  }

  nginxMemoryTotal(e: number): number {
    return this.memory(e).total;
  }

  nginxMemoryOld(e: number): number {
    return this.memory(e).old;
  }

  private memory(e: number): NginxMemory {
    const b = this.w.backends[e];
    if (b.bare) return NO_NGINX;
    if (this.memoryAt[e] !== this.w.now) {
      this.memoryOf[e] = nginxMemory(b.nginx, b.conns, b.upstreamPool, b.nginxConns);
      this.memoryAt[e] = this.w.now;
    }
    return this.memoryOf[e];
  }

  appBusy(e: number): number {
    return this.w.backends[e].busyWorkers;
  }

  appQueue(e: number): number {
    return this.w.backends[e].appQueueLength;
  }

  utilisation(e: number): number {
    return this.w.backends[e].busyWorkers / this.w.backends[e].app.config.workers;
  }

  utilisationTotal(): number {
    // A loop, not reduce's callback: that would be a closure made, and compiled, anew each sample.
    let sum = 0;
    for (const b of this.w.backends) sum += b.busyWorkers / b.app.config.workers;
    return sum / this.n;
  }

  inService(e: number): number {
    // A detached backend is no endpoint: a spare slot with no pod, a deleted pod, a removed
    // server. For Kubernetes this counts the EndpointSlice endpoints kube-proxy sends to: ready
    // ones, and serving + terminating ones while none is ready (k8s-endpoints.ts binds those).
    return this.w.lb.state[e] !== PoolState.DETACHED && this.w.lb.inService(e) ? 1 : 0;
  }

  poolState(e: number): number {
    // NOLB (`http-check disable-on-404`) is HAProxy's health-check drain: shown as DRAINING, as a
    // runtime `drain` is (the stats page's status NOLB / DRAIN: both out of load balancing, streams kept).
    const state = this.w.lb.state[e];
    return state === PoolState.BOUND && this.w.lb.stopping[e] === 1 ? PoolState.DRAINING : state;
  }

  boundTotal(): number {
    let bound = 0;
    for (let b = 0; b < this.n; b++) if (this.poolState(b) === PoolState.BOUND) bound++;
    return bound;
  }
}

/** A gauge's reader methods: per backend, and for the total row when not the backends' sum. */
type Reader = {
  [K in keyof ModelGauges]: ModelGauges[K] extends (e: number) => number ? K : never;
}[keyof ModelGauges];
type TotalReader = {
  [K in keyof ModelGauges]: ModelGauges[K] extends () => number ? K : never;
}[keyof ModelGauges];

/** Name, unit, description, reader and (optional) total reader, in the timeline's series order. */
const GAUGES: readonly (readonly [string, string, string, Reader, TotalReader?])[] = [
  [
    'active_conn',
    'conn',
    'Flows the LB tracks to the backend (ESTABLISHED through the LB); behind lb.mode l7, its streams (requests in flight, WebSocket tunnels): HAProxy scur, which leaves out a stream waiting out a retry turn-around pause',
    'activeConn',
  ],
  [
    'time_wait',
    'socket',
    'TIME_WAIT sockets on the VM (the tw of /proc/net/sockstat, the timewait of ss -s)',
    'timeWait',
  ],
  ['ws_sessions', 'session', 'Open WebSocket sessions on the app', 'wsSessions'],
  ['ws_avg_age', 's', 'Average age of the open WebSocket sessions', 'wsAverageAge', 'wsAverageAgeTotal'],
  ['upstream_ports_busy', 'port', 'Ephemeral ports towards the app in use or in TIME_WAIT', 'upstreamPortsBusy'],
  [
    'lb_ports_busy',
    'port',
    "The proxying balancer's own ports towards the backend in use or in TIME_WAIT (lb.mode l7: its server connections, in use or idle; 0 for lb.mode nat)",
    'lbPortsBusy',
  ],
  [
    'lb_time_wait',
    'socket',
    "TIME_WAIT sockets on the balancer's host towards its clients (lb.mode l7: the LB closed first; total only)",
    'zero',
    'lbClientTimeWaits',
  ],
  [
    'lb_idle_conns',
    'conn',
    "lb.mode l7: the balancer's idle connections to the server in its pool, ready for reuse (http-reuse; HAProxy's idle + safe connections)",
    'lbIdleConns',
  ],
  [
    'nginx_old_generations',
    'generation',
    'nginx worker generations shutting down after a reload or quit (each holds its tunnels and memory)',
    'nginxOldGenerations',
  ],
  [
    'nginx_memory',
    'MiB',
    "nginx's resident memory on the VM: every worker generation's workers (worker_rss_mib each) and the buffers of the connections they hold",
    'nginxMemoryTotal',
  ],
  [
    'nginx_memory_old',
    'MiB',
    'The share of nginx_memory held by old worker generations (shutting down after a reload or quit: their tunnels and workers)',
    'nginxMemoryOld',
  ],
  ['app_busy', 'worker', 'App workers serving a request', 'appBusy'],
  ['app_queue', 'req', 'Requests waiting for an app worker', 'appQueue'],
  ['utilisation', 'fraction', 'Busy workers / workers (total: mean over backends)', 'utilisation', 'utilisationTotal'],
  [
    'in_service',
    'bool',
    'The balancer has the backend as a server (not detached) and its health checks and readiness pass (total: backends in service)',
    'inService',
  ],
  [
    'pool_state',
    'state',
    'LB pool state: 0 BOUND, 1 DRAINING, 2 DETACHED (total: backends BOUND)',
    'poolState',
    'boundTotal',
  ],
];

/** Define the model's gauges on the world's metrics, in the timeline's series order. */
export function defineGauges(w: World, ws: WsEndpoint, serverConns: L7ServerConns | null): void {
  const m: Metrics = w.metrics;
  const g = new ModelGauges(w, ws, serverConns);
  for (const [name, unit, description, read, total] of GAUGES)
    m.gauge(name, unit, description, g[read].bind(g), total === undefined ? undefined : g[total].bind(g));
}
