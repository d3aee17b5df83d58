/**
 * TCP endpoint states (RFC 9293 §3.3.2) and the transitions drainsim uses, as pure lookup
 * functions: (state, input) → (next state, segment to send). Packets are abstracted into inputs;
 * the connection layer applies them to both ends. Invalid inputs for a state throw, like Shadow's
 * TCP where every operation is "invalid in this state" unless the state handles it.
 */

export const TcpState = {
  /** No connection. */
  CLOSED: 0,
  /** Waiting for a connection request (a listening socket). */
  LISTEN: 1,
  /** SYN sent, waiting for SYN-ACK. */
  SYN_SENT: 2,
  /** SYN received and SYN-ACK sent, waiting for the final ACK. */
  SYN_RECEIVED: 3,
  /** Open: data flows both ways. */
  ESTABLISHED: 4,
  /** Closed by the application first, FIN sent, waiting for its ACK. */
  FIN_WAIT_1: 5,
  /** Our FIN acknowledged; waiting for the peer's FIN (orphans time out after tcp_fin_timeout). */
  FIN_WAIT_2: 6,
  /** Peer's FIN received; waiting for our application to close. No timer: can last forever. */
  CLOSE_WAIT: 7,
  /** Both sides sent FIN at once; waiting for the ACK of ours. */
  CLOSING: 8,
  /** Passive closer's FIN sent, waiting for its ACK. */
  LAST_ACK: 9,
  /** The active closer waits 2·MSL (60 s on Linux) so stray segments die out. */
  TIME_WAIT: 10,
} as const;

export type TcpState = (typeof TcpState)[keyof typeof TcpState];

export const TCP_STATE_NAMES: readonly string[] = Object.keys(TcpState);

/** Inputs to an endpoint: its application's calls and abstracted segments from the peer. */
export const TcpInput = {
  CONNECT: 0,
  RCV_SYN_ACK: 1,
  RCV_SYN: 2,
  RCV_ACK: 3,
  /** close() by the local application. */
  CLOSE: 4,
  RCV_FIN: 5,
  /** The ACK of our FIN. */
  RCV_FIN_ACK: 6,
  RCV_RST: 7,
  /** Abort: close with unread data, SO_LINGER 0, or an LB reset; sends RST. */
  ABORT: 8,
  /** The TIME_WAIT or FIN_WAIT_2 timer, or retransmission give-up. */
  TIMEOUT: 9,
} as const;

export type TcpInput = (typeof TcpInput)[keyof typeof TcpInput];

export const Segment = { NONE: 0, SYN: 1, SYN_ACK: 2, ACK: 3, FIN: 4, RST: 5 } as const;
export type Segment = (typeof Segment)[keyof typeof Segment];

export interface Transition {
  readonly next: TcpState;
  readonly send: Segment;
}

const S = TcpState;
const I = TcpInput;
const t = (next: TcpState, send: Segment = Segment.NONE): Transition => Object.freeze({ next, send });

/** transitions[state][input]; a missing entry means the input is invalid in that state. */
const transitions: Array<Partial<Record<TcpInput, Transition>>> = [];
transitions[S.CLOSED] = { [I.CONNECT]: t(S.SYN_SENT, Segment.SYN), [I.RCV_RST]: t(S.CLOSED) };
transitions[S.LISTEN] = { [I.RCV_SYN]: t(S.SYN_RECEIVED, Segment.SYN_ACK), [I.CLOSE]: t(S.CLOSED) };
transitions[S.SYN_SENT] = {
  [I.RCV_SYN_ACK]: t(S.ESTABLISHED, Segment.ACK),
  [I.RCV_RST]: t(S.CLOSED),
  [I.CLOSE]: t(S.CLOSED),
  [I.TIMEOUT]: t(S.CLOSED),
};
transitions[S.SYN_RECEIVED] = {
  [I.RCV_ACK]: t(S.ESTABLISHED),
  [I.RCV_RST]: t(S.LISTEN),
  [I.TIMEOUT]: t(S.CLOSED),
};
transitions[S.ESTABLISHED] = {
  [I.CLOSE]: t(S.FIN_WAIT_1, Segment.FIN),
  [I.RCV_FIN]: t(S.CLOSE_WAIT, Segment.ACK),
  [I.RCV_RST]: t(S.CLOSED),
  [I.ABORT]: t(S.CLOSED, Segment.RST),
  [I.TIMEOUT]: t(S.CLOSED),
};
transitions[S.FIN_WAIT_1] = {
  [I.RCV_FIN_ACK]: t(S.FIN_WAIT_2),
  [I.RCV_FIN]: t(S.CLOSING, Segment.ACK),
  [I.RCV_RST]: t(S.CLOSED),
  [I.TIMEOUT]: t(S.CLOSED),
};
transitions[S.FIN_WAIT_2] = {
  [I.RCV_FIN]: t(S.TIME_WAIT, Segment.ACK),
  [I.RCV_RST]: t(S.CLOSED),
  [I.TIMEOUT]: t(S.CLOSED),
};
transitions[S.CLOSE_WAIT] = {
  [I.CLOSE]: t(S.LAST_ACK, Segment.FIN),
  [I.RCV_RST]: t(S.CLOSED),
  [I.ABORT]: t(S.CLOSED, Segment.RST),
};
transitions[S.CLOSING] = { [I.RCV_FIN_ACK]: t(S.TIME_WAIT), [I.RCV_RST]: t(S.CLOSED), [I.TIMEOUT]: t(S.CLOSED) };
transitions[S.LAST_ACK] = { [I.RCV_FIN_ACK]: t(S.CLOSED), [I.RCV_RST]: t(S.CLOSED), [I.TIMEOUT]: t(S.CLOSED) };
transitions[S.TIME_WAIT] = {
  [I.TIMEOUT]: t(S.CLOSED),
  // A new SYN for the same 4-tuple (with timestamps) reopens a server-side TIME_WAIT:
  // tcp_timewait_state_process() returns TCP_TW_SYN and the listener takes the SYN.
  [I.RCV_SYN]: t(S.CLOSED),
  // An RST in window ends it (TIME-WAIT assassination, RFC 1337): tcp_timewait_state_process()
  // (net/ipv4/tcp_minisocks.c) `if (th->rst) { if (!sysctl_tcp_rfc1337) goto kill; }`, tcp_rfc1337
  // 0 by default (host-sockets.ts resetTimeWait; recorded: calibration/data/kernel-tw-rst-rt.json).
  [I.RCV_RST]: t(S.CLOSED),
};

