/**
 * HAProxy check timeouts (src/tcpcheck.c tcpcheck_eval_connect(), src/check.c process_chk_conn(),
 * chk_report_conn_err()): without `timeout check`, `inter` bounds the whole check from its start;
 * with it the connect gets min(inter, timeout connect) and `timeout check` counts from the
 * established connection. A connect that has not completed by its deadline is L4TOUT ("Layer4
 * timeout"), one connected but unanswered L7TOUT. A SYN dropped by a full accept queue is
 * retransmitted by the checking host's kernel (1 s, 2 s, 3 s … after the first with Linux 6.5's
 * tcp_syn_linear_timeouts 4) until the deadline. With `timeout check` (connectTimeout set) the check
 * task lives in HAProxy's shared timer tree (sim/model/lb/check-wait-queue.ts), whose thread wakes 1 ms
 * after a key (compute_poll_timeout(), src/fd.c): the first check at 0.001 s, its deadline 1 ms late too.
 */
import { describe, expect, it } from 'vitest';
import { lbHealthChecks } from '../../../sim/model/lb/health.js';
import { type CheckPolicy, HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const policy: CheckPolicy = {
  type: 'http',
  endpoint: 'shallow',
  inter: 10,
  fastinter: 10,
  downinter: 10,
  rise: 1,
  fall: 1,
  timeout: 5,
  dependencyTimeout: 0,
  onDependencyTimeout: 'unready',
  checker: 'haproxy',
  firstCheck: 0,
};

/** One backend, one checker whose first check runs at 0; records (time, up, reason). */
function setup(over: Partial<CheckPolicy>, acceptsFrom = 0) {
  const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'vm-a' }] }));
  const w = model.world;
  // The app's accept queue is full (every SYN dropped) until `acceptsFrom`.
  const children = model.app.listener.children.bind(model.app.listener);
  model.app.listener.children = (backend) => (w.now >= acceptsFrom ? children(backend) : Number.MAX_SAFE_INTEGER);
  const changes: Array<[number, boolean, string]> = [];
  const checker = new HealthChecker(w, model.app, { ...policy, ...over }, (_b, up, reason) =>
    changes.push([w.now, up, reason]),
  );
  return { w, changes, checker };
}

describe('the connect phase of a check', () => {
  it("a vanished host with timeout check 1s: L4TOUT after the connect's min(inter, timeout connect) = 4 s, not after 1 s", () => {
    const { w, changes, checker } = setup({ timeout: 1, connectTimeout: 4 });
    w.backends[0].vanish();
    checker.start();
    w.engine.run(8);
    expect(changes).toEqual([[4.002, false, 'Layer4 timeout']]);
  });

  it('without timeout check the same host fails after inter-bounded timeout (5 s here), also L4TOUT', () => {
    const { w, changes, checker } = setup({});
    w.backends[0].vanish();
    checker.start();
    w.engine.run(8);
    expect(changes).toEqual([[5, false, 'Layer4 timeout']]);
  });

  it('a SYN dropped by a full accept queue is retransmitted: accepted at the 3 s retransmission, the check passes', () => {
    const { w, changes, checker } = setup({}, 2.5);
    checker.start();
    w.engine.run(9);
    expect(changes).toEqual([]);
    expect(checker.up[0]).toBe(1);
    // Dropped at 0, 1 and 2 s.
    expect(w.metrics.runningTotal(w.c.synDrops, 0)).toBe(3);
  });

  it('SYNs dropped until the deadline: L4TOUT ("Layer4 timeout"), not L7TOUT', () => {
    const { w, changes, checker } = setup({}, 100);
    checker.start();
    w.engine.run(9);
    expect(changes).toEqual([[5, false, 'Layer4 timeout']]);
  });

  it('with timeout check the connect deadline is min(inter, timeout connect): 2 s, the check fails there', () => {
    const { w, changes, checker } = setup({ timeout: 5, connectTimeout: 2 }, 2.5);
    checker.start();
    w.engine.run(9);
    expect(changes).toEqual([[2.002, false, 'Layer4 timeout']]);
  });

  it('timeout check counts from the connection: a hung app accepted at 3 s times out at 3 + 5 = 8 s (L7TOUT)', () => {
    const { w, changes, checker } = setup({ timeout: 5, connectTimeout: 4 }, 2.5);
    w.backends[0].app.pausedUntil = Infinity;
    checker.start();
    w.engine.run(9.5);
    expect(changes).toEqual([[8.002, false, 'Layer7 timeout']]);
  });

  it('a timeout check shorter than the connect deadline does not shorten the wait: connected at once, inter 1 s, timeout check 0.3 s: L7TOUT at 1 s', () => {
    // HAProxy 2.6.12 measured: "Layer7 timeout, check duration: 1001ms" (inter 1s, timeout check
    // 300ms, a SIGSTOPped server; calibration/data/haproxy-holdout-hang-tcheck-http.json): the
    // connected check's new expiry is set from wake_srv_chk() without requeueing the check task,
    // which sleeps until the connect deadline (src/check.c).
    const { w, changes, checker } = setup({
      inter: 1,
      fastinter: 1,
      downinter: 1,
      timeout: 0.3,
      connectTimeout: 1,
      resolvers: false,
    });
    w.backends[0].app.pausedUntil = Infinity;
    checker.start();
    w.engine.run(1.5);
    expect(changes).toEqual([[1.002, false, 'Layer7 timeout']]);
  });

  it('the scenario maps health_check.timeout to timeout check: connect min(inter, lb.connect_timeout); unset, none', () => {
    const build = (hc: Record<string, unknown>) => {
      const model = buildModel(
        ScenarioSchema.parse({
          warmup: '0s',
          lb: { connect_timeout: '3s' },
          health_check: hc,
          backends: [{ name: 'a' }],
        }),
      );
      return lbHealthChecks(model.world, model.app)[0].policy;
    };
    expect(build({ inter: '10s', timeout: '1s' })).toMatchObject({ timeout: 1, connectTimeout: 3 });
    expect(build({ inter: '2s', timeout: '1s' })).toMatchObject({ timeout: 1, connectTimeout: 2 });
    expect(build({ inter: '2s' }).connectTimeout).toBeUndefined();
    expect(build({ inter: '2s' }).timeout).toBe(2);
  });
});
