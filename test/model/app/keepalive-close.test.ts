/**
 * `app.keepalive: close` — a gunicorn sync worker (workers/sync.py SyncWorker.handle_request:
 * `resp.force_close()` on every request) answers every response `Connection: close` and closes
 * the connection after it. Keep-alive clients of a bare app server behind lb.mode l4 or nat then
 * open one connection per request, the app's VM holding each TIME_WAIT; with the default (keep,
 * node or gunicorn gthread) they keep their connection for all its requests.
 */
import { describe, expect, it } from 'vitest';
import { writtenBareIssues } from '../../../sim/scenario/bare-backends.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { run } from '../helpers.js';
import { fig, syncWorkerApps } from './keepalive-close-fixture.js';

describe('app.keepalive: close (gunicorn sync workers)', () => {
  it('keep-alive clients open one connection per request; the app closes each (FIN), its VM holds the TIME_WAITs', () => {
    for (const mode of ['l4', 'nat'] as const) {
      const close = run(syncWorkerApps(mode, 'close'));
      const keep = run(syncWorkerApps(mode));
      const requests = fig(close, 'requests.total');
      expect(requests).toBeGreaterThan(2500);
      expect(fig(close, 'new_conn.total')).toBeGreaterThan(0.99 * requests);
      expect(fig(close, 'closed_fin.total')).toBeGreaterThan(0.95 * requests);
      expect(fig(close, 'errors.total')).toBe(0);
      expect(totalIn(close, 'time_wait', 20, 30)).toBeGreaterThan(0);
      // Kept alive, each client's 20 requests ride one connection.
      expect(fig(keep, 'requests.total')).toBeGreaterThan(0.99 * requests);
      expect(fig(keep, 'new_conn.total')).toBeLessThan(0.06 * requests);
    }
  });

  it('needs no keepalive_timeout; accepted behind lb.mode l7 and behind nginx (test/model/lb/l7-app-closes.test.ts, proxy/upstream-app-closes.test.ts)', () => {
    const without = (keepalive?: 'close') => {
      const input = syncWorkerApps('l4', keepalive) as { app: Record<string, unknown> };
      delete input.app.keepalive_timeout;
      return input;
    };
    expect(writtenBareIssues(without('close'))).toEqual([]);
    expect(writtenBareIssues(without()).map((i) => i.path.join('.'))).toEqual([
      'backends.0.app.keepalive_timeout',
      'backends.1.app.keepalive_timeout',
    ]);
    const l7 = { ...syncWorkerApps('l4', 'close'), lb: { mode: 'l7' } } as ScenarioInput;
    expect(ScenarioSchema.safeParse(l7).success).toBe(true);
    const nginx = { ...syncWorkerApps('l4', 'close'), backends: [{ name: 'vm-a' }] } as ScenarioInput;
    expect(ScenarioSchema.safeParse(nginx).success).toBe(true);
  });
});
