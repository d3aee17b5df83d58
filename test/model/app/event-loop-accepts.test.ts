/**
 * A bare one-worker app (node) behind lb.mode l4 / nat: its event loop accept()s one pending
 * connection per iteration (app/event-loop-accepts.ts; libuv ≥ 1.45 uv__server_io(), node v20.20.2
 * ships 1.46.0), so the clients' connects that come while it runs wait in the kernel's accept
 * queue, min(backlog, somaxconn) + 1 deep, and a SYN beyond it is dropped and sent again 1 s later
 * (lb/l4-connect.ts appHandshake). Recorded with HAProxy 2.6.12 and node v20:
 * test/calibration/haproxy-bare-l4-backlog.test.ts. Before session 16 the clients' connects
 * skipped the app's queue (connect time = the RTT); in session 16 the loop accepted every pending
 * connection at an iteration's end (libuv < 1.45).
 */
import { describe, expect, it } from 'vitest';
import { EventLoopAccepts } from '../../../sim/model/app/event-loop-accepts.js';
import { Req } from '../../../sim/model/core/request.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, valueAt } from '../helpers.js';
import { bareBurst } from './bare-burst.js';

const burst = bareBurst;

describe("a bare one-worker app's event loop and its accept queue", () => {
  it('l4: connects beyond backlog + 1 within one iteration are dropped and wait a SYN retransmission', () => {
    const r = run(burst('l4', 1, 4), 1);
    const connect = r.histograms.connect_latency;
    expect(connect.max).toBeGreaterThanOrEqual(1);
    const drops = recordsOf(r, 'kernel.app_listen_overflow');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]).toMatchObject({ limit: 5, backlog: 4, sender: 'lb' });
    expect(drops.every((d) => d.queued === 5)).toBe(true);
  });

  it('a larger backlog takes the whole burst: no drop, connects at the RTT', () => {
    const r = run(burst('l4', 1, 511), 1);
    expect(r.histograms.connect_latency.max).toBeLessThan(0.01);
    expect(recordsOf(r, 'kernel.app_listen_overflow')).toEqual([]);
  });

  it('an app with more workers accepts at once (not an event loop)', () => {
    const r = run(burst('l4', 2, 4), 1);
    expect(recordsOf(r, 'kernel.app_listen_overflow')).toEqual([]);
  });

  it('app.accept_model: worker_per_connection turns the loop off for a bare one-worker app', () => {
    const r = run(burst('l4', 1, 4, 'worker_per_connection'), 1);
    expect(recordsOf(r, 'kernel.app_listen_overflow')).toEqual([]);
    expect(r.histograms.connect_latency.max).toBeLessThan(0.01);
  });

  it("nat: the client's own SYN is dropped, its kernel sends it again", () => {
    const r = run(burst('nat', 1, 4), 1);
    const drops = recordsOf(r, 'kernel.app_listen_overflow');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0].sender).toBe('client');
  });

  it('the loop accepts one pending connection per iteration, and two once it has nothing to run', () => {
    const loop = new EventLoopAccepts();
    loop.queued();
    expect(loop.pending).toBe(0); // idle loop: accepted at once
    loop.jobStarted();
    loop.queued();
    loop.queued();
    expect(loop.pending).toBe(2);
    // The iteration's one job ends with 3 jobs in the app: the next iteration begins with one
    // accept() (uv__server_io) and runs those 3; the other connection waits (session 16: both taken).
    loop.jobDone(3);
    expect(loop.pending).toBe(1);
    loop.queued();
    loop.jobDone(2);
    loop.jobDone(1);
    expect(loop.pending).toBe(2);
    // Connections without a request yet: each poll accepts one and has no handler to run, the next
    // comes at once, so they are all taken.
    expect(loop.jobDone(0)).toEqual([]);
    expect(loop.pending).toBe(0);
    expect(loop.running).toBe(false);
  });

  it('an idle loop meeting a burst with requests: one accept, then one accept and one handler, then one per iteration', () => {
    // review19's demo: one job runs, 5 connections come with their requests, the job ends with
    // nothing else in the app. Poll 1 accepts c1 (its socket joins epoll at the next poll), poll
    // 2 accepts c2 and runs c1's handler; c2's request is read at that iteration's end, and each
    // later iteration accepts one more (session 17 took all 5 and returned their 5 requests).
    const loop = new EventLoopAccepts();
    const conns = Array.from({ length: 5 }, () => new Req(() => {}));
    loop.jobStarted();
    for (const c of conns) {
      loop.queued(c);
      expect(loop.holdRequestOf(c, c)).toBe(true);
    }
    expect(loop.jobDone(0)).toEqual([conns[0]]);
    expect(loop.pending).toBe(3);
    loop.jobStarted(); // c1's handler: one iteration
    expect(loop.running).toBe(true);
    expect(loop.endsIteration).toBe(true);
    expect(loop.readable()).toEqual([conns[1]]);
    expect(loop.jobDone(1)).toEqual([]); // c2's request in the app; this iteration's accept takes c3
    expect(loop.pending).toBe(2);
    expect(loop.readable()).toEqual([conns[2]]);
    expect(loop.jobDone(1)).toEqual([]);
    expect(loop.pending).toBe(1);
  });

  it('an idle loop skips the connections with no request and runs the first that has one', () => {
    const loop = new EventLoopAccepts();
    const [a, b, c, d] = Array.from({ length: 4 }, () => new Req(() => {}));
    loop.jobStarted();
    for (const x of [a, b, c, d]) loop.queued(x);
    loop.holdRequestOf(b, b);
    loop.holdRequestOf(c, c);
    loop.holdRequestOf(d, d);
    expect(loop.forget(b)).toBe(true); // b's client closed: accepted, then EOF, nothing to run
    expect(loop.jobDone(0)).toEqual([c]); // a and b taken with no handler, c runs, d accepted
    expect(loop.pending).toBe(0);
    loop.jobStarted();
    expect(loop.readable()).toEqual([d]);
  });

  it("a client's request waits with its connection in the accept queue and is read one iteration after its accept", () => {
    const loop = new EventLoopAccepts();
    const first = new Req(() => {});
    const second = new Req(() => {});
    loop.jobStarted();
    loop.queued(first);
    loop.queued(second);
    expect(loop.holdRequestOf(second, second)).toBe(true);
    expect(loop.holdRequestOf(first, first)).toBe(true);
    loop.jobDone(1); // accepts `first`: its request is read at the next iteration's end
    expect(loop.holdRequestOf(first, first)).toBe(false); // accepted: read like any other
    expect(loop.readable()).toEqual([first]); // read at iteration 2's end (AppServer.loopJobDone)
    loop.jobDone(1); // accepts `second`
    expect(loop.readable()).toEqual([second]);
    // A client that closed before its accept: the place stays until node accepts it, its request goes.
    expect(loop.forget(second)).toBe(false); // accepted already
    loop.queued(first);
    expect(loop.holdRequestOf(first, first)).toBe(true);
    expect(loop.forget(first)).toBe(true);
    expect(loop.pending).toBe(1);
    loop.jobDone(0);
    expect(loop.readable()).toEqual([]);
  });
});

