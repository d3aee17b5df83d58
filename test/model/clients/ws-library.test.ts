/**
 * `clients.ws.library` (clients/ws-library.ts): what the WebSocket client implementation decides by
 * itself. Who closes TCP first after the server's Close frame — Node's `ws` answers and sends its
 * FIN at once (lib/websocket.js receiverOnConclude() → close() → socket.end()), a browser waits for
 * the server's (RFC 6455 §7.1.1) — and the opening handshake's own timeout (`ws`: none;
 * socket.io-client: 20 s; Chromium: 240 s), which is not the pings' pong_timeout.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, scenario, series, valueAt } from '../helpers.js';

const SESSIONS = 200;

/**
 * 200 sessions at 1 s over vm-a and vm-b (l4, roundrobin: 100 each, no pings); vm-a is drained at
 * 10 s (a deploy) and its app's drain notice closes its 100 sessions with 1001 at once. No reconnect within
 * the run, so every TIME_WAIT counted at 10.5 s is one of those closes.
 */
function drained(library: string, mode: 'l4' | 'l7' | 'nat' = 'l4'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '100ms',
    app: { ws: { drain_notice: true, close_after: '0s' } },
    clients: {
      ws: {
        library,
        ping_interval: 'none',
        reconnect: { policy: 'exponential', base: '1h', cap: '1h', honor_retry_after: false },
        scheduled: Array.from({ length: SESSIONS }, () => ({ at: '1s', lifetime: '1h' })),
      },
    },
    lb: { mode, balance: 'roundrobin' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    // The deploy's drain starts the app's drain notice (control/timeline.ts); its gate polls after the count.
    timeline: [{ at: '10s', do: 'deploy', backend: 'vm-a', gate: { poll: '5s' } }],
  } as ScenarioInput;
}

/** Where the TIME_WAITs of vm-a's 1001 closes are half a second after them. */
function timeWaitsAfterDrain(library: string, mode: 'l4' | 'l7' | 'nat' = 'l4') {
  const model = buildModel(scenario(drained(library, mode)));
  startModel(model);
  const { world } = model;
  let client = 0;
  const release = world.releaseClientEnd.bind(world);
  world.releaseClientEnd = (conn, timeWait) => {
    if (timeWait && conn.clientPair >= 0) client++;
    release(conn, timeWait);
  };
  world.engine.run(9.9);
  const open = world.backends[0].wsSessions.size;
  // The health checks' own connections close too: counted from here.
  const vmBefore = world.backends[0].host.timeWaitCount;
  const lbBefore = world.lbHost?.host.timeWaitCount ?? 0;
  client = 0;
  world.engine.run(10.5);
  return {
    open,
    closed: open - world.backends[0].wsSessions.size,
    client,
    // HAProxy's client-facing sockets (`lb_time_wait`) and its own ports to the VMs (`lb_ports_busy`).
    lbClientSide: world.lbHost?.clientTimeWaits(world.now) ?? 0,
    lbServerSide: (world.lbHost?.host.timeWaitCount ?? 0) - lbBefore,
    // New on vm-a's kernel: nginx's accepted and upstream sockets and the app's.
    vm: world.backends[0].host.timeWaitCount - vmBefore,
  };
}

describe('clients.ws.library: who closes TCP first after the server closes with 1001', () => {
  it('`ws` clients close first: the TIME_WAITs are on the client machines and HAProxy server side, none on its client side', () => {
    const t = timeWaitsAfterDrain('ws');
    expect(t.open).toBe(SESSIONS / 2);
    expect(t.closed).toBe(SESSIONS / 2);
    // Each client's FIN went out with its answering Close: its machine holds the TIME_WAIT.
    expect(t.client).toBe(SESSIONS / 2);
    // HAProxy relayed the FIN to nginx and closed its server side first; its client side closed passively.
    expect(t.lbClientSide).toBe(0);
    expect(t.lbServerSide).toBe(SESSIONS / 2);
    // nginx, reading that EOF, closes its upstream connection first: one TIME_WAIT per session on vm-a
    // (its connecting socket), where a browser's close leaves two (nginx's accepted socket, the app's).
    expect(t.vm).toBe(SESSIONS / 2);
  });

  it('browser clients wait for the server: the app and nginx close first, HAProxy holds the client-side TIME_WAIT', () => {
    for (const library of ['browser', 'socket.io-browser']) {
      const t = timeWaitsAfterDrain(library);
      expect(t.closed).toBe(SESSIONS / 2);
      expect(t.client).toBe(0);
      expect(t.lbClientSide).toBe(SESSIONS / 2);
      expect(t.lbServerSide).toBe(0);
      expect(t.vm).toBe(SESSIONS);
    }
  });

  it('socket.io in Node closes as `ws` does (its websocket transport is `ws`); so through lb.mode l7', () => {
    const t = timeWaitsAfterDrain('socket.io-node');
    expect([t.client, t.lbClientSide, t.lbServerSide]).toEqual([SESSIONS / 2, 0, SESSIONS / 2]);
    const l7 = timeWaitsAfterDrain('ws', 'l7');
    expect([l7.client, l7.lbClientSide, l7.lbServerSide]).toEqual([SESSIONS / 2, 0, SESSIONS / 2]);
    const browserL7 = timeWaitsAfterDrain('browser', 'l7');
    expect([browserL7.client, browserL7.lbClientSide]).toEqual([0, SESSIONS / 2]);
  });

  it('behind a NAT the VM itself sees the client close first: only nginx upstream TIME_WAITs stay on it', () => {
    const t = timeWaitsAfterDrain('ws', 'nat');
    // (A NAT's scheduler splits the 200 unevenly: t.open of them are on vm-a.)
    expect(t.closed).toBe(t.open);
    expect(t.client).toBe(t.open);
    expect(t.vm).toBe(t.open);
    const b = timeWaitsAfterDrain('browser', 'nat');
    expect(b.client).toBe(0);
    expect(b.vm).toBe(2 * b.open);
  });

  it('a user leaving (its own 1000) is closed by the server first with every library', () => {
    for (const library of ['ws', 'browser']) {
      const input = drained(library);
      input.timeline = [];
      input.clients!.ws!.scheduled = Array.from({ length: 20 }, () => ({ at: '1s', lifetime: '5s' }));
      const r = run(input, 1);
      expect(r.figures['ws_close_1000.total']).toBe(20);
      expect(r.figures['lb_time_wait.max']).toBe(20);
    }
  });
});

