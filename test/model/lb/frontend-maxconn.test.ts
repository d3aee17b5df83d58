/**
 * HAProxy's frontend `maxconn` (lb.frontend_maxconn, lb/frontend-listener.ts; session 34): the
 * balancer holds at most that many client connections (src/listener.c listener_accept(): `p->feconn
 * >= p->maxconn` → limit_listener()), the next ones wait in its accept queue, min(backlog,
 * somaxconn) + 1 of them, their SYNs beyond it dropped and retransmitted by the clients' kernel,
 * which gives up with ETIMEDOUT (tcp_write_timeout). Regime: keep-alive clients, 20 new
 * connections a second for 5 s, each holding its connection through 4 requests of 1 s (one slow
 * server), so about 80 would be open at once without the limit. Unset, nothing is limited (before
 * the key existed).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run, window } from '../helpers.js';

const regime = (mode: 'l4' | 'l7', frontend?: { maxconn: number; backlog?: number }): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '60s',
  sample_interval: '100ms',
  clients: {
    rtt: '1ms',
    http: {
      arrival_rate: 20,
      arrivals: 'paced',
      requests_per_connection: 'const(4)',
      think_time: 'const(0s)',
      retries: 0,
    },
    kernel: { tcp_syn_retries: 2, tcp_syn_linear_timeouts: 0 },
  },
  app: { workers: 500, accept_model: 'worker_per_connection', service_time: 'const(1s)' },
  lb: {
    mode,
    timeout_client: '30s',
    timeout_server: '30s',
    ...(frontend === undefined ? {} : { frontend_maxconn: frontend.maxconn }),
    ...(frontend?.backlog === undefined ? {} : { frontend_backlog: frontend.backlog }),
  },
  backends: [{ name: 's1', proxy: 'none' }],
  timeline: [{ at: '5s', do: 'load', http_rate: 0 }],
});

describe('lb.frontend_maxconn: the balancer stops accepting at its limit', () => {
  for (const mode of ['l4', 'l7'] as const) {
    it(`${mode}: at most maxconn requests in service; the queue's overflow is SYNs dropped, some given up with ETIMEDOUT`, () => {
      const unlimited = run(regime(mode), 1);
      expect(Math.max(...window(unlimited, 'app_busy', 0, 60))).toBeGreaterThan(50);
      expect(between(unlimited, 'syn_drops', 0, 60)).toBe(0);

      const r = run(regime(mode, { maxconn: 10, backlog: 4 }), 1);
      // The app serves each connection's requests one after the other: busy = connections served.
      expect(Math.max(...window(r, 'app_busy', 0, 60))).toBe(10);
      expect(between(r, 'syn_drops', 0, 60)).toBeGreaterThan(0);
      // tcp_syn_retries 2 (no linear timeouts): SYNs at 0, 1 and 3 s, given up at 7 s.
      expect(between(r, 'err_etimedout', 0, 60)).toBeGreaterThan(0);
      // Fewer answers than without the limit: the connections given up never sent theirs.
      expect(between(r, 'responses_2xx', 0, 60)).toBeLessThan(between(unlimited, 'responses_2xx', 0, 60));
    });
  }
});
