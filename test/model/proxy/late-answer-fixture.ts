/**
 * Shared by the tests of nginx's upstream close before the app's answer (client-closed-fin-wait2,
 * read-timeout-fin-wait2): nginx closes the upstream connection with the request unanswered — at
 * the client's give-up (499) or at proxy_read_timeout (504) — and its end waits in FIN_WAIT2 for
 * the app's late write (ngx_http_upstream_finalize_request → ngx_close_connection, nginx 1.22.1
 * src/http/ngx_http_upstream.c).
 */
import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/** Who ends each request after 1 s: the client (request_timeout, nginx's 499) or nginx (proxy_read_timeout, 504). */
export type EndedBy = 'client' | 'read-timeout';

/**
 * 10 requests in the first second, one per connection with no retry and no upstream keep-alive,
 * to an app that answers each after `service`; `endedBy` ends each after 1 s.
 */
export function lateAnswer(service: string, endedBy: EndedBy): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '80s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      http: {
        arrival_rate: 10,
        requests_per_connection: 'const(1)',
        think_time: 'const(500ms)',
        retries: 0,
        ...(endedBy === 'client' ? { request_timeout: '1s' } : {}),
      },
    },
    app: { workers: 1000, service_time: `const(${service})` },
    nginx: endedBy === 'read-timeout' ? { proxy_read_timeout: '1s', upstream_keepalive: 0 } : { upstream_keepalive: 0 },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}
