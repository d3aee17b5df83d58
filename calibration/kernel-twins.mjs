// Kernel-level twins: experiments whose figures are about the kernel's choice of local port, not
// about a load balancer or nginx, driven straight through drainsim's kernel model (sim/net/
// HostSockets, compiled in dist/) with the experiment's documented settings, and summed up by the
// same portStats() the harness applies to the real connect log (lib/sample.mjs). No model
// constant is fitted: bind(addr, 0) is inet_csk_find_open_port() as bind-port.ts reads it.
import { RandomStreams } from '../dist/sim/engine/random.js';
import {
  deadPeerWriteTimeout,
  keepaliveGiveUp,
  LINUX_DEAD_PEER,
  lossProbeTimeout,
  orphanRetries,
  unsentWriteTimeout,
} from '../dist/sim/net/dead-peer.js';
import { bootJiffiesOf, HostSockets } from '../dist/sim/net/host-sockets.js';
import { inWholeJiffies, JiffiesClock } from '../dist/sim/net/jiffies.js';
import { ipv4, LINUX_DEFAULTS } from '../dist/sim/net/kernel-config.js';
import { acceptQueueFull, Handshake, ListenerChecks } from '../dist/sim/net/listen-queue.js';
import { firstDataRto, synRetransmitSchedule } from '../dist/sim/net/tcp.js';
import { portStats } from './lib/sample.mjs';

/** tcp_max_tw_buckets as the experiment set it, else the recorded namespaces' value (kernel-config.ts). */
function maxTwBuckets(sysctls) {
  const set = sysctls['net.ipv4.tcp_max_tw_buckets'];
  return set === undefined ? LINUX_DEFAULTS.maxTwBuckets : Number(set);
}

/** How long the worker's connection lives: connect, one byte each way on loopback, close. */
const CONNECTION_S = 0.002;

/**
 * The experiment's host: one Linux kernel (CONFIG_HZ from the recording's stamp) with the
 * experiment's sysctls, its random stream `stream` of seed `seed`.
 */
function twinHost(data, seed, stream) {
  const sysctls = data.config.sysctlsSet;
  const [portLow, portHigh] = sysctls['net.ipv4.ip_local_port_range'].split(/\s+/).map(Number);
  const config = {
    ...LINUX_DEFAULTS,
    portLow,
    portHigh,
    twReuse: Number(sysctls['net.ipv4.tcp_tw_reuse']),
    timestamps: Number(sysctls['net.ipv4.tcp_timestamps']) === 1,
    maxTwBuckets: maxTwBuckets(sysctls),
    twReuseDelayMs: Number(sysctls['net.ipv4.tcp_tw_reuse_delay'] ?? LINUX_DEFAULTS.twReuseDelayMs),
    hz: Number(data.stamp.kernelConfig?.CONFIG_HZ ?? LINUX_DEFAULTS.hz),
  };
  return { host: new HostSockets(config, new RandomStreams(seed).stream(stream)), portLow, portHigh };
}

/**
 * portwalk-bind-*: one Linux host (CONFIG_HZ from the recording's stamp) whose client bind()s to
 * 127.0.0.1:0 before each connect() to 127.0.0.1:serverPort (node's `localAddress`; libuv sets
 * SO_REUSEADDR), `rate` connects/s for `seconds`, the client closing first (its socket holds the
 * TIME_WAIT), with the experiment's sysctls. Returns the port statistics and the TIME_WAITs held
 * at the end, like the recording's summary and last ss sample.
 */
export function runBindTwin(data, seed) {
  const c = data.config;
  const { host, portLow, portHigh } = twinHost(data, seed, 'calibration.bind-twin');
  const lo = ipv4(c.bindAddress);
  const pair = host.connectPair(lo, ipv4('127.0.0.1'), c.serverPort);
  const connects = [];
  let failures = 0;
  let firstFailureS = null;
  const total = Math.min(c.maxConnects, c.rate * c.seconds);
  for (let k = 0; k < total; k++) {
    const t = k / c.rate;
    const port = host.bindAny(lo, t);
    if (port < 0 || !host.connectBound(pair, port, t)) {
      if (port >= 0) host.unbind(port);
      failures++;
      firstFailureS ??= t;
      continue;
    }
    connects.push({ t: Math.round(t * 1000), port });
    host.close(pair, port, t + CONNECTION_S, true);
  }
  host.expire(c.seconds + 1);
  return {
    failures,
    connects: connects.length,
    firstFailureS,
    timeWait: host.timeWaitCount,
    ports: portStats(connects, [portLow, portHigh]),
  };
}

