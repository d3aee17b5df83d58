/**
 * lb.mode: l7 for keep-alive and WebSocket clients (issue 12): HAProxy mode http terminates the
 * client's connection, balances each request on its own, answers 503 where an L4 balancer hands
 * on a refusal or an RST, closes its own idle client connections after timeout http-keep-alive,
 * and balances a WebSocket upgrade once, pinning its tunnel (lb/l7-http-front.ts, l7-ws-front.ts).
 * Each mechanism is shown against the L4 run of the same scenario, where it does not hold.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Keep-alive clients (~20 requests per connection, a second apart) over two backends. */
function keepalive(mode: 'l4' | 'l7', over: Partial<ScenarioInput> = {}, lb: Record<string, unknown> = {}) {
  return {
    warmup: '20s',
    horizon: '30s',
    clients: {
      rtt: '30ms',
      http: {
        arrival_rate: 20,
        requests_per_connection: 'const(20)',
        think_time: 'const(1s)',
        retries: 2,
        retry_backoff: { policy: 'full_jitter', base: '100ms', cap: '1s' },
      },
    },
    app: { workers: 16, service_time: 'const(20ms)' },
    lb: { mode, ...lb },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    ...over,
  } as ScenarioInput;
}

describe('scenario validation', () => {
  it('accepts lb.mode: l7 with keep-alive and WebSocket clients', () => {
    const res = ScenarioSchema.safeParse({
      lb: { mode: 'l7' },
      clients: { http: { arrival_rate: 10 }, ws: { initial_sessions: 10 } },
    });
    expect(res.success).toBe(true);
  });

  it('refuses timeout http-keep-alive on a balancer that does not terminate HTTP, naming the setting', () => {
    for (const mode of ['l4', 'nat']) {
      const res = ScenarioSchema.safeParse({ lb: { mode, http_keep_alive_timeout: '10s' } });
      expect(res.success).toBe(false);
      const issue = res.error!.issues.find((i) => i.path.join('.') === 'lb.http_keep_alive_timeout');
      expect(issue?.message).toMatch(/^needs lb.mode: l7/);
    }
  });
});

