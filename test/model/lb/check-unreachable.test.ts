/**
 * HAProxy's own check of a balancer entry that still names a deleted pod's released address under
 * a bridge CNI (kubernetes.deleted_pod_ip `unreachable`, lb/gone-addresses.ts): the node's ARP
 * lookup fails 3 s after the first SYN and answers it with ICMP host unreachable, so the check's
 * connect fails with EHOSTUNREACH while waiting for L4: L4CON with the errno's text (src/check.c
 * chk_report_conn_err: CO_FL_ERROR with CO_FL_WAIT_L4_CONN → HCHK_STATUS_L4CON), not L4TOUT. A
 * connect deadline before the lookup's 3 s (inter, or min(inter, timeout connect) with `timeout
 * check`) still ends the check first: L4TOUT.
 */
import { describe, expect, it } from 'vitest';
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

/** One backend whose entry names a gone pod's address (a bridge CNI's: `unreachable`, else dropped). */
function setup(over: Partial<CheckPolicy>, unreachable = true) {
  const model = buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'pod-a' }] }));
  const w = model.world;
  const changes: Array<[number, boolean, string]> = [];
  const checker = new HealthChecker(w, model.app, { ...policy, ...over }, (_b, up, reason) =>
    changes.push([w.now, up, reason]),
  );
  w.backends[0].balancerEntryStale();
  if (unreachable) w.lb.goneAddresses.podGone(0);
  return { w, changes, checker };
}

const NO_ROUTE = 'Layer4 connection problem, info: "No route to host"';

describe("HAProxy's check of a deleted pod's address under a bridge CNI", () => {
  it('inter 5 s (no timeout check): L4CON "No route to host" when the ARP lookup fails at 3 s', () => {
    const { w, changes, checker } = setup({});
    checker.start();
    w.engine.run(8);
    // Old code: [[5, false, 'Layer4 timeout']].
    expect(changes).toEqual([[3, false, NO_ROUTE]]);
  });

  it('with timeout check and min(inter, timeout connect) = 4 s: L4CON at 3 s too', () => {
    const { w, changes, checker } = setup({ timeout: 1, connectTimeout: 4 });
    checker.start();
    w.engine.run(8);
    // The first check runs at 0.001 s (the shared timer tree's wake-up).
    expect(changes).toEqual([[3.001, false, NO_ROUTE]]);
  });

  it('a connect deadline before the 3 s (inter 2 s; timeout check with timeout connect 2 s) stays L4TOUT', () => {
    const plain = setup({ timeout: 2 });
    plain.checker.start();
    plain.w.engine.run(2.5);
    expect(plain.changes).toEqual([[2, false, 'Layer4 timeout']]);
    const tree = setup({ timeout: 5, connectTimeout: 2 });
    tree.checker.start();
    tree.w.engine.run(2.5);
    expect(tree.changes).toEqual([[2.002, false, 'Layer4 timeout']]);
  });

  it('a routed CNI (`drop`) leaves the SYNs unanswered: L4TOUT at the deadline, as before', () => {
    const { w, changes, checker } = setup({}, false);
    checker.start();
    w.engine.run(8);
    expect(changes).toEqual([[5, false, 'Layer4 timeout']]);
  });
});
