/** HAProxy's check state machine (rise/fall, inter/fastinter/downinter) on a model that is built but not started. */
import { describe, expect, it } from 'vitest';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const policy: CheckPolicy = {
  type: 'tcp',
  endpoint: 'shallow',
  inter: 2,
  fastinter: 1,
  downinter: 5,
  rise: 2,
  fall: 3,
  timeout: 1,
  dependencyTimeout: 0,
  onDependencyTimeout: 'unready',
  checker: 'haproxy',
  firstCheck: -1,
};

describe('health checker', () => {
  it('marks a server DOWN after `fall` failures and UP after `rise` successes, checking faster while it changes', () => {
    const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'vm-a' }] }));
    const w = model.world;
    const nginx = w.backends[0].nginx;
    const changes: Array<[number, boolean]> = [];
    const checker = new HealthChecker(w, model.app, policy, (_b, up) => changes.push([w.now, up]));
    checker.start();
    // nginx stops listening at 3 s: checks at 4 (inter 2), then 5 and 6 (fastinter 1) fail.
    w.engine.at(3, () => nginx.stop(), null);
    // Back at 8 s: DOWN checks run every downinter (11), then fastinter (12) for the second success.
    w.engine.at(8, () => nginx.start(), null);
    w.engine.run(20);
    expect(changes).toEqual([
      [6, false],
      [12, true],
    ]);
    expect(checker.up[0]).toBe(1);
  });
});

/** A checker on a built (not started) one- or two-backend model, recording (time, up, reason). */
function setup(over: Partial<CheckPolicy>, backends = 1) {
  const names = ['vm-a', 'vm-b'].slice(0, backends).map((name) => ({ name }));
  const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: names }));
  const w = model.world;
  const changes: Array<[number, boolean, string]> = [];
  const starts: number[] = [];
  const checker = new HealthChecker(w, model.app, { ...policy, ...over }, (_b, up, reason) =>
    changes.push([w.now, up, reason]),
  );
  return { model, w, changes, starts, checker };
}

describe('HAProxy check scheduling (src/check.c process_chk_conn(), src/server.c srv_getinter())', () => {
  it('a hung server: each check times out after inter and the next starts inter after it ended — DOWN 10 s after the first timed-out check starts', () => {
    const { model, w, changes, checker } = setup({
      type: 'http',
      inter: 2,
      fastinter: 2,
      downinter: 2,
      timeout: 2,
      rise: 2,
      fall: 3,
    });
    checker.start();
    // Checks at 0, 2, 4 pass (health full). The app hangs from 5 s (SIGSTOP: the kernel still accepts).
    w.engine.at(5, () => model.app.pause(w.backends[0], 60, 'SIGSTOP'), null);
    w.engine.run(30);
    // Checks start at 6, 10, 14 (each ends 2 s later, the next 2 s after that): DOWN when the third ends at 16.
    // A ticker would start them at 6, 8, 10 and mark it DOWN at 12.
    expect(changes.map(([, up]) => up)).toEqual([false]);
    expect(changes[0][0]).toBeGreaterThan(15.9);
    expect(changes[0][0]).toBeLessThan(16.1);
    expect(changes[0][2]).toBe('Layer7 timeout');
  });

  it('a killed app refuses an http-mode balancer\'s check: "Layer4 connection problem" (L4CON), not an L7 status', () => {
    // src/check.c chk_report_conn_err(): a refused connect is HCHK_STATUS_L4CON, "Connection refused".
    const killedApp = (mode: 'l4' | 'l7') => {
      const model = buildModel(ScenarioSchema.parse({ warmup: '0s', lb: { mode }, backends: [{ name: 'vm-a' }] }));
      const w = model.world;
      const changes: string[] = [];
      const checker = new HealthChecker(w, model.app, { ...policy, type: 'http' }, (_b, _up, reason) =>
        changes.push(reason),
      );
      checker.start();
      w.engine.at(3, () => model.lifecycle.terminate(0, 'kill'), null);
      w.engine.run(20);
      return changes;
    };
    expect(killedApp('l7')[0]).toBe('Layer4 connection problem, info: "Connection refused"');
    // In tcp mode the check reaches the VM's nginx, which answers 502 for its dead upstream.
    expect(killedApp('l4')[0]).toBe('Layer7 wrong status, code: 502');
  });

  it('a vanished host fails its HTTP checks with "Layer4 timeout"', () => {
    const { w, changes, checker } = setup({ type: 'http', timeout: 1 });
    checker.start();
    w.engine.at(3, () => w.backends[0].vanish(), null);
    w.engine.run(20);
    expect(changes[0][1]).toBe(false);
    expect(changes[0][2]).toBe('Layer4 timeout');
  });

  it('starts at health = rise: one failed check before the first success marks the server DOWN', () => {
    const { w, changes, checker } = setup({ fall: 3, rise: 2 });
    w.backends[0].nginx.stop();
    checker.start();
    w.engine.run(0.5);
    expect(changes).toEqual([[0, false, 'Layer4 connection problem, info: "Connection refused"']]);
  });

  it('spreads first checks over the starting interval by default (fastinter with fall > 1); first_check puts them all at one time', () => {
    // start_checks() (src/check.c): server k of n at srv_getinter() × k / n, at the starting health
    // rise: fastinter (1 s) with fall 3, not inter (2 s: [0, 1] before session 18). first-checks.test.ts.
    for (const [first, expected] of [
      [-1, [0, 0.5]],
      [0.25, [0.25, 0.25]],
    ] as const) {
      const { w, changes, checker } = setup({ firstCheck: first, inter: 2 }, 2);
      for (const b of w.backends) b.nginx.stop();
      checker.start();
      w.engine.run(1.5);
      // Start-up health = rise: the first failure of each server marks it DOWN at its first check.
      expect(changes.map(([t]) => t)).toEqual(expected);
    }
  });

  it('kubelet probes run on a ticker: a probe timing out after 1 s does not delay the next one', () => {
    const { model, w, changes, checker } = setup({
      type: 'http',
      checker: 'kubelet',
      inter: 2,
      timeout: 1,
      rise: 1,
      fall: 3,
    });
    checker.start();
    w.engine.at(5, () => model.app.pause(w.backends[0], 60, 'SIGSTOP'), null);
    w.engine.run(30);
    // Probes at 6, 8, 10 time out at 7, 9, 11: NotReady at 11 (an end-to-start schedule would give 13).
    expect(changes.map(([, up]) => up)).toEqual([false]);
    expect(changes[0][0]).toBeGreaterThan(10.9);
    expect(changes[0][0]).toBeLessThan(11.1);
  });
});
