/**
 * HAProxy `http-check disable-on-404` (v2.6.0): a check answered 404 by a server that is not DOWN
 * is HCHK_STATUS_L7OKCD, "Layer7 check conditionally passed" (src/tcpcheck.c tcpcheck_main()),
 * which check_notify_stopping() (src/check.c) turns into SRV_ST_STOPPING at that one check
 * (srv_set_stopping(), src/server.c: "Server be/s1 is stopping"): out of load balancing, streams
 * and cookie users kept; the next 2xx brings it back ("is UP"). A DOWN server's 404 is a failed
 * check (`next_state != SRV_ST_STOPPED` is required). The app answers 404 while the timeline's
 * health_404 (an operator's maintenance file) is in force.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, series } from '../helpers.js';

/** Open-loop requests (60/s) through an http-mode balancer to s1 and s2; s1's checks at 0.7 + 2k s. */
function openLoop(timeline: ScenarioInput['timeline'], check: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '30s',
    sample_interval: '1s',
    clients: { requests: { rate: 60, timeout: '8s', retries: 0 } },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, connect_timeout: '5s' },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '0.7s', disable_on_404: true, ...check },
    backends: [{ name: 's1' }, { name: 's2' }],
    timeline,
  } as ScenarioInput;
}

const linesOf = (r: RunResult, source: string): string[] =>
  r.events.filter((l) => l.source === source).map((l) => l.text);

