/**
 * clients.requests.library: open-loop requests on reused connections (`reused_connections`)
 * whose bare app server is killed under them — HAProxy closes each such client connection
 * silently (abort_keep_alive, TX_NOT_FIRST) — are resent by a Go, Chromium or curl client itself
 * on a new connection (http-library.ts resendsOnReusedConnection), while Node's client reports
 * "socket hang up" (ECONNRESET). Retries 0, so every EOF the program sees is an error; the resend
 * is the first request of its new connection, so one that meets the dead server again is
 * HAProxy's 502 (or is redispatched), never a second silent close.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Open-loop requests (40/s of 500 ms) on kept-alive connections to two bare apps; vm-a killed at 10 s. */
function killed(library?: string): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '15s',
    clients: {
      rtt: '1ms',
      requests: { rate: 40, timeout: '8s', retries: 0, reused_connections: true, ...(library ? { library } : {}) },
    },
    app: { workers: 64, service_time: 'const(500ms)' },
    lb: { mode: 'l7', redispatch: true },
    backends: [
      { name: 'vm-a', proxy: 'none' },
      { name: 'vm-b', proxy: 'none' },
    ],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

const heldAtKill = (r: RunResult): number => recordsOf(r, 'app.killed')[0].inFlight;

describe('open-loop requests closed silently under a reused connection', () => {
  it('node (unset): each is an ECONNRESET the program sees, nothing resent', () => {
    const node = run(killed());
    expect(heldAtKill(node)).toBeGreaterThan(5);
    expect(fig(node, 'err_econnreset.total')).toBe(heldAtKill(node));
    expect(recordsOf(node, 'client.resend')).toHaveLength(0);
  });

  it('go, browser, curl: resent on a new connection — no ECONNRESET, no failed request, no retry', () => {
    for (const library of ['go', 'browser', 'curl']) {
      const r = run(killed(library));
      expect(heldAtKill(r)).toBeGreaterThan(5);
      expect(recordsOf(r, 'client.resend').length).toBeGreaterThan(0);
      expect(fig(r, 'err_econnreset.total')).toBe(0);
      expect(fig(r, 'retries.total')).toBe(0);
      // The resends go to vm-b (vm-a refuses: redispatch) and are answered.
      expect(fig(r, 'req_failed.total')).toBe(0);
    }
  });
});
