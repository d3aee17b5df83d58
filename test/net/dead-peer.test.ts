/**
 * net/dead-peer.ts against the kernel source it follows (net/ipv4/tcp_timer.c, tcp_output.c) and
 * the figures recorded in calibration/data/kernel-holdout-dead-peer-*: a 204-ms loopback RTO
 * (51 jiffies at HZ 250), each timer on the wheel.
 */
import { describe, expect, it } from 'vitest';
import {
  deadPeerWriteTimeout,
  idleKeepaliveGiveUpAt,
  keepaliveGiveUp,
  LINUX_DEAD_PEER,
  lossProbeTimeout,
  orphanRetries,
  silentPeerGiveUpAt,
  unsentWriteTimeout,
  type WheelClock,
} from '../../sim/net/dead-peer.js';
import { inWholeJiffies, JiffiesClock } from '../../sim/net/jiffies.js';
import { firstDataRto, tcpModelTimeout } from '../../sim/net/tcp.js';

const RTO = 0.204;
/** A clock whose timers fire exactly on time: the schedule without the wheel's lateness. */
const exact: WheelClock = { hz: 250, timerFiresAt: (now, s) => now + s };

function write(retries2: number, clock: WheelClock, extra: Partial<Parameters<typeof deadPeerWriteTimeout>[0]> = {}) {
  return deadPeerWriteTimeout({
    sentAt: 0,
    rto: RTO,
    probeTimeout: lossProbeTimeout(50e-6, RTO),
    boundary: retries2,
    userTimeout: 0,
    probeSendsNewData: true,
    clock,
    ...extra,
  });
}

describe('deadPeerWriteTimeout (tcp_retransmit_timer / tcp_write_timeout)', () => {
  it('tcp_retries2 3: not 3.0 s — the clock starts at the first RTO retransmission, the check runs at firings', () => {
    // Probe 0.204, RTO firings 0.408 (retrans_stamp), 0.816, 1.632, 3.264 (2.856 s < 3.0 s), 6.528.
    const r = write(3, exact);
    expect(r.giveUpAt).toBeCloseTo(6.528, 9);
    expect(r.rtoRetransmits).toBe(4);
    expect(r.probeRetransmits).toBe(0);
    expect(tcpModelTimeout(3, 0.2)).toBeCloseTo(3.0, 9);
  });

  it('the give-up is the first firing at least tcp_model_timeout after the first RTO retransmission', () => {
    for (const n of [0, 1, 2, 5, 6, 9, 10, 15]) {
      const r = write(n, exact);
      const firstRto = 2 * RTO;
      expect(r.giveUpAt - firstRto).toBeGreaterThanOrEqual(tcpModelTimeout(n, 0.2) - 1e-9);
      // One firing earlier was still short of it: the RTO before the last doubled, capped at 120 s.
      const lastWait = Math.min(RTO * 2 ** r.rtoRetransmits, 120);
      expect(r.giveUpAt - lastWait - firstRto).toBeLessThan(tcpModelTimeout(n, 0.2));
    }
    // The default 15: 0.408 + 0.204 × (2^10 − 2) + 6 × 120 = 928.896 s on exact timers (924.6 s is
    // the model timeout, not when the error comes).
    expect(write(LINUX_DEAD_PEER.retries2, exact).giveUpAt).toBeCloseTo(928.896, 6);
  });

  it('on the wheel: the recorded ranges (6.62–6.83 s at 3, 26.60–26.80 s at 6)', () => {
    for (let boot = 0; boot < 64; boot += 7) {
      const clock = new JiffiesClock(250, boot + 0.37);
      const three = write(3, clock);
      expect(three.giveUpAt).toBeGreaterThan(6.52);
      expect(three.giveUpAt).toBeLessThan(6.95);
      const six = write(6, clock);
      expect(six.giveUpAt).toBeGreaterThan(26.4);
      expect(six.giveUpAt).toBeLessThan(27.0);
      expect(six.rtoRetransmits).toBe(6);
    }
  });

  it('TCP_USER_TIMEOUT: the last wait is clamped to it (tcp_clamp_rto_to_user_timeout)', () => {
    const r = write(15, exact, { userTimeout: 5 });
    // retrans_stamp 0.408 + 5 s: the 3.264-s RTO after the 3.264-s firing is clamped to 2.144 s.
    expect(r.giveUpAt).toBeCloseTo(5.408, 9);
    expect(r.rtoRetransmits).toBe(4);
  });

  it('a probe with nothing new to send retransmits (the orphan FIN): one more TcpRetransSegs', () => {
    expect(write(2, exact, { probeSendsNewData: false }).probeRetransmits).toBe(1);
  });

  it('orphans: tcp_orphan_retries 0 means 8 while the RTO is below TCP_RTO_MAX', () => {
    expect(orphanRetries(0, RTO)).toBe(8);
    expect(orphanRetries(0, 120)).toBe(0);
    expect(orphanRetries(2, RTO)).toBe(2);
    // Orphan retries 2 on loopback: 3.26 s (recorded 3.33–3.37 s on the wheel).
    expect(write(orphanRetries(2, RTO), exact, { probeSendsNewData: false }).giveUpAt).toBeCloseTo(3.264, 9);
  });

  it("the loss probe waits 2·srtt + the socket's rto_min (tcp_rto_min_us 300000), not TCP_RTO_MIN", () => {
    // tcp_schedule_loss_probe() since Linux 6.6 (1c2709cfff1d): timeout_us += tcp_rto_min_us(sk).
    expect(lossProbeTimeout(50e-6, 0.304, 0.3)).toBeCloseTo(0.3001, 9);
    expect(lossProbeTimeout(50e-6, 0.304)).toBeCloseTo(0.2001, 9); // the default floor, 200 ms
    expect(lossProbeTimeout(0.01, 0.304, 0.3)).toBe(0.304); // never past the RTO
    // On a 304-ms RTO (76 jiffies): probe at 0.304, RTO firings 0.608 (retrans_stamp), 1.216,
    // 2.432, 4.864 (4.256 s ≥ 3.0 s). A probe on TCP_RTO_MIN would fire at 0.204: all 0.1 s early.
    const raised = (rtoMin?: number) =>
      deadPeerWriteTimeout({
        sentAt: 0,
        rto: inWholeJiffies(firstDataRto(50e-6, 0.3), 250),
        probeTimeout: lossProbeTimeout(50e-6, 0.304, rtoMin),
        boundary: 3,
        userTimeout: 0,
        probeSendsNewData: true,
        clock: exact,
      });
    expect(raised(0.3).giveUpAt).toBeCloseTo(4.864, 9);
    expect(raised(0.3).rtoRetransmits).toBe(3);
    expect(raised().giveUpAt).toBeCloseTo(4.764, 9);
  });

  it('silentPeerGiveUpAt: the limit is built on TCP_RTO_MIN, so a longer RTO can give up SOONER', () => {
    const clock = new JiffiesClock(250, 11.5);
    const loopback = silentPeerGiveUpAt(0, 0.0001, 3, clock);
    // 100 ms RTT: RTO 0.3 s, firings 0.6 (retrans_stamp), 1.2, 2.4, 4.8 s — 4.2 s ≥ 3.0 s already.
    const wan = silentPeerGiveUpAt(0, 0.1, 3, clock);
    expect(loopback).toBeGreaterThan(6.5);
    expect(loopback).toBeLessThan(7);
    expect(wan).toBeGreaterThan(4.8);
    expect(wan).toBeLessThan(5.4); // the wheel: the 2.4-s wait lands in 256-ms buckets
  });
});

