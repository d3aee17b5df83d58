/**
 * Validation of `app.dependency_down` (schema.ts AppSchema): `wait` is a pool that blocks until
 * `db_pool.connection_timeout` (HikariCP's getConnection()), so it needs a `db_pool` where it
 * applies (scenario-wide or a backend's own `app`, merged key by key as topology.ts does). An
 * unbounded pool has no timeout to wait for: refused rather than waiting forever by default.
 */
import type { z } from 'zod';

/** What this check reads of a parsed scenario (structural: schema.ts calls it from its refinement). */
interface DbPoolView {
  app: { dependency_down?: string; db_pool?: object };
  backends: Array<{ name: string; app?: { dependency_down?: string; db_pool?: object } }>;
}

export function checkDbPool(s: DbPoolView, ctx: z.core.$RefinementCtx<unknown>): void {
  const reported = new Set<string>();
  s.backends.forEach((b, i) => {
    const own = b.app?.dependency_down;
    if ((own ?? s.app.dependency_down) !== 'wait' || (b.app?.db_pool ?? s.app.db_pool) !== undefined) return;
    const path = own !== undefined ? ['backends', i, 'app', 'dependency_down'] : ['app', 'dependency_down'];
    if (reported.has(path.join('.'))) return;
    reported.add(path.join('.'));
    ctx.addIssue({
      code: 'custom',
      path,
      message: `needs app.db_pool${own !== undefined ? ` (backend '${b.name}')` : ''} — \`wait\` is a pool that blocks for its connection_timeout (HikariCP); without a pool a down database fails fast (dependency_down: fail_fast)`,
      params: { expected: 'dependency_down: wait with an app.db_pool, or fail_fast' },
    });
  });
}
