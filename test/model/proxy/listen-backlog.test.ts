/**
 * nginx's listen backlog on :443 when its workers are busy with TLS handshakes: the kernel holds
 * min(listen_backlog, somaxconn) + 1 completed handshakes nginx has not accept()ed. A final ACK
 * that finds it full is dropped (tcp_v4_syn_recv_sock, ListenOverflows): the sender is connected
 * and retransmits its first data 1, 2, 4, 8 … RTOs (RTT + 200 ms) later (a tail loss probe, then
 * the doubling RTO). A SYN that finds it full already is dropped (tcp_conn_request) and
 * retransmitted on the SYN schedule (1 s, 2 s, …). Every retransmission fires on the sender's
 * timer wheel (32-ms buckets for a 1-s timer at HZ 250), so one host's dropped SYNs come back in
 * batches that all find room at their SYNs and meet the queue at their ACKs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NginxWorkers } from '../../../sim/model/proxy/worker-queues.js';
import { firstDataRto } from '../../../sim/net/tcp.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { KernelListenOverflow } from '../../../sim/trace/records.js';
import { run, scenario, series } from '../helpers.js';
import { tlsStorm } from './tls-storm-fixture.js';

const HS = 0.00035;

describe('NginxWorkers.notAccepted: what the kernel still holds for a busy worker', () => {
  it('a busy worker holds two accepted (the handshake in progress, the one accepted before it); the rest wait in the kernel', () => {
    const w = new NginxWorkers();
    for (let i = 0; i < 10; i++) w.run(0, HS, 0);
    expect(w.notAccepted(0)).toBe(8);
    // Halfway through the 5th handshake: 6 not finished, 4 still in the accept queue.
    expect(w.notAccepted(4.5 * HS)).toBe(4);
    expect(w.notAccepted(9 * HS)).toBe(0);
    expect(w.notAccepted(10 * HS)).toBe(0);
  });

  it('the workers share one listening socket: the queue is their sum; nothing charged, nothing queued', () => {
    const w = new NginxWorkers();
    for (let i = 0; i < 5; i++) w.run(0, HS, 0);
    for (let i = 0; i < 3; i++) w.run(1, HS, 0);
    w.run(2, HS, 0);
    expect(w.notAccepted(0)).toBe(3 + 1 + 0);
    // Handshakes that cost nothing (handshake_cpu 0) are done as they are queued.
    const free = new NginxWorkers();
    for (let i = 0; i < 5; i++) free.run(0, 0, 0);
    expect(free.notAccepted(0)).toBe(0);
    expect(new NginxWorkers().notAccepted(0)).toBe(0);
  });

  it('handshakes of connections accept()ed before their ClientHello (challenge-ACK children) hold no accept-queue place', () => {
    // 11 children accepted at once by the idle worker (no data to read: NGX_AGAIN), their
    // ClientHellos come together; then 5 connections complete their TCP handshake behind them.
    const w = new NginxWorkers();
    for (let i = 0; i < 11; i++) w.run(0, HS, 0, true);
    expect(w.notAccepted(0)).toBe(0); // was 11 − 2 = 9 counted as waiting in the kernel
    for (let i = 0; i < 5; i++) w.run(0, HS, 0);
    // In progress: an early-accepted handshake; the worker accepted one new connection at that
    // iteration's start (ngx_event_accept, multi_accept off), the other 4 wait in the kernel.
    expect(w.notAccepted(0)).toBe(4);
    // Halfway through the 12th handshake (the first new one): it and the next one are held, 3 wait.
    expect(w.notAccepted(11.5 * HS)).toBe(3);
    expect(w.notAccepted(16 * HS)).toBe(0);
    // Idle again: a new queue forgets the old marks.
    w.run(0, HS, 1);
    w.run(0, HS, 1);
    w.run(0, HS, 1);
    expect(w.notAccepted(1)).toBe(1);
  });
});

describe('nginx.listen_backlog in a scenario', () => {
  it('defaults to NGX_LISTEN_BACKLOG 511', () => {
    expect(scenario({ backends: [{ name: 'vm-a' }] }).nginx.listen_backlog).toBe(511);
  });
});

/** The storm of tls-storm-fixture.ts: 4,000 new TLS connections a second against one worker's 2,857 handshakes/s. */
const storm = (
  nginx: ScenarioInput['nginx'] = {},
  kernel: ScenarioInput['kernel'] = {},
  terminates: 'nginx' | 'none' = 'nginx',
): ScenarioInput => tlsStorm({ nginx, kernel, terminates });

