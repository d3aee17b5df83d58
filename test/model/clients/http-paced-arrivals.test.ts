/**
 * `clients.http.arrivals: paced`: new keep-alive connections at a constant rate, the first at the
 * start or the rate change — the bare-app recorder's slots (calibration/haproxy/bare-l4-worker.mjs
 * clients(): slot i by setTimeout(slot, i × 1000 / count) from t0, slot 0 at once).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../sim/engine/engine.js';
import { PacedArrivals } from '../../../sim/model/clients/arrivals.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

describe('PacedArrivals, first at the start', () => {
  it('arrival k at change + k/rate: the first at start() and at each rate change', () => {
    const engine = new Engine();
    const times: number[] = [];
    const arrivals = new PacedArrivals(engine, 4, () => times.push(engine.now), true);
    arrivals.start();
    engine.run(0.9);
    expect(times).toEqual([0, 0.25, 0.5, 0.75]);
    arrivals.setRate(2); // at 0.9: 0.9, 1.4, 1.9
    engine.run(2);
    expect(times.slice(4)).toHaveLength(3);
    for (const [i, t] of [0.9, 1.4, 1.9].entries()) expect(times[4 + i]).toBeCloseTo(t, 12);
  });

  it('exactly n in [change, change + n/rate): the one due at the end ties with, and follows, a stop then', () => {
    // 60/s: 1/60 is inexact, summed gaps would drift around 1 s; each due time is change + k/60.
    const engine = new Engine();
    let count = 0;
    const arrivals = new PacedArrivals(engine, 0, () => count++, true);
    engine.at(1.283, () => arrivals.setRate(60), null);
    engine.at(2.283, () => arrivals.setRate(0), null);
    arrivals.start();
    engine.run(5);
    expect(count).toBe(60);
  });
});

/** Keep-alive clients only: `rate` new connections a second for 1 s (timeline), one request each. */
function keepAlive(arrivals: 'paced' | undefined): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 0,
        requests_per_connection: 'const(1)',
        think_time: 'const(100ms)',
        ...(arrivals ? { arrivals } : {}),
      },
    },
    app: { workers: 8, service_time: 'const(1ms)' },
    lb: { mode: 'l4' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '0s', do: 'load', http_rate: 40 },
      { at: '1s', do: 'load', http_rate: 0 },
    ],
  } as ScenarioInput;
}

const newConnsPerSecond = (r: RunResult): number[] => series(r, 'new_conn').map(([, v]) => v);

describe('clients.http.arrivals', () => {
  it('paced: exactly 40 new connections in the first second, none after (Poisson: a scattered count)', () => {
    expect(newConnsPerSecond(run(keepAlive('paced')))).toEqual([40, 0, 0, 0]);
    const poisson = newConnsPerSecond(run(keepAlive(undefined)));
    expect(poisson).toHaveLength(4);
    expect(poisson[0]).not.toBe(40);
  });
});
