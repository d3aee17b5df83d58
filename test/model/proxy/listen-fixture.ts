/**
 * One nginx generation of `workers` workers on its listening socket, driven through the model's
 * own accept path (Nginx.accept → its ListenWaitQueue), so tests of which worker accepts exercise
 * exactly what a run does. Without `reuseport`: one socket shared by all, EPOLLEXCLUSIVE.
 */
import { ConnKind, newClientRecord } from '../../../sim/model/core/conn.js';
import { Nginx } from '../../../sim/model/proxy/nginx.js';
import type { NginxWorkers } from '../../../sim/model/proxy/worker-queues.js';
import { NginxSchema } from '../../../sim/scenario/schema.js';

/** worker_connections under which `disabled` is told (any limit works: free 0 vs free = limit). */
const LIMIT = 64;

export interface Listener {
  readonly nginx: Nginx;
  /** The generation's workers as CPU queues (run() makes a worker busy). */
  readonly cpu: NginxWorkers;
  /**
   * The worker that accepts a new connection at `now`. `disabled(k)`: worker k has fewer than
   * worker_connections / 8 free (ngx_accept_disabled > 0); `refuses(k)`: it has none and none
   * reusable (ngx_get_connection returns NULL).
   */
  accept(now: number, disabled?: (worker: number) => boolean, refuses?: (worker: number) => boolean): number;
}

export function sharedListener(workers: number): Listener {
  const nginx = new Nginx(NginxSchema.parse({ worker_processes: workers, worker_connections: LIMIT }));
  let port = 40000;
  return {
    nginx,
    cpu: nginx.generations[0].cpu,
    accept(now, disabled = () => false, refuses = () => false) {
      nginx.freeConnections = (_gen, worker) => (disabled(worker) ? 0 : LIMIT);
      nginx.refusesAccept = (_gen, worker) => refuses(worker);
      const c = newClientRecord(port, ConnKind.HTTP);
      c.clientPort = port++;
      nginx.accept(c, now, false);
      return c.nginxWorker;
    },
  };
}
