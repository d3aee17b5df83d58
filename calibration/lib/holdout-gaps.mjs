// The held-out figures drainsim does not match yet, with the kernel reason (test/calibration/
// kernel-holdout.test.ts skips them and checks they are still gaps; the README table marks them).
// Session 14 (helper ackq) modelled the final-ACK check at the app's listener (sim/net/
// listen-queue.ts ListenerChecks, sim/model/app/app-listener.ts, nginx's SYN retransmissions on
// the VM's timer wheel): backlog16-…-rt-run0 connects (794, drainsim 851) left this list; the
// prediction before that commit is calibration/lib/ack-overflow-predictions.json. Helper ackq2
// ran each tick's timers in the kernel's order (net/timer-wheel.ts: last armed first): the late
// answers and backlog32-…-rt-run0 connects left it, backlog8 p99 came in.
const ACK_BATCHES =
  "drainsim checks the app's accept queue at the SYN and again at the final ACK (tcp_conn_request, " +
  'tcp_v4_syn_recv_sock → listen_overflow in tcp_check_req), each 32-ms timer-wheel bucket of ' +
  "nginx's SYN retransmissions one softirq batch (net/listen-queue.ts ListenerChecks), and " +
  'over-counts the connects whose final ACK is dropped: 816 against 741 (and 794, compared) under ' +
  'SCHED_FIFO at backlog 16, 1183 against 992 and 1075 at backlog 32 (1079 compared; the SYN ' +
  'check alone gave 317 and 781). The recorded SYN queue (ss: 16–17 SYN-RECV, cookies beyond) ' +
  'matches the model. Not the second CPU (the model has one softirq context and one timer ' +
  'wheel): pinned to CPU 0 (run.mjs --cpus 0, -cpu0-rt-run1–3, session 17) the connects were the ' +
  'same as in controls recorded the same hour on both CPUs (--cpus 0-1): backlog 16 719, 670, ' +
  '701 against 740, 730, 713; backlog 32 1239, 908, 1154 against 1156, 924, 1129; backlog 8 585, ' +
  '583, 585 against 390, 515, 599. Not the pacing: with the real client’s paced connects instead ' +
  'of the twin’s Poisson arrivals the model gives more, not fewer (963–968 before the wheel ' +
  'order). What shortens the real batches is not known';

const WHEEL_TAIL =
  'the late answers: a timer-wheel bucket runs last-armed first (net/timer-wheel.ts), so the ' +
  'freed place goes to the 1-s SYN retransmissions and the 5-s one, and few wait for the 7-s one; ' +
  'the real runs spread (backlog 16 p95 4.0, 5.0 and 6.0 s; drainsim 3.6 s; backlog 8 p99 7.5 s ' +
  'against 9.1 s). Not the second CPU: the tail spreads as much on CPU 0 alone as on both CPUs ' +
  'the same hour (backlog 16 p95 4.6, 4.2, 4.5 s against 6.0, 3.8, 4.0 s; backlog 8 p99 7.7, ' +
  '11.7, 9.2 s against 7.2, 8.8, 7.5 s; -cpu0-rt-run1–3 and -cpu0-1-rt-run1–3). Not modelled';

const LOAD =
  'recorded at load average 5.5 without SCHED_FIFO: the one-worker server woke late from each ' +
  'sleep (68 ms a request for 50); both SCHED_FIFO runs answered 298 (drainsim 299)';
const LOAD_CONNECTS =
  'recorded at load average 5.5 without SCHED_FIFO: 411 connects against 741 and 794 in the ' +
  'SCHED_FIFO runs of the same experiment (drainsim 851, compared on those)';
const VOLATILE =
  'the real runs vary this much (backlog 32: 713, 694 and 561 answers), through the ACK-time ' +
  'overflow: a child made by an answer to a resent SYN-ACK has no data, and the one-worker ' +
  'server blocks in recv() on it until the next data copy (drainsim too since helper ackq2: ' +
  'app-server.ts submitBeforeData; 338 answers instead of 374 in one backlog-8 seed), but in ' +
  'drainsim such children are rare (0-4 a run) and come when the data copy is close';

