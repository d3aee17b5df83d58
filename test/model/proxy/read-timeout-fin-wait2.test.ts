/**
 * After proxy_read_timeout nginx closes the upstream connection with the app's answer still to
 * come (upstream.ts readTimedOut): its close() sends FIN, and its orphaned socket waits in
 * FIN_WAIT2 (tcp_rcv_state_process → tcp_time_wait(sk, TCP_FIN_WAIT2, tcp_fin_timeout 60 s)) while
 * the app's sits in CLOSE_WAIT. nginx's port stays taken until the app writes its late answer
 * (RST: tcp_timewait_state_process TCP_TW_RST), or tcp_fin_timeout ends it first. That FIN_WAIT2
 * is a timewait sock: /proc/net/sockstat counts it in `tw`, not in `inuse` (tcp_time_wait →
 * tcp_done unhashes the full socket; sockstat_seq_show(), net/ipv4/proc.c) — before session 28
 * (fin28) the model counted it in `inuse`.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, valueAt } from '../helpers.js';
import { lateAnswer } from './late-answer-fixture.js';

/** proxy_read_timeout 1 s: nginx's 504. */
const slowApp = (service: string) => lateAnswer(service, 'read-timeout');

describe("nginx's upstream port after proxy_read_timeout", () => {
  it('is held in FIN_WAIT2 until the app writes its late answer, then freed without TIME_WAIT', () => {
    const r = run(slowApp('10s'), 1);
    const timedOut = r.figures['responses_5xx.total']!;
    expect(timedOut).toBeGreaterThan(0);
    // Timed out at 1–2 s; the answers come at 10–11 s.
    expect(valueAt(r, 'upstream_ports_busy', 5)).toBe(timedOut);
    expect(valueAt(r, 'upstream_ports_busy', 12)).toBe(0);
    // Each held FIN_WAIT2 is a timewait sock, in sockstat's `tw` (the time_wait gauge) while held;
    // the late answer's RST ends it with no TIME_WAIT after.
    expect(valueAt(r, 'time_wait', 5)).toBe(timedOut);
    expect(valueAt(r, 'time_wait', 12)).toBe(0);
  });

  it("is counted in the VM's sockstat line as `tw`, not `inuse`", () => {
    // 400 connections/s through nginx without upstream keepalive (nginx closes each upstream
    // connection first: a TIME_WAIT on the VM, > 10,000 by the line at 60 s); 1 % of the requests
    // stall 200 s, so proxy_read_timeout (1 s) holds nginx's side in FIN_WAIT2 and the app's in
    // CLOSE_WAIT for the rest of the minute.
    const r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '61s',
        sample_interval: '1s',
        clients: {
          rtt: '0.1ms',
          http: { arrival_rate: 400, requests_per_connection: 'const(1)', think_time: 'const(500ms)', retries: 0 },
        },
        app: { workers: 1000, service_time: 'mix(0.99 const(5ms), 0.01 const(200s))' },
        nginx: { proxy_read_timeout: '1s', upstream_keepalive: 0 },
        lb: { mode: 'nat' },
        backends: [{ name: 'vm-a' }],
      } as ScenarioInput,
      1,
    );
    const held = between(r, 'responses_5xx', 0, 60);
    expect(held).toBeGreaterThan(50);
    const [line] = recordsOf(r, 'kernel.ss').filter((ss) => ss.backend === 'vm-a');
    expect(line.tw).toBeGreaterThan(10_000);
    // In use: the app's CLOSE_WAIT end of each (a full socket), plus the few requests in flight —
    // not nginx's FIN_WAIT2 end too (2 × held before).
    expect(line.inuse).toBeGreaterThanOrEqual(held);
    expect(line.inuse).toBeLessThan(held + 30);
    expect(line.orphan).toBe(0);
  });

  it('gets no FIN_WAIT2 timewait sock past tcp_max_tw_buckets: closed at once, its port free', () => {
    // tcp_max_tw_buckets 4: the first 4 of the cut requests (9 at this seed) hold nginx's end in
    // FIN_WAIT2, the other 5 find the death row full — tcp_time_wait() counts TCPTimeWaitOverflow and tcp_done()
    // closes the socket (HostSockets.finWait2Held; recorded with 10 buckets and 30 connections,
    // calibration/data/kernel-tw-overflow-finwait2-rt.json: 10 held, 20 overflows). Before, all 9
    // were held until the late answers at 10-11 s.
    const input = slowApp('10s');
    input.kernel = { tcp_max_tw_buckets: 4 };
    const r = run(input, 1);
    const timedOut = r.figures['responses_5xx.total']!;
    expect(timedOut).toBe(9);
    expect(valueAt(r, 'upstream_ports_busy', 5)).toBe(4);
    expect(valueAt(r, 'time_wait', 5)).toBe(4);
    expect(r.figures['tw_overflow.total']).toBe(timedOut - 4);
    expect(recordsOf(r, 'kernel.tw_overflow').length).toBeGreaterThan(0);
    expect(valueAt(r, 'upstream_ports_busy', 12)).toBe(0);
  });

  it('is freed by tcp_fin_timeout (60 s, on the timer wheel) when the app answers later still', () => {
    const r = run(slowApp('75s'), 1);
    const timedOut = r.figures['responses_5xx.total']!;
    expect(valueAt(r, 'upstream_ports_busy', 60)).toBe(timedOut);
    expect(valueAt(r, 'upstream_ports_busy', 66)).toBe(0);
  });
});
