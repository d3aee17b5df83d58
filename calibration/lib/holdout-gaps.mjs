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
  'matches the model. Whether the second CPU is the cause at backlog 16 is not shown: session 17 ' +
  'saw it in runs 4–7 (resting on leaving out runs 1–3 of the multi-threaded harness), the ' +
  'confirmation series with rules committed first did not (one CPU 739, 770; two CPUs 803, 801, ' +
  '721; lib/holdout-cpu0-confirm.mjs). In runs 4–7, with the harness ' +
  'and all it starts on CPU 0 alone (run.mjs --cpus 0, single-threaded, -cpu0-rt-run4–7) the ' +
  'connects were 818, 851, 881 and 835 — drainsim 816 — where controls on both CPUs the same ' +
  'hour gave 713, 670 and 734; runs 1–3 gave 719, 670 and 701 ' +
  '(test/calibration/kernel-holdout-cpu0.test.ts). At ' +
  'backlog 32 one CPU gave 1182, 863 and 1193 (drainsim 1183) but the controls 999, 1189 and ' +
  '1210 too, so the older 992–1079 are not explained; at backlog 8 both agree (617 and 605–610, ' +
  'drainsim 635). Not the pacing: with the real client’s paced connects instead of the twin’s ' +
  'Poisson arrivals the model gives more, not fewer (963–968 before the wheel order)';

const WHEEL_TAIL =
  'the late answers: a timer-wheel bucket runs last-armed first (net/timer-wheel.ts), so the ' +
  'freed place goes to the 1-s SYN retransmissions and the 5-s one, and few wait for the 7-s one; ' +
  'the real runs spread (backlog 16 p95 4.0, 5.0 and 6.0 s; drainsim 3.6 s; backlog 8 p99 7.5 s ' +
  'against 9.1 s). Not the second CPU: on CPU 0 alone the tail is shorter than drainsim’s, not ' +
  'closer (backlog 16 p95 1.9 s three times, drainsim 3.6 s, controls on two CPUs 3.9–5.0 s; ' +
  'backlog 8 p99 6.8 s, drainsim 9.1; backlog 32 p99 5.6 s, drainsim 8.5: ONE_CPU_TAIL). ' +
  'Not modelled';

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

const ONE_CPU_TAIL =
  'on one CPU the late answers come earlier than drainsim says, where on two they come as late ' +
  'or later: backlog 16 p95 1.93, 1.93, 1.92 s (drainsim 3.63; controls 4.36, 3.95, 5.00), ' +
  'backlog 32 p99 5.6, 5.1, 7.5 s (8.5; controls 5.8, 7.8, 7.8), backlog 8 p99 6.8, 5.5, 7.7 s ' +
  '(9.1; controls 7.7, 7.7, 8.5). The model’s wheel order (WHEEL_TAIL) sends more connects to ' +
  'the late SYN retransmissions than one real CPU does; why is not known';
const ONE_CPU_P99_SPREAD =
  'the one-CPU p99 at backlog 16 spreads over 4.1, 8.2, 10.7 and 4.6 s (runs 4–7; runs 1–3 ' +
  '8.8, 5.2, 5.6; drainsim 8.6): it is the third-latest of 298 answers, set by which late SYN ' +
  'retransmission got a freed place. A gap since run 4 is compared (review19: run 4 had been ' +
  'left out without a reason; with runs 5–7 alone the median was 8.2 s)';
const ONE_CPU_VOLATILE =
  'the answers at backlog 32 vary between runs on one CPU as on two (614, 521, 705; controls ' +
  '613, 729, 741; drainsim 748): the server stalls on children without data (VOLATILE)';

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
 * The one-CPU recordings' figures (lib/holdout-cpu0.mjs compareOneCpu: the median of the runs
 * its `compared` rule keeps, `<experiment>-cpu0-rt`) that drainsim does not match: the test of whether its gaps above come
 * from the machine's second CPU (the backlog-16 connects do, the late answers do not;
 * test/calibration/kernel-holdout-cpu0.test.ts).
 */
export const ONE_CPU_GAPS = {
  'kernel-holdout-backlog16-100-s50ms-cpu0-rt/latency-p95': ONE_CPU_TAIL,
  'kernel-holdout-backlog16-100-s50ms-cpu0-rt/latency-p99': ONE_CPU_P99_SPREAD,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-cpu0-rt/answered': ONE_CPU_VOLATILE,
  'kernel-holdout-backlog128-somaxconn32-100-s20ms-cpu0-rt/latency-p99': ONE_CPU_TAIL,
  'kernel-holdout-backlog8-60-s40ms-cpu0-rt/latency-p99': ONE_CPU_TAIL,
};
