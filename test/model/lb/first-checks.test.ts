/**
 * When HAProxy 2.6 runs each server's first check (sim/model/lb/health-checker.ts
 * firstCheckAfterStart(), from src/check.c start_checks() / start_check_task()): the k-th of n
 * servers at mininter × k / n ms, each server's interval being srv_getinter() (src/server.c) at
 * its starting health `rise` — full health (inter) only with fall 1, else fastinter — raised to
 * the smallest such interval of at least 1 s among the servers. Before session 18 the model spread
 * them over `inter` whatever fastinter was.
 */
import { describe, expect, it } from 'vitest';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { haproxyHttpChecks } from './haproxy-check-policy.js';

/**
 * Every app hangs (connects complete, nothing answers) and each check times out `timeout` (0.1 s)
 * after its start, no `timeout check` (the engine's own timers). A server starts at health `rise`,
 * "up, but will fall down at first failure" (srv_settings_init()): DOWN at its first check's start
 * + 0.1 s. The DOWN time of each server.
 */
function downs(n: number, p: Partial<CheckPolicy>, checker: CheckPolicy['checker'] = 'haproxy'): number[] {
  const names = ['vm-a', 'vm-b', 'vm-c'].slice(0, n).map((name) => ({ name, proxy: 'none' }));
  const model = buildModel(
    ScenarioSchema.parse({ warmup: '0s', lb: { mode: 'l7' }, clients: { rtt: '0.1ms' }, backends: names }),
  );
  const w = model.world;
  for (const b of w.backends) b.app.pausedUntil = Infinity;
  const out = new Array<number>(n).fill(Number.NaN);
  const policy = { ...haproxyHttpChecks(0.7, { rise: 2, fall: 2, timeout: 0.1 }), checker, ...p };
  const checks = new HealthChecker(w, model.app, policy, (b, up) => {
    if (!up && Number.isNaN(out[b])) out[b] = Math.round(w.now * 1e6) / 1e6;
  });
  checks.start();
  w.engine.run(5);
  return out;
}

describe("HAProxy's first checks, spread over the servers' starting interval", () => {
  it('fastinter 250 ms, fall 2: the second of two servers starts 125 ms after the first (inter / 2 before)', () => {
    // HAProxy 2.6.12, inter 700ms fastinter 250ms fall 2, two servers: s2's first check 124 ms
    // after s1's (calibration/data/haproxy-holdout6-gcpause-tcheck-http-rt-run1.json).
    const [a, b] = downs(2, { fastinter: 0.25 });
    expect(a).toBeCloseTo(0.1, 9);
    expect(b).toBeCloseTo(0.125 + 0.1, 9);
  });

  it('fall 1: a server starts at full health, so on inter: 350 ms apart', () => {
    const [, b] = downs(2, { fastinter: 0.25, fall: 1 });
    expect(b).toBeCloseTo(0.35 + 0.1, 9);
  });

  it('a starting interval of at least 1 s: three servers at 2000 × k / 3 ms, whole milliseconds', () => {
    const [, b, c] = downs(3, { inter: 3, fastinter: 2 });
    expect(b).toBeCloseTo(0.666 + 0.1, 9);
    expect(c).toBeCloseTo(1.333 + 0.1, 9);
  });

  it('the kubelet spreads its probes over inter', () => {
    // Probed at 0.35 s, then on its 0.7-s ticker: the second consecutive failure at 1.05 + 0.1 s.
    const [, b] = downs(2, { fastinter: 0.25 }, 'kubelet');
    expect(b).toBeCloseTo(1.15, 9);
  });
});
