/**
 * Addresses of deleted pods behind a bridge CNI (kubernetes.deleted_pod_ip `unreachable`): the
 * node still holds the pod subnet on its bridge, so a packet to the gone pod's IP makes it resolve
 * that neighbour, and nobody answers its ARP requests. Linux (net/core/neighbour.c
 * __neigh_event_send) starts an entry that is neither STALE nor INCOMPLETE at `probes =
 * ucast_solicit` (3) and sends the first (broadcast) request at once; neigh_timer_handler sends one
 * more every retrans_time while probes < neigh_max_probes (ucast 3 + app 0 + mcast 3 = 6), so after
 * the requests at 0, 1 and 2 s it marks the entry FAILED at 3 s (net/ipv4/arp.c arp_tbl:
 * mcast_probes 3, ucast_probes 3, retrans_time 1 s). neigh_invalidate() then hands every packet queued on the
 * entry meanwhile (arp_queue: the first SYN, its retransmissions, other connects' SYNs to the
 * same address) to arp_error_report(), which answers each with ICMP host unreachable
 * (icmp_send ICMP_HOST_UNREACH). A connecting socket takes it as a hard error: tcp_v4_err
 * (net/ipv4/tcp_ipv4.c) in TCP_SYN_SENT sets sk_err = icmp_err_convert[ICMP_HOST_UNREACH].errno
 * (EHOSTUNREACH, net/ipv4/icmp.c) and calls tcp_done() — connect() fails with "No route to host".
 * A packet sent after the failure starts a new round of 3 s (__neigh_event_send again).
 *
 * One entry per address, shared by every sender routed through that node: a connect joins the
 * round under way and fails with it. Simplified: the neighbour timer fires exactly (not on the
 * node's timer wheel); a proxy's ICMP comes back at once (one hop from the bridge; behind a NAT the
 * client's comes a round trip after its SYN, lb/l4-connect.ts synAnswered); arp_queue's byte limit
 * (queue_len_bytes, 212992 on recent kernels: a dropped SYN would be retransmitted) is never reached.
 */
export class GoneAddresses {
  /** Seconds from the first packet to a failed neighbour resolution: mcast_solicit (3) requests, retrans_time (1 s) apart. */
  static readonly RESOLUTION_FAILS_AFTER = 3;
  /** 1: the backend's address is a gone pod's under a bridge CNI. */
  private readonly unreachable: Uint8Array;
  /** When the resolution under way for each address fails (-Infinity: none under way). */
  private readonly failsAt: Float64Array;

  constructor(count: number) {
    this.unreachable = new Uint8Array(count);
    this.failsAt = new Float64Array(count).fill(-Infinity);
  }

  /** Backend `b`'s pod was deleted and its sandbox stopped: its address is resolved in vain from now on. */
  podGone(b: number): void {
    this.unreachable[b] = 1;
  }

  /** Backend `b`'s slot addresses a live pod again (the balancer's entry left the gone one). */
  podBack(b: number): void {
    this.unreachable[b] = 0;
    this.failsAt[b] = -Infinity;
  }

  /**
   * A SYN to backend `b`'s address leaves now: how long until its connect() fails with
   * EHOSTUNREACH (hostUnreachableAt), or Infinity when the address is not a gone pod's.
   */
  unreachableIn(b: number, now: number): number {
    return this.unreachable[b] === 1 ? this.hostUnreachableAt(b, now) - now : Infinity;
  }

  /**
   * A SYN to gone address `b` leaves now: when its connect() fails with EHOSTUNREACH — the end of
   * the resolution under way, or of one it starts.
   */
  private hostUnreachableAt(b: number, now: number): number {
    if (now < this.failsAt[b]) return this.failsAt[b];
    this.failsAt[b] = now + GoneAddresses.RESOLUTION_FAILS_AFTER;
    return this.failsAt[b];
  }
}
