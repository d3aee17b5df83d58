/**
 * The listener's SYN-ACK resends for a request sock whose final ACK a full accept queue dropped
 * (net/ipv4/inet_connection_sock.c reqsk_timer_handler; net/ipv4/tcp_minisocks.c tcp_check_req
 * listen_overflow with tcp_abort_on_overflow 0), the sender's answer (a challenge ACK,
 * tcp_validate_incoming), and the SYN queue that decides which connections have a request sock
 * at all (tcp_conn_request: more than the backlog → a SYN cookie, no state, no resend).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reqskTimeout, synAckRetries, synQueueFull } from '../../../sim/net/request-sock.js';
import { firstDataRto } from '../../../sim/net/tcp.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { KernelSynAckResend } from '../../../sim/trace/records.js';
import { run, series } from '../helpers.js';

describe('request socks: the kernel rules (sim/net/request-sock.ts)', () => {
  it('the SYN queue is full with more request socks than the backlog (inet_csk_reqsk_queue_is_full, `>`)', () => {
    expect(synQueueFull(32, 32)).toBe(false);
    expect(synQueueFull(33, 32)).toBe(true);
    expect(synQueueFull(0, 0)).toBe(false); // backlog 0 still lets one connection in
  });

  it('the SYN-ACK timer doubles from TCP_TIMEOUT_INIT, capped at TCP_RTO_MAX (reqsk_timeout)', () => {
    // Armed for 1 s at the SYN, then re-armed after firing k for 2^k s: resends 1, 3, 7, 15, 31 s after the SYN.
    expect([1, 2, 3, 4, 5].map(reqskTimeout)).toEqual([2, 4, 8, 16, 32]);
    expect(reqskTimeout(7)).toBe(120);
  });

  it('a SYN queue more than half full of old request socks loses retries down to 2 (reqsk_timer_handler)', () => {
    expect(synAckRetries(16, 0, 32)).toBe(5); // 2·16 ≤ max(8, 32): no pruning
    expect(synAckRetries(20, 20, 32)).toBe(5); // all young: qlen < 2·young
    expect(synAckRetries(20, 6, 32)).toBe(4); // 20 ≥ 12, 20 < 24
    expect(synAckRetries(33, 0, 32)).toBe(2);
    expect(synAckRetries(5, 0, 4)).toBe(2); // 2·5 > max(8, 4), none young: down to 2
  });
});

/**
 * Two bursts against one worker (20 ms handshakes, listen backlog 32: 33 in the accept queue, 33
 * request socks in the SYN queue), RTT 400 ms (the sender's RTO 1.2 s). Burst A (35 at 0 s) fills
 * the queue: 33 request socks and 2 cookies, all in at their ACKs. Burst B (60 at 0.45 s) finds
 * room at its SYNs: 33 request socks (A's are gone) and 27 SYN cookies; at its ACKs (0.85 s) the
 * worker has freed 22 places, so 22 request socks get in and 11 request socks and 27 cookie
 * connections are dropped. The worker is idle from 1.55 s. The SYN-ACK timers of B's request
 * socks fire at 0.45 + 1 s (on the VM's timer wheel, up to 32 ms late) and the answers reach
 * the listener 0.4 s later: the 11 children are created at ≈ 1.85–1.9 s. A challenge ACK is a
 * pure ACK (tcp_send_challenge_ack), so their ClientHellos come only with their first data copy, a
 * tail loss probe one RTO after the ACK (0.85 + 1.2 s), as the 27 cookie connections' do.
 */
const twoBursts = (): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '4s',
  sample_interval: '50ms',
  nginx: { worker_processes: 1, listen_backlog: 32 },
  app: {
    service_time: 'const(1ms)',
    ws: { handshake_time: '0s' },
    tls: { terminates: 'nginx', handshake_cpu: '20ms' },
  },
  lb: { mode: 'nat', connect_timeout: '60s' },
  clients: {
    rtt: '400ms',
    source_ips: 1,
    ws: {
      ping_interval: 0,
      pong_timeout: '0s',
      handshake_timeout: '0s',
      reconnect: { policy: 'exponential', base: '1h', cap: '1h' },
      scheduled: [
        ...Array.from({ length: 35 }, () => ({ at: '0s', lifetime: '1h' })),
        ...Array.from({ length: 60 }, () => ({ at: '450ms', lifetime: '1h' })),
      ],
    },
  },
  backends: [{ name: 'vm-a' }],
});

