import { Engine } from '../../engine/engine.js';
import { LbFlow } from './flow.js';
import { RandomStreams } from '../../engine/random.js';
import { EventLog } from '../../metrics/event-log.js';
import { Metrics } from '../../metrics/metrics.js';
import type { Scenario } from '../../scenario/schema.js';
import type { Backend } from '../vm/backend.js';
import { Conn, ConnKind } from './conn.js';
import type { LoadBalancer } from '../lb/pool.js';
import { TcpState } from '../../net/tcp.js';
import { closeFlow, EndKind, openFlow, serverEndGone } from './flow-tcp.js';
import { defineCounters, errnoCounter, type Counters, type ErrorKind } from './series.js';

export { EndKind } from './flow-tcp.js';

/**
 * Everything of one run wired to one engine: backends, balancer, metrics, log and the shared
 * connection primitives (open a flow, close it the way TCP does). Client populations and the
 * orchestrator are built on top of it in run-scenario.ts.
 */
export class World {
  readonly engine = new Engine(4096);
  readonly streams: RandomStreams;
  readonly metrics: Metrics;
  /** The event log: the model emits typed records (sim/trace/records.ts) into it. */
  readonly trace: EventLog;
  readonly c: Counters;
  private readonly portCursor: Uint16Array;
  private nextConnId = 1;
  /** State of the database every backend shares (a backend's own pool state is on its app). */
  private shared: 'up' | 'down' | 'slow' = 'up';
  /** Client connections attached to a backend and ended so far (each exactly once). */
  opened = 0;
  ended = 0;

  constructor(
    readonly scenario: Scenario,
    /** The VMs and the balancer, built by the composition root (topology.ts). */
    readonly backends: Backend[],
    readonly lb: LoadBalancer,
  ) {
    this.streams = new RandomStreams(scenario.seed);
    this.metrics = new Metrics(
      this.backends.map((b) => b.name),
      scenario.sample_interval,
    );
    this.trace = new EventLog(() => this.engine.now);
    this.metrics.clock = this.engine;
    this.c = defineCounters(this.metrics);
    this.portCursor = new Uint16Array(Math.min(scenario.clients.source_ips, 1 << 20));
    this.engine.now = -scenario.warmup;
  }

  get sharedDependency(): 'up' | 'down' | 'slow' {
    return this.shared;
  }

  /** The shared database dies, slows down or recovers. */
  setSharedDependency(state: 'up' | 'down' | 'slow'): void {
    this.shared = state;
  }

  get now(): number {
    return this.engine.now;
  }

  newConn(kind: ConnKind): Conn {
    return new Conn(this.nextConnId++, kind);
  }

  /**
   * Pick the client's source address and port. Clients walk their ephemeral range like Linux does,
   * so with few source addresses 4-tuples come back within 60 s and meet server-side TIME_WAIT.
   */
  assignTuple(conn: Conn): void {
    const ips = this.portCursor.length;
    const ip = Math.floor(conn.rng.next() * ips);
    const [low, high] = this.scenario.kernel.ip_local_port_range;
    const span = high - low + 1;
    const port = low + (this.portCursor[ip] % span);
    this.portCursor[ip] = (this.portCursor[ip] + 1) % span;
    conn.tupleKey = ip * 65536 + port;
  }

  clientIp(conn: Conn): number {
    return Math.floor(conn.tupleKey / 65536);
  }

  /** The LB has placed a new flow on backend b and the backend's kernel accepted it. */
  attach(conn: Conn, b: number): void {
    const backend = this.backends[b];
    conn.backend = b;
    conn.lbFlow = LbFlow.TRACKED;
    // keepalive_requests counts requests on this connection, not on the client's earlier ones.
    conn.requestsServed = 0;
    openFlow(conn);
    backend.reopenServerTimeWait(this.now, conn.tupleKey);
    backend.conns.add(conn);
    conn.nginxGen = backend.nginx.accept();
    this.opened++;
    this.lb.active[b]++;
    this.lb.newFlows[b]++;
    this.metrics.inc(this.c.newConn, b);
  }

  /**
   * End a client connection. Both ends walk net/tcp.ts's transitions (flow-tcp.ts): the side
   * that closes first ends in TIME_WAIT (RFC 6455 §7.1.1 asks WebSocket servers to close first),
   * so the VM holds one exactly when its end of the flow ends in TIME_WAIT.
   */
  end(conn: Conn, how: EndKind): void {
    const b = conn.backend;
    if (b < 0) return;
    const backend = this.backends[b];
    this.ended++;
    if (conn.lbFlow !== LbFlow.NONE) this.lb.active[b]--;
    conn.lbFlow = LbFlow.NONE;
    if (backend.conns.delete(conn)) backend.nginx.release(conn.nginxGen);
    conn.backend = -1;
    closeFlow(conn, how);
    if (conn.serverTcp === TcpState.TIME_WAIT) this.enterServerTimeWait(backend, conn.tupleKey);
    if (how === EndKind.CLIENT_FIN || how === EndKind.SERVER_FIN) this.metrics.inc(this.c.closedFin, b);
  }

  /**
   * nginx's socket of a flow is gone while the client end is not told: the balancer reset it
   * (`reset`, a forgotten flow) or its host vanished. The flow stays on the client's books.
   */
  dropServerEnd(conn: Conn, reset: boolean): void {
    const backend = this.backends[conn.backend];
    if (backend.conns.delete(conn)) backend.nginx.release(conn.nginxGen);
    serverEndGone(conn, reset);
  }

  enterServerTimeWait(backend: Backend, tupleKey: number): void {
    const before = backend.timeWait.overflows;
    backend.serverTimeWaitEnter(this.now, tupleKey);
    if (backend.timeWait.overflows !== before) this.timeWaitOverflow(backend);
  }

  timeWaitOverflow(backend: Backend): void {
    this.metrics.inc(this.c.twOverflow, backend.index);
    this.trace.emitLimited(`tw-overflow-${backend.index}`, { kind: 'kernel.tw_overflow', backend: backend.name, maxTwBuckets: backend.kernel.tcp_max_tw_buckets });
  }

  /** Count a client-visible error. */
  error(kind: ErrorKind, b: number): void {
    this.metrics.inc(this.c.errors, b);
    // A 5xx is already counted as a response (responses_5xx) where it is answered.
    const byKind = errnoCounter(this.c, kind);
    if (byKind >= 0) this.metrics.inc(byKind, b);
  }
}

