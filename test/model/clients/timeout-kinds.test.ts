/**
 * A client's own timer is not the kernel's ETIMEDOUT. The errno 110 comes only from the client
 * machine's kernel giving up on a socket — its SYN retries spent (tcp_write_timeout →
 * tcp_write_err), or tcp_retries2 passed on data a vanished peer never acknowledged
 * (retransmits_timed_out() in tcp_retransmit_timer): net/ipv4/tcp_timer.c — and points at the
 * network. A request (or connect, handshake, pong) timeout is the library's own error — curl exit
 * 28 "Operation timed out after N milliseconds", Go's "Client.Timeout exceeded while awaiting
 * headers", axios ECONNABORTED, Node's TimeoutError — and points at a slow or stuck server:
 * err_client_timeout. Each regime here has one and not the other.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

const fig = (r: RunResult, name: string): number | null | undefined => r.figures[name];

/** Keep-alive clients behind a NAT; one backend, up all along but its app hung 10–25 s. */
const hungApp = {
  warmup: '0s',
  horizon: '40s',
  sample_interval: '1s',
  clients: {
    rtt: '1ms',
    http: {
      arrival_rate: 2,
      requests_per_connection: 'const(50)',
      think_time: 'const(500ms)',
      retries: 2,
      retry_backoff: { policy: 'immediate' },
      request_timeout: '2s',
    },
  },
  app: { workers: 8, service_time: 'const(10ms)' },
  lb: { mode: 'nat' },
  backends: [{ name: 'vm-a' }],
  timeline: [{ at: '10s', do: 'pause', backend: 'vm-a', duration: '15s' }],
} as ScenarioInput;

/**
 * Keep-alive clients behind a NAT over two VMs; vm-a vanishes at 10 s (no FIN, no RST). The client
 * machines' kernels give up early — tcp_retries2 3 (~6.7 s after a request's first retransmission)
 * on the requests written to vm-a, tcp_syn_retries 2 (7 s) on new connections the NAT still sends
 * there — long before the clients' own timers: request_timeout 60 s, and lb.connect_timeout (which
 * behind a NAT stands for the client's connect timer) 60 s. Horizon 40 s: no client timer fires.
 */
const vanishedHost = {
  warmup: '0s',
  horizon: '40s',
  sample_interval: '1s',
  clients: {
    rtt: '1ms',
    kernel: { tcp_retries2: 3, tcp_syn_retries: 2 },
    http: {
      arrival_rate: 4,
      requests_per_connection: 'const(200)',
      think_time: 'const(500ms)',
      retries: 2,
      retry_backoff: { policy: 'immediate' },
      request_timeout: '60s',
    },
  },
  app: { workers: 8, service_time: 'const(5ms)' },
  lb: { mode: 'nat', connect_timeout: '60s' },
  backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
  timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
} as ScenarioInput;

