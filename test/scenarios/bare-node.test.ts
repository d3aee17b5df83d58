/**
 * bare-node-crash / -fixed: node servers straight behind HAProxy mode http (`proxy: none`). A
 * killed one's requests in flight end with HAProxy's silent close of the client connection
 * (abort_keep_alive: each was a later request of its connection), no 502 and no 5xx counted at
 * the balancer; with `retry-on conn-failure empty-response` and redispatch they are sent again
 * elsewhere and no client sees the crash.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setupSentences } from '../../sim/explain/setup.js';
import type { RunResult } from '../../sim/result.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { runBuiltin } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

describe('bare-node-crash / bare-node-crash-fixed', () => {
  let crash: RunResult;
  let fixed: RunResult;
  beforeAll(() => {
    crash = runBuiltin('bare-node-crash');
    fixed = runBuiltin('bare-node-crash-fixed');
  });

  it("the crash's requests in flight are closed silently: EOF at the clients, no 5xx anywhere", () => {
    const held = recordsOf(crash, 'app.killed')[0].inFlight;
    expect(held).toBeGreaterThan(20);
    expect(fig(crash, 'err_econnreset.total') + fig(crash, 'responses_5xx.total')).toBe(held);
    expect(fig(crash, 'responses_5xx.total')).toBeLessThanOrEqual(2);
    // The 5xx (1 since session 33): a request that opened a new connection after its client's
    // 5-s idle close, so the first of it — HAProxy's own 502, counted as an error too.
    expect(fig(crash, 'errors.total')).toBe(fig(crash, 'err_econnreset.total') + fig(crash, 'responses_5xx.total'));
    // No nginx on these VMs: nothing resident for it.
    expect(crash.figures['nginx_memory.max']).toBe(0);
  });

  it('retry-on empty-response replays them on the other servers: no client error', () => {
    expect(fig(fixed, 'errors.total')).toBe(0);
    const aborted = recordsOf(fixed, 'lb.server_aborted');
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.every((x) => x.retried)).toBe(true);
  });

  it('explain says the VMs run no nginx, and the kill’s requests get no response rather than a 502', () => {
    const setup = setupSentences(loadScenario('bare-node-crash', ScenarioSchema).scenario, 1).join(' ');
    expect(setup).toMatch(/each a bare app server \(no nginx/);
    expect(setup).not.toMatch(/nginx closes/);
    const killed = crash.events.find((e) => e.record.kind === 'app.killed')!.record;
    expect(killed).toMatchObject({ backend: 'vm-b', bare: true });
  });
});