const resends = (r: RunResult): Array<{ t: number; n: number; record: KernelSynAckResend }> =>
  r.events
    .filter((l) => l.record.kind === 'kernel.synack_resend')
    // A fold line stands for its own record (the last of its second's suppressed repeats) and `folded` more.
    .map((l) => ({ t: l.record.t, n: 1 + l.folded, record: l.record as KernelSynAckResend }));

/** A counter's total (the metrics, not the trace: a trace line folds its second's repeats, whatever their outcome). */
const total = (r: RunResult, name: string): number => r.figures[`${name}.total`]!;

/** A counter's count in samples ending in (from, to]. */
const countIn = (r: RunResult, name: string, from: number, to: number): number =>
  series(r, name)
    .filter(([t]) => t > from + 1e-9 && t <= to + 1e-9)
    .reduce((n, [, v]) => n + v, 0);

const sessionsAt = (r: RunResult, t: number): number => series(r, 'ws_sessions').find(([at]) => at >= t - 1e-9)![1];

describe('a resent SYN-ACK lets a connection in before its data is retransmitted', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(twoBursts(), 1);
  });

  it('the 11 request socks of burst B whose ACK was dropped are let in (accept queue) at their first SYN-ACK resend', () => {
    expect(total(r, 'synack_resend_admitted')).toBe(11);
    const admitted = resends(r).filter((x) => x.record.outcome === 'admitted');
    // Resent 1 s after the SYN (0.45 s) on the VM's wheel (≤ one 32-ms bucket late), answered one RTT later.
    for (const x of admitted) {
      expect(x.record.resend).toBe(1);
      expect(x.t).toBeGreaterThanOrEqual(0.45 + 1 + 0.4 - 1e-9);
      expect(x.t).toBeLessThanOrEqual(0.45 + 1 + 0.032 + 0.4 + 1e-9);
    }
    expect(resends(r).some((x) => x.record.outcome !== 'admitted')).toBe(false);
  });

  it('the idle worker cannot start on them before their ClientHello comes with the first data copy (≈ 2.05 s)', () => {
    const firstCopy = 0.45 + 0.4 + firstDataRto(0.4); // 2.05 s, before the timer wheel's rounding
    expect(firstCopy).toBeGreaterThan(2);
    // A session counts one RTT after its handshake (the client's Finished and upgrade reach nginx
    // then, RFC 8446 sec. 2: tls19b, session 19). 35 (A) + 22 (B at its ACKs) handshaken by 1.6 s,
    // sessions by 1.6 + RTT; the 11 let in at ≈ 1.85 s have sent no ClientHello yet.
    const rtt = 0.4;
    expect(sessionsAt(r, 1.6 - 0.05)).toBeLessThan(57);
    expect(sessionsAt(r, 1.6 + rtt)).toBe(57);
    expect(sessionsAt(r, 2 + rtt)).toBe(57);
    expect(sessionsAt(r, firstCopy + rtt)).toBe(57);
    // From the copy (on the client's wheel, ≤ a 32-ms bucket late) one handshake per 20 ms.
    expect(sessionsAt(r, 2.15 + rtt)).toBeGreaterThan(57);
    expect(sessionsAt(r, 4)).toBe(95);
  });

  it('SYN-cookie connections have no request sock and get no resend: 11 resends, not 38', () => {
    expect(total(r, 'synack_resends')).toBe(11);
    // A's 2 cookies at 0 s (counted since the counters' reset at the end of the warm-up runs
    // before anything else due at 0: topology.ts startModel, fix19), B's 33 request socks and 27
    // SYN cookies at 0.45 s.
    expect(series(r, 'syn_cookies').filter(([, v]) => v > 0)).toEqual([
      [0.05, 2],
      [0.45, 27],
    ]);
    // Every dropped final ACK is a ListenOverflow: B's 38, no more. The 11 children made by the
    // challenge ACKs at ≈ 1.85 s left the accept queue when the idle worker accept()ed them then
    // (Linux inet_csk_complete_hashdance queued each once; nginx ngx_event_accept took them, their
    // SSL_do_handshake having nothing to read yet), so when their ClientHellos and the cookie
    // connections' data copies come together at ≈ 2.05 s, the 11 handshakes are the worker's
    // queued work but hold no accept-queue place (l4-connect.ts dataRetransmitted acceptedEarly,
    // TlsCpu.admit): the 27 cookie connections' copies all find room. (Counted as places, they
    // made 3 of those copies overflow, 38 + 3.)
    expect(r.figures['syn_drops.total']).toBe(38);
  });
});

