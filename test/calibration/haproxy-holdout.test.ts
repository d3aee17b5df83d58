/**
 * Held-out validation (session 13, issue 13 "load balancer fidelity"): drainsim against HAProxy
 * 2.6.12 runs with parameter combinations no earlier run recorded (calibration/haproxy/holdout.mjs:
 * four servers with weights, two dying at once under redispatch; two of three dying with
 * `retries 1`; `timeout check` below and above a 1-s inter with fall 2 rise 3; leastconn with
 * maxconn 3, maxqueue 2 and timeout queue 1.5 s; the drain of a saturated maxconn server; drain
 * of 2 of 4 leastconn servers in tcp mode; a hung server behind `timeout server 2s`). Each twin (calibration/scenarios/
 * haproxy-holdout-*.yaml) was committed before its run was recorded; afterwards only the check
 * phase (`first_check`, an initial condition) was read off the recordings. Same tolerances as
 * haproxy-compare.test.ts: counts ±10 % (±2 near zero), times ±1 s. Means over seeds where the
 * recorded client's fixed rate meets the twin's Poisson one. Session 18: the three hang runs were
 * re-recorded 3 times each with HAProxy's start stated; each is compared on its own, its twin at
 * that start instead of the read-off phase (haproxy-restated.ts; NOTES.md item 37).
 *
 * What they found: a `timeout check` shorter than min(inter, timeout connect) does not shorten a
 * connected check (drainsim waited 300 ms, HAProxy 1001 ms; fixed, HealthChecker.answerDeadline()).
 *
 * - kill2of4: every one of the 170 redispatched streams ended on s3, none on s4 (the order of
 *   HAProxy's fwrr tree, src/lb_fwrr.c, puts s3's turn right after each dead server's, and the
 *   redispatch consumes it). Fixed: roundrobin is fwrr (sim/model/lb/fwrr.ts); compared below on
 *   the twin's balancer, as no run figure tells where a redispatch landed.
 *
 * - queue: the 4 requests in flight on s1 at the kill end with an EOF: each was a later request
 *   of its kept-alive client connection (TX_NOT_FIRST), and HAProxy closes that connection
 *   silently when its server connection closes before any response (NOTES.md item 5,
 *   http_wait_for_response() → abort_keep_alive). Until session 14 the twin's VMs had nginx in
 *   front of the app, whose 502 HAProxy forwards, and open-loop requests were each the first of
 *   their connection: 502s there (counted only together with the EOFs). Fixed: the http twins'
 *   backends are bare node servers as recorded (`backends[].proxy: none`, app.keepalive_timeout =
 *   node's keepAliveTimeout 120 s + 1 s) and their requests ride kept-alive connections
 *   (`clients.requests.reused_connections`); compared below as EOF (ECONNRESET) and 502 apart.
 *
 * KNOWN GAPS (not compared, and why):
 * - The kill twins' check phase: one `first_check` sets every server's first check, HAProxy
 *   spreads them inter × k / n apart (src/check.c start_checks()); so these twins keep the spread
 *   and start their clock at s1's recorded phase (the kill at 5 − phase s): times are compared
 *   from the kill, per-second counts only over whole windows.
 * - drain2of4 (tcp mode) keeps nginx on its twin's VMs: drainsim models bare app servers behind
 *   an l7 balancer only; nothing it compares passes through nginx's own behaviour.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../sim/engine/random.js';
import { BackendSet } from '../../sim/model/core/backend-set.js';
import { LoadBalancer } from '../../sim/model/lb/pool.js';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';
import { downCheckMs, type Restated, restated, type StampedRecording, twinOf } from './haproxy-restated.js';

type StatRow = { status: string; scur: number; stot: number; qcur: number };
interface HeldOut {
  summary: Record<string, number | null> & {
    outcomes: Record<string, number>;
    haproxyTermination: Record<string, number>;
    errorLatencyS: { median: number } | null;
  };
  events: { haproxyMessages: Array<{ t: number; line: string }> };
  perSecond: Array<{ t: number; outcomes: Record<string, number>; okByServer: Record<string, number> }>;
  samples: Array<{ t: number; error?: string } & Record<string, StatRow>>;
  stamp: StampedRecording['stamp'];
}

/** The recordings of a check-phase run (session 18: its re-recordings, each at its stated start). */
const heldRuns = (run: string): Array<Restated<HeldOut>> =>
  restated<HeldOut>(`haproxy-holdout-${run}`).map((rec) => ({ ...rec, label: `${run} ${rec.label}` }));

