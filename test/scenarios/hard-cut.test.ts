/** Seed Part 6 case 1, "Removing the server without draining", and its fix. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import type { Scenario } from '../../sim/scenario/schema.js';
import { runBuiltin, valueAt, window } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

describe('hard-cut', () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('hard-cut');
  });
  const cut = 120;

  it('vm-c carries ~1800 keepalive connections before the cut (seed: 1800)', () => {
    const before = valueAt(r, 'active_conn', cut - 1, 'vm-c');
    expect(before).toBeGreaterThan(1600);
    expect(before).toBeLessThan(2000);
  });

  it('resets spike to hundreds per second (seed: reset_out=420/s)', () => {
    expect(r.figures['vm-c.reset_out.peak_per_s']).toBeGreaterThan(300);
    expect(valueAt(r, 'reset_out', cut - 1, 'vm-c')).toBe(0);
  });

  it('active connections collapse within ~10 s (seed: 1800 -> 300 in 10s)', () => {
    const before = valueAt(r, 'active_conn', cut, 'vm-c');
    const after = valueAt(r, 'active_conn', cut + 10, 'vm-c');
    expect(after / before).toBeLessThan(0.25);
    expect(recordsOf(r, 'lb.reset_summary').some((s) => s.backend === 'vm-c' && s.activeBefore > s.activeAfter)).toBe(
      true,
    );
  });

  it('clients see ECONNRESET and retry on the other backends', () => {
    expect(r.figures['err_econnreset.total']).toBeGreaterThan(1000);
    expect(r.figures['retries.total']).toBeGreaterThan(1000);
    const newOnOthers = valueAt(r, 'new_conn', cut + 1, 'vm-a') + valueAt(r, 'new_conn', cut + 1, 'vm-b');
    expect(newOnOthers).toBeGreaterThan(3 * valueAt(r, 'new_conn', cut - 5, 'vm-a'));
  });

  it("logs the operators' lines: abrupt removal and nginx 104", () => {
    const text = r.events.map((l) => `[${l.source}] ${l.text}`);
    expect(text).toContain('[lb] backend vm-c removed from pool abruptly');
    expect(text.some((l) => l.startsWith('[nginx] vm-c: recv() failed (104: Connection reset by peer)'))).toBe(true);
  });
});

describe('hard-cut-drained', () => {
  let r: RunResult;
  beforeAll(() => {
    r = runBuiltin('hard-cut-drained');
  });

  it('unbind -> drain -> gate -> terminate: zero resets and zero failed requests', () => {
    expect(r.figures['reset_out.total']).toBe(0);
    expect(r.figures['reset_in.total']).toBe(0);
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['requests_failed.total']).toBe(0);
  });

  it('the drain gate passes: new == 0 and active below the threshold', () => {
    const gate = (r.resolved as Scenario).timeline.find((a) => a.do === 'deploy')!.gate;
    const started = r.figures['drain.vm-c.started_at']!;
    const within = r.figures['drain.vm-c.completed_within']!;
    expect(r.figures['drain.vm-c.timed_out']).toBe(0);
    expect(within).toBeLessThan(gate.max_wait);
    expect(window(r, 'new_conn', started + 1, started + within, 'vm-c').every((v) => v === 0)).toBe(true);
    expect(r.figures['drain.vm-c.active_at_end']!).toBeLessThan(gate.threshold);
  });
});

/**
 * The same stories behind HAProxy in mode http (`--set lb.mode=l7`, issue 12): the clients'
 * keep-alive connections end at the balancer, which balances each request on its own.
 */
describe('hard-cut behind an L7 balancer', () => {
  it('the cut sends no RST to any client: the requests vm-c held get a 5xx and their retries succeed', () => {
    const r = runBuiltin('hard-cut', undefined, ['lb.mode=l7', 'horizon=2m30s']);
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    expect(r.figures['err_econnreset.total'] ?? 0).toBe(0);
    // The L4 run's 1,785 RSTs become the few requests in flight on vm-c when its app died.
    expect(r.figures['responses_5xx.total']).toBeGreaterThan(0);
    expect(r.figures['responses_5xx.total']).toBeLessThan(100);
    expect(r.figures['requests_failed.total'] ?? 0).toBe(0);
  });

  it('the drain empties within a second: vm-c holds only the requests in flight', () => {
    const r = runBuiltin('hard-cut-drained', undefined, ['lb.mode=l7', 'horizon=2m30s']);
    const started = r.figures['drain.vm-c.started_at']!;
    expect(valueAt(r, 'active_conn', started - 1, 'vm-c')).toBeGreaterThan(0);
    expect(valueAt(r, 'active_conn', started + 1, 'vm-c')).toBe(0);
    expect(r.figures['drain.vm-c.active_at_end']).toBe(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
  });
});
