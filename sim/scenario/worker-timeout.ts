/**
 * Validation of `app.worker_timeout` (schema.ts AppSchema): gunicorn's arbiter timeout, read only
 * on a gunicorn app (`sigterm_keepalive: gunicorn`, `gunicorn-23` or `gunicorn-20`, the model's
 * only way of saying the app is gunicorn) whose workers each take one connection (sync, gthread).
 * An event loop (a gevent or eventlet worker) is refused: its timeout would fire when a job blocks
 * the loop past it (workers/ggevent.py run(): `self.notify()` then `gevent.sleep(1.0)` in the
 * main greenlet), which kills every connection of the process — not modelled.
 */
import type { z } from 'zod';

/** What this check reads of a parsed scenario (structural: schema.ts calls it from its refinement). */
interface AppView {
  workers?: number;
  accept_model?: string;
  sigterm_keepalive?: string;
  worker_timeout?: number;
}
interface WorkerTimeoutView {
  app: AppView & { workers: number };
  backends: Array<{ name: string; proxy?: string; app?: AppView }>;
}

const GUNICORN = new Set(['gunicorn', 'gunicorn-23', 'gunicorn-20']);

export function checkWorkerTimeout(s: WorkerTimeoutView, ctx: z.core.$RefinementCtx<unknown>): void {
  s.backends.forEach((b, i) => {
    const own = b.app?.worker_timeout;
    if ((own ?? s.app.worker_timeout) === undefined) return;
    const path = own !== undefined ? ['backends', i, 'app', 'worker_timeout'] : ['app', 'worker_timeout'];
    const server = b.app?.sigterm_keepalive ?? s.app.sigterm_keepalive ?? 'keep';
    if (!GUNICORN.has(server)) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `backend '${b.name}' has app.worker_timeout but sigterm_keepalive ${server} — worker_timeout is gunicorn's arbiter timeout (--timeout), read only on a gunicorn app: set sigterm_keepalive: gunicorn, gunicorn-23 or gunicorn-20`,
        params: { expected: 'app.sigterm_keepalive: gunicorn, gunicorn-23 or gunicorn-20' },
      });
      return;
    }
    // As sim/model/app/accept-model.ts acceptsByEventLoop: unset, a bare one-worker app is an event loop.
    const workers = b.app?.workers ?? s.app.workers;
    const model = b.app?.accept_model ?? s.app.accept_model;
    const loop =
      (model ?? (b.proxy === 'none' && workers === 1 ? 'event_loop' : 'worker_per_connection')) === 'event_loop';
    if (loop)
      ctx.addIssue({
        code: 'custom',
        path,
        message: `backend '${b.name}' is an event loop (accept_model: event_loop, written or by default for a bare app with workers: 1) — gunicorn's worker timeout on an async (gevent, eventlet) worker, which fires when a job blocks the loop and kills every connection of the process, is not modelled: write accept_model: worker_per_connection for sync or gthread workers`,
        params: { expected: 'accept_model: worker_per_connection (gunicorn sync or gthread workers)' },
      });
  });
}
