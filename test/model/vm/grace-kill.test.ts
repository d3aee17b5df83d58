/**
 * A graceful terminate whose app outlives shutdown_grace ends in SIGKILL (vm/lifecycle.ts
 * killAfterGrace): the supervisor logs that kill (kubelet killContainer, systemd TimeoutStopSec),
 * so the trace has an `app.grace_killed` record with what it cut — for nginx backends and bare apps.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { explanationOf, lineOf } from '../../../sim/trace/catalog.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** 20 requests/s of `service` on two backends; vm-a gets SIGTERM at 10 s with a 5-s shutdown_grace. */
function sigterm(service: string, proxy: 'nginx' | 'none'): RunResult {
  return run({
    warmup: '0s',
    horizon: '30s',
    clients: { rtt: '1ms', requests: { rate: 20, timeout: '60s', retries: 0 } },
    app: { workers: 64, service_time: `const(${service})`, graceful_shutdown: true, shutdown_grace: '5s' },
    lb: { mode: 'l7' },
    backends: [
      { name: 'vm-a', proxy },
      { name: 'vm-b', proxy },
    ],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
  } as ScenarioInput);
}

describe('the SIGKILL at the end of shutdown_grace is in the trace', () => {
  for (const proxy of ['nginx', 'none'] as const) {
    it(`${proxy}: requests of 20 s still in the app at 15 s: app.grace_killed with the requests it cut`, () => {
      const r = sigterm('20s', proxy);
      const killed = recordsOf(r, 'app.grace_killed');
      expect(killed).toHaveLength(1);
      const k = killed[0];
      expect(k.t).toBeCloseTo(15, 6);
      expect(k.backend).toBe('vm-a');
      expect(k.shutdownGrace).toBe(5);
      expect(k.inFlight).toBeGreaterThan(50);
      expect(k.bare).toBe(proxy === 'none' ? true : undefined);
      expect(lineOf(k)).toBe(
        `vm-a: still running 5s after SIGTERM (shutdown_grace): killed (SIGKILL), ${k.inFlight} requests and 0 WebSocket sessions cut`,
      );
      expect(explanationOf(k)).toMatch(/killContainer, pkg\/kubelet\/kuberuntime\/kuberuntime_container\.go/);
      expect(explanationOf(k)).toMatch(/TimeoutStopSec/);
      expect(explanationOf(k)).toMatch(proxy === 'none' ? /the balancer answers each request/ : /502/);
      // Not the timeline's own `mode: kill`.
      expect(recordsOf(r, 'app.killed')).toHaveLength(0);
    });
  }

  it('WebSocket sessions alone (bare-ws-drain): the explanation names the sessions and their 1006, not requests', () => {
    const k = {
      kind: 'app.grace_killed',
      t: 90,
      backend: 'vm-b',
      shutdownGrace: 30,
      inFlight: 0,
      wsSessions: 743,
      bare: true,
    } as const;
    expect(lineOf(k)).toBe(
      'vm-b: still running 30s after SIGTERM (shutdown_grace): killed (SIGKILL), 0 requests and 743 WebSocket sessions cut',
    );
    const why = explanationOf(k);
    expect(why).toMatch(/^The app on vm-b still held 743 WebSocket sessions 30s after its SIGTERM\. /);
    expect(why).toMatch(/each session ends without a Close frame \(1006\)/);
    expect(why).not.toMatch(/request in flight|502/);
  });

  it('an app that finished its requests within shutdown_grace exits by itself: no kill', () => {
    expect(recordsOf(sigterm('100ms', 'nginx'), 'app.grace_killed')).toHaveLength(0);
  });
});
