/**
 * WebSocket clients to bare app servers (`backends[].proxy: none`) behind HAProxy mode http
 * (session 15): the upgrade is one stream on HAProxy's own server connection to the app,
 * tunnelled after the 101 and pinned; no nginx relays it. So nginx's proxy_read_timeout does not
 * apply, only HAProxy's tunnel timeout and the app's own policies; a killed or SIGTERMed app's
 * listener refuses the next upgrades' connects (HAProxy retries and redispatches them, or answers
 * 503) where nginx on the VM would still accept them and answer 502 itself; the app's pings keep a
 * tunnel alive as the clients' do (app.ws.ping_interval).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

type Proxy = 'nginx' | 'none';
const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** 100 sessions opened in the first 10 s over vm-a and vm-b, kept an hour; `extra` on top. */
function sessions(proxy: Proxy, extra: Partial<Record<'clients' | 'app' | 'lb' | 'timeline', unknown>> = {}) {
  return {
    warmup: '0s',
    horizon: '3m',
    sample_interval: '1s',
    clients: {
      ws: {
        initial_sessions: 100,
        initial_ramp: '10s',
        start: 'cold',
        lifetime: 'const(1h)',
        ping_interval: '30s',
        reconnect: { policy: 'exponential', base: '1s', cap: '1s' },
        ...(extra.clients as object),
      },
    },
    app: { keepalive_timeout: '6s', graceful_shutdown: true, shutdown_grace: '30s', ...(extra.app as object) },
    lb: { mode: 'l7', redispatch: true, ...(extra.lb as object) },
    backends: [
      { name: 'vm-a', proxy },
      { name: 'vm-b', proxy },
    ],
    timeline: extra.timeline ?? [],
  } as ScenarioInput;
}

describe('WebSocket tunnels to a bare app server behind lb.mode l7', () => {
  it("has no nginx proxy_read_timeout: clients that never ping keep their tunnels (nginx's 60 s closes them)", () => {
    const quiet = { clients: { ping_interval: 0 } };
    const nginx = run(sessions('nginx', quiet));
    const bare = run(sessions('none', quiet));
    expect(recordsOf(nginx, 'nginx.tunnel_idle_timeout').length).toBeGreaterThan(0);
    expect(fig(nginx, 'ws_close_1006.total')).toBeGreaterThanOrEqual(200);
    expect(fig(bare, 'ws_close_1006.total')).toBe(0);
    expect(fig(bare, 'ws_sessions.final')).toBe(100);
    // The tunnel ends at the app: no nginx upstream connection is opened for it.
    expect(fig(bare, 'upstream_connects.total')).toBe(0);
    expect(fig(nginx, 'upstream_connects.total')).toBeGreaterThanOrEqual(100);
  });

  it("HAProxy's timeout tunnel still closes idle ones; the app's own pings keep its tunnels alive", () => {
    const input = sessions('none', { clients: { ping_interval: 0 }, lb: { timeout_tunnel: '20s' } });
    input.backends = [
      { name: 'vm-a', proxy: 'none', app: { ws: { ping_interval: '10s' } } },
      { name: 'vm-b', proxy: 'none' },
    ];
    const r = run(input);
    expect(totalIn(r, 'ws_close_1006', 0, 180, 'vm-a')).toBe(0);
    // vm-b's 50 tunnels close every 20 s + 1 s reconnect; the reconnects go half to vm-a, and stay.
    expect(totalIn(r, 'ws_close_1006', 0, 180, 'vm-b')).toBeGreaterThanOrEqual(90);
    const idle = recordsOf(r, 'lb.tunnel_idle_timeout');
    expect(idle.length).toBeGreaterThan(0);
    expect(idle.every((x) => x.backend === 'vm-b' && x.bare === true)).toBe(true);
  });

  it('a killed app refuses the reconnects at connect: redispatched, no 5xx — nginx on the VM answers them 502', () => {
    const kill = { timeline: [{ at: '60s', do: 'terminate', backend: 'vm-a', mode: 'kill' }] };
    const bare = run(sessions('none', kill));
    const nginx = run(sessions('nginx', kill));
    // The 50 tunnels on vm-a end with the app's FIN, relayed by HAProxy: 1006 each.
    expect(fig(bare, 'ws_close_1006.total')).toBe(50);
    expect(fig(bare, 'responses_5xx.total')).toBe(0);
    expect(fig(bare, 'vm-b.ws_sessions.final')).toBe(100);
    // Behind nginx the VM still listens: the upgrades roundrobin gives vm-a get nginx's 502.
    expect(fig(nginx, 'responses_5xx.total')).toBeGreaterThan(0);
  });

  it('SIGTERM reaches the app itself: close_on_shutdown closes its sessions with 1001, no nginx quits', () => {
    const r = run(
      sessions('none', {
        app: { ws: { close_on_shutdown: true } },
        timeline: [{ at: '60s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
      }),
    );
    expect(fig(r, 'ws_close_1001.total')).toBe(50);
    expect(fig(r, 'ws_close_1006.total')).toBe(0);
    expect(fig(r, 'responses_5xx.total')).toBe(0);
    expect(fig(r, 'vm-b.ws_sessions.final')).toBe(100);
    expect(recordsOf(r, 'nginx.quit')).toEqual([]);
    const sigterm = recordsOf(r, 'app.sigterm')[0];
    expect(sigterm.bare).toBe(true);
    expect(sigterm.wsSessions).toBe(50);
  });

  it("SIGTERM's drain notice acts on the clients directly: closed after close_after, back after its retryAfter", () => {
    const r = run(
      sessions('none', {
        clients: { reconnect: { policy: 'exponential', base: '1s', cap: '1s', honor_retry_after: true } },
        app: { ws: { drain_notice: true, retry_after: '5s', close_after: '10s' } },
        timeline: [{ at: '60s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
      }),
    );
    // The notice itself closes nothing; close_after 10 s closes all 50 with 1001 (at 70 s: the
    // sample ending at 71 s); each reconnects
    // 5 s later (retryAfter, no jitter): vm-a's listener is closed, HAProxy redispatches to vm-b.
    expect(fig(r, 'ws_close_1001.total')).toBe(50);
    expect(totalIn(r, 'ws_close_1001', 69, 71)).toBe(50);
    expect(totalIn(r, 'new_conn', 74, 76, 'vm-b')).toBe(50);
    expect(fig(r, 'vm-b.ws_sessions.final')).toBe(100);
  });
});