const held = (run: string): HeldOut =>
  JSON.parse(readFileSync(`calibration/data/haproxy-holdout-${run}.json`, 'utf8')) as HeldOut;

function twins(run: string, seeds: number): RunResult[] {
  const file = `calibration/scenarios/haproxy-holdout-${run}.yaml`;
  const scenario = namedScenario(loadScenario(file, ScenarioSchema));
  return Array.from({ length: seeds }, (_, i) => runScenario(scenario, { seed: i + 1, file }));
}

/** Sum of a timeline series on `entity` over the samples ending in (from, to]. */
function sum(r: RunResult, series: string, from: number, to: number, entity = 'total'): number {
  const si = r.timeline.series.findIndex((s) => s.name === series);
  const ei = r.timeline.entities.indexOf(entity);
  let total = 0;
  for (let i = 0; i < r.timeline.t.length; i++)
    if (r.timeline.entity[i] === ei && r.timeline.t[i] > from && r.timeline.t[i] <= to)
      total += r.timeline.values[si][i];
  return total;
}

/** A gauge on `entity` in the first sample at or after t. */
function gauge(r: RunResult, series: string, entity: string, t: number): number {
  const si = r.timeline.series.findIndex((s) => s.name === series);
  const ei = r.timeline.entities.indexOf(entity);
  for (let i = 0; i < r.timeline.t.length; i++)
    if (r.timeline.entity[i] === ei && r.timeline.t[i] >= t) return r.timeline.values[si][i];
  return Number.NaN;
}

const meanOf = (runs: RunResult[], f: (r: RunResult) => number): number =>
  runs.reduce((a, r) => a + f(r), 0) / runs.length;

/** HAProxy's "Server be/<s> is DOWN|UP" message: its time and the line. */
function stateLine(data: HeldOut, server: string, state: 'DOWN' | 'UP'): { t: number; line: string } {
  return data.events.haproxyMessages.find((m) => m.line.startsWith(`Server be/${server} is ${state}`))!;
}
const fromLine = (line: string, re: RegExp): number => Number(re.exec(line)![1]);

/** Responses the recorded client got from `server` in the seconds (from, to]. */
const okFrom = (data: HeldOut, server: string, from: number, to: number): number =>
  data.perSecond.filter((p) => p.t > from && p.t <= to).reduce((a, p) => a + (p.okByServer[server] ?? 0), 0);
const outcomeIn = (data: HeldOut, outcome: string, from: number, to: number): number =>
  data.perSecond.filter((p) => p.t > from && p.t <= to).reduce((a, p) => a + (p.outcomes[outcome] ?? 0), 0);
const failures = (data: HeldOut): number =>
  Object.entries(data.summary.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);

interface Row {
  run: string;
  figure: string;
  real: number;
  sim: number;
}
const rows: Row[] = [];

function count(run: string, figure: string, real: number, sim: number): void {
  rows.push({ run, figure, real, sim });
  expect(Math.abs(sim - real), `${run} ${figure}: real ${real}, drainsim ${sim}`).toBeLessThanOrEqual(
    Math.max(0.1 * Math.abs(real), 2),
  );
}
function time(run: string, figure: string, real: number, sim: number, tolerance = 1): void {
  rows.push({ run, figure: `${figure} (s)`, real, sim });
  expect(Math.abs(sim - real), `${run} ${figure}: real ${real} s, drainsim ${sim} s`).toBeLessThanOrEqual(tolerance);
}
/** One recorded draw of a random figure against the twin's 5–95 % range over its seeds. */
function inSpread(run: string, figure: string, real: number, sims: number[]): void {
  const s = [...sims].sort((a, b) => a - b);
  const lo = s[Math.floor(0.05 * s.length)];
  const hi = s[Math.ceil(0.95 * s.length) - 1];
  rows.push({ run, figure: `${figure} (median of ${s.length} seeds)`, real, sim: s[s.length >> 1] });
  const what = `${run} ${figure}: real ${real}, drainsim 5–95 % ${lo}–${hi}`;
  expect(real, what).toBeGreaterThanOrEqual(lo);
  expect(real, what).toBeLessThanOrEqual(hi);
}

