// The accept queue's two checks (net/listen-queue.ts), Linux 6.18: tcp_conn_request at the SYN,
// tcp_v4_syn_recv_sock at the final ACK, and the SYN queue of the acked request socks.
import { describe, expect, it } from 'vitest';
import { acceptQueueFull, Handshake, ListenerChecks, nextDataCopyRto } from '../../sim/net/listen-queue.js';

const MAX = 16; // listen(fd, 16), somaxconn 4096: sk_max_ack_backlog 16, 17 children before it is full

describe('sk_acceptq_is_full', () => {
  it('is full only past the backlog (the queue holds backlog + 1)', () => {
    expect(acceptQueueFull(16, MAX)).toBe(false);
    expect(acceptQueueFull(17, MAX)).toBe(true);
  });
});

describe('the first-data copies after a dropped final ACK', () => {
  it('the loss probe keeps the RTO, each RTO after it doubles it: copies 1, 2, 4, 8 RTOs after the send', () => {
    let rto = 0.204;
    let at = rto; // the probe
    const times = [at];
    for (let copies = 1; copies <= 3; copies++) {
      rto = nextDataCopyRto(copies, rto);
      at += rto;
      times.push(at);
    }
    expect(times.map((t) => Math.round(t * 1000))).toEqual([204, 408, 816, 1632]);
    expect(nextDataCopyRto(9, 100)).toBe(120); // TCP_RTO_MAX
  });
});

describe('ListenerChecks', () => {
  it('a connect() from process context meets both checks at once: a child or a dropped SYN, never a dropped ACK', () => {
    const l = new ListenerChecks();
    expect(l.handshake(1, 16, MAX, false)).toBe(Handshake.CHILD);
    expect(l.handshake(1, 17, MAX, false)).toBe(Handshake.SYN_DROPPED);
    expect(l.requestSocks).toBe(0);
  });

  it('a batch of retransmitted SYNs passes the SYN check together; the ACKs beyond the room are dropped', () => {
    const l = new ListenerChecks();
    // 16 children: room for one. Five SYNs from one timer-wheel bucket at t = 2.
    const outcomes = [];
    let children = 16;
    for (let i = 0; i < 5; i++) {
      const h = l.handshake(2, children, MAX, true);
      if (h === Handshake.CHILD) children++;
      outcomes.push(h);
    }
    expect(outcomes).toEqual([
      Handshake.CHILD,
      Handshake.ACK_DROPPED,
      Handshake.ACK_DROPPED,
      Handshake.ACK_DROPPED,
      Handshake.ACK_DROPPED,
    ]);
    // Their request socks stay, acked and young (no SYN-ACK timeout yet).
    expect(l.requestSocks).toBe(4);
    expect(l.young).toBe(4);
    // The next bucket meets the full queue at the SYN.
    expect(l.handshake(2.032, children, MAX, true)).toBe(Handshake.SYN_DROPPED);
  });

  it('a batch meets the SYN queue with a request sock for each SYN before it: past the backlog, SYN cookies', () => {
    const l = new ListenerChecks();
    // 10 request socks already; the accept queue has room for one child.
    for (let i = 0; i < 10; i++) l.handshake(1, 20, MAX, true); // all dropped at the SYN: 20 > 16
    expect(l.requestSocks).toBe(0);
    const seen: Handshake[] = [];
    for (let i = 0; i < 20; i++) seen.push(l.handshake(3, 16, MAX, true));
    // SYN k (from 0) meets k request socks: a cookie once more than 16 (k ≥ 17).
    expect(seen[0]).toBe(Handshake.CHILD);
    expect(seen.slice(1, 17).every((h) => h === Handshake.ACK_DROPPED)).toBe(true);
    expect(seen.slice(17).every((h) => h === Handshake.ACK_DROPPED_COOKIE)).toBe(true);
    expect(l.requestSocks).toBe(16);
    l.firstTimeout();
    l.requestSockGone(false);
    l.requestSockGone(true);
    expect([l.requestSocks, l.young]).toEqual([14, 14]);
  });

  it('a child made between the SYNs of a batch by another segment counts at the ACK check', () => {
    const l = new ListenerChecks();
    expect(l.handshake(4, 15, MAX, true)).toBe(Handshake.CHILD); // 16 now
    // A data copy made the 17th child in the same softirq run: the next SYN of the batch still
    // passes (tcp_conn_request sees 16 before this batch's ACKs), its ACK meets 17.
    expect(l.handshake(4, 17, MAX, true)).toBe(Handshake.ACK_DROPPED);
  });

  it("a remote sender's SYN holds a request sock until its ACK: a burst within one round trip overflows into cookies", () => {
    const l = new ListenerChecks();
    // 20 SYNs before any ACK is back: each passes the SYN check at an empty queue and takes a
    // request sock (tcp_conn_request → inet_csk_reqsk_queue_added), a SYN cookie once the SYN
    // queue holds more than the backlog (inet_csk_reqsk_queue_is_full: SYN 17 from 0 on).
    const socks: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      expect(l.synPasses(5, 0, MAX, false)).toBe(true);
      socks.push(l.synReceived(MAX));
    }
    expect(socks.filter((s) => s).length).toBe(17);
    expect(socks.slice(17)).toEqual([false, false, false]);
    expect([l.requestSocks, l.young]).toEqual([17, 17]);
    // An ACK that made its child takes its request sock out, and the next SYN gets one again.
    l.requestSockGone(true);
    expect(l.synReceived(MAX)).toBe(true);
  });
});
