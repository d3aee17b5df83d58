/**
 * The kept count of each nginx worker's connections (proxy/worker-conn-count.ts) against the walk
 * over the VM's connections it replaced (worker-connections.ts checkCountsWith): every worker's of
 * every VM, equal at every accept and upstream connect a limited worker asks for — HTTP keep-alive clients drained and
 * refused near the limit, their upstream keep-alive cache, WebSocket tunnels, TLS workers taking
 * connections at their handshake, a reload that changes worker_processes, an app killed and a host
 * vanished, eager clients' connections accepted ahead of their request. The walk tells which
 * connections nginx accepted from their state (requestsServed, phase, upstream, the awaiting
 * tracker: worker-connections.ts acceptedByState), not from the kept count's record, so a missed
 * accept() or delete() fails here (tried: the accept() in admit, acceptWaiting or upgrade removed,
 * or delete()'s change, each fails at least one case below).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkCountsWith, WORKER_OWN_CONNECTIONS } from '../../../sim/model/proxy/worker-connections.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { wcBurst, wsUpgrades } from './wc-burst-fixture.js';

/** What the check saw over one run. */
interface Seen {
  checks: number;
  mismatches: Array<{ kept: number; walked: number }>;
  /** The most connections a worker held at a check. */
  most: number;
}

function checked(input: ScenarioInput): Seen {
  const seen: Seen = { checks: 0, mismatches: [], most: 0 };
  checkCountsWith((kept, walked, asking) => {
    if (kept !== walked) seen.mismatches.push({ kept, walked });
    if (!asking) return;
    seen.checks++;
    if (walked > seen.most) seen.most = walked;
  });
  try {
    run(input, 1);
  } finally {
    checkCountsWith(null);
  }
  return seen;
}

/** Keep-alive clients in a closed loop (1-s requests, 500-ms think), too many for `limit`; dropped ones retry. */
const keepalive = (limit: number, nginx: Record<string, unknown>, timeline: unknown[] = []): ScenarioInput =>
  wcBurst({ worker_connections: limit, ...nginx }, {}, timeline);

const LIMIT = WORKER_OWN_CONNECTIONS + 24;

afterEach(() => checkCountsWith(null));

describe("the kept count of each nginx worker's connections equals a walk at every new connection", () => {
  it('keep-alive clients drained and refused at the limit, with an upstream keep-alive cache', () => {
    const seen = checked(keepalive(LIMIT, { upstream_keepalive: 4 }));
    expect(seen.mismatches).toEqual([]);
    expect(seen.checks).toBeGreaterThan(100);
    // The run reached the limit: the counts were compared where they decide.
    expect(seen.most).toBeGreaterThanOrEqual(LIMIT - LIMIT / 16);
  });

  it('eager clients: connections accepted ahead of their request, drained, timed out, left open at a reload', () => {
    // A connection drained while its client thinks is replaced at once and waits, accepted, for
    // the request (acceptWaiting); client_header_timeout closes those that wait longer.
    const seen = checked(
      wcBurst(
        { worker_connections: LIMIT, upstream_keepalive: 4, client_header_timeout: '700ms' },
        { reconnect: 'eager', think_time: 'const(1s)' },
        [{ at: '4s', do: 'nginx_reload' }],
      ),
    );
    expect(seen.mismatches).toEqual([]);
    expect(seen.checks).toBeGreaterThan(100);
    expect(seen.most).toBeGreaterThanOrEqual(LIMIT - LIMIT / 16);
  });

  it('two workers, then a reload to four (every connection counted in its worker again), then a kill and a vanish', () => {
    const seen = checked(
      keepalive(LIMIT, { worker_processes: 2, upstream_keepalive: 8 }, [
        { at: '2s', do: 'nginx_reload', nginx: { worker_processes: 4 } },
        { at: '5s', do: 'terminate', backend: 'vm-a', mode: 'kill' },
      ]),
    );
    expect(seen.mismatches).toEqual([]);
    expect(seen.checks).toBeGreaterThan(100);
    // Two VMs: vm-b's new connections compare vm-a's counts after it vanished.
    const vanished = checked({
      ...keepalive(LIMIT, { worker_processes: 2, upstream_keepalive: 8 }, [
        { at: '3s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
        // New clients after it: their connections on vm-b check vm-a's counts too.
        { at: '4s', do: 'load', http_rate: 40 },
        { at: '4.5s', do: 'load', http_rate: 0 },
      ]),
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    } as ScenarioInput);
    expect(vanished.mismatches).toEqual([]);
    expect(vanished.checks).toBeGreaterThan(60);
  });

  it('TLS in nginx: a connection moves to the worker that takes its handshake', () => {
    const input = keepalive(LIMIT, { worker_processes: 3 }) as Record<string, unknown>;
    const seen = checked({
      ...input,
      app: { ...(input.app as object), tls: { terminates: 'nginx' } },
    } as ScenarioInput);
    expect(seen.mismatches).toEqual([]);
    expect(seen.checks).toBeGreaterThan(100);
    expect(seen.most).toBeGreaterThanOrEqual(LIMIT - LIMIT / 16);
  });

  it('WebSocket tunnels hold two each', () => {
    const seen = checked(wsUpgrades({ worker_processes: 2, worker_connections: WORKER_OWN_CONNECTIONS + 2 * 20 }));
    expect(seen.mismatches).toEqual([]);
    // An accept and an upstream connect per upgrade that got in.
    expect(seen.checks).toBeGreaterThan(100);
    expect(seen.most).toBeGreaterThanOrEqual(WORKER_OWN_CONNECTIONS + 2 * 20);
  });
});
