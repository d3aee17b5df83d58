/**
 * Dead-peer detection: when a Linux socket notices that its peer vanished without a FIN or an RST
 * (a VM gone, a cable cut, a firewall dropping everything). Nothing arrives, so only the socket's
 * own timers end it:
 * - data outstanding: the retransmission timer gives up after net.ipv4.tcp_retries2 (or
 *   TCP_USER_TIMEOUT) — deadPeerWriteTimeout;
 * - idle: only SO_KEEPALIVE's probes notice (tcp_keepalive_time / intvl / probes) — keepaliveGiveUp;
 * - closed by its application (an orphan in FIN_WAIT1): the FIN is retransmitted
 *   tcp_orphan_retries times (0 means 8) — orphanRetries with deadPeerWriteTimeout.
 *
 * Sources: torvalds/linux net/ipv4/tcp_timer.c (tcp_retransmit_timer, tcp_write_timeout,
 * retransmits_timed_out, tcp_model_timeout, tcp_clamp_rto_to_user_timeout, tcp_orphan_retries,
 * tcp_keepalive_timer), net/ipv4/tcp_output.c (tcp_schedule_loss_probe, tcp_send_loss_probe,
 * tcp_retransmit_skb), include/net/tcp.h (TCP_RTO_MIN, TCP_RTO_MAX, TCP_KEEPALIVE_*),
 * Documentation/networking/ip-sysctl.rst (the defaults). Every timer lands on the host's timer
 * wheel (JiffiesClock.timerFiresAt), whose lateness grows with the timeout (2.048 s buckets
 * past 16 s at HZ 250).
 */
import { inWholeJiffies, type JiffiesClock } from './jiffies.js';
import { firstDataRto, TCP_RTO_MAX_S, TCP_RTO_MIN_S, tcpModelTimeout, tcpTimeoutMinS } from './tcp.js';

/** A host's timer wheel: JiffiesClock, or a client machine's (net/client-machines.ts wheelFiresAt). */
export type WheelClock = Pick<JiffiesClock, 'hz' | 'timerFiresAt'>;

/** TCP_RTO_MIN (include/net/tcp.h, HZ/5; net/tcp.ts): retransmits_timed_out()'s rto_base for data and FINs. */
export { TCP_RTO_MIN_S };

/** The sysctls (and the socket option) that decide when a dead peer is noticed; Linux defaults in LINUX_DEAD_PEER. */
export interface DeadPeerSettings {
  /** net.ipv4.tcp_retries2: the retransmission boundary of an established socket. */
  readonly retries2: number;
  /** net.ipv4.tcp_orphan_retries: the boundary of a closed (orphaned) socket; 0 means 8 while the RTO is below TCP_RTO_MAX. */
  readonly orphanRetries: number;
  /** net.ipv4.tcp_keepalive_time (s): idle time before the first keep-alive probe. */
  readonly keepaliveTime: number;
  /** net.ipv4.tcp_keepalive_intvl (s): between probes. */
  readonly keepaliveIntvl: number;
  /** net.ipv4.tcp_keepalive_probes: unanswered probes before the socket is given up. */
  readonly keepaliveProbes: number;
}

/**
 * ip-sysctl.rst: tcp_retries2 15, tcp_orphan_retries 0 (→ 8), tcp_keepalive_time 7200 s,
 * tcp_keepalive_intvl 75 s, tcp_keepalive_probes 9 (TCP_KEEPALIVE_TIME, _INTVL, _PROBES in
 * include/net/tcp.h; set by tcp_sk_init(), net/ipv4/tcp_ipv4.c).
 */
export const LINUX_DEAD_PEER: DeadPeerSettings = {
  retries2: 15,
  orphanRetries: 0,
  keepaliveTime: 7200,
  keepaliveIntvl: 75,
  keepaliveProbes: 9,
};

