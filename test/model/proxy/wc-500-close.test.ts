/**
 * nginx's own 500 — an upstream connect with no connection free in its worker (worker_connections;
 * ngx_http_upstream_connect: ngx_event_connect_peer NGX_ERROR) — ends keep-alive: nginx 1.22.1
 * ngx_http_special_response_handler (src/http/ngx_http_special_response.c) clears r->keepalive for
 * 500, and ngx_http_finalize_connection closes the connection behind the response (FIN, nginx
 * first). The client's retry goes on a new connection, accepted again (proxy/client-conns.ts
 * respondClosing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Status } from '../../../sim/model/core/app-job.js';
import type { Conn } from '../../../sim/model/core/conn.js';
import { LbFlow } from '../../../sim/model/core/flow.js';
import { NginxClientConns } from '../../../sim/model/proxy/client-conns.js';
import { WORKER_OWN_CONNECTIONS, WorkerConnections } from '../../../sim/model/proxy/worker-connections.js';
import { run } from '../helpers.js';
import { wcBurst } from './wc-burst-fixture.js';

type Answer = (this: NginxClientConns, conn: Conn, status: Status) => void;
type Admit = (this: WorkerConnections, ...a: Parameters<WorkerConnections['admit']>) => boolean;
const front = NginxClientConns.prototype as unknown as Record<string, Answer>;
const limits = WorkerConnections.prototype as unknown as { admit: Admit };
const saved = { respond: front.respond, respondClosing: front.respondClosing, admit: limits.admit };

afterEach(() => {
  front.respond = saved.respond;
  front.respondClosing = saved.respondClosing;
  limits.admit = saved.admit;
});

interface Seen {
  /** nginx's own 500s answered. */
  fives: number;
  /** Of them, the client connection still open right after the answer. */
  keptOpen: number;
  /** Requests retried after a 500 that reached nginx's accept on the same connection (client port). */
  sameConnection: number;
  /** ... and on a new one. */
  newConnection: number;
}

/** Runs the burst with `worker_connections`, watching each 500 and the next accept of its client. */
function watch(workerConnections: number): Seen {
  const seen: Seen = { fives: 0, keptOpen: 0, sameConnection: 0, newConnection: 0 };
  const portAt500 = new Map<Conn, number>();
  const observe = (original: Answer | undefined): Answer =>
    function (this: NginxClientConns, conn, status) {
      const port = conn.clientPort;
      original!.call(this, conn, status);
      if (status !== Status.INTERNAL_ERROR) return;
      seen.fives++;
      if (conn.lbFlow !== LbFlow.NONE) seen.keptOpen++;
      portAt500.set(conn, port);
    };
  front.respond = observe(saved.respond);
  if (saved.respondClosing !== undefined) front.respondClosing = observe(saved.respondClosing);
  limits.admit = function (backend, conn) {
    const port = portAt500.get(conn);
    if (port !== undefined) {
      portAt500.delete(conn);
      if (port === conn.clientPort) seen.sameConnection++;
      else seen.newConnection++;
    }
    return saved.admit.call(this, backend, conn);
  };
  run(wcBurst({ worker_connections: workerConnections }), 1);
  return seen;
}

describe("nginx's own 500 (no worker connection for the upstream connect)", () => {
  it('closes the client connection behind the response; the retry comes on a new connection', () => {
    // Room for 12 requests in flight and one connection over: a request accepted into it finds
    // none for its upstream connect.
    const seen = watch(WORKER_OWN_CONNECTIONS + 2 * 12 + 1);
    expect(seen.fives).toBeGreaterThan(20);
    expect(seen.keptOpen).toBe(0);
    expect(seen.sameConnection).toBe(0);
    expect(seen.newConnection).toBeGreaterThan(20);
  });
});
