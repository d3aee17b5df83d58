/**
 * Who closes the connection of a WebSocket upgrade refused with a 5xx, behind lb.mode l4 and nat
 * (app/ws-endpoint.ts reject()). nginx ends the 503/502 as an ordinary keep-alive response
 * (ngx_http_finalize_connection() → ngx_http_set_keepalive(), src/http/ngx_http_request.c;
 * ngx_http_special_response_handler() keeps keep-alive for 502/503) and the client fails the
 * WebSocket connection (RFC 6455 §4.1, §7.1.7; `ws` abortHandshake() → socket.destroy()): the
 * client closes first, nginx closes passively (no TIME_WAIT on the VM), and through HAProxy mode
 * tcp the client-facing socket closes passively too (no `lb_time_wait`) while HAProxy's relayed
 * FIN makes its server side hold a TIME_WAIT (`lb_ports_busy`). Only when nginx drops keep-alive
 * after any response (keepalive_timeout 0) does nginx close first and the VM hold the TIME_WAIT.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { run, valueAt } from '../helpers.js';
import { refusedUpgrades } from '../refused-upgrades.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;
const vmTimeWait = (r: RunResult, t: number): number =>
  valueAt(r, 'time_wait', t, 'vm-a') + valueAt(r, 'time_wait', t, 'vm-b');

function refused(mode: 'l4' | 'nat', nginx: Record<string, unknown> = {}): RunResult {
  return run(refusedUpgrades(mode, { nginx }));
}

describe('a WebSocket upgrade refused with a 5xx: the client closes first', () => {
  it('lb.mode nat: no TIME_WAIT on the VM (nginx closes passively)', () => {
    const r = refused('nat');
    expect(fig(r, 'responses_5xx.total')).toBeGreaterThan(5000);
    // TIME_WAIT lasts 60 s, longer than the run: every close nginx made first would still be there.
    expect(vmTimeWait(r, 30)).toBe(0);
    expect(valueAt(r, 'lb_time_wait', 30)).toBe(0);
  });

  it("lb.mode l4: no TIME_WAIT on the VM nor on HAProxy's client side; HAProxy's server side holds one per refusal", () => {
    const r = refused('l4');
    const n = fig(r, 'responses_5xx.total');
    expect(n).toBeGreaterThan(5000);
    expect(vmTimeWait(r, 30)).toBe(0);
    expect(valueAt(r, 'lb_time_wait', 30)).toBe(0);
    // HAProxy relayed the client's FIN to nginx first: each refusal's server-side port is in TIME_WAIT.
    expect(valueAt(r, 'lb_ports_busy', 30)).toBeGreaterThanOrEqual(n);
  });

  it('nginx keepalive_timeout 0: nginx closes after the response, the VM holds the TIME_WAIT', () => {
    for (const mode of ['nat', 'l4'] as const) {
      const r = refused(mode, { keepalive_timeout: '0s' });
      const n = fig(r, 'responses_5xx.total');
      expect(n).toBeGreaterThan(5000);
      // Through l4 the balancer's next connect from a port whose 4-tuple the VM still holds in
      // TIME_WAIT reopens it (tw_reopened); every other refusal is still a TIME_WAIT on the VM.
      expect(vmTimeWait(r, 30) + fig(r, 'tw_reopened.total')).toBe(n);
      // Through HAProxy mode tcp the relayed FIN makes its client-facing socket close first.
      expect(valueAt(r, 'lb_time_wait', 30)).toBe(mode === 'l4' ? n : 0);
    }
  });

  it("nginx keepalive_requests 1: the upgrade is the connection's first request, so nginx closes first", () => {
    const r = refused('nat', { keepalive_requests: 1 });
    const n = fig(r, 'responses_5xx.total');
    expect(n).toBeGreaterThan(5000);
    // A client reconnects from its own machine (one address for its life): a port it picks again
    // meets the VM's TIME_WAIT of its earlier refusal and reopens it (tw_reopened).
    expect(vmTimeWait(r, 30) + fig(r, 'tw_reopened.total')).toBe(n);
  });
});
