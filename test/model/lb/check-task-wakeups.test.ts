/**
 * When HAProxy 2.6 reads a connected check's `timeout check` (sim/model/lb/check-wait-queue.ts):
 * the check task stays in the shared timer tree at its connect deadline, min(inter, timeout
 * connect), while tcpcheck_eval_connect() lowers its expire to connect + timeout check without
 * requeueing it (src/tcpcheck.c); wake_expired_tasks() (src/task.c) reads that expire only when a
 * walk reaches the entry — at another entry's due key before it, else at its own key.
 */
import { describe, expect, it } from 'vitest';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { haproxyHttpChecks } from './haproxy-check-policy.js';

/** HTTP checks, DOWN at the first failure; `timeout check` 0.3 s, connect deadline = inter. */
const policy = (inter: number, timeoutCheck = true): CheckPolicy =>
  haproxyHttpChecks(inter, {
    rise: 1,
    fall: 1,
    timeout: timeoutCheck ? 0.3 : inter,
    connectTimeout: timeoutCheck ? inter : undefined,
  });

/** vm-a's app hangs (connects complete, nothing answers); vm-b, if there, answers. DOWN times of vm-a. */
function downs(p: CheckPolicy, backends: number, until = 1.9): number[] {
  const names = ['vm-a', 'vm-b'].slice(0, backends).map((name) => ({ name, proxy: 'none' }));
  const model = buildModel(
    ScenarioSchema.parse({ warmup: '0s', lb: { mode: 'l7' }, clients: { rtt: '0.1ms' }, backends: names }),
  );
  const w = model.world;
  w.backends[0].app.pausedUntil = Infinity;
  const out: number[] = [];
  const checker = new HealthChecker(w, model.app, p, (b, up) => {
    if (b === 0 && !up) out.push(w.now);
  });
  checker.start();
  w.engine.run(until);
  return out;
}

describe('a connected check with timeout check fails when the shared timer tree reads its expire', () => {
  it('alone in the tree it waits for its key: inter 1 s, timeout check 0.3 s → L7TOUT at 1 s', () => {
    // Started at 0.001 (the thread wakes 1 ms after the key, compute_poll_timeout()), failed 1 ms after 1.001.
    expect(downs(policy(1), 1)).toEqual([1.002]);
  });

  it('another server’s check coming due at 0.5 s (after connect + 0.3 s) wakes the walk that fails it there', () => {
    // vm-b's first check at inter × 1/2 = 0.5 s: its due entry sits before vm-a's key (1 s).
    const [t] = downs(policy(1), 2);
    expect(t).toBeCloseTo(0.501, 9);
  });

  it('a walk before connect + timeout check requeues the entry there: inter 0.4 s, vm-b due at 0.2 s → fails at 0.3 s', () => {
    const [t] = downs(policy(0.4), 2, 0.35);
    // vm-a started at 0.001: connect + 0.3 s is the tick 301, read 1 ms later.
    expect(t).toBeCloseTo(0.302, 9);
  });

  it('without timeout check nothing lowers the expire: the other server changes nothing (fails at inter)', () => {
    expect(downs(policy(1, false), 2)).toEqual([1]);
  });

  it('the resolvers task, started with vm-a, sits before its key and stops vm-b’s walk at 0.5 s: fails at 1 s', () => {
    // NOTES.md item 33 (HAProxy 2.6.12 traced): process_resolvers() runs at start and is keyed every
    // timeout resolve (1 s); queued before vm-a's entry at the same key (ebtree keeps duplicates in
    // insertion order), it ends vm-b's walk (`else break`), and its own walk at 1 s fails vm-a.
    const withResolvers = { ...policy(1), resolvers: true, uptime: 0 };
    expect(downs(withResolvers, 2)).toEqual([1.001]);
    // Without it the same walk at 0.5 s reaches vm-a (the test above).
    expect(downs(policy(1), 2)[0]).toBeCloseTo(0.501, 9);
  });

  it('lb.uptime 0.2 s: vm-a and the resolvers task keep HAProxy’s start as their phase, vm-a fails at its key', () => {
    // HAProxy started 0.2 s before 0: the resolvers' keys at 0.8, 1.801 s; vm-a (alone) checked from
    // 0.8 s on the same grid, its key just after theirs, so no walk comes inside its check: 1 s.
    expect(downs({ ...policy(1), resolvers: true, uptime: 0.2 }, 1, 2.5)).toEqual([1.802]);
  });
});