const overflows = (r: RunResult): KernelListenOverflow[] =>
  r.events.filter((l) => l.record.kind === 'kernel.listen_overflow').map((l) => l.record as KernelListenOverflow);

/** How long requests waited in nginx for their worker (nginx.worker_tls_backlog records). */
const workerWaits = (r: RunResult): number[] =>
  r.events.filter((l) => l.record.kind === 'nginx.worker_tls_backlog').map((l) => (l.record as { wait: number }).wait);

describe('firstDataRto: the connecting kernel RTO after the SYN-ACK RTT sample', () => {
  it('is srtt + max(2 srtt, tcp_rto_min 200 ms), capped at TCP_RTO_MAX', () => {
    expect(firstDataRto(0.03)).toBeCloseTo(0.23, 12);
    expect(firstDataRto(0.2)).toBeCloseTo(0.6, 12);
    expect(firstDataRto(100)).toBe(120);
  });
});

const RTT = 0.03;
/** The queue of one worker: 512 not accepted + the 2 it holds. */
const ONE_WORKER_QUEUE = 514;

/** `n` WebSocket clients whose SYNs reach one VM in the same instant (t = 0), one nginx worker. */
const burst = (n: number): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '2s',
  sample_interval: '250ms',
  clients: { ws: { initial_sessions: n, initial_ramp: '0s', lifetime: 'const(1h)', ping_interval: 'none' } },
  // As ingress-nginx: 3,000 tunnels hold 6,000 connections; this test is about the listen queue, not the connection limit.
  nginx: { worker_processes: 1, worker_connections: 16384 },
  app: { service_time: 'const(1ms)', ws: { handshake_time: '0s' }, tls: { terminates: 'nginx' } },
  backends: [{ name: 'vm-a' }],
});

const sessionsAt = (r: RunResult, t: number): number => series(r, 'ws_sessions').find(([at]) => at === t)![1];

describe('SYNs of one instant: the queue counts completed handshakes, the final ACKs meet the limit', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(burst(3000), 1);
  });

  it('every connect completes in one round trip: the SYNs all find room (nothing completed yet)', () => {
    expect(r.figures['connect_latency.count']).toBe(3000);
    expect(r.figures['connect_latency.max']).toBeCloseTo(RTT, 9);
  });

  it('the final ACKs beyond the queue are dropped, and their retransmissions dropped again while it is full', () => {
    // 3,000 − 514 at the ACK, then 514 fewer at each retransmission round (0.26, 0.49, 0.95, 1.87 s):
    // 2,486 + 1,972 + 1,458 + 944 + 430 (within a few: NginxWorkers.notAccepted is inexact by one
    // a worker at a round's edge).
    expect(Math.abs(r.figures['syn_drops.total']! - (2486 + 1972 + 1458 + 944 + 430))).toBeLessThanOrEqual(5);
  });

  it('the first data (the upgrade) of a dropped connection waits at least one RTO; one queue gets in per retransmission round', () => {
    // Rounds at 0.03 s (the ACKs), then 1, 2, 4, 8 RTOs of 0.23 s after it: the tail loss probe
    // at 0.26 s, the RTO at 0.49 s (not backed off by the probe), then doubling: 0.95, 1.87 s
    // (each on the balancer's timer wheel: the 0.23-s timer ≤ 1 jiffy late at level 0, the 0.46-s
    // and 0.92-s ones up to 32 ms late at level 1). A round's 514 handshakes take 0.18 s.
    expect(sessionsAt(r, 0.25)).toBe(ONE_WORKER_QUEUE);
    expect(sessionsAt(r, 0.75)).toBe(3 * ONE_WORKER_QUEUE);
    // Nothing between 0.95 + 0.18 s of handshakes and 1.87 s: the RTO doubled to 0.92 s.
    expect(sessionsAt(r, 1.25)).toBe(4 * ONE_WORKER_QUEUE);
    expect(sessionsAt(r, 1.75)).toBe(4 * ONE_WORKER_QUEUE);
  });

  it('a larger backlog takes the whole burst at the ACKs: no drop, the workers pace it', () => {
    const input = burst(3000);
    input.nginx = { ...input.nginx, listen_backlog: 65535 };
    input.kernel = { somaxconn: 65535 };
    const big = run(input, 1);
    expect(big.figures['syn_drops.total']).toBe(0);
    // 2,857 handshakes a second from 0.03 s: more than 514 by 0.25 s, all 3,000 by 1.1 s.
    expect(sessionsAt(big, 0.25)).toBeGreaterThan(ONE_WORKER_QUEUE);
    expect(sessionsAt(big, 1.5)).toBeGreaterThan(4 * ONE_WORKER_QUEUE);
  });
});

