/**
 * Open-loop requests cross the client↔balancer round trip (`clients.rtt`, clients/open-loop.ts):
 * on a kept-alive connection the request takes half a round trip to the balancer and the answer
 * half a round trip back; a request on a new connection waits for its handshake first (the
 * balancer accept()s and reads it 1.5 round trips after the client's connect(): HAProxy
 * session_accept_fd → stream_new, src/stream.c). The client's timeout runs from its write.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/** 20 req/s (paced) to one idle server answering in `service`; `clients.rtt` 100 ms unless given. */
function openLoop(opts: {
  service: string;
  reused?: boolean;
  pool?: boolean;
  timeout?: string;
  mode?: 'l4' | 'l7' | 'nat';
  rtt?: string;
}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    clients: {
      rtt: opts.rtt ?? '100ms',
      requests: {
        rate: 20,
        arrivals: 'paced',
        timeout: opts.timeout ?? '5s',
        retries: 0,
        ...(opts.reused ? { reused_connections: true } : {}),
        ...(opts.pool ? { users: 8, pool: { when_busy: 'wait' } } : {}),
      },
    },
    app: { workers: 64, service_time: `const(${opts.service})` },
    lb: { mode: opts.mode ?? 'l7' },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('open-loop latency includes the client↔balancer round trip', () => {
  it('a request on a kept-alive connection: its service plus one round trip', () => {
    const r = run(openLoop({ service: '10ms', reused: true }));
    expect(r.figures['open_loop_latency.p50']).toBeCloseTo(0.11, 3);
    expect(r.figures['open_loop_latency.max']).toBeCloseTo(0.11, 3);
  });

  it('a pooled connection is kept alive too: one round trip', () => {
    const r = run(openLoop({ service: '10ms', pool: true }));
    expect(r.figures['open_loop_latency.p50']).toBeCloseTo(0.11, 3);
  });

  it('a request on a new connection: one round trip more for the handshake, whatever the balancer', () => {
    for (const mode of ['l7', 'l4', 'nat'] as const) {
      const r = run(openLoop({ service: '10ms', mode }));
      expect(r.figures['open_loop_latency.p50'], mode).toBeCloseTo(0.21, 3);
      expect(r.figures['open_loop_latency.max'], mode).toBeCloseTo(0.21, 3);
    }
  });
});

describe("the client's timeout runs from its write and counts the answer's way back", () => {
  it('kept-alive: 0.2 s there and back around a 0.7-s service misses a 1-s timeout (0.5 s meets it)', () => {
    const late = run(openLoop({ service: '700ms', reused: true, timeout: '1s', rtt: '400ms' }));
    expect(late.figures['goodput.total']).toBe(0);
    expect(late.figures['req_timeouts.total']).toBeGreaterThan(150);
    const inTime = run(openLoop({ service: '500ms', reused: true, timeout: '1s', rtt: '400ms' }));
    expect(inTime.figures['req_timeouts.total']).toBe(0);
    expect(inTime.figures['open_loop_latency.max']).toBeCloseTo(0.9, 3);
  });

  it('new connection: the handshake is before the write, so it does not count against the timeout', () => {
    // Write at connect + 0.4 s, answer back at connect + 0.4 + 0.2 + 0.5 + 0.2 = 1.3 s: in time.
    const inTime = run(openLoop({ service: '500ms', timeout: '1s', rtt: '400ms' }));
    expect(inTime.figures['req_timeouts.total']).toBe(0);
    expect(inTime.figures['open_loop_latency.max']).toBeCloseTo(1.3, 3);
    const late = run(openLoop({ service: '700ms', timeout: '1s', rtt: '400ms' }));
    expect(late.figures['goodput.total']).toBe(0);
  });
});

/** One request at 1 s (paced 1/s) to a pool emptied at 0.5 s, retried 3 times at once; rtt 100 ms. */
const emptyPool = (mode: 'l4' | 'nat' | 'l7', pooled = false): ScenarioInput =>
  ({
    warmup: '0s',
    horizon: '1.95s',
    sample_interval: '10ms',
    clients: {
      rtt: '100ms',
      requests: {
        rate: 1,
        arrivals: 'paced',
        timeout: '10s',
        retries: 3,
        backoff: { policy: 'immediate', base: '0s' },
        ...(pooled ? { users: 1, pool: { when_busy: 'wait' } } : {}),
      },
    },
    lb: mode === 'l4' ? { mode, retries: 0 } : { mode },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '0.5s', do: 'unbind', backend: 'vm-a' }],
  }) as ScenarioInput;