/**
 * kernel-holdout-* (client closes): the same host connect()ing without bind() — the walk of
 * __inet_hash_connect (hash-connect.ts) — at the experiment's fixed rate, each connection closed
 * by the client CONNECTION_S later (its socket holds the TIME_WAIT). Returns the connect log
 * ({ t ms, port }) and the failures, for the figures about which ports the walk takes.
 */
export function runConnectTwin(data, seed) {
  const c = data.config;
  const { host, portLow, portHigh } = twinHost(data, seed, 'calibration.connect-twin');
  const pair = host.connectPair(ipv4('127.0.0.1'), ipv4('127.0.0.1'), c.serverPort);
  const connects = [];
  const failures = [];
  const open = []; // [closeAt, port], in close order (one lifetime for all)
  const total = Math.min(c.maxConnects, c.rate * c.seconds);
  for (let k = 0; k < total; k++) {
    const t = k / c.rate;
    while (open.length > 0 && open[0][0] <= t) {
      const [at, port] = open.shift();
      host.close(pair, port, at, true);
    }
    const port = host.connect(pair, t);
    if (port < 0) failures.push(Math.round(t * 1000));
    else {
      connects.push({ t: Math.round(t * 1000), port });
      open.push([t + CONNECTION_S, port]);
    }
  }
  return { connects, failures, range: [portLow, portHigh] };
}

/**
 * kernel-holdout-syn-giveup-*: when each connect() to a listener whose accept queue stays full
 * fails. The connecting kernel sends its SYN, then each retransmission and finally the give-up
 * when its retransmission timer fires (tcp_retransmit_timer / tcp_write_timeout,
 * net/ipv4/tcp_timer.c): the steps of synRetransmitSchedule (net/tcp.ts) for the experiment's
 * tcp_syn_retries and tcp_syn_linear_timeouts, each timer armed at the previous firing and fired
 * on the timer wheel (JiffiesClock.timerFiresAt, as l4-connect.ts senderTimerFiresAt). The first
 * two connects get in (one served, one queued: backlog 0 holds one). Returns each failed
 * attempt's delay (s from when it was due) in attempt order.
 */
export function runSynGiveUpTwin(data, seed) {
  const c = data.config;
  const sysctls = c.sysctlsSet;
  const hz = Number(data.stamp.kernelConfig?.CONFIG_HZ ?? LINUX_DEFAULTS.hz);
  const clock = new JiffiesClock(hz, bootJiffiesOf(new RandomStreams(seed).stream('calibration.syn-giveup-twin')));
  const { retransmits, giveUp } = synRetransmitSchedule(
    Number(sysctls['net.ipv4.tcp_syn_retries']),
    Number(sysctls['net.ipv4.tcp_syn_linear_timeouts']),
  );
  const steps = [...retransmits, giveUp].map((at, k, all) => at - (k > 0 ? all[k - 1] : 0));
  const admitted = c.blocking.backlog + 2; // one accept()ed, backlog + 1 queued
  const delays = [];
  for (let i = admitted; i < c.maxConnects; i++) {
    const due = i / c.rate;
    let t = due;
    for (const step of steps) t = clock.timerFiresAt(t, step);
    delays.push(t - due);
  }
  return { failures: delays.length, delays };
}

/**
 * Loopback's round trip as the kernel samples it: tens of microseconds. Any value below 4 ms gives
 * the same RTO, tcp_rto_min + srtt rounded up to whole jiffies (51 at HZ 250: 204 ms).
 */
const LOOPBACK_RTT_S = 50e-6;

/** The recorded namespace sysctl `key` as set by the experiment, else Linux's default. */
function sysctlOr(sysctls, key, fallback) {
  const v = sysctls[key];
  return v === undefined ? fallback : Number(v);
}

/**
 * kernel-holdout-dead-peer-*: when each of the run's connections notices its vanished peer, and
 * the segments its kernel sends meanwhile (net/dead-peer.ts, from tcp_timer.c and tcp_output.c),
 * connection i starting its part i · staggerMs after the drop on a host whose jiffies phase comes
 * from the seed. `write`: a one-byte write, the next waiting (Nagle) when the loss probe fires, so
 * the probe sends it as new data; the RTO retransmissions until tcp_retries2 / TCP_USER_TIMEOUT.
 * `keepalive`: SO_KEEPALIVE set on a socket last heard 0.3 s before (lib/dead-peer.py waits that
 * long before the drop). `orphan`: close() sends the FIN; the probe retransmits it, then the RTO
 * until tcp_orphan_retries. A recording whose drop sat on the sender's output hook (dropHook
 * 'output'): nothing leaves, so the zero-window probe timer decides (unsentWriteTimeout) and no
 * segment is retransmitted. Delays are from each connection's start; counts are run totals.
 */
