/**
 * Backends without nginx (`backends[].proxy: none`) behind HAProxy mode http: the balancer's
 * connections end at the app server's own listener. A killed app closes (FIN) or resets them
 * under the requests it holds, and HAProxy answers that itself (http_wait_for_response(),
 * src/http_ana.c v2.6): 502 for the first request of a client connection, a silent close
 * (abort_keep_alive) for a later one (TX_NOT_FIRST), no L7 retry with `retry-on 500 502 503 504`,
 * an L7 retry of a close or a reset with `retry-on empty-response` (2.6.12, the recorded version);
 * a read timeout stays 504. With nginx in front of the app the 502 is nginx's response, which
 * HAProxy forwards (and retries with retry_on_5xx). Idle server connections end at the app's own
 * keep-alive idle timeout.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;
type Proxy = 'nginx' | 'none';

/**
 * Keep-alive clients over two backends serving 500 ms requests; vm-a killed at 10 s. `option
 * redispatch` sends the connects vm-a refuses afterwards to vm-b at once (stream_choose_redispatch():
 * two active servers, roundrobin), so the only errors are the requests vm-a held.
 */
function keepalive(proxy: Proxy, requestsPerConnection: number, rate: number): ScenarioInput {
  return {
    warmup: '5s',
    horizon: '20s',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: rate,
        requests_per_connection: `const(${requestsPerConnection})`,
        think_time: 'const(200ms)',
        retries: 0,
      },
    },
    app: { workers: 64, service_time: 'const(500ms)' },
    lb: { mode: 'l7', redispatch: true },
    backends: [
      { name: 'vm-a', proxy },
      { name: 'vm-b', proxy },
    ],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

/** Open-loop requests (40/s of 500 ms) over two backends; vm-a killed at 10 s (redispatch as above). */
function openLoop(proxy: Proxy, reused: boolean, lb: Record<string, unknown> = {}): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '15s',
    clients: { rtt: '1ms', requests: { rate: 40, timeout: '8s', retries: 0, reused_connections: reused } },
    app: { workers: 64, service_time: 'const(500ms)' },
    lb: { mode: 'l7', redispatch: true, ...lb },
    backends: [
      { name: 'vm-a', proxy },
      { name: 'vm-b', proxy },
    ],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

/** The requests vm-a held when it was killed (the app.killed record's count). */
const heldAtKill = (r: RunResult): number => recordsOf(r, 'app.killed')[0].inFlight;

