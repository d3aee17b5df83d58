/**
 * HAProxy server `maxqueue` and `option persist` (lb/pool.ts, lb/l7-dispatch.ts, lb/queue.ts).
 *
 * - maxqueue: a stream assigned to a full server waits in that server's queue only while the
 *   queue holds fewer than maxqueue (assign_server_and_queue(), src/backend.c: SRV_STATUS_FULL);
 *   a persistent one is then load-balanced again with `option redispatch`, else answered 503
 *   (srv_redispatch_connect(); http_return_srv_error() STRM_ET_QUEUE_ERR, src/http_ana.c).
 *   leastconn skips a server only once served + queued ≥ maxconn + maxqueue (src/lb_fwlc.c).
 * - option persist: a cookie naming a DOWN or maint server is still honoured
 *   (http_manage_client_side_cookies(): `|| (s->be->options & PR_O_PERSIST)`), and a DOWN or
 *   drained server keeps its queue even with `option redispatch` (pendconn_redistribute()).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../sim/engine/engine.js';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import { BackendQueue, type QueueOwner } from '../../../sim/model/lb/queue.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * 40 req/s of 200 cookie users over two servers of maxconn 2 answering in 10 ms; vm-a hangs from
 * 10 s: its 2 slots never free, its cookie users pile up in its queue.
 */
function hungHome(lb: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '25s',
    clients: { requests: { rate: 40, timeout: '1h', retries: 0, users: 200 } },
    app: { workers: 64, service_time: 'const(10ms)' },
    lb: { mode: 'l7', sticky: 'cookie', maxconn: 2, timeout_queue: '1h', ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '10s', do: 'pause', backend: 'vm-a', duration: '1h' }],
  } as ScenarioInput;
}

describe('maxqueue: a full server queue refuses more persistent requests', () => {
  it('without redispatch: the requests beyond maxqueue 5 get HAProxy 503 at once; unlimited they all wait', () => {
    const limited = run(hungHome({ maxqueue: 5 }));
    const [first] = recordsOf(limited, 'lb.server_queue_full_503');
    expect(first).toBeDefined();
    expect(first.backend).toBe('vm-a');
    expect(first.maxqueue).toBe(5);
    expect(first.t).toBeGreaterThanOrEqual(10);
    expect(first.t).toBeLessThan(11);
    // vm-a's cookie users (≈ 17 req/s): all but the first 5 queued are answered 503.
    expect(sum(window(limited, 'req_5xx', 12, 25)) / 13).toBeGreaterThan(12);
    const unlimited = run(hungHome({}));
    expect(recordsOf(unlimited, 'lb.server_queue_full_503')).toHaveLength(0);
    expect(unlimited.figures['req_5xx.total'] ?? 0).toBe(0);
  });

  it('with redispatch: they are load-balanced again without their cookie and answered by vm-b', () => {
    const r = run(hungHome({ maxqueue: 5, redispatch: true }));
    expect(recordsOf(r, 'lb.server_queue_full_503')).toHaveLength(0);
    expect(r.figures['req_5xx.total'] ?? 0).toBe(0);
    // vm-b answers everything but the 2 + 5 requests stuck on vm-a.
    expect(sum(window(r, 'goodput', 12, 25, 'vm-b')) / 13).toBeGreaterThan(36);
    expect(sum(window(run(hungHome({})), 'goodput', 12, 25, 'vm-b')) / 13).toBeLessThan(28);
  });

  it('leastconn picks a full server while served + queued < maxconn + maxqueue (its queue takes the stream)', () => {
    const config = ScenarioSchema.parse({ lb: { mode: 'l7', balance: 'leastconn', maxconn: 2, maxqueue: 1 } }).lb;
    const pool = new LoadBalancer(config, 2);
    const engine = new Engine(16);
    const queue = new BackendQueue(
      engine,
      Infinity,
      (b) => pool.eligible(b),
      (b) => !pool.full(b),
      2,
    );
    pool.useQueue(queue);
    const owner: QueueOwner<number> = { takeSlot: () => true, queueTimedOut: () => {}, requeue: () => {} };
    const rng = { next: () => 0.5 } as never;
    for (const b of [0, 0, 1, 1]) pool.takeConn(b);
    // Both full, both queues empty: each may still take one queued stream.
    expect(pool.pick(rng, 0)).toBeGreaterThanOrEqual(0);
    queue.add(owner, 1, 0);
    // vm-a: 2 + 1 = maxconn + maxqueue, skipped; vm-b: 2 + 0, picked.
    expect(pool.pick(rng, 0)).toBe(1);
    queue.add(owner, 2, 1);
    expect(pool.pick(rng, 0)).toBe(-1);
    // Without maxqueue a full server is never picked.
    const plain = new LoadBalancer(
      ScenarioSchema.parse({ lb: { mode: 'l7', balance: 'leastconn', maxconn: 2 } }).lb,
      2,
    );
    for (const b of [0, 0, 1, 1]) plain.takeConn(b);
    expect(plain.pick(rng, 0)).toBe(-1);
  });

  it('scenario errors: maxqueue without maxconn, maxqueue with lb.mode nat', () => {
    const noMaxconn = ScenarioSchema.safeParse({ lb: { mode: 'l7', maxqueue: 5 } });
    expect(noMaxconn.success).toBe(false);
    const issue = noMaxconn.error!.issues.find((i) => i.path.join('.') === 'lb.maxqueue');
    expect(issue?.message).toMatch(/^needs lb.maxconn/);
    const nat = ScenarioSchema.safeParse({ lb: { mode: 'nat', maxqueue: 5 } });
    expect(nat.success).toBe(false);
    expect(nat.error!.issues.map((i) => i.path.join('.'))).toContain('lb.maxqueue');
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4', maxconn: 2, maxqueue: 5 } }).success).toBe(true);
  });
});

