/**
 * `app.sigterm_keepalive: stoppable` — terminus's shutdown (godaddy/terminus lib/terminus.js
 * decorateWithSignalHandler(): `stoppable(server, timeout)`, timeout 1000 ms by default) as
 * hunterloftis/stoppable lib/stoppable.js does it: stop() closes the listener, ends idle sockets at
 * once and each busy one right after its response (`req.socket.end()` when its pending count is
 * 0), and `grace` later destroys every socket still open (destroyAll()), after which terminus
 * re-raises the signal and the process exits. `keep` (node's own server.close()) serves busy
 * kept-alive connections until shutdown_grace's kill.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, runBuiltin } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * 20 keep-alive clients a second, 40 requests each `service` long and 500 ms apart, on two app
 * servers; vm-a SIGTERMed at 20 s (the supervisor's kill 10 s later).
 */
function sigterm(proxy: 'none' | 'nginx', service: string, app: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(40)', think_time: 'const(500ms)', retries: 0 },
    },
    app: {
      workers: 256,
      service_time: `const(${service})`,
      keepalive_timeout: '3s',
      graceful_shutdown: true,
      shutdown_grace: '10s',
      ...app,
    },
    ...(proxy === 'nginx' ? { nginx: { worker_connections: 16384 } } : {}),
    lb: { mode: 'l4', redispatch: true, timeout_client: '30s', timeout_server: '30s' },
    backends: [
      { name: 'vm-a', proxy },
      { name: 'vm-b', proxy },
    ],
    timeline: [{ at: '20s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
  } as ScenarioInput;
}

describe('sigterm_keepalive: stoppable (terminus)', () => {
  it('busy kept-alive connections end after their response (keep serves them until the kill at 30 s)', () => {
    const stoppable = run(sigterm('none', '500ms', { sigterm_keepalive: 'stoppable' }));
    const keep = run(sigterm('none', '500ms'));
    // Idle ones at the SIGTERM, busy ones after their answer: no request on vm-a after 21 s.
    expect(totalIn(stoppable, 'closed_fin', 20, 21, 'vm-a')).toBeGreaterThan(20);
    expect(totalIn(stoppable, 'requests', 22, 60, 'vm-a')).toBe(0);
    // Every response came within stoppable's 1 s: nothing to destroy, nothing fails.
    expect(recordsOf(stoppable, 'app.stoppable_destroyed')).toEqual([]);
    expect(fig(stoppable, 'errors.total')).toBe(0);
    expect(totalIn(keep, 'requests', 25, 30, 'vm-a')).toBeGreaterThan(100);
    expect(fig(keep, 'err_econnreset.total')).toBeGreaterThan(5);
  });

  it('1 s after stop() (terminus timeout 1000 ms) a request still in flight is destroyed with its socket; close lets it finish', () => {
    const stoppable = run(sigterm('none', '2500ms', { sigterm_keepalive: 'stoppable' }));
    const [destroyed, ...rest] = recordsOf(stoppable, 'app.stoppable_destroyed');
    expect(rest).toEqual([]);
    expect(destroyed.t).toBeCloseTo(21, 6);
    expect(destroyed.grace).toBe(1);
    expect(destroyed.inFlight).toBeGreaterThan(20);
    // Each reads EOF at 21 s: through HAProxy mode tcp, the app's close.
    expect(totalIn(stoppable, 'err_econnreset', 20, 22)).toBe(destroyed.inFlight);
    expect(fig(stoppable, 'errors.total')).toBe(destroyed.inFlight);
    for (const app of [{ sigterm_keepalive: 'close' }, { sigterm_keepalive: 'stoppable', stoppable_grace: '3s' }]) {
      const r = run(sigterm('none', '2500ms', app));
      expect(recordsOf(r, 'app.stoppable_destroyed')).toEqual([]);
      expect(fig(r, 'errors.total')).toBe(0);
    }
  });

  it('behind nginx: the destroy is the app’s, so nginx answers the requests it cut 502', () => {
    const r = run(sigterm('nginx', '2500ms', { sigterm_keepalive: 'stoppable' }));
    const [destroyed] = recordsOf(r, 'app.stoppable_destroyed');
    expect(destroyed.inFlight).toBeGreaterThan(20);
    expect(destroyed.bare).toBeUndefined();
    expect(totalIn(r, 'responses_5xx', 20, 22)).toBe(destroyed.inFlight);
    expect(fig(run(sigterm('nginx', '2500ms')), 'responses_5xx.total')).toBe(0);
  });

  it('is refused in a scenario with Kubernetes pods; stoppable_grace without stoppable is refused', () => {
    const paths = (input: ScenarioInput): string[] =>
      (ScenarioSchema.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
    const pods = sigterm('none', '500ms', { sigterm_keepalive: 'stoppable' }) as ScenarioInput & {
      probes: unknown;
    };
    pods.probes = { liveness: { type: 'http' } };
    expect(paths(pods)).toContain('app.sigterm_keepalive');
    expect(paths(sigterm('none', '500ms', { stoppable_grace: '2s' }))).toContain('app.stoppable_grace');
  });
});

describe('stoppable and WebSocket sessions (review39 #1)', () => {
  it("stop() ends an upgraded socket at once (its 'upgrade' is no 'request'): 1006 in the second of the SIGTERM, none cut by the destroy", () => {
    // bare-ws-drain: ~2,300 sessions on three node servers, vm-b SIGTERMed at 10:01 without
    // ws.close_on_shutdown. `keep` holds its 757 sessions to the SIGKILL 30 s later.
    const r = runBuiltin('bare-ws-drain', 1, ['app.sigterm_keepalive=stoppable']);
    const sigterm = r.events.find((e) => e.text.includes('SIGTERM') && e.text.includes('vm-b'));
    expect(sigterm).toBeDefined();
    const at = sigterm!.t;
    expect(between(r, 'ws_close_1006', at - 0.5, at + 0.5)).toBeGreaterThan(700);
    for (const d of recordsOf(r, 'app.stoppable_destroyed')) expect(d.wsSessions).toBe(0);
  });
});
