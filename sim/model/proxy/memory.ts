import type { NginxConfig } from '../../scenario/schema.js';
import { ReqPhase } from '../core/app-job.js';
import { type Conn, ConnKind, type PhaseWatch } from '../core/conn.js';
import type { UpstreamConn } from '../core/exchanges.js';
import type { Nginx, NginxGeneration } from './nginx.js';
import type { WorkerConnCount } from './worker-conn-count.js';

/**
 * The memory an nginx holds, per worker generation: what the `nginx_memory` gauges read. Each
 * generation's workers have a base resident size (the scenario's `worker_rss_mib`: code, the
 * configuration cycle, the connection/event arrays ngx_event_process_init allocates for
 * worker_connections) plus what each connection they hold allocated from its pools. The sizes are
 * nginx's own (nginx/nginx, src/http):
 *
 * - every accepted connection: its pool, `connection_pool_size` = 64 × sizeof(void *) = 512 bytes
 *   on 64-bit (ngx_http_core_merge_srv_conf; ngx_event_accept creates it). An idle keep-alive
 *   connection holds only that: ngx_http_set_keepalive frees the request (ngx_http_free_request)
 *   and the header buffer (ngx_pfree of c->buffer) while it waits.
 * - a request in flight: its pool, `request_pool_size` 4096 (ngx_http_alloc_request), the
 *   `client_header_buffer_size` buffer (1k, ngx_http_wait_request_handler), the upstream
 *   connection's 128-byte pool (ngx_http_upstream_connect: ngx_create_pool(128, …)), the
 *   `proxy_buffer_size` buffer for the response header (ngx_http_upstream_process_header:
 *   u->buffer) and the `proxy_buffers` a buffered body can take (ngx_event_pipe_read_upstream
 *   allocates them as the body arrives, up to 8 × 4k). The response size is not modelled, so the
 *   full `proxy_buffers` are charged while the request is in flight: an upper bound.
 * - an upgraded WebSocket tunnel: the same pools and header buffer, and two `proxy_buffer_size`
 *   buffers, one each way: u->buffer (upstream → client, from ngx_http_upstream_process_header)
 *   and u->from_client (client → upstream), allocated in ngx_http_upstream_process_upgraded,
 *   which ngx_http_upstream_upgrade() calls once the 101 has been sent. No proxy_buffers: the
 *   tunnel does not buffer through the event pipe.
 * - an upstream connection in a worker's keep-alive cache keeps its 128-byte pool
 *   (ngx_http_upstream_keepalive_module: ngx_http_upstream_free_keepalive_peer keeps c->pool;
 *   destroyed in ngx_http_upstream_keepalive_close).
 *
 * A QUITted generation's worker exits with its own last connection (ngx_worker_process_cycle:
 * ngx_event_no_timers_left), so an old generation keeps min(worker_processes, its open
 * connections) workers: the connections spread over its workers as they were accepted.
 */

/** connection_pool_size's default on 64-bit: 64 × sizeof(void *) (ngx_http_core_merge_srv_conf). */
export const CONNECTION_POOL_SIZE = 64 * 8;
/** request_pool_size's default (ngx_http_core_merge_srv_conf). */
export const REQUEST_POOL_SIZE = 4096;
/** The pool of an upstream connection (ngx_http_upstream_connect: ngx_create_pool(128, …)). */
export const UPSTREAM_CONN_POOL_SIZE = 128;
/** One memory page on x86-64 Linux: the size of each of the default proxy_buffers (ngx_pagesize). */
export const PAGE_SIZE = 4096;
export const MIB = 1024 * 1024;

/** Bytes one client connection of nginx holds, with its generation's configuration. */
export function connBytes(conn: Conn, c: NginxConfig): number {
  if (conn.kind === ConnKind.WS)
    return (
      CONNECTION_POOL_SIZE +
      REQUEST_POOL_SIZE +
      c.client_header_buffer_size +
      UPSTREAM_CONN_POOL_SIZE +
      2 * c.proxy_buffer_size
    );
  if (conn.phase === ReqPhase.NONE) return CONNECTION_POOL_SIZE;
  return (
    CONNECTION_POOL_SIZE +
    REQUEST_POOL_SIZE +
    c.client_header_buffer_size +
    UPSTREAM_CONN_POOL_SIZE +
    c.proxy_buffer_size +
    c.proxy_buffers * PAGE_SIZE
  );
}

