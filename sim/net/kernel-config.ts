/**
 * The per-host kernel settings the port and TIME_WAIT model reads, with Linux's defaults.
 *
 * Sources (torvalds/linux, read at a 6.18-era tree; CONFIG_HZ as on this project's CI kernel,
 * 6.18 with CONFIG_HZ_250=y):
 * - ip_local_port_range 32768 60999: net/ipv4/af_inet.c inet_init_net().
 * - tcp_tw_reuse 2 (loopback only), tcp_tw_reuse_delay 1000 ms (added in 6.13):
 *   net/ipv4/tcp_ipv4.c tcp_sk_init(); Documentation/networking/ip-sysctl.rst.
 * - tcp_timestamps 1: tcp_sk_init().
 * - tcp_max_tw_buckets: tcp_sk_init() sets it to half the established-hash size, which depends
 *   on memory (131072 in the namespaces of calibration/data, recorded there); a host setting.
 * - TCP_TIMEWAIT_LEN 60 s: include/net/tcp.h.
 * - tcp_rfc1337 0: tcp_sk_init() does not set it (net/ipv4/tcp_ipv4.c); ip-sysctl.rst "Default: 0".
 */
export interface HostKernelConfig {
  /** net.ipv4.ip_local_port_range, inclusive. */
  readonly portLow: number;
  readonly portHigh: number;
  /** net.ipv4.tcp_tw_reuse: 0 never, 1 always, 2 only for loopback 4-tuples. */
  readonly twReuse: 0 | 1 | 2;
  /** net.ipv4.tcp_tw_reuse_delay in milliseconds (1…TCP_PAWS_MSL·1000). */
  readonly twReuseDelayMs: number;
  /** net.ipv4.tcp_timestamps: whether this host offers TCP timestamps. */
  readonly timestamps: boolean;
  /** net.ipv4.tcp_max_tw_buckets. */
  readonly maxTwBuckets: number;
  /** CONFIG_HZ: the jiffy rate of the timer wheel and of the port-offset period. */
  readonly hz: number;
  /**
   * net.ipv4.tcp_rfc1337 (default 0: tcp_sk_init() leaves it unset): whether an RST in window
   * spares a TIME_WAIT (HostSockets.resetTimeWait). Unset: 0.
   */
  readonly rfc1337?: boolean;
}

/** TCP_TIMEWAIT_LEN (include/net/tcp.h): 60·HZ jiffies. */
export const TCP_TIMEWAIT_LEN_S = 60;

/**
 * net.ipv4.tcp_fin_timeout, default TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN (include/net/tcp.h): how
 * long an orphaned socket stays in FIN_WAIT2. tcp_rcv_state_process (net/ipv4/tcp_input.c, the
 * ACK of its FIN in TCP_FIN_WAIT1) takes tcp_fin_time() = max(tcp_fin_timeout, 3.5 RTO), not above
 * TCP_TIMEWAIT_LEN, so tcp_time_wait(sk, TCP_FIN_WAIT2, tmo): a timewait sock in its FIN_WAIT2
 * substate for 60 s on the timer wheel (inet_twsk_schedule), never reused
 * (tcp_twsk_unique), killed by a segment with new data (tcp_timewait_state_process: TCP_TW_RST).
 */
export const TCP_FIN_TIMEOUT_S = 60;

export const LINUX_DEFAULTS: HostKernelConfig = {
  portLow: 32768,
  portHigh: 60999,
  twReuse: 2,
  twReuseDelayMs: 1000,
  timestamps: true,
  maxTwBuckets: 131072,
  hz: 250,
  rfc1337: false,
};

/** 127.0.0.0/8, as ipv4_is_loopback() (include/linux/in.h). Addresses are unsigned 32-bit. */
export function isLoopback(addr: number): boolean {
  return addr >>> 24 === 127;
}

/** a.b.c.d → unsigned 32-bit number. */
export function ipv4(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${text}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}
