/**
 * HAProxy reload with hard-stop-after (calibration/haproxy/NOTES.md item 15; src/proxy.c
 * do_soft_stop_now() / hard_stop()): the old process keeps its streams after a reload; with
 * hard-stop-after it shuts those still open that long later, each with a FIN (stream_shutdown()),
 * and the flows opened through the new process are untouched.
 */
import { describe, expect, it } from 'vitest';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt, window } from '../helpers.js';

/** Long-lived keep-alive connections (≈ 1,000 requests 1 s apart) arriving all along. */
function reloaded(hardStopAfter: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: {
      http: { arrival_rate: 5, requests_per_connection: 'const(1000)', think_time: 'const(1s)', retries: 0 },
    },
    lb: { mode: 'l4', hard_stop_after: hardStopAfter },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '10.5s', do: 'lb_reload' }],
  } as ScenarioInput;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const active = (r: ReturnType<typeof run>, t: number): number =>
  valueAt(r, 'active_conn', t, 'vm-a') + valueAt(r, 'active_conn', t, 'vm-b');

describe('lb_reload and hard-stop-after', () => {
  it('hard-stop-after 5s: the old process shuts the streams it held 5 s after the reload, FIN, none of the new ones', () => {
    const r = run(reloaded('5s'));
    const [reload] = recordsOf(r, 'lb.reload');
    expect(reload.streams).toBeGreaterThan(40);
    const [stop] = recordsOf(r, 'lb.hard_stop');
    expect(stop.t).toBeCloseTo(15.5, 6);
    // Nothing ends the connections (1,000 requests each) but the hard stop.
    expect(stop.streams).toBe(reload.streams);
    // The old ones closed with a FIN, in the second of the hard stop only.
    expect(sum(window(r, 'closed_fin', 16, 16, 'vm-a')) + sum(window(r, 'closed_fin', 16, 16, 'vm-b'))).toBe(
      reload.streams,
    );
    expect(r.figures['closed_fin.total']).toBe(reload.streams);
    // The flows opened through the new process (after 11 s) are all still there after the stop.
    const newSince = sum(window(r, 'new_conn', 12, 15, 'vm-a')) + sum(window(r, 'new_conn', 12, 15, 'vm-b'));
    expect(active(r, 16)).toBeGreaterThanOrEqual(newSince);
    expect(active(r, 16)).toBeLessThan(active(r, 15));
    expect(r.figures['reset_out.total'] ?? 0).toBe(0);
  });

  it('no hard-stop-after (HAProxy has no default): the old process keeps its streams', () => {
    const r = run(reloaded('0'));
    expect(recordsOf(r, 'lb.hard_stop')).toHaveLength(0);
    expect(r.figures['closed_fin.total'] ?? 0).toBe(0);
    expect(active(r, 39)).toBeGreaterThan(active(r, 10));
  });

  it('lb.mode nat has no process to reload: lb_reload and hard_stop_after are scenario errors', () => {
    const res = ScenarioSchema.safeParse({
      lb: { mode: 'nat', hard_stop_after: '30s' },
      timeline: [{ at: '1m', do: 'lb_reload' }],
    });
    expect(res.success).toBe(false);
    const paths = res.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['lb.hard_stop_after', 'timeline.0.do']));
  });
});
