/**
 * nginx takes an idle connection from its worker's upstream keep-alive cache before it connects
 * (ngx_http_upstream_connect → ngx_event_connect_peer → pc->get: ngx_http_upstream_get_keepalive_peer,
 * src/http/modules/ngx_http_upstream_keepalive_module.c, NGX_DONE with a cached connection: no
 * connect()). A node app draining after its SIGTERM (server.close(): its listener closed, the
 * connections idle then closed, lib/_http_server.js httpServerPreClose → closeIdleConnections) keeps
 * serving on the connections that were busy then and answers with `Connection: keep-alive`
 * (app-process.ts keepsAliveDraining), so nginx caches them again after their response and its next
 * requests go on them: answered, not refused. Only a request that finds no cached connection
 * connect()s and meets the closed listener: ECONNREFUSED, 502 (proxy/upstream.ts handle).
 * Regime: one pod, nginx with upstream keepalive 32 and one worker, 10 requests/s (one per client
 * connection, paced) half of them 1.5 s long, behind kube-proxy; a maintenance file at 2.2 s fails
 * the liveness probe at 3 s, the kubelet SIGTERMs the app, which drains (its new requests keep it
 * busy: it lives on to the grace period's kill). Before: every request after the SIGTERM got 502,
 * and the connections idle at the SIGTERM stayed in nginx's cache until the app's exit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, valueAt } from '../helpers.js';
import { livenessKillBehindNginx } from '../liveness-kill-behind-nginx.js';

function draining(
  keepalive: 'keep' | 'close',
  service = 'mix(0.5 const(5ms), 0.5 const(1500ms))',
  loadStops?: string,
): RunResult {
  const app = { workers: 32, service_time: service, keepalive };
  return run(livenessKillBehindNginx(app, loadStops ? [{ at: loadStops, do: 'load', http_rate: 0 }] : []), 1);
}

describe("nginx's upstream keep-alive cache in front of a draining node app", () => {
  let keep: RunResult;
  let close: RunResult;
  beforeAll(() => {
    keep = draining('keep');
    close = draining('close');
  });

  it('answers the requests sent after the SIGTERM on cached connections: 200, not 502', () => {
    // Requests in flight at the SIGTERM are answered by 4.5 s (counters by the second: from 5 s on), only requests sent after it.
    // Before: 0 (every one refused, 502).
    expect(between(keep, 'responses_2xx', 5, 10)).toBeGreaterThan(30);
    // The connections idle at the SIGTERM are gone with it (server.close() closed them): the
    // requests before the busy ones come back into the cache connect() and are refused.
    expect(between(keep, 'responses_5xx', 3, 4)).toBeGreaterThan(0);
    // Those that found every cached connection busy connect()ed and were refused: a few.
    expect(between(keep, 'responses_5xx', 5, 10)).toBeLessThan(between(keep, 'responses_2xx', 5, 10));
    // The regime: the SIGTERM at 3 s, the app still up (draining: its new requests keep it busy) at the horizon.
    const [failed] = recordsOf(keep, 'k8s.liveness_failed');
    expect(failed.t).toBeCloseTo(3, 1);
    expect(recordsOf(keep, 'k8s.container_died')).toHaveLength(0);
  });

  it("closes the cached connections idle at the SIGTERM (the app's server.close()), keeps those busy then", () => {
    // Every request 1.5 s long, the load stopped at 2.8 s: at the SIGTERM (3.001 s) some
    // connections idle in nginx's cache, the app busy on others until 4.21 s. At 4 s nginx's
    // upstream ports are at most those busy at 3 s (in flight, or cached again after their
    // response; app_busy also counts a liveness probe being served). Before (no close at the
    // SIGTERM): the idle ones too, as many as at 3 s.
    const r = draining('keep', 'const(1500ms)', '2.8s');
    expect(valueAt(r, 'app_busy', 3)).toBeGreaterThan(5);
    expect(valueAt(r, 'upstream_ports_busy', 4)).toBeLessThan(valueAt(r, 'upstream_ports_busy', 3));
    expect(valueAt(r, 'upstream_ports_busy', 4)).toBeLessThanOrEqual(valueAt(r, 'app_busy', 3));
  });

  it('refuses them all when the app closes after every response (nothing cached): 502 as before', () => {
    expect(between(close, 'responses_2xx', 5, 10)).toBe(0);
    // Every request fails: nginx's 502 until the pod's NotReady reaches kube-proxy (7.76 s on seed 1:
    // the container died at 4.5, 6 and 7 s and the Service's changes land together, session 29's
    // ServiceEndpoints.publishedAt), then kube-proxy's REJECT (ECONNREFUSED): 28 + 22 of 50.
    expect(between(close, 'responses_5xx', 5, 7)).toBeGreaterThan(15);
    expect(between(close, 'errors', 5, 10)).toBeGreaterThan(40);
  });
});