describe("the client's own timeout and the kernel's ETIMEDOUT are counted apart", () => {
  it('a hung app and a 2-s request_timeout: client timeouts, no ETIMEDOUT (no socket failed)', () => {
    const r = run(hungApp);
    const clientTimeouts = fig(r, 'err_client_timeout.total');
    // Every request written in the pause waits its 2 s; retried twice, then new requests: dozens.
    expect(clientTimeouts).toBeGreaterThan(20);
    expect(between(r, 'err_client_timeout', 0, 11)).toBe(0);
    expect(fig(r, 'err_etimedout.total')).toBe(0);
    // They are all of the run's errors (nothing else fails: the host is up, nothing resets).
    expect(fig(r, 'errors.total')).toBe(clientTimeouts);
    // nginx logs the client's FIN (499): the operator line names the client's timer.
    expect(recordsOf(r, 'nginx.client_closed_request').length).toBeGreaterThan(0);
  });

  it('a vanished host and lowered kernel give-ups: ETIMEDOUT on requests and SYNs, no client timeout', () => {
    const r = run(vanishedHost);
    // The requests on kept-alive connections to vm-a: the kernel gives up ~7 s after the write.
    expect(between(r, 'err_etimedout', 16, 19)).toBeGreaterThan(15);
    // The new connections' SYNs to vm-a: the kernel's give-up 7 s after the first SYN.
    const synGiveUps = recordsOf(r, 'lb.connect_failed').filter((x) => x.cause === 'syn_giveup');
    expect(synGiveUps.length).toBeGreaterThan(0);
    expect(synGiveUps.every((x) => x.clientSees === 'ETIMEDOUT')).toBe(true);
    expect(fig(r, 'err_client_timeout.total')).toBe(0);
  });

  it("open-loop requests behind a NAT: the SYN give-up is ETIMEDOUT, lb.connect_timeout the client's timer", () => {
    // lb/l7-dispatch.ts connectFailed (the open-loop clients' path): tcp_syn_retries 2 gives up
    // ~7 s after the first SYN (tcp_write_timeout → tcp_write_err), before a 60-s connect timer;
    // a 2-s connect timer ends the wait first, the client's own (curl --connect-timeout).
    const nat = (connect: string) =>
      run({
        warmup: '0s',
        horizon: '40s',
        clients: { kernel: { tcp_syn_retries: 2 }, requests: { rate: 20, timeout: '60s', retries: 0 } },
        app: { workers: 8, service_time: 'const(5ms)' },
        lb: { mode: 'nat', connect_timeout: connect },
        backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
        timeline: [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
      } as ScenarioInput);
    const kernel = nat('60s');
    expect(fig(kernel, 'err_etimedout.total')).toBeGreaterThan(100);
    expect(fig(kernel, 'err_client_timeout.total')).toBe(0);
    const timer = nat('2s');
    expect(fig(timer, 'err_client_timeout.total')).toBeGreaterThan(100);
    expect(fig(timer, 'err_etimedout.total')).toBe(0);
  });

  it("a WebSocket session whose server vanished, with no pong timeout: the kernel's give-up is ETIMEDOUT", () => {
    // No client timer: the first unanswered ping is retransmitted until tcp_retries2 (5) — the
    // balancer host's (lb.mode l4) or the client's own behind a NAT — and tcp_write_err ends the
    // socket with ETIMEDOUT (net/ipv4/tcp_timer.c; websocket.ts noticedDead), the session's error.
    for (const mode of ['l4', 'nat'] as const) {
      const kernel = { tcp_retries2: 5 };
      const r = run({
        warmup: '0s',
        horizon: '30s',
        clients: {
          rtt: '1ms',
          ...(mode === 'nat' ? { kernel } : {}),
          ws: {
            initial_sessions: 20,
            initial_ramp: '1ms',
            start: 'cold',
            lifetime: 'const(1h)',
            ping_interval: '1s',
            reconnect: { policy: 'exponential', base: '60s', cap: '60s' },
          },
        },
        app: { workers: 16, service_time: 'const(1ms)' },
        lb: { mode, ...(mode === 'nat' ? {} : { timeout_client: '30s', timeout_server: '60s', kernel }) },
        backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
        timeline: [{ at: '5500ms', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
      } as ScenarioInput);
      expect(fig(r, 'err_etimedout.total'), mode).toBeGreaterThanOrEqual(10);
      expect(fig(r, 'err_client_timeout.total'), mode).toBe(0);
      expect(fig(r, 'errors.total'), mode).toBe(fig(r, 'err_etimedout.total'));
    }
  });

  it("behind a NAT a connect that lb.connect_timeout ends first is the client's timer, not ETIMEDOUT", () => {
    // The default tcp_syn_retries 6 gives up after 131 s: the 5-s connect timer ends every SYN wait.
    const r = run({ ...vanishedHost, lb: { mode: 'nat', connect_timeout: '5s' } } as ScenarioInput);
    const timedOut = recordsOf(r, 'lb.connect_failed').filter((x) => x.cause === 'timeout');
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut.every((x) => x.clientSees === 'client_timeout')).toBe(true);
    expect(recordsOf(r, 'lb.connect_failed').some((x) => x.cause === 'syn_giveup')).toBe(false);
    expect(fig(r, 'err_client_timeout.total')).toBeGreaterThanOrEqual(timedOut.length);
  });
});
