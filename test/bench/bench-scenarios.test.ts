import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drainScenario, fleetScenario, steadyScenario, writeScenario } from '../../bench/bench-scenarios.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../../sim/scenario/load-for-run.js';

function load(name: string, text: string) {
  const file = writeScenario(name, text);
  try {
    return namedScenario(loadScenarioForCli(file));
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

// peerbench's drain model fires 2.08 events per client request (kernel_events / requests of
// drain.mjs --impl soa and of SimPy); the side-by-side ratio is only fair if drainsim does the same.
describe('bench scenarios', () => {
  it('the peerbench drain model does the reference amount of work per client request', () => {
    const r = runScenario(load('peer-drain-1000', drainScenario(1000)));
    const requests = r.figures['requests.total']!;
    expect(requests).toBeGreaterThan(100_000); // ~1000 clients × 120 s / ~1.05 s per request
    expect(r.engineEvents / requests).toBeGreaterThan(2.0);
    expect(r.engineEvents / requests).toBeLessThan(2.15);
    // Backend 0 takes no new connections after the drain at 60 s.
    expect(r.figures['b0.new_conn.total']!).toBeLessThan(r.figures['b1.new_conn.total']! * 0.7);
  });

  it('the nat variant is the same model behind a NAT: the same work per request, no balancer port walk', () => {
    const scenario = load('peer-drain-nat-1000', drainScenario(1000, 'nat'));
    expect(scenario.lb.mode).toBe('nat');
    const r = runScenario(scenario);
    const requests = r.figures['requests.total']!;
    expect(r.engineEvents / requests).toBeGreaterThan(2.0);
    expect(r.engineEvents / requests).toBeLessThan(2.15);
    expect(r.figures['b0.new_conn.total']!).toBeLessThan(r.figures['b1.new_conn.total']! * 0.7);
  });

  it('the fleet and steady scenarios resolve', () => {
    expect(load('fleet', fleetScenario('1h')).horizon).toBe(3600);
    expect(load('steady-24h', steadyScenario('24h')).horizon).toBe(86_400);
  });
});
