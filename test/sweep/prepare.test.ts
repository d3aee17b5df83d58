import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { SweepError } from '../../sim/sweep/errors.js';
import { prepareSweep } from '../../sim/sweep/prepare.js';
import { resolvedValue } from '../../sim/sweep/resolved-value.js';
import type { SweepSpec } from '../../sim/sweep/types.js';
import { parseVary } from '../../sim/sweep/vary.js';

const spec = (vary: string[], sets: string[] = []): SweepSpec => ({
  scenario: 'hard-cut',
  sets,
  vary: vary.map(parseVary),
  seeds: [1, 2],
});

describe('prepareSweep', () => {
  it('loads every point and reads the varied values back as the simulator resolved them', () => {
    const p = prepareSweep(
      spec(['lb.connect_timeout=500ms,5s', 'backends.vm-b.weight=1,3', 'clients.http.think_time=exp(mean=2000ms)']),
    );
    expect(p.name).toBe('hard-cut');
    expect(p.points).toHaveLength(4);
    expect(p.points[1]).toEqual({
      sets: ['lb.connect_timeout=500ms', 'backends.vm-b.weight=3', 'clients.http.think_time=exp(mean=2000ms)'],
      resolved: [0.5, 3, 'exp(mean=2s)'],
    });
    expect(p.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('digests the resolved scenarios, so a changed --set changes it', () => {
    const a = prepareSweep(spec(['app.workers=10,20']));
    expect(prepareSweep(spec(['app.workers=10,20'])).digest).toBe(a.digest);
    expect(prepareSweep(spec(['app.workers=10,20'], ['horizon=20s'])).digest).not.toBe(a.digest);
  });

  it("estimates each point's work, for the pool to hand out the largest first", () => {
    const p = prepareSweep(spec(['horizon=60s,20s,120s']));
    expect(p.pointWork).toHaveLength(3);
    const [w60, w20, w120] = p.pointWork as [number, number, number];
    expect(w20).toBeGreaterThan(0);
    expect(w60).toBeGreaterThan(w20);
    expect(w120).toBeGreaterThan(w60);
  });

  it('blames the --vary option, naming the value, for an invalid point', () => {
    try {
      prepareSweep(spec(['app.workers=10,lots']));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).format()).toBe(
        '--vary app.workers=10,lots (value lots): app.workers: expected a number, found "lots"',
      );
    }
    expect(() => prepareSweep(spec(['app.wrkers=1']))).toThrow(/did you mean 'workers'/);
  });

  it('refuses a path varied twice and an empty sweep', () => {
    expect(() => prepareSweep(spec(['app.workers=1,2', 'app.workers=3']))).toThrow(SweepError);
    expect(() => prepareSweep(spec([]))).toThrow(/nothing to vary/);
  });
});

describe('resolvedValue', () => {
  const scenario = {
    app: { workers: 48, ws: { session_ttl: Infinity } },
    backends: [
      { name: 'vm-a', weight: 1 },
      { name: 'vm-b', weight: 3 },
    ],
    flag: false,
  };

  it('follows --set paths, lists by name or index', () => {
    expect(resolvedValue(scenario, 'app.workers')).toBe(48);
    expect(resolvedValue(scenario, 'backends.vm-b.weight')).toBe(3);
    expect(resolvedValue(scenario, 'backends[0].weight')).toBe(1);
    expect(resolvedValue(scenario, 'flag')).toBe(false);
    expect(resolvedValue(scenario, 'app.ws.session_ttl')).toBe('infinite');
    expect(resolvedValue(scenario, 'app.nothing')).toBeNull();
  });
});
