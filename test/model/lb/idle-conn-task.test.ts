/**
 * HAProxy 2.6's `idle_conn_task` on its own timer (sim/model/lb/idle-conn-task.ts, from src/server.c
 * srv_add_to_idle_list() and srv_cleanup_idle_conns()): a server's node goes in `idle_conn_srv`
 * pool-purge-delay after its first idle connection; each run visits the servers whose key has
 * come, puts back those that had idle connections at now + pool-purge-delay and drops the others;
 * the task sleeps until the first key left. Before session 18 the check tree projected the task's
 * key from the pools' lazy purge schedule (L7ServerConns.nextPurgeAfter()), which assumed a pool
 * keeps idle connections and that each visit comes exactly pool-purge-delay after the last.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../sim/engine/engine.js';
import { HealthChecker } from '../../../sim/model/lb/health-checker.js';
import { IdleConnTask } from '../../../sim/model/lb/idle-conn-task.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { haproxyHttpChecks } from './haproxy-check-policy.js';

/** An idle task on its own timer over `n` servers whose idle counts the test sets; the visits it made. */
function ownTimer(n: number, delay = 5) {
  const engine = new Engine();
  const idle = new Array<number>(n).fill(1);
  const visits: Array<[number, number]> = [];
  const task = new IdleConnTask(engine, n, delay, (b) => {
    visits.push([Math.round(engine.now * 1000), b]);
    return idle[b];
  });
  const at = (t: number, f: () => void): void => {
    engine.at(t, f, null);
  };
  return { engine, idle, visits, task, at };
}

describe('idle_conn_task on its own timer', () => {
  it('first visit pool-purge-delay after the first idle connection, 1 ms late; each next one 5 s after the run that requeued it', () => {
    const { engine, visits, task, at } = ownTimer(1);
    at(0.2, () => task.added(0));
    engine.run(21);
    // HAProxy 2.6.12 at 1 req/s (calibration/data/haproxy-observe18/wq-2srv-1rps.txt): s2's keys
    // 7.003, 12.004, 17.005, 22.005, 27.006, 32.007 — the run at key + 1 ms (the idle thread's
    // wake-up, compute_poll_timeout()) requeues at its own now_ms + pool-purge-delay, so the
    // schedule drifts up to 1 ms a period.
    expect(visits).toEqual([
      [5201, 0],
      [10202, 0],
      [15203, 0],
      [20204, 0],
    ]);
  });

  it('a server with no idle connection at its visit leaves the tree; its next idle connection restarts the schedule', () => {
    const { engine, idle, visits, task, at } = ownTimer(1);
    at(0.2, () => task.added(0));
    at(5, () => {
      idle[0] = 0; // taken by a stream hung on a paused server
    });
    at(7.5, () => {
      idle[0] = 1;
      task.added(0);
    });
    engine.run(13);
    expect(visits).toEqual([
      [5201, 0],
      [12501, 0],
    ]);
    expect(task.keyOf(0)).toBeCloseTo(17.501, 9);
  });

  it('a pool emptied and refilled before its visit keeps its key', () => {
    const { engine, idle, visits, task, at } = ownTimer(1);
    at(0.2, () => task.added(0));
    at(2, () => {
      idle[0] = 0;
    });
    at(3, () => {
      idle[0] = 1;
      task.added(0); // the node is still in the tree: no new key
    });
    engine.run(6);
    expect(visits).toEqual([[5201, 0]]);
    expect(task.keyOf(0)).toBeCloseTo(10.201, 9);
  });

  it('two servers: the task sleeps until the first key; a second server joining does not move it', () => {
    const { engine, visits, task, at } = ownTimer(2);
    at(1.004, () => task.added(0));
    at(2.003, () => task.added(1));
    engine.run(12.5);
    // As HAProxy at 1 req/s: 6.004 → 7.003 → 11.005 → 12.004 (keys; the runs 1 ms later).
    expect(visits).toEqual([
      [6005, 0],
      [7004, 1],
      [11006, 0],
      [12005, 1],
    ]);
  });
});

describe('idle_conn_task in the check tasks’ shared tree', () => {
  /** vm-a's app hangs (connects complete, nothing answers); its DOWN times with an idle task of `delay` s, its pool filled at `fill`. */
  function downs(delay: number, fill: number): number[] {
    const model = buildModel(
      ScenarioSchema.parse({
        warmup: '0s',
        lb: { mode: 'l7' },
        clients: { rtt: '0.1ms' },
        backends: [{ name: 'vm-a', proxy: 'none' }],
      }),
    );
    const w = model.world;
    w.backends[0].app.pausedUntil = Infinity;
    const task = new IdleConnTask(w.engine, 1, delay, () => 1);
    w.engine.at(fill, () => task.added(0), null);
    const out: number[] = [];
    const policy = haproxyHttpChecks(1, { rise: 1, fall: 1, timeout: 0.3, connectTimeout: 1 });
    const checker = new HealthChecker(
      w,
      model.app,
      policy,
      (b, up) => {
        if (b === 0 && !up) out.push(w.now);
      },
      true,
      task,
    );
    checker.start();
    w.engine.run(1.9);
    return out;
  }

  it('its walk, 1 ms after its key, fails a connected check whose timeout check has passed', () => {
    // Alone, vm-a's check (started at 0.001, expire 0.301) fails at its key: 1.002
    // (check-task-wakeups.test.ts). The idle task keyed 0.6 s (filled at 0.1, delay 0.5 s) walks at 0.601.
    expect(downs(0.5, 0.1)).toEqual([0.601]);
  });

  it('a key before connect + timeout check only requeues the check there: it fails at 0.302', () => {
    // Keyed 0.2 s (filled at 0.05 + 0.15): the walk at 0.201 moves vm-a's entry to its expire, 0.301.
    expect(downs(0.15, 0.05)).toEqual([0.302]);
  });
});
