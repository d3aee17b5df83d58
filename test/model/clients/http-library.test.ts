import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';
import { idleClients } from '../lb/nat-idle-fixture.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * clients.http.library: whether the client library resends by itself a request that failed before
 * any byte of its answer on a connection it reused (clients/http-library.ts). The regime is the
 * keep-alive race at nginx's own keepalive_timeout (1 s): keep-alive clients think 0.9–1.1 s over
 * a 60-ms round trip, so a think in [1 s − 60 ms, 1 s) writes the next request as nginx's FIN is on
 * its way — about 30 % of the thinks, thousands of races — and no retry (`retries: 0`), so every
 * race the program sees is a failed request.
 */
function racing(http: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: {
      rtt: '60ms',
      http: {
        arrival_rate: 5,
        requests_per_connection: 'const(30)',
        think_time: 'uniform(0.9s, 1.1s)',
        retries: 0,
        ...http,
      },
    },
    app: { workers: 64, service_time: 'const(2ms)' },
    nginx: { keepalive_timeout: '1s' },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  } as ScenarioInput;
}

describe('clients.http.library: a request lost to the keep-alive race on a reused connection', () => {
  let node: RunResult;
  let go: RunResult;
  let goPost: RunResult;
  let browserPost: RunResult;
  beforeAll(() => {
    node = run(racing({}), 1);
    go = run(racing({ library: 'go' }), 1);
    goPost = run(racing({ library: 'go', method: 'POST' }), 1);
    browserPost = run(racing({ library: 'browser', method: 'POST' }), 1);
  });

  it('node (unset): fails with ECONNRESET, the program sees it (no retry: requests_failed), nothing resent', () => {
    expect(fig(node, 'err_econnreset.total')).toBeGreaterThan(500);
    expect(fig(node, 'requests_failed.total')).toBe(fig(node, 'err_econnreset.total'));
    expect(recordsOf(node, 'client.resend')).toHaveLength(0);
  });

  it('go, GET: resent at once on a new connection — no error, no failed request, every request answered', () => {
    expect(recordsOf(go, 'client.resend').length).toBeGreaterThan(0);
    expect(fig(go, 'err_econnreset.total')).toBe(0);
    expect(fig(go, 'requests_failed.total')).toBe(0);
    expect(fig(go, 'retries.total')).toBe(0);
    // The lost writes still count as requests sent: ~one more per race than answers.
    expect(fig(go, 'requests.total') - fig(go, 'responses_2xx.total')).toBeGreaterThan(500);
  });

  it('go, POST: not replayable (Request.isReplayable), so the program sees the ECONNRESET as with node', () => {
    expect(fig(goPost, 'err_econnreset.total')).toBeGreaterThan(500);
    expect(recordsOf(goPost, 'client.resend')).toHaveLength(0);
  });

  it('browser, POST: Chromium resends any method on a reused connection (ShouldResendRequest)', () => {
    expect(fig(browserPost, 'err_econnreset.total')).toBe(0);
    expect(fig(browserPost, 'requests_failed.total')).toBe(0);
  });

  it("the resend's latency counts from the first write: the race costs the close's way back and a new connection's handshake", () => {
    // node's requests that were answered never raced; go's answered include the resent ones,
    // each at least a round trip later than a request on a kept-alive connection (~62 ms).
    expect(go.figures['request_latency.max']).toBeGreaterThan(node.figures['request_latency.max'] ?? 0);
  });
});

/**
 * A server end that closes under the request in flight, with no answer: behind HAProxy mode tcp,
 * a bare node app killed (kill -9) at 10 s with ~250-ms requests in hand (its sockets closed by
 * the kernel: the client reads EOF or RST). A request that went on a connection reused from an
 * earlier one is resent by a browser; one sent with its connection's own handshake is not (Chromium
 * ShouldResendRequest: IsConnectionReused), so with one request per connection every loss stays.
 */
function killedUnder(requestsPerConnection: number, library?: string, mode: 'l4' | 'l7' = 'l4'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '1s',
    clients: {
      rtt: '10ms',
      http: {
        arrival_rate: requestsPerConnection === 1 ? 200 : 4,
        requests_per_connection: `const(${requestsPerConnection})`,
        think_time: 'exp(mean=200ms)',
        retries: 0,
        ...(library ? { library } : {}),
      },
    },
    app: { workers: 256, service_time: 'const(250ms)', keepalive_timeout: '6s' },
    lb: { mode, redispatch: true },
    backends: [
      { name: 'vm-a', proxy: 'none' },
      { name: 'vm-b', proxy: 'none' },
    ],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-b', mode: 'kill' }],
  } as ScenarioInput;
}

describe('clients.http.library browser: a request the server end dropped in flight', () => {
  it('on a reused connection: resent, so the kill costs the program no ECONNRESET (node: dozens)', () => {
    const node = run(killedUnder(100), 1);
    const browser = run(killedUnder(100, 'browser'), 1);
    expect(fig(node, 'err_econnreset.total')).toBeGreaterThan(10);
    expect(fig(browser, 'err_econnreset.total')).toBe(0);
    expect(recordsOf(browser, 'client.resend').length).toBeGreaterThan(0);
  });

  it('behind HAProxy in http mode, closed silently (abort_keep_alive) under a later request: resent', () => {
    // lb.mode l7: the killed server's connection fails before any response; for a request that is
    // not its client connection's first (TX_NOT_FIRST) HAProxy closes the client connection
    // without an answer (http_wait_for_response() → abort_keep_alive, src/http_ana.c;
    // clients/http-keepalive.ts closedUnanswered): an EOF on a reused connection, which Chromium
    // resends (ShouldResendRequest: ERR_EMPTY_RESPONSE) and node reports as "socket hang up".
    const node = run(killedUnder(100, undefined, 'l7'), 1);
    const browser = run(killedUnder(100, 'browser', 'l7'), 1);
    expect(fig(node, 'err_econnreset.total')).toBeGreaterThan(10);
    expect(fig(browser, 'err_econnreset.total')).toBe(0);
    expect(recordsOf(browser, 'client.resend').length).toBeGreaterThan(0);
  });

  it('on a connection opened for it (one request per connection): not resent, as with node', () => {
    const node = run(killedUnder(1), 1);
    const browser = run(killedUnder(1, 'browser'), 1);
    expect(fig(node, 'err_econnreset.total')).toBeGreaterThan(10);
    expect(fig(browser, 'err_econnreset.total')).toBe(fig(node, 'err_econnreset.total'));
    expect(recordsOf(browser, 'client.resend')).toHaveLength(0);
  });
});

describe('clients.http.library curl: a reused connection whose NAT entry timed out', () => {
  // Keep-alive clients idle 400 s between requests behind an NLB-like NAT (nat_idle_timeout 350 s
  // by default): the next request on the kept-alive connection meets no entry and is answered
  // with RST (lb/l4-connect.ts forwardsClientPacket). curl resends a request that failed before
  // any byte of its answer on a reused connection (lib/transfer.c Curl_retry_request), so the
  // program sees none of those resets; node's client reports each as ECONNRESET.
  it('resends the request the NAT reset: no ECONNRESET for the program (node: every one)', () => {
    const node = run(idleClients('nat', '400s'), 1);
    const curl = run(idleClients('nat', '400s', undefined, { library: 'curl' }), 1);
    expect(fig(node, 'err_econnreset.total')).toBeGreaterThan(50);
    expect(fig(curl, 'err_econnreset.total')).toBe(0);
    expect(fig(curl, 'requests_failed.total')).toBe(0);
    expect(recordsOf(curl, 'client.resend').length).toBeGreaterThan(0);
  });
});
