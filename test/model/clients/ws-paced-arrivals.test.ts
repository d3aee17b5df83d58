/**
 * `clients.ws.arrivals: paced`: new WebSocket sessions at a constant rate, the first at the start
 * or the rate change (arrivals.ts PacedArrivals firstAtStart, as `clients.http.arrivals: paced`) —
 * a constant-rate WebSocket load generator (k6 constant-arrival-rate, Artillery `config.mode:
 * uniform`). Where it matters: a twin of a recorder that opens its sessions on a fixed interval
 * gets the recorder's exact count in every window, not a Poisson count.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

/** WebSocket clients only, long sessions; `timeline` sets the rate. */
function sessions(arrivals: 'paced' | undefined, timeline: ScenarioInput['timeline']): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      ws: {
        initial_sessions: 0,
        arrival_rate: 0,
        lifetime: 'const(1h)',
        ping_interval: 0,
        ...(arrivals ? { arrivals } : {}),
      },
    },
    app: { workers: 8, service_time: 'const(1ms)' },
    lb: { mode: 'l4' },
    backends: [{ name: 'vm-a' }],
    timeline,
  } as ScenarioInput;
}

const newConnsPerSecond = (r: RunResult): number[] => series(r, 'new_conn').map(([, v]) => v);

describe('clients.ws.arrivals', () => {
  it('paced: exactly 40 new sessions in the first second, the first at 0 s, none after (Poisson: a scattered count)', () => {
    const timeline: ScenarioInput['timeline'] = [
      { at: '0s', do: 'load', ws_rate: 40 },
      { at: '1s', do: 'load', ws_rate: 0 },
    ];
    const paced = run(sessions('paced', timeline));
    expect(newConnsPerSecond(paced)).toEqual([40, 0, 0, 0]);
    expect(series(paced, 'ws_sessions').at(-1)?.[1]).toBe(40);
    const poisson = newConnsPerSecond(run(sessions(undefined, timeline)));
    expect(poisson).toHaveLength(4);
    expect(poisson[0]).not.toBe(40);
  });

  it('paced: a load action re-paces from the change — exactly 60 in [1.283, 2.283) at 60/s (due times change + k/60)', () => {
    const r = run(
      sessions('paced', [
        { at: '1.283s', do: 'load', ws_rate: 60 },
        { at: '2.283s', do: 'load', ws_rate: 0 },
      ]),
    );
    const perSecond = newConnsPerSecond(r);
    expect(perSecond.reduce((a, b) => a + b, 0)).toBe(60);
    // 1.283 + k/60 for k = 0 … 60: k ≤ 43 before 2 s (1.283 + 43/60 = 1.9997), 16 after.
    expect(perSecond).toEqual([0, 44, 16, 0]);
  });
});
