import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, scenario, series } from '../helpers.js';

/**
 * clients.http.idle_timeout unset is the library's own (schema httpLibraryIdleTimeout): node's
 * http.globalAgent 5 s, Go's DefaultTransport 90 s, Chromium 300 s, curl 118 s checked at the next
 * request. One client (paced, the only arrival within the horizon) sends `requests` requests
 * `think` apart against nginx keepalive_timeout `keepalive` — above the client's timeout, so
 * whether the connection is still open at each next request is the client's idle timeout's
 * doing alone: every idle close is the client's, and each one costs a new connection (new_conn).
 */
function oneClient(think: string, requests: number, keepalive: string, http: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '400s',
    sample_interval: '1s',
    clients: {
      rtt: '10ms',
      http: {
        arrival_rate: 0.001,
        arrivals: 'paced',
        requests_per_connection: `const(${requests})`,
        think_time: `const(${think})`,
        ...http,
      },
    },
    nginx: { keepalive_timeout: keepalive },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

const newConns = (r: RunResult): number => r.figures['new_conn.total'] ?? 0;

/** The first sample time after `from` at which the client holds no connection. */
function firstClosedAfter(r: RunResult, from: number): number {
  const hit = series(r, 'active_conn').find(([t, v]) => t > from && v === 0);
  return hit === undefined ? Infinity : hit[0];
}

describe('clients.http.idle_timeout unset: the library closes its idle connections itself', () => {
  it('resolves to the library default in the schema, and a written value (0 = never) stands', () => {
    const idle = (http: Record<string, unknown>) => scenario(oneClient('1s', 2, '75s', http)).clients.http.idle_timeout;
    expect(idle({})).toBe(5);
    expect(idle({ library: 'node' })).toBe(5);
    expect(idle({ library: 'go' })).toBe(90);
    expect(idle({ library: 'browser' })).toBe(300);
    expect(idle({ library: 'curl' })).toBe(118);
    expect(idle({ library: 'go', idle_timeout: '0s' })).toBe(0);
    expect(idle({ idle_timeout: '30s' })).toBe(30);
  });

  it('node (unset) against nginx keepalive_timeout 75 s: each connection closed 5 s after its answer, a new one per request', () => {
    const node = run(oneClient('20s', 3, '75s', {}), 1);
    // The first answer is back at ~0.03 s: closed by the client at ~5.03 s (sampled at 6 s).
    expect(firstClosedAfter(node, 0)).toBe(6);
    expect(newConns(node)).toBe(3);
    // Written 0s (a `new http.Agent({ keepAlive: true })` without `timeout`): one connection for all three.
    const never = run(oneClient('20s', 3, '75s', { idle_timeout: '0s' }), 1);
    expect(firstClosedAfter(never, 0)).toBeGreaterThan(40);
    expect(newConns(never)).toBe(1);
  });

  it('go (unset): 90 s — kept over a 20-s think, closed over a 100-s one at 90 s', () => {
    expect(newConns(run(oneClient('20s', 3, '75s', { library: 'go' }), 1))).toBe(1);
    const long = run(oneClient('100s', 3, '120s', { library: 'go' }), 1);
    expect(firstClosedAfter(long, 0)).toBe(91);
    expect(newConns(long)).toBe(3);
  });

  it('curl (unset): 118 s, the over-age connection closed as the next request looks for one, not on a timer', () => {
    const curl = run(oneClient('150s', 3, '300s', { library: 'curl' }), 1);
    // Open from the first request to the last answer: each close comes with the next connect.
    expect(firstClosedAfter(curl, 0)).toBeGreaterThan(300);
    expect(newConns(curl)).toBe(3);
    // Go's timer closes the same connection at 90 s.
    const go = run(oneClient('150s', 3, '300s', { library: 'go' }), 1);
    expect(firstClosedAfter(go, 0)).toBe(91);
    expect(newConns(go)).toBe(3);
  });
});
