/**
 * `on-marked-down shutdown-sessions` and `shutdown sessions server` in http mode (lb.mode l7):
 * srv_shutdown_streams() (HAProxy 2.6 src/server.c) shuts every stream attached to the server,
 * the requests waiting for its response included (lb/l7-dispatch.ts shutdownStreams). Round 12's
 * hang-onmarkeddown-shutdown recording: 106 requests waiting on a SIGSTOPped server ended with an
 * EOF at its DOWN, none answered after its SIGCONT.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/** 40 req/s paced over kept-alive connections (TX_NOT_FIRST) to two bare servers; vm-a hung 4-12 s. */
function hung(
  onMarkedDown: 'none' | 'shutdown-sessions',
  reused = true,
  lb: { retry_on_empty_response?: boolean; redispatch?: boolean; connect_timeout?: string } = {},
  timeout = '10s',
): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '16s',
    clients: {
      rtt: '0.1ms',
      requests: { rate: 40, arrivals: 'paced', timeout, retries: 0, reused_connections: reused },
    },
    app: { service_time: 'const(1ms)' },
    lb: { mode: 'l7', balance: 'roundrobin', retries: 3, redispatch: false, ...lb },
    health_check: { type: 'http', inter: '1s', rise: 2, fall: 2, on_marked_down: onMarkedDown },
    backends: [
      { name: 'vm-a', proxy: 'none' },
      { name: 'vm-b', proxy: 'none' },
    ],
    timeline: [{ at: '4s', do: 'pause', backend: 'vm-a', duration: '8s' }],
  } as ScenarioInput;
}

