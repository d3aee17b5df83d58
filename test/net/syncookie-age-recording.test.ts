/**
 * calibration/data/kernel-syncookie-age-rt.json (session 32, Linux 6.18.44, calibration/lib/
 * syncookie-age.py, tcp_syncookies 2: every SYN gets a cookie) against the rules the model applies
 * to a connection whose SYN got a cookie and whose final ACK met a full accept queue: its data
 * copies (net/listen-queue.ts nextDataCopyRto: the loss probe at the RTO, then doubling; the
 * loopback RTO in whole jiffies, 204 ms at HZ 250: net/tcp.ts firstDataRto, net/jiffies.ts), each
 * timer on the sender's wheel (JiffiesClock.timerFiresAt), and the cookie's age
 * (net/request-sock.ts synCookieValid: check_tcp_syn_cookie, MAX_SYNCOOKIE_AGE 2 periods of
 * tcp_cookie_time(), 60 s). No figure is fitted: the jiffies phase at the recording is unknown,
 * so the model's prediction is a range over every phase, and the recording must fall in it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inWholeJiffies, JiffiesClock } from '../../sim/net/jiffies.js';
import { nextDataCopyRto } from '../../sim/net/listen-queue.js';
import { synCookieTime, synCookieValid, TCP_SYNCOOKIE_PERIOD_S } from '../../sim/net/request-sock.js';
import { firstDataRto } from '../../sim/net/tcp.js';

interface Client {
  syn: number;
  conn: number | null;
  end: number | null;
  err: string | null;
}
const recording = JSON.parse(
  readFileSync(new URL('../../calibration/data/kernel-syncookie-age-rt.json', import.meta.url), 'utf8'),
) as { stamp: { kernel: string }; netstat: Record<string, number>; clients: Client[] };

const HZ = 250;
/** The loopback RTO after the SYN-ACK's sample (tens of µs): 200 ms + the RTT, in whole jiffies. */
const RTO = inWholeJiffies(firstDataRto(50e-6), HZ);
/** Copies: the loss probe and the RTO firings up to the one after the 120-s bound (10 copies reach 104 s nominal). */
const COPIES = 11;

/** The copies' times after the first data send, on a wheel whose jiffies read `boot` at the send. */
function copyTimes(boot: number): number[] {
  const clock = new JiffiesClock(HZ, boot);
  const times: number[] = [];
  let t = 0;
  let rto = RTO;
  for (let k = 1; k <= COPIES; k++) {
    t = clock.timerFiresAt(t, rto);
    times.push(t);
    rto = nextDataCopyRto(k, rto);
  }
  return times;
}

/** Every wheel phase (a quarter-jiffy apart over 4,096 jiffies: 8 of the longest timers' 512-jiffy granularity). */
const PHASES = Array.from({ length: 4 * 4096 }, (_, i) => i / 4);

describe('the recorded SYN-cookie age (kernel-syncookie-age-rt) and the model’s rules', () => {
  const reset = recording.clients.filter((c) => c.err === 'ECONNRESET');
  const connected = recording.clients.filter((c) => c.conn !== null);

  it('29 of the 30 connect in the 3-s batch, the one child and 29 ACKs dropped; the 29 are reset at one instant', () => {
    expect(recording.stamp.kernel).toMatch(/^6\.18\./);
    expect(connected.length).toBe(30);
    expect(reset.length).toBe(29);
    // One timer bucket: their copies were armed in the same jiffy, so every firing is shared.
    expect(new Set(reset.map((c) => c.end)).size).toBe(1);
    expect(new Set(connected.map((c) => c.conn)).size).toBe(1);
  });

  it('the reset comes at the 10th copy, inside the range the copy schedule and the wheel give for it', () => {
    const conn = reset[0].conn!;
    const after = reset[0].end! - conn; // the script sends its byte when it sees the connect
    const tenth = PHASES.map((b) => copyTimes(b)[9]);
    const [lo, hi] = [Math.min(...tenth), Math.max(...tenth)];
    // Nominal 0.204 × 512 = 104.448 s; each of the level-3 timers (26 and 52 s) lands 1–512 jiffies late.
    expect(lo).toBeCloseTo(106.201, 3);
    expect(hi).toBeCloseTo(108.248, 3);
    // The script polls every 10 ms: the recorded instant is late by up to that (plus the host's load).
    expect(after).toBeGreaterThanOrEqual(lo);
    expect(after).toBeLessThanOrEqual(hi + 0.05);
    // The 9th copy came 52.9–55.0 s after the send and the 11th would come ~210 s after it: the
    // 10th is the only copy the recorded instant can be.
    const ninth = PHASES.map((b) => copyTimes(b)[8]);
    expect(Math.max(...ninth)).toBeLessThan(lo);
    expect(Math.min(...PHASES.map((b) => copyTimes(b)[10]))).toBeGreaterThan(200);
  });

  it('the cookie rule: the 9th copy decodes at every phase of tcp_cookie_time(), the 10th fails at most', () => {
    // The cookie was made at the 3-s batch's SYN, answered at once (loopback), and the data sent
    // then: one jiffies clock for the wheel and the cookie counter, at every phase over four
    // 60-s counter periods (15,000 jiffies each), a jiffy apart.
    let phases = 0;
    let ninthValid = 0;
    let tenthRefused = 0;
    for (let boot = 0; boot < 4 * TCP_SYNCOOKIE_PERIOD_S * HZ; boot++) {
      const clock = new JiffiesClock(HZ, boot);
      const cookie = synCookieTime(clock.jiffies(0), HZ);
      const times = copyTimes(boot);
      const at = (k: number) => synCookieTime(clock.jiffies(times[k]), HZ);
      phases++;
      if (synCookieValid(cookie, at(8))) ninthValid++;
      if (!synCookieValid(cookie, at(9))) tenthRefused++;
    }
    expect(ninthValid).toBe(phases);
    // Refused once the counter has moved twice: 60 to 120 s after the SYN; the 10th copy comes
    // 106–108 s after it, so for about (107 − 60) / 60 of the phases (the recording is one of them).
    expect(tenthRefused / phases).toBeGreaterThan(0.75);
    expect(tenthRefused / phases).toBeLessThan(0.81);
  });

  it('the counters: one SyncookiesFailed per reset connection, and the decodes before it', () => {
    const n = recording.netstat;
    expect(n.SyncookiesFailed).toBe(reset.length);
    // SyncookiesRecv (cookie_v4_check, net/ipv4/syncookies.c, counted at each segment whose cookie
    // decodes): the first connect's ACK and the child's ACK, then per reset connection its ACK, the
    // data segment itself and 9 copies — the 10th is the one refused.
    expect(n.SyncookiesRecv).toBe(2 + reset.length * (1 + 1 + 9));
    // One cookie per SYN the listener answered: the first connect and the 30 of the 3-s batch.
    expect(n.SyncookiesSent).toBe(1 + connected.length);
  });
});
