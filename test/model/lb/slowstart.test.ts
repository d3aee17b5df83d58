/**
 * HAProxy 2.6 slowstart (src/server.c server_recalc_eweight(), server_warmup()): integer steps of
 * 1/BE_WEIGHT_SCALE (16) from the server's UP second, re-evaluated every second.
 */
import { describe, expect, it } from 'vitest';
import { BE_WEIGHT_SCALE, startSlowstart } from '../../../sim/model/lb/health.js';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

function world(slowstart: string, balance = 'roundrobin', hashType?: 'consistent') {
  const lb = { slowstart, balance, ...(hashType ? { hash_type: hashType } : {}) };
  const model = buildModel(ScenarioSchema.parse({ warmup: '0s', lb, backends: [{ name: 'vm-a' }, { name: 'vm-b' }] }));
  return model.world;
}

/** The weight (in 16ths) of vm-a sampled just after each whole second from 0 to `to`. */
function ramp(w: ReturnType<typeof world>, startAt: number, to: number): number[] {
  const seen: number[] = [];
  w.engine.at(startAt, () => startSlowstart(w, 0), null);
  for (let t = 0; t <= to; t++) w.engine.at(t + 0.5, () => seen.push(w.lb.weight[0] * BE_WEIGHT_SCALE), null);
  w.engine.run(to + 1);
  return seen;
}

describe('slowstart (server_recalc_eweight)', () => {
  it('slowstart 10s from an UP at 0 s: w = (16 × elapsed_s + 10) / 10 each second, full at 10 s', () => {
    // (16e + 10) / 10 for e = 0…9: 1, 2, 4, 5, 7, 9, 10, 12, 13, 15; then RUNNING: 16.
    expect(ramp(world('10s'), 0, 11)).toEqual([1, 2, 4, 5, 7, 9, 10, 12, 13, 15, 16, 16]);
  });

  it('counts whole seconds (now.tv_sec − last_change): an UP at 0.9 s gets its second step at 1.9 s', () => {
    const w = world('4s');
    const seen: Array<[number, number]> = [];
    w.engine.at(0.9, () => startSlowstart(w, 0), null);
    for (const t of [0.95, 1.85, 1.95, 2.95, 3.95, 4.95])
      w.engine.at(t, () => seen.push([t, w.lb.weight[0] * 16]), null);
    w.engine.run(6);
    // last_change = 0 (the UP's whole second); w = (16e + 4) / 4 = 4e + 1, re-evaluated at 1.9, 2.9, …:
    // at 1.85 a second has not yet been re-evaluated; at 4.9 elapsed is 4 = slowstart → full.
    expect(seen).toEqual([
      [0.95, 1],
      [1.85, 1],
      [1.95, 5],
      [2.95, 9],
      [3.95, 13],
      [4.95, 16],
    ]);
  });

  it('never 0: the first step is 1/16 of the weight even for a long slowstart', () => {
    expect(ramp(world('60s'), 0, 2)).toEqual([1, 1, 1]);
  });

  it('rounds a sub-second slowstart up to 1 s (srv_parse_slowstart) and ramps nothing for balance source', () => {
    expect(ramp(world('500ms'), 0, 2)).toEqual([1, 16, 16]);
    expect(ramp(world('10s', 'source'), 0, 1)).toEqual([16, 16]);
  });

  it('ramps balance source with hash-type consistent (BE_LB_PROP_DYN: the ring points follow eweight)', () => {
    expect(ramp(world('10s', 'source', 'consistent'), 0, 2)).toEqual([1, 2, 4]);
  });
});