describe('http-check disable-on-404: NOLB at the first 404', () => {
  const timeline: ScenarioInput['timeline'] = [
    { at: '4s', do: 'health_404', backend: 's1' },
    { at: '12s', do: 'health_200', backend: 's1' },
  ];

  it('takes s1 out at its first check answered 404 (4.7 s), not after fall, and puts it back at the first 200 (12.7 s)', () => {
    const r = run(openLoop(timeline));
    const stopping = recordsOf(r, 'hc.stopping');
    expect(stopping).toHaveLength(1);
    expect(stopping[0].backend).toBe('s1');
    expect(stopping[0].t).toBeGreaterThan(4.69);
    expect(stopping[0].t).toBeLessThan(4.75);
    expect(recordsOf(r, 'hc.down')).toHaveLength(0);
    const ups = recordsOf(r, 'hc.up');
    expect(ups).toHaveLength(1);
    expect(ups[0].t).toBeGreaterThan(12.69);
    expect(ups[0].t).toBeLessThan(12.75);
    expect(ups[0].fromNolb).toBe(true);
    // HAProxy's own lines (srv_update_status(), srv_append_status(), src/server.c).
    expect(linesOf(r, 'hc')).toEqual([
      'Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 1ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
      'Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 2 active and 0 backup servers online.',
    ]);
    // No request reaches s1 between the 404 check and the 200 one; nothing fails.
    expect(between(r, 'goodput', 5, 12, 's1')).toBe(0);
    expect(between(r, 'goodput', 5, 12, 's2')).toBeGreaterThan(0.9 * 60 * 7);
    expect(between(r, 'goodput', 14, 30, 's1')).toBeGreaterThan(0.4 * 60 * 16);
    expect(r.figures['req_failed.total'] ?? 0).toBe(0);
    // A 404 under disable-on-404 is a (conditional) pass: no failed check, no removal counted.
    expect(between(r, 'check_failures', 0, 30, 's1')).toBe(0);
    expect(between(r, 'removals', 0, 30)).toBe(0);
    expect(between(r, 'readds', 0, 30)).toBe(0);
    // The timeline shows it as a drain: pool_state 1 (DRAINING) while NOLB.
    const state = series(r, 'pool_state', 's1');
    expect(state.filter(([t]) => t > 5 && t <= 12).every(([, v]) => v === 1)).toBe(true);
    expect(state.filter(([t]) => t <= 4 || t > 13).every(([, v]) => v === 0)).toBe(true);
  });

  it('without the option the 404 is a failed check: DOWN after fall (8.7 s), UP after rise 200s (14.7 s)', () => {
    const r = run(openLoop(timeline, { disable_on_404: false }));
    expect(recordsOf(r, 'hc.stopping')).toHaveLength(0);
    const downs = recordsOf(r, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(8.69);
    expect(downs[0].t).toBeLessThan(8.75);
    expect(downs[0].reason).toBe('Layer7 wrong status, code: 404');
    const ups = recordsOf(r, 'hc.up');
    expect(ups).toHaveLength(1);
    expect(ups[0].t).toBeGreaterThan(14.69);
    expect(ups[0].fromNolb).toBeUndefined();
    // Until its DOWN s1 still takes its share.
    expect(between(r, 'goodput', 5, 8, 's1')).toBeGreaterThan(0.4 * 60 * 3);
  });

  it("a DOWN server's 404 is a failed check: it stays DOWN, also while climbing back through rise", () => {
    // Deep checks fail on a dead pool (500): DOWN at 6.7 s. The maintenance file from 8 s and the
    // pool back: every check answers 404 and fails (next_state is SRV_ST_STOPPED). One 200 at
    // 14.7 s (health 1 of rise 2), then 404 again at 16.7 s: still a failure, health back to 0.
    // The file gone at 17 s: UP after two 200s, at 20.7 s.
    const r = run(
      openLoop(
        [
          { at: '2s', do: 'dependency', backend: 's1', state: 'down' },
          { at: '8s', do: 'health_404', backend: 's1' },
          { at: '8s', do: 'dependency', backend: 's1', state: 'up' },
          { at: '14s', do: 'health_200', backend: 's1' },
          { at: '15s', do: 'health_404', backend: 's1' },
          { at: '17s', do: 'health_200', backend: 's1' },
        ],
        { endpoint: 'deep' },
      ),
    );
    expect(recordsOf(r, 'hc.stopping')).toHaveLength(0);
    const downs = recordsOf(r, 'hc.down');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(6.69);
    expect(downs[0].t).toBeLessThan(6.75);
    const ups = recordsOf(r, 'hc.up');
    expect(ups).toHaveLength(1);
    expect(ups[0].t).toBeGreaterThan(20.69);
    expect(ups[0].t).toBeLessThan(20.75);
    // The 404s at 8.7, 10.7, 12.7 and 16.7 s are failed checks.
    expect(between(r, 'check_failures', 8, 14, 's1')).toBe(3);
    expect(between(r, 'check_failures', 16, 17, 's1')).toBe(1);
    expect(between(r, 'goodput', 7, 20, 's1')).toBe(0);
  });
});

describe('http-check disable-on-404: what NOLB keeps', () => {
  it('keeps the connections s1 already carries (l4 keep-alive clients): no new one after the 404 check, the old ones still served', () => {
    const input = {
      warmup: '0s',
      horizon: '20s',
      sample_interval: '1s',
      clients: {
        http: { arrival_rate: 5, requests_per_connection: 'const(1000)', think_time: 'const(1s)', retries: 0 },
      },
      app: { workers: 16, service_time: 'const(1ms)' },
      lb: { mode: 'l4' },
      health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '0.7s', disable_on_404: true },
      backends: [{ name: 's1' }, { name: 's2' }],
      timeline: [{ at: '6s', do: 'health_404', backend: 's1' }],
    } as ScenarioInput;
    const r = run(input);
    const stopping = recordsOf(r, 'hc.stopping');
    expect(stopping).toHaveLength(1);
    expect(stopping[0].t).toBeGreaterThan(6.69);
    expect(stopping[0].t).toBeLessThan(6.75);
    // ≈ 2.5 connections a second went to s1 until 6.7 s; none after.
    expect(between(r, 'new_conn', 1, 6, 's1')).toBeGreaterThan(5);
    expect(between(r, 'new_conn', 7, 20, 's1')).toBe(0);
    // Its streams at the 404 (`cur_sess`) go on: s1 keeps answering their requests to the end.
    expect(stopping[0].sessions).toBeGreaterThan(5);
    expect(between(r, 'responses_2xx', 15, 20, 's1')).toBeGreaterThan(5 * stopping[0].sessions * 0.8);
    expect(r.figures['req_failed.total'] ?? 0).toBe(0);
  });

  it('keeps the users whose cookie names s1 (cur_state != SRV_ST_STOPPED), as a drain does; a DOWN would not', () => {
    const cookieUsers = (disable: boolean): ScenarioInput =>
      ({
        warmup: '0s',
        horizon: '30s',
        clients: { requests: { rate: 60, timeout: '5s', retries: 0, users: 200 } },
        app: { workers: 8, service_time: 'const(5ms)' },
        lb: { mode: 'l7', sticky: 'cookie' },
        health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '0.7s', disable_on_404: disable },
        backends: [{ name: 's1' }, { name: 's2' }],
        timeline: [{ at: '10s', do: 'health_404', backend: 's1' }],
      }) as ScenarioInput;
    const nolb = run(cookieUsers(true));
    expect(recordsOf(nolb, 'hc.stopping')).toHaveLength(1);
    const before = between(nolb, 'goodput', 3, 10, 's1') / 7;
    const during = between(nolb, 'goodput', 12, 30, 's1') / 18;
    expect(during).toBeGreaterThan(0.8 * before);
    // Without the option the 404s mark s1 DOWN (14.7 s): its cookie users are load-balanced again.
    const down = run(cookieUsers(false));
    expect(recordsOf(down, 'hc.down')).toHaveLength(1);
    expect(between(down, 'goodput', 16, 30, 's1')).toBe(0);
  });
});