describe('a steady TLS handshake storm beyond the listen backlog (4,000/s against one worker)', () => {
  let capped: RunResult;
  beforeAll(() => {
    capped = run(storm(), 1);
  });

  it('connects mostly in one round trip; requests on connections whose ACK was dropped wait RTOs', () => {
    expect(capped.figures['connect_latency.p50']!).toBeCloseTo(RTT, 3);
    expect(capped.figures['syn_drops.total']!).toBeGreaterThan(10000);
    // A keep-alive client's first request on a connection whose final ACK was dropped waits for
    // the retransmissions of its data: at least one RTO (0.23 s), here several doublings.
    expect(capped.figures['request_latency.max']!).toBeGreaterThan(firstDataRto(RTT) + RTT);
    // Once in, a connection waits in nginx behind at most the accept queue and the 2 connections
    // the worker holds (514 handshakes, 0.18 s), plus the handshakes of SYN-ACK-resend children a
    // worker accept()ed before their ClientHello came: accept() took them off the accept queue
    // (inet_csk_accept → reqsk_queue_remove, sk_acceptq_removed; nginx ngx_event_accept), so
    // their handshakes are queued work beyond the backlog (TlsCpu.admit `accepted`). There are
    // never more of them than resend answers that created a child (here 17 at the longest wait:
    // 0.1833 s, 524 handshakes).
    const waits = workerWaits(capped);
    expect(waits.length).toBeGreaterThan(0);
    const children = capped.figures['synack_resend_admitted.total']!;
    expect(children).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual((514 + children) * HS + 1e-9);
    // Every handshake a request waited for beyond those 514 is such a child's.
    const handshakes = capped.events
      .filter((l) => l.record.kind === 'nginx.worker_tls_backlog')
      .map((l) => (l.record as { handshakes: number }).handshakes);
    expect(Math.max(...handshakes)).toBeGreaterThan(514);
  });

  it('SYNs that find the queue full at their arrival are dropped and sent again on the SYN schedule', () => {
    // Connect latencies are one round trip plus whole SYN retransmission times (1 s apart), each
    // up to one wheel bucket late (32 ms at HZ 250). The balancer's kernel sends the SYNs its
    // wheel batched together, so all of a batch find room at their SYNs (the queue counts
    // completed handshakes only) and connect: nearly every dropped SYN gets in at its first
    // retransmission, and its final ACK meets the queue instead.
    expect(capped.figures['connect_latency.max']!).toBeGreaterThanOrEqual(1 + RTT - 1e-9);
    expect(capped.figures['connect_latency.p95']!).toBeGreaterThanOrEqual(1 + RTT - 0.005);
    expect(capped.figures['connect_latency.p95']!).toBeLessThanOrEqual(1 + RTT + 0.037);
    const line = capped.events.find(
      (l) => l.record.kind === 'kernel.listen_overflow' && (l.record as KernelListenOverflow).dropped === 'syn',
    )?.text;
    expect(line).toContain("vm-a: SYNs to port 443 dropped: nginx's listen queue is full (512/512)");
    const ack = capped.events.find(
      (l) => l.record.kind === 'kernel.listen_overflow' && (l.record as KernelListenOverflow).dropped === 'ack',
    )?.text;
    expect(ack).toContain("vm-a: final ACKs to port 443 dropped: nginx's listen queue is full (512/512)");
    // The RTO (230 ms) on the balancer's timer wheel: 57.5 jiffies at HZ 250, up to one jiffy late.
    expect(ack).toMatch(/first data retransmitted in 23\d(\.\d+)?ms \(retransmission 1\)/);
  });

  it("the SYN schedule is the balancer's kernel's (lb.kernel) in l4 mode", () => {
    const input = storm();
    input.lb = { kernel: { tcp_syn_linear_timeouts: 0 } };
    const r = run(input, 1);
    // Exponential: SYNs at 0, 1, 3 s (then 7 s, beyond timeout connect 5 s, which retries): the
    // few dropped twice connect at 3 s, not 2 s (linear: capped's p99), plus up to two buckets.
    const p99 = r.figures['connect_latency.p99']!;
    expect(p99).toBeGreaterThanOrEqual(3 + RTT - 0.005);
    expect(p99).toBeLessThanOrEqual(3 + RTT + 0.07);
    expect(capped.figures['connect_latency.p99']!).toBeGreaterThanOrEqual(2 + RTT - 0.005);
    expect(capped.figures['connect_latency.p99']!).toBeLessThanOrEqual(2 + RTT + 0.07);
  });

  it("behind a NAT the client machine's kernel (clients.kernel) retransmits its own SYN, not the balancer's", () => {
    const nat = storm();
    nat.lb = { mode: 'nat' };
    const base = run(nat, 1).figures;
    const lbKernel = storm();
    lbKernel.lb = { mode: 'nat', kernel: { tcp_syn_linear_timeouts: 0 } };
    expect(run(lbKernel, 1).figures['connect_latency.p95']).toBe(base['connect_latency.p95']);
    const clientKernel = storm();
    clientKernel.lb = { mode: 'nat' };
    clientKernel.clients = { ...clientKernel.clients, kernel: { tcp_syn_linear_timeouts: 0 } };
    const c = run(clientKernel, 1).figures;
    // Each client is its own machine with its own jiffies phase: their retransmissions are not
    // batched together, so the dropped SYNs meet the full queue again as they did the first time.
    const near = (v: number, t: number): void => {
      expect(v).toBeGreaterThanOrEqual(t + RTT - 0.005);
      expect(v).toBeLessThanOrEqual(t + RTT + 0.07);
    };
    near(c['connect_latency.p95']!, 3);
    near(base['connect_latency.p95']!, 2);
  });

  it('a retry after timeout connect is a new connect(): its SYNs start a schedule of their own', () => {
    // timeout connect 1.5 s: SYNs at 0 and 1 s, give up at 1.5 s, HAProxy retries (retries 3); each
    // retry's SYNs go at +0, +1 s from that retry (net/tcp.ts schedule from its own first SYN, the
    // retransmission on the sender's timer wheel: level 1, 32-ms buckets at HZ 250), so the slowest
    // connect got in on a retry, at k × 1.5 s + RTT (its first SYN) or k × 1.5 s + 1 s + RTT + less
    // than one bucket (its retransmission). Were a retry to continue the first connect's count, it
    // would give up at once (its deadline already past) and no connect would get in on a retry.
    // (Which retry it is depends on how fast the queue empties: the last, 3 × 1.5 s + RTT, until
    // connections let in by a SYN-ACK resend started their handshake at their data copy, f0506c5;
    // now the second retry's retransmission, 2 × 1.5 + 1 s + RTT + 23.8 ms.)
    const input = storm();
    input.lb = { connect_timeout: '1500ms', retries: 3 };
    const r = run(input, 1);
    const slowest = r.figures['connect_latency.max']! - RTT;
    const retry = Math.floor(slowest / 1.5);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(3);
    const intoRetry = slowest - retry * 1.5;
    const offSchedule = Math.min(Math.abs(intoRetry), intoRetry - 1 >= 0 ? intoRetry - 1 : Infinity);
    expect(offSchedule).toBeLessThan(0.032);
  });

  it('a larger backlog lets the whole storm queue: no drop, and the new connections wait behind it', () => {
    const big = run(storm({ listen_backlog: 65535 }, { somaxconn: 65535 }), 1);
    expect(big.figures['syn_drops.total']).toBe(0);
    expect(big.figures['request_latency.max']!).toBeGreaterThan(2);
    expect(big.figures['connect_latency.max']!).toBeLessThan(0.1);
    expect(Math.max(...workerWaits(big))).toBeGreaterThan(1);
  });

  it('somaxconn caps the backlog nginx asks for', () => {
    const r = run(storm({ listen_backlog: 65535 }, { somaxconn: 1024 }), 1);
    const recs = overflows(r);
    expect(recs.length).toBeGreaterThan(0);
    expect(recs[0].limit).toBe(1025);
    expect(recs[0].listenBacklog).toBe(65535);
    expect(recs[0].somaxconn).toBe(1024);
    expect(r.figures['syn_drops.total']!).toBeGreaterThan(0);
  });

  it('TLS ending elsewhere: nginx accepts as connections come, its queue never fills', () => {
    const r = run(storm({}, {}, 'none'), 1);
    expect(r.figures['syn_drops.total']).toBe(0);
    expect(r.figures['connect_latency.max']).toBeCloseTo(RTT, 9);
  });
});