export function runDeadPeerTwin(data, seed) {
  const c = data.config;
  const d = c.deadPeer;
  const sysctls = c.sysctlsSet;
  const hz = Number(data.stamp.kernelConfig?.CONFIG_HZ ?? LINUX_DEFAULTS.hz);
  const clock = new JiffiesClock(hz, bootJiffiesOf(new RandomStreams(seed).stream('calibration.dead-peer-twin')));
  // net.ipv4.tcp_rto_min_us (Linux >= 6.11) raises the RTO's floor and the loss probe's, not
  // retransmits_timed_out()'s TCP_RTO_MIN base.
  const rtoMin = sysctlOr(sysctls, 'net.ipv4.tcp_rto_min_us', 200_000) / 1e6;
  const rto = inWholeJiffies(firstDataRto(LOOPBACK_RTT_S, rtoMin), hz);
  const delays = [];
  let retransSegs = 0;
  let lossProbes = 0;
  let keepaliveProbes = 0;
  for (let i = 0; i < d.conns; i++) {
    // The drop at 1 s of the host's time (any instant: the phase is the seed's).
    const start = 1 + (i * d.staggerMs) / 1000;
    if (d.mode === 'keepalive') {
      const r = keepaliveGiveUp({
        lastHeardAt: start - 0.3,
        armedAt: start,
        time: sysctlOr(sysctls, 'net.ipv4.tcp_keepalive_time', LINUX_DEAD_PEER.keepaliveTime),
        intvl: sysctlOr(sysctls, 'net.ipv4.tcp_keepalive_intvl', LINUX_DEAD_PEER.keepaliveIntvl),
        probes: sysctlOr(sysctls, 'net.ipv4.tcp_keepalive_probes', LINUX_DEAD_PEER.keepaliveProbes),
        userTimeout: (d.userTimeoutMs ?? 0) / 1000,
        clock,
      });
      delays.push(r.giveUpAt - start);
      keepaliveProbes += r.probes;
      continue;
    }
    const orphan = d.mode === 'orphan';
    if ((data.dropHook ?? d.dropHook) === 'output') {
      // The sender's own firewall drops: nothing leaves, the zero-window probe timer counts.
      const orphanSysctl = sysctlOr(sysctls, 'net.ipv4.tcp_orphan_retries', LINUX_DEAD_PEER.orphanRetries);
      const u = unsentWriteTimeout({
        writtenAt: start,
        rto,
        retries2: sysctlOr(sysctls, 'net.ipv4.tcp_retries2', LINUX_DEAD_PEER.retries2),
        orphanRetries: orphan ? orphanSysctl : null,
        userTimeout: (d.userTimeoutMs ?? 0) / 1000,
        clock,
      });
      delays.push(u.giveUpAt - start);
      continue;
    }
    const boundary = orphan
      ? orphanRetries(sysctlOr(sysctls, 'net.ipv4.tcp_orphan_retries', LINUX_DEAD_PEER.orphanRetries), rto)
      : sysctlOr(sysctls, 'net.ipv4.tcp_retries2', LINUX_DEAD_PEER.retries2);
    const r = deadPeerWriteTimeout({
      sentAt: start,
      rto,
      probeTimeout: lossProbeTimeout(LOOPBACK_RTT_S, rto, rtoMin),
      boundary,
      userTimeout: (d.userTimeoutMs ?? 0) / 1000,
      probeSendsNewData: !orphan,
      clock,
    });
    delays.push(r.giveUpAt - start);
    retransSegs += r.rtoRetransmits + r.probeRetransmits;
    lossProbes++;
  }
  return { failures: delays.length, delays, retransSegs, lossProbes, keepaliveProbes };
}

/**
 * TCP_DELACK_MAX (include/net/tcp.h, HZ/5): how long a connecting socket with TCP_DEFER_ACCEPT
 * holds its final ACK (tcp_rcv_synsent_state_process, net/ipv4/tcp_input.c) — the recorder's
 * stand-in for a round trip (calibration/lib/holdout29.py).
 */
const TCP_DELACK_MAX_S = 0.2;

