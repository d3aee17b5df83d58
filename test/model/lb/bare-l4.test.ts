/**
 * Bare app servers (`backends[].proxy: none`) behind lb.mode l4 (HAProxy mode tcp) or nat
 * (session 15): the client's own keep-alive connection — relayed byte for byte, or NATed — is
 * accepted by the app's listener. The app's keep-alive idle timeout closes it (the client reads
 * the app's FIN; the app's VM keeps the TIME_WAIT), a killed app's FIN or RST reaches the client
 * under its request, and its closed listener refuses new connects: retried and redispatched by
 * HAProxy mode tcp, ECONNREFUSED at the client through a NAT. Behind nginx the VM keeps
 * listening and nginx answers 502.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** 20 keep-alive clients a second, 20 requests each `think` apart, over vm-a and vm-b. */
function keepalive(proxy: 'nginx' | 'none', mode: 'l4' | 'nat', think: string, timeline: unknown[] = []) {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: 20, requests_per_connection: 'const(20)', think_time: `const(${think})`, retries: 0 },
    },
    app: { workers: 64, service_time: 'const(100ms)', keepalive_timeout: '3s', graceful_shutdown: true },
    // nginx's worker_connections as ingress-nginx: its keep-alive clients of 80 s outgrow 512 on a VM;
    // this test is about who closes idle connections, not the connection limit.
    ...(proxy === 'nginx' ? { nginx: { worker_connections: 16384 } } : {}),
    lb: mode === 'nat' ? { mode } : { mode, redispatch: true, timeout_client: '30s', timeout_server: '30s' },
    backends: [
      { name: 'vm-a', proxy },
      { name: 'vm-b', proxy },
    ],
    timeline,
  } as ScenarioInput;
}

const kill = [{ at: '30s', do: 'terminate', backend: 'vm-a', mode: 'kill' }];

/** vm-a SIGTERMed at 20 s (killed 10 s later), its clients busy: 500-ms requests 500 ms apart, 40 per connection. */
function sigterm(mode: 'l4' | 'nat', keep?: 'keep' | 'close'): ScenarioInput {
  const input = keepalive('none', mode, '500ms', [{ at: '20s', do: 'terminate', backend: 'vm-a', mode: 'graceful' }]);
  const clients = input.clients as { http: Record<string, unknown> };
  clients.http.requests_per_connection = 'const(40)';
  input.app = {
    ...input.app,
    service_time: 'const(500ms)',
    shutdown_grace: '10s',
    ...(keep ? { sigterm_keepalive: keep } : {}),
  };
  return input;
}

