import type { Rng } from '../../engine/random.js';
import { LbFlow } from '../core/flow.js';
import type { Histogram } from '../../metrics/histogram.js';
import { BackendSet } from '../core/backend-set.js';
import type { Conn } from '../core/conn.js';
import type { FlowDownstream, FlowUpstream } from '../core/hop.js';
import { ErrorKind } from '../core/series.js';
import { EndKind, type World } from '../core/world.js';

interface Attempt {
  conn: Conn;
  handler: FlowDownstream;
  retriesLeft: number;
  backend: number;
}

/**
 * A new client connection through the L4 balancer, in the style of HAProxy `mode tcp`:
 * the balancer picks a BOUND backend; a refused connect (nginx not listening) is retried
 * `retries` times `retry_interval` apart, an unanswered SYN (vanished host) after
 * `connect_timeout`; with `option redispatch` the last retry goes to another backend.
 */
export class LbConnector implements FlowUpstream {
  private readonly rng: Rng;
  private readonly connectLatency: Histogram;
  /** The backend a redispatch leaves (reused: picks allocate nothing). */
  private readonly failed = new BackendSet();

  constructor(private readonly w: World) {
    this.rng = w.streams.stream('lb.pick');
    this.connectLatency = w.metrics.histogram('connect_latency');
  }

  connect(conn: Conn, handler: FlowDownstream): void {
    conn.connectStartedAt = this.w.now;
    this.w.assignTuple(conn);
    const b = this.w.lb.pick(this.rng, this.w.clientIp(conn));
    if (b < 0) {
      this.w.trace.emitLimited('lb-no-server', { kind: 'lb.no_server' });
      handler.connectFailed(conn, ErrorKind.ECONNREFUSED, -1);
      return;
    }
    this.attempt({ conn, handler, retriesLeft: this.w.scenario.lb.retries, backend: b });
  }

  /**
   * A client packet on an open flow. A flow the LB forgot (hard removal) is answered with RST,
   * and the backend side is reset too while nginx still holds it; the flow ends.
   */
  forwardsClientPacket(conn: Conn): boolean {
    if (conn.lbFlow !== LbFlow.FORGOTTEN) return true;
    const w = this.w;
    const b = conn.backend;
    w.metrics.inc(w.c.resetOut, b);
    const backend = w.backends[b];
    if (backend.conns.has(conn) && backend.nginx.running) {
      w.metrics.inc(w.c.resetIn, b);
      const http = w.scenario.clients.http;
      w.trace.emitLimited(`lb-rst-in-${b}`, { kind: 'nginx.reset_reading_request', backend: backend.name, retries: http.retries, retryBackoff: http.retry_backoff });
    }
    w.end(conn, EndKind.RESET);
    return false;
  }

  private attempt(a: Attempt): void {
    const w = this.w;
    const backend = w.backends[a.backend];
    if (!backend.hostUp) {
      w.engine.schedule(w.scenario.lb.connect_timeout, this.retry, a);
      return;
    }
    if (!backend.nginx.listening) {
      // Nothing listens on :443 any more: the VM's kernel answers the SYN with RST.
      w.metrics.inc(w.c.resetIn, a.backend);
      w.engine.schedule(w.scenario.lb.retry_interval, this.retry, a);
      return;
    }
    w.attach(a.conn, a.backend);
    w.engine.schedule(w.scenario.clients.rtt, this.established, a);
  }

  private readonly established = (a: Attempt): void => {
    if (a.conn.backend !== a.backend || a.conn.lbFlow === LbFlow.NONE) return;
    this.connectLatency.record(this.w.now - a.conn.connectStartedAt);
    a.handler.connected(a.conn);
  };

  private readonly retry = (a: Attempt): void => {
    const w = this.w;
    const vanished = !w.backends[a.backend].hostUp;
    if (a.retriesLeft <= 0) {
      const lb = w.scenario.lb;
      w.trace.emitLimited(`lb-connect-fail-${a.backend}`, {
        kind: 'lb.connect_failed',
        backend: w.backends[a.backend].name,
        retries: lb.retries,
        cause: vanished ? 'timeout' : 'refused',
        connectTimeout: lb.connect_timeout,
        retryInterval: lb.retry_interval,
        redispatch: lb.redispatch,
      });
      a.handler.connectFailed(a.conn, vanished ? ErrorKind.ETIMEDOUT : ErrorKind.ECONNREFUSED, a.backend);
      return;
    }
    a.retriesLeft--;
    if (a.retriesLeft === 0 && w.scenario.lb.redispatch) {
      const other = w.lb.pick(this.rng, w.clientIp(a.conn), this.failed.only(a.backend));
      if (other >= 0) a.backend = other;
    }
    this.attempt(a);
  };
}