/**
 * kernel-holdout29-ackq-*: `connects` SYNs `spacingMs` apart to a listener with `backlog` that
 * never accept()s, each final ACK TCP_DELACK_MAX after its SYN, the queue read at `observeS`.
 * The model's rule (sim/net/listen-queue.ts ListenerChecks, in sim/model/app/app-listener.ts's
 * order since 48eb22fb): at the SYN the accept-queue check (synPasses, process-context form: each
 * SYN sees the queue as it is) and a request sock or a SYN cookie (synReceived); at the ACK the
 * second check (acceptQueueFull): a child, or the ACK dropped (ListenOverflows) with the client
 * ESTABLISHED and the request sock kept (a cookie: nothing). `parent`: 48eb22fb's parent, where
 * such a client's SYN made its child at once (handshake(), not batched). Returns the figures at
 * observeS; no SYN or SYN-ACK retransmission falls before it (the first at 1 s after a SYN).
 * `lifoHz` (post hoc, round 29's one gap; not the blind prediction): the final ACKs in the order
 * the recorder's stand-in sends them — each client's delayed-ACK timer, those armed in one jiffy
 * of a kernel with HZ lifoHz sharing a timer-wheel bucket, which fires newest first
 * (kernel/time/timer.c enqueue_timer: hlist_add_head; expire_timers takes head->first) — where a
 * network round trip keeps the SYNs' order.
 */
export function runFinalAckTwin(c, { parent = false, lifoHz = 0 } = {}) {
  const checks = new ListenerChecks();
  const events = [];
  for (let i = 0; i < c.connects; i++) events.push({ t: (i * c.spacingMs) / 1000, kind: 'syn', i });
  let children = 0;
  let overflows = 0;
  let cookies = 0;
  let established = 0;
  const pending = new Map(); // i -> cookie?
  while (events.length > 0) {
    const order = (a, b) => (a.kind === 'ack' && lifoHz > 0 ? b.i - a.i : a.i - b.i);
    events.sort((a, b) => a.t - b.t || (a.kind === b.kind ? order(a, b) : a.kind === 'ack' ? -1 : 1));
    const e = events.shift();
    if (e.t > c.observeS) break;
    if (parent) {
      if (checks.handshake(e.t, children, c.backlog, false) === Handshake.CHILD) {
        children++;
        established++;
      } else overflows++;
      continue;
    }
    if (e.kind === 'syn') {
      if (!checks.synPasses(e.t, children, c.backlog, false)) {
        overflows++;
        continue;
      }
      const req = checks.synReceived(c.backlog);
      if (!req) cookies++;
      pending.set(e.i, req);
      established++; // the SYN-ACK makes the client ESTABLISHED
      const ackAt =
        lifoHz > 0 ? (Math.floor(e.t * lifoHz) + TCP_DELACK_MAX_S * lifoHz) / lifoHz : e.t + TCP_DELACK_MAX_S;
      events.push({ t: ackAt, kind: 'ack', i: e.i });
    } else if (acceptQueueFull(children, c.backlog)) {
      overflows++; // tcp_v4_syn_recv_sock exit_overflow; a request sock stays (acked)
    } else {
      children++;
      if (pending.get(e.i)) checks.requestSockGone(true);
    }
  }
  return { established, overflows, cookies, children, synRecv: checks.requestSocks };
}

/**
 * kernel-holdout29-tw-fw2-*: one host (tcp_max_tw_buckets from the run) holding `finWait2`
 * orphaned FIN_WAIT2 timewait socks (HostSockets.finWait2Held), then `closes` connections closed by
 * their client first, `spacingMs` apart (close into TIME_WAIT). Since d8fe8fd3 a TIME_WAIT is
 * admitted while TIME_WAITs + FIN_WAIT2s < tcp_max_tw_buckets (inet_twsk_alloc, the death row's
 * tw_refcount); `parent`: its parent, which counted the TIME_WAITs alone (the FIN_WAIT2s held as
 * open sockets here, which is what that count left out). The FIN_WAIT2s are made while the table
 * has room, so no row depends on a FIN_WAIT2 refused at a full table.
 */
export function runTwBucketsTwin(c, { parent = false } = {}) {
  const host = new HostSockets(
    { ...LINUX_DEFAULTS, twReuse: 0, maxTwBuckets: c.maxTwBuckets },
    new RandomStreams(1).stream('calibration.tw-buckets-twin'),
  );
  const pair = host.connectPair(ipv4('127.0.0.1'), ipv4('127.0.0.1'), 9000);
  const closer = host.connectPair(ipv4('127.0.0.1'), ipv4('127.0.0.1'), 9001);
  for (let k = 0; k < c.finWait2; k++) {
    host.connect(pair, k / 1000);
    if (!parent) host.finWait2Held();
  }
  const overflowsBefore = host.timeWaitOverflows;
  for (let k = 0; k < c.closes; k++) {
    const t = 1 + (k * c.spacingMs) / 1000;
    host.close(closer, host.connect(closer, t), t, true);
  }
  return { timeWait: host.timeWaitCount, finWait2: c.finWait2, overflows: host.timeWaitOverflows - overflowsBefore };
}
