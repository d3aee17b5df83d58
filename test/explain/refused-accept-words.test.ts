/**
 * "worker_connections are not enough" explained by what the run counted (review 30 #1): behind an
 * L7 balancer nginx's refused accept resets HAProxy's server connection and HAProxy answers its
 * client 502 (responses_5xx, no ECONNRESET); behind an L4 NAT the client's own connection is closed
 * (an idle worker: FIN before the upgrade, the client reads EOF, ECONNRESET in Node).
 * 100 WebSocket upgrades at once to one nginx with 64 worker_connections (lb.mode l7 carries
 * upgrades, not plain requests, through nginx's accept: model/app/ws-endpoint.ts nginxConnections).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { explanationOf } from '../../sim/trace/catalog.js';
import { run } from '../model/helpers.js';
import { wsUpgrades } from '../model/proxy/wc-burst-fixture.js';
import { recordsOf } from '../trace/records-of.js';

function refusedAt(mode: 'l7' | 'nat'): { r: RunResult; note: string } {
  const input = { ...wsUpgrades({ worker_connections: 64 }), lb: { mode } };
  const r = run(input, 1);
  const refused = recordsOf(r, 'nginx.worker_connections_not_enough').filter((x) => !x.upstream);
  expect(refused.length).toBeGreaterThan(0);
  return { r, note: explanationOf(refused[0]!) };
}

describe('a refused accept explained per lb.mode', () => {
  it('l7: the client got a 502 from HAProxy, not a reset, and the note says so', () => {
    const { r, note } = refusedAt('l7');
    expect(r.figures['responses_5xx.total']).toBeGreaterThan(0);
    expect(r.figures['reset_out.total']).toBe(0);
    expect(r.figures['err_econnreset.total']).toBe(0);
    expect(note).toContain('502 Bad Gateway');
    expect(note).toContain('responses_5xx');
    expect(note).not.toContain('ECONNRESET');
  });

  it('nat: the client connection itself was closed (FIN before its upgrade: EOF, ECONNRESET in Node)', () => {
    const { r, note } = refusedAt('nat');
    expect(r.figures['err_econnreset.total']).toBeGreaterThan(0);
    expect(r.figures['reset_out.total']).toBe(0);
    expect(r.figures['responses_5xx.total']).toBe(0);
    expect(note).toContain('ECONNRESET');
    expect(note).toContain('EOF');
    expect(note).not.toContain('502');
  });
});
