/**
 * TLS ending in the app (app.tls.terminates: app) behind the VM's nginx: every upstream connection
 * nginx opens to the app costs a handshake on the app's workers (app/tls.ts TlsHandshakes.upstream),
 * not every client connection. TLS ending at nginx or the balancer is not charged to them: nginx's
 * workers pay it (proxy/worker-cpu.ts, test/model/proxy/worker-cpu.test.ts), the balancer only
 * with lb.nbthread stated.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { mean, run, window } from '../helpers.js';

/** 400 new HTTP requests/s on one VM, `perConn` per connection, 0.1 ms each, 8 workers. */
function clients(perConn: number, tls: Record<string, unknown>, nginxWorkers = 1): RunResult {
  return run({
    warmup: '0s',
    horizon: '20s',
    clients: {
      http: { arrival_rate: 400 / perConn, requests_per_connection: `const(${perConn})`, think_time: 'const(10ms)' },
    },
    app: { workers: 8, service_time: 'const(0.1ms)', tls },
    nginx: { worker_processes: nginxWorkers },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput);
}

const busyWorkerSeconds = (r: RunResult) => mean(window(r, 'app_busy', 5, 20, 'vm-a'));

describe('the TLS handshake of every accepted connection', () => {
  it('costs the app nothing when TLS ends elsewhere (none, lb without nbthread)', () => {
    const plain = busyWorkerSeconds(clients(1, {}));
    for (const terminates of ['none', 'lb']) {
      const tls = busyWorkerSeconds(clients(1, { terminates, handshake_cpu: '5ms' }));
      expect(tls).toBeCloseTo(plain, 6);
    }
  });

  it("costs the app's workers nothing when TLS ends at nginx (nginx's workers pay: 2 s a second over 4)", () => {
    const plain = busyWorkerSeconds(clients(1, {}, 4));
    const tls = busyWorkerSeconds(clients(1, { terminates: 'nginx', handshake_cpu: '5ms' }, 4));
    // The same requests, some read a few ms later: not the 2 busy workers `app` adds.
    expect(Math.abs(tls - plain)).toBeLessThan(0.1);
  });

  it('charges a full handshake per upstream connection nginx opens, not per client connection: without upstream keepalive one per request, 400/s × 5 ms = 2 busy workers more (tickets off)', () => {
    // Before (session 19), one per client connection at its SYN: 2 workers with one request per
    // connection, 0.2 with ten. nginx's upstream keepalive and session reuse: test/model/proxy/upstream-tls.test.ts.
    for (const perConn of [1, 10]) {
      const plain = busyWorkerSeconds(clients(perConn, {}));
      const tls = busyWorkerSeconds(
        clients(perConn, { terminates: 'app', handshake_cpu: '5ms', session_tickets: false }),
      );
      // The busy-worker gauge is sampled once a second: ±0.5 over 15 samples.
      expect(tls - plain).toBeGreaterThan(1.2);
      expect(tls - plain).toBeLessThan(2.8);
    }
  });
});
