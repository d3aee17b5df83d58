/**
 * The README row of tls-reconnect-storm / -fixed: a reconnect storm's TLS handshakes are paced by
 * vm-b's nginx workers (one accept per event-loop iteration, ngx_event_accept), and the storm
 * waits in the kernel's accept queue of :443, which holds 512 (listen backlog 511 + 1): the
 * kernel drops the other SYNs (tcp_conn_request, ListenOverflows) and the balancer's kernel sends
 * them again on the SYN schedule, so the storm gets in 516 a second; jitter spreads it out.
 */
import { describe, expect, it } from 'vitest';
import { runBuiltin } from '../helpers.js';

/** Three whole runs; on a 2-core machine shared with other jobs they have taken over 2 minutes. */
const RUN_TIMEOUT_MS = 400_000;

describe('tls-reconnect-storm (TLS ends in nginx, 10,000 reconnects in one instant)', () => {
  it(
    "the storm gets in 516 a second through nginx's listen queue (connects up to 19 s late); jitter removes it",
    () => {
      const storm = runBuiltin('tls-reconnect-storm', 1).figures;
      const plain = runBuiltin('tls-reconnect-storm', 1, ['app.tls.terminates=none']).figures;
      const fixed = runBuiltin('tls-reconnect-storm-fixed', 1).figures;
      expect(storm['reconnects.peak_per_s']).toBe(9986);
      // 512 in the accept queue + 2 held by each of the 2 workers get in at each SYN round; the
      // other ~9,470 SYNs are dropped and sent again 1 s later, all in step.
      expect(storm['syn_drops.peak_per_s']).toBe(9470);
      expect(storm['syn_drops.total']).toBe(91706);
      expect(storm['vm-b.new_conn.peak_per_s']).toBe(545);
      // The last get in ~19 s late: HAProxy's connect gives up at 5 s (SYNs at 0–4 s) and retries
      // 3 times, so 20 rounds of 516 carry the 9,986.
      expect(storm['connect_latency.max']).toBeCloseTo(19.03, 2);
      expect(storm['connect_latency.p50']!).toBeGreaterThan(2);
      // A new connection waits in nginx behind ≤ 514 handshakes (0.18 s), not the whole storm:
      // no request waits longer than in the fixed run.
      expect(storm['request_latency.max']!).toBeCloseTo(fixed['request_latency.max']!, 3);
      // The upgrades reach the app ≤ 516 a second (plus the API's own connects), not 9,986.
      expect(storm['upstream_connects.peak_per_s']).toBe(1608);
      // The same storm without TLS in nginx: nginx accepts at once and the 10,000 upgrades queue
      // at the app instead (its own accept queue drops nginx's SYNs: those are its syn_drops), which
      // delays requests ~1 s; the connects to nginx are not delayed.
      expect(plain['connect_latency.max']!).toBeLessThan(0.05);
      expect(plain['request_latency.max']!).toBeGreaterThan(0.9);
      expect(plain['request_latency.max']!).toBeLessThan(1.2);
      expect(fixed['reconnects.peak_per_s']).toBe(208);
      expect(fixed['syn_drops.total']).toBe(0);
      expect(fixed['connect_latency.max']!).toBeLessThan(0.05);
      expect(fixed['request_latency.max']!).toBeCloseTo(0.323, 3);
    },
    RUN_TIMEOUT_MS,
  );
});
