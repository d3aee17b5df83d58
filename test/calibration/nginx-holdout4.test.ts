/**
 * Held-out validation of drainsim's nginx model, round 4 (session 16): nine nginx 1.22.1 runs with
 * combinations never recorded (calibration/nginx/holdout4-experiments.mjs): two reloads 1 s apart
 * within worker_shutdown_timeout 2s while 2.5-s requests are in flight and a WebSocket tunnel is open
 * in each of the first two generations; proxy_read_timeout 2s with `nginx -s quit` (1.2-s and 3-s
 * requests in flight); the upstream keepalive_timeout (2s) equal to node's idle close (2 s), GET and
 * POST at thinks 1990 / 2000 / 2010 ms; an upstream `keepalive 4` cache across a reload; and
 * `worker_connections 64` under a connect burst (with 40 idle clients in, without; 1 and 2 workers;
 * two client reconnect styles). Each twin
 * (calibration/scenarios/nginx-holdout4-*.yaml) and its prediction
 * (calibration/data/nginx-holdout4-predictions.json) were committed before the runs were recorded
 * (`node calibration/nginx/run.mjs --only nginx-holdout4 --rt 10`, every process SCHED_FIFO 10, load
 * average 0.9–2.1 on 2 cores for the first four, 3.9–6.6 for the worker_connections runs). Tolerances as the other rounds: counts ±10 % (±2 near zero), times
 * ±1 s, shares ±0.1. Twins' clients are paced as the harness's (fixed spacing, `clients.http.arrivals:
 * paced`, session 19; Poisson before): means over seeds 1–5, per client connection as before.
 *
 * FOUND AND FIXED (sim/model/proxy/worker-connections.ts, nginx.worker_connections): with
 * `worker_connections 64` nginx closed all 40 idle keep-alive clients 0.18–0.56 s into a connect
 * burst and accepted-then-closed 77 new connections, where drainsim — which had no such setting —
 * predicted nothing (nginx-holdout4-worker-connections64-rt.json, twin predicted in 6cbeda0). The rule
 * (ngx_drain_connections, ngx_event_accept, ngx_event_connect_peer) was then read from nginx 1.22.1
 * and predicted, before recording, the burst alone (nginx-holdout4-wc64-*: 191 answers by 9 s
 * against 191, 189 thinking clients closed against 191). The first four runs agreed with their
 * predictions as written. Client differences (the harness's, not nginx's) are kept out of the
 * compared figures: the recorded client reopens a closed connection at once and waits on it
 * (lazyReconnect off; a known gap until session 17, then run through the model with
 * `clients.http.reconnect: eager` and compared), after a
 * `Connection: close` answer the recorded client sends its next request on a new connection at once
 * (drainsim's thinks first), and drainsim's client ends its connection after a 5xx (retries 0),
 * which is why the 3-s group of the quit run is twinned as its three rounds of requests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { mean, series } from '../model/helpers.js';
import { HeldOutTable, overSeeds, totalIn } from './heldout-table.js';
import {
  exitOf,
  expectPunctual,
  idleWorkersSplit,
  peakClientsByWorker,
  recordingFile,
  signalArrivals,
  calTwin as twin,
} from './nginx-twins.js';

const SEEDS = [1, 2, 3, 4, 5];
const runs = (name: string, sets: string[] = []): RunResult[] => SEEDS.map((seed) => twin(name, sets, seed));
const figure = (r: RunResult, name: string): number => r.figures[name] ?? 0;
const table = new HeldOutTable();
const kindTimes = (r: RunResult, kind: string): number[] =>
  r.events.filter((l) => l.record.kind === kind).map((l) => l.t);
interface ClientEvent {
  ev: string;
  g?: string;
  c?: number;
  s: number;
  sentS?: number;
  out?: string;
  status?: number;
}

describe('held-out round 4: nginx 1.22.1 runs against twins written before recording', () => {
  describe('two reloads 1 s apart within worker_shutdown_timeout 2s: 2.5-s requests in flight, a tunnel per generation', () => {
    const run = 'reload2-wst2-busy-tunnel';
    const data = recordingFile(`nginx-holdout4-${run}-rt`);
    const real = data.summary;
    let rs: RunResult[];
    beforeAll(() => {
      rs = runs(`nginx-holdout4-${run}`, signalArrivals(`nginx-holdout4-${run}`, data));
    });
    // Each reload's QUIT in the twin: 100 ms after the recorded signal reached the master (5.010, 6.012 s).
    const quits = data.actions.map((a: { s: number; tookMs: number }) => a.s + a.tookMs / 1000 + 0.1);

    it('each generation ends at its FIRST QUIT + 2 s (5.1 + 2, 6.1 + 2), its tunnel cut (EOF / 1006) then', () => {
      expectPunctual(data);
      // Real: generation 1 gone 7.035–7.153 s, generation 2 8.057–8.174 s, both shutting down side by side.
      const [g1, g2] = real.generations;
      table.expectTime(
        run,
        'generation 1 gone',
        g1.goneS,
        overSeeds(rs, (r) => exitOf(r, 1)),
      );
      table.expectTime(
        run,
        'generation 2 gone',
        g2.goneS,
        overSeeds(rs, (r) => exitOf(r, 2)),
      );
      for (const r of rs) {
        expect(exitOf(r, 1)).toBeCloseTo(quits[0] + 2, 6);
        expect(exitOf(r, 2)).toBeCloseTo(quits[1] + 2, 6);
        expect(figure(r, 'nginx_old_generations.max')).toBe(2);
        expect(figure(r, 'ws_close_1006.total')).toBe(2);
      }
      expect(real.maxWorkersShuttingDown).toBe(2);
      // Tunnel A (generation 1) closed at 7.112 s, B (opened 5.5 s, generation 2) at 8.113 s.
      table.expectTime(
        run,
        'tunnel A cut',
        real.tunnels.A.closedS,
        overSeeds(rs, (r) => exitOf(r, 1)),
      );
      table.expectTime(
        run,
        'tunnel B cut',
        real.tunnels.B.closedS,
        overSeeds(rs, (r) => exitOf(r, 2)),
      );
      expect([real.tunnels.A.clientSaw, real.tunnels.B.clientSaw]).toEqual(['eof', 'eof']);
    });

    it('every request in flight at the first QUIT answered Connection: close; those on generation 2 still in flight at 8.1 s cut', () => {
      // Real: all 16 in flight at 5.114 s answered (each within 1.1 s, under the 2-s timer), the 7
      // cut all at 8.1 s (generation 2's timer), none at 7.1 s.
      expect(real.inFlightAtQuit).toBe(16);
      expect(real.inFlightOutcomes).toEqual({ 'ok+Connection:close': 16 });
      expect(real.busyCutAtS).toEqual({ '8.1': real.busyOutcomes.eof });
      for (const r of rs) {
        expect(totalIn(r, 'errors', 0, 8)).toBe(0); // nothing cut by generation 1's timer
        expect(figure(r, 'errors.total')).toBe(totalIn(r, 'errors', 8, 9));
      }
      // Per busy connection (16 recorded, 16 paced in the twin): real 7 / 16 = 0.44. The first
      // second's new connections but tunnel A's (clients.ws.scheduled at 0 s, counted since the
      // counters' reset at 0 runs first: topology.ts startModel, fix19).
      const initial = (r: RunResult): number => series(r, 'new_conn')[0][1] - 1;
      table.expectClose(
        run,
        'requests cut at generation 2’s QUIT + 2 s / busy connection',
        real.busyOutcomes.eof / 16,
        overSeeds(rs, (r) => figure(r, 'errors.total') / initial(r)),
        { share: true },
      );
    });
  });

  describe('proxy_read_timeout 2s and nginx -s quit at 6 s', () => {
    const run = 'quit-read-timeout2';
    const data = recordingFile(`nginx-holdout4-${run}-rt`);
    const real = data.summary;

    it('3-s requests in flight at the quit answered 504 with Connection: close at 2.0 s; nginx exits after the last', () => {
      expectPunctual(data);
      const slow = real.byGroup.slow;
      // Real: all 30 slow requests 504 after 1.999–2.001 s; the 10 in flight at the quit
      // carried Connection: close, the last at 7.054 s; nginx gone at 7.116 s.
      expect(real.groups.slow.statuses).toEqual({ 504: 20, '504+close': 10 });
      expect(slow.inFlightStatuses).toEqual({ '504+close': slow.inFlightAtQuit });
      const rs = runs(`nginx-holdout4-${run}-slow`, signalArrivals(`nginx-holdout4-${run}-slow`, data));
      table.expectClose(
        run,
        'slow: 504 answered after the quit',
        slow.inFlightAtQuit,
        overSeeds(rs, (r) => totalIn(r, 'responses_5xx', 6, 9)),
      );
      table.expectTime(
        run,
        'nginx gone',
        real.masterExitedS,
        overSeeds(rs, (r) => exitOf(r, 1)),
      );
      for (const r of rs) {
        expect(exitOf(r, 1)).toBeGreaterThan(6);
        expect(exitOf(r, 1)).toBeLessThanOrEqual(6 + 2 + 1e-9);
        expect(figure(r, 'responses_2xx.total')).toBe(0);
      }
    });

    it('1.2-s requests in flight at the quit answered 200 Connection: close; every reconnect refused', () => {
      const fast = real.byGroup.fast;
      // Real: 4 in flight at 5.999 s: 3 with Connection: close, 1 whose header left as the QUIT
      // came (keep-alive, closed all the same); last answer 6.158 s; all 10 connections refused
      // when they reconnected.
      expect(fast.inFlightAtQuit).toBe(4);
      expect(fast.inFlightStatuses).toEqual({ 200: 1, '200+close': 3 });
      const refused = new Set(
        data.clientEvents
          .filter((e: ClientEvent) => e.ev === 'connect-fail' && e.g === 'fast')
          .map((e: ClientEvent) => e.c),
      );
      expect(refused.size).toBe(10);
      const rs = runs(`nginx-holdout4-${run}`, signalArrivals(`nginx-holdout4-${run}`, data));
      // KNOWN GAP since session 19 (the twin paced as the recorder, ws19, and its quit at the
      // signal's arrival, 5.999 s + the signaller's 7.2 ms, nginx19, each passing alone): the
      // recorder's loop drifts ~1.5 ms a cycle (answers 1.201 s for a 1200-ms setTimeout, thinks of
      // 300.5 ms: connection 0 sent at 0.004, 1.509, 3.010, 4.512 s), so its 5th request was due at
      // ~6.013 s, after the QUIT, and met nginx's close of the idle connection (EOF at 6.008 s); the
      // twin's exact 1.5-s cycle sends it at 6.000 s, 6 ms BEFORE the QUIT, and its 1.2-s answer
      // keeps the generation until 7.2 s. A tie of a few ms decided by the recording machine's timer
      // lateness, which no source states: not fitted (think or service times are the recorder's).
      // The QUIT's 5.999 + 7.2 ms is an UPPER BOUND on its arrival (signalArrivals: tookMs also
      // holds the signaller's exit and the harness's return; NOTES §2): the true arrival is up to
      // 7.2 ms earlier, so the twin's QUIT may sit at or just before its 6.000-s send, which would
      // close the idle connection first as nginx did. The 6-ms tie is thus only part of the story;
      // kept pinned: moving the QUIT by a guess would be a fit.
      const lastAnswer = overSeeds(rs, (r) => exitOf(r, 1));
      table.knownGap(run, 'fast: last answer (generation gone)', fast.lastAnswerS, lastAnswer);
      expect(lastAnswer).toBeCloseTo(6 + 1.2, 1);
      const initial = (r: RunResult): number => figure(r, 'new_conn.total');
      table.expectClose(
        run,
        'fast: connections refused at reconnect / connection',
        refused.size / 10,
        overSeeds(rs, (r) => figure(r, 'err_econnrefused.total') / initial(r)),
        { share: true },
      );
      const firstRefused = (r: RunResult): number => kindTimes(r, 'lb.connect_failed')[0];
      table.expectTime(run, 'first refused connect', real.firstConnectFailureS, overSeeds(rs, firstRefused));
      for (const r of rs) expect(figure(r, 'responses_5xx.total')).toBe(0);
    });
  });

  describe('upstream keepalive_timeout 2s equal to node’s 2-s idle close', () => {
    const run = 'upstream-tie2s';
    const data = recordingFile(`nginx-holdout4-${run}-rt`);
    interface Group {
      method: string;
      thinkMs: number;
      requests: number;
      statuses: Record<string, number>;
      upstreamConnections: number;
    }
    const groups = Object.entries<Group>(data.summary.groups);

    it('think 1990 ms reuses the cached connection, 2010 ms needs a new one each time; nothing fails off the tie', () => {
      expectPunctual(data);
      for (const [name, g] of groups) {
        const rs = runs(`nginx-holdout4-${run}`, [
          `clients.http.think_time=const(${g.thinkMs}ms)`,
          `clients.http.method=${g.method}`,
        ]);
        // Real 4/34 at 1990 ms (one per client connection), 30/32 and 29/32 at the tie, 32/32 at 2010.
        table.expectClose(
          run,
          `${name}: new upstream connections / request`,
          g.upstreamConnections / g.requests,
          overSeeds(rs, (r) => figure(r, 'upstream_connects.total') / figure(r, 'requests.total')),
          { share: true },
        );
        table.expectClose(
          run,
          `${name}: requests not answered 200`,
          g.requests - (g.statuses['200'] ?? 0),
          overSeeds(rs, (r) => figure(r, 'errors.total') + figure(r, 'responses_5xx.total')),
        );
      }
    });

    it('at the tie (2000 ms) one POST crossed node’s FIN (502) — the timer tie of rule 5, not reproduced by the model', () => {
      const post = data.summary.groups['post-2000'];
      expect(post.statuses).toEqual({ 200: 31, 502: 1 });
      expect(data.summary.errorLog).toEqual({
        '[error] upstream prematurely closed connection while reading response header from upstream (POST)': 1,
      });
      // Both idle timers are whole milliseconds and fire within the same one (nginx's on
      // ngx_current_msec, node's on libuv's loop time): which side's close a request meets is the
      // sub-ms order of two processes (NOTES §7, §9). The model lets nginx's timer decide when the
      // two are equal (proxy/upstream.ts acquireUpstream: the app's timer only below nginx's), so
      // it counts no race; within the ±2 near zero.
      const rs = runs(`nginx-holdout4-${run}`, ['clients.http.think_time=const(2000ms)', 'clients.http.method=POST']);
      for (const r of rs) expect(figure(r, 'responses_5xx.total')).toBe(0);
      table.knownGap(run, 'post-2000: 502 at the exact timer tie', 1, 0);
    });
  });

  describe('upstream keepalive 4 shared by 8 clients across a reload', () => {
    const run = 'upstream-reload';
    const data = recordingFile(`nginx-holdout4-${run}-rt`);
    const real = data.summary;
    let rs: RunResult[];
    beforeAll(() => {
      rs = runs(`nginx-holdout4-${run}`, signalArrivals(`nginx-holdout4-${run}`, data));
    });
    const clients = (r: RunResult): number => series(r, 'new_conn')[0][1];

    it('with 8 clients in step and 4 cached, half the requests need a new upstream connection; nothing fails', () => {
      expectPunctual(data);
      expect(real.statuses).toEqual({ 200: 200, '200+close': 8 });
      // Real 112 / 208 = 0.54; drainsim 0.54 with the recorder's 8 paced clients ((n − 4) / n of
      // each round's requests; 0.47 over seeds 1–5 with 7, 8, 7, 7, 6 Poisson clients).
      table.expectClose(
        run,
        'new upstream connections / request',
        real.groups.busy.upstreamConnections / real.groups.busy.requests,
        overSeeds(rs, (r) => figure(r, 'upstream_connects.total') / figure(r, 'requests.total')),
        { share: true },
      );
      table.expectClose(
        run,
        'requests per client connection',
        real.groups.busy.requests / 8,
        overSeeds(rs, (r) => figure(r, 'requests.total') / clients(r)),
      );
      for (const r of rs) expect(figure(r, 'errors.total') + figure(r, 'responses_5xx.total')).toBe(0);
    });

    it('the reload costs one refill of the new generation’s empty cache: one new upstream connection per client', () => {
      // The old worker caches nothing after its QUIT and closes what it had cached; the new one
      // starts empty. The steady share is taken over 2–6 s (after the first round's fill); the
      // refill is what 6–10 s opened above it, per client: real 0.5 (48 opened for 80 requests after
      // 6 s), drainsim 0.58 (half the clients' requests of one round meet the empty cache, the
      // others were still on the old worker's connections). Old worker gone 6.32–6.42 s.
      const ups = data.backendEvents.filter((e: ClientEvent) => e.ev === 'up-conn');
      const reqs = data.clientEvents.filter((e: ClientEvent) => e.ev === 'req' && e.out !== 'client-closed');
      const realIn = (xs: ClientEvent[], at: (e: ClientEvent) => number, from: number, to: number): number =>
        xs.filter((e) => at(e) >= from && at(e) < to).length;
      const sent = (e: ClientEvent): number => e.sentS!;
      const realSteady = realIn(ups, (e) => e.s, 2, 6) / realIn(reqs, sent, 2, 6);
      const realRefill = realIn(ups, (e) => e.s, 6, 10) - realSteady * realIn(reqs, sent, 6, 10);
      const simRefill = (r: RunResult): number => {
        const steady = totalIn(r, 'upstream_connects', 2, 6) / totalIn(r, 'requests', 2, 6);
        return (totalIn(r, 'upstream_connects', 6, 10) - steady * totalIn(r, 'requests', 6, 10)) / clients(r);
      };
      table.expectClose(
        run,
        'reload refill: extra upstream connections / client',
        realRefill / 8,
        overSeeds(rs, simRefill),
        {
          share: true,
        },
      );
      table.expectTime(
        run,
        'old generation gone',
        real.generations[0].goneS,
        overSeeds(rs, (r) => exitOf(r, 1)),
      );
      // After the load the new worker keeps its 4 (real: 4 idle, held by the new worker's pid).
      expect(real.idleUpstreamAfterStop.total).toBe(4);
    });
  });

  describe('worker_connections 64 under a connect burst (40 clients looping 1-s requests, 500-ms think)', () => {
    const wc = 'wc64';
    const real = (name: string) => recordingFile(`nginx-holdout4-${name}-rt`);
    const reqs = (data: { clientEvents: ClientEvent[] }): ClientEvent[] =>
      data.clientEvents.filter((e) => e.ev === 'req' && e.out !== 'client-closed');
    const answeredBy9 = (data: { clientEvents: ClientEvent[] }): number =>
      reqs(data).filter((e) => e.out === 'ok' && e.s <= 9).length;
    /** Twins whose burst brought exactly the recording's 40 clients (seeds 1–30: all of them since paced). */
    const forty = (): RunResult[] =>
      Array.from({ length: 30 }, (_, i) => i + 1)
        .filter(
          (seed) =>
            figure(twin('nginx-holdout4-wc64-burst', ['nginx.worker_connections=0'], seed), 'new_conn.total') === 40,
        )
        .map((seed) => twin('nginx-holdout4-wc64-burst', [], seed));
    const upTo9 = (r: RunResult, name: string): number => totalIn(r, name, 0, 9);

    it('1 worker, clients that reconnect when their next request is due: 31 requests in flight, thinking clients closed to make room, the rest dropped at accept', () => {
      const data = real('wc64-lazy');
      expectPunctual(data);
      const s = data.summary;
      // Real: 31 answered in most seconds (62 connections / 2), 191 by 9 s; 191 thinking clients'
      // connections closed ("reusing connections"); 23 first requests failed (21 EOF, 2 RST:
      // accepted and closed at once, "[alert] 64 worker_connections are not enough"), 18 of them in
      // the burst's first second, when nobody thinks yet.
      expect(s.peakClientConnections.total).toBeLessThanOrEqual(34);
      expect(s.errorLog['[alert] N worker_connections are not enough']).toBe(s.burstFirstRequestFailed);
      const rs = forty();
      expect(rs.length).toBeGreaterThanOrEqual(2);
      table.expectClose(
        wc,
        'lazy: answered by 9 s',
        answeredBy9(data),
        overSeeds(rs, (r) => upTo9(r, 'responses_2xx')),
      );
      const drained = data.clientEvents.filter(
        (e: ClientEvent & { how?: string; idle?: boolean }) =>
          e.ev === 'conn-close' && e.how !== 'client-closed' && e.idle && e.s <= 9,
      ).length;
      table.expectClose(
        wc,
        'lazy: thinking clients closed by nginx by 9 s',
        drained,
        overSeeds(rs, (r) => upTo9(r, 'closed_fin')),
      );
      const failedIn = (from: number, to: number): number =>
        reqs(data).filter((e) => e.out !== 'ok' && e.s > from && e.s <= to).length;
      table.expectClose(
        wc,
        'lazy: requests failed in the burst’s first second',
        failedIn(1, 2),
        overSeeds(rs, (r) => totalIn(r, 'errors', 1, 2)),
      );
      // After the first seconds every newcomer finds a thinking client to replace: real 0 failed after 4 s.
      table.expectClose(
        wc,
        'lazy: requests failed after 4 s',
        failedIn(4, 9),
        overSeeds(rs, (r) => totalIn(r, 'errors', 4, 9)),
      );
      // Real 23 failed in all (9 % of requests); drainsim 0.09 with the burst paced 20 ms apart as
      // the harness's (0.10 when Poisson arrivals bunched).
      table.expectClose(
        wc,
        'lazy: requests failed / request',
        s.burstFirstRequestFailed / s.burstRequests,
        overSeeds(rs, (r) => figure(r, 'errors.total') / figure(r, 'requests.total')),
        { share: true },
      );
      for (const r of rs) expect(figure(r, 'responses_5xx.total')).toBe(0); // the accept fails first, never the upstream connect
    });

    it('2 workers: each its own 64, the clients split over both, nothing closed or dropped', () => {
      const data = real('wc64-burst-workers2');
      expectPunctual(data);
      const s = data.summary;
      const realPeak = Object.values<number>(s.peakClientConnections.byPid).sort((a, b) => b - a);
      expect(realPeak).toEqual([23, 17]);
      // One listening socket, 40 connects 20 ms apart to idle workers: 23 + 17 is the wait-queue
      // rule's split (1, 1, 16, 16, 6: EPOLLEXCLUSIVE and ngx_reorder_accept_events, session 18;
      // the even 4-tuple hash before). The twin (40 paced clients; 37–46 Poisson ones before): the
      // busiest worker's share of its clients, real 0.575, drainsim 0.57 (0.60 Poisson).
      expect(idleWorkersSplit(2, 40)).toEqual(realPeak);
      const peaks = SEEDS.map((seed) =>
        peakClientsByWorker('nginx-holdout4-wc64-burst', ['nginx.worker_processes=2'], seed, 10),
      );
      table.expectClose(
        wc,
        'workers2: busiest worker’s share of the client connections at the peak',
        realPeak[0] / (realPeak[0] + realPeak[1]),
        mean(peaks.map((p) => Math.max(...p) / (p[0] + p[1]))),
        { share: true },
      );
      expect(s.burstStatuses).toEqual({ 200: s.burstRequests });
      expect(s.errorLog).toEqual({});
      const rs = runs('nginx-holdout4-wc64-burst', ['nginx.worker_processes=2']);
      const clients = (r: RunResult): number => figure(r, 'new_conn.total');
      table.expectClose(
        wc,
        'workers2: requests failed',
        0,
        overSeeds(rs, (r) => figure(r, 'errors.total')),
      );
      table.expectClose(
        wc,
        'workers2: answered by 9 s per client',
        answeredBy9(data) / 40,
        overSeeds(rs, (r) => upTo9(r, 'responses_2xx') / clients(r)),
      );
    });

    it('clients that reopen a closed connection at once and wait on it (clients.http.reconnect eager): the waiting connections are reusable too, so nginx closes twice as many; KNOWN GAP (the harness client) in what fails', () => {
      // The recorded client replaced a closed connection at once and waited on it for the rest of
      // its think time. nginx accepts the waiting connection and makes it reusable
      // (ngx_http_init_connection → ngx_reusable_connection(c, 1)), so ngx_drain_connections
      // closes it again: 62 closes a second instead of 31. A known gap in session 16 (drainsim's
      // client connected when its request was due); session 17 added the eager client and ran the
      // same twin with it, unchanged otherwise: the closes agree. The harness stops sending at 9 s,
      // the twin's clients go on to 10 s: every figure is taken by 9 s.
      const data = real('wc64-burst');
      expectPunctual(data);
      const rs = forty().map((r) => twin('nginx-holdout4-wc64-burst', ['clients.http.reconnect=eager'], r.seed));
      const idleCloses = data.clientEvents.filter(
        (e: ClientEvent & { how?: string; idle?: boolean }) =>
          e.ev === 'conn-close' && e.how !== 'client-closed' && e.idle && e.s <= 9,
      ).length;
      expect(idleCloses).toBe(data.summary.burstClosedIdleByNginx);
      table.expectClose(
        wc,
        'eager: connections closed by nginx while their client waited, by 9 s',
        idleCloses,
        overSeeds(rs, (r) => upTo9(r, 'closed_fin')),
      );
      for (const r of rs) expect(figure(r, 'responses_5xx.total')).toBe(0); // real: every answer a 200
      // KNOWN GAP (the harness client, not nginx): a replacement connection nginx closed before it
      // carried a request was replaced 200 ms later and sent at once, whatever was left of its think
      // time (calibration/nginx/client.mjs: `rest` is 0 on a replacement, whose thinkDue is never
      // set); that early request met a full worker at its accept ("[alert] 64 worker_connections are
      // not enough" 104 times): 130 first requests failed. drainsim's eager client waits for the
      // planned request on its replacement (its accept comes at the connect: refused, it closes
      // with no request to fail), so few fail — and, its waiting connections holding the worker's
      // room, fewer are answered than even the lazy run's 191.
      const failedBy9 = reqs(data).filter((e) => e.out !== 'ok' && e.s <= 9).length;
      expect(failedBy9).toBe(data.summary.burstFirstRequestFailed);
      expect(failedBy9).toBeGreaterThan(4 * real('wc64-lazy').summary.burstFirstRequestFailed);
      const simFailed = overSeeds(rs, (r) => upTo9(r, 'errors'));
      table.knownGap(wc, 'eager: requests failed by 9 s', failedBy9, simFailed);
      expect(simFailed).toBeLessThan(failedBy9 / 2);
      const simAnswered = overSeeds(rs, (r) => upTo9(r, 'responses_2xx'));
      table.knownGap(wc, 'eager: answered by 9 s', answeredBy9(data), simAnswered);
      expect(simAnswered).toBeLessThan(0.9 * answeredBy9(data));
    });

    it('with 40 idle keep-alive clients already in, those are closed first, oldest first, before any thinking burst client (twin written after the recording)', () => {
      // Recorded: the burst took the worker from 22 free to 4 after 9 clients (2 each): the first
      // idle close at 4.181 s, the 40th at 4.560 s; the first thinking burst client closed at 5.02 s.
      const data = real('worker-connections64');
      expectPunctual(data);
      const s = data.summary;
      expect(s.idleClosedBeforeBurst).toBe(0);
      expect(s.idleClosedByNginx).toBe(40);
      const burstIdle = data.clientEvents.filter(
        (e: ClientEvent & { how?: string; idle?: boolean }) =>
          e.ev === 'conn-close' && e.g === 'burst' && e.idle && e.how !== 'client-closed',
      );
      const firstBurstClose = Math.min(...burstIdle.map((e: ClientEvent) => e.s));
      expect(firstBurstClose).toBeGreaterThan(s.idleCloseTimes.last);
      // The twin (session 17, calibration/scenarios/nginx-holdout4-wc64-two-populations.yaml: two
      // populations by a `load` action's http_think_time) written after the recording, so not
      // held out. Seeds whose clients restate the recording's 40 + 40 within 10 % with no
      // more idle clients than the worker holds (36–40 idle, 36–44 burst; the harness's are 40 and
      // 40), the clients counted in the unlimited run. Only what comes before the first burst
      // client is closed is compared: the burst's clients are drainsim's on_demand ones, the
      // harness's eager ones (the KNOWN GAP above) after that.
      const name = 'nginx-holdout4-wc64-two-populations';
      const seeds = Array.from({ length: 30 }, (_, i) => i + 1).filter((seed) => {
        const free = twin(name, ['nginx.worker_connections=0'], seed);
        const idle = totalIn(free, 'new_conn', 0, 3.5);
        const burst = totalIn(free, 'new_conn', 3.5, 5);
        return idle >= 36 && idle <= 40 && burst >= 36 && burst <= 44;
      });
      const rs = seeds.map((seed) => twin(name, [], seed));
      expect(rs.length).toBeGreaterThanOrEqual(3);
      const idleOf = (r: RunResult): number => totalIn(r, 'new_conn', 0, 3.5);
      // Every idle client closed by nginx before 5 s (no burst client thinks before its first
      // answer at 5 s): the oldest first, all of them, none before the burst.
      table.expectClose(
        wc,
        'idle + burst: idle clients closed by nginx before the first burst client, per idle client',
        s.idleClosedByNginx / 40,
        overSeeds(rs, (r) => totalIn(r, 'closed_fin', 4, 5) / idleOf(r)),
        { share: true },
      );
      for (const r of rs) expect(totalIn(r, 'closed_fin', 0, 4)).toBe(0);
      const reuseTimes = (r: RunResult): number[] => kindTimes(r, 'nginx.worker_connections_reuse');
      table.expectTime(
        wc,
        'idle + burst: first idle client closed',
        s.idleCloseTimes.first,
        overSeeds(rs, (r) => reuseTimes(r)[0]),
      );
      // The last idle close: the first 100-ms sample by which every idle client was closed.
      const lastIdleClose = (r: RunResult): number => {
        const fin = series(r, 'closed_fin');
        let sum = 0;
        for (const [t, v] of fin) {
          if (t <= 4) continue;
          sum += v;
          if (sum >= idleOf(r)) return t;
        }
        return Number.NaN;
      };
      table.expectTime(
        wc,
        'idle + burst: last idle client closed',
        s.idleCloseTimes.last,
        overSeeds(rs, lastIdleClose),
      );
      // With 2 workers each had 64: 36 + 38 clients, 6 idle ones closed, every request answered
      // (no burst client closed: the clients' reconnect rule plays no part). Real 6 closed; drainsim
      // 7 with the even 4-tuple hash (sessions 16–17), 9.8 with the wait-queue rule alone (the 40
      // idle clients split 23 / 17, the burst's first 6 on the fuller worker), 4 with
      // ngx_accept_disabled too (session 18: a worker with fewer than 64/8 free goes to the wait
      // queue's tail at every accept, so the burst alternates). The busiest worker's share of the
      // clients at the peak: real 38 of 74.
      const two = real('worker-connections64-workers2').summary;
      expect(two.idleClosedByNginx).toBe(6);
      expect(two.burstClosedIdleByNginx).toBe(0);
      expect(two.burstStatuses).toEqual({ 200: two.burstRequests });
      const rs2 = seeds.map((seed) => twin(name, ['nginx.worker_processes=2'], seed));
      table.expectClose(
        wc,
        'idle + burst, 2 workers: idle clients closed by nginx',
        two.idleClosedByNginx,
        overSeeds(rs2, (r) => figure(r, 'closed_fin.total')),
      );
      const twoPeak = Object.values<number>(two.peakClientConnections.byPid);
      table.expectClose(
        wc,
        'idle + burst, 2 workers: busiest worker’s share of the client connections at the peak',
        Math.max(...twoPeak) / (twoPeak[0] + twoPeak[1]),
        mean(
          seeds.map((seed) => {
            const p = peakClientsByWorker(name, ['nginx.worker_processes=2'], seed, 10);
            return Math.max(...p) / (p[0] + p[1]);
          }),
        ),
        { share: true },
      );
      table.expectClose(
        wc,
        'idle + burst, 2 workers: requests failed',
        0,
        overSeeds(rs2, (r) => figure(r, 'errors.total')),
      );
    });
  });

  it('prints the table', () => {
    expect(table.size).toBeGreaterThan(15);
    table.print();
  });
});
