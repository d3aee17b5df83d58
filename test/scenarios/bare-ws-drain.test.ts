/**
 * bare-ws-drain / bare-ws-drain-fixed: WebSocket sessions on node servers straight behind HAProxy
 * mode http (`proxy: none`). SIGTERM reaches the app itself; without a hook for its sessions it
 * is SIGKILLed at the end of its 30-s grace and every session ends at once with 1006, its clients
 * reconnecting in one burst; with the app closing them itself (1001, spread over 20 s) and
 * jittered reconnects nobody sees 1006 and the reconnects are spread.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setupSentences } from '../../sim/explain/setup.js';
import type { RunResult } from '../../sim/result.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { runBuiltin, series } from '../model/helpers.js';
import { recordsOf } from '../trace/records-of.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

describe('bare-ws-drain / bare-ws-drain-fixed', () => {
  let drain: RunResult;
  let fixed: RunResult;
  beforeAll(() => {
    drain = runBuiltin('bare-ws-drain');
    fixed = runBuiltin('bare-ws-drain-fixed');
  });

  it("SIGTERM to the bare app, no nginx: vm-b's sessions all end with 1006 at the SIGKILL 30 s later", () => {
    const sigterm = recordsOf(drain, 'app.sigterm')[0];
    expect(sigterm.bare).toBe(true);
    expect(recordsOf(drain, 'nginx.quit')).toEqual([]);
    const onVmB = sigterm.wsSessions;
    expect(onVmB).toBeGreaterThan(600);
    // Those still open at the SIGKILL (a few users left in the 30 s), all in its one second.
    const killed = fig(drain, 'ws_close_1006.total');
    expect(killed).toBeGreaterThan(0.97 * onVmB);
    expect(killed).toBeLessThanOrEqual(onVmB);
    const closes = series(drain, 'ws_close_1006').filter(([, v]) => v > 0);
    expect(closes.map(([, v]) => v)).toEqual([killed]);
    expect(closes[0][0] - recordsOf(drain, 'app.sigterm')[0].t).toBeLessThanOrEqual(31);
    expect(fig(drain, 'reconnects.peak_per_s')).toBe(killed);
    // New upgrades to vm-b were refused at its closed listener and redispatched: no 503.
    expect(fig(drain, 'responses_5xx.total')).toBe(0);
    expect(fig(drain, 'vm-b.ws_sessions.final')).toBe(0);
  });

  it('the app closes its sessions itself (1001 over 20 s), clients jitter: no 1006, a reconnect peak 15x lower', () => {
    const onVmB = recordsOf(fixed, 'app.sigterm')[0].wsSessions;
    expect(fig(fixed, 'ws_close_1006.total')).toBe(0);
    expect(fig(fixed, 'ws_close_1001.total')).toBe(onVmB);
    expect(fig(fixed, 'vm-b.ws_sessions.final')).toBe(0);
    expect(fig(fixed, 'reconnects.peak_per_s') * 15).toBeLessThan(fig(drain, 'reconnects.peak_per_s'));
    expect(fig(fixed, 'errors.total')).toBe(0);
  });

  it('explain names no nginx proxy_read_timeout for tunnels nginx does not relay', () => {
    const setup = setupSentences(loadScenario('bare-ws-drain', ScenarioSchema).scenario, 1).join(' ');
    expect(setup).toMatch(/no nginx relays the tunnels/);
    expect(setup).not.toMatch(/proxy_read_timeout/);
  });
});