describe('keepaliveGiveUp (tcp_keepalive_timer)', () => {
  it('time 2, intvl 1, probes 3: three probes, ETIMEDOUT at 5 s (recorded 5.08–5.10 s)', () => {
    const r = keepaliveGiveUp({
      lastHeardAt: -0.3,
      armedAt: 0,
      time: 2,
      intvl: 1,
      probes: 3,
      userTimeout: 0,
      clock: exact,
    });
    expect(r.probes).toBe(3);
    expect(r.giveUpAt).toBeCloseTo(5, 9);
  });

  it('a peer heard recently pushes the first probe to keepalive_time after it', () => {
    const r = keepaliveGiveUp({
      lastHeardAt: 1.5,
      armedAt: 0,
      time: 2,
      intvl: 1,
      probes: 1,
      userTimeout: 0,
      clock: exact,
    });
    expect(r.giveUpAt).toBeCloseTo(4.5, 9);
  });

  it('the defaults: 7200 + 9 × 75 s', () => {
    const d = LINUX_DEAD_PEER;
    const r = keepaliveGiveUp({
      lastHeardAt: 0,
      armedAt: 0,
      time: d.keepaliveTime,
      intvl: d.keepaliveIntvl,
      probes: d.keepaliveProbes,
      userTimeout: 0,
      clock: exact,
    });
    expect(r.giveUpAt).toBeCloseTo(7875, 6);
  });
});

describe('idleKeepaliveGiveUpAt (an idle socket with SO_KEEPALIVE, a peer that vanished)', () => {
  const ka = { keepaliveTime: 10, keepaliveIntvl: 1, keepaliveProbes: 3 };

  it('vanished before keepalive_time of silence: first probe keepalive_time after the last segment, given up 3 × 1 s later', () => {
    expect(idleKeepaliveGiveUpAt(0, 5, ka, exact)).toBeCloseTo(13, 9);
  });

  it('idle for longer while the peer lived: its ACKs to earlier probes restarted the idle time', () => {
    // Probes answered at 10 and 20 s; the vanish at 25 s: probes at 30, 31, 32, the give-up at 33.
    expect(idleKeepaliveGiveUpAt(0, 25, ka, exact)).toBeCloseTo(33, 9);
    // The defaults: 7200 + 9 × 75 s after the last segment.
    const linux = { keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9 };
    expect(idleKeepaliveGiveUpAt(100, 200, linux, exact)).toBeCloseTo(100 + 7875, 6);
  });
});

describe("unsentWriteTimeout (a drop on the sender's own output: tcp_probe_timer counts)", () => {
  const unsent = (retries2: number, orphan: number | null, userTimeout = 0) =>
    unsentWriteTimeout({ writtenAt: 0, rto: RTO, retries2, orphanRetries: orphan, userTimeout, clock: exact });

  it('tcp_retries2 3: three probes, given up at the fourth firing (3.06 s; recorded 3.12–3.15 s)', () => {
    const r = unsent(3, null);
    expect(r.probes).toBe(3);
    expect(r.giveUpAt).toBeCloseTo(0.204 + 0.408 + 0.816 + 1.632, 9);
  });

  it('an orphan counts tcp_orphan_retries (2: 1.43 s; recorded 1.46–1.49 s)', () => {
    expect(unsent(15, 2).giveUpAt).toBeCloseTo(0.204 + 0.408 + 0.816, 9);
  });

  it('TCP_USER_TIMEOUT counts from the first firing and clamps the wait', () => {
    expect(unsent(15, null, 5).giveUpAt).toBeCloseTo(5.204, 9);
    expect(unsent(15, 3, 2).giveUpAt).toBeCloseTo(2.204, 9);
  });
});
