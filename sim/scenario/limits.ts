/**
 * The bounds of every numeric scenario setting that has one, in one place, each with its reason:
 * the real system's own limit where there is one, otherwise the point past which a value is a
 * typo or a way to make a run never end. The schema (schema.ts) enforces them at validation; the
 * README's "Bad input and limits" lists them.
 */

const DAY = 86_400;

/** The longest duration a scenario may write: a year of simulated time is already far past any drain. */
export const MAX_DURATION_S = 365 * DAY;

/** Whole numbers in settings the real systems keep in a C `int` (sysctls, nginx and HAProxy counters). */
export const MAX_INT = 2 ** 31 - 1;

/** Seeds are exact in a double up to 2^53 − 1; past it `seed + 1 === seed` and seed ranges never end. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Linux caps net.ipv4.tcp_syn_retries and tcp_syn_linear_timeouts at MAX_TCP_SYNCNT = 127 (net/ipv4/sysctl_net_ipv4.c). */
export const MAX_TCP_SYNCNT = 127;
/** Linux: tcp_syn_retries_min = 1 (net/ipv4/sysctl_net_ipv4.c): a connect sends at least one retransmission. */
export const MIN_TCP_SYN_RETRIES = 1;
/**
 * net.ipv4.tcp_retries2 and tcp_orphan_retries are u8 sysctls (net/ipv4/sysctl_net_ipv4.c:
 * `.maxlen = sizeof(u8)`, `.proc_handler = proc_dou8vec_minmax`, since "tcp: convert elligible
 * sysctls to u8", Linux 5.13): writing a value above 255 fails with EINVAL, so the kernel's own
 * bound is 0 … 255. 255 gives up after ~8.3 h (tcp_model_timeout: 204.6 s + 246 × 120 s).
 */
export const MAX_TCP_RETRIES2 = 255;

/**
 * Seconds sysctls read by proc_dointvec_jiffies (tcp_keepalive_time, tcp_keepalive_intvl): Linux
 * refuses a value whose jiffies overflow an int (do_proc_dointvec_jiffies_conv: `*lvalp > INT_MAX
 * / HZ` → EINVAL), 2,147,483 s at HZ 1000, the strictest HZ. At least 1 s: 0 would make the
 * keep-alive timer fire without pause.
 */
export const MAX_JIFFIES_SYSCTL_S = Math.floor(MAX_INT / 1000);

/** Port numbers are 16 bits; Linux rejects an ip_local_port_range whose end is below its start (ipv4_local_port_range). */
export const MAX_PORT = 65_535;

/** HAProxy server weights run 0 … 256 (src/server.c: "weight" must be between 0 and 256). */
export const MAX_WEIGHT = 256;

/**
 * Arrival and request rates, per second. 10^6/s is beyond one load balancer in front of a few VMs
 * and, simulated connection by connection, already ~10^8 events per simulated minute.
 */
export const MAX_RATE_PER_S = 1_000_000;

/** Open sessions, users and workers: counts of entities the model holds one by one. */
export const MAX_SESSIONS = 10_000_000;
export const MAX_USERS = 10_000_000;
export const MAX_WORKERS = 100_000;
export const MAX_BACKENDS = 1000;
/** clients.ws.scheduled: sessions written out one by one in the scenario; past 1000 a population is arrivals' job. */
export const MAX_SCHEDULED_SESSIONS = 1000;

/** Client and LB retries of one request: past 100 a retry loop is a bug, not a policy. */
export const MAX_RETRIES = 100;

/**
 * The shortest sample interval. The model's own delays are milliseconds (RTT, service times,
 * health-check work) and every sample is one timeline row per backend, so samples finer than
 * 10 ms add rows (memory), not information; `sample_interval: 0s` would never advance.
 */
export const MIN_SAMPLE_INTERVAL_S = 0.01;

/**
 * Health-check intervals and timeouts: HAProxy rejects a zero `inter` (src/check.c, the `inter`
 * keyword parser: the delay must be > 0) and keeps timers in milliseconds; an interval of 0 never
 * lets simulated time advance.
 */
export const MIN_CHECK_INTERVAL_S = 0.001;

/**
 * A deploy gate's poll period: a deploy script asks the LB's stats (HAProxy stats socket, a cloud
 * API) at most a few times a second; `poll: 0s` would never let simulated time advance.
 */
export const MIN_GATE_POLL_S = 0.1;

/** WebSocket application pings: sub-100 ms pings are no client's setting and cost an event per session each. */
export const MIN_PING_INTERVAL_S = 0.1;

/** Kubernetes probes: periodSeconds and timeoutSeconds have a minimum of 1 (pkg/apis/core/validation). Sub-second values are kept for experiments, down to 1 ms. */
export const MIN_PROBE_PERIOD_S = 0.001;

/** One assertion is a line of text; 1000 characters is ten times the longest the README shows. */
export const MAX_EXPECT_LENGTH = 1000;