/**
 * 20 keep-alive users on one bare node app (100 ms a request, think 1 s: ~10 requests a second,
 * its capacity), an HTTP check every 2 s, timeout = inter. node's loop runs ~1-s iterations: a
 * check's connection is accept()ed at the end of the iteration it came in and its request read at
 * the end of the next, so it waits ~2.5 iterations and times out; before session 16's bareloop16
 * the check met the app's listener as a worker-per-connection server's and queued its request at
 * its connect (0 failures). Recorded (HAProxy 2.6.12, haproxy-bare-l4-backlog-tcp): every check
 * after the load built up took 2001 ms (Layer7 timeout).
 */
function saturated(acceptModel?: 'event_loop' | 'worker_per_connection'): ScenarioInput {
  const s = burst('l4', 1, 511, acceptModel);
  const http = { arrival_rate: 20, requests_per_connection: 'const(1000)', think_time: 'const(1s)', retries: 0 };
  return {
    ...s,
    horizon: '20s',
    clients: { rtt: '1ms', http },
    app: { ...s.app, service_time: 'const(100ms)' },
    health_check: { type: 'http', inter: '2s', rise: 2, fall: 3 },
  } as ScenarioInput;
}

describe("a health check on a bare app's blocked event loop", () => {
  it('waits for the loop to accept its connection and read its request, and times out', () => {
    const r = run(saturated(), 1);
    expect(totalIn(r, 'check_failures', 0, 20)).toBeGreaterThanOrEqual(3);
    expect(recordsOf(r, 'hc.down').map((d) => d.reason)).toContain('Layer7 timeout');
  });

  it('a worker-per-connection app serves it in its queue place: no failure', () => {
    const r = run(saturated('worker_per_connection'), 1);
    expect(totalIn(r, 'check_failures', 0, 20)).toBe(0);
  });

  it('the request of a connection made mid-iteration is read at the end of the iteration after its accept', () => {
    const loop = new EventLoopAccepts();
    const check = new Req(() => {});
    loop.jobStarted(); // iteration 1 runs one job
    loop.queued();
    loop.holdUntilAccept(check);
    expect(loop.endsIteration).toBe(true);
    expect(loop.readable()).toEqual([]); // nothing accepted before
    expect(loop.jobDone(2)).toEqual([]); // accepted now, 2 other jobs in iteration 2
    expect(loop.pending).toBe(0);
    loop.jobDone(1);
    expect(loop.endsIteration).toBe(true);
    expect(loop.readable()).toEqual([check]); // read at iteration 2's end: joins iteration 3
    expect(loop.readable()).toEqual([]);
  });

  it('a kill resets the check the blocked loop holds, at once (not at its timeout)', () => {
    // The check sent ≈ 5 s is still waiting for the loop at 7 s. SIGKILL closes the listener
    // and the accepted sockets with their unread requests: the check sees RST now
    // (app-server.ts drop(): inet_csk_listen_stop(), tcp_close()). Before session 16's fix the
    // loop forgot it and it timed out 2 s after it started, in (8, 9].
    const killed = saturated();
    const r = run(
      {
        ...killed,
        timeline: [...killed.timeline!, { at: '7s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
      } as ScenarioInput,
      1,
    );
    expect(valueAt(r, 'check_failures', 7)).toBe(1);
  });

  it('reset() keeps the held requests for heldRequests(), which hands them over once', () => {
    const loop = new EventLoopAccepts();
    const check = new Req(() => {});
    loop.jobStarted();
    loop.queued();
    loop.holdUntilAccept(check);
    loop.reset();
    expect(loop.running).toBe(false);
    expect(loop.pending).toBe(0);
    expect(loop.heldRequests()).toEqual([check]);
    expect(loop.heldRequests()).toEqual([]);
  });

  it('an idle loop reads an accepted connection at once', () => {
    const loop = new EventLoopAccepts();
    const check = new Req(() => {});
    loop.jobStarted();
    loop.queued();
    loop.holdUntilAccept(check);
    expect(loop.jobDone(0)).toEqual([check]);
  });
});

describe("node's keep-alive timer on a blocked event loop", () => {
  it("fires before the poll that would read a request that came during the iteration, if it is due by the iteration's end", () => {
    const loop = new EventLoopAccepts();
    const [late, early] = [new Req(() => {}), new Req(() => {})];
    loop.unreadUntil(late, 5, 0); // idle loop: the request is read at once, no timer can win
    expect(loop.timersDue(10)).toEqual([]);
    loop.jobStarted();
    loop.unreadUntil(late, 3.0, 1.0); // its timer due at 3 s
    loop.unreadUntil(early, 3.5, 1.2);
    const due = loop.timersDue(3.2); // the iteration ends at 3.2 s
    expect(due.map((u) => u.job)).toEqual([late]);
    expect(due[0].since).toBe(1.0);
    expect(loop.timersDue(4)).toEqual([]); // the others were read at that poll
    loop.unreadUntil(early, 3.5, 3.3);
    loop.reset();
    expect(loop.timersDue(4)).toEqual([]); // the process is gone: nothing left to fire
  });
});
