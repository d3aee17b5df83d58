// The held-out figures drainsim does not match yet, with the kernel reason (test/calibration/
// kernel-holdout.test.ts skips them and checks they are still gaps; the README table marks them).
const ACK_TIME_OVERFLOW =
  'the app listener is modelled with the accept-queue check at the SYN only; Linux checks again at ' +
  'the final ACK (tcp_v4_syn_recv_sock: sk_acceptq_is_full → listen_overflow, tcp_check_req) and SYN ' +
  'retransmissions fire in timer-wheel batches (tcp_retransmit_timer on a level-1 wheel slot, 32 ms ' +
  'at HZ 250), so a batch passes the SYN check together and all but the first are dropped at the ACK: ' +
  'the client is ESTABLISHED (counted here as a connect; 411, 794 and 741 recorded at backlog 16 against 317 in drainsim) and gets in later with a data copy or an ' +
  'answer to a SYN-ACK resend — the latter a child with no data, on which a one-worker server blocks ' +
  'in recv() until the next data copy';

const LOAD =
  'recorded at load average 5.5 without SCHED_FIFO: the one-worker server woke late from each ' +
  'sleep (68 ms a request for 50); both SCHED_FIFO runs answered 298 (drainsim 299)';
const VOLATILE =
  'the real runs vary this much (backlog 32: 713, 694 and 561 answers; p95 3.97–4.75 s, p99 ' +
  '6.6–7.8 s; backlog 16 p95 3.98–6.01 s), through the ACK-time overflow: a connection whose final ' +
  'ACK was dropped gets in with a later data copy or by answering a SYN-ACK resend, and a child ' +
  'made by that answer has no data, on which the one-worker server blocks in recv(); the other ' +
  'SCHED_FIFO run (-rt-run0) matches this figure';

/** `<label>/<figure id>` → why (label: the data file's name, lib/holdout.mjs holdoutFiles). */
export const HOLDOUT_GAPS = {
  'kernel-holdout-backlog16-100-s50ms/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog16-100-s50ms/answered': LOAD,
  'kernel-holdout-backlog16-100-s50ms-rt-run0/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog16-100-s50ms-rt/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog16-100-s50ms-rt/latency-p95': VOLATILE,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt-run0/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/connects': ACK_TIME_OVERFLOW,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/answered': VOLATILE,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/latency-p99': VOLATILE,
};
