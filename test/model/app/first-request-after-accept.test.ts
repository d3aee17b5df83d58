/**
 * A bare one-worker app (node's event loop, app/event-loop-accepts.ts) behind lb.mode l7: the
 * first request of every connection made while the loop runs — the balancer's per-request
 * connects (lb/l7-dispatch.ts), a WebSocket upgrade's (app/ws-endpoint.ts), a health check's —
 * waits with its connection in the kernel's accept queue, one accept() per iteration (libuv
 * 1.46.0 uv__server_io(), src/unix/stream.c), and is read at the poll after its accept (node
 * lib/net.js onconnection → readStart; uv__io_poll, src/unix/linux.c, adds the fd to epoll at its
 * start). Before session 18 only the checks' requests (and the l4/nat clients') did: the
 * balancer's and the upgrades' joined the app's queue at their connect, so they ran ahead of a
 * check whose connection came first, and the check timed out behind them.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { run } from '../helpers.js';

/**
 * An upgrade at 0 blocks the idle loop 1 s (handshake_time); the check connects at 0.1 s
 * (first_check), timeout = inter 2 s; then two more upgrades (0.2, 0.3 s) or, with `requests`,
 * open-loop requests of 100 ms on new connections at 20/s for the first second.
 */
function blockedLoop(requests: boolean, timeline: ScenarioInput['timeline'] = []): ScenarioInput {
  const at = requests ? ['0s'] : ['0s', '200ms', '300ms'];
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      ws: { initial_sessions: 0, ping_interval: 0, scheduled: at.map((t) => ({ at: t, lifetime: '1h' })) },
      ...(requests ? { requests: { rate: 20, timeout: '30s', retries: 0 } } : {}),
    },
    app: {
      workers: 1,
      service_time: 'const(100ms)',
      health_check_time: '1ms',
      ws: { handshake_time: '1s' },
    },
    lb: {
      mode: 'l7',
      balance: 'roundrobin',
      connect_timeout: '5s',
      retries: 3,
      timeout_server: '30s',
      timeout_tunnel: '1h',
    },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '100ms' },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [...(requests ? [{ at: '1s', do: 'load' as const, request_rate: 0 }] : []), ...(timeline ?? [])],
  } as ScenarioInput;
}

describe("the first request of a connection to a bare app's event loop is read one iteration after its accept", () => {
  it("WebSocket upgrades made after a check connected are read after it: the check passes at the loop's next iteration", () => {
    // At 1 s the loop has nothing left to run: its poll accepts the check's connection, the next
    // runs its request (1 ms) and accepts the second upgrade's, read at that iteration's end
    // (event-loop-accepts.ts acceptWhileIdle). Before: both upgrades were in the app's queue since
    // 0.2 / 0.3 s, ran 1-3 s, and the check, read at 3 s, timed out at 2.1 s (Layer7 timeout).
    const r = run(blockedLoop(false), 1);
    expect(totalIn(r, 'check_failures', 0, 4)).toBe(0);
  });

  it("the balancer's per-request connects made after the check are read after it", () => {
    // ~20 requests of 100 ms connect in the first second. Before: those on connections made
    // while the upgrade ran were queued at once (2 s of work) and ran ahead of the check.
    const r = run(blockedLoop(true), 1);
    expect(totalIn(r, 'check_failures', 0, 4)).toBe(0);
  });

  it('a kill answers the requests the blocked loop holds at once, as those in its queue (none left waiting)', () => {
    // SIGKILL at 0.5 s: the listener's close resets the connections still in its accept queue
    // (inet_csk_listen_stop()), HAProxy answers 502 (app-server.ts drop() takes heldRequests()).
    const r = run(blockedLoop(true, [{ at: '500ms', do: 'terminate', backend: 'vm-a', mode: 'kill' }]), 1);
    const offered = totalIn(r, 'offered', 0, 4);
    expect(offered).toBeGreaterThan(5);
    expect(totalIn(r, 'req_failed', 0, 4)).toBe(offered);
    expect(totalIn(r, 'req_5xx', 0, 1)).toBe(totalIn(r, 'offered', 0, 1));
  });
});
