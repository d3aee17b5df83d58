/**
 * `app.keepalive: close` behind lb.mode l7: a bare gunicorn sync worker (workers/sync.py
 * SyncWorker.handle_request: `resp.force_close()`) answers `Connection: close` and closes the
 * connection after every response, so HAProxy does not reuse its server connection (mux_h1.c
 * h1_set_srv_conn_mode: the response's explicit close sets H1S_F_WANT_CLO): one server connection per request,
 * the app's VM holding the TIME_WAITs. Before session 25 the key was refused behind l7 (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { totalIn } from '../../calibration/heldout-table.js';
import { fig, syncWorkerApps } from '../app/keepalive-close-fixture.js';
import { run } from '../helpers.js';

describe('app.keepalive: close behind lb.mode l7', () => {
  it('HAProxy reuses none of its server connections: one per request (keep: < 0.1×), the VMs hold the TIME_WAITs', () => {
    const close = run(syncWorkerApps('l7', 'close'));
    const keep = run(syncWorkerApps('l7'));
    const requests = fig(close, 'requests.total');
    expect(requests).toBeGreaterThan(2500);
    expect(fig(close, 'errors.total')).toBe(0);
    expect(fig(close, 'lb_conns_opened.total')).toBeGreaterThan(0.99 * requests);
    expect(fig(close, 'lb_conns_reused.total')).toBe(0);
    // The app closed first: its VM holds the TIME_WAITs.
    expect(totalIn(close, 'time_wait', 20, 30)).toBeGreaterThan(0);
    expect(fig(keep, 'requests.total')).toBeGreaterThan(0.99 * requests);
    expect(fig(keep, 'lb_conns_opened.total')).toBeLessThan(0.1 * requests);
  });
});