describe('keep-alive clients behind an L7 balancer', () => {
  it('their connections end at the LB: no backend holds a client flow, active_conn counts requests in flight', () => {
    const l7 = run(keepalive('l7'));
    const l4 = run(keepalive('l4'));
    // ~20 conn/s × ~20 s each: hundreds of flows on the VMs through L4, none through L7.
    expect(valueAt(l4, 'active_conn', 25)).toBeGreaterThan(200);
    expect(l4.figures['new_conn.total']).toBeGreaterThan(400);
    expect(l7.figures['new_conn.total'] ?? 0).toBe(0);
    // ~400 req/s × 20 ms in service: a handful of streams at a time.
    expect(Math.max(...window(l7, 'active_conn', 1, 30))).toBeLessThan(40);
    expect(l7.figures['responses_2xx.total']).toBeGreaterThan(8000);
    expect(sum(window(l7, 'responses_2xx', 1, 30, 'vm-a'))).toBeGreaterThan(4000);
  });

  it('a drain empties in under a second: only the requests in flight finish on the drained server', () => {
    const drain = { timeline: [{ at: '10s', do: 'drain', backend: 'vm-a' }] } as Partial<ScenarioInput>;
    const l7 = run(keepalive('l7', drain));
    const l4 = run(keepalive('l4', drain));
    expect(valueAt(l7, 'active_conn', 9, 'vm-a')).toBeGreaterThan(0);
    expect(valueAt(l7, 'active_conn', 11, 'vm-a')).toBe(0);
    expect(sum(window(l7, 'responses_2xx', 12, 30, 'vm-a'))).toBe(0);
    // Through L4 the keep-alive connections stay on vm-a until their clients leave.
    expect(valueAt(l4, 'active_conn', 20, 'vm-a')).toBeGreaterThan(50);
  });

  it('a hard remove with the app killed gives no RST to any client: in-flight requests get a 5xx and are retried', () => {
    const cut = {
      timeline: [
        { at: '10s', do: 'remove', backend: 'vm-a' },
        { at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' },
      ],
    } as Partial<ScenarioInput>;
    const l7 = run(keepalive('l7', cut));
    const l4 = run(keepalive('l4', cut));
    expect(l4.figures['reset_out.total']).toBeGreaterThan(50);
    expect(l4.figures['err_econnreset.total']).toBeGreaterThan(50);
    expect(l7.figures['reset_out.total'] ?? 0).toBe(0);
    expect(l7.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(l7.figures['requests_failed.total'] ?? 0).toBe(0);
    expect(sum(window(l7, 'responses_2xx', 11, 30, 'vm-b'))).toBeGreaterThan(5000);
  });

  it('a server that refuses (app dead, still in the pool) gives 503s from the LB, not ECONNREFUSED or RST', () => {
    const dead = {
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
    } as Partial<ScenarioInput>;
    const l7 = run(keepalive('l7', dead));
    expect(l7.figures['responses_5xx.total']).toBeGreaterThan(100);
    expect(l7.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(l7.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(l7.figures['reset_out.total'] ?? 0).toBe(0);
    // HAProxy closes the client connection after its own 503: each one costs its client a connection.
    const healthy = run(keepalive('l7'));
    expect(fig(l7, 'closed_fin.total') - fig(healthy, 'closed_fin.total')).toBeGreaterThan(
      fig(l7, 'responses_5xx.total') / 2,
    );
    // With option redispatch every retry goes to the other server: nothing reaches the client.
    const redispatched = run(keepalive('l7', dead, { redispatch: true }));
    expect(fig(redispatched, 'responses_5xx.total')).toBeLessThan(fig(l7, 'responses_5xx.total') / 10);
  });

  it('timeout http-keep-alive closes idle client connections; a request crossing that close gets ECONNRESET', () => {
    const think = (t: string) =>
      keepalive(
        'l7',
        {
          clients: {
            rtt: '30ms',
            http: { arrival_rate: 20, requests_per_connection: 'const(5)', think_time: t, retries: 2 },
          },
        },
        { http_keep_alive_timeout: '2s', timeout_client: '1m' },
      );
    const calm = run(think('const(1s)'));
    expect(calm.figures['err_econnreset.total'] ?? 0).toBe(0);
    // Sent 1.99 s after the response, the request leaves before the LB's FIN (at 2 s + rtt/2) arrives.
    const racing = run(think('const(1.99s)'));
    expect(racing.figures['err_econnreset.total']).toBeGreaterThan(100);
    expect(recordsOf(racing, 'lb.keepalive_race').length).toBeGreaterThan(0);
    // Past the timeout the close is seen first: a new connection, no error.
    const slow = run(think('const(3s)'));
    expect(slow.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(fig(slow, 'closed_fin.total')).toBeGreaterThan(fig(calm, 'closed_fin.total') * 2);
  });

  it('balance source hashes each client connection by its own address (not one address for all)', () => {
    const r = run(keepalive('l7', {}, { balance: 'source' }));
    expect(sum(window(r, 'responses_2xx', 1, 30, 'vm-a'))).toBeGreaterThan(2000);
    expect(sum(window(r, 'responses_2xx', 1, 30, 'vm-b'))).toBeGreaterThan(2000);
  });
});

describe('WebSocket clients behind an L7 balancer', () => {
  function sessions(mode: 'l4' | 'l7', timeline: ScenarioInput['timeline']): ScenarioInput {
    return {
      warmup: '0s',
      horizon: '40s',
      clients: {
        rtt: '30ms',
        ws: {
          initial_sessions: 200,
          initial_ramp: '5s',
          arrival_rate: 0,
          lifetime: 'const(1h)',
          ping_interval: '10s',
          reconnect: { policy: 'full_jitter', base: '500ms', cap: '5s' },
        },
      },
      lb: { mode },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline,
    } as ScenarioInput;
  }

  it('a remove (maint) keeps the tunnels: no RST where an L4 balancer forgets the flows', () => {
    const remove = [{ at: '10s', do: 'remove', backend: 'vm-a' }] as ScenarioInput['timeline'];
    const l7 = run(sessions('l7', remove));
    const l4 = run(sessions('l4', remove));
    expect(l4.figures['reset_out.total']).toBeGreaterThan(50);
    expect(l7.figures['reset_out.total'] ?? 0).toBe(0);
    expect(valueAt(l7, 'ws_sessions', 30, 'vm-a')).toBeGreaterThan(80);
  });

  it('an upgrade no server can take is answered 503 (an L4 proxy closes the accepted client: EOF)', () => {
    const kill = (['vm-a', 'vm-b'] as const).flatMap((backend) => [
      { at: '10s', do: 'remove', backend },
      { at: '10s', do: 'terminate', backend, mode: 'kill' },
    ]) as ScenarioInput['timeline'];
    const l7 = run(sessions('l7', kill));
    const l4 = run(sessions('l4', kill));
    // HAProxy mode tcp gives up by closing the client it had accepted (default_srv_error()).
    expect(l4.figures['err_econnreset.total']).toBeGreaterThan(100);
    expect(l7.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(l7.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(l7.figures['responses_5xx.total']).toBeGreaterThan(100);
    // The killed servers' tunnels were closed on the client side, which reconnected.
    expect(l7.figures['ws_close_1006.total']).toBeGreaterThan(150);
  });
});
