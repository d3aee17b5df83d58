// The held-out figures drainsim does not match yet, with the kernel reason (test/calibration/
// kernel-holdout.test.ts skips them and checks they are still gaps; the README table marks them).
// Session 14 (helper ackq) modelled the final-ACK check at the app's listener (sim/net/
// listen-queue.ts ListenerChecks, sim/model/app/app-listener.ts, nginx's SYN retransmissions on
// the VM's timer wheel): backlog16-…-rt-run0 connects (794, drainsim 851) left this list; the
// prediction before that commit is calibration/lib/ack-overflow-predictions.json.
const ACK_BATCHES =
  "drainsim checks the app's accept queue at the SYN and again at the final ACK (tcp_conn_request, " +
  'tcp_v4_syn_recv_sock → listen_overflow in tcp_check_req), each 32-ms timer-wheel bucket of ' +
  "nginx's SYN retransmissions one softirq batch (net/listen-queue.ts ListenerChecks), and now " +
  'over-counts the connects whose final ACK is dropped: 851 against 741 and 794 under SCHED_FIFO ' +
  'at backlog 16, 1230 against 992–1079 at backlog 32 (the SYN check alone gave 317 and 781). ' +
  'The recorded SYN queue (ss: 16–17 SYN-RECV, cookies beyond) matches the model; what splits or ' +
  'shortens the real batches (two CPUs, each with its own timer wheel and backlog; the client ' +
  'issuing its connects from a 4-ms setInterval, the twin from Poisson arrivals) is not known';

const WHEEL_TAIL =
  "the late answers: nginx's SYN retransmissions leave in the VM's 32-ms timer-wheel buckets " +
  '(HZ 250) as Linux sends them, and a bucket gets the place an accept() frees only if it comes ' +
  'before the next first SYN (one per 10 ms, completing its handshake inside connect()) and the ' +
  'data copies of connections whose final ACK was dropped; in drainsim more connects reach the ' +
  '7-s retransmission (p95 8.1 s against 4.0–6.0 s recorded at backlog 16, 5.2 s against 4.0 s at ' +
  'backlog 32); with exact 1-s retransmissions (before session 14) the tail matched. Not explained';

const LOAD =
  'recorded at load average 5.5 without SCHED_FIFO: the one-worker server woke late from each ' +
  'sleep (68 ms a request for 50); both SCHED_FIFO runs answered 298 (drainsim 299)';
const LOAD_CONNECTS =
  'recorded at load average 5.5 without SCHED_FIFO: 411 connects against 741 and 794 in the ' +
  'SCHED_FIFO runs of the same experiment (drainsim 851, compared on those)';
const VOLATILE =
  'the real runs vary this much (backlog 32: 713, 694 and 561 answers), through the ACK-time ' +
  'overflow: a child made by an answer to a resent SYN-ACK has no data, and the one-worker ' +
  'server blocks in recv() on it until the next data copy; drainsim keeps such a child in the ' +
  "accept queue until its data comes (app-listener.ts) and its app's worker never blocks on one";

/** `<label>/<figure id>` → why (label: the data file's name, lib/holdout.mjs holdoutFiles). */
export const HOLDOUT_GAPS = {
  'kernel-holdout-backlog16-100-s50ms/connects': LOAD_CONNECTS,
  'kernel-holdout-backlog16-100-s50ms/answered': LOAD,
  'kernel-holdout-backlog16-100-s50ms/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog16-100-s50ms-rt-run0/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog16-100-s50ms-rt/connects': ACK_BATCHES,
  'kernel-holdout-backlog16-100-s50ms-rt/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms/connects': ACK_BATCHES,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt-run0/connects': ACK_BATCHES,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt-run0/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt-run0/latency-p99': WHEEL_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/connects': ACK_BATCHES,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/answered': VOLATILE,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/latency-p99': WHEEL_TAIL,
  // Session 14's held-out run (backlog 8, 60/s, 40 ms; predicted before it was recorded): connects
  // 626 against 669 predicted, answers 372 against 374, p50 and p99 within tolerance; p95 5.01 s
  // against 6.20 s.
  'kernel-holdout-backlog8-60-s40ms-rt/latency-p95': WHEEL_TAIL,
};
