/**
 * The connecting kernel gives up on unanswered SYNs at its own time (net/ipv4/tcp_timer.c
 * tcp_write_timeout → tcp_write_err: connect() fails with ETIMEDOUT; net/tcp.ts
 * synRetransmitSchedule, tcp_model_timeout) when that comes before the application's connect
 * timeout: with tcp_syn_retries 2 (and the default 4 linear timeouts) 7 s after the first SYN.
 * nginx then finalizes with 502 (ngx_http_upstream_test_connect → ngx_http_upstream_next
 * NGX_HTTP_UPSTREAM_FT_ERROR), not the 504 of proxy_connect_timeout; HAProxy sees a connection
 * error (back_handle_st_cer), not its timeout connect. With the defaults (6 retries: 131 s) the
 * application's timeout decides, as before.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';
import { busyApp } from './busy-app-fixture.js';

/** Time of the first sample (1-s samples) that counts a 5xx. */
const first5xx = (r: RunResult): number | undefined => series(r, 'responses_5xx').find(([, v]) => v > 0)?.[0];

/** busyApp (nginx → app), proxy_connect_timeout 20 s. */
const fullApp = (synRetries?: number): ScenarioInput =>
  busyApp({ nginx: { proxy_connect_timeout: '20s' }, synRetries });

const connectTimeouts = (r: RunResult): number =>
  r.events.filter((l) => l.record.kind === 'nginx.upstream_connect_timeout').length;

describe('nginx → app: the VM kernel gives up before proxy_connect_timeout', () => {
  it('tcp_syn_retries 2: 502 at the kernel give-up, 7 s after the first SYN, no proxy_connect_timeout', () => {
    const r = run(fullApp(2), 1);
    expect(r.figures['responses_5xx.total']).toBe(1);
    // Counted in the sample ending at 8 s (7 s + the half round trip), not at 20 s.
    expect(first5xx(r)).toBe(8);
    expect(connectTimeouts(r)).toBe(0);
    // The log says what happened: the kernel's give-up (nginx's "connect() failed (110…)"), not proxy_connect_timeout.
    const gaveUp = r.events.filter((l) => l.record.kind === 'nginx.upstream_syn_gave_up');
    expect(gaveUp.map((l) => [l.t, l.text])).toEqual([
      [gaveUp[0]!.t, 'vm-a: connect() failed (110: Connection timed out) while connecting to upstream'],
    ]);
    // nginx's kernel re-arms its SYN timer at each firing on the VM's timer wheel (1 s: a 32-ms
    // bucket at HZ 250), so each of the six firings comes up to 32 ms late (Linux 6.18 recorded
    // 7.22–7.25 s: calibration/data/kernel-holdout-syn-giveup-r2-l4-rt.json).
    expect(gaveUp[0]!.t).toBeGreaterThanOrEqual(7);
    expect(gaveUp[0]!.t).toBeLessThan(7 + 6 * 0.032);
  });

  it('default tcp_syn_retries 6 (131 s): proxy_connect_timeout decides, 504 at 20 s', () => {
    const r = run(fullApp(), 1);
    expect(r.figures['responses_5xx.total']).toBe(1);
    expect(first5xx(r)).toBe(21);
    expect(connectTimeouts(r)).toBe(1);
    expect(r.events.some((l) => l.record.kind === 'nginx.upstream_syn_gave_up')).toBe(false);
  });
});
