/**
 * Two edges of clients.http.library's rules that mutation audit round 10 (session 34) found
 * unprotected:
 * - who closes an idle keep-alive connection first counts the client's timer from the answer's
 *   arrival, half a round trip after nginx sent it and armed keepalive_timeout
 *   (ngx_http_set_keepalive, src/http/ngx_http_request.c: ngx_add_timer(rev, clcf->keepalive_timeout)
 *   once the response is written; Node's Agent arms socket.setTimeout(5000) in keepSocketAlive
 *   when the response has come): a node client (5 s) against keepalive_timeout 5.05 s across a
 *   200-ms round trip loses the race — nginx closes at 5.05 s, the client's timer would fire at
 *   5.1 s —, so the TIME_WAIT is the VM's (http-keepalive.ts: rtt/2 + the client's timeout).
 * - a request Go resends after its kernel's ETIMEDOUT (resendsTimedOutOnReusedConnection) keeps
 *   its first write as its start: request_latency counts the kernel's whole give-up, as the
 *   program waited through it (http-keepalive.ts kernelGaveUp → resentByLibrary's wroteAt).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';
import { vanishVmA } from './vanish-fixture.js';

function oneClient(rtt: string, keepalive: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '80s',
    sample_interval: '1s',
    clients: {
      rtt,
      http: { arrival_rate: 0.001, arrivals: 'paced', requests_per_connection: 'const(3)', think_time: 'const(20s)' },
    },
    nginx: { keepalive_timeout: keepalive },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('clients.http.idle_timeout against nginx keepalive_timeout: the half round trip decides', () => {
  it('node (5 s) across 200 ms: nginx at 5.05 s closes first (TIME_WAITs on the VM), at 5.15 s the client does', () => {
    const nginxFirst = run(oneClient('200ms', '5050ms'), 1);
    const clientFirst = run(oneClient('200ms', '5150ms'), 1);
    expect(nginxFirst.figures['new_conn.total']).toBe(3);
    expect(clientFirst.figures['new_conn.total']).toBe(3);
    // The VM's time_wait holds nginx's upstream TIME_WAITs in both; nginx's own closes of the
    // clients' connections add theirs only where nginx closed first.
    expect(nginxFirst.figures['time_wait.max']).toBeGreaterThan(clientFirst.figures['time_wait.max']!);
  });
});

/**
 * One paced Go client behind a NAT, 3 GETs 1 s apart on one connection to vm-a (the first
 * backend), tcp_retries2 3; vm-a vanishes at 1.5 s: the third request (written at ~2.01 s) is
 * retransmitted to nobody until the client's kernel gives up, and net/http resends it on a new
 * connection, to vm-b.
 */
function vanishUnderGo(): ScenarioInput {
  return vanishVmA({
    http: {
      arrival_rate: 0.001,
      arrivals: 'paced',
      requests_per_connection: 'const(3)',
      think_time: 'const(1s)',
      request_timeout: '30s',
      library: 'go',
    },
    app: { service_time: 'const(5ms)' },
    at: '1.5s',
    tcpRetries2: 3,
  });
}

describe("Go's resend after ETIMEDOUT: the request's latency counts from its first write", () => {
  it('the resent request took the give-up and then some: request_latency.max above the resend time less the write', () => {
    const r = run(vanishUnderGo(), 1);
    const resends = recordsOf(r, 'client.resend').filter((x) => x.cause === 'etimedout');
    expect(resends).toHaveLength(1);
    expect(r.figures['err_etimedout.total'] ?? 0).toBe(0);
    // The third request, written at ~2.01 s (two answers and two 1-s thinks), resent when the kernel gave up (~8.8 s).
    const giveUpAfterWrite = resends[0]!.t - 2.02;
    expect(giveUpAfterWrite).toBeGreaterThan(3);
    expect(r.figures['request_latency.max']).toBeGreaterThan(giveUpAfterWrite);
  });
});