describe('a killed bare app server behind HAProxy mode http', () => {
  it("later requests of keep-alive connections: the client connection closes silently (EOF), not nginx's 502", () => {
    const bare = run(keepalive('none', 50, 4));
    const held = heldAtKill(bare);
    expect(held).toBeGreaterThan(10);
    // Nearly every request vm-a held was a later one of its connection (50 per connection, 200 ms
    // apart): EOF; the few first ones (4 new connections a second) got 502.
    const eof = fig(bare, 'err_econnreset.total');
    expect(eof + fig(bare, 'responses_5xx.total')).toBe(held);
    expect(eof).toBeGreaterThan(0.8 * held);
    const aborted = recordsOf(bare, 'lb.server_aborted');
    expect(aborted.filter((x) => x.notFirst).length).toBeGreaterThan(0);
    expect(aborted.every((x) => x.backend === 'vm-a')).toBe(true);
    // nginx in front of the app answers 502 itself, which HAProxy forwards.
    const nginx = run(keepalive('nginx', 50, 4));
    expect(fig(nginx, 'responses_5xx.total')).toBe(heldAtKill(nginx));
    expect(fig(nginx, 'err_econnreset.total')).toBe(0);
  });

  it("the first request of a client connection gets HAProxy's own 502", () => {
    const bare = run(keepalive('none', 1, 40));
    const held = heldAtKill(bare);
    expect(held).toBeGreaterThan(5);
    expect(fig(bare, 'responses_5xx.total')).toBe(held);
    expect(fig(bare, 'err_econnreset.total')).toBe(0);
    expect(recordsOf(bare, 'lb.server_aborted').every((x) => !x.notFirst)).toBe(true);
  });

  it('open-loop requests: 502 each, or EOF when they ride kept-alive connections (reused_connections)', () => {
    const first = run(openLoop('none', false));
    expect(fig(first, 'req_5xx.total')).toBe(heldAtKill(first));
    expect(fig(first, 'err_econnreset.total')).toBe(0);
    const later = run(openLoop('none', true));
    expect(heldAtKill(later)).toBeGreaterThan(5);
    expect(fig(later, 'err_econnreset.total')).toBe(heldAtKill(later));
    expect(fig(later, 'req_5xx.total')).toBe(0);
  });

  it('retry-on 500 502 503 504 retries nginx’s 502 but not a bare server’s empty response', () => {
    // `retry-on 500 502 503 504` replaces conn-failure: vm-a's refused connects after the kill would
    // be HAProxy's 503s, not retried (retry-on-5xx-conn.test.ts). New requests stop at the kill,
    // so only the requests vm-a held meet it.
    const stoppedAtKill = (proxy: Proxy, reused: boolean): ScenarioInput => {
      const input = openLoop(proxy, reused, { retry_on_5xx: true });
      return { ...input, timeline: [{ at: '10s', do: 'load', request_rate: 0 }, ...input.timeline!] } as ScenarioInput;
    };
    const nginx = run(stoppedAtKill('nginx', false));
    expect(heldAtKill(nginx)).toBeGreaterThan(5);
    // The forwarded 502s are retried on vm-b: no client error at all.
    expect(fig(nginx, 'errors.total')).toBe(0);
    // HAProxy's own 502 is no server status: l7_status_match() never sees it (no retry).
    const bare = run(stoppedAtKill('none', false));
    expect(fig(bare, 'errors.total')).toBe(heldAtKill(bare));
    const later = run(stoppedAtKill('none', true));
    expect(fig(later, 'err_econnreset.total')).toBe(heldAtKill(later));
  });

  it('retry-on empty-response sends the requests a killed server closed under to another server (redispatch)', () => {
    const retried = run(openLoop('none', true, { retry_on_empty_response: true }));
    expect(heldAtKill(retried)).toBeGreaterThan(5);
    expect(fig(retried, 'errors.total')).toBe(0);
    const aborted = recordsOf(retried, 'lb.server_aborted');
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.every((x) => x.retried && !x.reset)).toBe(true);
    // HAProxy 2.6.12 checks conn_retries before counting the L7 retry (41ade746c, backported in
    // 2.6.10): `retries 1` leaves it one retry, which redispatch sends to vm-b.
    const one = run(openLoop('none', true, { retry_on_empty_response: true, retries: 1 }));
    expect(heldAtKill(one)).toBeGreaterThan(5);
    expect(fig(one, 'errors.total')).toBe(0);
    expect(recordsOf(one, 'lb.server_aborted').every((x) => x.retried)).toBe(true);
    // `retries 0`: none left, each held request's keep-alive connection closes silently.
    const none = run(openLoop('none', true, { retry_on_empty_response: true, retries: 0 }));
    expect(fig(none, 'err_econnreset.total')).toBe(heldAtKill(none));
  });

  it('a request the killed app had not read is reset, and retry-on empty-response retries the reset too', () => {
    // One worker: the killed app holds 1 request in service and the rest unread in its queue.
    const input = openLoop('none', true, { retry_on_empty_response: true });
    input.app = { workers: 1, service_time: 'const(500ms)' };
    input.clients = { rtt: '1ms', requests: { rate: 3, timeout: '30s', retries: 0, reused_connections: true } };
    const r = run(input);
    const held = heldAtKill(r);
    expect(held).toBeGreaterThan(2);
    const aborted = recordsOf(r, 'lb.server_aborted');
    // The unread ones (RST: a read error with no response) are L7-retried as the one in service
    // (FIN) is (6f78ac560 "Do a L7 retry on read error if there is no response", 2.6.10).
    expect(aborted.filter((x) => x.reset && x.retried).length).toBeGreaterThan(0);
    expect(aborted.every((x) => x.retried)).toBe(true);
    expect(fig(r, 'errors.total')).toBe(0);
    // Without the option the same resets end the keep-alive connections silently.
    const plain = { ...input, lb: { mode: 'l7', redispatch: true } } as ScenarioInput;
    const silent = run(plain);
    expect(fig(silent, 'err_econnreset.total')).toBe(heldAtKill(silent));
  });

  it('a hung bare server under timeout server: 504 for later requests too (a read timeout ignores TX_NOT_FIRST)', () => {
    const input = openLoop('none', true, { timeout_server: '2s' });
    input.timeline = [{ at: '5s', do: 'pause', backend: 'vm-a', duration: '6s' }];
    const r = run(input);
    expect(recordsOf(r, 'lb.server_timeout_504').length).toBeGreaterThan(0);
    expect(fig(r, 'req_5xx.total')).toBeGreaterThan(20);
    expect(fig(r, 'err_econnreset.total')).toBe(0);
  });
});

