/**
 * HAProxy 2.6's `pendconn_redistribute()` (v2.6.0 src/queue.c; Debian bookworm's 2.6.12, the
 * version of every recording): a server leaving load balancing hands its own queue back only with
 * `option redispatch` (and not `option persist`) — `(options & (PR_O_REDISP|PR_O_PERSIST)) !=
 * PR_O_REDISP` returns 0 whatever the admin state, maint included — and never touches the backend
 * queue: when the last server leaves, its streams wait for `timeout queue` (503 sQ), as
 * process_srv_queue() (px_ok needs srv_currently_usable()) dequeues nothing. HAProxy 3.1 differs:
 * 1385e33eb (v3.1-dev9) hands a server's queue back in maint always, 53f52e67a (v3.1-dev9) the
 * backend queue when the last server leaves; the model followed those before.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('maint without option redispatch keeps the server queue (HAProxy 2.6)', () => {
  /**
   * 200 cookie users at 40 req/s over two servers of maxconn 2; vm-a hangs at 10 s, so its cookie
   * users (≈ 17 req/s) pile up in its own queue (timeout queue 1 h); at 16 s vm-a enters maint.
   */
  const maintAt16 = (lb: Record<string, unknown>): ScenarioInput =>
    ({
      warmup: '0s',
      horizon: '25s',
      clients: { requests: { rate: 40, timeout: '1h', retries: 0, users: 200 } },
      app: { workers: 64, service_time: 'const(10ms)' },
      lb: { mode: 'l7', sticky: 'cookie', maxconn: 2, timeout_queue: '1h', ...lb },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [
        { at: '10s', do: 'pause', backend: 'vm-a', duration: '1h' },
        { at: '16s', do: 'set_server', backend: 'vm-a', state: 'maint' },
      ],
    }) as ScenarioInput;

  it('the ≈ 100 requests queued on vm-a stay there: vm-b answers no burst after the maint', () => {
    const kept = run(maintAt16({}));
    const handed = run(maintAt16({ redispatch: true }));
    const burst = (r: ReturnType<typeof run>): number => sum(window(r, 'goodput', 16.5, 17, 'vm-b'));
    // With redispatch the queue goes to vm-b at once (≈ 17 req/s × 6 s); without, vm-b answers
    // only its ordinary traffic then (3.1 would hand the queue over in maint as well).
    expect(burst(handed) - burst(kept)).toBeGreaterThan(80);
    // They are never answered (vm-a hangs, timeout queue 1 h): the total falls short by the queue.
    expect((handed.figures['goodput.total'] ?? 0) - (kept.figures['goodput.total'] ?? 0)).toBeGreaterThan(80);
  });
});

describe('the last server leaving does not empty the backend queue (HAProxy 2.6)', () => {
  /**
   * No cookie, one server of maxconn 2 at 40 req/s; it hangs at 10 s, so the requests wait in the
   * backend queue (timeout queue 10 s); at 16 s it is set to drain: no server is left.
   */
  const lastServer: ScenarioInput = {
    warmup: '0s',
    horizon: '30s',
    clients: { requests: { rate: 40, timeout: '1h', retries: 0 } },
    app: { workers: 64, service_time: 'const(10ms)' },
    lb: { mode: 'l7', maxconn: 2, timeout_queue: '10s', redispatch: true },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '10s', do: 'pause', backend: 'vm-a', duration: '1h' },
      { at: '16s', do: 'set_server', backend: 'vm-a', state: 'drain' },
    ],
  } as ScenarioInput;

  it('the queued requests get 503 at timeout queue (from 20 s), not at the drain', () => {
    const r = run(lastServer);
    // In the second of the drain only the new requests are answered 503 (no server: 40 req/s);
    // 3.1 would add the ≈ 240 queued ones there.
    expect(sum(window(r, 'req_5xx', 16, 17))).toBeLessThan(60);
    // The queued ones time out 10 s after they queued: sQ 503s from 20 s.
    const timeouts = recordsOf(r, 'lb.queue_timeout_503');
    expect(timeouts.length).toBeGreaterThan(0);
    expect(timeouts[0].t).toBeGreaterThanOrEqual(20);
    expect(timeouts[0].t).toBeLessThan(21);
  });
});

describe('a second drain of a drained server redistributes nothing (review29 #4)', () => {
  /**
   * Cookie users, option redispatch, two servers of maxconn 2. vm-a is drained at 10 s (its queue
   * handed back) and hangs at 12 s: a drained server keeps its cookie users (persistence), so their
   * requests pile up in its own queue again. A second `drain` at 16 s: srv_set_admin_flag()
   * (src/server.c) returns at once when the flag is set, so the queue stays (timeout queue 1 h).
   */
  const drainTwice = (second: boolean): ScenarioInput =>
    ({
      warmup: '0s',
      horizon: '25s',
      clients: { requests: { rate: 40, timeout: '1h', retries: 0, users: 200 } },
      app: { workers: 64, service_time: 'const(10ms)' },
      lb: { mode: 'l7', sticky: 'cookie', maxconn: 2, timeout_queue: '1h', redispatch: true },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [
        { at: '10s', do: 'set_server', backend: 'vm-a', state: 'drain' },
        { at: '12s', do: 'pause', backend: 'vm-a', duration: '1h' },
        ...(second ? [{ at: '16s', do: 'set_server', backend: 'vm-a', state: 'drain' }] : []),
      ],
    }) as ScenarioInput;

  it('the requests queued on the drained vm-a stay there: the same answers as without the second drain', () => {
    const once = run(drainTwice(false));
    const twice = run(drainTwice(true));
    const burst = (r: ReturnType<typeof run>): number => sum(window(r, 'goodput', 16, 17, 'vm-b'));
    // A drained server's cookie users keep coming (≈ 17 req/s over 12-16 s): handed back, vm-b
    // would answer them at once.
    expect(burst(twice)).toBe(burst(once));
    expect(twice.figures['goodput.total']).toBe(once.figures['goodput.total']);
  });
});
