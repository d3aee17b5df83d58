// EXPLORATORY, not validated: a kernel-level twin of the accept-queue runs (kernel-holdout-backlog*): one Linux listener and
// its one-worker server on loopback, built only from the kernel rules drainsim's app listener
// does not have yet (calibration/README.md, "Held-out validation") and the pieces of sim/net/ that
// the L4 balancer's path to nginx's :443 already uses. It is not drainsim's model: it checks the
// diagnosis of the gap (run alone, does a listener with these rules give the recorded figures?)
// and is the specification of the fix for the app listener (sim/model/app/app-server.ts
// acceptsConnection and its callers). The rules, each from Linux 6.18:
//
// - SYN: dropped when the accept queue is full (tcp_conn_request, net/ipv4/tcp_input.c:
//   sk_acceptq_is_full, i.e. more than min(backlog, somaxconn) children not yet accept()ed);
//   otherwise a request sock, or a SYN cookie when the SYN queue holds more than the backlog
//   (request-sock.ts synQueueFull). The client retransmits a dropped SYN on its
//   tcp_syn_linear_timeouts schedule (net/tcp.ts synRetransmitSchedule), each timer on the
//   client's timer wheel (tcp_retransmit_timer → mod_timer; net/jiffies.ts): SYNs dropped within
//   one 32-ms wheel slot come back together.
// - final ACK (one loopback RTT later): the accept queue is checked again (tcp_v4_syn_recv_sock:
//   sk_acceptq_is_full → listen_overflow in tcp_check_req, net/ipv4/tcp_minisocks.c): full, the
//   ACK is dropped and the request sock stays, acked. A batch of SYNs is all processed before
//   their ACKs, so they all pass the SYN check and all but the queue's room are dropped here. The
//   client is ESTABLISHED from the SYN-ACK (its connect() returns) and sends its request.
// - the client's data copies (tail loss probe, then RTO doubling, from the first RTO:
//   firstDataRto on loopback, whole jiffies) each carry the ACK: a child with the data when the
//   queue has room (tcp_check_req with the request sock, or cookie_v4_check), else dropped.
// - the request sock's SYN-ACK timer (reqsk_timer_handler, net/ipv4/inet_connection_sock.c:
//   1, 3, 7, 15, 31 s after the SYN; fewer retries when the SYN queue is mostly old,
//   synAckRetries): the ESTABLISHED client answers a resent SYN-ACK with a challenge ACK
//   (tcp_validate_incoming) that creates a child WITHOUT data when the queue has room. A request
//   sock that runs out of retries is dropped: the client's next copy is answered with RST.
// - the server (lib/blocking-server.py) accepts one child at a time, reads one byte — blocking
//   until the child's data arrives —, serves, answers, closes.
// Result (seeds 1–3; node /tmp-style driver, not a test): backlog 16 → 1004–1014 connects, 299
// answers; recorded under SCHED_FIFO 741 and 794 connects, 298 answers; drainsim today 317 / 299.
// So ACK-time drops of whole wheel batches over-count (the 2 CPUs' own timer wheels and an
// accept() on the other CPU mid-batch split real batches; not modelled here), and no child
// without data forms, while one recording (backlog 32, 20 ms) answered 561 of 750: not explained.
import { Engine } from '../../dist/sim/engine/engine.js';
import { RandomStreams } from '../../dist/sim/engine/random.js';
import { bootJiffiesOf } from '../../dist/sim/net/host-sockets.js';
import { inWholeJiffies, JiffiesClock } from '../../dist/sim/net/jiffies.js';
import { LINUX_DEFAULTS } from '../../dist/sim/net/kernel-config.js';
import { reqskTimeout, synAckRetries, synQueueFull, TCP_TIMEOUT_INIT_S } from '../../dist/sim/net/request-sock.js';
import { firstDataRto, synRetransmitSchedule, TCP_RTO_MAX_S } from '../../dist/sim/net/tcp.js';

/** Loopback round trip: the SYN-ACK and the ACK follow the SYN within tens of microseconds. */
const LOOPBACK_RTT_S = 50e-6;
/** tcp_syn_retries and tcp_syn_linear_timeouts defaults (Documentation/networking/ip-sysctl.rst). */
const SYN_RETRIES = 6;
const SYN_LINEAR_TIMEOUTS = 4;

/**
 * data: a kernel-holdout-backlog* data file (or its blank, lib/holdout-predict.mjs). Returns the
 * client's connects (within the run and the 0.5 s the real client waits after it), the answers
 * within the run, and their latencies (s from when each attempt was due).
 */