describe("a bare app server's own keep-alive idle timeout", () => {
  /** 10 req/s of 10 ms on kept-alive connections, then none from 10 s. */
  function idle(proxy: Proxy): ScenarioInput {
    return {
      warmup: '0s',
      horizon: '20s',
      clients: { rtt: '1ms', requests: { rate: 10, timeout: '8s', retries: 0, reused_connections: true } },
      app: { workers: 16, service_time: 'const(10ms)', keepalive_timeout: '3s' },
      lb: { mode: 'l7' },
      backends: [{ name: 'vm-a', proxy }],
      timeline: [{ at: '10s', do: 'load', request_rate: 0 }],
    } as ScenarioInput;
  }

  it('closes the idle server connections (TIME_WAIT on the VM); behind nginx its 75 s keepalive_timeout does not', () => {
    const bare = run(idle('none'));
    expect(valueAt(bare, 'lb_idle_conns', 9, 'vm-a')).toBeGreaterThan(0);
    // app.keepalive_timeout 3 s after the last response: closed by the app first, its TIME_WAIT.
    expect(valueAt(bare, 'lb_idle_conns', 14, 'vm-a')).toBe(0);
    expect(valueAt(bare, 'time_wait', 14, 'vm-a')).toBeGreaterThan(0);
    // nginx (keepalive_timeout 75 s) keeps them: only HAProxy's purge closes them (RST, no TIME_WAIT).
    const nginx = run(idle('nginx'));
    expect(valueAt(nginx, 'time_wait', 14, 'vm-a')).toBe(0);
  });
});

describe('the keep-alive race on the balancer’s server connections (lb.server_rtt)', () => {
  /**
   * One keep-alive client connection at a time (rtt 2 ms), 5 requests `think` apart over HAProxy
   * to one bare app server that closes idle connections after 6 s: each later request takes the
   * server connection the previous one left idle, which has then been idle rtt/2 + think.
   */
  function poller(think: string, serverRtt?: string): ScenarioInput {
    return {
      warmup: '0s',
      horizon: '2m',
      clients: {
        rtt: '2ms',
        // idle_timeout 0s: a client that keeps its idle connection (the balancer's server side races).
        http: {
          arrival_rate: 0.05,
          requests_per_connection: 'const(5)',
          think_time: `const(${think})`,
          idle_timeout: '0s',
          retries: 0,
        },
      },
      app: { workers: 4, service_time: 'const(0ms)', keepalive_timeout: '6s' },
      lb: { mode: 'l7', ...(serverRtt === undefined ? {} : { server_rtt: serverRtt }) },
      backends: [{ name: 'vm-a', proxy: 'none' }],
    } as ScenarioInput;
  }

  it('a request sent in the last half round trip before the close, or before its FIN arrives, meets the closed socket', () => {
    // Idle 5.9995 s at reuse: the app closes at 6 s, before the request arrives 1 ms later.
    const raced = run(poller('5.9985s', '2ms'));
    const aborted = recordsOf(raced, 'lb.server_aborted');
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.every((x) => x.raced && x.notFirst && x.keepAlive === 6)).toBe(true);
    // Each client connection's second request is closed silently: EOF, no 502.
    expect(fig(raced, 'err_econnreset.total')).toBe(aborted.length);
    expect(fig(raced, 'responses_5xx.total')).toBe(0);
    // The server's kernel resets the crossing request: no TIME_WAIT from those connections.
    expect(fig(raced, 'reset_in.total')).toBeGreaterThanOrEqual(aborted.length);
  });

  it('no race outside that window, nor without lb.server_rtt (both ends see the close at once)', () => {
    for (const [think, rtt] of [
      ['5.99s', '2ms'],
      ['5.9985s', undefined],
      ['6.0005s', '2ms'],
      ['6.0005s', undefined],
    ] as const) {
      const r = run(poller(think, rtt));
      expect(fig(r, 'errors.total'), `${think} ${rtt}`).toBe(0);
      expect(fig(r, 'responses_2xx.total'), `${think} ${rtt}`).toBeGreaterThan(10);
    }
  });
});

describe('checks of a bare app server connect to the app itself', () => {
  it('a kubelet tcpSocket readiness probe fails on a killed bare app (no nginx left listening)', () => {
    const probe = (proxy: Proxy) =>
      run({
        warmup: '0s',
        horizon: '40s',
        app: { workers: 4, service_time: 'const(5ms)' },
        lb: { mode: 'l7' },
        probes: { readiness: { type: 'tcp', period: '2s', failure_threshold: 1 } },
        backends: [
          { name: 'vm-a', proxy },
          { name: 'vm-b', proxy },
        ],
        timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
      } as ScenarioInput);
    const notReady = (r: RunResult) => recordsOf(r, 'k8s.readiness').filter((x) => !x.ready && x.pod === 'vm-a');
    expect(notReady(probe('none')).length).toBeGreaterThan(0);
    expect(notReady(probe('none'))[0].reason).toMatch(/connection refused/);
    // Behind nginx the tcp probe meets nginx's listener, which still accepts.
    expect(notReady(probe('nginx'))).toEqual([]);
  });
});

