/**
 * A listener's request socks (the SYN queue) and their SYN-ACK timer, as pure functions of the
 * kernel's rules. Read from Linux 6.18 (the recordings' 6.18.44): net/ipv4/tcp_input.c
 * tcp_conn_request, net/ipv4/inet_connection_sock.c reqsk_timer_handler / syn_ack_recalc
 * (each request sock's own rsk_timer, TIMER_PINNED), include/net/inet_connection_sock.h
 * inet_csk_reqsk_queue_is_full, include/net/tcp.h tcp_reqsk_timeout, net/ipv4/tcp_minisocks.c
 * tcp_check_req.
 */
import { TCP_RTO_MAX_S } from './tcp.js';

/** TCP_TIMEOUT_INIT (include/net/tcp.h): a request sock's first SYN-ACK timeout, 1 s (req->timeout, tcp_timeout_init). */
export const TCP_TIMEOUT_INIT_S = 1;

/** net.ipv4.tcp_synack_retries, default 5 (Documentation/networking/ip-sysctl.rst). */
export const TCP_SYNACK_RETRIES = 5;

/**
 * Whether a SYN finds the SYN queue full (inet_csk_reqsk_queue_is_full): more request socks than
 * sk_max_ack_backlog = min(listen backlog, somaxconn). `>` since "tcp/dccp: allow a connection
 * when sk_max_ack_backlog is zero" (3479c7549fb1, in v6.13 and later, so in 6.18.44, and in the
 * stable kernels; it was `>=`, which would hold one request sock fewer), the same test
 * as the accept queue's sk_acceptq_is_full, so both hold backlog + 1. A SYN finding it full gets
 * a SYN cookie (tcp_syncookies 1, the default: tcp_syn_flood_action, TCPReqQFullDoCookies): no
 * request sock, so no SYN-ACK timer either.
 */
export function synQueueFull(requestSocks: number, maxAckBacklog: number): boolean {
  return requestSocks > maxAckBacklog;
}

/**
 * tcp_reqsk_timeout(req) (include/net/tcp.h; reqsk_timer_handler re-arms with
 * `mod_timer(&req->rsk_timer, jiffies + tcp_reqsk_timeout(req))`, tcp_check_req uses it too): the
 * timeout after the `numTimeout`-th firing, req->timeout (TCP_TIMEOUT_INIT) << num_timeout capped
 * at TCP_RTO_MAX: 2, 4, 8, 16 s … so the SYN-ACK goes again 1, 3, 7, 15, 31 s after the SYN.
 */
export function reqskTimeout(numTimeout: number): number {
  return Math.min(TCP_TIMEOUT_INIT_S * 2 ** numTimeout, TCP_RTO_MAX_S);
}

/**
 * The SYN-ACK retries a request sock gets when its timer fires (reqsk_timer_handler):
 * tcp_synack_retries, lowered while the SYN queue is more than half of max(8, backlog) and mostly
 * old ("we reserve half of room for young embrions; and abort old ones without pity"): with
 * `young` request socks that never timed out among `requestSocks`, each halving of young below
 * qlen takes one retry off, down to 2.
 */
export function synAckRetries(
  requestSocks: number,
  young: number,
  maxAckBacklog: number,
  retries = TCP_SYNACK_RETRIES,
): number {
  let max = retries;
  if (requestSocks * 2 <= Math.max(8, maxAckBacklog)) return max;
  let y = young * 2;
  while (max > 2) {
    if (requestSocks < y) break;
    max--;
    y *= 2;
  }
  return max;
}

/**
 * TCP_SYNCOOKIE_PERIOD (include/net/tcp.h, 60·HZ jiffies): the period of tcp_cookie_time(), the
 * counter a SYN cookie encodes in its top 8 bits (secure_tcp_syn_cookie, net/ipv4/syncookies.c:
 * `count << COOKIEBITS`).
 */
export const TCP_SYNCOOKIE_PERIOD_S = 60;

/** MAX_SYNCOOKIE_AGE (include/net/tcp.h): counter values a cookie stays valid for. */
export const MAX_SYNCOOKIE_AGE = 2;

/** tcp_cookie_time() (include/net/tcp.h): get_jiffies_64() / TCP_SYNCOOKIE_PERIOD, at jiffies value `jiffies`. */
export function synCookieTime(jiffies: number, hz: number): number {
  return Math.floor(jiffies / (TCP_SYNCOOKIE_PERIOD_S * hz));
}

/**
 * Whether a SYN cookie sent when tcp_cookie_time() was `sentAt` still decodes now, at `now`:
 * check_tcp_syn_cookie (net/ipv4/syncookies.c) refuses it once `count − sentAt` reaches
 * MAX_SYNCOOKIE_AGE, so a cookie lives 60 to 120 s, as the counter's phase falls ("valid only at
 * most for 2*60 seconds, or less if the counter advances immediately after a cookie is
 * generated"). The ACK (or data segment carrying it) of a refused cookie gets nothing from
 * cookie_v4_check but the listener back (LINUX_MIB_SYNCOOKIESFAILED), and tcp_rcv_state_process
 * in TCP_LISTEN answers an ACK with `return 1`: tcp_v4_do_rcv resets the sender
 * (tcp_v4_send_reset), whatever room the accept queue has then. A valid one meeting a full
 * accept queue is dropped (tcp_get_cookie_sock → tcp_v4_syn_recv_sock: sk_acceptq_is_full).
 */
export function synCookieValid(sentAt: number, now: number): boolean {
  return now - sentAt < MAX_SYNCOOKIE_AGE;
}