/** 60 req/s of 200 cookie users over two servers with health checks; vm-a's app is killed at 10 s. */
function killedHome(lb: Record<string, unknown>, timeline?: ScenarioInput['timeline']): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    clients: { requests: { rate: 60, timeout: '5s', retries: 0, users: 200 } },
    app: { workers: 8, service_time: 'const(5ms)', startup_time: '1h' },
    lb: { mode: 'l7', sticky: 'cookie', ...lb },
    health_check: { type: 'http', inter: '1s', fall: 2, rise: 2 },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: timeline ?? [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

describe('option persist', () => {
  it('a DOWN server keeps its cookie users: without redispatch they keep getting 503; without persist they move at DOWN', () => {
    const kept = run(killedHome({ persist: true }));
    const moved = run(killedHome({}));
    // vm-a is DOWN by ≈ 12 s (fall 2, inter 1s).
    expect(sum(window(kept, 'req_5xx', 15, 30)) / 15).toBeGreaterThan(20);
    expect(sum(window(moved, 'req_5xx', 15, 30)) / 15).toBeLessThan(0.5);
  });

  it('with redispatch each user tries the DOWN server once more, then vm-b answers and its cookie names vm-b', () => {
    const r = run(killedHome({ persist: true, redispatch: true, retries: 1 }));
    expect(sum(window(r, 'req_5xx', 15, 30))).toBe(0);
    // ≈ half of the 200 users held a vm-a cookie: each one's next request is refused by vm-a
    // after DOWN, then redispatched (vm-b's answer sets its cookie to vm-b).
    const refusedAfterDown = sum(window(r, 'reset_in', 13, 30, 'vm-a'));
    expect(refusedAfterDown).toBeGreaterThan(30);
    expect(refusedAfterDown).toBeLessThan(110);
    const plain = run(killedHome({ redispatch: true, retries: 1 }));
    expect(sum(window(plain, 'reset_in', 13, 30, 'vm-a'))).toBe(0);
  });

  it('a server in maint keeps its cookie users too (cur_state STOPPED, PR_O_PERSIST)', () => {
    const maint = [{ at: '10s', do: 'set_server', backend: 'vm-a', state: 'maint' }] as ScenarioInput['timeline'];
    const kept = run(killedHome({ persist: true }, maint));
    const moved = run(killedHome({}, maint));
    expect(sum(window(kept, 'goodput', 12, 30, 'vm-a')) / 18).toBeGreaterThan(20);
    expect(sum(window(moved, 'goodput', 12, 30, 'vm-a'))).toBe(0);
  });

  it('needs sticky: cookie or source (a scenario error otherwise)', () => {
    const res = ScenarioSchema.safeParse({ lb: { mode: 'l7', persist: true } });
    expect(res.success).toBe(false);
    const issue = res.error!.issues.find((i) => i.path.join('.') === 'lb.persist');
    expect(issue?.message).toMatch(/^needs sticky: cookie or source/);
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l7', sticky: 'cookie', persist: true } }).success).toBe(true);
    // PR_O_PERSIST applies to a stick table's entry too (sticking_rule_find_target(), src/stream.c).
    expect(ScenarioSchema.safeParse({ lb: { mode: 'l4', sticky: 'source', persist: true } }).success).toBe(true);
  });
});