/** An nginx's resident memory in MiB: all its generations (`total`) and the QUITted ones' share (`old`). */
export interface NginxMemory {
  total: number;
  old: number;
}

/**
 * A VM's client connections as nginxMemory prices them, kept as they come and go (world.ts attach,
 * end, dropServerEnd: wherever `backend.conns` gains or loses one) and as their requests start and
 * end: per generation, the WebSocket tunnels (a tunnel is priced by its generation alone: its kind
 * never changes, nor its generation once accepted), the HTTP connections, and how many of those
 * have a request in flight (the record tells the tally each time its phase turns from NONE or back,
 * conn.ts `set phase`). A sample then reads three numbers per generation instead of walking the
 * VM's connections, which cost a cache miss per connection at every sample.
 */
export class NginxConnTally implements PhaseWatch {
  /** Open tunnels, open HTTP connections and those of them with a request in flight, per
   *  generation id (ids are small: nginx.ts hands them out one by one). */
  private readonly tunnels: number[] = [];
  private readonly httpOpen: number[] = [];
  private readonly httpInFlight: number[] = [];

  /**
   * Each nginx worker's connections (worker_connections: worker-connections.ts sets it when the
   * run limits them; null: not counted). It follows the same records, so the tally tells it.
   */
  workers: WorkerConnCount | null = null;

  /** `conn` joined the VM's connections; its nginxGen is the generation that accepted it. */
  add(conn: Conn): void {
    const id = conn.nginxGen;
    const workers = this.workers;
    if (conn.kind === ConnKind.WS) {
      grow(this.tunnels, id);
      this.tunnels[id]++;
      // A tunnel's upstream connection comes and goes while it is held (ws-endpoint.ts): watched
      // only when the workers' connections are counted.
      if (workers !== null) {
        this.watch(conn);
        workers.add(conn);
      }
      return;
    }
    if (conn.phaseWatch === this) return; // already counted (like Set.add)
    this.watch(conn);
    grow(this.httpOpen, id);
    grow(this.httpInFlight, id);
    this.httpOpen[id]++;
    if (conn.phase !== ReqPhase.NONE) this.httpInFlight[id]++;
    if (workers !== null) workers.add(conn);
  }

  private watch(conn: Conn): void {
    const watch = conn.phaseWatch;
    if (watch !== null && watch !== undefined)
      throw new Error("NginxConnTally.add: the record is in another VM's tally");
    conn.phaseWatch = this;
  }

  /** `conn`, added before, left the VM's connections. */
  delete(conn: Conn): void {
    const id = conn.nginxGen;
    if (conn.kind === ConnKind.WS) {
      this.tunnels[id]--;
      if (conn.phaseWatch === this) {
        conn.phaseWatch = null;
        this.workers?.delete(conn);
      }
      return;
    }
    if (conn.phaseWatch !== this) return;
    conn.phaseWatch = null;
    this.httpOpen[id]--;
    if (conn.phase !== ReqPhase.NONE) this.httpInFlight[id]--;
    this.workers?.delete(conn);
  }

  inFlightChanged(conn: Conn, inFlight: boolean): void {
    // A tunnel is watched for its upstream connection only; its requests are not priced here.
    if (conn.kind === ConnKind.WS) return;
    this.httpInFlight[conn.nginxGen] += inFlight ? 1 : -1;
  }

  upstreamChanged(conn: Conn, held: boolean): void {
    this.workers?.upstreamChanged(conn, held);
  }

  /** The open tunnels of generation `id`. */
  tunnelsOf(id: number): number {
    return id < this.tunnels.length ? this.tunnels[id] : 0;
  }

  /** Generation `id`'s open HTTP connections with no request in flight. */
  idleOf(id: number): number {
    return id < this.httpOpen.length ? this.httpOpen[id] - this.httpInFlight[id] : 0;
  }

  /** Generation `id`'s open HTTP connections with a request in flight. */
  inFlightOf(id: number): number {
    return id < this.httpInFlight.length ? this.httpInFlight[id] : 0;
  }
}

/** Make `counts[id]` exist (0). */
function grow(counts: number[], id: number): void {
  while (counts.length <= id) counts.push(0);
}

/**
 * What `nginx` holds with the client connections `conns` and the cached upstream connections
 * `pool`. With `tally` (the same connections as `conns`, kept by NginxConnTally) every count is
 * read from it and nothing is walked: the same counts, so the same figure.
 */