describe('shutdown-sessions in http mode', () => {
  it('a DOWN ends the requests waiting on the hung server: EOF to a kept-alive client, none answered after SIGCONT', () => {
    const r = run(hung('shutdown-sessions'));
    const down = recordsOf(r, 'hc.down')[0];
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    expect(shut.t).toBe(down.t);
    // About half of 40 req/s for the ~2.5 s between the SIGSTOP and the DOWN waited on vm-a.
    expect(shut.streams).toBeGreaterThan(30);
    // abort_keep_alive: the client connection closes with no response (EOF, "socket hang up").
    expect(r.figures['err_econnreset.total']).toBe(shut.streams);
    expect(r.figures['errors.total']).toBe(shut.streams);
    expect(r.figures['req_5xx.total'] ?? 0).toBe(0);
    // The hung app answers them at its SIGCONT for nobody.
    expect(r.figures['wasted.total']).toBeGreaterThanOrEqual(shut.streams);
  });

  it('a stream still connecting (SYNs to a full accept queue) is shut too and connects no more', () => {
    // stream_shutdown() (src/stream.c) shuts the stream whatever its state: a connect under way
    // ends with it (process_stream() closes the server side), so its SYNs stop. Before session
    // 31's `ended` rule a shut stream with no client to answer kept connecting as if its client
    // had given up (connectGoesOn), and was served at the SIGCONT for nobody.
    const input = hung('shutdown-sessions', false, { connect_timeout: '20s' }, '30s');
    const r = run({ ...input, app: { workers: 1, service_time: 'const(1ms)', backlog: 4 } } as ScenarioInput, 1);
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    expect(shut.streams).toBeGreaterThan(30);
    expect(r.figures['req_5xx.total']).toBe(shut.streams);
    // Only the 5 the paused app held (1 worker, 4 in its accept queue) are served for nobody.
    expect(r.figures['wasted.total']).toBe(5);
  });

  it('the first request of a client connection gets HAProxy 502 instead (http_wait_for_response case 4)', () => {
    const r = run(hung('shutdown-sessions', false));
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    expect(shut.streams).toBeGreaterThan(30);
    expect(r.figures['req_5xx.total']).toBe(shut.streams);
  });

  // http_wait_for_response() case 4 tries do_l7_retry() before abort_keep_alive and the 502, and
  // do_l7_retry() clears the SF_ERR_DOWN and the shut flags stream_shutdown() set (src/http_ana.c).
  it('retry-on empty-response retries them instead; option redispatch sends them to the other server at once', () => {
    const r = run(hung('shutdown-sessions', true, { retry_on_empty_response: true, redispatch: true }));
    const down = recordsOf(r, 'hc.down')[0];
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    expect(shut.streams).toBeGreaterThan(30);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    // One more attempt each, on vm-b (the DOWN vm-a is not running: stream_choose_redispatch()).
    expect((r.figures['attempts.total'] ?? 0) - (r.figures['offered.total'] ?? 0)).toBe(shut.streams);
    // Answered at the DOWN by vm-b, not by vm-a after the SIGCONT (12 s); vm-a still does their work for nobody.
    expect(r.figures['open_loop_latency.max']).toBeLessThan(down.t - 4 + 0.1);
    expect(r.figures['wasted.total']).toBeGreaterThanOrEqual(shut.streams);
  });

  it('without option redispatch the retry goes back to the DOWN server (SC_ST_ASS) and waits for the SIGCONT', () => {
    const r = run(hung('shutdown-sessions', true, { retry_on_empty_response: true }));
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    expect(shut.streams).toBeGreaterThan(30);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
    expect((r.figures['attempts.total'] ?? 0) - (r.figures['offered.total'] ?? 0)).toBe(shut.streams);
    expect(r.figures['open_loop_latency.max']).toBeGreaterThan(7.5);
  });

  // The client's timeout came first: the request was answered already (its timeout), but without
  // `option abortonclose` the stream still counts on the hung server; shutting it answers nobody.
  it('a stream whose client already timed out is shut without a second answer', () => {
    const r = run(hung('shutdown-sessions', false, {}, '1s'));
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    expect(shut.streams).toBeGreaterThan(30);
    // Sent to vm-a 4–7 s: those older than the 1-s timeout at the DOWN (7 s) had timed out, the
    // younger ones get the 502; each request fails once, none twice.
    const timeouts = r.figures['req_timeouts.total'] ?? 0;
    expect(timeouts).toBeGreaterThan(30);
    expect(timeouts + (r.figures['req_5xx.total'] ?? 0)).toBe(shut.streams);
    expect(r.figures['errors.total']).toBe(shut.streams);
    expect(r.figures['req_failed.total']).toBe(shut.streams);
  });

  it('without it the requests wait for the SIGCONT and are answered', () => {
    const r = run(hung('none'));
    expect(recordsOf(r, 'lb.shutdown_sessions')).toHaveLength(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
  });
});

describe('a remove (maint) with on-marked-down shutdown-sessions in http mode', () => {
  /** 40 req/s paced over kept-alive connections, 2-s answers: ≈ 40 requests wait on vm-a at its remove (6 s). */
  const removed = (onMarkedDown: 'none' | 'shutdown-sessions'): ScenarioInput =>
    ({
      ...hung(onMarkedDown),
      app: { service_time: 'const(2s)' },
      timeline: [{ at: '6s', do: 'remove', backend: 'vm-a' }],
    }) as ScenarioInput;

  it("shuts vm-a's waiting requests at the remove (srv_update_status(), src/server.c): EOF to their clients; without the option they are answered", () => {
    const r = run(removed('shutdown-sessions'));
    const shut = recordsOf(r, 'lb.shutdown_sessions');
    expect(shut).toHaveLength(1);
    expect(shut[0]).toMatchObject({ t: 6, backend: 'vm-a', cause: 'maint' });
    expect(shut[0].streams).toBeGreaterThan(30);
    expect(r.figures['err_econnreset.total']).toBe(shut[0].streams);
    const without = run(removed('none'));
    expect(recordsOf(without, 'lb.shutdown_sessions')).toHaveLength(0);
    expect(without.figures['errors.total'] ?? 0).toBe(0);
  });
});
