import type { Conn } from '../core/conn.js';
import type { FlowDownstream } from '../core/hop.js';
import { ErrorKind } from '../core/series.js';
import type { World } from '../core/world.js';

/**
 * A client connect()s to the balancer's address, whatever the balancer does next (an L4 proxy or
 * NAT towards a backend, an L7 frontend that terminates the connection): its machine picks the
 * source port. False when it has none: connect() fails with EADDRNOTAVAIL on the client machine
 * (`__inet_hash_connect()`, net/ipv4/inet_hashtables.c) and `downstream` has been told.
 */
export function clientConnects(w: World, conn: Conn, downstream: FlowDownstream): boolean {
  conn.connectStartedAt = w.now;
  if (w.assignTuple(conn)) return true;
  w.trace.emitLimited('client-eaddrnotavail', {
    kind: 'client.no_port',
    portRange: w.scenario.clients.kernel.ip_local_port_range,
  });
  downstream.connectFailed(conn, ErrorKind.EADDRNOTAVAIL, -1);
  return false;
}
