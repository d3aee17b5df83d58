/**
 * `app.keepalive: close` behind the VM's nginx: a gunicorn sync worker (workers/sync.py
 * SyncWorker.handle_request: `resp.force_close()`) answers `Connection: close` and closes the
 * connection after every response. ngx_http_proxy_process_header (ngx_http_proxy_module.c) then
 * leaves u->keepalive 0 and ngx_http_upstream_free_keepalive_peer
 * (ngx_http_upstream_keepalive_module.c) does not cache the connection (`goto invalid`): nginx
 * connects anew for every request, upstream keepalive or not, and the app holds the TIME_WAITs.
 * Before session 25 the key was refused behind nginx (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { totalIn } from '../../calibration/heldout-table.js';
import { fig, syncWorkerApps } from '../app/keepalive-close-fixture.js';
import { run } from '../helpers.js';

describe('app.keepalive: close behind nginx', () => {
  it('nginx caches none of its upstream connections: one connect per request (keep: < 0.1×), the VMs hold the TIME_WAITs', () => {
    const close = run(syncWorkerApps('nginx', 'close'));
    const keep = run(syncWorkerApps('nginx'));
    const requests = fig(close, 'requests.total');
    expect(requests).toBeGreaterThan(2500);
    expect(fig(close, 'errors.total')).toBe(0);
    expect(fig(close, 'upstream_connects.total')).toBeGreaterThan(0.99 * requests);
    // The app closed first: its VM holds the TIME_WAITs.
    expect(totalIn(close, 'time_wait', 20, 30)).toBeGreaterThan(0);
    expect(fig(keep, 'requests.total')).toBeGreaterThan(0.99 * requests);
    expect(fig(keep, 'upstream_connects.total')).toBeLessThan(0.1 * requests);
  });
});
