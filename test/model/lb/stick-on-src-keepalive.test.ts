/**
 * `stick on src` for keep-alive clients (clients.http) behind an l7 balancer: every request is its
 * own stream, asked of the stick table (process_sticking_rules(), src/stream.c) and stored under
 * its connection's source address (process_store_rules(), src/stream.c) — whether or not the
 * client is an open-loop user with a session (lb/l7-dispatch.ts touchSession stores before its
 * `req.user < 0` return). review45 S10: storing after that return leaves keep-alive clients'
 * addresses out of the table, so sticky: source balanced them round robin and a drained server
 * lost them all.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
/** Requests the balancer sent to a server in [from, to] s: on a new server connection or a reused one. */
const sent = (r: RunResult, b: string, from: number, to: number): number =>
  sum(window(r, 'lb_conns_opened', from, to, b)) + sum(window(r, 'lb_conns_reused', from, to, b));

function keepAlive(sticky: 'source' | 'none'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    clients: {
      source_ips: 30,
      http: { arrival_rate: 60, requests_per_connection: 'const(4)', think_time: 'const(10ms)' },
    },
    app: { workers: 8, service_time: 'const(5ms)', startup_time: '1s' },
    lb: { mode: 'l7', sticky, redispatch: true },
    health_check: { type: 'http', inter: '1s' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }],
    timeline: [{ at: '10s', do: 'drain', backend: 'vm-a' }],
  } as ScenarioInput;
}

describe('sticky: source, lb.mode l7, keep-alive clients (clients.http)', () => {
  it("a drained server keeps its addresses' requests; without the stick table it gets none", () => {
    const r = run(keepAlive('source'));
    const before = sent(r, 'vm-a', 3, 10) / 7;
    const during = sent(r, 'vm-a', 12, 30) / 18;
    expect(before).toBeGreaterThan(40);
    // vm-a's addresses (about a third of 30) keep coming to it at the same rate.
    expect(during).toBeGreaterThan(0.7 * before);
    expect(r.figures['req_failed.total'] ?? 0).toBe(0);
    // Control: with no persistence a drained server gets no new request.
    const free = run(keepAlive('none'));
    expect(sent(free, 'vm-a', 12, 30)).toBeLessThan(0.05 * before * 18);
  });

  it('one address: all its requests, over many connections, reach one server', () => {
    const input = keepAlive('source');
    const r = run({ ...input, clients: { ...input.clients, source_ips: 1 }, timeline: [] } as ScenarioInput);
    const per = ['vm-a', 'vm-b', 'vm-c'].map((b) => sent(r, b, 0, 30));
    expect(Math.max(...per)).toBeGreaterThan(1000);
    expect(per.filter((n) => n > 0)).toHaveLength(1);
  });
});
