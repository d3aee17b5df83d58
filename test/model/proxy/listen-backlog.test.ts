/**
 * nginx's listen backlog on :443 when its workers are busy with TLS handshakes: the kernel holds
 * min(listen_backlog, somaxconn) + 1 connections nginx has not accept()ed, and drops further SYNs
 * (tcp_conn_request, ListenOverflows) for the connecting kernel to retransmit (1 s, 2 s, …).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NginxWorkers } from '../../../sim/model/proxy/worker-queues.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { KernelListenOverflow } from '../../../sim/trace/records.js';
import { run, scenario } from '../helpers.js';
import { tlsStorm } from './tls-storm-fixture.js';

const HS = 0.00035;

describe('NginxWorkers.notAccepted: what the kernel still holds for a busy worker', () => {
  it('a busy worker holds two accepted (the handshake in progress, the one accepted before it); the rest wait in the kernel', () => {
    const w = new NginxWorkers();
    for (let i = 0; i < 10; i++) w.run(0, HS, 0);
    expect(w.notAccepted(0, HS)).toBe(8);
    // Halfway through the 5th handshake: 6 not finished, 4 still in the accept queue.
    expect(w.notAccepted(4.5 * HS, HS)).toBe(4);
    expect(w.notAccepted(9 * HS, HS)).toBe(0);
    expect(w.notAccepted(10 * HS, HS)).toBe(0);
  });

  it('the workers share one listening socket: the queue is their sum; nothing charged, nothing queued', () => {
    const w = new NginxWorkers();
    for (let i = 0; i < 5; i++) w.run(0, HS, 0);
    for (let i = 0; i < 3; i++) w.run(1, HS, 0);
    w.run(2, HS, 0);
    expect(w.notAccepted(0, HS)).toBe(3 + 1 + 0);
    expect(w.notAccepted(0, 0)).toBe(0);
    expect(new NginxWorkers().notAccepted(0, HS)).toBe(0);
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

describe('a TLS handshake storm beyond the listen backlog', () => {
  let capped: RunResult;
  beforeAll(() => {
    capped = run(storm(), 1);
  });

  it('drops the SYNs beyond 512 not yet accepted, logged in the operator words', () => {
    expect(capped.figures['syn_drops.total']!).toBeGreaterThan(1000);
    const recs = overflows(capped);
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) {
      expect(r.limit).toBe(512);
      expect(r.queued).toBeGreaterThanOrEqual(512);
      expect(r.sender).toBe('lb');
    }
    const line = capped.events.find((l) => l.record.kind === 'kernel.listen_overflow')?.text;
    expect(line).toContain("vm-a: SYNs to port 443 dropped: nginx's listen queue is full (512/512)");
  });

  it('the dropped clients connect a whole SYN retransmission (1 s) later; the queue ahead of a new connection stays ≤ 512 handshakes', () => {
    expect(capped.figures['connect_latency.max']!).toBeGreaterThan(1);
    // A new connection's first request waits in nginx for its own handshake, at most 512 + 2
    // behind (0.18 s) instead of the seconds the whole storm would queue; the rest of its wait is
    // its connect (request_latency counts it: the SYNs dropped and sent again).
    const waits = workerWaits(capped);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(514 * HS + 1e-9);
  });

  it("retransmits on the balancer's SYN schedule (1 s apart: tcp_syn_linear_timeouts 4) until timeout connect (5 s)", () => {
    const recs = overflows(capped);
    const first = recs.find((r) => r.retransmit === 1)!;
    expect(first.retransmitIn).toBeCloseTo(1, 9);
    expect(first.givesUp).toBe(false);
    // SYNs at 0, 1, 2, 3, 4 s; the fifth drop's next one would be at 5 s, when the connect gives up.
    expect(Math.max(...recs.map((r) => r.retransmit))).toBe(5);
    const last = recs.filter((r) => r.givesUp);
    expect(last.length).toBeGreaterThan(0);
    for (const r of last) expect(r.retransmit).toBe(5);
    for (const r of recs) expect(r.connectTimeout).toBe(5);
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
  });

  it('TLS ending elsewhere: nginx accepts as connections come, its queue never fills', () => {
    const r = run(storm({}, {}, 'none'), 1);
    expect(r.figures['syn_drops.total']).toBe(0);
    expect(overflows(r)).toHaveLength(0);
  });

  it('behind a NAT the client machine retransmits its own SYN', () => {
    const input = storm();
    input.lb = { mode: 'nat' };
    const recs = overflows(run(input, 1));
    expect(recs.length).toBeGreaterThan(0);
    expect(recs.every((r) => r.sender === 'client')).toBe(true);
  });
});
