/**
 * A request waiting in HAProxy's queue whose client left (lb/l7-dispatch.ts abandon, takeSlot):
 * without `option abortonclose` (lb.abortonclose false, HAProxy's default) the stream stays queued
 * — the client's close of a complete request is not read (src/http_ana.c http_end_request():
 * channel_dont_read()) and back_may_abort_req() (src/backend.c) aborts a queued stream only with
 * the option (its request is still in the channel) — and is sent when its turn comes, its answer
 * going nowhere: "a useless request in the queue [...] will eventually be served"
 * (doc/configuration.txt "option abortonclose"). With the option it leaves the queue.
 * Regime: one server at maxconn 1 serving 500 ms requests (2/s) under 4 req/s for 20 s, a 2-s client
 * timeout and no client retry: the queue grows past what a client waits almost at once, so
 * nearly every request is abandoned while queued. Before this rule the model gave a queued ghost's
 * turn to the next stream with or without the option: 43 attempts of 84, 31 wasted.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

const regime = (abortonclose: boolean | undefined, timeout = '2s', timeoutQueue = '1h'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '60s',
  sample_interval: '1s',
  clients: { requests: { rate: 4, timeout, retries: 0 } },
  app: { workers: 4, service_time: 'const(500ms)' },
  lb: {
    mode: 'l7',
    maxconn: 1,
    timeout_queue: timeoutQueue,
    ...(abortonclose === undefined ? {} : { abortonclose }),
  },
  backends: [{ name: 'vm-a' }],
  timeline: [{ at: '20s', do: 'load', request_rate: 0 }],
});

const totals = (input: ScenarioInput) => {
  const r = run(input, 1);
  const f = (name: string): number => between(r, name, 0, 60);
  return {
    offered: f('offered'),
    attempts: f('attempts'),
    goodput: f('goodput'),
    timeouts: f('req_timeouts'),
    wasted: f('wasted'),
    rejected: f('req_5xx'),
  };
};

describe('a queued request whose client left (maxconn 1, slow server)', () => {
  it('without abortonclose it is sent at its turn: the server serves every request, the abandoned ones for nobody', () => {
    const t = totals(regime(undefined));
    expect(t.offered).toBe(84);
    expect(t.timeouts).toBeGreaterThan(70);
    // Every request reaches the server (the queue drains in the 40 s after the load stops) ...
    expect(t.attempts).toBe(t.offered);
    // ... and each one whose client left is served for nobody.
    expect(t.wasted).toBe(t.timeouts);
    expect(t.goodput + t.wasted).toBe(t.offered);
  });

  it("with abortonclose a stream ends at its client's close: its slot goes to the next at once, more are answered in time", () => {
    const served = totals(regime(undefined));
    const t = totals(regime(true));
    // With every client waiting 2 s, a queued stream's turn comes before its client leaves (the
    // slot ahead is freed at that client's close at the latest), so all still reach the server ...
    expect(t.attempts).toBe(t.offered);
    // ... but none holds its slot for nobody: fewer are served for nobody, more in time.
    expect(t.wasted).toBeLessThan(served.wasted - 10);
    expect(t.goodput).toBeGreaterThan(2 * served.goodput);
  });

  it('timeout queue answers 503 (sQ) to a client still waiting, with or without the option', () => {
    for (const abortonclose of [undefined, true]) {
      const t = totals(regime(abortonclose, '10s', '3s'));
      expect(t.timeouts).toBe(0);
      expect(t.rejected).toBeGreaterThan(30);
      expect(t.goodput + t.rejected).toBe(t.offered);
    }
  });
});