const ONE_CPU_STALLS =
  'on one CPU the one-worker server stalls 1–3 times a run, blocked in recv() on a child whose ' +
  'data comes only with a retransmission: backlog 16 for 0.5–1.0 s at 7.9–8.4 s and 2.7–2.9 s at ' +
  '8.9 s in each of the three runs, backlog 8 for 2.0–2.9 s at 9.2–9.9 s in each, backlog 32 for ' +
  '0.6–6.0 s; the clients of those children had connected at once (connect() +1–4 ms). The ' +
  'controls on both CPUs the same hour had none at backlog 16 (298 answers, three times, as ' +
  'drainsim’s 299) and at backlog 8 one run in three (a 5.8-s stall: 235, 343, 372 answers). ' +
  'drainsim makes such children rarely (0–4 a run, VOLATILE); why one CPU makes them at the same ' +
  'moment in each run is not known';
const ONE_CPU_CONNECTS =
  'as on two CPUs the same hour (719, 670, 701 on one; 740, 730, 713 on two): drainsim’s ' +
  'over-count (816) is not the second CPU’s (ACK_BATCHES)';
const ONE_CPU_TAIL =
  'the p99 swings by 3.6–4.5 s between runs of one setting, on one CPU as on two (backlog 16: ' +
  '8.8, 5.2, 5.6 s on one, 8.7, 8.0, 6.0 s on two; backlog 32: 6.3, 10.7, 6.4 s and 7.8, 5.8, ' +
  '7.8 s), with the stalls of ONE_CPU_STALLS (WHEEL_TAIL)';

/** `<label>/<figure id>` → why (label: the data file's name, lib/holdout.mjs holdoutFiles). */
export const HOLDOUT_GAPS = {
  'kernel-holdout-backlog16-100-s50ms/connects': LOAD_CONNECTS,
  'kernel-holdout-backlog16-100-s50ms/answered': LOAD,
  'kernel-holdout-backlog16-100-s50ms-rt-run0/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog16-100-s50ms-rt/connects': ACK_BATCHES,
  'kernel-holdout-backlog16-100-s50ms-rt/latency-p95': WHEEL_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms/connects': ACK_BATCHES,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt-run0/latency-p99': WHEEL_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/connects': ACK_BATCHES,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/answered': VOLATILE,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-rt/latency-p99': WHEEL_TAIL,
  // Session 14's held-out run (backlog 8, 60/s, 40 ms; predicted before it was recorded): connects
  // 626 against 669 predicted, answers 372 against 374, p50 and p99 within tolerance then; p95
  // 5.01 s against 6.20 s. With the wheel's order (ackq2) p95 4.33 s is within it, p99 9.12 s
  // against 7.51 s is not.
  'kernel-holdout-backlog8-60-s40ms-rt/latency-p99': WHEEL_TAIL,
};

/**
 * The one-CPU recordings' figures (lib/holdout-cpu0.mjs compareOneCpu: the median of runs 1–3,
 * `<experiment>-cpu0-rt`) that drainsim does not match: the test of whether its gaps above come
 * from the machine's second CPU (they do not; test/calibration/kernel-holdout-cpu0.test.ts).
 */
export const ONE_CPU_GAPS = {
  'kernel-holdout-backlog16-100-s50ms-cpu0-rt/connects': ONE_CPU_CONNECTS,
  'kernel-holdout-backlog16-100-s50ms-cpu0-rt/answered': ONE_CPU_STALLS,
  'kernel-holdout-backlog16-100-s50ms-cpu0-rt/latency-p99': ONE_CPU_TAIL,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-cpu0-rt/answered': ONE_CPU_STALLS,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-cpu0-rt/latency-p99': ONE_CPU_TAIL,
  'kernel-holdout-backlog8-60-s40ms-cpu0-rt/answered': ONE_CPU_STALLS,
};
