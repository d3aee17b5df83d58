/**
 * A listener's accept queue as the kernel checks it, twice per handshake, and the sender's data
 * copies after a dropped final ACK. Read from Linux 6.18 (the recordings' 6.18.44):
 * net/ipv4/tcp_input.c tcp_conn_request (the SYN), net/ipv4/tcp_minisocks.c tcp_check_req and
 * net/ipv4/tcp_ipv4.c tcp_v4_syn_recv_sock (the final ACK), include/net/sock.h sk_acceptq_is_full.
 * Every listener drainsim models (nginx's :443 through lb/l4-connect.ts, the app's through
 * app/app-listener.ts) asks these, so both checks are one rule.
 */
import { synQueueFull } from './request-sock.js';
import { TCP_RTO_MAX_S } from './tcp.js';

/**
 * sk_acceptq_is_full (include/net/sock.h): `sk_ack_backlog > sk_max_ack_backlog`, children not
 * yet accept()ed against min(listen backlog, somaxconn) (__sys_listen). `>`: the queue holds one
 * more than the backlog.
 */
export function acceptQueueFull(children: number, maxAckBacklog: number): boolean {
  return children > maxAckBacklog;
}

/**
 * The RTO after the sender's `copiesSent`-th copy of its first data when the final ACK it carries
 * keeps meeting a full accept queue (the data segment carries the ACK; tcp_check_req takes it as
 * the ACK of the handshake). The first copy is the tail loss probe: tcp_schedule_loss_probe
 * (net/ipv4/tcp_output.c) armed it at the RTO (PTO 2·srtt + tcp_rto_min capped by the time to the
 * RTO), and tcp_send_loss_probe re-arms the RTO without backing it off; each RTO firing after that
 * doubles it (tcp_retransmit_timer, net/ipv4/tcp_timer.c: `icsk_rto << 1`, capped at TCP_RTO_MAX).
 * So copies go 1, 2, 4, 8 … RTOs after the first send.
 */
export function nextDataCopyRto(copiesSent: number, rto: number): number {
  return copiesSent > 1 ? Math.min(2 * rto, TCP_RTO_MAX_S) : rto;
}

/**
 * Where a handshake with a listener ends: its SYN dropped on the full accept queue, its child
 * made at the final ACK, or its final ACK dropped (the sender is ESTABLISHED; the listener keeps a
 * request sock, or nothing when the SYN got a SYN cookie). ACK_PENDING: the SYN passed and the
 * final ACK of a sender across a round trip is on its way; the accept queue decides it when it
 * arrives (ListenerChecks.synReceived).
 */
export const Handshake = { SYN_DROPPED: 0, CHILD: 1, ACK_DROPPED: 2, ACK_DROPPED_COOKIE: 3, ACK_PENDING: 4 } as const;
export type Handshake = (typeof Handshake)[keyof typeof Handshake];

/**
 * One listener's two accept-queue checks and its SYN queue (the request socks of handshakes whose
 * final ACK was dropped) for handshakes that complete in the same instant of simulated time. A
 * connect() from process context runs the whole loopback handshake inside the syscall
 * (dev_queue_xmit → loopback_xmit → netif_rx; the softirq runs at local_bh_enable: SYN, SYN-ACK
 * and ACK one after the other), so its SYN and ACK see the same queue. SYN retransmissions are
 * sent from the timer softirq (tcp_retransmit_timer → tcp_write_timer), every timer of one
 * timer-wheel bucket in one run (kernel/time/timer.c expire_timers; net/jiffies.ts): their SYNs
 * all go into the CPU's backlog before NET_RX runs, and process_backlog (net/core/dev.c) handles
 * the whole batch of SYNs, then the SYN-ACKs they queued, then the ACKs. So every SYN of a batch
 * meets the accept queue as it was before the batch (tcp_conn_request counts only completed
 * children) and the SYN queue with a request sock for each SYN of the batch before it (a SYN
 * cookie once it holds more than the backlog: synQueueFull), and their final ACKs then meet the
 * accept queue one by one: the room for one child lets the whole batch connect and all but one of
 * their ACKs are dropped (tcp_v4_syn_recv_sock: sk_acceptq_is_full → exit_overflow; tcp_check_req
 * listen_overflow, with tcp_abort_on_overflow 0, marks the request sock acked and sends nothing).
 */
export class ListenerChecks {
  /** Request socks of acked handshakes (qlen), and those whose SYN-ACK timer never fired (young). */
  requestSocks = 0;
  young = 0;
  /** When the current batch of retransmitted SYNs arrived, the accept queue then, and its own children and request socks. */
  private batchAt = Number.NaN;
  private batchStartChildren = 0;
  private batchChildren = 0;
  private batchRequestSocks = 0;

