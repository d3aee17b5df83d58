/**
 * Held-out validation of drainsim's nginx model, round 3 (session 14): eight nginx 1.22.1 runs with
 * parameter combinations never recorded (calibration/nginx/holdout3-experiments.mjs): upstream
 * keepalive with nginx's keepalive_timeout below the app's idle close and the other order (GET and
 * POST, off the tie), upstream keepalive_requests 3, worker_processes 2 with one `keepalive 3`
 * cache shared by 24 clients (with and without `listen … reuseport`), client keepalive_timeout 3s
 * with keepalive_requests 7, `nginx -s quit` with worker_shutdown_timeout 1500ms while 2.5-s
 * requests are in flight, and proxy_connect_timeout 2s against an app (listen backlog 2) frozen by
 * kill -STOP. Each twin (calibration/scenarios/nginx-holdout3-*.yaml) and its
 * prediction (calibration/data/nginx-holdout3-predictions.json) were committed before the run was
 * recorded (`node calibration/nginx/run.mjs --only nginx-holdout3 --rt 10`, every process SCHED_FIFO
 * 10, load average 9.7–13.9 on 2 cores). Tolerances as the other held-out rounds: counts ±10 %
 * (±2 near zero), times ±1 s, shares ±0.1. Twins' clients are paced as the harness's (fixed
 * spacing, `clients.http.arrivals: paced`, session 19; Poisson before: calibration/nginx/NOTES.md
 * section 15): means over seeds 1–5, and per-connection figures where the number of connections
 * differs.
 *
 * FOUND AND FIXED (sim/model/proxy/upstream.ts, per-worker caches): with worker_processes 2 the
 * twin, predicting one cache of 3 per VM, needed a new upstream connection for 0.87 of the
 * requests; nginx, whose cache is per worker (ngx_http_upstream_init_keepalive allocates it before
 * the workers fork), for 0.72 — and kept 3 + 3 idle connections, one cache per worker pid.
 *
 * FOUND AND FIXED (session 18, proxy/nginx.ts acceptingWorker, worker-queues.ts pick): which worker
 * accepts a connection. The round-3 twin spread connections by an even 4-tuple hash and gave the
 * busiest worker 57 % of the requests, where one worker took 680 of 960 (71 %). With one listening
 * socket (no `reuseport`) both workers wait on it with EPOLLEXCLUSIVE, a connection goes to the
 * first worker in the socket's wait queue that is idle in epoll_wait (fs/eventpoll.c
 * ep_poll_callback, kernel/sched/wait.c __wake_up_common), and nginx moves a worker to the queue's
 * tail at its 1st, 17th, 33rd … accept (ngx_reorder_accept_events, src/event/ngx_event_accept.c):
 * 24 connections to idle workers go 1, 1, 16, 6 — 17 and 7 connections of 40 requests, 680 / 280,
 * as recorded. With `reuseport` (nginx.reuseport) the kernel's 4-tuple hash stays.
 *
 * KNOWN GAP (the harness's client, not nginx): after a `Connection: close` answer the recorded
 * client sends its next request on the replacement connection at once (client.mjs: no think time
 * left), drainsim's client thinks first; so with keepalive_requests 7 the harness makes 7 requests
 * per 6 think times, the twin 7 per 7 (−14 % requests per client). The nginx figure — the share of
 * answers with `Connection: close` — agrees. Kept as a gap (session 18): client.mjs arms its think
 * timer only after a keep-alive answer (its `data` handler returns on `Connection: close` first),
 * so the `close` handler finds no timer, `rest` is 0 and the replacement sends as it connects. That
 * is the harness's loop skipping a think, not a client behaviour for a clients.http option: a real
 * client's next request is due when its application makes it, whichever connection carries it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { buildModel, startModel } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { mean, valueAt } from '../model/helpers.js';
import { HeldOutTable, overSeeds, totalIn } from './heldout-table.js';
import {
  exitOf,
  expectPunctual,
  idleWorkersSplit,
  recordingFile,
  signalArrivals,
  calTwin as twin,
} from './nginx-twins.js';

const SEEDS = [1, 2, 3, 4, 5];
const runs = (name: string, sets: string[] = []): RunResult[] => SEEDS.map((seed) => twin(name, sets, seed));
const figure = (r: RunResult, name: string): number => r.figures[name] ?? 0;
const table = new HeldOutTable();
const share = (run: string, what: string, real: number, sim: number): void =>
  table.expectClose(run, what, real, sim, { share: true });

interface UpstreamGroup {
  method: string;
  thinkMs: number;
  requests: number;
  statuses: Record<string, number>;
  upstreamConnections: number;
}
/**
 * The workers2-keepalive3 twin run past the load as recorded: each of the 24 clients stops after
 * its 40 requests (the recording's clients stop at 12 s, 960 requests), and its idle upstream
 * connections are read at 15 s, as the recording's are (idleUpstreamAfterStop), per nginx worker
 * (the VM's upstreamPool: every worker's cache, oldest first). Client connections and their
 * requests per worker: the worker that accepted each (conn.nginxWorker).
 */
