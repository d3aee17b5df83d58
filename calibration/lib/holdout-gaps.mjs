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
  'matches the model. Not the second CPU (the model has one softirq context and one timer wheel): ' +
  'with the harness and all it starts pinned to CPU 0 (run.mjs --cpus 0; -cpu0-rt-run1–3, session ' +
  '17) the connects were 719, 670 and 701 at backlog 16 — fewer than on two CPUs, further from ' +
  'drainsim — 585 three times at backlog 8 (626 on two; drainsim 635) and 1239, 908 and 1154 at ' +
  'backlog 32 (median within 10 %, but the runs span the two-CPU ones). Not the pacing: with the ' +
  'real client’s paced connects instead of the twin’s Poisson arrivals the model gives more, not ' +
  'fewer (963–968 before the wheel order). What shortens the real batches is not known';

const WHEEL_TAIL =
  'the late answers: a timer-wheel bucket runs last-armed first (net/timer-wheel.ts), so the ' +
  'freed place goes to the 1-s SYN retransmissions and the 5-s one, and few wait for the 7-s one; ' +
  'the real runs spread (backlog 16 p95 4.0, 5.0 and 6.0 s; drainsim 3.6 s; backlog 8 p99 7.5 s ' +
  'against 9.1 s). Not shown to be the second CPU: on CPU 0 alone (-cpu0-rt-run1–3) backlog 16 p95 ' +
  'came to 4.6, 4.2 and 4.5 s and backlog 8 p99 to 7.7, 11.7 and 9.2 s (medians within 1 s of ' +
  'drainsim), but backlog 16 p99 to 8.8, 5.2 and 5.6 s and backlog 32 p99 to 6.3, 10.7 and 6.4 s ' +
  '(drainsim 8.6 and 8.5): the tail swings by seconds between runs of one setting, with the ' +
  'one-worker server’s stalls (ONE_CPU_STALLS). Not modelled';

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
  'two-CPU SCHED_FIFO runs at backlog 16 and 8 had none (every gap between answers ≤ 53 ms) and ' +
  'answered 298 and 372. drainsim makes such children rarely (0–4 a run, VOLATILE); why one CPU ' +
  'makes them at the same moment each run is not known';
const ONE_CPU_CONNECTS =
  'fewer connects on one CPU than on two (719, 670, 701 against 794 and 741), so drainsim’s ' +
  'over-count (816) is not the second CPU’s (ACK_BATCHES)';
const ONE_CPU_TAIL =
  'the one-CPU runs’ p99 spread by 3.6–4.5 s between runs (backlog 16: 8.8, 5.2, 5.6 s; backlog ' +
  '32: 6.3, 10.7, 6.4 s), with the stalls of ONE_CPU_STALLS (WHEEL_TAIL)';

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