export function nginxMemory(
  nginx: Nginx,
  conns: Iterable<Conn>,
  pool: readonly UpstreamConn[],
  tally: NginxConnTally | null = null,
): NginxMemory {
  const gens = nginx.generations;
  if (!nginx.running || gens.length === 0) return { total: 0, old: 0 };
  // One walk per sample over the connections the VM holds: count, per generation, the tunnels,
  // the idle keep-alive connections, the requests in flight and the cached upstream connections,
  // and price each kind once (connBytes' sizes). The bytes are whole numbers, so the products
  // and their sum are the exact sum connBytes would add up one connection at a time.
  const counts = new Float64Array(KINDS * gens.length);
  const first = gens[0].id;
  if (tally === null) {
    for (const conn of conns) {
      const id = conn.nginxGen;
      const i = id === first ? 0 : generationIndex(gens, id);
      if (i < 0) continue;
      counts[KINDS * i + (conn.kind === ConnKind.WS ? TUNNEL : conn.phase === ReqPhase.NONE ? IDLE : IN_FLIGHT)]++;
    }
  } else {
    for (let i = 0; i < gens.length; i++) {
      const id = gens[i].id;
      counts[KINDS * i + TUNNEL] = tally.tunnelsOf(id);
      counts[KINDS * i + IDLE] = tally.idleOf(id);
      counts[KINDS * i + IN_FLIGHT] = tally.inFlightOf(id);
    }
  }
  for (const up of pool) {
    const id = up.nginxGen;
    const i = id === first ? 0 : generationIndex(gens, id);
    if (i >= 0) counts[KINDS * i + CACHED]++;
  }
  let total = 0;
  let old = 0;
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i];
    const c = g.config;
    const k = KINDS * i;
    const bytes =
      counts[k + TUNNEL] *
        (CONNECTION_POOL_SIZE +
          REQUEST_POOL_SIZE +
          c.client_header_buffer_size +
          UPSTREAM_CONN_POOL_SIZE +
          2 * c.proxy_buffer_size) +
      counts[k + IDLE] * CONNECTION_POOL_SIZE +
      counts[k + IN_FLIGHT] *
        (CONNECTION_POOL_SIZE +
          REQUEST_POOL_SIZE +
          c.client_header_buffer_size +
          UPSTREAM_CONN_POOL_SIZE +
          c.proxy_buffer_size +
          c.proxy_buffers * PAGE_SIZE) +
      counts[k + CACHED] * UPSTREAM_CONN_POOL_SIZE;
    // Past 2^53 bytes (only with absurd buffer sizes) the sum is no longer exact in any order:
    // add up as connBytes does, one connection at a time, so the figure stays the same.
    if (!(bytes < 2 ** 53)) return nginxMemoryPerConn(nginx, conns, pool);
    const workers = g.quitAt < 0 ? g.config.worker_processes : Math.min(g.config.worker_processes, g.open);
    const mib = workers * g.config.worker_rss_mib + bytes / MIB;
    total += mib;
    if (g.quitAt >= 0) old += mib;
  }
  return { total, old };
}

/** The slots of nginxMemory's counts per generation. */
const TUNNEL = 0;
const IDLE = 1;
const IN_FLIGHT = 2;
const CACHED = 3;
const KINDS = 4;

function generationIndex(gens: readonly NginxGeneration[], id: number): number {
  for (let i = 0; i < gens.length; i++) if (gens[i].id === id) return i;
  return -1;
}

/** nginxMemory summed one connection at a time (connBytes). */
function nginxMemoryPerConn(nginx: Nginx, conns: Iterable<Conn>, pool: readonly UpstreamConn[]): NginxMemory {
  const gens = nginx.generations;
  const bytes = new Float64Array(gens.length);
  for (const conn of conns) {
    const i = generationIndex(gens, conn.nginxGen);
    if (i >= 0) bytes[i] += connBytes(conn, gens[i].config);
  }
  for (const up of pool) {
    const i = generationIndex(gens, up.nginxGen);
    if (i >= 0) bytes[i] += UPSTREAM_CONN_POOL_SIZE;
  }
  let total = 0;
  let old = 0;
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i];
    const workers = g.quitAt < 0 ? g.config.worker_processes : Math.min(g.config.worker_processes, g.open);
    const mib = workers * g.config.worker_rss_mib + bytes[i] / MIB;
    total += mib;
    if (g.quitAt >= 0) old += mib;
  }
  return { total, old };
}
