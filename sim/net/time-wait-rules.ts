/**
 * When a TIME_WAIT 4-tuple may be used again: the two kernel rules, as pure functions.
 *
 * 1. The connecting side (net/ipv4/tcp_ipv4.c tcp_twsk_unique(), 6.13+): a connect() may take
 *    over its own TIME_WAIT on the same 4-tuple if the old connection used timestamps
 *    (tw_ts_recent_stamp ≠ 0) and either
 *      - the port was bound before connect() (twp == NULL: __inet_hash_connect's `if (port)`
 *        path), whatever tcp_tw_reuse says, or
 *      - tcp_tw_reuse is 1, or 2 and the 4-tuple is loopback (ipv4_is_loopback of either
 *        address, or bound to lo), and tcp_clock_ms() is strictly after
 *        tw_entry_stamp + tcp_tw_reuse_delay (time_after32).
 *    A TIME_WAIT still in its FIN_WAIT2 substate is never reused; this model has none.
 *
 * 2. The accepting side (net/ipv4/tcp_minisocks.c tcp_timewait_state_process(), TIME_WAIT
 *    substate): a SYN for a 4-tuple in TIME_WAIT reopens it (TCP_TW_SYN: the TIME_WAIT is
 *    descheduled and the SYN goes to the listener) unless PAWS rejects it, and if
 *    its sequence number is after rcv_nxt or its timestamp is newer than ts_recent.
 *    With timestamps, a newer TSval from the same sender is the usual case (one TSval clock per
 *    host pair: secure_tcp_ts_off(saddr, daddr)); an older one is a PAWS reject. Without
 *    timestamps, the ISN of secure_tcp_seq() grows with time (ktime_get_real_ns() >> 6), so it
 *    is after rcv_nxt once a few microseconds have passed: accepted.
 */
export interface ConnectReuseInput {
  /** tcp_tw_reuse of the connecting host. */
  readonly twReuse: 0 | 1 | 2;
  readonly twReuseDelayMs: number;
  /** Whether the 4-tuple is loopback (for tcp_tw_reuse = 2). */
  readonly loopback: boolean;
  /** The old connection negotiated timestamps (tw_ts_recent_stamp ≠ 0). */
  readonly timestamps: boolean;
  /** The port was bound by bind() before connect(). */
  readonly boundBeforeConnect: boolean;
  /** tcp_clock_ms() when the TIME_WAIT began (tw_entry_stamp) and now. */
  readonly enteredMs: number;
  readonly nowMs: number;
}

export function connectMayReuseTimeWait(x: ConnectReuseInput): boolean {
  return mayReuseTimeWait(
    x.twReuse,
    x.twReuseDelayMs,
    x.loopback,
    x.timestamps,
    x.boundBeforeConnect,
    x.enteredMs,
    x.nowMs,
  );
}

/** connectMayReuseTimeWait with positional arguments: the port walk's hot path allocates nothing. */
export function mayReuseTimeWait(
  twReuse: 0 | 1 | 2,
  twReuseDelayMs: number,
  loopback: boolean,
  timestamps: boolean,
  boundBeforeConnect: boolean,
  enteredMs: number,
  nowMs: number,
): boolean {
  if (!timestamps) return false;
  if (boundBeforeConnect) return true;
  const reuse = twReuse === 2 ? (loopback ? 1 : 0) : twReuse;
  return reuse !== 0 && reuseDelayPassed(enteredMs, nowMs, twReuseDelayMs);
}

/**
 * tcp_twsk_unique()'s age test: tcp_clock_ms() strictly after tw_entry_stamp + tcp_tw_reuse_delay
 * (time_after32). On its own for a caller that knows the rest of mayReuseTimeWait()'s answer
 * (host-sockets.ts matureTimeWaits(): a TIME_WAIT with timestamps of a pair that may reuse).
 */
export function reuseDelayPassed(enteredMs: number, nowMs: number, twReuseDelayMs: number): boolean {
  return nowMs > enteredMs + twReuseDelayMs;
}

export interface SynToTimeWaitInput {
  /** Timestamps were in use on the old connection (the TIME_WAIT holds ts_recent). */
  readonly timestamps: boolean;
  /** The SYN's TSval and the TIME_WAIT's ts_recent, in the sender's TSval clock (ms). */
  readonly synTsval: number;
  readonly tsRecent: number;
}

/** Whether a SYN reopens a server-side TIME_WAIT (TCP_TW_SYN) instead of being dropped/ACKed. */
export function synReopensTimeWait(x: SynToTimeWaitInput): boolean {
  if (!x.timestamps) return true;
  // tcp_paws_reject(): TSval older than ts_recent (and ts_recent younger than 24 days) → reject;
  // otherwise the timestamp test (s32)(ts_recent − TSval) < 0 decides; an equal TSval falls back
  // to the sequence test, which the clock-driven ISN passes.
  return x.synTsval >= x.tsRecent;
}
