/**
 * The proxying balancer is a host (sim/model/core/lb-host.ts): in lb.mode l4 it connects to each
 * backend from its own ephemeral ports, holds the TIME_WAIT when the client closed first, and
 * runs out of ports on its own (lb_eaddrnotavail), apart from the client machines
 * (err_eaddrnotavail). lb.mode nat has no such host.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { run } from './helpers.js';

/** 100 client addresses closing first at 100/s through the balancer to one VM, for 75 s. */
function churn(lb: ScenarioInput['lb']) {
  return run({
    warmup: '0s',
    horizon: '75s',
    clients: {
      source_ips: 100,
      http: { arrival_rate: 100, requests_per_connection: 'const(1)', think_time: 'const(1s)', retries: 0 },
    },
    nginx: { upstream_keepalive: 64 },
    app: { workers: 64, service_time: 'const(1ms)' },
    backends: [{ name: 'vm-a' }],
    lb,
  });
}

describe('the balancer host of an L4 proxy', () => {
  // 1,000 ports towards vm-a held ~61 s each in TIME_WAIT: past ~10 s the balancer's connect()s fail.
  const small = { ip_local_port_range: [40000, 40999] as [number, number] };

  it('runs out of its own ports towards a backend when clients close first (lb_eaddrnotavail, not err_eaddrnotavail)', () => {
    const r = churn({ mode: 'l4', kernel: small });
    expect(r.figures['lb_eaddrnotavail.total']!).toBeGreaterThan(3000);
    expect(r.figures['err_eaddrnotavail.total']).toBe(0);
    // Its ports towards vm-a are all taken, open or in TIME_WAIT.
    expect(r.figures['lb_ports_busy.max']).toBe(1000);
    // The client reads EOF on its accepted connection: ECONNRESET.
    expect(r.figures['err_econnreset.total']!).toBeGreaterThan(1000);
    // The balancer closed first towards the VM: the VM holds no TIME_WAIT for these flows.
    expect(r.figures['vm-a.time_wait.max']!).toBeLessThan(100);
  });

  it('tcp_tw_reuse=1 on the balancer lets connect() take over its TIME_WAITs after 1 s: no failure', () => {
    const r = churn({ mode: 'l4', kernel: { ...small, tcp_tw_reuse: 1 } });
    expect(r.figures['lb_eaddrnotavail.total']).toBe(0);
    expect(r.figures['tw_reused.total']!).toBeGreaterThan(3000);
  });

  it('an L4 NAT has no ports of its own: the client 4-tuples reach the VM', () => {
    const r = churn({ mode: 'nat', kernel: small });
    expect(r.figures['lb_eaddrnotavail.total']).toBe(0);
    expect(r.figures['lb_ports_busy.max']).toBe(0);
  });

  it('with nginx closing first the VM holds TIME_WAIT for the balancer 4-tuples, and the balancer SYNs reopen them', () => {
    const serverCloses = (mode: 'l4' | 'nat') =>
      run({
        warmup: '0s',
        horizon: '60s',
        clients: {
          source_ips: 100_000,
          http: { arrival_rate: 200, requests_per_connection: 'const(2)', think_time: 'const(5s)', retries: 0 },
        },
        nginx: { upstream_keepalive: 64, keepalive_timeout: '1s' },
        app: { workers: 64, service_time: 'const(1ms)' },
        backends: [{ name: 'vm-a' }],
        lb: { mode },
      });
    const proxied = serverCloses('l4');
    const natted = serverCloses('nat');
    // One source address (the balancer) towards vm-a:443: its walk comes back to ports whose
    // TIME_WAIT the VM holds, and the newer timestamp reopens them (tcp_timewait_state_process).
    expect(proxied.figures['tw_reopened.total']!).toBeGreaterThan(3000);
    // 100,000 client addresses: a 4-tuple almost never comes back within 60 s.
    expect(natted.figures['tw_reopened.total']!).toBeLessThan(100);
    expect(proxied.figures['vm-a.time_wait.max']!).toBeLessThan(0.85 * natted.figures['vm-a.time_wait.max']!);
  });
});