function afterTheLoad(
  seed: number,
  sets: string[] = [],
): { idleByWorker: number[]; requestsByWorker: number[]; clientsByWorker: number[] } {
  const file = 'calibration/scenarios/nginx-holdout3-workers2-keepalive3.yaml';
  const all = ['clients.http.requests_per_connection=const(40)', 'horizon=15s', `seed=${seed}`, ...sets];
  const model = buildModel(namedScenario(loadScenario(file, ScenarioSchema, { sets: all })));
  const { world } = model;
  const requestsByWorker = [0, 0];
  const clientsByWorker = [0, 0];
  const ended = world.onEnded;
  world.onEnded = (conn) => {
    clientsByWorker[conn.nginxWorker]++;
    requestsByWorker[conn.nginxWorker] += conn.requestsServed;
    ended(conn);
  };
  startModel(model);
  world.engine.run(15);
  const idleByWorker = [0, 0];
  for (const up of world.backends[0].upstreamPool) idleByWorker[up.worker]++;
  return { idleByWorker, requestsByWorker, clientsByWorker };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const busiest = (perWorker: number[]): number => Math.max(...perWorker) / sum(perWorker);

/** The idle time (ms) after which the backend saw each upstream connection close, median. */
const medianIdleCloseMs = (data: { backendEvents: Array<{ ev: string; idleMs?: number }> }): number => {
  const xs = data.backendEvents
    .filter((e) => e.ev === 'up-idle-close')
    .map((e) => e.idleMs!)
    .sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
};

/**
 * One upstream group against its twin (think and method set): the share of requests that needed a
 * new upstream connection, requests per client connection, and failures (none expected).
 */
function compareUpstreamGroup(run: string, name: string, g: UpstreamGroup, conns: number): void {
  const rs = runs(`nginx-holdout3-${run}`, [
    `clients.http.think_time=const(${g.thinkMs}ms)`,
    `clients.http.method=${g.method}`,
  ]);
  share(
    run,
    `${name}: new upstream connections / request`,
    g.upstreamConnections / g.requests,
    overSeeds(rs, (r) => figure(r, 'upstream_connects.total') / figure(r, 'requests.total')),
  );
  table.expectClose(
    run,
    `${name}: requests per client connection`,
    g.requests / conns,
    overSeeds(rs, (r) => figure(r, 'requests.total') / figure(r, 'new_conn.total')),
  );
  table.expectClose(
    run,
    `${name}: requests not answered 200`,
    g.requests - (g.statuses['200'] ?? 0),
    overSeeds(rs, (r) => figure(r, 'errors.total') + figure(r, 'responses_5xx.total')),
  );
}

describe('held-out round 3: nginx 1.22.1 runs against twins written before recording', () => {
  it('upstream keepalive_timeout 1500ms below node’s 4-s idle close: nginx closes first; think 2.5 s finds no cached connection, 1 s reuses one; nothing fails', () => {
    const data = recordingFile('nginx-holdout3-upstream-nginx-first-rt');
    expectPunctual(data);
    // The backend saw every connection closed after 1.5 s idle (nginx's timer), none after 4 s.
    expect(Math.abs(medianIdleCloseMs(data) - 1500)).toBeLessThan(50);
    for (const [name, g] of Object.entries<UpstreamGroup>(data.summary.groups))
      compareUpstreamGroup('upstream-nginx-first', name, g, 5);
  });

  it('node closes idle upstream connections after 2 s, nginx would keep them 60 s: think 2.5 s finds the FIN in (new connection, no 502), 1.5 s reuses', () => {
    const data = recordingFile('nginx-holdout3-upstream-app-first-rt');
    expectPunctual(data);
    expect(Math.abs(medianIdleCloseMs(data) - 2000)).toBeLessThan(50); // node's timer: 1 s + its 1-s buffer
    expect(data.summary.errorLog).toEqual({});
    for (const [name, g] of Object.entries<UpstreamGroup>(data.summary.groups))
      compareUpstreamGroup('upstream-app-first', name, g, 5);
  });

  it('upstream keepalive_requests 3: a new upstream connection every 3rd request, GET and POST', () => {
    const data = recordingFile('nginx-holdout3-upstream-requests3-rt');
    expectPunctual(data);
    for (const [name, g] of Object.entries<UpstreamGroup>(data.summary.groups))
      compareUpstreamGroup('upstream-requests3', name, { ...g, thinkMs: 200 }, 5);
  });

  describe('worker_processes 2, one `keepalive 3` cache shared by 24 clients (GET 200 ms, think 100 ms)', () => {
    const twins: Record<string, RunResult[]> = {};
    beforeAll(() => {
      twins[''] = runs('nginx-holdout3-workers2-keepalive3');
      twins['-reuseport'] = runs('nginx-holdout3-workers2-keepalive3', ['nginx.reuseport=true']);
    });
    for (const variant of ['', '-reuseport']) {
      it(`${variant || 'one listening socket (EPOLLEXCLUSIVE)'}: each worker keeps 3 idle; new upstream connections per request as the twin with two caches`, () => {
        const run = `workers2-keepalive3${variant}`;
        const data = recordingFile(`nginx-holdout3-${run}-rt`);
        expectPunctual(data);
        const g: UpstreamGroup = data.summary.groups.busy;
        const rs = twins[variant];
        // Both workers served requests (680/280 without reuseport, 440/520 with it), and once the
        // clients stopped each kept 3 idle upstream connections: 6, not 3.
        const perWorker = Object.values<number>(data.summary.requestsPerWorker);
        expect(perWorker.length).toBe(2);
        expect(Math.min(...perWorker)).toBeGreaterThan(0.2 * g.requests);
        expect(data.summary.idleUpstreamAfterStop.total).toBe(6);
        expect(Object.values(data.summary.idleUpstreamAfterStop.byPid)).toEqual([3, 3]);
        // Real 0.716 / 0.723; drainsim 0.72 / 0.68 with the recorder's 24 clients 5 ms apart
        // (Poisson clients before, session 19: 0.76 / 0.74; 0.739 with the even hash for both,
        // sessions 14–17; 0.873 before the per-worker caches). Were all of a worker's n clients in
        // flight at once, (n − 3) of n requests would connect, (24 − 6) / 24 = 0.75 whatever the
        // split; the paced clients start over 115 ms of each 300-ms cycle (200 ms + 100 ms think),
        // so the first ones' next requests start while the last ones' end, on connections just freed.
        share(
          run,
          'new upstream connections / request',
          g.upstreamConnections / g.requests,
          overSeeds(rs, (r) => figure(r, 'upstream_connects.total') / figure(r, 'requests.total')),
        );
        table.expectClose(
          run,
          'requests per client connection',
          g.requests / 24,
          overSeeds(rs, (r) => figure(r, 'requests.total') / figure(r, 'new_conn.total')),
        );
        table.expectClose(
          run,
          'requests failed',
          0,
          overSeeds(rs, (r) => figure(r, 'errors.total')),
        );
      });
    }

    it('after the load each twin worker keeps min(3, its clients) idle; the busiest worker’s share of requests as recorded', () => {
      const real = recordingFile('nginx-holdout3-workers2-keepalive3-rt').summary;
      const twins = SEEDS.map((seed) => afterTheLoad(seed));
      // Each worker caches at most 3, and no more than it has clients (ngx_http_upstream_free_keepalive_peer).
      for (const t of twins) expect(t.idleByWorker).toEqual(t.clientsByWorker.map((n) => Math.min(3, n)));
      table.expectClose(
        'workers2-keepalive3',
        'idle upstream connections after the load',
        real.idleUpstreamAfterStop.total,
        mean(twins.map((t) => t.idleByWorker[0] + t.idleByWorker[1])),
      );
      // Every client made its 40 requests and left, as the recording's (24 × 40 = 960; the twin
      // paces the recorder's 24).
      for (const t of twins) expect(t.requestsByWorker[0] + t.requestsByWorker[1]).toBe(40 * sum(t.clientsByWorker));
      // One listening socket: the recording's 24 connections, 5 ms apart to idle workers, split
      // 17 / 7 (680 / 280 requests), exactly the wait-queue rule's (1, 1, then 16 in turn).
      const realPerWorker = Object.values<number>(real.requestsPerWorker).sort((a, b) => b - a);
      expect(realPerWorker).toEqual(idleWorkersSplit(2, 24).map((n) => 40 * n));
      // The twin's 24 split 17 / 7 as recorded: real 0.708, drainsim 0.71 (Poisson clients before,
      // session 19, 17–27 over seeds 1–5: 0.75; 0.57 with the even hash, sessions 14–17).
      share(
        'workers2-keepalive3',
        'busiest worker’s share of requests',
        busiest(realPerWorker),
        mean(twins.map((t) => busiest(t.requestsByWorker))),
      );
      for (const t of twins) expect(t.clientsByWorker[0]).toBe(Math.min(17, sum(t.clientsByWorker) - 1));
    });

    it('with reuseport the kernel’s 4-tuple hash splits the clients about evenly, whatever the order', () => {
      const real = recordingFile('nginx-holdout3-workers2-keepalive3-reuseport-rt').summary;
      const twins = SEEDS.map((seed) => afterTheLoad(seed, ['nginx.reuseport=true']));
      for (const t of twins) expect(t.idleByWorker).toEqual(t.clientsByWorker.map((n) => Math.min(3, n)));
      // Real 520 / 960 = 0.54; drainsim ≈ 0.57.
      share(
        'workers2-keepalive3-reuseport',
        'busiest worker’s share of requests',
        busiest(Object.values<number>(real.requestsPerWorker)),
        mean(twins.map((t) => busiest(t.requestsByWorker))),
      );
    });
  });

  it('keepalive_timeout 3s + keepalive_requests 7: every 7th answer Connection: close; 3.3-s thinkers find nginx’s FIN first; nothing fails', () => {
    const run = 'client-ka3-kr7';
    const data = recordingFile(`nginx-holdout3-${run}-rt`);
    expectPunctual(data);
    const { fast, slow } = data.summary.groups;
    expect(fast.connectionCloseAtRequest).toEqual({ 7: fast.connectionCloseAnswers });
    expect([fast.failed, slow.failed]).toEqual([{}, {}]);
    const fastRuns = runs(`nginx-holdout3-${run}`);
    const slowRuns = runs(`nginx-holdout3-${run}`, [
      'clients.http.think_time=const(3300ms)',
      // The recorder's group `slow`: 10 connections 100 ms apart (client.mjs: c × staggerMs).
      'timeline[0].http_rate=10',
      'timeline[1].at=950ms',
    ]);
    // Real 200 / 1,596 = 0.125; drainsim 0.120.
    share(
      run,
      'fast: answers with Connection: close / request',
      fast.connectionCloseAnswers / fast.requests,
      overSeeds(fastRuns, (r) => figure(r, 'closed_fin.total') / figure(r, 'requests.total')),
    );
    // Real 40 / 48 = 0.83; drainsim 0.80 (the last request of each connection is answered after 14 s).
    share(
      run,
      'slow: connections closed idle by nginx’s timer / request',
      slow.closedIdleByNginx / slow.requests,
      overSeeds(slowRuns, (r) => figure(r, 'closed_fin.total') / figure(r, 'requests.total')),
    );
    for (const [g, rs] of [
      ['fast', fastRuns],
      ['slow', slowRuns],
    ] as const)
      table.expectClose(
        run,
        `${g}: requests failed`,
        0,
        overSeeds(rs, (r) => figure(r, 'errors.total')),
      );
    // KNOWN GAP (client model, see the header): requests per client connection and second.
    const initial = (r: RunResult): number => figure(r, 'new_conn.total') - figure(r, 'closed_fin.total');
    const realRate = fast.requests / 40 / 14;
    const simRate = overSeeds(fastRuns, (r) => figure(r, 'requests.total') / initial(r) / (14 - 0.2));
    table.knownGap(
      run,
      'fast: requests per client and second (harness sends at once after Connection: close)',
      realRate,
      simRate,
    );
    expect(realRate).toBeGreaterThan((simRate * 7) / 6.3); // 2.85 vs 2.45: 7 per 6 thinks against 7 per 7
    expect(realRate).toBeLessThan((simRate * 7) / 5.7);
  });

  describe('nginx -s quit with worker_shutdown_timeout 1500ms: 60 idle connections, 30 with 2.5-s requests in flight', () => {
    const run = 'quit-wst1500';
    const data = recordingFile(`nginx-holdout3-${run}-rt`);
    const real = data.summary;
    let idle: RunResult[];
    let busy: RunResult[];
    beforeAll(() => {
      idle = runs(`nginx-holdout3-${run}`, signalArrivals(`nginx-holdout3-${run}`, data));
      busy = runs(`nginx-holdout3-${run}-busy`, signalArrivals(`nginx-holdout3-${run}-busy`, data));
    });

    it('idle connections closed at the quit; the workers and master gone at quit + 1.5 s', () => {
      expectPunctual(data);
      expect(real.idleCloseLagMs.max).toBeLessThan(50); // 11–13 ms
      table.expectClose(
        run,
        'idle connections closed (EOF) within 1 s of the quit',
        real.idleClosedWithin1s,
        overSeeds(idle, (r) => valueAt(r, 'closed_fin', 8) + valueAt(r, 'closed_fin', 9)),
      );
      // Real 9.516 (workers gone between 9.415 and 9.516, master with them); drainsim 9.515 (9.5 with
      // the quit at the recorder's zero).
      table.expectTime(
        run,
        'nginx gone',
        real.masterExitedS,
        overSeeds(busy, (r) => exitOf(r, 1)),
      );
      // The quit reached the master at 8 s + tookMs (signalArrivals): gone 1.5 s after that.
      const quit = data.actions[0].s + data.actions[0].tookMs / 1000;
      for (const r of busy) expect(exitOf(r, 1)).toBeCloseTo(quit + 1.5, 6);
    });

    it('in-flight requests answered Connection: close within 1.5 s, the rest cut by the shutdown timer; every reconnect refused', () => {
      expect(real.inFlightOutcomes).toEqual({ 'ok+Connection:close': 18, eof: 10 });
      const cut = data.clientEvents.filter(
        (e: { ev: string; g: string; out: string }) => e.ev === 'req' && e.g === 'busy' && e.out === 'eof',
      );
      for (const e of cut) expect(Math.abs(e.s - (real.oldWorkersQuitS + 1.5))).toBeLessThan(0.02);
      // Per busy connection: cut (EOF; drainsim counts ECONNRESET) — real 10 / 30, drainsim ≈ 0.35.
      share(
        run,
        'busy connections whose request was cut at quit + 1.5 s / connection',
        real.busyOutcomes.eof / 30,
        overSeeds(busy, (r) => figure(r, 'err_econnreset.total') / figure(r, 'new_conn.total')),
      );
      // The others were answered (or idle) and refused when they reconnected: real 20 of the 30
      // (the recorded client reconnects after a cut too: 30 refused in all); drainsim 20.
      table.expectClose(
        run,
        'busy connections answered, then refused at reconnect',
        30 - real.busyOutcomes.eof,
        overSeeds(busy, (r) => figure(r, 'err_econnrefused.total')),
      );
      expect(real.connectionsRefused).toBe(30);
      const firstRefused = (r: RunResult): number => r.events.find((l) => l.record.kind === 'lb.connect_failed')!.t;
      table.expectTime(run, 'first refused connect', real.firstConnectFailureS, overSeeds(busy, firstRefused));
      for (const r of busy) expect(figure(r, 'responses_5xx.total')).toBe(0);
    });
  });

  it('proxy_connect_timeout 2s, the app (backlog 2) frozen 4–10 s: 3 requests wait in its accept queue until the SIGCONT, the others 504 after 2.0 s', () => {
    const run = 'connect-timeout-stopped-app';
    const data = recordingFile(`nginx-holdout3-${run}-rt`);
    expectPunctual(data);
    const real = data.summary;
    // Every 504 exactly proxy_connect_timeout after its request (2.000–2.001 s): the SYN dropped
    // on the full accept queue, again at its 1-s retransmission, then nginx gave up.
    expect(real.gatewayTimeoutLatencyS.min).toBeGreaterThanOrEqual(2);
    expect(real.gatewayTimeoutLatencyS.max).toBeLessThan(2.01);
    expect(real.errorLog).toEqual({
      '[error] upstream timed out (N: Connection timed out) while connecting to upstream (GET)': real.gatewayTimeouts,
    });
    const rs = runs(`nginx-holdout3-${run}`);
    // Held in the frozen app's accept queue (backlog 2 + 1: sk_acceptq_is_full is `>`), answered
    // at the SIGCONT: real the 3 requests sent at 4.02–4.11 s, answered at 10.004 s; the twin's in
    // its (10, 10.15] s samples (sample_interval 100ms).
    const held = real.parked.filter((p: { sentS: number }) => p.sentS < real.stopS + 1);
    expect(held.map((p: { s: number }) => Math.round(p.s))).toEqual([10, 10, 10]);
    table.expectClose(
      run,
      'requests held in the accept queue, answered at the SIGCONT',
      held.length,
      overSeeds(rs, (r) => totalIn(r, 'responses_2xx', 10, 10.15)),
    );
    for (const r of rs) expect(totalIn(r, 'responses_2xx', 10, 10.15)).toBe(3);
    const connectTimeouts = (r: RunResult) =>
      r.events.filter((l) => l.record.kind === 'nginx.upstream_connect_timeout');
    // Real 6.162 s (the first request after the 3 held ones, + 2 s); drainsim 6.23 s.
    table.expectTime(
      run,
      'first 504 (connect timeout)',
      real.first504S,
      overSeeds(rs, (r) => connectTimeouts(r)[0].t),
    );
    // Every failure a 504 (the trace folds repeated connect-timeout lines of one second).
    for (const r of rs) expect(figure(r, 'errors.total')).toBe(figure(r, 'responses_5xx.total'));
    // After the SIGCONT a SYN retransmitted at 1 s finds the queue drained: the requests sent at
    // 9.16–9.46 s were answered 200 about 1.02 s later, none 504 (the twin's clients, ended by
    // their 504, send nothing then: not compared).
    expect(real.last504S).toBeLessThan(real.contS);
  });

  it('prints the table (DRAINSIM_CALIBRATION_TABLE=1)', () => {
    expect(table.size).toBeGreaterThan(30);
    table.print();
  });
});
