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
 * turn to the next stream with or without the option: 43 attempts of 84, 31 wasted. With one
 * patience the option's withdrawal never shows (each queued stream's turn comes before its client
 * leaves); the mixed test below gives the queue clients of two patiences (session 33).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../sim/engine/engine.js';
import { BackendQueue, type QueueOwner } from '../../../sim/model/lb/queue.js';
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

  it('with abortonclose a client that leaves before its turn takes its request out of the queue: it never reaches the server', () => {
    // Clients with different patience share the queue: open-loop requests that wait 60 s and
    // keep-alive clients that give up after 1 s (one request per connection), 2.5 a second for 20 s
    // against a server taking 2. An impatient client's stream still queued behind patient ones when
    // it leaves is withdrawn with the option (back_try_conn_req() in SC_ST_QUE:
    // pendconn_cond_unlink(), STRM_ET_QUEUE_ABRT) — a withdrawal one patience alone cannot show, as
    // every queued stream's turn then comes before its client leaves (the test above) — and sent at
    // its turn without it.
    const mixed = (abortonclose: boolean | undefined): ScenarioInput => ({
      ...regime(abortonclose),
      horizon: '90s',
      clients: {
        requests: { rate: 1.5, timeout: '60s', retries: 0 },
        http: {
          arrival_rate: 1,
          requests_per_connection: 'const(1)',
          think_time: 'const(0s)',
          retries: 0,
          request_timeout: '1s',
        },
      },
      timeline: [{ at: '20s', do: 'load', request_rate: 0, http_rate: 0 }],
    });
    const counts = (abortonclose: boolean | undefined) => {
      const r = run(mixed(abortonclose), 1);
      const f = (name: string): number => between(r, name, 0, 90);
      // Every request sent (open-loop and keep-alive), the attempts that reached the server.
      const sent = f('offered') + f('requests');
      return { sent, neverSent: sent - f('attempts'), gaveUp: f('err_client_timeout'), wasted: f('wasted') };
    };
    const without = counts(undefined);
    expect(without.gaveUp).toBeGreaterThan(15);
    // Without the option every request reaches the server, each one whose client left served for nobody.
    expect(without.neverSent).toBe(0);
    expect(without.wasted).toBe(without.gaveUp);
    const withOption = counts(true);
    // With it the clients that left while queued never reach the server: withdrawn, not served.
    expect(withOption.neverSent).toBeGreaterThan(10);
    expect(withOption.neverSent + withOption.wasted).toBe(withOption.gaveUp);
  });

  it('timeout queue answers 503 (sQ) to a client still waiting, with or without the option', () => {
    for (const abortonclose of [undefined, true]) {
      const t = totals(regime(abortonclose, '10s', '3s'));
      expect(t.timeouts).toBe(0);
      expect(t.rejected).toBeGreaterThan(30);
      expect(t.goodput + t.rejected).toBe(t.offered);
    }
  });

  it('timeout queue on a stream whose client left (no option: still queued) answers nobody — no 503 counted', () => {
    // Every client leaves after 1 s, `timeout queue` fires at 3 s: the sQ 503 of a queued ghost
    // goes nowhere (queueTimedOut lets it go), so the 5xx count stays that of clients still there:
    // none. Mutation audit round 10 (session 34): answering it as a live stream survived every test.
    const t = totals(regime(undefined, '1s', '3s'));
    expect(t.timeouts).toBeGreaterThan(30);
    expect(t.rejected).toBe(0);
  });

  it('with abortonclose a queued stream whose client leaves before its turn is withdrawn; the queue goes on', () => {
    // Two populations share the one slot: keep-alive clients that wait 60 s and open-loop ones
    // that wait 1 s. A stream queued behind a keep-alive request's is not at the head when its
    // client leaves, so back_try_conn_req() (src/backend.c) in SC_ST_QUE unlinks it
    // (pendconn_cond_unlink(), STRM_ET_QUEUE_ABRT): 25 streams on seed 1 (lb/queue.ts withdraw).
    // The ones behind take their turns as before, and the queue, once drained, lets the next
    // stream through (its length and head skip the withdrawn places).
    const mixed = (abortonclose: boolean): ScenarioInput => ({
      ...regime(abortonclose, '1s'),
      clients: {
        requests: { rate: 2, timeout: '1s', retries: 0 },
        http: {
          arrival_rate: 0.1,
          requests_per_connection: 'const(1000)',
          think_time: 'const(1s)',
          request_timeout: '60s',
          retries: 0,
        },
      },
      timeline: [{ at: '30s', do: 'load', request_rate: 0, http_rate: 0 }],
    });
    const figures = (abortonclose: boolean) => {
      const r = run(mixed(abortonclose), 1);
      return { answered: between(r, 'responses_2xx', 0, 60), wasted: between(r, 'wasted', 0, 60) };
    };
    const goesOn = figures(false);
    const withdrawn = figures(true);
    // Seed 1: 70 answers and 45 served for nobody without the option; 101 and 31 with it.
    expect(withdrawn.wasted).toBeLessThan(goesOn.wasted - 10);
    expect(withdrawn.answered).toBeGreaterThan(goesOn.answered + 20);
  });
});

describe("HAProxy's queues after a withdrawal (lb/queue.ts BackendQueue.withdraw)", () => {
  it('a withdrawn stream no longer counts in its queue (maxqueue, qcur) and never gets a slot', () => {
    // pendconn_cond_unlink() (src/queue.c) takes the stream out and decrements the queue's length
    // at once: `show stat` qcur, maxqueue's `srv->queue.length` and roundrobin's "streams wait in
    // the backend queue" test (pool.ts queuedBehind) see it gone, and process_srv_queue() hands the
    // next slot to the stream behind it.
    let open = false;
    const queue = new BackendQueue(
      new Engine(16),
      Infinity,
      () => open,
      () => open,
      1,
    );
    const served: number[] = [];
    const owner: QueueOwner<number> = {
      takeSlot: (item) => {
        served.push(item);
        return true;
      },
      queueTimedOut: () => {},
      requeue: () => {},
    };
    const first = queue.add(owner, 1, 0); // persistent: server 0's own queue
    queue.add(owner, 2, 0);
    const shared = queue.add(owner, 3); // the backend queue
    queue.withdraw(first);
    queue.withdraw(shared);
    expect(queue.serverQueued(0)).toBe(1);
    expect(queue.size).toBe(0);
    open = true;
    queue.slotFreed(0);
    expect(served).toEqual([2]);
  });
});
