/**
 * A VM's graceful stop stops nginx through its systemd unit: QUIT, then SIGTERM (the fast stop)
 * `nginx.stop_timeout` (5 s) later if it still runs (proxy/master.ts unitStop). That SIGTERM
 * belongs to the machine that was stopping: a VM rebuilt meanwhile (bind after the terminate: a
 * new incarnation, a new nginx) is left alone, even when its own nginx is not listening then
 * (an operator's `nginx -s quit` on it, which is never followed by a stop). Regime: 100 WebSocket
 * tunnels keep the old nginx running past its QUIT at 20 s (the stop is scheduled for 25 s); the
 * VM is rebuilt at 21 s, 10 tunnels open through its nginx at 22 s and keep it running after its
 * QUIT at 23 s. Catches review41 ST2: unitStopTimedOut without
 * the `p.backend.incarnation !== p.incarnation` check (a fast stop at 25 s).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

describe("the old machine's unit stop and a rebuilt VM", () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({
      warmup: '0s',
      horizon: '40s',
      clients: {
        ws: {
          initial_sessions: 100,
          initial_ramp: '5s',
          lifetime: 'const(24h)',
          reconnect: { policy: 'exponential', base: '50s', cap: '50s' },
          // Ten tunnels through the rebuilt VM's nginx keep it running after its QUIT at 23 s.
          scheduled: Array.from({ length: 10 }, () => ({ at: '22s', lifetime: '1h' })),
        },
      },
      app: { graceful_shutdown: true, shutdown_grace: '30s' },
      nginx: { proxy_read_timeout: '1h' },
      backends: [{ name: 'vm-a' }],
      timeline: [
        { at: '20s', do: 'terminate', backend: 'vm-a', mode: 'graceful' },
        { at: '21s', do: 'bind', backend: 'vm-a' },
        { at: '23s', do: 'nginx_quit', backend: 'vm-a' },
      ],
    } as ScenarioInput);
  });

  it('no fast stop 5 s after the old SIGTERM: the rebuilt VM (its nginx quitting) is not stopped', () => {
    // The regime: the old nginx still held its tunnels at its QUIT, so a unit stop was scheduled,
    // and the rebuilt VM came up before it was due.
    const [sigterm] = recordsOf(r, 'app.sigterm');
    expect(sigterm.t).toBe(20);
    const rebuilt = r.events.filter((e) => e.record.kind === 'deploy.new_version').map((e) => e.t);
    expect(rebuilt).toEqual([21]);
    expect(recordsOf(r, 'nginx.quit').some((x) => x.t === 23)).toBe(true);
    expect(recordsOf(r, 'nginx.stop')).toEqual([]);
  });
});