/**
 * The answer to a resend can meet the full queue again: RTT 1 s (the sender's RTO 3 s, so its
 * data copies come late), 50-ms handshakes. Burst A (35 at 0 s) is in at its ACKs (1 s). Burst B
 * (60 at 1.1 s): 33 request socks, 27 cookies; at its ACKs (2.1 s) 22 get in, 11 request socks are
 * left acked. Burst C (40 at 1.9 s) finds the SYN queue full of B's request socks (33): all SYN
 * cookies; at its ACKs (2.9 s) 16 fill the queue. B's first resends (2.1 s + a bucket) are answered
 * at 3.1 s: 4 places free, 7 answers dropped. Their second resends, 3 s after the SYN, answered at
 * ≈ 5.1 s, find the worker idle: the 7 get in, before their own first data copy (2.1 + 3 s + up to
 * a 256-ms bucket) can.
 */
/** twoBursts with other bursts (`[count, at]`), RTT, handshake CPU and horizon. */
const bursts = (horizon: string, rtt: string, handshakeCpu: string, groups: Array<[number, string]>): ScenarioInput => {
  const input = twoBursts();
  input.horizon = horizon;
  input.app = { ...input.app, tls: { terminates: 'nginx', handshake_cpu: handshakeCpu } };
  input.clients = {
    ...input.clients,
    rtt,
    ws: {
      ...input.clients!.ws,
      scheduled: groups.flatMap(([n, at]) => Array.from({ length: n }, () => ({ at, lifetime: '1h' }))),
    },
  };
  return input;
};

const threeBursts = (): ScenarioInput =>
  bursts('8s', '1s', '50ms', [
    [35, '0s'],
    [60, '1100ms'],
    [40, '1900ms'],
  ]);

describe('a resend whose answer meets the full queue: dropped again, the next resend 2 s later', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(threeBursts(), 1);
  });

  // By resend: the first answers come at ≈ 3.1 s, the second at ≈ 5.1 s.
  const count = (outcome: 'admitted' | 'dropped', resend: number): number =>
    resend === 1 ? countIn(r, `synack_resend_${outcome}`, 0, 4) : countIn(r, `synack_resend_${outcome}`, 4, 8);

  it('4 of the 11 get in at the first resend, 7 are dropped (ListenOverflows) and get in at the second', () => {
    expect(count('admitted', 1)).toBe(4);
    expect(count('dropped', 1)).toBe(7);
    expect(count('admitted', 2)).toBe(7);
    expect(count('dropped', 2)).toBe(0);
    expect(total(r, 'synack_resends')).toBe(18);
    const dropped = resends(r).find((x) => x.record.outcome === 'dropped')!;
    // Answered one RTT after the timer; the next timer is 2 s after this one (reqsk_timeout), ≤ a bucket late.
    expect(dropped.record.nextIn).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(dropped.record.nextIn).toBeLessThanOrEqual(1.032 + 1e-9);
    for (const x of resends(r).filter((y) => y.record.resend === 2)) {
      expect(x.t).toBeGreaterThanOrEqual(1.1 + 3 + 1 - 1e-9);
      // Re-armed from the first firing, itself up to a bucket late: up to two buckets in all.
      expect(x.t).toBeLessThanOrEqual(1.1 + 3 + 2 * 0.032 + 1 + 1e-9);
    }
  });

  it("C, arriving while B held the SYN queue full, got cookies: no resend beyond B's 11", () => {
    // Every resend is one of B's 11 request socks: 11 first resends, 7 second ones.
    expect(count('admitted', 1) + count('dropped', 1)).toBe(11);
  });
});

/**
 * RTT 1.5 s: the SYN-ACK timer (armed at the SYN: tcp_conn_request → inet_csk_reqsk_queue_hash_add,
 * rsk_timer for TCP_TIMEOUT_INIT) fires before the final ACK can arrive, and resends the SYN-ACK
 * to every request sock still waiting (acked or not). One worker, 50-ms handshakes. Burst A (35
 * at 0 s) is in at 1.5 s and keeps the worker busy until ≈ 3.25 s. Burst B (60 at 1.6 s) finds
 * room at its SYNs (A's handshakes already under way): 33 request socks, 27 cookies. Their timers
 * fire at 2.6 s (+ ≤ a 32-ms bucket), before B's ACKs (3.1 s); at the ACKs a few request socks'
 * ACKs meet the full queue, and the answers to the resends of 2.6 s, 1.5 s later (≈ 4.1 s), let
 * them in — long before their first data copy (3.1 s + RTO 4.5 s). Armed from the ACK's drop, the
 * first resend would go at 3.1 s and be answered at 4.6 s.
 */