/** The end of the last sample with any of `series` (total). */
function lastSecondWith(r: RunResult, series: string): number {
  const si = r.timeline.series.findIndex((s) => s.name === series);
  const ei = r.timeline.entities.indexOf('total');
  let last = Number.NaN;
  for (let i = 0; i < r.timeline.t.length; i++)
    if (r.timeline.entity[i] === ei && r.timeline.values[si][i] > 0) last = r.timeline.t[i];
  return last;
}

/** Attempts on `servers` that got no response: every one met a dead server (refused). */
const failedOn = (r: RunResult, servers: string[]): number =>
  servers.reduce((a, s) => a + sum(r, 'attempts', 0, 1e9, s) - sum(r, 'goodput', 0, 1e9, s), 0);

/** Kill → DOWN of each dead server; the twin's kill is at `simKill` (its clock starts at s1's check phase). */
function compareDownTimes(run: string, data: HeldOut, r: RunResult, servers: string[], simKill: number): void {
  for (const s of servers) {
    const sim = recordsOf(r, 'hc.down').find((d) => d.backend === s)!.t - simKill;
    time(run, `kill → ${s} DOWN`, stateLine(data, s, 'DOWN').t - 5, sim, 0.1);
  }
}

/**
 * A SIGSTOP of s1 at 4 s and SIGCONT at `cont`: the failing check's duration (±50 ms: the figure
 * `timeout check` decides), the stop → DOWN and SIGCONT → UP times, the DOWN line's sessions.
 */
function compareHang(rec: Restated<HeldOut>, cont: number): { run: string; data: HeldOut; runs: RunResult[] } {
  const STOP = 4;
  const run = rec.label;
  const data = rec.data;
  const runs = twinOf(rec, 10);
  const down = stateLine(data, 's1', 'DOWN');
  const simDown = recordsOf(runs[0], 'hc.down')[0];
  const duration = downCheckMs(data, 's1', down) / 1000;
  time(run, 'failing check duration (DOWN line)', duration, simDown.durationMs / 1000, 0.05);
  time(run, 'SIGSTOP → DOWN', down.t - STOP, simDown.t - STOP);
  const sessions = meanOf(runs, (r) => recordsOf(r, 'hc.down')[0].sessions);
  count(run, 'DOWN: sessions active (hung on s1)', fromLine(down.line, /(\d+) sessions active/), sessions);
  time(run, 'SIGCONT → UP (rise 3)', stateLine(data, 's1', 'UP').t - cont, recordsOf(runs[0], 'hc.up')[0].t - cont);
  return { run, data, runs };
}

/**
 * Where kill2of4's redispatched streams landed: the recording's log lines with a retry (`%rc`
 * > 0) per server, against the twin's balancer (its lb settings and weights) picking for as many
 * streams as the log has between the kill and s2's DOWN (s1 DOWN from its DOWN line on), a stream
 * whose turn is s1's or s2's (refusing) load-balanced again avoiding it, as l7-dispatch.ts does
 * under option redispatch. The whole runs' figures (s3 and s4 at 30/s each) cannot tell.
 */
