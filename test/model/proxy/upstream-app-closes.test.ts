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
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** 10 keep-alive clients a second, 20 requests each 200 ms apart, through nginx with upstream keepalive 32 to 8 sync workers. */
function behindNginx(keepalive?: 'close'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 10, requests_per_connection: 'const(20)', think_time: 'const(200ms)', retries: 0 },
    },
    app: {
      workers: 8,
      accept_model: 'worker_per_connection',
      service_time: 'const(20ms)',
      ...(keepalive ? { keepalive } : {}),
    },
    nginx: { upstream_keepalive: 32 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [],
  } as ScenarioInput;
}

describe('app.keepalive: close behind nginx', () => {
  it('nginx caches none of its upstream connections: one connect per request (keep: < 0.1×), the VMs hold the TIME_WAITs', () => {
    const close = run(behindNginx('close'));
    const keep = run(behindNginx());
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
