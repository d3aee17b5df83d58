import { describe, expect, it } from 'vitest';
import { planFleetDrain } from '../../sim/plan/fleet/fleet-plan.js';
import {
  compareWithSim,
  type FleetScenarioShape,
  impliedSets,
  renderSimCheckText,
  type SimulatedRollout,
} from '../../sim/plan/fleet/sim-check.js';
import { readLifetimes } from '../../sim/plan/lifetime-input.js';

function plan(notice: boolean) {
  return planFleetDrain({
    lifetimes: readLifetimes('lognormal(median=40m, p99=8h)'),
    sessions: 3000,
    vms: 3,
    parallel: 1,
    deadline: 3600,
    ttl: 7200,
    timeout: 240,
    restart: 30,
    pause: 0,
    notice,
    reconnectWindow: 10,
    target: 0.001,
    seed: 1,
    replicas: 10,
  });
}

const SHAPE: FleetScenarioShape = {
  backends: [
    'vm-01',
    'vm-02',
    'vm-03',
    'vm-04',
    'vm-05',
    'vm-06',
    'vm-07',
    'vm-08',
    'vm-09',
    'vm-10',
    'vm-11',
    'vm-12',
  ],
  deployIndex: 2,
  deployAt: 30,
  deployListsBackends: true,
};

describe('--check-with-sim: the scenario a fleet plan implies', () => {
  it('writes every assumption of the chosen setting into the scenario, the fleet resized to the plan', () => {
    const killed = impliedSets(plan(false), 4254, SHAPE);
    expect(killed).toContain('clients.ws.initial_sessions=3000');
    expect(killed).toContain('clients.ws.start=steady');
    expect(killed).toContain('clients.ws.lifetime="lognormal(median=40m, p99=8h)"');
    // Little's law: 3000 sessions / E[L] of 4254 s.
    expect(killed).toContain(`clients.ws.arrival_rate=${Number((3000 / 4254).toPrecision(9))}`);
    expect(killed).toContain('app.ws.session_ttl=7200s');
    expect(killed).toContain('timeline[2].gate={threshold: 1, max_wait: 240s, poll: 1s, on_timeout: force}');
    expect(killed).toContain('timeline[2].terminate=kill');
    expect(killed).toContain('backends=[{name: vm-01}, {name: vm-02}, {name: vm-03}]');
    expect(killed).toContain('timeline[2].backends=[vm-01, vm-02, vm-03]');
    // 3 steps of at most 240 + 1 + 30 s after t = 30 s, the reconnect window and a minute.
    expect(killed).toContain(`horizon=${30 + 3 * 271 + 10 + 60}s`);
    const noticed = impliedSets(plan(true), 4254, SHAPE);
    expect(noticed).toContain('timeline[2].terminate=graceful');
    expect(noticed).toContain('app.ws.close_on_shutdown=true');
  });

  it('sets the simulated figures beside the closed form and flags a figure the CIs do not cover', () => {
    const p = plan(false);
    const e = p.chosen.expected;
    const like = (cut: number): SimulatedRollout[] =>
      [-2, 0, 2].map((d) => ({
        cut: cut + d,
        moved: e.moved + d,
        movedTwice: null,
        reconnectPeak: p.simulated.reconnectPeak.mean + d,
        rolloutTime: e.rolloutTime,
      }));
    const agreeing = compareWithSim(p, 'fleet-rolling-ws', [1, 2, 3], [], like(e.cut));
    const cutRow = agreeing.rows.find((r) => r.figure === 'cut')!;
    expect(cutRow.closedFormDisagrees).toBe(false);
    const agreeingText = renderSimCheckText(agreeing);
    expect(agreeingText).toMatch(/cut \(1006\) +[\d,.]+ \[[\d,.]+ – [\d,.]+\] +[\d,.]+ +[\d,.]+ \[/);

    const apart = compareWithSim(p, 'fleet-rolling-ws', [1, 2, 3], [], like(e.cut * 1.5));
    const apartCut = apart.rows.find((r) => r.figure === 'cut')!;
    expect(apartCut.closedFormDisagrees).toBe(true);
    const text = renderSimCheckText(apart);
    expect(text).toMatch(/cut \(1006\).*DISAGREES: closed form outside the simulated CI/);
    expect(text).toMatch(/rollout time.*agrees/);
    expect(text).toContain('figure(s) disagree beyond the 95% CIs');
    expect(text).not.toContain('The simulation agrees with the plan');
  });
});