/**
 * tcp_orphan_retries() (net/ipv4/tcp_timer.c): the sysctl, except that 0 means 8 while the socket
 * is "alive" (icsk_rto < TCP_RTO_MAX) — "8 corresponds to >100 seconds with minimal RTO of 200msec".
 * (An ICMP error with a dead RTO would make it 0: no ICMP comes from a peer that vanished.)
 */
export function orphanRetries(sysctl: number, rto: number): number {
  return sysctl === 0 && rto < TCP_RTO_MAX_S ? 8 : sysctl;
}

/** How a socket with data (or a FIN) outstanding towards a silent peer ends. */
export interface WriteTimeout {
  /** When the socket gives up (ETIMEDOUT: tcp_write_err, or an orphan's tcp_done). */
  readonly giveUpAt: number;
  /** Retransmissions by the RTO timer (each retransmits the head segment once: TcpRetransSegs). */
  readonly rtoRetransmits: number;
  /** 1 when the tail loss probe retransmitted a segment (it sends new data instead when it has some). */
  readonly probeRetransmits: number;
}

/** What deadPeerWriteTimeout needs to know of the socket. */
export interface WriteTimeoutInput {
  /** When the oldest unacknowledged segment (or FIN) left, the peer already gone. */
  readonly sentAt: number;
  /** The socket's RTO then (s, a whole number of jiffies: firstDataRto then inWholeJiffies). */
  readonly rto: number;
  /** The tail loss probe's timeout (s): min(2·srtt + TCP_RTO_MIN, RTO) for one segment in flight. */
  readonly probeTimeout: number;
  /** The retransmission boundary: tcp_retries2, or orphanRetries() for a closed socket. */
  readonly boundary: number;
  /**
   * When its application closed it (an orphan from then: SOCK_DEAD), with the host's
   * tcp_orphan_retries: firings from then on use orphanRetries(tcp_orphan_retries, RTO) as the
   * boundary instead (tcp_write_timeout). Unset: never closed.
   */
  readonly orphaned?: { readonly at: number; readonly retries: number };
  /** TCP_USER_TIMEOUT in seconds (0: not set). */
  readonly userTimeout: number;
  /** Whether the loss probe finds unsent data to send (a writer's next, Nagle-held write) rather than retransmitting. */
  readonly probeSendsNewData: boolean;
  readonly clock: WheelClock;
}

/**
 * The retransmission timeline of a socket whose peer went silent, from its oldest unacknowledged
 * segment:
 * 1. The send armed the tail loss probe (tcp_schedule_loss_probe, tcp_output.c: PTO = 2·srtt +
 *    TCP_RTO_MIN for one segment in flight, capped by the time left to the RTO). At the probe
 *    tcp_send_loss_probe() sends new data if the socket has any (not a retransmission), else
 *    retransmits the last segment; either way it clears icsk_pending and tcp_rearm_rto() arms the
 *    RTO a whole RTO from then, not backed off.
 * 2. Each RTO firing runs tcp_write_timeout() first: retransmits_timed_out() is false until one RTO
 *    retransmission happened (icsk_retransmits 0), then true once the time since retrans_stamp
 *    reaches tcp_model_timeout(boundary, TCP_RTO_MIN) — (2^(boundary+1) − 1) · 200 ms up to
 *    TCP_RTO_MAX — or TCP_USER_TIMEOUT when set. retrans_stamp is the first RTO retransmission's
 *    send time: tcp_retransmit_skb() sets it (if unset) from the head skb's timestamp, which
 *    __tcp_transmit_skb() has just set to now; the handshake's ACK of the SYN cleared it
 *    (tcp_clean_rtx_queue, FLAG_SYN_ACKED) and the loss probe does not set it.
 * 3. Not given up: tcp_retransmit_timer() retransmits the head (icsk_retransmits++), doubles the
 *    RTO up to TCP_RTO_MAX and re-arms the timer for it — clamped to what is left of
 *    TCP_USER_TIMEOUT (tcp_clamp_rto_to_user_timeout: remaining ≤ 0 fires at once, one jiffy).
 */