describe('http-check disable-on-404: NOLB is running for the redispatch rule, as a drain is', () => {
  it('with redispatch, a cookie user of a killed NOLB server retries it to the last, as a drained one does (STOPPING > RUNNING)', () => {
    // 200 cookie users; s1 leaves load balancing at 10 s (404 check at 10.7 s, or `drain`), is
    // killed at 20 s and DOWN at 24.7 s. Its cookie users' requests meet refused connects in
    // between: stream_choose_redispatch() redispatches at once only a server whose cur_state is
    // below SRV_ST_RUNNING (STOPPED, STARTING); SRV_ST_STOPPING (NOLB) is the enum's last value
    // (include/haproxy/server-t.h), and a drain leaves cur_state RUNNING: in both, each of 3
    // retries waits the 1-s turn-around on s1 and only the last moves (session 23 redispatched
    // NOLB's at once: max latency < 1.5 s; review32 #1).
    const input = (first: 'health_404' | 'drain'): ScenarioInput =>
      ({
        warmup: '0s',
        horizon: '30s',
        clients: { requests: { rate: 60, timeout: '8s', retries: 0, users: 200 } },
        app: { workers: 8, service_time: 'const(5ms)' },
        lb: { mode: 'l7', sticky: 'cookie', redispatch: true },
        health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '0.7s', disable_on_404: true },
        backends: [{ name: 's1' }, { name: 's2' }],
        timeline: [
          { at: '10s', do: first, backend: 's1' },
          { at: '20s', do: 'terminate', backend: 's1', mode: 'kill' },
        ],
      }) as ScenarioInput;
    const nolb = run(input('health_404'));
    const drained = run(input('drain'));
    expect(recordsOf(nolb, 'hc.stopping')).toHaveLength(1);
    for (const r of [nolb, drained]) expect(r.figures['req_failed.total'] ?? 0).toBe(0);
    expect(nolb.figures['open_loop_latency.max']).toBeGreaterThan(2.5);
    expect(drained.figures['open_loop_latency.max']).toBeGreaterThan(2.5);
  });
});

describe('health_check.disable_on_404 input', () => {
  it('needs an http check: with type tcp it is an error at health_check.disable_on_404', () => {
    const res = ScenarioSchema.safeParse({ health_check: { type: 'tcp', disable_on_404: true } });
    expect(res.success).toBe(false);
    const issue = res.error!.issues.find((i) => i.path.join('.') === 'health_check.disable_on_404');
    expect(issue?.message).toMatch(/^needs health_check.type: http/);
  });

  it('is off unless written (left out of the resolved scenario, as HAProxy has it off)', () => {
    expect(ScenarioSchema.parse({ health_check: { type: 'http' } }).health_check!.disable_on_404).toBeUndefined();
    expect(ScenarioSchema.safeParse({ health_check: { type: 'tcp', disable_on_404: false } }).success).toBe(true);
  });
});
