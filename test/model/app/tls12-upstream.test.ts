/**
 * TLS 1.2 on nginx's upstream connection to an app that ends TLS behind the VM's nginx
 * (`proxy_pass https://`): `nginx.proxy_ssl_protocol`, default 1.2 as nginx 1.22.1's
 * proxy_ssl_protocols (ngx_http_proxy_merge_loc_conf), whatever the clients' `app.tls.protocol`.
 * nginx is the TLS client of its upstream connection, and sends the request once
 * SSL_do_handshake reports the handshake done (ngx_ssl_handshake, ngx_http_upstream_ssl_handshake
 * → ngx_http_upstream_send_request). A full TLS 1.2 handshake puts the request two round trips
 * (`nginx.upstream_rtt`) after the app's flight, a resumed one (or any TLS 1.3 one) one
 * (app/tls-protocol.ts roundTripsToRequest; app/tls.ts TlsHandshakes flightOut). Before: one
 * round trip whatever the protocol.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { NginxUpstreamTlsFull } from '../../../sim/trace/records.js';
import { run } from '../helpers.js';

/** One client connection a second, one request each, on an idle app; nginx 20 ms from the app. */
function one(tls: Record<string, unknown>, proxySslProtocol?: string): RunResult {
  return run({
    warmup: '0s',
    horizon: '20s',
    clients: { http: { arrival_rate: 1, requests_per_connection: 'const(1)', think_time: 'const(10ms)' } },
    app: { workers: 2, service_time: 'const(1ms)', tls },
    nginx: {
      upstream_rtt: '20ms',
      ...(proxySslProtocol === undefined ? {} : { proxy_ssl_protocol: proxySslProtocol }),
    },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput);
}

const p50 = (r: RunResult) => r.figures['request_latency.p50'] ?? Number.NaN;
const FULL = { terminates: 'app', handshake_cpu: '50ms', session_tickets: false };

describe("TLS 1.2 on nginx's upstream connection to the app", () => {
  it('a full handshake: the request two upstream round trips after the flight (+50 ms + 2 × 20 ms)', () => {
    const plain = one({});
    const tls13 = one(FULL, '1.3');
    const tls12 = one(FULL, '1.2');
    expect(p50(tls13) - p50(plain)).toBeCloseTo(0.07, 3);
    expect(p50(tls12) - p50(plain)).toBeCloseTo(0.09, 3);
  });

  it('a resumed handshake (nginx offers its saved session): one round trip, as TLS 1.3', () => {
    const plain = one({});
    // resumed_handshake_cpu defaults to 0 with 1.2: only the round trip is left.
    const tls12 = one({ terminates: 'app', handshake_cpu: '50ms' }, '1.2');
    expect(p50(tls12) - p50(plain)).toBeCloseTo(0.02, 3);
  });

  it("a resumed TLS 1.2 handshake brings no new ticket: nginx's session expires session_timeout after its full handshake", () => {
    // One upstream connection a second (one nginx worker), session_timeout 5 s: used every second,
    // the session still ages from the handshake that made it (TLS 1.3 renews it at each).
    const fullsOf = (protocol: string) =>
      one({ terminates: 'app', session_timeout: '5s' }, protocol)
        .events.filter((l) => l.record.kind === 'nginx.upstream_tls_full')
        .map((l) => (l.record as NginxUpstreamTlsFull).why);
    expect(fullsOf('1.3')).toEqual(['first']);
    const tls12 = fullsOf('1.2');
    expect(tls12[0]).toBe('first');
    expect(tls12.filter((why) => why === 'expired').length).toBeGreaterThanOrEqual(2);
  });

  it('by default (clients on 1.3, nginx 1.22.1 on 1.2 upstream) a resumed handshake costs 0 and a full one comes session_timeout after the first', () => {
    // One upstream connection a second on one nginx worker, the defaults of app.tls and nginx but
    // a 5-s session_timeout: the clients' protocol 1.3 does not make nginx's upstream leg 1.3.
    const r = one({ terminates: 'app', handshake_cpu: '50ms', session_timeout: '5s' });
    const fulls = r.events.filter((l) => l.record.kind === 'nginx.upstream_tls_full');
    const rec = fulls.map((l) => l.record as NginxUpstreamTlsFull);
    expect(rec[0].why).toBe('first');
    expect(rec[1].why).toBe('expired');
    // The session ages from the first full handshake (a resumed 1.2 one brings no ticket): the
    // next full one is the first connection after session_timeout, within the 1-s arrival gap.
    const gap = fulls[1].t - fulls[0].t;
    expect(gap).toBeGreaterThan(5);
    expect(gap).toBeLessThan(7);
    // Resumed handshakes cost nothing: a request on one pays only the round trip (as plaintext + 20 ms).
    expect(p50(r) - p50(one({}))).toBeCloseTo(0.02, 3);
  });
});
