/**
 * Issue 14 / 17, bounded memory: the kernel model's tables hold what the kernels hold now (open
 * sockets, TIME_WAITs not yet expired, busy client machines), not every client address a run
 * has seen. Counted in entries, not RSS (RSS belongs to `npm run bench`).
 *
 * The regime where it matters: short connections from a large address population (the default
 * 100,000 source addresses), so a VM meets tens of thousands of distinct client addresses in
 * 40 minutes while only ~rate × 61 s of them hold a socket at any moment.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../sim/run-scenario.js';
import { scenario } from './helpers.js';

describe('kernel tables stay bounded over simulated time', () => {
  it('VM pair tables, TIME_WAIT queues and client machines hold what is busy, not every address seen', () => {
    const rate = 20;
    const model = buildModel(
      scenario({
        warmup: '0s',
        horizon: '40m',
        sample_interval: '10s',
        // Through a NAT the VM sees each client's own address (a proxy's VMs see the balancer's).
        lb: { mode: 'nat' },
        clients: {
          http: { arrival_rate: rate, requests_per_connection: 'const(2)', think_time: 'const(1s)', retries: 0 },
        },
        backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      }),
    );
    startModel(model);
    const { world } = model;
    const tables = () => {
      const vms = world.backends.map((b) => b.host);
      return {
        vmPairs: vms.reduce((n, h) => n + h.pairCount, 0),
        vmQueued: vms.reduce((n, h) => n + h.timeWaitQueueLength, 0),
        vmSockets: vms.reduce((n, h) => n + h.openCount + h.timeWaitCount, 0),
        machines: world.clientHosts.size,
      };
    };
    world.engine.run(600);
    const early = tables();
    world.engine.run(2400);
    const late = tables();
    const connections = rate * 2400;
    // ~48,000 connections from 100,000 addresses: ~38,000 distinct, ~21,000 per VM. Kept forever,
    // the pair table would be ~4× its size at 10 minutes by now (60,443 vs 11,651 at 1 h before
    // pairs were let go).
    expect(late.vmPairs).toBeLessThan(1.5 * early.vmPairs + 100);
    // At most one pair per socket held (a pair with no socket is let go), plus the VMs' own
    // nginx → app pairs.
    expect(late.vmPairs).toBeLessThanOrEqual(late.vmSockets + 4 * world.backends.length);
    expect(late.vmPairs).toBeLessThan(connections / 20);
    // The TIME_WAIT queues hold about rate × 61 s slots, not one per connection ever closed.
    expect(late.vmQueued).toBeLessThan(1.5 * early.vmQueued + 100);
    // Idle client machines are let go (swept every 4,096 boots).
    expect(late.machines).toBeLessThan(4096 + 2 * rate * 61);
    expect(early.vmSockets).toBeGreaterThan(rate * 30); // the regime: many sockets held at once
  });
});
