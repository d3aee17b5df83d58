/**
 * HAProxy's connection-retry rules, shared by the flow-level (tcp mode) and the request-level
 * (http mode) balancer. Source: HAProxy 2.6.12 = v2.6.0 + the backports that change these rules
 * (calibration/haproxy/NOTES.md, its preamble and items 1–4): bc6b23813 (2.6.3, `conn_retries`
 * incremented after back_handle_st_cer()'s give-up test: all `retries` retries), 406efb96d
 * (2.6.7, the turn-around pause only when not redispatching: turnAroundPause) and 41ade746c
 * (2.6.10, do_l7_retry()'s `conn_retries` not incremented before the L7 retry: l7-dispatch.ts
 * serverAborted).
 */

/** Facts about one failed connection attempt that decide where and when its retry goes. */
export interface RetryFacts {
  /** `option redispatch`. */
  redispatch: boolean;
  /** `option redispatch <interval>` (`be->redispatch_after`; -1 when written without one). */
  redispatchInterval: number;
  /** The stream reached its server through persistence (cookie / stick match: SF_DIRECT). */
  persistent: boolean;
  /** The failed server is running (`cur_state >= SRV_ST_RUNNING`: checks UP, not in maint, not in slowstart's ramp; LoadBalancer.running); drain does not count. */
  serverRunning: boolean;
  /** Retries made so far including this one (`s->conn_retries` after the increment). */
  retryNumber: number;
  /** `retries`. */
  retries: number;
  /** Servers in load balancing (`be->srv_act`: UP and neither drained nor in maintenance). */
  activeServers: number;
  /** The balance algorithm is a hash (`BE_LB_KIND_HI`: source, uri, hdr…). */
  hashAlgorithm: boolean;
}

/** One record per balancer, refilled before each retry decision (no allocation per retry). */
export function newRetryFacts(): RetryFacts {
  return {
    redispatch: false,
    redispatchInterval: -1,
    persistent: false,
    serverRunning: true,
    retryNumber: 0,
    retries: 0,
    activeServers: 0,
    hashAlgorithm: false,
  };
}

/**
 * `stream_choose_redispatch()` (include/haproxy/stream.h, called by `back_handle_st_cer()` in
 * src/backend.c and `do_l7_retry()` in src/http_ana.c): true when the retry is load-balanced
 * again (SC_ST_REQ), false when it stays on the same server (SC_ST_ASS). Only with `option
 * redispatch`; then when the server is not running, on a redispatch retry (isRedispatchRetry()),
 * or when the stream has no persistence, more than one server is active and the algorithm is not
 * a hash (406efb96d, 2.6.7).
 */
export function choosesRedispatch(f: RetryFacts): boolean {
  if (!f.redispatch) return false;
  if (!f.serverRunning) return true;
  if (isRedispatchRetry(f.retryNumber, f.retries, f.redispatchInterval)) return true;
  return !f.persistent && f.activeServers > 1 && !f.hashAlgorithm;
}

/**
 * Whether retry number `retryNumber` (1 … retries) is one that `option redispatch <interval>`
 * sends elsewhere, as stream_choose_redispatch() tests `s->conn_retries` (HAProxy 2.6.0
 * include/haproxy/stream.h): a positive interval P every P-th retry (`conn_retries % P == 0`),
 * a negative N the retries where `conn_retries % (retries + 1 + N) == 0` — with -1, the default
 * that `option redispatch` alone sets (cfg_parse_listen(), src/cfgparse-listen.c), the last one;
 * with -2 the one before it (and, being a modulo, every multiple of it: retries 5, -2 → the 4th;
 * retries 3, -2 → the 2nd) — and 0 none (the DOWN-server and immediate rules still apply). The
 * schema refuses N ≤ -(retries + 1), where HAProxy would divide by zero or below.
 */
export function isRedispatchRetry(retryNumber: number, retries: number, interval: number): boolean {
  if (interval > 0) return retryNumber % interval === 0;
  if (interval < 0) {
    const every = retries + 1 + interval;
    return every > 0 && retryNumber % every === 0;
  }
  return false;
}

/**
 * The turn-around pause of `back_handle_st_cer()` (the `must_tar` block): after an asynchronous
 * connect error (RST to the SYN) the retry waits `min(timeout connect, 1 s)` only when it stays
 * on the same server or at most one server is active; a connect *timeout* retries at once (the
 * timeout already waited).
 */
export function turnAroundPause(
  refused: boolean,
  redispatching: boolean,
  activeServers: number,
  retryInterval: number,
): number {
  if (!refused) return 0;
  return !redispatching || activeServers <= 1 ? retryInterval : 0;
}
