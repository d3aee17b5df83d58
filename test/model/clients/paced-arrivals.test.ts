/**
 * `clients.requests.arrivals: paced`: a constant-rate load generator (wrk2 -R, vegeta's constant
 * pacer, k6 constant-arrival-rate, the HAProxy calibration recorder calibration/haproxy/worker.mjs
 * runRequests(): request k due when floor(elapsed × rate) reaches k, so the first 1/rate after t0).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../sim/engine/engine.js';
import { PacedArrivals } from '../../../sim/model/clients/arrivals.js';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

describe('PacedArrivals', () => {
  it('one arrival every 1/rate s from 1/rate after start; a new rate re-paces from the change', () => {
    const engine = new Engine();
    const times: number[] = [];
    const arrivals = new PacedArrivals(engine, 4, () => times.push(engine.now));
    arrivals.start();
    engine.run(1.1);
    expect(times).toEqual([0.25, 0.5, 0.75, 1]);
    arrivals.setRate(2);
    engine.run(2.7);
    expect(times.slice(4)).toHaveLength(3);
    for (const [i, t] of [1.6, 2.1, 2.6].entries()) expect(times[4 + i]).toBeCloseTo(t, 12);
    // Rate 0 stops it; a later rate starts again one gap after that change.
    arrivals.setRate(0);
    engine.run(5);
    expect(times).toHaveLength(7);
    arrivals.setRate(1);
    engine.run(7.5);
    expect(times.slice(7)).toEqual([6, 7]);
  });
});

/** Open-loop requests only, at `rate`, against one backend that answers at once. */
function openLoop(arrivals: 'paced' | undefined, timeline: ScenarioInput['timeline'] = []): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: { rtt: '1ms', requests: { rate: 2, ...(arrivals ? { arrivals } : {}) } },
    app: { workers: 8, service_time: 'const(1ms)' },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    timeline,
  } as ScenarioInput;
}

const offeredPerSecond = (r: RunResult): number[] => series(r, 'offered').map(([, v]) => v);

describe('PacedArrivals, due times from the change', () => {
  it('arrival k at exactly change + k/rate, not the sum of k gaps (60 sums of 1/60 give 1.0000000000000013)', () => {
    const engine = new Engine();
    const times: number[] = [];
    const arrivals = new PacedArrivals(engine, 60, () => times.push(engine.now));
    arrivals.start();
    engine.run(2);
    expect(times).toHaveLength(120);
    times.forEach((t, i) => expect(t).toBe((i + 1) / 60));
    // A change re-anchors: from 2.5 s at 60/s, arrival k at 2.5 + k/60.
    let before = 0;
    engine.at(
      2.5,
      () => {
        before = times.length;
        arrivals.setRate(60);
      },
      null,
    );
    engine.run(3.5);
    expect(times.length - before).toBe(60);
    times.slice(before).forEach((t, i) => expect(t).toBe(2.5 + (i + 1) / 60));
  });

  it('60/s: exactly 60 requests in every second after the first (summed gaps drift across the boundaries: 61 and 59)', () => {
    const input = openLoop('paced');
    (input.clients as { requests: { rate: number } }).requests.rate = 60;
    expect(offeredPerSecond(run(input))).toEqual([59, 60, 60, 60, 60, 60, 60, 60, 60, 60]);
  });
});

describe('clients.requests.arrivals', () => {
  it('paced: exactly `rate` requests in every second (Poisson: the counts scatter)', () => {
    // Samples are [t, t + 1): the first request at 0.5 s, then 1.0 and 1.5 in the second sample …
    expect(offeredPerSecond(run(openLoop('paced')))).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    // The default is unchanged: Poisson, whose seed-1 counts are not all 2.
    const poisson = offeredPerSecond(run(openLoop(undefined)));
    expect(poisson).toHaveLength(10);
    expect(poisson.some((v) => v !== 2)).toBe(true);
  });

  it('paced: a load action re-paces from the change (4/s from 4.6 s: 4.85, 5.1, …)', () => {
    const r = run(openLoop('paced', [{ at: '4.6s', do: 'load', request_rate: 4 }]));
    // 0.5 … 4.5 at 2/s, then 4.85 + 0.25k: [4, 5) holds 4.0, 4.5 and 4.85 (the old timer kept,
    // due at 5.0, would leave 2 there).
    expect(offeredPerSecond(r)).toEqual([1, 2, 2, 2, 3, 4, 4, 4, 4, 4]);
  });
});