/** The transition for an input, or an error naming the state and input. */
export function transition(state: TcpState, input: TcpInput): Transition {
  const row = transitions[state];
  const tr = row?.[input];
  if (!tr) throw new Error(`TCP: input ${inputName(input)} is invalid in state ${TCP_STATE_NAMES[state]}`);
  return tr;
}

export function isValid(state: TcpState, input: TcpInput): boolean {
  return transitions[state]?.[input] !== undefined;
}

export function inputName(input: TcpInput): string {
  return Object.keys(TcpInput)[input];
}

/**
 * Apply an orderly close started by one side (the active closer), with the other side's
 * application closing promptly when it reads EOF (the usual case) or never (a CLOSE_WAIT leak).
 * Returns the final states of both ends: the active closer ends in TIME_WAIT (or FIN_WAIT_2 while
 * the peer leaks), the passive side in CLOSED (or CLOSE_WAIT).
 */
export function orderlyClose(peerClosesPromptly: boolean): { closer: TcpState; peer: TcpState } {
  let closer: TcpState = transition(S.ESTABLISHED, I.CLOSE).next; // FIN_WAIT_1, FIN sent
  let peer: TcpState = transition(S.ESTABLISHED, I.RCV_FIN).next; // CLOSE_WAIT, ACK sent
  closer = transition(closer, I.RCV_FIN_ACK).next; // FIN_WAIT_2
  if (!peerClosesPromptly) return { closer, peer };
  peer = transition(peer, I.CLOSE).next; // LAST_ACK, FIN sent
  closer = transition(closer, I.RCV_FIN).next; // TIME_WAIT, ACK sent
  peer = transition(peer, I.RCV_FIN_ACK).next; // CLOSED
  return { closer, peer };
}

/**
 * Whether a connect() that began at `startedAt` has run out its `timeout`. Compared with a
 * microsecond of slack: a timer set for the deadline may land a rounding error before it, and
 * must not re-arm itself in zero time.
 */
export function connectDeadlinePassed(now: number, startedAt: number, timeout: number): boolean {
  return now >= startedAt + timeout - 1e-6;
}

/**
 * tcp_rto_min (TCP_RTO_MIN, include/net/tcp.h: HZ/5): the floor of the RTO's variance term.
 * TCP_RTO_MAX (HZ*120): the cap of a doubling RTO (tcp_retransmit_timer, net/ipv4/tcp_timer.c).
 */
export const TCP_RTO_MIN_S = 0.2;

/**
 * TCP_TIMEOUT_MIN (include/net/tcp.h): 2 jiffies, the shortest TCP timer. A connect() whose SYN
 * draws an unacceptable ACK before its first retransmission — the challenge ACK of a socket that
 * still holds the 4-tuple (HostSockets.acceptSyn 'challenged') — answers it with RST and re-arms
 * its SYN timer to it, not to the 1-s RTO: tcp_rcv_synsent_state_process() (net/ipv4/tcp_input.c),
 * "Previous FIN/ACK or RST/ACK might be ignored": `if (icsk->icsk_retransmits == 0)
 * inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN, TCP_RTO_MAX); goto
 * reset_and_undo;`. Recorded: calibration/data/kernel-stale-tuple-rt.json (8.7-31.9 ms at HZ 250).
 */
export const TCP_TIMEOUT_MIN_JIFFIES = 2;
/** TCP_TIMEOUT_MIN in seconds on a kernel ticking at `hz` (2 / HZ: 8 ms at HZ 250). */
export const tcpTimeoutMinS = (hz: number): number => TCP_TIMEOUT_MIN_JIFFIES / hz;
export const TCP_RTO_MAX_S = 120;