function compareRedispatchLanding(run: string, data: HeldOut & { haproxyLog: unknown[][] }): void {
  const scenario = namedScenario(loadScenario(`calibration/scenarios/haproxy-holdout-${run}.yaml`, ScenarioSchema));
  const lb = new LoadBalancer(scenario.lb, scenario.backends.length);
  scenario.backends.forEach((b, i) => {
    lb.weight[i] = b.weight;
    lb.baseWeight[i] = b.weight;
  });
  const rng = new RandomStreams(1).stream('test.pick');
  const names = scenario.backends.map((b) => b.name);
  const dead = [names.indexOf('s1'), names.indexOf('s2')];
  const landed = new Map<string, number>();
  const avoid = new BackendSet();
  const s1Down = stateLine(data, 's1', 'DOWN').t;
  const streams = data.haproxyLog.filter(
    (l) => (l[1] as number) > 5 && (l[1] as number) <= stateLine(data, 's2', 'DOWN').t,
  );
  for (const stream of streams) {
    if ((stream[1] as number) > s1Down) lb.setHealth(dead[0], false);
    const first = lb.pick(rng, 0);
    if (!dead.includes(first)) continue;
    const to = names[lb.pick(rng, 0, avoid.only(first).members)];
    landed.set(to, (landed.get(to) ?? 0) + 1);
  }
  for (const s of ['s3', 's4']) {
    const real = data.haproxyLog.filter((l) => l[2] === s && Number(l[5]) > 0).length;
    count(run, `redispatched streams landing on ${s} (log %rc > 0; twin's balancer)`, real, landed.get(s) ?? 0);
  }
}