  /**
   * A SYN arrives now while `children` connections wait to be accept()ed. `batched`: it is a
   * retransmission from the sender's timer softirq. Returns what becomes of the handshake; a
   * dropped final ACK with a request sock counts it here (requestSockGone when it leaves).
   */
  handshake(now: number, children: number, maxAckBacklog: number, batched: boolean): Handshake {
    if (!this.synPasses(now, children, maxAckBacklog, batched)) return Handshake.SYN_DROPPED;
    return this.finalAck(children, maxAckBacklog, batched);
  }

  /** The SYN's accept-queue check (tcp_conn_request); handshake() is it and finalAck() together. */
  synPasses(now: number, children: number, maxAckBacklog: number, batched: boolean): boolean {
    if (!batched) return !acceptQueueFull(children, maxAckBacklog);
    if (now !== this.batchAt) {
      this.batchAt = now;
      this.batchStartChildren = children;
      this.batchChildren = 0;
      this.batchRequestSocks = 0;
    }
    // The SYN check sees the queue without this batch's children (their ACKs come after every SYN
    // of the batch), with those made meanwhile by other segments of the same softirq run.
    return !acceptQueueFull(Math.max(this.batchStartChildren, children - this.batchChildren), maxAckBacklog);
  }

  /** The final ACK of a SYN that passed synPasses() just now: its request sock, then the second check. */
  finalAck(children: number, maxAckBacklog: number, batched: boolean): Handshake {
    // From process context the whole handshake runs before anything else: the room synPasses()
    // found is still there.
    if (!batched) return Handshake.CHILD;
    const cookie = synQueueFull(this.requestSocks + this.batchRequestSocks, maxAckBacklog);
    if (!cookie) this.batchRequestSocks++;
    // Its ACK meets the queue as the SYNs before it in the batch left it.
    if (acceptQueueFull(this.ackQueue(children, batched), maxAckBacklog)) {
      if (cookie) return Handshake.ACK_DROPPED_COOKIE;
      // The request sock stays (it was counted among the batch's, which leave at their ACKs).
      this.batchRequestSocks--;
      this.requestSocks++;
      this.young++;
      return Handshake.ACK_DROPPED;
    }
    this.batchChildren++;
    return Handshake.CHILD;
  }

  /**
   * The accept queue a final ACK meets now, as finalAck() counts it: from process context the
   * children there are; in a batch of retransmitted SYNs, at least the children the queue had at
   * the batch's SYNs plus those the batch's earlier ACKs made (a log line quotes this count, the
   * one the check compared with the backlog).
   */
  ackQueue(children: number, batched: boolean): number {
    return batched ? Math.max(children, this.batchStartChildren + this.batchChildren) : children;
  }

  /**
   * A SYN from a sender across a round trip passed synPasses() (with batched false: none of its
   * batch's ACKs can come before all its SYNs are in, so each SYN sees the queue as it is):
   * tcp_conn_request (net/ipv4/tcp_input.c) makes a request sock and sends the SYN-ACK, and the
   * final ACK comes a round trip later, when tcp_check_req (net/ipv4/tcp_minisocks.c) calls
   * tcp_v4_syn_recv_sock (net/ipv4/tcp_ipv4.c), which checks sk_acceptq_is_full then — not now
   * (finalAck's CHILD holds only for a handshake that runs whole inside one softirq run). Until
   * then the request sock counts in the SYN queue (inet_csk_reqsk_queue_added: qlen and young),
   * so a burst of SYNs within one round trip can overflow it into SYN cookies (synQueueFull).
   * True: a request sock, counted here (requestSockGone when its child is made or it goes);
   * false: a SYN cookie, no state.
   */
  synReceived(maxAckBacklog: number): boolean {
    if (synQueueFull(this.requestSocks, maxAckBacklog)) return false;
    this.requestSocks++;
    this.young++;
    return true;
  }

  /** A request sock left the SYN queue (its child made, its sender gone, or expired); `young`: its timer never fired. */
  requestSockGone(young: boolean): void {
    this.requestSocks--;
    if (young) this.young--;
  }

  /** Its SYN-ACK timer fired for the first time (reqsk_timer_handler: `if (req->num_timeout++ == 0) young--`). */
  firstTimeout(): void {
    this.young--;
  }

  /** The listener closed (its process died): its SYN queue went with it. */
  reset(): void {
    this.requestSocks = 0;
    this.young = 0;
    this.batchAt = Number.NaN;
  }
}
