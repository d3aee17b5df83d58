/**
 * `stick on src` in lb.mode l4 keys each connection on its own source address (lb/l4-connect.ts
 * connect: w.lb.stuckTo(ip), process_sticking_rules(), src/stream.c): 30 addresses are spread by
 * roundrobin at their first connection and stay, so the servers share new connections about evenly.
 * review45 S11: asking the table for one fixed address (stuckTo(0)) sends every client to
 * address 0's server once that entry exists.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const NAMES = ['vm-a', 'vm-b', 'vm-c'];

describe('sticky: source, lb.mode l4: each address its own entry', () => {
  it('new connections from 30 addresses spread over three servers (each 25–42 %)', () => {
    const r = run({
      warmup: '0s',
      horizon: '20s',
      clients: {
        source_ips: 30,
        http: { arrival_rate: 60, requests_per_connection: 'const(1)', think_time: 'const(10ms)' },
      },
      app: { workers: 8, service_time: 'const(5ms)', startup_time: '1s' },
      lb: { mode: 'l4', sticky: 'source' },
      backends: NAMES.map((name) => ({ name })),
    } as ScenarioInput);
    const per = NAMES.map((b) => sum(window(r, 'new_conn', 5, 20, b)));
    const total = sum(per);
    expect(total).toBeGreaterThan(600);
    for (const n of per) {
      expect(n / total).toBeGreaterThan(0.25);
      expect(n / total).toBeLessThan(0.42);
    }
  });
});
