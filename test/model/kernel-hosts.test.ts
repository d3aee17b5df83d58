/**
 * The kernel model wired into the model: client machines hold their own TIME_WAIT and ports,
 * and a VM's app side of nginx → app holds TIME_WAIT that a returning SYN reopens.
 */
import { describe, expect, it } from 'vitest';
import { mean, run, window } from './helpers.js';

describe('client machines are hosts', () => {
  it('one client address closing first at 600/s runs out of ports towards the VIP (EADDRNOTAVAIL on the client), none with 100 addresses', () => {
    const churn = (sourceIps: number) =>
      run({
        warmup: '0s',
        horizon: '75s',
        clients: {
          source_ips: sourceIps,
          http: { arrival_rate: 600, requests_per_connection: 'const(1)', think_time: 'const(1s)', retries: 0 },
        },
        nginx: { upstream_keepalive: 64 },
        app: { workers: 256, service_time: 'const(1ms)' },
        backends: [{ name: 'vm-a' }],
      });
    const one = churn(1);
    // 28,232 ports held ≥ 60 s each on the client machine: past ~47 s every connect fails there,
    // until the first TIME_WAITs leave the timer wheel.
    expect(one.figures['err_eaddrnotavail.total']!).toBeGreaterThan(1000);
    // Counted apart from nginx's (upstream_eaddrnotavail) and the balancer's (lb_eaddrnotavail).
    expect(one.figures['upstream_eaddrnotavail.total']).toBe(0);
    // The TIME_WAIT is the client's, not the VM's.
    expect(one.figures['vm-a.time_wait.max']!).toBeLessThan(1000);
    expect(churn(100).figures['err_eaddrnotavail.total']).toBe(0);
  });
});

describe('nginx → app TIME_WAIT on the app side', () => {
  it('with the app closing first, SYNs on the same 4-tuple reopen it: the plateau stays well under rate × 60 s and tw_reopened counts them', () => {
    const r = run({
      warmup: '0s',
      horizon: '100s',
      clients: { http: { arrival_rate: 300, requests_per_connection: 'const(1)', retries: 0 } },
      nginx: { upstream_keepalive: 0, upstream_close_first: 'app' },
      app: { workers: 64, service_time: 'const(1ms)' },
      backends: [{ name: 'vm-a' }],
    });
    const plateau = mean(window(r, 'time_wait', 76, 100));
    expect(plateau / (300 * 60)).toBeLessThan(0.7);
    expect(r.figures['tw_reopened.total']!).toBeGreaterThan(5000);
  });
});
