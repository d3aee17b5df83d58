import type { Backend } from './backend.js';

/**
 * After its SIGTERM a pod's app exits once it has nothing left open: its process calls
 * `server.close(() => process.exit())`, and node fires that callback only when every socket of
 * the server has closed (lib/net.js Server.prototype.close → _emitCloseIfDrained: `if
 * (this._handle || this._connections) return` — a kept-alive socket counts in _connections).
 * So it waits for:
 * - no request in hand or queued (busyWorkers, appQueueLength), its shutdown delay over (lameDuck:
 *   still serving, not yet exiting);
 * - when it still reads kept connections while draining (app-process.ts servesKeptConnsDraining:
 *   node's http.Server.close() closed only those idle at the SIGTERM; gunicorn's gthread worker
 *   closed none and loops while nr_conns > 0, workers/gthread.py run()), no connection left in
 *   nginx's upstream keep-alive cache: each stays open until nginx's upstream keepalive_timeout or
 *   the app's own keepalive_timeout closes it idle, whichever comes first (proxy/upstream.ts
 *   idleTimerFired drops it from the cache then), and one nginx keeps reusing stays open — the app
 *   then runs to the grace period's SIGKILL (gunicorn's worker: to its graceful_timeout). An app
 *   that closes after its response (`sigterm_keepalive: close`, stoppable) leaves none cached;
 *   gunicorn's idle ones end at its keepalive_timeout or after one more request each.
 */
export function appCanExit(backend: Backend): boolean {
  if (backend.busyWorkers !== 0 || backend.appQueueLength !== 0 || backend.app.lameDuck) return false;
  return !backend.app.servesKeptConnsDraining || backend.upstreamPool.length === 0;
}
