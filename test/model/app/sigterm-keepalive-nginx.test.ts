/**
 * `app.sigterm_keepalive` behind nginx: nginx takes a cached upstream connection before it
 * connects (ngx_http_upstream_get_keepalive_peer), so what a draining app does with the
 * connections busy at its SIGTERM decides whether nginx's next requests are served. `keep` (node's
 * http.Server.close(): resOnFinish keeps the socket, `Connection: keep-alive`) caches them again
 * and serves on them; `close` (Go's Shutdown(); gunicorn's force_close once not alive, whose
 * idle connections at the SIGTERM are sigterm-keepalive-gunicorn.test.ts's) answers
 * `Connection: close`, nothing is cached, and every later request connect()s to the closed
 * listener: 502. Before session 26 the key was refused behind nginx (exit 2).
 * Regime: one pod, nginx (one worker, upstream keepalive 32), 10 requests/s (one per client
 * connection, paced) half of them 1.5 s long, behind kube-proxy; a maintenance file at 2.2 s fails
 * the liveness probe at 3 s; the app drains with nginx still running.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { between, run } from '../helpers.js';
import { livenessKillBehindNginx } from '../liveness-kill-behind-nginx.js';

function killed(sigterm_keepalive: 'keep' | 'close'): RunResult {
  const app = { workers: 32, service_time: 'mix(0.5 const(5ms), 0.5 const(1500ms))', sigterm_keepalive };
  return run(livenessKillBehindNginx(app), 1);
}

describe('app.sigterm_keepalive behind nginx, in a liveness kill', () => {
  let keep: RunResult;
  let close: RunResult;
  beforeAll(() => {
    keep = killed('keep');
    close = killed('close');
  });

  it('keep: the requests after the SIGTERM are served on the connections nginx cached again', () => {
    expect(between(keep, 'responses_2xx', 5, 10)).toBeGreaterThan(30);
  });

  it('close: nothing is cached after the SIGTERM, every later request is refused (502)', () => {
    expect(between(close, 'responses_2xx', 5, 10)).toBe(0);
    // Every request fails: nginx's 502 until the pod's NotReady reaches kube-proxy (7.76 s on seed 1:
    // the container died at 4.5, 6 and 7 s and the Service's changes land together, session 29's
    // ServiceEndpoints.publishedAt), then kube-proxy's REJECT (ECONNREFUSED): 28 + 22 of 50.
    expect(between(close, 'responses_5xx', 5, 7)).toBeGreaterThan(15);
    expect(between(close, 'errors', 5, 10)).toBeGreaterThan(40);
  });
});
