/**
 * Held-out validation of drainsim's nginx model, round 4 (session 16): four nginx 1.22.1 runs with
 * combinations never recorded (calibration/nginx/holdout4-experiments.mjs): two reloads 1 s apart
 * within worker_shutdown_timeout 2s while 2.5-s requests are in flight and a WebSocket tunnel is open
 * in each of the first two generations; proxy_read_timeout 2s with `nginx -s quit` (1.2-s and 3-s
 * requests in flight); the upstream keepalive_timeout (2s) equal to node's idle close (2 s), GET and
 * POST at thinks 1990 / 2000 / 2010 ms; an upstream `keepalive 4` cache across a reload. Each twin
 * (calibration/scenarios/nginx-holdout4-*.yaml) and its prediction
 * (calibration/data/nginx-holdout4-predictions.json) were committed before the runs were recorded
 * (`node calibration/nginx/run.mjs --only nginx-holdout4 --rt 10`, every process SCHED_FIFO 10, load
 * average 0.9–2.1 on 2 cores). Tolerances as the other rounds: counts ±10 % (±2 near zero), times
 * ±1 s, shares ±0.1. Twins' clients arrive as a Poisson process (the harness's at fixed spacing):
 * means over seeds 1–5, per client connection where the number of connections differs.
 *
 * Every figure agreed with the prediction: no model change came out of this round. Two client
 * differences (the harness's, not nginx's) are kept out of the compared figures: after a
 * `Connection: close` answer the recorded client sends its next request on a new connection at once
 * (drainsim's thinks first), and drainsim's client ends its connection after a 5xx (retries 0),
 * which is why the 3-s group of the quit run is twinned as its three rounds of requests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { series } from '../model/helpers.js';
import { HeldOutTable, overSeeds, totalIn } from './heldout-table.js';
import { exitOf, expectPunctual, recordingFile, calTwin as twin } from './nginx-twins.js';

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
      rs = runs(`nginx-holdout4-${run}`);
    });

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
        expect(exitOf(r, 1)).toBeCloseTo(5.1 + 2, 6);
        expect(exitOf(r, 2)).toBeCloseTo(6.1 + 2, 6);
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
      // Per busy connection (16 recorded; the twin's Poisson 16 on average): real 7 / 16 = 0.44.
      const initial = (r: RunResult): number => series(r, 'new_conn')[0][1];
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
      const rs = runs(`nginx-holdout4-${run}-slow`);
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
      const rs = runs(`nginx-holdout4-${run}`);
      table.expectTime(
        run,
        'fast: last answer (generation gone)',
        fast.lastAnswerS,
        overSeeds(rs, (r) => exitOf(r, 1)),
      );
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
      rs = runs(`nginx-holdout4-${run}`);
    });
    const clients = (r: RunResult): number => series(r, 'new_conn')[0][1];

    it('with 8 clients in step and 4 cached, half the requests need a new upstream connection; nothing fails', () => {
      expectPunctual(data);
      expect(real.statuses).toEqual({ 200: 200, '200+close': 8 });
      // Real 112 / 208 = 0.54; drainsim 0.47 over seeds 1–5 (7, 8, 7, 7, 6 Poisson clients:
      // (n − 4) / n of each round's requests, 0.54 with 8).
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

  it('prints the table', () => {
    expect(table.size).toBeGreaterThan(15);
    table.print();
  });
});
