/**
 * `lb.sticky: source` is HAProxy's `stick-table type ip` + `stick on src` (lb/stick-table.ts): the
 * table is asked before any balancing and a stored server is used while `cur_state !=
 * SRV_ST_STOPPED` or with `option persist` (sticking_rule_find_target(), src/stream.c), so a
 * drained server keeps its addresses; a DOWN one's are load-balanced and the store
 * (process_store_rules()) sticks them to their new server, where they stay when it comes back.
 * Before session 26 `sticky: source` chose nothing: with the default roundrobin every request
 * went round the servers (review42 #1: sticky-crash with `sticky: source` lost 23,875 sessions
 * with no failure at all).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const BACKENDS = [{ name: 'vm-a' }, { name: 'vm-b' }, { name: 'vm-c' }];

/** vm-a drained at 10 s, or killed at 10 s (DOWN by its checks) and back at 20 s. */
function timeline(event: 'drain' | 'crash'): ScenarioInput['timeline'] {
  return event === 'drain'
    ? [{ at: '10s', do: 'drain', backend: 'vm-a' }]
    : [
        { at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' },
        { at: '20s', do: 'bind', backend: 'vm-a' },
      ];
}

/** lb.mode l7, open-loop users each from its own address, their sessions in the app's memory. */
function l7Users(event: 'drain' | 'crash', lb: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: {
      source_ips: 300,
      requests: { rate: 150, timeout: '5s', retries: 1, users: 300, session_store: 'memory' },
    },
    app: { workers: 8, service_time: 'const(5ms)', startup_time: '1s' },
    lb: { mode: 'l7', sticky: 'source', redispatch: true, ...lb },
    health_check: { type: 'http', inter: '1s' },
    backends: BACKENDS,
    timeline: timeline(event),
  } as ScenarioInput;
}

/** lb.mode l4, short keep-alive connections from 30 addresses: each connection is stuck on its own. */
function l4Conns(event: 'drain' | 'crash'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: {
      source_ips: 30,
      http: { arrival_rate: 60, requests_per_connection: 'const(1)', think_time: 'const(10ms)' },
    },
    app: { workers: 8, service_time: 'const(5ms)', startup_time: '1s' },
    lb: { mode: 'l4', sticky: 'source', redispatch: true },
    // An http check: a killed app behind a live nginx answers 502 (a tcp check would pass).
    health_check: { type: 'http', inter: '1s' },
    backends: BACKENDS,
    timeline: timeline(event),
  } as ScenarioInput;
}

describe('sticky: source (stick on src), lb.mode l7', () => {
  it('a drained server keeps its addresses: no session moves, and it goes on serving them', () => {
    const r = run(l7Users('drain'));
    // From the drain on. Before it, one user's two requests sent before its first answer (at 5 s)
    // were load-balanced apart: the entry is stored with the response (process_store_rules(), a
    // response analyser), so until then the address has none — a session split, not a move.
    expect(sum(window(r, 'sessions_lost', 10, 40))).toBe(0);
    const before = sum(window(r, 'goodput', 3, 10, 'vm-a')) / 7;
    const during = sum(window(r, 'goodput', 12, 40, 'vm-a')) / 28;
    expect(during).toBeGreaterThan(0.8 * before);
  });

  it("a DOWN server's users move once, stuck to their new server: none comes back when it returns", () => {
    const r = run(l7Users('crash'));
    const lost = r.figures['sessions_lost.total'] ?? 0;
    // vm-a's third of 300 users lose their session once, at their first request after the crash
    // (a user not seen by 10 s may land anywhere); back at 20 s, vm-a gets only addresses new to
    // the table or not seen since the crash.
    expect(lost).toBeGreaterThan(50);
    expect(lost).toBeLessThan(150);
    expect(sum(window(r, 'sessions_lost', 25, 40))).toBe(0);
    expect(sum(window(r, 'goodput', 25, 40, 'vm-a'))).toBeLessThan(0.05 * sum(window(r, 'goodput', 25, 40)));
  });

  it('option persist keeps a DOWN server its addresses too (PR_O_PERSIST), where no redispatch re-sticks them', () => {
    const share = (lb: Record<string, unknown>): number => {
      const r = run(l7Users('crash', { redispatch: false, ...lb }));
      return sum(window(r, 'goodput', 25, 40, 'vm-a')) / sum(window(r, 'goodput', 25, 40));
    };
    // Their requests to the dead vm-a fail, their entries still name it: back at 20 s, it serves them again.
    expect(share({ persist: true })).toBeGreaterThan(0.25);
    expect(share({})).toBeLessThan(0.05);
  });
});

describe('sticky: source (stick on src), lb.mode l4: per connection', () => {
  it("a drained server keeps taking its addresses' new connections", () => {
    const r = run(l4Conns('drain'));
    const before = sum(window(r, 'new_conn', 3, 10, 'vm-a')) / 7;
    const during = sum(window(r, 'new_conn', 12, 40, 'vm-a')) / 28;
    expect(before).toBeGreaterThan(5);
    expect(during).toBeGreaterThan(0.6 * before);
  });

  it("a DOWN server's addresses are stuck elsewhere: back up, it gets no new connection", () => {
    const r = run(l4Conns('crash'));
    expect(sum(window(r, 'new_conn', 3, 10, 'vm-a'))).toBeGreaterThan(20);
    expect(sum(window(r, 'new_conn', 25, 40, 'vm-a'))).toBe(0);
    expect(sum(window(r, 'new_conn', 25, 40))).toBeGreaterThan(500);
    // vm-a is back in load balancing: without persistence roundrobin gives it its third.
    const free = run({ ...l4Conns('crash'), lb: { mode: 'l4', redispatch: true } });
    expect(sum(window(free, 'new_conn', 25, 40, 'vm-a'))).toBeGreaterThan(200);
  });
});

describe('sticky: source in the scenario', () => {
  it('lb.mode nat is refused, naming lb.sticky (a NAT keeps no stick table)', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'nat', sticky: 'source' } });
    expect(res.success).toBe(false);
    const issue = res.error!.issues.find((i) => i.path.join('.') === 'lb.sticky');
    expect(issue?.message).toMatch(/^source needs a proxy \(lb.mode: l4 or l7\)/);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4', sticky: 'source' } }).success).toBe(true);
  });
});