const longRtt = (): ScenarioInput =>
  bursts('6s', '1500ms', '50ms', [
    [35, '0s'],
    [60, '1600ms'],
  ]);

describe('RTT above 1 s: the SYN-ACK timer runs from the SYN, not from the ACK drop', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(longRtt(), 1);
  });

  it('the request sock whose ACK was dropped gets in at the answer to the resend of 2.6 s (≈ 4.1 s), not 4.6 s', () => {
    // 27 cookie connections and one request sock find the queue full at their ACKs (3.1 s).
    expect(r.figures['syn_drops.total']).toBe(27 + 1);
    const all = resends(r);
    expect(all.reduce((n, x) => n + x.n, 0)).toBe(1);
    const [x] = all;
    expect(x.record.outcome).toBe('admitted');
    expect(x.record.resend).toBe(1);
    // Fired 1 s after the SYN (≤ a 32-ms bucket late), answered one RTT later: before 3.1 + 1.5 s.
    expect(x.t).toBeGreaterThanOrEqual(1.6 + 1 + 1.5 - 1e-9);
    expect(x.t).toBeLessThanOrEqual(1.6 + 1.032 + 1.5 + 1e-9);
  });
});

/**
 * Pruning and expiry (reqsk_timer_handler): listen backlog 7 (8 request socks at most, 8 in the
 * accept queue), one worker at 2 s a handshake, RTT 0.4 s. Burst A (12 at 0 s) fills the accept
 * queue at its ACKs (0.4 s); the worker frees a place every 2 s. Burst B (60 at 2.45 s, just after
 * the first place freed) passes the accept-queue check at its SYNs: 8 request socks, 52 SYN
 * cookies. At B's ACKs (2.85 s) the queue is full again: all 8 request socks stay, acked. The SYN
 * queue is then more than half of max(8, 7) and, from the first firings on, none young: retries
 * fall from 5 to 2 (`(qlen<<1) > max(8, backlog)`, `young<<1` ≤ qlen), so a request sock whose
 * answers keep meeting the full queue expires at its third firing, 7 s after its SYN (≈ 9.5 s),
 * instead of resending at 7, 15 and 31 s. Once 3 expired the queue holds 5, at most half of 8:
 * the rest get 5 retries again.
 */
const expiring = (): ScenarioInput => ({
  ...bursts('12s', '400ms', '2s', [
    [12, '0s'],
    [60, '2450ms'],
  ]),
  nginx: { worker_processes: 1, listen_backlog: 7 },
});

describe('a SYN queue mostly of old request socks prunes their retries: expiry at 7 s', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(expiring(), 1);
  });
  const counted = (name: string): number => total(r, name);

  it('8 request socks and 52 SYN cookies (syn_cookies, SyncookiesSent)', () => {
    // B's 52, and A's 4 at 0 s (12 SYNs, 8 request socks): counted since the counters' reset at
    // the end of the warm-up runs before anything else due at 0 (topology.ts startModel, fix19).
    expect(counted('syn_cookies')).toBe(52 + 4);
  });

  it('3 request socks expire with retries 2 at their third firing, 7 s after the SYN (young decremented, pruning on)', () => {
    expect(counted('request_socks_expired')).toBe(3);
    const expired = resends(r).filter((x) => x.record.outcome === 'expired');
    expect(expired.length).toBeGreaterThan(0);
    for (const x of expired) {
      expect(x.record.retries).toBe(2);
      expect(x.record.resend).toBe(2);
      // Fired at 1, 3 and 7 s after the SYN, each re-armed from the last firing: ≤ 1 + 1 + 8 buckets late.
      expect(x.t).toBeGreaterThanOrEqual(2.45 + 7 - 1e-9);
      expect(x.t).toBeLessThanOrEqual(2.45 + 7 + 2 * 0.032 + 0.256 + 1e-9);
    }
    // Every firing short of expiry resent the SYN-ACK: 8 at each of the first two, then 4 still waiting.
    expect(counted('synack_resends')).toBe(20);
    expect(counted('synack_resend_admitted') + counted('synack_resend_dropped')).toBe(counted('synack_resends'));
    expect(counted('synack_resend_dropped')).toBe(19);
  });
});

