/**
 * A SYN cookie decodes for 60 to 120 s only (net/request-sock.ts synCookieValid: check_tcp_syn_cookie,
 * net/ipv4/syncookies.c; MAX_SYNCOOKIE_AGE and TCP_SYNCOOKIE_PERIOD, include/net/tcp.h). nginx's
 * SYN retransmissions to an app five times overloaded for minutes pass the SYN check in batches,
 * the SYN queue (backlog + 1 request socks) overflows into cookies, and their final ACKs meet the
 * full accept queue: those connections have no request sock, so no SYN-ACK resend and no expiry
 * of their own. Before the cookie's age was modelled their data copies went on until one found
 * room (or the run ended); in Linux the first copy after the cookie's second count is answered
 * with RST (cookie_v4_check gives the listener back, tcp_rcv_state_process in TCP_LISTEN
 * returns 1, tcp_v4_send_reset): nginx's 502.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { run } from '../helpers.js';
import { overflowingApp } from './ack-overflow-fixture.js';

const overloaded = overflowingApp('200s', { client: '600s', nginx: '600s' });

describe("a SYN cookie's age at the app's listener", () => {
  let r: RunResult;
  let expired: RunResult['events'];
  beforeAll(() => {
    r = run(overloaded, 1);
    expired = r.events.filter(
      (e) => e.record?.kind === 'kernel.app_ack_overflow' && e.record.outcome === 'cookie_expired',
    );
  });

  it('resets the data copy of a cookie more than a minute old, never one younger', () => {
    expect(expired.length).toBeGreaterThan(0);
    // Every SYN left at t ≥ 0 and a cookie decodes for at least 60 s.
    for (const e of expired) expect(e.t).toBeGreaterThanOrEqual(60);
  });

  it("turns the cookie'd connections' endless wait into nginx's 502s", () => {
    // 2,243 502s (expired request socks only) while cookies never aged; 5,913 with the rule.
    expect(r.figures['responses_5xx.total']!).toBeGreaterThan(4000);
  });
});

describe("a SYN cookie's age once the overload is over", () => {
  // The same overload for its first 20 s only: by ~100 s the one worker has drained the accept
  // queue, and the connections whose SYN got a cookie in those 20 s send their next data copies
  // (the RTO doubled each time) 60 to 120 s after their SYN. check_tcp_syn_cookie
  // (net/ipv4/syncookies.c) refuses an old cookie before the accept queue is looked at
  // (cookie_v4_check returns the listener, tcp_v4_send_reset): an empty queue resets the copy too.
  let expired: Array<{ queued: number; limit: number }>;
  beforeAll(() => {
    const r = run({ ...overloaded, horizon: '300s', timeline: [{ at: '20s', do: 'load', http_rate: 0 }] }, 1);
    expired = r.events
      .filter((e) => e.record?.kind === 'kernel.app_ack_overflow' && e.record.outcome === 'cookie_expired')
      .map((e) => e.record as unknown as { queued: number; limit: number });
  });

  it('resets the copy of a cookie too old to decode even when the accept queue has room', () => {
    // Seed 1: 60 trace lines (folded), every one with the queue empty. Checking the room first
    // (the cookie only when the queue is full) admits those copies and resets only copies that
    // meet a full queue.
    expect(expired.length).toBeGreaterThan(20);
    expect(expired.every((x) => x.queued < x.limit)).toBe(true);
  });
});