/**
 * tcp_model_timeout() (net/ipv4/tcp_timer.c): how long retransmissions may go on, in seconds from
 * the first transmission, for `boundary` retries at a base RTO of `rtoBase` (tcp_timeout_init(),
 * TCP_TIMEOUT_INIT 1 s, for a SYN): the time a doubling RTO would take, (2^(boundary+1) − 1) ·
 * rtoBase, while it stays below TCP_RTO_MAX (linear_backoff_thresh = ilog2(TCP_RTO_MAX / rtoBase)),
 * then TCP_RTO_MAX per retry.
 */
export function tcpModelTimeout(boundary: number, rtoBase: number, rtoMax = TCP_RTO_MAX_S): number {
  const linearBackoffThresh = Math.floor(Math.log2(rtoMax / rtoBase));
  if (boundary <= linearBackoffThresh) return (2 * 2 ** boundary - 1) * rtoBase;
  return (2 * 2 ** linearBackoffThresh - 1) * rtoBase + (boundary - linearBackoffThresh) * rtoMax;
}

/**
 * Linux SYN retransmission times (seconds after the first SYN) and the give-up time.
 * Kernels ≥ 6.5 add `tcp_syn_linear_timeouts` (default 4) retransmits at the initial RTO before
 * exponential backoff (tcp_retransmit_timer: the RTO doubles only once tp->total_rto exceeds
 * it): 1,1,1,1,1,2,4,…,32 then a 64 s wait, so connect() fails at ~131 s; with 0 linear
 * timeouts the classic 1,2,4,…,32 + 64 gives 127 s (ip-sysctl.rst).
 *
 * Each firing of the retransmission timer first asks tcp_write_timeout() (net/ipv4/tcp_timer.c,
 * Linux 6.18) whether to give up, which it does on either of two tests: the count,
 * icsk_retransmits ≥ tcp_syn_retries + tcp_syn_linear_timeouts, or — `if (!expired) expired =
 * retransmits_timed_out(sk, retry_until, icsk_user_timeout)` — the time since the first SYN
 * (retrans_stamp) having reached tcp_model_timeout(tcp_syn_retries, TCP_TIMEOUT_INIT), the time
 * the classic doubling schedule would take. With the defaults (6, 4) the count decides (131 s
 * against 127 s); with fewer retries than linear timeouts the time does: tcp_syn_retries 2 gives
 * up at the firing 7 s after the SYN, after 5 retransmits, not 6 (held-out recording
 * calibration/data/kernel-holdout-syn-giveup-r2-l4-rt.json: 7.22–7.25 s, the wheel's lateness
 * included).
 */
export function synRetransmitSchedule(
  synRetries: number,
  linearTimeouts: number,
  rtoInitial = 1,
  rtoMax = TCP_RTO_MAX_S,
): { retransmits: number[]; giveUp: number } {
  const retransmits: number[] = [];
  const maxRetransmits = synRetries + linearTimeouts;
  const timeout = tcpModelTimeout(synRetries, rtoInitial, rtoMax);
  let at = rtoInitial;
  let rto = rtoInitial;
  // The firing at `at`: give up (count or time reached) or retransmit and re-arm.
  while (retransmits.length < maxRetransmits && at < timeout - 1e-9) {
    retransmits.push(at);
    if (retransmits.length > linearTimeouts) rto = Math.min(rto * 2, rtoMax);
    at += rto;
  }
  return { retransmits, giveUp: at };
}

/**
 * Seconds from a connect()'s first SYN to the `k`-th firing of its retransmission timer (k from
 * 0): retransmission k + 1 while the schedule has one, then the give-up (the firing after the
 * last retransmission: tcp_write_timeout → tcp_write_err), then never.
 */
export function synFiringAt(schedule: { retransmits: readonly number[]; giveUp: number }, k: number): number {
  const n = schedule.retransmits.length;
  return k < n ? schedule.retransmits[k] : k === n ? schedule.giveUp : Infinity;
}

/**
 * The connecting kernel's RTO after its SYN's one RTT sample (the SYN-ACK: tcp_ack → tcp_ack_update_rtt
 * in tcp_rcv_synsent_state_process, net/ipv4/tcp_input.c): tcp_rtt_estimator() takes the first
 * sample m as srtt = m and rttvar = max(2m, tcp_rto_min) ("make sure rto = 3*rtt"), and
 * __tcp_set_rto() gives srtt + rttvar: RTT + 200 ms for any RTT up to 100 ms. `rtoMin` is the
 * socket's tcp_rto_min() where it is not the default (net.ipv4.tcp_rto_min_us, a route's rto_min).
 */
export function firstDataRto(rtt: number, rtoMin = TCP_RTO_MIN_S): number {
  return Math.min(rtt + Math.max(2 * rtt, rtoMin), TCP_RTO_MAX_S);
}