/**
 * The same run to 16 s: the 3 expired request socks' senders are ESTABLISHED and go on
 * retransmitting their first data (the upgrade), copies 1, 2, 4 and 8 RTOs after the dropped final
 * ACK (2.85 s; RTO 1.2 s, each re-armed on the client's timer wheel). The first copy after the
 * expiry (≈ 9.55 s) is the 8-RTO one (≈ 12.45 s): it meets no request sock, the listener's cookie
 * check fails (cookie_v4_check) and it answers RST (tcp_v4_rcv → tcp_v4_send_reset): the client's
 * upgrade fails with ECONNRESET (an abnormal close, 1006), whatever room the accept queue has then.
 */
describe("an expired request sock's sender is reset at its next data copy", () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({ ...expiring(), horizon: '16s' }, 1);
  });

  it('the 3 senders get RST at the first data copy after the expiry, not before', () => {
    expect(total(r, 'request_socks_expired')).toBe(3);
    const ackDroppedAt = 2.45 + 0.4;
    const copy = ackDroppedAt + 8 * firstDataRto(0.4);
    expect(copy).toBeGreaterThan(2.45 + 7 + 0.32);
    const resets = resends(r).filter((x) => x.record.outcome === 'reset');
    expect(resets.reduce((n, x) => n + x.n, 0)).toBe(3);
    for (const x of resets) {
      // Four re-armed RTO timers, each up to one bucket late (32, 32, 256, 256 ms at HZ 250).
      expect(x.t).toBeGreaterThanOrEqual(copy - 1e-9);
      expect(x.t).toBeLessThanOrEqual(copy + 0.576 + 1e-9);
    }
    expect(countIn(r, 'reset_out', 0, copy - 1e-6)).toBe(0);
    expect(total(r, 'reset_out')).toBe(3);
  });

  it('their clients see the reset: 3 abnormal closes (1006), the only ones, and 3 ECONNRESET errors', () => {
    expect(total(r, 'ws_close_1006')).toBe(3);
    expect(countIn(r, 'ws_close_1006', 0, 12)).toBe(0);
    // The upgrade's socket reads ECONNRESET: a client-visible error (clients/websocket.ts resetBeforeAdmission).
    expect(total(r, 'err_econnreset')).toBe(3);
    expect(total(r, 'errors')).toBe(3);
  });
});

/**
 * HTTP clients behind the NAT (20 new connections/s, one request each, no retry) against the
 * same 2-s handshakes and backlog 7: request socks whose ACK was dropped expire, and each request
 * waiting in an expired one's retransmission queue fails with ECONNRESET at its next copy (the
 * listener's RST), never before an expiry.
 */
describe('an HTTP request behind an expired request sock fails with ECONNRESET', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '30s',
        sample_interval: '50ms',
        nginx: { worker_processes: 1, listen_backlog: 7 },
        app: { service_time: 'const(1ms)', tls: { terminates: 'nginx', handshake_cpu: '2s' } },
        lb: { mode: 'nat', connect_timeout: '60s' },
        clients: {
          rtt: '400ms',
          source_ips: 1,
          http: { arrival_rate: 20, requests_per_connection: 'const(1)', retries: 0, request_timeout: '120s' },
          ws: { initial_sessions: 0 },
        },
        backends: [{ name: 'vm-a' }],
      },
      1,
    );
  });

  it('every reset is an ECONNRESET and a failed request, after the first expiry', () => {
    const all = resends(r);
    const resets = all.filter((x) => x.record.outcome === 'reset');
    const n = resets.reduce((k, x) => k + x.n, 0);
    expect(n).toBeGreaterThan(0);
    expect(total(r, 'request_socks_expired')).toBeGreaterThanOrEqual(n);
    expect(total(r, 'err_econnreset')).toBe(n);
    expect(total(r, 'reset_out')).toBe(n);
    expect(total(r, 'requests_failed')).toBe(n);
    const firstExpiry = Math.min(...all.filter((x) => x.record.outcome === 'expired').map((x) => x.t));
    expect(Math.min(...resets.map((x) => x.t))).toBeGreaterThan(firstExpiry);
  });
});
