/**
 * The app's accept queue is one rule for every way in (nginx upstream connects, the open-loop
 * balancer, health checks): while all workers are busy or the app is paused, each waiting request
 * holds a place in it, and past min(backlog, somaxconn) the kernel drops the SYN.
 */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('accept queue during a stop-the-world pause', () => {
  it('nginx → app connects fill it even with idle workers, and the SYNs beyond it are dropped', () => {
    const r = run({
      horizon: '30s',
      clients: { http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: 'exp(mean=200ms)' } },
      // Plenty of idle workers: only the pause keeps requests waiting.
      app: { workers: 64, service_time: 'const(5ms)', backlog: 8 },
      backends: [{ name: 'vm-a' }],
      timeline: [{ at: '10s', do: 'pause', backend: 'vm-a', duration: '3s' }],
    });
    expect(r.figures['syn_drops.total']!).toBeGreaterThan(10);
    // Linux admits backlog + 1 before it drops.
    expect(r.figures['app_queue.max']!).toBe(9);
  });
});
