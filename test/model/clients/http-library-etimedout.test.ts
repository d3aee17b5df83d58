/**
 * clients.http.library after the kernel's ETIMEDOUT on a reused connection (http-library.ts
 * resendsTimedOutOnReusedConnection): keep-alive clients behind a NAT, 200 requests a connection
 * (so nearly every request is on a reused one), vm-a vanishes at 10 s and the clients' kernels
 * give up on the requests they were retransmitting to it after tcp_retries2 3 (~7 s): Go's
 * transportReadFromServerError → shouldRetryRequest resends a GET, curl's CURLE_RECV_ERROR →
 * Curl_retry_request any method; Chromium and Node leave the ETIMEDOUT to the program.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';
import { KEEPALIVE_APP, KEEPALIVE_CLIENTS, vanishVmA } from './vanish-fixture.js';

/** Keep-alive clients (`http`: more keys); vm-a vanishes at 10 s, tcp_retries2 3. */
const vanish = (http: Record<string, unknown>): ScenarioInput =>
  vanishVmA({ http: { ...KEEPALIVE_CLIENTS, ...http }, app: KEEPALIVE_APP, at: '10s', tcpRetries2: 3 });

const etimedout = (r: RunResult): number => r.figures['err_etimedout.total'] ?? 0;
const timedOutResends = (r: RunResult): number =>
  recordsOf(r, 'client.resend').filter((x) => x.cause === 'etimedout').length;

describe("a request on a reused connection the client's kernel gave up on (ETIMEDOUT)", () => {
  let node: RunResult;
  let go: RunResult;
  beforeAll(() => {
    node = run(vanish({}), 1);
    go = run(vanish({ library: 'go' }), 1);
  });

  it('node (unset): every such request is an ETIMEDOUT the program sees', () => {
    expect(etimedout(node)).toBeGreaterThan(15);
    expect(timedOutResends(node)).toBe(0);
  });

  it('go, GET: resent by net/http at once on a new connection — not an error the program sees', () => {
    expect(timedOutResends(go)).toBeGreaterThan(0); // traced 5 a second at most (emitLimited)
    expect(etimedout(go)).toBeLessThan(etimedout(node) - 15);
  });

  it('go, POST (not replayable) and browser (ERR_TIMED_OUT is not resent): the ETIMEDOUT stands', () => {
    for (const http of [{ library: 'go', method: 'POST' }, { library: 'browser' }]) {
      const r = run(vanish(http), 1);
      expect(timedOutResends(r)).toBe(0);
      expect(etimedout(r)).toBeGreaterThan(15);
    }
  });

  it('curl: resent too (CURLE_RECV_ERROR → Curl_retry_request), any method', () => {
    const curl = run(vanish({ library: 'curl', method: 'POST' }), 1);
    expect(timedOutResends(curl)).toBeGreaterThan(0);
    expect(etimedout(curl)).toBeLessThan(etimedout(node) - 15);
  });
});