describe('a bare app server holding the clients own connections (lb.mode l4 / nat)', () => {
  it("closes them idle after app.keepalive_timeout: a client thinking longer opens a new one per request (nginx's 75 s keeps them)", () => {
    for (const mode of ['l4', 'nat'] as const) {
      const bare = run(keepalive('none', mode, '4s'));
      const nginx = run(keepalive('nginx', mode, '4s'));
      const requests = fig(bare, 'requests.total');
      expect(requests).toBeGreaterThan(5000);
      // Every request but the ones still to come finds its connection closed by the app: a new one.
      expect(fig(bare, 'new_conn.total')).toBeGreaterThan(0.99 * requests);
      expect(fig(bare, 'closed_fin.total')).toBeGreaterThan(0.85 * requests);
      expect(fig(bare, 'errors.total')).toBe(0);
      // The app closed first: its VM holds the TIME_WAITs.
      expect(totalIn(bare, 'time_wait', 50, 60)).toBeGreaterThan(0);
      expect(fig(nginx, 'new_conn.total')).toBeLessThan(0.15 * fig(nginx, 'requests.total'));
    }
  });

  it('the keep-alive race is client vs app: a request sent as the app closes meets its RST', () => {
    // Sent 0.5 ms before the app's close, whose FIN takes half the 1-ms round trip to arrive.
    const r = run(keepalive('none', 'l4', '2999.5ms'));
    const races = recordsOf(r, 'client.keepalive_race');
    expect(races.length).toBeGreaterThan(0);
    expect(races[0].keepaliveTimeout).toBe(3);
    expect(fig(r, 'err_econnreset.total')).toBeGreaterThan(100);
  });

  it('killed: its requests in flight read EOF, not a 502; HAProxy mode tcp redispatches the next connects', () => {
    const bare = run(keepalive('none', 'l4', '1s', kill));
    const held = recordsOf(bare, 'app.killed')[0].inFlight;
    expect(held).toBeGreaterThan(5);
    expect(fig(bare, 'err_econnreset.total')).toBe(held);
    expect(fig(bare, 'responses_5xx.total')).toBe(0);
    expect(fig(bare, 'errors.total')).toBe(held);
    // Its idle connections get the kernel's FIN at once: their clients reconnect, to vm-b.
    expect(totalIn(bare, 'new_conn', 31, 60, 'vm-a')).toBe(0);
    const nginx = run(keepalive('nginx', 'l4', '1s', kill));
    expect(fig(nginx, 'responses_5xx.total')).toBeGreaterThan(held);
  });

  it('killed behind a NAT: the in-flight ones read EOF, every new connect to it is refused (ECONNREFUSED)', () => {
    const r = run(keepalive('none', 'nat', '1s', kill));
    const held = recordsOf(r, 'app.killed')[0].inFlight;
    expect(fig(r, 'err_econnreset.total')).toBe(held);
    expect(fig(r, 'err_econnrefused.total')).toBeGreaterThan(100);
    expect(fig(r, 'responses_5xx.total')).toBe(0);
  });

  it("SIGTERM, Go's Shutdown() (sigterm_keepalive: close): idle ones closed at once, busy ones after their answer; nothing else fails", () => {
    for (const mode of ['l4', 'nat'] as const) {
      const r = run(sigterm(mode, 'close'));
      // The idle ones at the SIGTERM (20 s, in the sample ending then), the busy ones after their answer.
      expect(totalIn(r, 'closed_fin', 19, 20, 'vm-a')).toBeGreaterThan(20);
      expect(totalIn(r, 'closed_fin', 20, 21, 'vm-a')).toBeGreaterThan(20);
      expect(totalIn(r, 'new_conn', 21, 60, 'vm-a')).toBe(0);
      expect(totalIn(r, 'requests', 22, 60, 'vm-a')).toBe(0);
      // Nothing was in flight at the kill: no EOF (only the NAT's connects meet the closed listener).
      // Only a request on its way as the SIGTERM closed its idle connection (written in the rtt/2
      // before, reaching the closed socket: RST) fails, at the SIGTERM.
      const raced = fig(r, 'err_econnreset.total');
      // Seed 1: one such request through HAProxy mode tcp, none behind the NAT (review43 #2: a bound
      // of ≤ 2 also passed with the race gone).
      expect(raced).toBe(mode === 'l4' ? 1 : 0);
      expect(totalIn(r, 'err_econnreset', 19, 20)).toBe(raced);
      if (mode === 'l4') expect(fig(r, 'errors.total')).toBe(raced);
    }
  });

  it('SIGTERM, a node app (sigterm_keepalive unset = keep): busy clients keep being served until the kill, whose requests in flight fail', () => {
    for (const mode of ['l4', 'nat'] as const) {
      const r = run(sigterm(mode));
      // The idle ones close at the SIGTERM (closeIdleConnections()), no new connection lands on it…
      expect(totalIn(r, 'closed_fin', 19, 20, 'vm-a')).toBeGreaterThan(20);
      expect(totalIn(r, 'new_conn', 21, 60, 'vm-a')).toBe(0);
      // …but the busy ones stay (think 500 ms < keepalive_timeout 3 s), answered keep-alive until the kill at 30 s,
      expect(totalIn(r, 'closed_fin', 20, 29, 'vm-a')).toBe(0);
      expect(totalIn(r, 'requests', 25, 30, 'vm-a')).toBeGreaterThan(100);
      // where the requests in flight read EOF (the app's FIN through HAProxy mode tcp or the NAT);
      // before, only a request on its way as the SIGTERM closed its idle connection (RST).
      const raced = totalIn(r, 'err_econnreset', 19, 20);
      expect(raced).toBe(mode === 'l4' ? 1 : 0);
      const held = fig(r, 'err_econnreset.total') - raced;
      expect(held).toBeGreaterThan(5);
      expect(totalIn(r, 'err_econnreset', 29, 31)).toBe(held);
      if (mode === 'l4') expect(fig(r, 'errors.total')).toBe(held + raced);
    }
  });

  it("a hard removal (remove_resets_flows) resets the app's own socket: reset_in counted, no nginx log line", () => {
    const input = keepalive('none', 'l4', '1s', [{ at: '30s', do: 'remove', backend: 'vm-a' }]);
    (input.lb as Record<string, unknown>).remove_resets_flows = true;
    const r = run(input);
    expect(fig(r, 'reset_out.total')).toBeGreaterThan(10);
    expect(fig(r, 'reset_in.total')).toBeGreaterThan(0);
    expect(recordsOf(r, 'nginx.reset_reading_request')).toEqual([]);
  });
});
