/**
 * HAProxy's server queues (lb/queue.ts, lb/l7-dispatch.ts): a cookie user's request whose server
 * is at maxconn waits in THAT server's queue (`assign_server_and_queue()`, src/backend.c:
 * SF_ASSIGNED → `pendconn_add()` on the server), never beyond maxconn and never on another
 * server; a server leaving the rotation (drain, DOWN, maint) hands its queue back to the
 * dispatcher with `option redispatch` only (`pendconn_redistribute()`, v2.6.0 src/queue.c; HAProxy
 * 2.6.12 as recorded: 3.1's 1385e33eb hands it back in maint always, see redistribute-2-6.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * 40 req/s of 200 cookie users over two servers of maxconn 2 answering in 10 ms; vm-a hangs from
 * 10 s (by then ≈ 86 % of the users hold a cookie, half of them for vm-a): its 2 slots never free.
 */
function hungHome(lb: Record<string, unknown>, timeline: ScenarioInput['timeline'] = []): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '25s',
    clients: { requests: { rate: 40, timeout: '1h', retries: 0, users: 200 } },
    app: { workers: 64, service_time: 'const(10ms)' },
    lb: { mode: 'l7', sticky: 'cookie', maxconn: 2, ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '10s', do: 'pause', backend: 'vm-a', duration: '1h' }, ...(timeline ?? [])],
  } as ScenarioInput;
}

describe('a persistent request to a full server waits in that server queue', () => {
  it('vm-a never holds more than maxconn streams; its cookie users queue there (503 after timeout queue) while vm-b has free slots', () => {
    const r = run(hungHome({ timeout_queue: '2s' }));
    for (let t = 1; t <= 25; t++) expect(valueAt(r, 'active_conn', t, 'vm-a')).toBeLessThanOrEqual(2);
    // vm-a's cookie users (≈ 17 req/s) wait 2 s in its queue, then get HAProxy's 503.
    const [first] = recordsOf(r, 'lb.queue_timeout_503');
    expect(first).toBeDefined();
    expect(first.t).toBeGreaterThanOrEqual(12);
    expect(sum(window(r, 'req_5xx', 13, 25)) / 12).toBeGreaterThan(12);
    // They are not sent to vm-b: it serves its own users and the new ones only.
    expect(sum(window(r, 'goodput', 13, 25, 'vm-b')) / 12).toBeLessThan(28);
    // The backend queue stays empty: vm-b is never full (qcur of the backend).
    expect(first.queued).toBe(0);
  });
});

describe('pendconn_redistribute: a server leaving the rotation hands its queue back', () => {
  /** vm-a's cookie users pile up in its queue from 10 s; at 16 s it leaves the rotation. */
  const hung = (lb: Record<string, unknown>, action: string): ScenarioInput =>
    hungHome({ timeout_queue: '1h', ...lb }, [
      { at: '16s', do: 'set_server', backend: 'vm-a', state: action },
    ] as ScenarioInput['timeline']);

  /** Answers by vm-b in the second after the state change. */
  const burst = (r: ReturnType<typeof run>): number => sum(window(r, 'goodput', 16.5, 17, 'vm-b'));

  it('drain with option redispatch: the queued requests are answered by vm-b at once', () => {
    const kept = run(hung({}, 'drain'));
    const handed = run(hung({ redispatch: true }, 'drain'));
    // ≈ 17 req/s × 6 s of vm-a's users waited in its queue.
    expect(burst(handed) - burst(kept)).toBeGreaterThan(80);
    // Drain keeps persistence: later cookie users of vm-a still queue there (no 503, timeout 1 h).
    expect(handed.figures['req_5xx.total'] ?? 0).toBe(0);
  });

  // Updated for HAProxy 2.6 (the recordings' 2.6.12): these asserted 3.1's rule (1385e33eb, maint
  // hands the queue back even without option redispatch, and despite option persist); v2.6.0
  // pendconn_redistribute() returns 0 unless `(options & (PR_O_REDISP|PR_O_PERSIST)) == PR_O_REDISP`,
  // whatever the admin state.
  it('maint without option redispatch keeps the queue; with it, hands it back', () => {
    const maint = run(hung({}, 'maint'));
    const handed = run(hung({ redispatch: true }, 'maint'));
    // ≈ 17 req/s × 6 s of vm-a's users waited in its queue: only redispatch hands them to vm-b.
    expect(burst(handed) - burst(maint)).toBeGreaterThan(80);
    // Maint drops persistence: nothing reaches vm-a's queue afterwards, vm-b serves everyone.
    expect(sum(window(maint, 'goodput', 18, 25, 'vm-b')) / 7).toBeGreaterThan(35);
  });
  it('option persist with redispatch: a drained server keeps its queue, and so does one in maint', () => {
    // pendconn_redistribute(), v2.6.0 src/queue.c: `(options & (PR_O_REDISP|PR_O_PERSIST)) != PR_O_REDISP`
    // skips the server queue, maint or not (3.1's `!(s->cur_admin & SRV_ADMF_MAINT) &&` is not in 2.6).
    const kept = run(hung({}, 'drain'));
    const persistDrain = run(hung({ redispatch: true, persist: true }, 'drain'));
    const persistMaint = run(hung({ redispatch: true, persist: true }, 'maint'));
    expect(Math.abs(burst(persistDrain) - burst(kept))).toBeLessThan(10);
    expect(Math.abs(burst(persistMaint) - burst(kept))).toBeLessThan(10);
  });
});

describe('the DOWN line counts from the model state (srv_append_more(), src/server.c)', () => {
  /** vm-a hangs at 10 s; checks every 1 s (timeout 1 s, fall 3) mark it DOWN ≈ 6 s later. */
  const down = (lb: Record<string, unknown>) =>
    run({
      ...hungHome({ timeout_queue: '1h', ...lb }),
      health_check: { type: 'http', inter: '1s', fall: 3, rise: 2 },
    } as ScenarioInput);

  it('with option redispatch the queued cookie users are requeued; without, they remain in the queue', () => {
    const [kept] = recordsOf(down({}), 'hc.down');
    const [handed] = recordsOf(down({ redispatch: true }), 'hc.down');
    // The hung server holds its 2 slots (maxconn) when it goes DOWN.
    expect(kept.sessions).toBe(2);
    expect(kept.requeued).toBe(0);
    expect(kept.queued).toBeGreaterThan(60);
    expect(handed.requeued).toBeGreaterThan(60);
    expect(handed.queued).toBe(0);
    expect(Math.abs(handed.requeued - kept.queued)).toBeLessThan(10);
  });
});

describe('option persist keeps a DOWN server queue even with option redispatch', () => {
  it('the DOWN line requeues nothing and the queue stays', () => {
    const down = (lb: Record<string, unknown>) =>
      run({
        ...hungHome({ timeout_queue: '1h', ...lb }),
        health_check: { type: 'http', inter: '1s', fall: 3, rise: 2 },
      } as ScenarioInput);
    const [kept] = recordsOf(down({ redispatch: true, persist: true }), 'hc.down');
    expect(kept.requeued).toBe(0);
    expect(kept.queued).toBeGreaterThan(60);
  });
});