export function runListenerTwin(data, seed) {
  const c = data.config;
  const somaxconn = Number(c.sysctlsSet['net.core.somaxconn'] ?? 4096);
  const maxAck = Math.min(c.blocking.backlog, somaxconn);
  const serviceS = c.blocking.serviceMs / 1000;
  const hz = Number(data.stamp.kernelConfig?.CONFIG_HZ ?? LINUX_DEFAULTS.hz);
  const rng = new RandomStreams(seed).stream('calibration.listener-twin');
  // Client and server share one kernel (one namespace): one jiffies clock.
  const clock = new JiffiesClock(hz, bootJiffiesOf(rng));
  const syn = synRetransmitSchedule(SYN_RETRIES, SYN_LINEAR_TIMEOUTS).retransmits;
  const dataRto0 = inWholeJiffies(firstDataRto(LOOPBACK_RTT_S), hz);
  const engine = new Engine();
  const horizon = c.seconds;
  const connectsUntil = c.seconds + 0.5;

  const acceptQueue = []; // children not yet accept()ed: { conn, hasData }
  let qlen = 0; // request socks
  let young = 0;
  let connects = 0;
  const latencies = [];
  let worker = null; // the child being served or read from

  const full = () => acceptQueue.length > maxAck;

  const sendSyn = (conn) => {
    if (full()) {
      // Dropped; the next SYN on the client's wheel (or the give-up: no answer, as the client exits).
      const k = conn.synsDropped++;
      if (k >= syn.length) return;
      const step = syn[k] - (k > 0 ? syn[k - 1] : 0);
      engine.at(clock.timerFiresAt(engine.now, step), sendSyn, conn);
      return;
    }
    if (synQueueFull(qlen, maxAck)) {
      conn.req = null; // a SYN cookie
    } else {
      conn.req = { live: true, numTimeout: 0, expired: false, conn };
      qlen++;
      young++;
      engine.at(clock.timerFiresAt(engine.now, TCP_TIMEOUT_INIT_S), synAckTimer, conn.req);
    }
    engine.schedule(LOOPBACK_RTT_S / 2, established, null);
    engine.schedule(LOOPBACK_RTT_S, ackArrives, conn);
  };

  const established = () => {
    if (engine.now <= connectsUntil) connects++;
  };

  const removeReq = (req) => {
    if (req === null || !req.live) return;
    req.live = false;
    qlen--;
    if (req.numTimeout === 0) young--;
  };

  const createChild = (conn, hasData) => {
    removeReq(conn.req);
    conn.child = { conn, hasData };
    acceptQueue.push(conn.child);
    serve();
  };

  // The final ACK and, right behind it, the request (the client writes at once): both carry the
  // same ACK, both meet the same queue.
  const ackArrives = (conn) => {
    if (!full()) return createChild(conn, true);
    conn.rto = dataRto0;
    conn.copies = 0;
    engine.at(clock.timerFiresAt(engine.now, conn.rto), dataCopy, conn);
  };

  const dataCopy = (conn) => {
    if (conn.dead) return;
    if (conn.child !== null) {
      // A challenge ACK made the child: this copy brings its data.
      if (!conn.child.hasData) {
        conn.child.hasData = true;
        serve();
      }
      return;
    }
    if (conn.req?.expired) {
      conn.dead = true; // RST: no request sock, no cookie
      return;
    }
    if (!full()) return createChild(conn, true);
    conn.copies++;
    if (conn.copies > 1) conn.rto = Math.min(2 * conn.rto, TCP_RTO_MAX_S);
    engine.at(clock.timerFiresAt(engine.now, conn.rto), dataCopy, conn);
  };

  const synAckTimer = (req) => {
    if (!req.live) return;
    const retries = synAckRetries(qlen, young, maxAck);
    if (req.numTimeout >= retries) {
      removeReq(req);
      req.expired = true;
      return;
    }
    if (req.numTimeout++ === 0) young--;
    engine.at(clock.timerFiresAt(engine.now, reqskTimeout(req.numTimeout)), synAckTimer, req);
    engine.schedule(LOOPBACK_RTT_S, challengeAck, req);
  };

  const challengeAck = (req) => {
    if (!req.live || full()) return;
    createChild(req.conn, false);
  };

  // The one worker: accept() the head child, read (blocking until its data), serve, answer, close.
  const serve = () => {
    if (worker === null) {
      if (acceptQueue.length === 0) return;
      worker = acceptQueue.shift();
    }
    if (!worker.hasData || worker.serving) return;
    worker.serving = true;
    engine.schedule(serviceS, answered, worker);
  };

  const answered = (child) => {
    const at = engine.now + LOOPBACK_RTT_S / 2;
    if (at <= horizon) latencies.push(at - child.conn.due);
    worker = null;
    serve();
  };

  const total = Math.min(c.maxConnects, Math.round(c.rate * c.seconds));
  for (let i = 0; i < total; i++) {
    const due = i / c.rate;
    engine.at(due, sendSyn, { due, synsDropped: 0, req: null, child: null, dead: false, rto: 0, copies: 0 });
  }
  engine.run(connectsUntil);
  latencies.sort((a, b) => a - b);
  return { connects, answered: latencies.length, latencies };
}
