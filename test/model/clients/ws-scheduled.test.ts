import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../../sim/scenario/load.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { cleanupScenarioDirs, scenarioDir, scenarioErrorOf } from '../../scenario/load-fixtures.js';
import { run, series } from '../helpers.js';

afterAll(cleanupScenarioDirs);

// clients.ws.scheduled: WebSocket sessions at exact times with their own lifetimes, as a recorded
// experiment's client opened them (calibration/scenarios/nginx-reload-tunnel*.yaml).
describe('clients.ws.scheduled', () => {
  const scheduled = [
    { at: '2s', lifetime: '5s' },
    { at: '4.5s', lifetime: '10s' },
  ];

  it('opens each session at its time and the user closes it (1000) at at + lifetime', () => {
    const r = run({
      warmup: '0s',
      horizon: '20s',
      sample_interval: '0.5s',
      clients: { rtt: '1ms', ws: { scheduled, ping_interval: '1s' } },
      backends: [{ name: 'vm-a' }],
    });
    const open = series(r, 'ws_sessions');
    const at = (t: number) => open.find(([s]) => Math.abs(s - t) < 1e-9)![1];
    expect([at(1.5), at(2.5), at(4), at(5), at(6.5), at(7.5), at(14), at(15)]).toEqual([0, 1, 1, 2, 2, 1, 1, 0]);
    expect(r.figures['ws_close_1000.total']).toBe(2);
    expect(r.figures['ws_session_duration.p50']).toBeCloseTo(5, 2);
    expect(r.figures['ws_session_duration.max']).toBeCloseTo(10, 2);
  });

  it('leaves the random draws of a scenario without scheduled sessions unchanged', () => {
    const base = {
      warmup: '0s',
      horizon: '30s',
      clients: { ws: { arrival_rate: 2, lifetime: 'exp(mean=5s)' } },
      backends: [{ name: 'vm-a' }],
    };
    const without = run(base, 3);
    const withNone = run({ ...base, clients: { ws: { ...base.clients.ws, scheduled: [] } } }, 3);
    expect(withNone.figures).toEqual(without.figures);
  });

  it('a scheduled session with a bad lifetime, or past 1000 of them, is a scenario error naming the path', () => {
    const dir = scenarioDir({
      'bad.yaml': 'clients:\n  ws:\n    scheduled:\n      - { at: 1s, lifetime: soon }\n',
      'many.yaml': `clients:\n  ws:\n    scheduled:\n${'      - { at: 1s, lifetime: 1s }\n'.repeat(1001)}`,
    });
    const bad = scenarioErrorOf(() => loadScenario(join(dir, 'bad.yaml'), ScenarioSchema));
    expect(bad.issues[0]).toMatchObject({ path: 'clients.ws.scheduled[0].lifetime', line: 4 });
    const many = scenarioErrorOf(() => loadScenario(join(dir, 'many.yaml'), ScenarioSchema));
    expect(many.issues[0].path).toBe('clients.ws.scheduled');
    expect(many.issues[0].message).toMatch(/1000/);
  });
});