export function deadPeerWriteTimeout(s: WriteTimeoutInput): WriteTimeout {
  const { clock } = s;
  const jiffy = 1 / clock.hz;
  const probeAt = clock.timerFiresAt(s.sentAt, inWholeJiffies(s.probeTimeout, clock.hz));
  let rto = s.rto;
  let at = clock.timerFiresAt(probeAt, rto);
  let retransmits = 0;
  let stamp = Number.NaN;
  const limitAt = (t: number): number => {
    if (s.userTimeout > 0) return s.userTimeout;
    const orphan = s.orphaned !== undefined && t >= s.orphaned.at;
    return tcpModelTimeout(orphan ? orphanRetries(s.orphaned!.retries, rto) : s.boundary, TCP_RTO_MIN_S);
  };
  // retransmits_timed_out() compares milliseconds (tcp_time_stamp_ts); 1e-9 absorbs float noise.
  while (retransmits === 0 || at - stamp < limitAt(at) - 1e-9) {
    retransmits++;
    if (retransmits === 1) stamp = at;
    rto = Math.min(2 * rto, TCP_RTO_MAX_S);
    let wait = rto;
    if (s.userTimeout > 0) {
      const remaining = s.userTimeout - (at - stamp);
      wait = remaining <= 0 ? jiffy : Math.min(rto, inWholeJiffies(remaining, clock.hz));
    }
    at = clock.timerFiresAt(at, wait);
  }
  return { giveUpAt: at, rtoRetransmits: retransmits, probeRetransmits: s.probeSendsNewData ? 0 : 1 };
}

/** What unsentWriteTimeout needs to know of the socket. */
export interface UnsentWriteInput {
  /** When the application wrote (or close() queued the FIN) and the transmission failed. */
  readonly writtenAt: number;
  /** The socket's RTO (s, whole jiffies); the probe timer's base is max(RTO, TCP_RTO_MIN). */
  readonly rto: number;
  /** net.ipv4.tcp_retries2: the probe limit of an open socket, and the backoff's cap for any. */
  readonly retries2: number;
  /** For a closed socket (an orphan), net.ipv4.tcp_orphan_retries; null for an open one. */
  readonly orphanRetries: number | null;
  /** TCP_USER_TIMEOUT in seconds (0: not set). */
  readonly userTimeout: number;
  readonly clock: WheelClock;
}

/**
 * When a socket whose segments never leave its own host gives up: a firewall rule on the sender
 * (nft/iptables drop in OUTPUT) makes every transmission fail locally (nf_hook_slow: -EPERM), so
 * the data is never in flight (packets_out stays 0) and no retransmission timer runs. Instead
 * tcp_push_pending_frames() → tcp_check_probe_timer() arms the zero-window probe timer for
 * tcp_probe0_base() = max(RTO, TCP_RTO_MIN) (tcp_output.c), and tcp_probe_timer()
 * (net/ipv4/tcp_timer.c) counts: it gives up (tcp_write_err, ETIMEDOUT) once icsk_probes_out
 * reaches tcp_retries2 — a count here, not a time — or for an orphan tcp_orphan_retries (also when
 * no longer alive and icsk_backoff reached it), or with TCP_USER_TIMEOUT once that long has passed
 * since its first firing (icsk_probes_tstamp). Otherwise tcp_send_probe0() tries again (failing
 * again), icsk_probes_out++, icsk_backoff++ while below tcp_retries2, and re-arms for
 * tcp_probe0_when() = min(base << backoff, TCP_RTO_MAX), clamped to what is left of the user
 * timeout (tcp_clamp_probe0_to_user_timeout, at least TCP_TIMEOUT_MIN). No segment counts as
 * retransmitted (__tcp_retransmit_skb never runs) and no loss probe is armed. Recorded:
 * calibration/data/kernel-holdout-dead-peer-*-outputdrop-rt.json.
 */
