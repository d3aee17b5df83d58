/**
 * Where a check task sits in HAProxy 2.6's shared timer tree after a check ended by I/O
 * (sim/model/lb/check-wait-queue.ts requeueAtExpire()): process_chk_conn() (src/check.c, label
 * `end`) calls task_set_affinity(t, MAX_THREADS_MASK), which unlinks the still-queued task and
 * task_queue()s it at its current expire (include/haproxy/task.h) — connect + timeout check for
 * an answered check — before setting expire = now + inter, which task_queue() leaves behind that
 * key. That key's walk reaches a hung server's connected check early.
 */
import { describe, expect, it } from 'vitest';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { haproxyHttpChecks } from './haproxy-check-policy.js';

/** HTTP checks with `timeout check` 0.3 s; fall 1000 keeps every server UP, on `inter`. */
const policy = (inter: number, connectTimeout: number): CheckPolicy =>
  haproxyHttpChecks(inter, { rise: 1, fall: 1000, timeout: 0.3, connectTimeout });

/** When the hung server's checks failed (its app never answers; the others' do). */
function failedChecks(p: CheckPolicy, servers: number, hung: number, until: number): number[] {
  const names = ['vm-a', 'vm-b', 'vm-c'].slice(0, servers).map((name) => ({ name, proxy: 'none' }));
  const model = buildModel(
    ScenarioSchema.parse({ warmup: '0s', lb: { mode: 'l7' }, clients: { rtt: '0.1ms' }, backends: names }),
  );
  const w = model.world;
  w.backends[hung].app.pausedUntil = Infinity;
  const checker = new HealthChecker(w, model.app, p, () => {});
  checker.start();
  const out: number[] = [];
  // The failed-check counter is the checker's only per-failure output (health-checker.ts finish()).
  const inc = w.metrics.inc.bind(w.metrics);
  w.metrics.inc = (id, b) => {
    if (id === w.c.checkFailures && b === hung) out.push(Number(w.now.toFixed(3)));
    inc(id, b);
  };
  w.engine.run(until);
  return out;
}

describe('an answered check leaves its task at connect + timeout check (task_set_affinity at the check end)', () => {
  it('two servers, inter = timeout connect = 1 s: the answered server’s key fails the hung check at 0.3 s', () => {
    // vm-a hung, its second check started at 1.502 (connect + 0.3 s = tick 1802); vm-b's check,
    // started in the same walk and answered at once, is requeued at 1.802 and its walk reaches
    // vm-a: L7TOUT at 1.803. Left at its connect deadline (2.502), vm-b's entry kept vm-a to 2.503.
    expect(failedChecks(policy(1, 1), 2, 0, 2.6)).toEqual([0.501, 1.803]);
  });

  it('three servers, inter 3 s, timeout connect 1.5 s, vm-c hung: its third check fails at 0.3 s, not 1.5 s', () => {
    // Started at 2.001, 6.004 and 10.006; left at their connect deadlines the other servers' entries
    // kept the third to its own key (11.507, 1.501 s); vm-b's answered check, requeued at its
    // connect + 0.3 s (10.306), reaches it at 10.307.
    expect(failedChecks(policy(3, 1.5), 3, 2, 12)).toEqual([3.003, 7.005, 10.307]);
  });
});