describe("HAProxy's connect timeout under a later request of a keep-alive connection", () => {
  /** The keep-alive clients above (20 connections/s, 10-ms requests); vm-a vanishes at 10 s, no checks. */
  function vanished(proxy: Proxy, requestsPerConnection: number): ScenarioInput {
    const input = keepalive(proxy, requestsPerConnection, 20);
    return {
      ...input,
      app: { workers: 64, service_time: 'const(10ms)' },
      lb: { mode: 'l7', retries: 0, connect_timeout: '1s' },
      timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
    } as ScenarioInput;
  }

  it('closes the client connection with no 503 (STRM_ET_CONN_TO with TX_NOT_FIRST), behind nginx or not', () => {
    for (const proxy of ['nginx', 'none'] as const) {
      const later = run(vanished(proxy, 50));
      // Every connection open at the vanish loses its next request to vm-a silently (EOF; the
      // client does not retry and leaves); only new connections' first requests get the 503.
      expect(fig(later, 'err_econnreset.total'), proxy).toBeGreaterThan(100);
      expect(fig(later, 'responses_5xx.total'), proxy).toBeLessThan(fig(later, 'err_econnreset.total'));
      const first = run(vanished(proxy, 1));
      expect(fig(first, 'responses_5xx.total'), proxy).toBeGreaterThan(20);
      expect(fig(first, 'err_econnreset.total'), proxy).toBe(0);
    }
  });
});

describe("HAProxy's check of a bare app server killed under it", () => {
  it('logs "TCPCHK got an empty response at step 2": option httpchk\'s implicit expect rule (index 1)', () => {
    const r = run({
      warmup: '0s',
      horizon: '15s',
      // Each check takes 1.9 s (next one 2 s after it ends): one is in flight at the 12.5-s kill.
      app: { workers: 4, service_time: 'const(5ms)', health_check_time: '1900ms' },
      lb: { mode: 'l7' },
      health_check: { type: 'http', inter: '2s', fall: 1, rise: 1, timeout: '5s' },
      backends: [
        { name: 'vm-a', proxy: 'none' },
        { name: 'vm-b', proxy: 'none' },
      ],
      timeline: [{ at: '12.5s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
    } as ScenarioInput);
    const down = recordsOf(r, 'hc.down').filter((x) => x.backend === 'vm-a');
    expect(down.map((x) => x.reason)).toEqual([
      'Layer7 invalid response, info: "TCPCHK got an empty response at step 2"',
    ]);
  });
});

describe('a SIGTERMed bare app server behind HAProxy mode http: its server connections after the answer', () => {
  /** Open-loop 500-ms requests over kept-alive server connections (idle 10 s); vm-a SIGTERMed at 10 s, killed at 13 s. */
  function sigterm(keep?: 'keep' | 'close'): ScenarioInput {
    const input = openLoop('none', true);
    input.horizon = '25s';
    input.app = {
      ...input.app,
      keepalive_timeout: '10s',
      graceful_shutdown: true,
      shutdown_grace: '3s',
      ...(keep ? { sigterm_keepalive: keep } : {}),
    };
    input.timeline = [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }];
    return input;
  }
  const after = (r: RunResult, name: string): number => totalIn(r, name, 11, 25, 'vm-a');

  it('node (unset = keep): HAProxy reuses the connections it answered after the SIGTERM until DOWN; the kill at 13 s fails those in flight', () => {
    const r = run(sigterm());
    // Its connections to vm-a stay open after the SIGTERM (their answers said keep-alive),
    expect(after(r, 'active_conn')).toBeGreaterThan(0);
    // Later requests of their client connections (reused_connections): closed silently (EOF), no 502.
    expect(totalIn(r, 'errors', 12, 14)).toBeGreaterThan(5);
    expect(fig(r, 'errors.total')).toBe(totalIn(r, 'errors', 12, 14));
  });

  it("Go's Shutdown() (close): each answered connection closes, new connects are refused and redispatched: nothing fails", () => {
    const r = run(sigterm('close'));
    expect(after(r, 'active_conn')).toBe(0);
    expect(fig(r, 'errors.total')).toBe(0);
  });
});
