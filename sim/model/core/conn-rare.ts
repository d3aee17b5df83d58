import { preferDoubleFields } from '../../engine/double-fields.js';
import type { Status } from './app-job.js';
import type { Req } from './request.js';

/**
 * The fields of a client record (conn.ts) that keep their defaults in most runs: retries and
 * their backoff, an HTTP status other than 200, TLS worker threads, an L7 balancer's stream,
 * an L4 NAT's idle clock, nginx's SYN retries. Eight fields (two of them boxed doubles) are ~100
 * bytes a record: at 100k clients ~9 MB of live heap
 * (issue 14: peak RSS at drain 100k). A record makes its own the first time one of them is
 * written a value other than its default (Conn's setters) and keeps it for its life; until then
 * Conn's getters return the defaults. Same values read either way: a layout, not a behaviour.
 */
export class ConnRare {
  status: Status = 200;
  /** Attempt number of the current logical request (0 = first try). */
  attempt = 0;
  /** The nginx worker that holds the connection, when TLS ends in nginx (proxy/worker-cpu.ts). */
  nginxWorker = 0;
  /** The balancer thread that holds the connection when TLS ends at the balancer (−1: none). */
  lbThread = -1;
  /** SYNs sent so far for the current upstream connect (accept-queue drops). */
  synAttempt = 0;
  /** Behind an L7 balancer: its stream for the client's current request, or null. */
  stream: Req | null = null;
  lbSeenAt = 0;
  lastBackoff = 0;

  // Times: double fields from the start (engine/double-fields.ts).
  static {
    preferDoubleFields(new ConnRare(), ['lbSeenAt', 'lastBackoff']);
  }
}
