/**
 * A bare one-worker app (node) behind lb.mode l4 / nat: its event loop accept()s every pending
 * connection between iterations (app/event-loop-accepts.ts), so the clients' connects that come
 * during one iteration wait in the kernel's accept queue, min(backlog, somaxconn) + 1 deep, and a
 * SYN beyond it is dropped and sent again 1 s later (lb/l4-connect.ts appLoopFull). Recorded with
 * HAProxy 2.6.12 and node v20: test/calibration/haproxy-bare-l4-backlog.test.ts. Before session 16
 * the clients' connects skipped the app's queue (connect time = the RTT).
 */
import { describe, expect, it } from 'vitest';
import { EventLoopAccepts } from '../../../sim/model/app/event-loop-accepts.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** 60 users in the first second, each keeping its connection; one app, 500 ms per request. */
function burst(
  mode: 'l4' | 'nat',
  workers: number,
  backlog: number,
  acceptModel?: 'event_loop' | 'worker_per_connection',
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 60, requests_per_connection: 'const(1000)', think_time: 'const(1s)', retries: 0 },
    },
    app: { workers, service_time: 'const(500ms)', backlog, keepalive_timeout: '60s', accept_model: acceptModel },
    lb: { mode, balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    health_check: { type: 'tcp', inter: '2s', rise: 2, fall: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
  } as ScenarioInput;
}

describe("a bare one-worker app's event loop and its accept queue", () => {
  it('l4: connects beyond backlog + 1 within one iteration are dropped and wait a SYN retransmission', () => {
    const r = run(burst('l4', 1, 4), 1);
    const connect = r.histograms.connect_latency;
    expect(connect.max).toBeGreaterThanOrEqual(1);
    const drops = recordsOf(r, 'kernel.app_listen_overflow');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]).toMatchObject({ limit: 5, backlog: 4, sender: 'lb' });
    expect(drops.every((d) => d.queued === 5)).toBe(true);
  });

  it('a larger backlog takes the whole burst: no drop, connects at the RTT', () => {
    const r = run(burst('l4', 1, 511), 1);
    expect(r.histograms.connect_latency.max).toBeLessThan(0.01);
    expect(recordsOf(r, 'kernel.app_listen_overflow')).toEqual([]);
  });

  it('an app with more workers accepts at once (not an event loop)', () => {
    const r = run(burst('l4', 2, 4), 1);
    expect(recordsOf(r, 'kernel.app_listen_overflow')).toEqual([]);
  });

  it('app.accept_model: worker_per_connection turns the loop off for a bare one-worker app', () => {
    const r = run(burst('l4', 1, 4, 'worker_per_connection'), 1);
    expect(recordsOf(r, 'kernel.app_listen_overflow')).toEqual([]);
    expect(r.histograms.connect_latency.max).toBeLessThan(0.01);
  });

  it("nat: the client's own SYN is dropped, its kernel sends it again", () => {
    const r = run(burst('nat', 1, 4), 1);
    const drops = recordsOf(r, 'kernel.app_listen_overflow');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0].sender).toBe('client');
  });

  it('the loop accepts everything pending when the jobs it held at the start of an iteration are done', () => {
    const loop = new EventLoopAccepts();
    loop.queued();
    expect(loop.pending).toBe(0); // idle loop: accepted at once
    loop.jobStarted();
    loop.queued();
    loop.queued();
    expect(loop.pending).toBe(2);
    expect(loop.full(2)).toBe(true);
    // The iteration's one job ends with 3 jobs in the app (the two new connections' requests and
    // another): all pending accepted, the next iteration runs those 3.
    loop.jobDone(3);
    expect(loop.pending).toBe(0);
    loop.queued();
    loop.jobDone(2);
    loop.jobDone(1);
    expect(loop.pending).toBe(1);
    loop.jobDone(0);
    expect(loop.pending).toBe(0);
    expect(loop.full(0)).toBe(false);
  });
});