export function unsentWriteTimeout(u: UnsentWriteInput): { giveUpAt: number; probes: number } {
  const { clock } = u;
  const base = Math.max(u.rto, TCP_RTO_MIN_S);
  let at = clock.timerFiresAt(u.writtenAt, inWholeJiffies(base, clock.hz));
  let probes = 0;
  let backoff = 0;
  const firstAt = at;
  for (;;) {
    if (u.userTimeout > 0 && at > firstAt && at - firstAt >= u.userTimeout - 1e-9) return { giveUpAt: at, probes };
    let limit = u.retries2;
    if (u.orphanRetries !== null) {
      const when = Math.min(base * 2 ** backoff, TCP_RTO_MAX_S);
      limit = orphanRetries(u.orphanRetries, when);
      if (when >= TCP_RTO_MAX_S && backoff >= limit) return { giveUpAt: at, probes };
    }
    if (probes >= limit) return { giveUpAt: at, probes };
    probes++;
    if (backoff < u.retries2) backoff++;
    let wait = Math.min(base * 2 ** backoff, TCP_RTO_MAX_S);
    if (u.userTimeout > 0) {
      const remaining = inWholeJiffies(u.userTimeout - (at - firstAt), clock.hz);
      wait = Math.min(wait, Math.max(remaining, tcpTimeoutMinS(clock.hz)));
    }
    at = clock.timerFiresAt(at, wait);
  }
}

/**
 * The loss probe's timeout for one segment in flight (tcp_schedule_loss_probe, tcp_output.c:
 * `timeout_us += tcp_rto_min_us(sk)` when packets_out == 1, since "tcp: fix excessive TLP and RACK
 * timeouts from HZ rounding", 1c2709cfff1d, Linux 6.6 and the stable trees from 4.19 on; before it
 * `timeout += TCP_RTO_MIN`, the constant): 2·srtt + the socket's rto_min, at most the time left to
 * the RTO. The two differ only when the floor is raised (tcp_rto_min_us, Linux ≥ 6.11, or a
 * route's rto_min); the recording at 300 ms (kernel-holdout-dead-peer-retries2-3-rto-min-300ms-rt)
 * showed the socket's floor.
 */
export function lossProbeTimeout(srtt: number, rto: number, rtoMin = TCP_RTO_MIN_S): number {
  return Math.min(2 * srtt + rtoMin, rto);
}

/** What keepaliveGiveUp needs to know of an idle socket with SO_KEEPALIVE. */
export interface KeepaliveInput {
  /** When the last segment from the peer arrived (icsk_ack.lrcvtime / rcv_tstamp). */
  readonly lastHeardAt: number;
  /** When SO_KEEPALIVE was set (tcp_set_keepalive arms the timer for keepalive_time then). */
  readonly armedAt: number;
  readonly time: number;
  readonly intvl: number;
  readonly probes: number;
  /** TCP_USER_TIMEOUT in seconds (0: not set). */
  readonly userTimeout: number;
  readonly clock: WheelClock;
}

/**
 * When an idle socket with SO_KEEPALIVE gives up on a silent peer, and how many probes it sent
 * (tcp_keepalive_timer, net/ipv4/tcp_timer.c). Each firing measures the idle time since the peer
 * was last heard (keepalive_time_elapsed): short of keepalive_time it re-arms for the rest;
 * otherwise it gives up if the probes already sent reach keepalive_probes (with TCP_USER_TIMEOUT:
 * once the idle time reaches it and a probe was sent) — tcp_send_active_reset() then
 * tcp_write_err(), ETIMEDOUT — else sends a probe (tcp_write_wakeup), icsk_probes_out++, and
 * re-arms for keepalive_intvl.
 */