/**
 * One nginx worker doing 1,000 full TLS handshakes of 1 ms each, all connected at 1 s: the last
 * upgrades reach the app ~1 s later (ws-upgrade-worker.test.ts). A client whose timeout is
 * shorter gives up (its own timer: err_client_timeout).
 */
function tlsBurst(ws: Record<string, unknown>, handshakeCpu = '1ms', horizon = '5s'): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon,
    sample_interval: '10ms',
    clients: {
      ws: {
        ping_interval: 'none',
        scheduled: Array.from({ length: 1000 }, () => ({ at: '1s', lifetime: '1h' })),
        reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
        ...ws,
      },
    },
    nginx: { worker_processes: 1, listen_backlog: 4096, worker_connections: 16384 },
    app: { ws: { handshake_time: '0s' }, tls: { terminates: 'nginx', handshake_cpu: handshakeCpu } },
    backends: [{ name: 'vm-a' }],
  } as ScenarioInput;
}

describe('clients.ws.handshake_timeout: the opening handshake only', () => {
  it('a 500-ms handshake timeout gives up the ~470 upgrades still queued then; pong_timeout plays no part', () => {
    const r = run(tlsBurst({ handshake_timeout: '500ms', pong_timeout: '20s' }), 1);
    const timedOut = r.figures['err_client_timeout.total']!;
    expect(timedOut).toBeGreaterThan(450);
    expect(timedOut).toBeLessThan(550);
    // A short pong_timeout is not the handshake's: socket.io-client's 20 s covers the burst.
    const pong = run(tlsBurst({ pong_timeout: '500ms' }), 1);
    expect(pong.figures['err_client_timeout.total'] ?? 0).toBe(0);
    expect(valueAt(pong, 'ws_sessions', 2.2)).toBe(1000);
  });

  it('`ws` clients never give up a handshake by themselves (no handshakeTimeout); browsers after 240 s', () => {
    // 30 ms a handshake: the burst's last upgrade reaches the app 30 s after the first; `ws` waits.
    const ws = run(tlsBurst({ library: 'ws', pong_timeout: '1s' }, '30ms', '40s'), 1);
    expect(ws.figures['err_client_timeout.total'] ?? 0).toBe(0);
    expect(valueAt(ws, 'ws_sessions', 35)).toBe(1000);
    // socket.io-client gives up at 20 s those still queued (1,000 × 30 ms = 30 s of handshakes).
    const io = run(tlsBurst({ library: 'socket.io-node' }, '30ms', '40s'), 1);
    expect(io.figures['err_client_timeout.total']!).toBeGreaterThan(250);
    // Chromium's 240 s outlasts the burst.
    const chrome = run(tlsBurst({ library: 'browser' }, '30ms', '40s'), 1);
    expect(chrome.figures['err_client_timeout.total'] ?? 0).toBe(0);
  });

  it("handshake_timeout 0s is no timeout at all, not the library's 20 s nor an instant give-up", () => {
    // ws-library.ts wsHandshakeTimeout: a set 0 is Infinity (the calibration twins' "none"), so
    // socket.io in Node, which gives up at 20 s unset (manager.ts open()), waits the whole 30-s burst out.
    const none = run(tlsBurst({ library: 'socket.io-node', handshake_timeout: '0s' }, '30ms', '40s'), 1);
    expect(none.figures['err_etimedout.total'] ?? 0).toBe(0);
    expect(valueAt(none, 'ws_sessions', 35)).toBe(1000);
  });

  it('once upgraded a session is not timed by it: a vanished server is noticed at ping + pong_timeout', () => {
    const input: ScenarioInput = {
      warmup: '0s',
      horizon: '80s',
      sample_interval: '1s',
      clients: {
        rtt: '1ms',
        ws: {
          handshake_timeout: '1s',
          ping_interval: '10s',
          pong_timeout: '30s',
          reconnect: { policy: 'exponential', base: '1h', cap: '1h' },
          scheduled: [{ at: '1s', lifetime: '1h' }],
        },
      },
      lb: { mode: 'nat' },
      backends: [{ name: 'vm-a' }],
      timeline: [{ at: '15s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
    } as ScenarioInput;
    const r = run(input, 1);
    // Pings at 11, 21 s …: the first after the vanish (21 s) is unanswered until 51 s.
    const noticed = series(r, 'ws_close_1006').find(([, v]) => v > 0)![0];
    expect(noticed).toBeGreaterThan(50);
    expect(noticed).toBeLessThan(53);
    expect(r.figures['err_client_timeout.total']).toBe(1);
  });
});