describe('a failure reaches the open-loop client when its packets do (lb/l4-connect.ts rule)', () => {
  it("l4: HAProxy's EOF 2 rtt after the client's connect, so each immediate retry reaches the balancer 0.2 s after the last", () => {
    const r = run(emptyPool('l4'));
    expect(r.figures['err_econnreset.total']).toBe(4);
    // Samples of 10 ms end at their time: an error at t is in the one ending at t or t + 10 ms.
    for (let k = 0; k < 4; k++) expect(between(r, 'err_econnreset', 0.995 + 0.2 * k, 1.015 + 0.2 * k), `${k}`).toBe(1);
  });

  it('l4, a pooled client: the EOF closed its kept-alive connection, so each retry opens a new one — 0.2 s apart too (review34 #4)', () => {
    // The calibration client reconnects after a lost connection (worker.mjs lost(): destroy, openConn):
    // the retry pays the handshake that a request on the kept-alive connection does not (0.1 s apart before).
    const r = run(emptyPool('l4', true));
    expect(r.figures['err_econnreset.total']).toBe(4);
    for (let k = 0; k < 4; k++) expect(between(r, 'err_econnreset', 0.995 + 0.2 * k, 1.015 + 0.2 * k), `${k}`).toBe(1);
  });

  it("l7, a pooled client: HAProxy's own 503 closes the connection (http_reply_and_close), so each retry opens a new one (review35 #1)", () => {
    // No server: the 503 reaches the client rtt/2 after the balancer's receipt; the retry's new
    // connection reaches the balancer 1.5 rtt after that: 0.2 s apart (0.1 s on a kept-alive one).
    const r = run(emptyPool('l7', true));
    expect(r.figures['req_5xx.total']).toBe(4);
    for (let k = 0; k < 4; k++) expect(between(r, 'req_5xx', 0.995 + 0.2 * k, 1.015 + 0.2 * k), `${k}`).toBe(1);
  });

  it('a client timeout shorter than the round trip: the client gives up at write + timeout and reconnects for its retry', () => {
    // rtt 1 s, timeout 0.3 s, kept-alive, one retry at once: the request reaches the balancer at 2 s
    // (written at 1.5 s), the client gives up at 1.8 s, opens a new connection (1 rtt) and writes
    // the retry at 2.8 s: at the balancer at 3.3 s. Before review34 #4/#5: given up at the
    // balancer's receipt + rtt/2 (2.5 s) and retried on the closed connection, at 3.0 s.
    const input = openLoop({ service: '10ms', reused: true, timeout: '300ms', rtt: '1s' });
    const r = run({
      ...input,
      horizon: '3.95s',
      sample_interval: '10ms',
      clients: {
        ...input.clients,
        requests: { ...input.clients!.requests, rate: 0.5, retries: 1, backoff: { policy: 'immediate', base: '0s' } },
      },
    } as ScenarioInput);
    expect(r.figures['goodput.total'] ?? 0).toBe(0);
    expect(r.figures['req_timeouts.total']).toBe(2);
    expect(between(r, 'attempts', 1.995, 2.015)).toBe(1);
    expect(between(r, 'attempts', 3.295, 3.315)).toBe(1);
    expect(between(r, 'attempts', 2.02, 3.29)).toBe(0);
  });

  it('nat: the refusal of the SYN 1 rtt after it, so each retry reaches the balancer 0.1 s after the last', () => {
    const r = run(emptyPool('nat'));
    expect(r.figures['err_econnrefused.total']).toBe(4);
    for (let k = 0; k < 4; k++)
      expect(between(r, 'err_econnrefused', 0.995 + 0.1 * k, 1.015 + 0.1 * k), `${k}`).toBe(1);
  });
});
