/**
 * nginx in front of an app that is one event loop (`app.accept_model: event_loop`, node): the
 * first request of every upstream connection nginx makes while the loop runs waits with its
 * connection in the app's accept queue, one accept() per iteration (libuv 1.46.0 uv__server_io(),
 * src/unix/stream.c), and is read at the poll after its accept (node lib/net.js onconnection →
 * readStart; uv__io_poll, src/unix/linux.c, adds the fd to epoll at its start) — as a health
 * check's already was (test/model/app/first-request-after-accept.test.ts for the balancer's own
 * connects). Before, nginx's requests joined the app's queue at their connect and ran ahead of a
 * check whose connection came first.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { run } from '../helpers.js';

/**
 * Clients arrive at 20/s for the first second, one 100-ms request each, through nginx (no upstream
 * keepalive: one new upstream connection a request) to a one-loop app; an HTTP check connects
 * to the app at 0.1 s, timeout = inter 2 s.
 */
function nginxBeforeLoop(extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '4s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(1)', think_time: 'const(1s)', retries: 0 },
    },
    app: { workers: 1, service_time: 'const(100ms)', health_check_time: '1ms', accept_model: 'event_loop' },
    lb: { mode: 'nat' },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3, first_check: '100ms' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '1s', do: 'load', http_rate: 0 }],
    ...extra,
  } as ScenarioInput;
}

describe("nginx's new upstream connections to an event-loop app: the first request is read one iteration after its accept", () => {
  it('the requests of upstream connections made after the check connected are read after it: no check failure', () => {
    // ~20 requests of 100 ms in the first second (2 s of work). Before: each joined the app's
    // queue at nginx's connect, so every iteration ran all that came during the one before and
    // the check, read one iteration after its accept, waited behind them past its 2-s timeout.
    for (const seed of [1, 2, 3]) {
      const r = run(nginxBeforeLoop(), seed);
      expect(totalIn(r, 'requests', 0, 4)).toBeGreaterThan(10);
      expect(totalIn(r, 'check_failures', 0, 4)).toBe(0);
    }
  });

  it("nginx's proxy_read_timeout on a request still in the accept queue: 504, the app later does the work for nobody", () => {
    // proxy_read_timeout 300 ms: requests held unread time out there (upstream.ts readTimedOut →
    // AppServer.orphan, whose stand-in takes the held request's place: event-loop-accepts.ts
    // replaceHeld). Every request is answered once, and the app's work is wasted, not lost.
    const r = run(nginxBeforeLoop({ nginx: { proxy_read_timeout: '300ms' } } as Partial<ScenarioInput>), 1);
    const timeouts = r.events.filter((l) => l.record.kind === 'nginx.upstream_read_timeout');
    expect(timeouts.some((l) => (l.record as { queued: boolean }).queued)).toBe(true);
    const fives = r.figures['responses_5xx.total'] ?? 0;
    expect(fives).toBeGreaterThan(0);
    expect(r.figures['wasted.total']).toBe(fives);
  });

  it('nginx -s stop while the loop holds requests unread: node still reads and runs them, for nobody (wasted)', () => {
    // 1-s requests: the first blocks the loop, the next connections wait in the app's accept queue
    // with their requests written (nginx writes each at its connect). At the stop node still
    // accepts them and runs each handler before it reads nginx's FIN (lib/_http_server.js).
    // Before, AppServer.withdraw took the held requests out (replaceHeld null): 0 wasted.
    const slow = nginxBeforeLoop({
      app: { workers: 1, service_time: 'const(1s)', health_check_time: '1ms', accept_model: 'event_loop' },
      timeline: [{ at: '0.5s', do: 'nginx_stop', backend: 'vm-a' }],
      horizon: '20s',
    } as Partial<ScenarioInput>);
    const r = run(slow, 1);
    const cut = r.figures['err_econnreset.total'] ?? 0;
    expect(cut).toBeGreaterThan(4); // ~10 requests sent by 0.5 s, none answered
    // Those the iteration already runs are withdrawn (not counted), the 5 held (4 in the accept
    // queue, 1 accepted and unread) are run for nobody.
    expect(r.figures['wasted.total']).toBe(5);
    expect(cut).toBeGreaterThan(5);
  });
});