export function keepaliveGiveUp(k: KeepaliveInput): { giveUpAt: number; probes: number } {
  const { clock } = k;
  let at = clock.timerFiresAt(k.armedAt, inWholeJiffies(k.time, clock.hz));
  let probes = 0;
  for (;;) {
    const idle = at - k.lastHeardAt;
    if (idle < k.time - 1e-9) {
      at = clock.timerFiresAt(at, inWholeJiffies(k.time - idle, clock.hz));
      continue;
    }
    const done = k.userTimeout > 0 ? idle >= k.userTimeout - 1e-9 && probes > 0 : probes >= k.probes;
    if (done) return { giveUpAt: at, probes };
    probes++;
    at = clock.timerFiresAt(at, inWholeJiffies(k.intvl, clock.hz));
  }
}

/**
 * When a host whose kernel has tcp_retries2 `retries2` gives up on a segment it sent at `sentAt`
 * to a peer that vanished, the path's round trip `rtt` (its RTO: firstDataRto in whole jiffies,
 * as core/held-streams.ts nextCopyAt): the loss probe retransmits it (nothing newer is waiting),
 * then the RTO until deadPeerWriteTimeout's give-up (ETIMEDOUT on the socket; for a socket its
 * process closed at `orphaned.at`, the orphan's end, which frees its port). No TCP_USER_TIMEOUT
 * (HAProxy's `tcp-ut`, a client's socket option: not modelled).
 */
export function silentPeerGiveUpAt(
  sentAt: number,
  rtt: number,
  retries2: number,
  clock: WheelClock,
  orphaned?: WriteTimeoutInput['orphaned'],
): number {
  const rto = inWholeJiffies(firstDataRto(rtt), clock.hz);
  return deadPeerWriteTimeout({
    sentAt,
    rto,
    probeTimeout: lossProbeTimeout(rtt, rto),
    boundary: retries2,
    userTimeout: 0,
    probeSendsNewData: false,
    clock,
    orphaned,
  }).giveUpAt;
}

/** The keep-alive sysctls of the host whose socket has SO_KEEPALIVE (net.ipv4.tcp_keepalive_*). */
export type KeepaliveSysctls = Pick<DeadPeerSettings, 'keepaliveTime' | 'keepaliveIntvl' | 'keepaliveProbes'>;

/**
 * When an IDLE socket with SO_KEEPALIVE gives up on a peer that vanished at `vanishAt`, its last
 * segment from that peer at `lastIo` (tcp_keepalive_timer, net/ipv4/tcp_timer.c; keepaliveGiveUp).
 * While the peer lived, every keepalive_time of silence drew a probe it acknowledged (the ACK
 * refreshes rcv_tstamp, so the idle time starts again): the peer was last heard at the last such
 * exchange before the vanish, lastIo + n · keepalive_time. The timer then fires keepalive_time
 * after that and sends keepalive_probes unanswered probes keepalive_intvl apart; the firing after
 * the last gives up (ETIMEDOUT; tcp_send_active_reset to the vanished peer). Simplified: the
 * probes' round trips (microseconds to ms) are not added to the phase. Only an idle socket: with
 * data or a FIN unacknowledged the timer re-arms without probing (`tp->packets_out ||
 * !tcp_write_queue_empty(sk)` → resched) and the retransmission timer decides (silentPeerGiveUpAt).
 */
export function idleKeepaliveGiveUpAt(
  lastIo: number,
  vanishAt: number,
  ka: KeepaliveSysctls,
  clock: WheelClock,
): number {
  const exchanges = Math.max(0, Math.floor((vanishAt - lastIo) / ka.keepaliveTime));
  const lastHeardAt = lastIo + exchanges * ka.keepaliveTime;
  return keepaliveGiveUp({
    lastHeardAt,
    armedAt: lastHeardAt,
    time: ka.keepaliveTime,
    intvl: ka.keepaliveIntvl,
    probes: ka.keepaliveProbes,
    userTimeout: 0,
    clock,
  }).giveUpAt;
}
