/**
 * A check that ends while its server is in maintenance (health-checker.ts finish, paused): its
 * result changes nothing, but process_chk_conn() (HAProxy v2.6.0 src/check.c, label `end`) still
 * sets `t->expire = now + srv_getinter(check)`, and maint left `check->health = 0` with
 * next_state SRV_ST_STOPPED (src/server.c srv_update_status(), "Maintenance must also disable
 * health checks"), so srv_getinter() (src/server.c) gives `downinter`. From there the paused task
 * wakes every `inter` (`reschedule`: `while (tick_is_expired(t->expire)) t->expire += check->inter`),
 * and `state ready` (health = rise, no wakeup) leaves the next check on that grid.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

/**
 * s1's checks on a grid at 0.7 + 2k s (inter 2 s). s1 hangs from 3.5 s: the check of 4.7 s
 * waits for its answer until inter bounds it, at 6.7 s, inside the maint (5–12 s). s1 is killed
 * at 8 s, so the first check after `state ready` fails and marks it DOWN at once.
 */
function maintAcrossCheck(downinter?: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '100ms',
    clients: { requests: { rate: 20, timeout: '8s', retries: 0 } },
    app: { workers: 16, service_time: 'const(1ms)' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, connect_timeout: '5s', redispatch: false },
    health_check: {
      type: 'http',
      inter: '2s',
      rise: 2,
      fall: 3,
      first_check: '0.7s',
      ...(downinter ? { downinter } : {}),
    },
    backends: [{ name: 's1' }, { name: 's2' }],
    timeline: [
      { at: '3.5s', do: 'pause', backend: 's1', duration: '20s' },
      { at: '5s', do: 'set_server', backend: 's1', state: 'maint' },
      { at: '8s', do: 'terminate', backend: 's1', mode: 'kill' },
      { at: '12s', do: 'set_server', backend: 's1', state: 'ready' },
    ],
  } as ScenarioInput;
}

describe('a check that ends in maintenance schedules the next at srv_getinter(): downinter', () => {
  let slow: RunResult;
  let plain: RunResult;
  beforeAll(() => {
    slow = run(maintAcrossCheck('3s'));
    plain = run(maintAcrossCheck());
  });

  it('downinter 3 s: the task wakes at 9.7 s, then every inter: the first check after ready is at 13.7 s', () => {
    const downs = recordsOf(slow, 'hc.down').filter((d) => d.backend === 's1');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(13.7 - 1e-6);
    expect(downs[0].t).toBeLessThan(13.75);
    // No check of s1 runs (none fails) between ready and then: not at 12.7 s (inter's grid).
    expect(between(slow, 'check_failures', 5, 13.6, 's1')).toBe(0);
  });

  it('downinter unset (= inter): the grid stays at 0.7 + 2k s, the first check after ready at 12.7 s', () => {
    const downs = recordsOf(plain, 'hc.down').filter((d) => d.backend === 's1');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(12.7 - 1e-6);
    expect(downs[0].t).toBeLessThan(12.75);
  });
});

/**
 * The same grid, but s1 is only slow: paused 4.6-5.2 s, the check of 4.7 s is answered at 5.2 s,
 * inside the maint (5-12 s), and PASSES. set_server_check_status() (v2.6.0 src/check.c) counts it
 * (health 0 -> 1: nothing there tests for maintenance), so srv_getinter() gives fastinter — unset:
 * inter, 2 s — not downinter: the task wakes at 7.2 s, then every inter (9.2, 11.2), and the first
 * check after `state ready` is at 13.2 s. Treating the pass as the failure (downinter 3 s: 8.2,
 * 10.2, 12.2) put it at 12.2 s.
 */
describe('a check that passes in maintenance still counts: the next is at fastinter (inter), not downinter', () => {
  let r: RunResult;
  beforeAll(() => {
    const input = maintAcrossCheck('3s');
    input.timeline = [
      { at: '4.6s', do: 'pause', backend: 's1', duration: '0.6s' },
      { at: '5s', do: 'set_server', backend: 's1', state: 'maint' },
      { at: '8s', do: 'terminate', backend: 's1', mode: 'kill' },
      { at: '12s', do: 'set_server', backend: 's1', state: 'ready' },
    ] as ScenarioInput['timeline'];
    r = run(input);
  });

  it('the first check after ready is at 13.2 s (7.2 + 2k), where it fails and marks s1 DOWN', () => {
    const downs = recordsOf(r, 'hc.down').filter((d) => d.backend === 's1');
    expect(downs).toHaveLength(1);
    expect(downs[0].t).toBeGreaterThan(13.2 - 1e-6);
    expect(downs[0].t).toBeLessThan(13.25);
  });
});