describe('held-out HAProxy 2.6.12 runs against their twins written before recording', () => {
  it('kill -9 of 2 of 4 weighted (1/1/2/2) servers, option redispatch, retries 3 (http)', () => {
    const run = 'kill2of4-wrr-http-redispatch';
    const data = held(run) as HeldOut & { haproxyLog: unknown[][] };
    const runs = twins(run, 10);
    // Every stream that met a dead server was load-balanced again at once (srv_act > 1, not a
    // hash: stream_choose_redispatch()) and none met both: no client error, 170 redispatches.
    count(
      run,
      'client errors',
      failures(data),
      meanOf(runs, (r) => r.figures['errors.total'] ?? 0),
    );
    count(
      run,
      'redispatched streams (log "+1"; twin: failed attempts on s1 and s2)',
      data.summary.haproxyRedispatched!,
      meanOf(runs, (r) => failedOn(r, ['s1', 's2'])),
    );
    compareDownTimes(run, data, runs[0], ['s1', 's2'], 4.632);
    // The weights before the kill, and the two live servers' equal share once both are DOWN.
    for (const s of ['s1', 's3'])
      count(
        run,
        `${s} responses/s before the kill`,
        okFrom(data, s, 0, 4) / 4,
        meanOf(runs, (r) => sum(r, 'goodput', 0, 4, s)) / 4,
      );
    compareRedispatchLanding(run, data);
    for (const s of ['s3', 's4'])
      count(
        run,
        `${s} responses/s once s1, s2 are DOWN (11–16 s)`,
        okFrom(data, s, 11, 16) / 5,
        meanOf(runs, (r) => sum(r, 'goodput', 11, 16, s)) / 5,
      );
  });

  it('kill -9 of 2 of 3 servers with retries 1 and option redispatch (http): 503 while both are UP', () => {
    const run = 'kill2of3-http-retries1-redispatch';
    const data = held(run);
    const runs = twins(run, 10);
    // The one retry is the redispatch; roundrobin's next turn after the failed server is often
    // the other dead one (srvtoavoid is only the last): 503 SC then, at once (no pause).
    count(
      run,
      '503 (log SC)',
      data.summary.outcomes.http503 ?? 0,
      meanOf(runs, (r) => r.figures['req_5xx.total'] ?? 0),
    );
    // Each failing stream made 2 failed attempts, each redispatched-and-served one 1.
    count(
      run,
      'redispatched streams (log "+1")',
      data.summary.haproxyRedispatched!,
      meanOf(runs, (r) => failedOn(r, ['s1', 's2']) - (r.figures['req_5xx.total'] ?? 0)),
    );
    compareDownTimes(run, data, runs[0], ['s2', 's1'], 4.464);
    // With s2 DOWN and s1 still UP, a redispatch from s1 can only land on s3: the 503s stop.
    time(
      run,
      'kill → last 503 (twin: middle of its last second with one)',
      data.summary.lastErrorS! - 5,
      lastSecondWith(runs[0], 'req_5xx') - 0.5 - 4.464,
    );
    count(
      run,
      's3 responses/s once s1, s2 are DOWN (11–16 s)',
      okFrom(data, 's3', 11, 16) / 5,
      meanOf(runs, (r) => sum(r, 'goodput', 11, 16, 's3')) / 5,
    );
  });

  for (const rec of heldRuns('hang-tcheck-http'))
    it(`a hung server, inter 1s fall 2 rise 3, timeout check 300ms: the check still waits 1 s (fixed) (${rec.label})`, () => {
      // Before the fix drainsim ended the check at 300 ms and marked s1 DOWN 1.6 s after the stop.
      const { run, data, runs } = compareHang(rec, 12);
      // The hung requests are answered at SIGCONT (≤ 8 s, the client's timeout): none fails.
      count(
        run,
        's1 responses in the second after SIGCONT',
        okFrom(data, 's1', 12, 13),
        meanOf(runs, (r) => sum(r, 'goodput', 12, 13, 's1')),
      );
      count(
        run,
        'client errors',
        failures(data),
        meanOf(runs, (r) => r.figures['errors.total'] ?? 0),
      );
    });

  for (const rec of heldRuns('hang-tcheck-long-http'))
    it(`the same hang with timeout check 2500ms (> inter): the check waits 2.5 s (${rec.label})`, () => {
      const { run, data, runs } = compareHang(rec, 14);
      // Requests sent to s1 more than 8 s before SIGCONT time out at the client.
      count(
        run,
        'client timeouts (8 s)',
        data.summary.outcomes.timeout ?? 0,
        meanOf(runs, (r) => r.figures['req_timeouts.total'] ?? 0),
      );
    });

  for (const rec of heldRuns('hang-tserver-http'))
    it(`a hung server behind timeout server 2s (http): 504 sH for its requests until DOWN + 2 s (${rec.label})`, () => {
      const run = rec.label;
      const data = rec.data;
      const runs = twinOf(rec, 10);
      const STOP = 4;
      const down = stateLine(data, 's1', 'DOWN');
      const simDown = recordsOf(runs[0], 'hc.down')[0];
      time(run, 'SIGSTOP → DOWN (3 checks each timing out after inter, 4 s apart)', down.t - STOP, simDown.t - STOP);
      count(
        run,
        'DOWN: sessions active (waiting for s1)',
        fromLine(down.line, /(\d+) sessions active/),
        meanOf(runs, (r) => recordsOf(r, 'hc.down')[0].sessions),
      );
      count(
        run,
        '504 (sH)',
        data.summary.outcomes.http504 ?? 0,
        meanOf(runs, (r) => r.figures['req_5xx.total'] ?? 0),
      );
      time(
        run,
        '504 latency (timeout server)',
        data.summary.errorLatencyS!.median,
        recordsOf(runs[0], 'lb.server_timeout_504')[0].timeout,
      );
      time(run, 'SIGSTOP → last 504', data.summary.lastErrorS! - STOP, lastSecondWith(runs[0], 'req_5xx') - 0.5 - STOP);
      time(run, 'SIGCONT → UP (rise 2)', stateLine(data, 's1', 'UP').t - 20, recordsOf(runs[0], 'hc.up')[0].t - 20);
    });

  it('leastconn, maxconn 3 maxqueue 2, timeout queue 1500ms, 40 req/s of 150 ms; kill -9 s1', () => {
    const run = 'queue-lc-maxqueue-http';
    const data = held(run);
    const runs = twins(run, 20);
    const KILL = 6;
    const down = stateLine(data, 's1', 'DOWN');
    const simDown = recordsOf(runs[0], 'hc.down')[0];
    time(run, 'kill → DOWN', down.t - KILL, simDown.t - KILL);
    // The streams on s1 at DOWN: none connecting (those in their turn-around pause are not in
    // cur_sess), none handed back (no redispatch: pendconn_redistribute() leaves s1's own queue),
    // 2 still in s1's queue, later dispatched to the DOWN s1 itself.
    count(run, 'DOWN: sessions active', fromLine(down.line, /(\d+) sessions active/), simDown.sessions);
    count(run, 'DOWN: requeued', fromLine(down.line, /(\d+) requeued/), simDown.requeued);
    count(run, 'DOWN: remaining in queue', fromLine(down.line, /(\d+) remaining in queue/), simDown.queued);
    // The killed node server's connections close under the requests it holds; each was a later
    // request of its client's kept-alive connection (TX_NOT_FIRST), so HAProxy closes that
    // connection with no response (http_wait_for_response() → abort_keep_alive): EOF, no 502.
    count(
      run,
      "s1's requests in flight at the kill: EOF (HAProxy's silent close of a keep-alive request)",
      outcomeIn(data, 'EOF', KILL, KILL + 1),
      meanOf(runs, (r) => sum(r, 'err_econnreset', KILL - 1, KILL)),
    );
    count(
      run,
      '502 at the kill (HAProxy answers none to a later request of a connection)',
      outcomeIn(data, 'http502', KILL, KILL + 1),
      meanOf(runs, (r) => sum(r, 'req_5xx', KILL - 1, KILL)),
    );
    // Streams that reached the dead s1 (from its queue too) hold its 3 slots through 3 pauses
    // of 1 s and get 503 SC: at 9, 12 and 15 s.
    count(
      run,
      '503 after 3 retries on the dead s1 (log SC)',
      data.summary.haproxyTermination['SC/503'] ?? 0,
      meanOf(runs, (r) => sum(r, 'req_5xx', KILL, 18, 's1')),
    );
    count(
      run,
      's2 responses/s once s1 is DOWN (12–17 s)',
      okFrom(data, 's2', 12, 17) / 5,
      meanOf(runs, (r) => sum(r, 'goodput', 12, 17, 's2')) / 5,
    );
    count(
      run,
      '503/s once s1 is DOWN (12–17 s)',
      outcomeIn(data, 'http503', 12, 17) / 5,
      meanOf(runs, (r) => sum(r, 'req_5xx', 12, 17)) / 5,
    );
    count(
      run,
      '503 from the kill to 17 s',
      outcomeIn(data, 'http503', KILL, 17),
      meanOf(runs, (r) => sum(r, 'req_5xx', KILL, 17)),
    );
    time(
      run,
      '503 latency, queued (median)',
      data.summary.errorLatencyS!.median,
      recordsOf(runs[0], 'lb.queue_timeout_503')[0].timeout,
    );
  });

  it('drain of a saturated server (maxconn 2, timeout queue 2s, 36 req/s of 100 ms, http)', () => {
    const run = 'drain-saturated-http';
    const data = held(run) as HeldOut & { failedRequests: Array<{ done: number }>; haproxyLog: unknown[][] };
    const runs = twins(run, 20);
    const DRAIN = 5;
    // The drained s1 finishes its own 2 streams and takes nothing more (no queue of its own:
    // roundrobin queues in the backend); s2 alone serves 2 / 100 ms.
    count(
      run,
      's1 responses after the drain',
      okFrom(data, 's1', DRAIN, 14),
      meanOf(runs, (r) => sum(r, 'goodput', DRAIN, 14, 's1')),
    );
    count(
      run,
      's2 responses/s after the drain (6–14 s)',
      okFrom(data, 's2', 6, 14) / 8,
      meanOf(runs, (r) => sum(r, 'goodput', 6, 14, 's2')) / 8,
    );
    // 16/s more than s2 serves wait in the backend queue; their wait grows until it reaches
    // `timeout queue` (2 s, log Tw 2001) and the excess leaves as 503 sQ.
    count(
      run,
      '503 (sQ) to the end of the client',
      data.summary.outcomes.http503 ?? 0,
      meanOf(runs, (r) => r.figures['req_5xx.total'] ?? 0),
    );
    const firsts = runs.map((r) => recordsOf(r, 'lb.queue_timeout_503')[0].t).sort((a, b) => a - b);
    time(
      run,
      'drain → first 503 (twin: median of 20 seeds)',
      Math.min(...data.failedRequests.map((x) => x.done)) - DRAIN,
      firsts[10] - DRAIN,
    );
    const queued = data.samples.filter((x) => !x.error && x.t > 10).map((x) => x.be.qcur);
    const simQueued = runs.flatMap((r) =>
      recordsOf(r, 'lb.queue_timeout_503')
        .filter((x) => x.t > 10)
        .map((x) => x.queued),
    );
    count(
      run,
      'backend queue once 503s flow (show stat qcur; twin: at each 503)',
      queued.reduce((a, x) => a + x, 0) / queued.length,
      simQueued.reduce((a, x) => a + x, 0) / simQueued.length,
    );
  });

  it('tcp mode, leastconn over 4 servers, drain s1 and s2 at 6 s (exponential connection lifetimes)', () => {
    const run = 'drain2of4-lc-tcp';
    const data = held(run);
    const runs = twins(run, 20);
    const DRAIN = 6;
    const samples = data.samples.filter((s) => !s.error);
    const atDrain = samples.filter((s) => s.t <= DRAIN).at(-1)!;
    // stot counts from the first sample after the command: flows opened in the 250 ms before it
    // are in the later sample's stot (the log: no stream started on s1 after the drain).
    const afterDrain = samples.find((s) => s.t > DRAIN)!;
    const last = samples.at(-1)!;
    // Drained servers take no new flow (leastconn skips them: not in the lb tree).
    count(
      run,
      'new flows on s1 and s2 after the drain (stot)',
      last.s1.stot - afterDrain.s1.stot + (last.s2.stot - afterDrain.s2.stot),
      meanOf(runs, (r) => sum(r, 'new_conn', DRAIN + 0.25, 26, 's1') + sum(r, 'new_conn', DRAIN + 0.25, 26, 's2')),
    );
    count(
      run,
      'flows on s1 and s2 at the drain (scur)',
      atDrain.s1.scur + atDrain.s2.scur,
      meanOf(runs, (r) => gauge(r, 'active_conn', 's1', DRAIN) + gauge(r, 'active_conn', 's2', DRAIN)),
    );
    // The time to empty is one draw of the longest residual lifetime: held to the twin's spread.
    for (const s of ['s1', 's2']) {
      const empty = samples.find((x) => x.t > DRAIN && x[s].scur === 0)!.t - DRAIN;
      inSpread(
        run,
        `${s} empty after the drain (s)`,
        empty,
        runs.map((r) => {
          const ei = r.timeline.entities.indexOf(s);
          const si = r.timeline.series.findIndex((x) => x.name === 'active_conn');
          for (let i = 0; i < r.timeline.t.length; i++)
            if (r.timeline.entity[i] === ei && r.timeline.t[i] > DRAIN && r.timeline.values[si][i] === 0)
              return r.timeline.t[i] - DRAIN;
          return Infinity;
        }),
      );
    }
    inSpread(
      run,
      'responses from s1 and s2 after the drain',
      okFrom(data, 's1', DRAIN, 26) + okFrom(data, 's2', DRAIN, 26),
      runs.map((r) => sum(r, 'responses_2xx', DRAIN, 26, 's1') + sum(r, 'responses_2xx', DRAIN, 26, 's2')),
    );
    // leastconn keeps s3 and s4 within a flow or two of each other while they take everything.
    const gap = (a: number[], b: number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
    const after = samples.filter((x) => x.t > DRAIN + 1);
    const simGaps = runs.map((r) => {
      const ts = Array.from({ length: 4 * (25 - DRAIN) }, (_, i) => DRAIN + 1.25 + i / 4);
      return gap(
        ts.map((t) => gauge(r, 'active_conn', 's3', t)),
        ts.map((t) => gauge(r, 'active_conn', 's4', t)),
      );
    });
    inSpread(
      run,
      'largest s3–s4 flow gap after the drain',
      gap(
        after.map((x) => x.s3.scur),
        after.map((x) => x.s4.scur),
      ),
      simGaps,
    );
  });

  it('prints the comparison table', () => {
    expect(rows.length).toBeGreaterThan(0);
    if (process.env.DRAINSIM_CALIBRATION_TABLE)
      process.stdout.write(
        `| run | figure | real | drainsim |\n|---|---|---|---|\n${rows.map((x) => `| ${x.run} | ${x.figure} | ${Math.round(x.real * 1000) / 1000} | ${Math.round(x.sim * 100) / 100} |`).join('\n')}\n`,
      );
  });
});
