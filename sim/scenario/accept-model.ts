/**
 * Validation of `app.accept_model` and `app.accept_batch` (schema.ts AppSchema): `event_loop` is one loop on one thread,
 * so it needs `app.workers: 1` where it applies (scenario-wide or a backend's own `app`). N event
 * loops sharing one listening socket — node cluster's round-robin, uvicorn --workers N, each loop
 * accept()ing when its own iteration polls — are not modelled, and refused rather than simulated
 * as one loop N requests wide.
 */
import type { z } from 'zod';

/** What this check reads of a parsed scenario (structural: schema.ts calls it from its refinement). */
interface AcceptModelView {
  app: { workers: number; accept_model?: string; accept_batch?: number };
  backends: Array<{
    name: string;
    proxy?: string;
    app?: { workers?: number; accept_model?: string; accept_batch?: number };
  }>;
}

export function checkAcceptModel(s: AcceptModelView, ctx: z.core.$RefinementCtx<unknown>): void {
  const batchIssue = (path: Array<string | number>, who: string): void =>
    ctx.addIssue({
      code: 'custom',
      path,
      message: `${who} one connection per worker (accept_model: worker_per_connection, written or by default) — accept_batch is an event loop's accept() count per iteration`,
      params: { expected: 'accept_batch with accept_model: event_loop (or a bare app with workers: 1)' },
    });
  let loops = 0;
  s.backends.forEach((b, i) => {
    const own = b.app?.accept_model;
    const model = own ?? s.app.accept_model;
    const workers = b.app?.workers ?? s.app.workers;
    // As sim/model/app/accept-model.ts acceptsByEventLoop: unset, a bare one-worker app is an event loop.
    const loop =
      (model ?? (b.proxy === 'none' && workers === 1 ? 'event_loop' : 'worker_per_connection')) === 'event_loop';
    if (loop) loops++;
    else if (b.app?.accept_batch !== undefined)
      batchIssue(['backends', i, 'app', 'accept_batch'], `backend '${b.name}' takes`);
    if (model !== 'event_loop' || workers === 1) return;
    // Point at the key that made this backend an event loop (its own, else the scenario-wide one).
    const path = own !== undefined ? ['backends', i, 'app', 'accept_model'] : ['app', 'accept_model'];
    ctx.addIssue({
      code: 'custom',
      path,
      message: `backend '${b.name}' has accept_model: event_loop with app.workers ${workers} — one event loop is one worker; N loops sharing a listening socket (node cluster, uvicorn --workers N) are not modelled: set app.workers: 1, or accept_model: worker_per_connection for workers that each take one connection`,
      params: { expected: 'event_loop with app.workers: 1, or worker_per_connection' },
    });
  });
  if (s.app.accept_batch !== undefined && loops === 0) batchIssue(['app', 'accept_batch'], 'every backend takes');
}
