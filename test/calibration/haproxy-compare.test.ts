/**
 * drainsim against the recorded HAProxy 2.6 runs (calibration/data/haproxy-*.json; how they were
 * made: calibration/README.md "HAProxy"). Each calibration/scenarios/haproxy-*.yaml sets only what
 * the recording's haproxy.cfg and client set (rates, check options, retries, actions); nothing is
 * fitted. Counts must agree within ±10 % (or ±2 for counts near zero), times within ±1 s. Cases
 * the model cannot match honestly are listed in KNOWN_GAPS with the reason. The hang runs were
 * re-recorded in session 18 with HAProxy's start stated (3 runs each, each compared with its twin
 * at that start: haproxy-restated.ts, calibration/haproxy/NOTES.md item 37); the figures quoted in
 * comments below are the first recordings'.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs harness without type declarations
import { CHECK_PHASE_RUNS } from '../../calibration/haproxy/experiments.mjs';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';
import {
  firstCheckAt,
  firstCheckStepMs,
  reRecordings,
  restated,
  type StampedRecording,
  statedUptime,
  twinOf,
} from './haproxy-restated.js';

interface Recording {
  summary: Record<string, unknown> & { outcomes: Record<string, number> };
}

function recording(name: string): Recording {
  return JSON.parse(readFileSync(`calibration/data/${name}.json`, 'utf8')) as Recording;
}

function simulate(name: string): RunResult {
  const file = `calibration/scenarios/${name}.yaml`;
  return runScenario(namedScenario(loadScenario(file, ScenarioSchema)), { seed: 1, file });
}

/** Per-second values of a counter for one backend (or the total). */
function perSecond(r: RunResult, series: string, entity = 'total'): Array<[number, number]> {
  const si = r.timeline.series.findIndex((s) => s.name === series);
  const ei = r.timeline.entities.indexOf(entity);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < r.timeline.t.length; i++)
    if (r.timeline.entity[i] === ei) out.push([r.timeline.t[i], r.timeline.values[si][i]]);
  return out;
}

const between = (r: RunResult, series: string, from: number, to: number, entity = 'total'): number =>
  perSecond(r, series, entity)
    .filter(([t]) => t > from && t <= to)
    .reduce((a, [, v]) => a + v, 0);

const downAfter = (r: RunResult, at: number): number => recordsOf(r, 'hc.down').find((d) => d.t >= at)!.t - at;
const upAfter = (r: RunResult, at: number): number => recordsOf(r, 'hc.up').find((d) => d.t >= at)!.t - at;

/** The first second (end of its sample) with any of `series`, minus `at`: when the errors start. */
function firstAfter(r: RunResult, series: string, at: number): number {
  const hit = perSecond(r, series).find(([t, v]) => t > at && v > 0);
  return hit ? hit[0] - 0.5 - at : Infinity;
}

/** The first response from `entity` after `at` (the middle of its 1-s sample), minus `at`. */
function firstFromAfter(r: RunResult, entity: string, at: number): number {
  const hit = perSecond(r, 'goodput', entity).find(([t, v]) => t > at && v > 0);
  return hit ? hit[0] - 0.5 - at : Infinity;
}

/** Responses the recorded client got from `server` in the seconds (from, to] (data file perSecond). */
function okFrom(name: string, server: string, from: number, to: number): number {
  const data = JSON.parse(readFileSync(`calibration/data/${name}.json`, 'utf8')) as {
    perSecond: Array<{ t: number; okByServer: Record<string, number> }>;
  };
  return data.perSecond.filter((p) => p.t > from && p.t <= to).reduce((a, p) => a + (p.okByServer[server] ?? 0), 0);
}

/** The end of the last sample after `at` with any of `series` on `entity`, minus `at` (0 if none). */
function lastAfter(r: RunResult, series: string, at: number, entity: string): number {
  const hits = perSecond(r, series, entity).filter(([t, v]) => t > at && v > 0);
  return hits.length === 0 ? 0 : hits[hits.length - 1][0] - at;
}

/** The value of a gauge on `entity` in the first sample at or after `t`. */
const gaugeAt = (r: RunResult, series: string, entity: string, t: number): number =>
  perSecond(r, series, entity).find(([x]) => x >= t)![1];

/** The first sample at or after `at` in which `entity` holds no flow, minus `at`. */
function emptyAfter(r: RunResult, at: number, entity: string): number {
  const hit = perSecond(r, 'active_conn', entity).find(([t, v]) => t >= at && v === 0);
  return hit ? hit[0] - at : Infinity;
}

/** Runs of one scenario on seeds 1…n (for figures that are one draw of a random population). */
function simulateSeeds(name: string, n: number): RunResult[] {
  const file = `calibration/scenarios/${name}.yaml`;
  const scenario = namedScenario(loadScenario(file, ScenarioSchema));
  return Array.from({ length: n }, (_, i) => runScenario(scenario, { seed: i + 1, file }));
}

/** Means over runs, second by second, of one timeline series on `entity`: [t, mean]. */
function meanPerSecond(runs: RunResult[], series: string, entity = 'total'): Array<[number, number]> {
  const all = runs.map((r) => perSecond(r, series, entity));
  return all[0].map(([t], i) => [t, all.reduce((a, x) => a + x[i][1], 0) / all.length]);
}

/** The recorded client's failed requests (outcomes other than ok) per second: [t, n] for (t − 1, t]. */
function realErrorsPerSecond(name: string): Array<[number, number]> {
  const data = JSON.parse(readFileSync(`calibration/data/${name}.json`, 'utf8')) as {
    perSecond: Array<{ t: number; outcomes: Record<string, number> }>;
  };
  return data.perSecond.map((p) => [
    p.t,
    Object.entries(p.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0),
  ]);
}

interface Row {
  run: string;
  figure: string;
  real: number;
  sim: number;
  kind: 'count' | 'time';
}

const rows: Row[] = [];

function compare(run: string, figure: string, real: number, sim: number, kind: 'count' | 'time'): void {
  rows.push({ run, figure, real, sim, kind });
  if (kind === 'time')
    expect(Math.abs(sim - real), `${run} ${figure}: real ${real} s, drainsim ${sim} s`).toBeLessThanOrEqual(1);
  else
    expect(Math.abs(sim - real), `${run} ${figure}: real ${real}, drainsim ${sim}`).toBeLessThanOrEqual(
      Math.max(0.1 * real, 2),
    );
}

/**
 * A known gap (a count): drainsim's relative difference (sim − real) / real must stay within
 * `bounds`, the range its documented cause allows, so a regression that widens it, or a change
 * that closes it unnoticed, fails.
 */
function compareKnownGap(run: string, figure: string, real: number, sim: number, bounds: [number, number]): void {
  rows.push({ run, figure, real, sim, kind: 'count' });
  const gap = (sim - real) / real;
  expect(gap, `${run} ${figure}: real ${real}, drainsim ${sim}`).toBeGreaterThanOrEqual(bounds[0]);
  expect(gap, `${run} ${figure}: real ${real}, drainsim ${sim}`).toBeLessThanOrEqual(bounds[1]);
}

/**
 * A figure that is one draw of a random client population (the recorded client's seeded
 * exponential lifetimes): the recorded value must lie within the 5–95 % range of the twin's
 * values over seeds 1…n (with 20 seeds: between the 2nd and the 19th); the row shows the median.
 */
function compareSpread(run: string, figure: string, real: number, sims: number[]): void {
  const sorted = [...sims].sort((a, b) => a - b);
  const lo = sorted[Math.floor(0.05 * sorted.length)];
  const hi = sorted[Math.ceil(0.95 * sorted.length) - 1];
  rows.push({
    run,
    figure: `${figure} (median of ${sims.length} seeds)`,
    real,
    sim: sorted[sorted.length >> 1],
    kind: 'count',
  });
  expect(
    real,
    `${run} ${figure}: real ${real}, drainsim 5–95 % over ${sims.length} seeds ${lo}–${hi}`,
  ).toBeGreaterThanOrEqual(lo);
  expect(
    real,
    `${run} ${figure}: real ${real}, drainsim 5–95 % over ${sims.length} seeds ${lo}–${hi}`,
  ).toBeLessThanOrEqual(hi);
}

/**
 * Errors per second around a kill, recorded vs the twin. The recorded client sends at a fixed
 * rate (60/s: s1 gets exactly 30 a second under roundrobin), the twin's requests are Poisson (s1
 * gets every other one of Poisson(60): sd ≈ 3.9 on 30 in one second), so the twin's series is its
 * mean over seeds (its expected count per second; over 10 seeds sd ≈ 1.2). Compared, from `from`
 * (the second after the kill instant: the requests crossing a kill -9 are a race of a few ms the
 * twin does not have, compared as a count elsewhere) to `to`:
 * - the burst's first and last second (seconds with ≥ 1 error, twin: mean ≥ 0.5), ±1 s;
 * - every second inside both bursts (its neighbours too, so it is a whole second of errors on
 *   both sides), ±10 % (±2 near zero);
 * - the cumulative count at every second, ±10 % (±2 near zero) and ±1 s: the recorded count at t
 *   lies between the twin's at t − 1 and at t + 1 (widened by the count tolerance). The edge
 *   seconds of a burst hold whatever part of a second lies on either side of a sub-second event
 *   (DOWN at x.3 s recorded, x.0 s in the twin), which only this ±1 s comparison can judge.
 */
function compareErrorSeries(
  run: string,
  real: Array<[number, number]>,
  sim: Array<[number, number]>,
  from: number,
  to: number,
): void {
  const window = (xs: Array<[number, number]>): Array<[number, number]> => xs.filter(([t]) => t > from && t <= to);
  const r = window(real);
  const s = window(sim);
  expect(
    r.map(([t]) => t),
    `${run}: recorded and twin seconds`,
  ).toEqual(s.map(([t]) => t));
  const tol = (n: number): number => Math.max(0.1 * n, 2);
  const burst = (xs: Array<[number, number]>, min: number): number[] => xs.filter(([, v]) => v >= min).map(([t]) => t);
  const rb = burst(r, 1);
  const sb = burst(s, 0.5);
  compare(run, 'errors/s: seconds with errors', rb.length, sb.length, 'count');
  if (rb.length > 0 || sb.length > 0) {
    expect(rb.length > 0 && sb.length > 0, `${run}: errors recorded in ${rb}, twin in ${sb}`).toBe(true);
    compare(run, 'errors/s: first second with errors (s)', rb[0], sb[0], 'time');
    compare(run, 'errors/s: last second with errors (s)', rb[rb.length - 1], sb[sb.length - 1], 'time');
  }
  const inside = (b: number[], t: number): boolean => b.includes(t - 1) && b.includes(t) && b.includes(t + 1);
  for (let i = 0; i < r.length; i++) {
    const t = r[i][0];
    if (inside(rb, t) && inside(sb, t)) compare(run, `errors in second ${t - 1}–${t}`, r[i][1], s[i][1], 'count');
  }
  let cr = 0;
  const cs = [0];
  for (const [, v] of s) cs.push(cs[cs.length - 1] + v);
  for (let i = 0; i < r.length; i++) {
    cr += r[i][1];
    const lo = cs[Math.max(i, 0)] - tol(cr);
    const hi = cs[Math.min(i + 2, cs.length - 1)] + tol(cr);
    expect(
      cr,
      `${run}: cumulative errors by ${r[i][0]} s: real ${cr}, twin ${cs[i + 1]} (±1 s: ${cs[i]}–${cs[Math.min(i + 2, cs.length - 1)]})`,
    ).toBeGreaterThanOrEqual(lo);
    expect(cr, `${run}: cumulative errors by ${r[i][0]} s: real ${cr}, twin ${cs[i + 1]}`).toBeLessThanOrEqual(hi);
  }
  rows.push({
    run,
    figure: `errors ${from}–${to} s (cumulative per second, ±1 s)`,
    real: cr,
    sim: cs[cs.length - 1],
    kind: 'count',
  });
}

/**
 * The never-ending streams the recorded client saw end: s1's with a FIN (EOF) against the twin's
 * tunnels closed on s1 in (from, to], and s2's (none ended) against the twin's on s2 up to `s2To`.
 */
function compareStreamEnds(
  run: string,
  figure: string,
  byServer: Record<'s1' | 's2', { ended: Record<string, number> }>,
  r: RunResult,
  [from, to]: [number, number],
  s2To: number,
): void {
  compare(run, figure, byServer.s1.ended.EOF ?? 0, between(r, 'ws_close_1006', from, to, 's1'), 'count');
  compare(
    run,
    's2 streams ended',
    Object.keys(byServer.s2.ended).length,
    between(r, 'ws_close_1006', 0, s2To, 's2'),
    'count',
  );
}

/**
 * tcp-mode kill -9: s1's client connections before the kill (show stat scur of the last sample
 * before it) and how they ended: HAProxy closes each client side with a FIN when s1's side dies
 * (idle ones, and those with a request in flight: EOF), no RST; s1 holds none a second later.
 * The twin's 12 connections are Poisson arrivals in the first second: means of its seeds.
 */
function compareTcpKill(run: string, runs: RunResult[]): void {
  const data = recording(`haproxy-${run}`) as unknown as {
    perSecond: Array<{
      t: number;
      outcomes: Record<string, number>;
      idleCloses: Record<string, number>;
      stat: { s1: { scur: number } };
    }>;
  };
  const mean = (f: (x: RunResult) => number): number => runs.reduce((a, x) => a + f(x), 0) / runs.length;
  const at = (t: number) => data.perSecond.find((p) => p.t === t)!;
  compare(
    run,
    's1 flows before the kill (show stat scur, mean of 10 seeds)',
    at(5).stat.s1.scur,
    mean((x) => perSecond(x, 'active_conn', 's1').find(([t]) => t >= 4)![1]),
    'count',
  );
  const closedAtKill = [5, 6].reduce((a, t) => a + (at(t).idleCloses['EOF:s1'] ?? 0) + (at(t).outcomes.EOF ?? 0), 0);
  compare(
    run,
    's1 client connections closed with a FIN at the kill (mean of 10 seeds)',
    closedAtKill,
    mean((x) => between(x, 'closed_fin', 4, 6, 's1') + between(x, 'errors', 4, 6)),
    'count',
  );
  compare(
    run,
    's1 flows 1 s after the kill (show stat scur)',
    at(7).stat.s1.scur,
    perSecond(runs[0], 'active_conn', 's1').find(([t]) => t >= 6)![1],
    'count',
  );
}

/**
 * show stat's s1 status going down check by check (UP → UP 2/3 → UP 1/3 → DOWN, `chkfail` 1, 2,
 * 3): the time of each failed check after `at`, ±1 s. The recorded time is the 250-ms sample that
 * first shows it (taken 0.125 s earlier, the middle of its sample), the twin's the middle of the
 * 1-s sample of `check_failures` in which its count reaches it. This is the check schedule
 * itself: `inter` after the previous check ended (src/check.c), `fastinter` while going down.
 */
function compareCheckFailures(run: string, name: string, at: number, r: RunResult, fall = 3): void {
  const data = recording(name) as unknown as {
    events: { transitions: Array<{ t: number; server: string; chkfail: number }> };
  };
  const fails = perSecond(r, 'check_failures', 's1').filter(([t]) => t > at);
  for (let k = 1; k <= fall; k++) {
    const real = data.events.transitions.find((x) => x.server === 's1' && x.t > at && x.chkfail >= k)!;
    let n = 0;
    const sim = fails.find(([, v]) => (n += v) >= k);
    compare(
      run,
      `failed check ${k} (show stat chkfail ${k}) after ${at} s (s)`,
      real.t - 0.125 - at,
      sim ? sim[0] - 0.5 - at : Infinity,
      'time',
    );
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quartiles = (xs: number[]): [number, number] => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(0.25 * (s.length - 1))], s[Math.ceil(0.75 * (s.length - 1))]];
};

/**
 * Several real runs against several seeds of the twin: each median must lie within the other
 * side's interquartile range.
 */
function compareMedians(run: string, figure: string, reals: number[], sims: number[], bothWays = true): void {
  const [rLo, rHi] = quartiles(reals);
  const [sLo, sHi] = quartiles(sims);
  rows.push({
    run,
    figure: `${figure} (medians of ${reals.length} runs / ${sims.length} seeds)`,
    real: median(reals),
    sim: median(sims),
    kind: 'count',
  });
  const what = `${run} ${figure}: real median ${median(reals)} (IQR ${rLo}–${rHi}), drainsim median ${median(sims)} (IQR ${sLo}–${sHi})`;
  expect(median(reals), what).toBeGreaterThanOrEqual(sLo);
  expect(median(reals), what).toBeLessThanOrEqual(sHi);
  if (!bothWays) return;
  expect(median(sims), what).toBeGreaterThanOrEqual(rLo);
  expect(median(sims), what).toBeLessThanOrEqual(rHi);
}

/**
 * Known gaps (not asserted; reported): what the model does not reproduce and why.
 * - drain-tcp*: the time to empty s1 and the requests s1 still serves after the drain are the
 *   longest and the sum of ≈ 10 residual exponential lifetimes (mean 5 s) of the recorded client's
 *   connections — one random draw per recording (sd ≈ 5 s for the time). Each recording is held
 *   to the spread of the twin over 20 seeds (compareSpread); 20 real tcp drains (haproxy-drain-tcp,
 *   -redispatch, -seed21…26, -seed31…42) are compared with 100 twin seeds as a population. The
 *   first 8 showed the twin's s1 flows decaying more slowly and serving ≈ 26 % more responses
 *   after the drain; with 20 runs that is chance, not bias: the recorded lifetimes are unbiased
 *   (1,882 closes, mean 4.95 s), the residual lifetime of s1's 210 flows at the drain is 4.7 s
 *   (4.2 s in the first 8 runs, 4.8 s in the 12 new ones; its standard error ≈ 0.33 s) against
 *   the twin's 5.0 s, each share still open 0.75…8.75 s after the drain is within 1.6 standard
 *   errors (two-proportion z), and the responses per run agree (136.6 vs 142.2; medians 133 vs
 *   134); the first 20 twin seeds had drawn high (149.5 median). HAProxy plays no part in the
 *   decay: a drained server takes no new stream (0 recorded) and its established ones end only
 *   when their clients close them (srv_update_status(), src/server.c). What remains different is
 *   the clients': the recorded client keeps 20 fixed slots (10.5 flows on s1 at the drain, up to
 *   23 slots when its event loop stalled) and spreads a fixed 60/s over them (2.75 requests per
 *   flow-second), the twin's Poisson population (M/G/∞) has 9.1 on s1 on average and each
 *   sends every 333 ms; the two offset each other in the responses.
 * - The requests that cross a kill -9 are not compared: kill-restart-tcp-redispatch's 3 EOFs
 *   were sent together in one tick of the recorded client's fixed-rate timer at 5.026 s, 24 ms
 *   after the harness's SIGKILL (5.002 s), and met s1 dying (EOF 5 ms later). A killed process's
 *   sockets close only after its memory is torn down (kernel/exit.c do_exit(): exit_mm() before
 *   exit_files()), so for some ms on a loaded machine its connections still take requests;
 *   drainsim's kill closes them at once, and its window is the 1-ms service on loopback (0
 *   errors). A timer tick landing in that window is chance the twin cannot place
 *   (kill-restart-http's one EOF likewise). The per-second error series starts
 *   the second after the kill; the tcp runs compare the connections closed at the kill instead.
 * - hang-tcp, hang-onmarkeddown-tcp: the keep-alive clients time out on every unanswered request
 *   (clients.http.request_timeout, sim/model/clients/http-keepalive.ts), as the recorded client
 *   does (8 s from the request's write, then socket.destroy(): FIN), and the twins' timeouts are
 *   compared (count, and when they fire). HAProxy keeps a timed-out connection in cur_sess: the
 *   client's FIN is forwarded, the stopped server never closes its side, the half-closed stream
 *   waits for `timeout server`. drainsim's L4 proxy ends the flow at the client's FIN (no
 *   half-closed streams), so the DOWN lines' "9" / "16 sessions active" are compared less the
 *   connections that had timed out before DOWN.
 * - shutdown-sessions-*: HAProxy's own client-facing sockets hold the TIME_WAIT of every stream
 *   the command ends (haproxy-sockets-shutdown-sessions-*: 13 of 13 / 10 of 10); the balancer's
 *   accepted sockets take no port and are not modelled (lb-host.ts models its connecting ports).
 *   In http mode 3 of HAProxy's 10 server-side sockets reached TIME_WAIT too; lb.mode l7 models no
 *   balancer ports, so the http sockets run is not compared.
 * - The other tcp-mode runs' few errors on *new* connections (shutdown-sessions-tcp: 1 EOF) depend
 *   on the recorded client's fixed connection slots, which drainsim's Poisson arrivals do not
 *   reproduce. show stat `wretr` of the tcp kill run is 3 × its `econ` (the give-ups, compared). The rules (FIN on shutdown sessions, FIN at DOWN with on-marked-down, no new stream
 *   after drain) are unit-tested in test/model/lb/runtime-commands.test.ts; the client-side EOF of
 *   a tcp-mode give-up (default_srv_error()) in test/model/lb/redispatch.test.ts.
 * - haproxy-queue-http: the counts are compared as means of 20 seeds (Poisson 40/s: one seed's
 *   503s spread 94–167): the requests in flight at the kill, the 8 × 503 `SC` of the streams that
 *   reached the dead s1, s2's responses and the 503s per second once s1 is DOWN, for each of the
 *   two recordings. The total of 503s was compared as the mean of the two (134.5 vs ≈ 123), not
 *   for the first alone (139, −11 %): 503s are the offered load minus what s2 serves, and the
 *   first recording's s2 served 25.7/s (4 slots ÷ 156 ms per request, okByServer 13–20 s), the
 *   second's 26.0/s (130 × 503), where the twin's app takes the 150 ms the backend sleeps
 *   (GET /slow/150: 26.7/s). Since session 14 (bare backends, the in-flight requests EOF as
 *   recorded rather than nginx's 502) the twin's total is 120.5 (−10.4 %): a known gap, asserted
 *   within −15 %..0 % (compareKnownGap). Before the kill, show stat agrees independently (Little's law:
 *   s1 + s2 `scur` 6.65 on average at 40/s in the first run, ≈ 166 ms a request; 6.12 in the
 *   second). The extra ms are the loaded recording machine's (load averages 15.8 and 12.3 on 2
 *   cores, stamp.load; the run's own five processes: HAProxy, two node backends, the client, the
 *   sampler), not a rule of HAProxy; a 4 % throughput gap doubles on the 503s (a third of the
 *   load).
 * - haproxy-source-http: the recorded clients come from 127.0.0.1, which hashes to s2; the twin's
 *   requests come from its one address (source_ips: 1, address 0), which hashes to s1: compared is that one server
 *   takes every request in each phase, not which one.
 * - kill-restart-http-keepalive (the keep-alive twin of kill-restart-http): its 503 count is not
 *   compared — a drainsim keep-alive client leaves after a request that failed all its retries
 *   (retries: 0 here, as the recorded client), while the recorded generator keeps sending at 60/s.
 *   Its timing (first 503 after the retries, DOWN, UP) and the absence of resets are.
 * - The one EOF of the http kill runs (a keep-alive request in flight at the kill, closed
 *   silently, http_wait_for_response()): the twins now ask for it (bare backends, requests on
 *   kept-alive connections), but with 1-ms requests none is in flight at the kill (see above).
 */
/** The 20 recorded tcp-mode drains (no redispatch, redispatch, 18 other lifetime seeds). */
const DRAIN_TCP_RUNS = [
  'haproxy-drain-tcp',
  'haproxy-drain-tcp-redispatch',
  ...[21, 22, 23, 24, 25, 26, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42].map((s) => `haproxy-drain-tcp-seed${s}`),
];

/** The tcp drain's twin on seeds 1…100, run once for every test that needs it. */
let drainTcpCache: RunResult[] | null = null;
const drainTcpTwins = (): RunResult[] => {
  drainTcpCache ??= simulateSeeds('haproxy-drain-tcp', 100);
  return drainTcpCache;
};

describe('drainsim vs recorded HAProxy 2.6.12 runs', () => {
  it('kill -9 in http mode without redispatch: 503 after 3 retries 1 s apart, half the load until DOWN', () => {
    const real = recording('haproxy-kill-restart-http').summary;
    const runs = simulateSeeds('haproxy-kill-restart-http', 10);
    const r = runs[0];
    compare('kill-restart-http', '503 responses', real.outcomes.http503, r.figures['req_5xx.total'] ?? 0, 'count');
    compare(
      'kill-restart-http',
      'first 503 after kill (s)',
      (real.errorLatencyS as { median: number }).median,
      firstAfter(r, 'req_5xx', 5),
      'time',
    );
    compare('kill-restart-http', 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compareCheckFailures('kill-restart-http', 'haproxy-kill-restart-http', 5, r);
    compare('kill-restart-http', 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 25), 'time');
    compare(
      'kill-restart-http',
      'restart → first response from s1 (s)',
      (real.firstOkFromS1AfterRestartS as number) - 25,
      firstFromAfter(r, 's1', 25),
      'time',
    );
    // The dead server's checks are refused: L4CON, as recorded (summary.downCheckStatus).
    expect(real.downCheckStatus).toBe('L4CON');
    expect(recordsOf(r, 'hc.down')[0].reason).toBe('Layer4 connection problem, info: "Connection refused"');
    compareErrorSeries(
      'kill-restart-http',
      realErrorsPerSecond('haproxy-kill-restart-http'),
      meanPerSecond(runs, 'errors'),
      6,
      36,
    );
    // show stat: s1's `wretr`, its streams' connection retries (3 each, all refused), at the end.
    const stat = recording('haproxy-kill-restart-http') as unknown as { samples: Array<{ s1: { wretr: number } }> };
    compare(
      'kill-restart-http',
      's1 retries (show stat wretr)',
      stat.samples[stat.samples.length - 1].s1.wretr,
      between(r, 'attempts', 5, 25, 's1') - between(r, 'errors', 5, 25, 's1'),
      'count',
    );
  });

  it('kill -9 in http mode, the keep-alive clients ending at the balancer: 503 after 3 retries, no RST', () => {
    const real = recording('haproxy-kill-restart-http').summary;
    const r = simulate('haproxy-kill-restart-http-keepalive');
    const run = 'kill-restart-http-keepalive';
    compare(
      run,
      'first 503 after kill (s)',
      (real.errorLatencyS as { median: number }).median,
      firstAfter(r, 'responses_5xx', 5),
      'time',
    );
    compare(run, 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compare(run, 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 25), 'time');
    // What the recording's client saw: 503s, never a reset or a refusal.
    expect(r.figures['responses_5xx.total']).toBeGreaterThan(0);
    expect((r.figures['err_econnreset.total'] ?? 0) + (r.figures['err_econnrefused.total'] ?? 0)).toBe(0);
  });

  it('kill -9 in http mode with redispatch: no error, DOWN and UP as without', () => {
    const real = recording('haproxy-kill-restart-http-redispatch').summary;
    const runs = simulateSeeds('haproxy-kill-restart-http-redispatch', 10);
    const r = runs[0];
    const realErrors = Object.entries(real.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);
    compare('kill-restart-http-redispatch', 'errors', realErrors, r.figures['errors.total'] ?? 0, 'count');
    compare('kill-restart-http-redispatch', 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compareCheckFailures('kill-restart-http-redispatch', 'haproxy-kill-restart-http-redispatch', 5, r);
    compare('kill-restart-http-redispatch', 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 25), 'time');
    compare(
      'kill-restart-http-redispatch',
      'restart → first response from s1 (s)',
      (real.firstOkFromS1AfterRestartS as number) - 25,
      firstFromAfter(r, 's1', 25),
      'time',
    );
    // show stat s1 `wredis`: until s1 is DOWN every request tries it first and is redispatched
    // to s2 (fwrr_get_next_server() uses up the avoided server's turn, src/lb_fwrr.c). Compared
    // per second of kill → DOWN, whose length differs by the checks' phase (5.7 s vs 5.0 s).
    const stat = recording('haproxy-kill-restart-http-redispatch') as unknown as {
      samples: Array<{ s1: { wredis: number } }>;
    };
    compare(
      'kill-restart-http-redispatch',
      's1 redispatches per second, kill → DOWN (show stat wredis)',
      stat.samples[stat.samples.length - 1].s1.wredis / (real.timeToDownLogS as number),
      between(r, 'attempts', 5, 25, 's1') / downAfter(r, 5),
      'count',
    );
    compareErrorSeries(
      'kill-restart-http-redispatch',
      realErrorsPerSecond('haproxy-kill-restart-http-redispatch'),
      meanPerSecond(runs, 'errors'),
      6,
      36,
    );
  });

  it('fastinter 500ms downinter 1s: DOWN and UP on the faster schedules', () => {
    const real = recording('haproxy-kill-fastinter-http').summary;
    const runs = simulateSeeds('haproxy-kill-fastinter-http', 10);
    const r = runs[0];
    compare('kill-fastinter-http', 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compareCheckFailures('kill-fastinter-http', 'haproxy-kill-fastinter-http', 5, r);
    compare('kill-fastinter-http', 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 15), 'time');
    compare(
      'kill-fastinter-http',
      'restart → first response from s1 (s)',
      (real.firstOkFromS1AfterRestartS as number) - 15,
      firstFromAfter(r, 's1', 15),
      'time',
    );
    compare('kill-fastinter-http', '503 responses', real.outcomes.http503, r.figures['req_5xx.total'] ?? 0, 'count');
    compareErrorSeries(
      'kill-fastinter-http',
      realErrorsPerSecond('haproxy-kill-fastinter-http'),
      meanPerSecond(runs, 'errors'),
      6,
      26,
    );
  });

  it('maint, kill -9 in maint, state ready: checks paused in maint, UP at ready, DOWN at the first failed check (L4CON)', () => {
    const data = recording('haproxy-maint-kill-ready-http') as Recording & {
      events: { haproxyMessages: Array<{ t: number; line: string }> };
    };
    const real = data.summary;
    const runs = simulateSeeds('haproxy-maint-kill-ready-http', 10);
    const r = runs[0];
    const run = 'maint-kill-ready-http';
    compare(run, '503 responses', real.outcomes.http503, r.figures['req_5xx.total'] ?? 0, 'count');
    compare(run, 'ready → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 6.249), 'time');
    compare(run, 'first 503 after ready (s)', (real.firstErrorS as number) - 12, firstAfter(r, 'req_5xx', 12), 'time');
    const down = recordsOf(r, 'hc.down');
    expect(down).toHaveLength(1);
    expect(down[0].reason).toContain('Layer4 connection problem');
    expect(real.downCheckStatus).toBe('L4CON');
    // No error while s1 is in maint (killed at 6.25 s), the 503s of the ≈ 0.7 s it is UP after ready.
    compareErrorSeries(run, realErrorsPerSecond('haproxy-maint-kill-ready-http'), meanPerSecond(runs, 'errors'), 7, 22);
  });

  it('slowstart 10s after leaving maint: s1 takes 1/16, 2/16, 4/16 … of a full weight, second by second', () => {
    const name = 'haproxy-slowstart-maint-http';
    const r = simulate(name);
    const run = 'slowstart-maint-http';
    compare(run, 's1 responses 6–11 s', okFrom(name, 's1', 6, 11), between(r, 'goodput', 6, 11, 's1'), 'count');
    compare(run, 's1 responses 11–16 s', okFrom(name, 's1', 11, 16), between(r, 'goodput', 11, 16, 's1'), 'count');
    compare(run, 's1 responses 16–22 s', okFrom(name, 's1', 16, 22), between(r, 'goodput', 16, 22, 's1'), 'count');
  });

  it('slowstart 10s after a kill -9 and restart: DOWN, UP on the checks, then the same ramp', () => {
    const name = 'haproxy-slowstart-restart-http';
    const real = recording(name).summary;
    const runs = simulateSeeds(name, 10);
    const r = runs[0];
    const run = 'slowstart-restart-http';
    compare(run, 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 3), 'time');
    compare(run, 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 10.015), 'time');
    // The streams sent to s1 in the second before DOWN (8.37 s) were still in their turn-around
    // pauses when the restarted s1 listened again (10.378 s): their last retry connects and is
    // served (stream_choose_redispatch(), include/haproxy/stream.h: without `option redispatch`
    // a retry stays on its server, whatever its check state) — 19 + 11 responses from s1 while
    // it is DOWN.
    compare(
      run,
      's1 responses to streams retrying across the restart, 10–13 s (mean of 10 seeds)',
      okFrom(name, 's1', 10, 13),
      runs.reduce((a, x) => a + between(x, 'goodput', 10, 13, 's1'), 0) / runs.length,
      'count',
    );
    // The first response to a request sent after the restart (summary.firstOkFromS1AfterRestartS):
    // after UP, at weight 1/16 (server_recalc_eweight()); the twin's first after those retries.
    compare(
      run,
      'restart → first response from s1 to a new request (s)',
      (real.firstOkFromS1AfterRestartS as number) - 10.015,
      13 - 10.015 + firstFromAfter(r, 's1', 13),
      'time',
    );
    compare(run, 's1 responses 14–19 s', okFrom(name, 's1', 14, 19), between(r, 'goodput', 14, 19, 's1'), 'count');
    compare(run, 's1 responses 19–24 s', okFrom(name, 's1', 19, 24), between(r, 'goodput', 19, 24, 's1'), 'count');
    compareErrorSeries(run, realErrorsPerSecond(name), meanPerSecond(runs, 'errors'), 4, 30);
  });

  // Each recording (session 18: the 3 re-recordings, each twin at its stated start) on its own.
  for (const rec of restated<Recording & StampedRecording>('haproxy-hang-http'))
    it(`hung server (SIGSTOP): checks time out after inter and come inter after they end, DOWN after ≈ 11.6 s (${rec.label})`, () => {
      const run = `hang-http ${rec.label}`;
      const real = rec.data.summary;
      const runs = twinOf(rec, 10);
      const r = runs[0];
      compare(run, 'stop → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
      compareCheckFailures(run, rec.file, 5, r);
      compare(run, 'cont → UP (s)', real.timeToUpLogS as number, upAfter(r, 27), 'time');
      // The recorded client holds at most 200 connections (calibration/haproxy/worker.mjs
      // maxConnections): with s1's requests each held 8 s it was full from 11.3 s until the first
      // timeouts at 13 s and skipped 82 sends (summary.skips, perSecond.skips at 12–14 s), every
      // other one of which roundrobin would have sent to s1. The twin's open-loop requests have no
      // such cap: its counts are compared with the recorded ones plus those 41.
      const skippedToS1 = (real.skips as number) / 2;
      compare(
        run,
        'client timeouts (8 s) + s1 sends skipped at the pool cap',
        real.outcomes.timeout + skippedToS1,
        r.figures['req_timeouts.total'] ?? 0,
        'count',
      );
      // The DOWN line's "N sessions active" (srv_append_more(), src/server.c: cur_sess): the
      // streams still held by the hung server.
      const line = (real.downLogLine as { line: string }).line;
      const sessions = Number(/(\d+) sessions active/.exec(line)![1]);
      compare(
        run,
        'DOWN: sessions active + s1 sends skipped at the pool cap',
        sessions + skippedToS1,
        recordsOf(r, 'hc.down')[0].sessions,
        'count',
      );
      // The client timeouts per second: s1's half of the requests, 8 s after they were sent, from
      // the stop until DOWN; the skipped sends of 12–14 s are the recorded hole at 20–21 s, left out.
      const timeouts = realErrorsPerSecond(rec.file);
      const twin = meanPerSecond(runs, 'errors');
      compareErrorSeries(run, timeouts, twin, 6, 19);
      compareErrorSeries(run, timeouts, twin, 21, 36);
    });

  it('maxconn 4 + timeout queue 1s, kill -9 s1: the backend queue overflows and answers 503 (sQ) after 1 s; the DOWN line counts no session', () => {
    const runs = simulateSeeds('haproxy-queue-http', 20);
    const mean = (f: (x: RunResult) => number): number => runs.reduce((a, x) => a + f(x), 0) / runs.length;
    // Two recordings of the same run (at load averages 15.8 and 12.3 on 2 cores).
    const names = ['haproxy-queue-http', 'haproxy-queue-http-run2'];
    for (const name of names) {
      const run = name.replace(/^haproxy-/, '');
      const data = recording(name) as unknown as {
        summary: Recording['summary'] & { haproxyTermination: Record<string, number> };
        perSecond: Array<{ t: number; outcomes: Record<string, number> }>;
        samples: Array<{ s1: { wretr: number } }>;
      };
      const real = data.summary;
      const realIn = (outcome: string, from: number, to: number): number =>
        data.perSecond.filter((p) => p.t > from && p.t <= to).reduce((a, p) => a + (p.outcomes[outcome] ?? 0), 0);
      // The counts of the recorded client (a fixed 40/s) against the twin's means over 20 seeds
      // (Poisson 40/s: the 503s of one seed spread 94–167). The kill at 8 s ends s1's requests in
      // flight (150 ms each): each a later request of its kept-alive client connection, closed
      // silently by HAProxy (http_wait_for_response() → abort_keep_alive): EOF at the client, in
      // the twin too since its backends are bare node servers as recorded (backends[].proxy: none)
      // and its requests ride kept-alive connections (clients.requests.reused_connections); no 502.
      compare(
        run,
        "s1's requests in flight at the kill (EOF; mean of 20 seeds)",
        real.outcomes.EOF ?? 0,
        mean((x) => between(x, 'err_econnreset', 7, 8)),
        'count',
      );
      compare(
        run,
        '502 at the kill (none: HAProxy answers no later request of a connection)',
        real.outcomes.http502 ?? 0,
        mean((x) => between(x, 'req_5xx', 7, 8)),
        'count',
      );
      // The streams that reached the dead s1 keep its 4 slots through their 3 turn-around pauses
      // (back_handle_st_cer(): srv_conn is kept on a retry to the same server) and get 503 `SC`
      // after 3 s: two waves of 4 before DOWN (log SC/503 8, show stat wretr 24).
      compare(
        run,
        '503 after 3 retries on the dead s1 (log SC)',
        real.haproxyTermination['SC/503'] ?? 0,
        mean((x) => between(x, 'req_5xx', 8, 20, 's1')),
        'count',
      );
      compare(
        run,
        's1 retries (show stat wretr; mean of 20 seeds)',
        data.samples.at(-1)!.s1.wretr,
        mean((x) => between(x, 'attempts', 8, 20, 's1') - between(x, 'req_5xx', 8, 20, 's1')),
        'count',
      );
      // Once s1 is DOWN, s2 alone serves maxconn / service time and the rest of the 40/s waits
      // `timeout queue` in the backend queue and gets 503 `sQ` (src/backend.c, STRM_ET_QUEUE_TO).
      compare(
        run,
        's2 responses per second once s1 is DOWN (13–20 s)',
        okFrom(name, 's2', 13, 20) / 7,
        mean((x) => between(x, 'goodput', 13, 20, 's2')) / 7,
        'count',
      );
      compare(
        run,
        '503 per second once s1 is DOWN (13–20 s)',
        realIn('http503', 13, 20) / 7,
        mean((x) => between(x, 'req_5xx', 13, 20)) / 7,
        'count',
      );
      // Each recording's total is reported; their mean is compared below.
      rows.push({
        run,
        figure: '503 responses (mean of 20 seeds; this run alone, reported)',
        real: real.outcomes.http503,
        sim: mean((x) => x.figures['req_5xx.total'] ?? 0),
        kind: 'count',
      });
      const r = runs[0];
      compare(run, 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 8), 'time');
      // A 503 comes `timeout queue` after the request queued (median of the recorded 503s' latency).
      const [queued] = recordsOf(r, 'lb.queue_timeout_503');
      compare(
        run,
        '503 latency, queued (s)',
        (real.errorLatencyS as { median: number }).median,
        queued.timeout,
        'time',
      );
      // cur_sess at DOWN (srv_append_more()): s1's streams sit in their turn-around pauses after
      // refused connects, not in cur_sess (back_handle_st_cer() decrements it).
      const sessions = Number(/(\d+) sessions active/.exec((real.downLogLine as { line: string }).line)![1]);
      compare(run, 'DOWN: sessions active', sessions, recordsOf(r, 'hc.down')[0].sessions, 'count');
    }
    // The 503 total is the offered load minus what s2 serves, so it carries the recording
    // machine's load (known gaps above): 139 and 130 in the two runs. A known gap, asserted within
    // its bounds: the twin had counted its 502s at the kill (nginx's, ≈ 2.85) among its 5xx until
    // session 14; with bare backends they are the recorded EOFs (asserted above), and what is left,
    // 120.5 against 134.5 (−10.4 %), is the s2 throughput gap of the loaded recording machine
    // (25.7–26.0/s recorded, 26.7/s in the twin: ≈ 12 more served over 13–20 s alone), which
    // the per-second figures once s1 is DOWN assert directly. The twin serves s2 at its 150 ms,
    // never slower than the loaded machine, so it can only answer fewer 503s: −15 %..0 %.
    compareKnownGap(
      'queue-http ×2',
      "503 responses (mean of 2 runs / 20 seeds; known gap: the recording machine's slower s2)",
      names.reduce((a, n) => a + recording(n).summary.outcomes.http503, 0) / names.length,
      mean((x) => x.figures['req_5xx.total'] ?? 0),
      [-0.15, 0],
    );
  });

  it('drain with cookie persistence: s1 keeps its cookie users while draining, none after maint', () => {
    const real = recording('haproxy-drain-cookie-http').summary;
    const r = simulate('haproxy-drain-cookie-http');
    compare(
      'drain-cookie-http',
      'responses from s1, drain → maint',
      real.okFromS1DrainToMaint as number,
      between(r, 'goodput', 8, 18, 's1'),
      'count',
    );
    compare(
      'drain-cookie-http',
      'responses from s1 after maint',
      real.okFromS1AfterMaint as number,
      between(r, 'goodput', 18, 26, 's1'),
      'count',
    );
    // maint: s1's cookie users are load-balanced like any other (cur_state STOPPED fails the
    // cookie test, http_manage_client_side_cookies()): s2 takes the whole load, none lost.
    compare(
      'drain-cookie-http',
      'responses from s2 after maint',
      real.okFromS2AfterMaint as number,
      between(r, 'goodput', 18, 26, 's2'),
      'count',
    );
    compare(
      'drain-cookie-http',
      'errors',
      real.outcomes.ok === undefined ? 0 : Object.values(real.outcomes).reduce((a, b) => a + b, 0) - real.outcomes.ok,
      r.figures['errors.total'] ?? 0,
      'count',
    );
  });

  it('balance source: every request of the one client address on one server, moved only when it leaves', () => {
    const r = simulate('haproxy-source-http');
    const share = (from: number, to: number): number => {
      const a = between(r, 'goodput', from, to, 's1');
      const b = between(r, 'goodput', from, to, 's2');
      return Math.max(a, b) / (a + b);
    };
    // Recorded: 100 % of requests on one server in every phase (summary.okFromS1AfterDrain etc.).
    compare('source-http', 'share on one server before 5 s (%)', 100, 100 * share(0, 5), 'count');
    compare('source-http', 'share on one server 5–9 s (%)', 100, 100 * share(5, 9), 'count');
    compare('source-http', 'share on one server 10–14 s (%)', 100, 100 * share(10, 14), 'count');
  });

  for (const variant of ['', '-redispatch']) {
    it(`shutdown sessions server (tcp${variant ? ', redispatch' : ''}): every s1 flow — its 10 streams and its request connections — ends at once with a FIN, s2 untouched`, () => {
      const run = `shutdown-sessions-tcp${variant}`;
      const data = recording(`haproxy-${run}`) as unknown as {
        summary: {
          shutdownAt: number;
          okFromS1AfterDrain: number;
          streamEndDelayS: { max: number };
          s1ScurAfterDrain: Array<[number, number]>;
          haproxyLogS1AfterShutdown: Record<string, number>;
          streams: { byServer: Record<string, { opened: number; ended: Record<string, number> }> };
        };
      };
      const real = data.summary;
      // The 6 request connections' arrivals are Poisson in the twin (3 on s1 expected, as
      // recorded): their counts are the mean over 10 seeds; the 20 streams are opened at once.
      const runs = simulateSeeds(`haproxy-${run}`, 10);
      const r = runs[0];
      const mean = (f: (x: RunResult) => number): number => runs.reduce((a, x) => a + f(x), 0) / runs.length;
      const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
      compare(run, 'command → last s1 stream end (s)', real.streamEndDelayS.max, shut.t - 8, 'time');
      // show stat scur of s1 in the last sample before the command.
      const before = real.s1ScurAfterDrain.filter(([t]) => t < real.shutdownAt).pop()![1];
      compare(
        run,
        's1 flows at the command (show stat scur, mean of 10 seeds)',
        before,
        mean((x) => recordsOf(x, 'lb.shutdown_sessions')[0].streams),
        'count',
      );
      // HAProxy logs every stream the command killed with termination state K (src/stream.c
      // stream_shutdown(), SF_ERR_KILLED); each of their clients read a FIN.
      compare(
        run,
        's1 flows the command closed (log K, FIN; mean of 10 seeds)',
        real.haproxyLogS1AfterShutdown['K-/-'],
        mean((x) => between(x, 'closed_fin', 7, 9, 's1')),
        'count',
      );
      compareStreamEnds(run, 's1 streams ended with a FIN', real.streams.byServer, r, [7, 9], 12);
      compare(run, 's1 flows left 1 s later', 0, perSecond(r, 'active_conn', 's1').find(([t]) => t >= 9)![1], 'count');
      compare(run, 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
      // tcp mode: the drain leaves the request connections pinned to s1 (no new flow), they keep
      // sending to it until the command.
      compare(
        run,
        'responses from s1 after the drain (mean of 10 seeds)',
        real.okFromS1AfterDrain,
        mean((x) => between(x, 'responses_2xx', 3, 8, 's1')),
        'count',
      );
    });
  }

  for (const rec of restated<Recording & StampedRecording>('haproxy-hang-onmarkeddown-tcp'))
    it(`on-marked-down shutdown-sessions (tcp, hung s1): DOWN after ≈ 11.2 s, its streams end with FIN at that instant (${rec.label})`, () => {
      const run = `hang-onmarkeddown-tcp ${rec.label}`;
      const real = rec.data.summary as unknown as {
        timeToDownLogS: number;
        streamEndDelayAfterDownS: { max: number };
        downLogLine: { t: number; line: string };
        haproxyLogS1AroundDown: Record<string, number>;
        streams: { byServer: Record<string, { opened: number; ended: Record<string, number> }> };
      };
      const runs = twinOf(rec, 10);
      const r = runs[0];
      compare(run, 'stop → DOWN (s)', real.timeToDownLogS, downAfter(r, 3), 'time');
      const down = recordsOf(r, 'hc.down')[0];
      const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
      compare(run, 'DOWN → s1 streams end (s)', real.streamEndDelayAfterDownS.max, shut.t - down.t, 'time');
      compare(run, 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
      // show stat scur of s1 at the stop (3 s): its 10 streams and the request connections pinned
      // to it (Poisson in the twin: mean of 10 seeds).
      const data = recording(rec.file) as unknown as {
        samples: Array<{ t: number; s1?: { scur: number } }>;
      };
      const atStop = data.samples.filter((x) => x.s1 && x.t <= 3).pop()!.s1!.scur;
      compare(
        run,
        's1 sessions at the stop (show stat scur, mean of 10 seeds)',
        atStop,
        runs.reduce((a, x) => a + gaugeAt(x, 'active_conn', 's1', 3), 0) / runs.length,
        'count',
      );
      // The requests hung on s1 time out 8 s after their write (3 at 11.05–11.29 s, one at 14.12 s
      // on a connection opened after the stop), all before DOWN (14.19 s).
      const failed = (
        recording(rec.file) as unknown as {
          failedRequests: Array<{ done: number; outcome: string }>;
        }
      ).failedRequests;
      const timedOutBeforeDown = failed.filter((x) => x.outcome === 'timeout' && x.done < real.downLogLine.t).length;
      compare(
        run,
        'client timeouts (mean of 10 seeds)',
        failed.filter((x) => x.outcome === 'timeout').length,
        runs.reduce((a, x) => a + (x.figures['err_client_timeout.total'] ?? 0), 0) / runs.length,
        'count',
      );
      // The DOWN line's "16 sessions active": scur 13 at the stop, 3 connections the recorded client
      // opened after it (when its hung ones were busy or timed out) which roundrobin sent to s1,
      // still UP; the timed-out ones stay in cur_sess, half-closed, as the stopped server never
      // closes its side. drainsim's L4 proxy ends a flow at the client's FIN: compared less those.
      const downSessions = Number(/(\d+) sessions active/.exec(real.downLogLine.line)![1]);
      compare(
        run,
        'DOWN: sessions active, less the connections timed out before it (half-closed; mean of 10 seeds)',
        downSessions - timedOutBeforeDown,
        runs.reduce((a, x) => a + recordsOf(x, 'hc.down')[0].sessions, 0) / runs.length,
        'count',
      );
      // The 10 streams on s1 end with a FIN at DOWN (srv_shutdown_streams(s, SF_ERR_DOWN), log D);
      // with them the request connections still on s1 (Poisson in the twin: mean of 10 seeds).
      compareStreamEnds(
        run,
        's1 streams ended with a FIN at DOWN',
        real.streams.byServer,
        r,
        [Math.floor(down.t), Math.floor(down.t) + 1],
        20,
      );
      compare(
        run,
        's1 flows DOWN closed (log D, mean of 10 seeds)',
        real.haproxyLogS1AroundDown['D-/-'],
        runs.reduce((a, x) => a + recordsOf(x, 'lb.shutdown_sessions')[0].streams, 0) / runs.length,
        'count',
      );
    });

  it('kill -9 in tcp mode without redispatch: new connections to s1 are accepted, retried 3 times, then closed (EOF after ≈ 3 s)', () => {
    const real = recording('haproxy-kill-restart-tcp').summary as Recording['summary'] & {
      errorLatencyS: { median: number };
      timeToDownLogS: number;
      timeToUpLogS: number;
    };
    const runs = simulateSeeds('haproxy-kill-restart-tcp', 10);
    const r = runs[0];
    // The client-side EOFs of HAProxy's give-ups (default_srv_error()), all after the 3 turn-around pauses.
    compare('kill-restart-tcp', 'EOF after give-up', real.outcomes.EOF, between(r, 'err_econnreset', 6, 36), 'count');
    compare('kill-restart-tcp', 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
    const firstGiveUp = recordsOf(r, 'lb.connect_failed')[0];
    expect(firstGiveUp.clientSees).toBe('EOF');
    compare('kill-restart-tcp', 'kill → first EOF (s)', real.errorLatencyS.median, firstGiveUp.t - 5, 'time');
    compare('kill-restart-tcp', 'kill → DOWN (s)', real.timeToDownLogS, downAfter(r, 5), 'time');
    compareCheckFailures('kill-restart-tcp', 'haproxy-kill-restart-tcp', 5, r);
    compare('kill-restart-tcp', 'restart → UP (s)', real.timeToUpLogS, upAfter(r, 25), 'time');
    // The give-ups come in waves 3 s apart (the reconnects of the clients whose connection s1's
    // kill closed, half of them sent to s1 again by roundrobin, and so on).
    // show stat s1 `econ` (streams that gave up on s1, default_srv_error()) and `wretr` (their
    // retries): each give-up comes after exactly `retries` refused retries on the same server
    // (no redispatch), so wretr is 3 × econ and only econ is compared (mean of 10 seeds: the
    // give-ups are the reconnects roundrobin sends to s1, a Poisson draw in the twin).
    const s1Stat = (
      recording('haproxy-kill-restart-tcp') as unknown as { samples: Array<{ s1: { econ: number; wretr: number } }> }
    ).samples.at(-1)!.s1;
    expect(s1Stat.wretr).toBe(3 * s1Stat.econ);
    compare(
      'kill-restart-tcp',
      's1 give-ups (show stat econ; mean of 10 seeds)',
      s1Stat.econ,
      runs.reduce((a, x) => a + recordsOf(x, 'lb.connect_failed').length, 0) / runs.length,
      'count',
    );
    compareTcpKill('kill-restart-tcp', runs);
    compareErrorSeries(
      'kill-restart-tcp',
      realErrorsPerSecond('haproxy-kill-restart-tcp'),
      meanPerSecond(runs, 'errors'),
      6,
      36,
    );
  });

  it('kill -9 in tcp mode with redispatch: no give-up, no error after the kill instant; UP again after the restart', () => {
    const real = recording('haproxy-kill-restart-tcp-redispatch').summary as Recording['summary'] & {
      timeToDownLogS: number;
      timeToUpLogS: number;
    };
    const runs = simulateSeeds('haproxy-kill-restart-tcp-redispatch', 10);
    const r = runs[0];
    compare('kill-restart-tcp-redispatch', 'give-ups', 0, recordsOf(r, 'lb.connect_failed').length, 'count');
    compare('kill-restart-tcp-redispatch', 'kill → DOWN (s)', real.timeToDownLogS, downAfter(r, 5), 'time');
    compareCheckFailures('kill-restart-tcp-redispatch', 'haproxy-kill-restart-tcp-redispatch', 5, r);
    compare('kill-restart-tcp-redispatch', 'restart → UP (s)', real.timeToUpLogS, upAfter(r, 25), 'time');
    // show stat s1 `wredis`: the client connections s1's kill closed reconnect at once, roundrobin
    // sends about every other one to the dead s1 (UP until its third failed check), the refused
    // connect is redispatched to s2 at once (stream_choose_redispatch(): no persistence, > 1
    // active server, roundrobin) — each a refused SYN on s1 in the twin. A stream whose new
    // target differs from the previous server counts a redispatch on that server (`wredis`),
    // the same server a retry (`wretr`) (assign_server_and_queue(), src/backend.c): recorded 5
    // and 0.
    const stat = recording('haproxy-kill-restart-tcp-redispatch') as unknown as {
      samples: Array<{ s1: { wredis: number; wretr: number } }>;
    };
    const last = stat.samples[stat.samples.length - 1].s1;
    compare(
      'kill-restart-tcp-redispatch',
      's1 redispatches, kill → restart (show stat wredis; mean of 10 seeds)',
      last.wredis,
      runs.reduce((a, x) => a + between(x, 'reset_in', 5, 25, 's1'), 0) / runs.length,
      'count',
    );
    compare('kill-restart-tcp-redispatch', 's1 retries (show stat wretr)', last.wretr, 0, 'count');
    compare(
      'kill-restart-tcp-redispatch',
      'give-ups (show stat econ)',
      (stat.samples[stat.samples.length - 1].s1 as unknown as { econ: number }).econ,
      recordsOf(r, 'lb.connect_failed').length,
      'count',
    );
    compareTcpKill('kill-restart-tcp-redispatch', runs);
    compareErrorSeries(
      'kill-restart-tcp-redispatch',
      realErrorsPerSecond('haproxy-kill-restart-tcp-redispatch'),
      meanPerSecond(runs, 'errors'),
      6,
      36,
    );
  });

  for (const variant of ['', '-redispatch']) {
    it(`drain in http mode${variant ? ' with redispatch' : ''}: s1 gets no request after the command and is empty at once, no error`, () => {
      const run = `drain-http${variant}`;
      const real = recording(`haproxy-${run}`).summary as Recording['summary'] & {
        okFromS1AfterDrain: number;
        timeToEmptyS: number;
      };
      const r = simulate(`haproxy-${run}`);
      const realErrors = Object.entries(real.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);
      compare(run, 'errors', realErrors, r.figures['errors.total'] ?? 0, 'count');
      compare(
        run,
        'responses from s1 after the drain',
        real.okFromS1AfterDrain,
        between(r, 'goodput', 8, 20, 's1'),
        'count',
      );
      compare(run, 'drain → s1 empty (s)', real.timeToEmptyS, lastAfter(r, 'goodput', 8, 's1'), 'time');
      // The drain took s1 out of load balancing only: s2 carries the whole load from then on.
      compare(
        run,
        'responses from s2, 8–18 s',
        okFrom(`haproxy-${run}`, 's2', 8, 18),
        between(r, 'goodput', 8, 18, 's2'),
        'count',
      );
    });

    it(`drain in tcp mode${variant ? ' with redispatch' : ''}: no new flow on s1, it empties as its clients close their connections`, () => {
      const run = `drain-tcp${variant}`;
      const real = recording(`haproxy-${run}`).summary as Recording['summary'] & {
        okFromS1AfterDrain: number;
        timeToEmptyS: number;
        s1ScurAtDrain: number;
        haproxyStreamsStartedOnS1AfterDrain: number;
      };
      // The same scenario on the same seeds as drainTcpTwins() when there is no redispatch.
      const runs = variant ? simulateSeeds(`haproxy-${run}`, 20) : drainTcpTwins().slice(0, 20);
      const r = runs[0];
      const realErrors = Object.entries(real.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);
      compare(run, 'errors', realErrors, r.figures['errors.total'] ?? 0, 'count');
      compare(
        run,
        'new flows on s1 after the drain',
        real.haproxyStreamsStartedOnS1AfterDrain,
        between(r, 'new_conn', 8, 45, 's1'),
        'count',
      );
      const atDrain = runs
        .map((x) => perSecond(x, 'active_conn', 's1').find(([t]) => t >= 8)![1])
        .sort((a, b) => a - b);
      compare(run, 's1 flows at the drain (median of 20 seeds)', real.s1ScurAtDrain, atDrain[10], 'count');
      compareSpread(
        run,
        'drain → s1 empty (s)',
        real.timeToEmptyS,
        runs.map((x) => emptyAfter(x, 8, 's1')),
      );
      // ±1 s: the median of the 20 real tcp drains (this one, the other variant and seeds 21…26,
      // 31…42; redispatch plays no part in a drain without connect failures:
      // stream_choose_redispatch() runs only on a connection retry) against the median of the
      // twin's 100 seeds. Each real time is one draw of the longest of ≈ 10 residual exponential
      // lifetimes (sd ≈ 5 s), so their median, not one run, is what ±1 s can hold (its own
      // standard error is still ≈ 1.4 s).
      compare(
        run,
        'drain → s1 empty (s), median of 20 real runs / 100 seeds',
        median(DRAIN_TCP_RUNS.map((n) => recording(n).summary.timeToEmptyS as number)),
        median(drainTcpTwins().map((x) => emptyAfter(x, 8, 's1'))),
        'time',
      );
      compareSpread(
        run,
        'responses from s1 after the drain',
        real.okFromS1AfterDrain,
        runs.map((x) => between(x, 'responses_2xx', 8, 45, 's1')),
      );
    });

    it(`shutdown sessions server (http${variant ? ', redispatch' : ''}): s1's 10 streams end at once with a FIN, s2's carry on`, () => {
      const run = `shutdown-sessions-http${variant}`;
      const real = recording(`haproxy-${run}`).summary as unknown as {
        outcomes: Record<string, number>;
        okFromS1AfterDrain: number;
        streamEndDelayS: { max: number };
        streams: { byServer: Record<string, { opened: number; ended: Record<string, number> }> };
      };
      const r = simulate(`haproxy-${run}`);
      const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
      compare(run, 's1 streams at the command', real.streams.byServer.s1.opened, shut.streams, 'count');
      compare(run, 'command → last s1 stream end (s)', real.streamEndDelayS.max, shut.t - 8, 'time');
      compareStreamEnds(run, 's1 streams ended with a FIN', real.streams.byServer, r, [7, 9], 12);
      compare(run, 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
      compare(
        run,
        'responses from s1 after the drain',
        real.okFromS1AfterDrain,
        between(r, 'goodput', 3, 12, 's1'),
        'count',
      );
      compare(
        run,
        'request errors',
        Object.entries(real.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0),
        r.figures['req_failed.total'] ?? 0,
        'count',
      );
    });
  }

  it("drain in tcp mode, 20 real runs with different lifetime seeds: s1's flows decay as the twin's, no bias beyond chance", () => {
    const reals = DRAIN_TCP_RUNS.map(
      (n) =>
        recording(n) as unknown as {
          summary: {
            timeToEmptyS: number;
            okFromS1AfterDrain: number;
            s1ScurAtDrain: number;
            s1ScurAfterDrain: Array<[number, number]>;
          };
          samples: Array<{ t: number; s1?: { scur: number } }>;
        },
    );
    const runs = drainTcpTwins();
    const run = 'drain-tcp ×20';
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    // Each flow on s1 at the drain ends after its own residual lifetime (the client's exponential
    // lifetime, memoryless: mean 5 s on both sides; HAProxy's drain never ends a stream,
    // srv_update_status()), independently of the others. So the share of them still open t
    // after the drain is a proportion over ≈ 210 flows (20 runs) against ≈ 1,800 (100 seeds),
    // compared with a two-proportion z test (|z| ≤ 2.5, five times), and as flows per run (±10 %,
    // ±2). show stat is sampled 0.75, 1.75 … s after the drain, the twin at 8.75, 9.75 … s; the
    // flows at the drain are the first sample after the command (≤ 8 ms later; s1ScurAtDrain is
    // the last one before it, up to 250 ms earlier), the twin's at 8 s.
    const realAt0 = sum(reals.map((x) => x.samples.find((s) => s.s1 && s.t > 8)!.s1!.scur));
    const twinAt0 = sum(runs.map((x) => gaugeAt(x, 'active_conn', 's1', 8)));
    for (const k of [0, 1, 2, 4, 8]) {
      const realK = sum(reals.map((x) => x.summary.s1ScurAfterDrain[k]?.[1] ?? 0));
      const twinK = sum(runs.map((x) => gaugeAt(x, 'active_conn', 's1', 8.75 + k)));
      compare(
        run,
        `s1 flows ${k + 0.75} s after the drain (show stat scur, mean of 20 runs / 100 seeds)`,
        realK / reals.length,
        twinK / runs.length,
        'count',
      );
      const pr = realK / realAt0;
      const pt = twinK / twinAt0;
      const p = (realK + twinK) / (realAt0 + twinAt0);
      const z = (pr - pt) / Math.sqrt(p * (1 - p) * (1 / realAt0 + 1 / twinAt0));
      rows.push({
        run,
        figure: `share of s1's flows open ${k + 0.75} s after the drain (z ${z.toFixed(2)})`,
        real: pr,
        sim: pt,
        kind: 'count',
      });
      expect(
        Math.abs(z),
        `${run}: share open after ${k + 0.75} s: real ${pr.toFixed(3)} of ${realAt0}, twin ${pt.toFixed(3)} of ${twinAt0}`,
      ).toBeLessThanOrEqual(2.5);
    }
    // The mean residual lifetime: the area under s1's scur after the drain (250-ms samples, both
    // sides) per flow at the drain, ±1 s and within 2.5 standard errors (an exponential's: the
    // mean over √n flows).
    const area = (xs: Array<[number, number]>): number => sum(xs.map(([, v]) => v * 0.25));
    const realArea = sum(
      reals.map((x) => area(x.samples.filter((s) => s.s1 && s.t > 8).map((s) => [s.t, s.s1!.scur]))),
    );
    const twinArea = sum(runs.map((x) => area(perSecond(x, 'active_conn', 's1').filter(([t]) => t > 8))));
    const rr = realArea / realAt0;
    const rt = twinArea / twinAt0;
    compare(run, "s1's flows' mean residual lifetime after the drain (s)", rr, rt, 'time');
    const se = Math.sqrt((rr * rr) / realAt0 + (rt * rt) / twinAt0);
    expect(
      Math.abs(rr - rt),
      `${run}: mean residual lifetime real ${rr} s, twin ${rt} s, se ${se}`,
    ).toBeLessThanOrEqual(2.5 * se);
    // Responses from s1 after the drain: flows at the drain × their residual lifetime × each
    // connection's request rate. The recorded client sends a fixed 60/s over its pool (20 slots,
    // more when a stall of its event loop made more requests due than idle connections: 20–23
    // here), 2.75 requests per flow-second on s1; the twin's connections send every 333 ms (3.17
    // per sampled flow-second: a flow counts from its first request). Reported, not asserted: a
    // property of the two clients, not of HAProxy. It is offset by the twin's fewer flows on s1
    // at the drain (Poisson arrivals, M/G/∞: 9.1 on average, the recorded client's 20 fixed
    // slots 10.5), so the responses themselves agree: means per run ±10 %, medians both ways.
    rows.push({
      run,
      figure: 'requests per s1 flow-second after the drain (reported)',
      real: sum(reals.map((x) => x.summary.okFromS1AfterDrain)) / realArea,
      sim: sum(runs.map((x) => between(x, 'responses_2xx', 8, 45, 's1'))) / twinArea,
      kind: 'count',
    });
    compare(
      run,
      'responses from s1 after the drain (mean of 20 runs / 100 seeds)',
      sum(reals.map((x) => x.summary.okFromS1AfterDrain)) / reals.length,
      sum(runs.map((x) => between(x, 'responses_2xx', 8, 45, 's1'))) / runs.length,
      'count',
    );
    compareMedians(
      run,
      'responses from s1 after the drain',
      reals.map((x) => x.summary.okFromS1AfterDrain),
      runs.map((x) => between(x, 'responses_2xx', 8, 45, 's1')),
    );
    compareMedians(
      run,
      'drain → s1 empty (s)',
      reals.map((x) => x.summary.timeToEmptyS),
      runs.map((x) => emptyAfter(x, 8, 's1')),
    );
  });

  it("shutdown sessions server (tcp, ss sampled): no TIME_WAIT on the server or on the balancer's ports to it — HAProxy closed first, the server end was reset", () => {
    const data = JSON.parse(readFileSync('calibration/data/haproxy-sockets-shutdown-sessions-tcp.json', 'utf8')) as {
      sockets: Array<{ t: number; byRole: Record<string, Record<string, number>> }>;
    };
    const at = (t: number, role: string, state: string): number =>
      data.sockets.find((x) => x.t >= t)!.byRole[role]?.[state] ?? 0;
    const runs = simulateSeeds('haproxy-sockets-shutdown-sessions-tcp', 10);
    const r = runs[0];
    const run = 'sockets-shutdown-sessions-tcp';
    const gauge = (series: string, t: number): number => perSecond(r, series, 's1').find(([x]) => x >= t)![1];
    // The server's TIME_WAITs 1 s after the command, less those of 1 s before (its checks' churn).
    compare(
      run,
      "TIME_WAIT on s1's host from the shutdown",
      at(9, 'server:s1', 'TIME-WAIT') - at(7, 'server:s1', 'TIME-WAIT'),
      gauge('time_wait', 9) - gauge('time_wait', 7),
      'count',
    );
    compare(
      run,
      "the balancer's ports to s1 still busy",
      at(9, 'back:s1', 'TIME-WAIT') + at(9, 'back:s1', 'ESTAB'),
      gauge('lb_ports_busy', 9),
      'count',
    );
    // The request connections' arrivals are Poisson in the twin: the mean of 10 seeds.
    compare(
      run,
      's1 flows before the command (mean of 10 seeds)',
      at(7, 'server:s1', 'ESTAB'),
      runs.reduce((a, x) => a + perSecond(x, 'active_conn', 's1').find(([t]) => t >= 7)![1], 0) / runs.length,
      'count',
    );
  });

  for (const rec of restated<Recording & StampedRecording>('haproxy-hang-tcp'))
    it(`hung server in tcp mode (SIGSTOP): DOWN after ≈ 11.6 s (checks time out after inter, inter after they end), UP 2 checks after SIGCONT (${rec.label})`, () => {
      const run = `hang-tcp ${rec.label}`;
      const real = rec.data.summary as Recording['summary'] & {
        timeToDownLogS: number;
        timeToUpLogS: number;
        failedAt: number;
        firstErrorS: number;
        lastErrorS: number;
        downLogLine: { t: number; line: string };
      };
      const r = twinOf(rec, 1)[0];
      compare(run, 'stop → DOWN (s)', real.timeToDownLogS, downAfter(r, 5), 'time');
      compareCheckFailures(run, rec.file, 5, r);
      compare(run, 'cont → UP (s)', real.timeToUpLogS, upAfter(r, 27), 'time');
      compare(run, 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
      // tcp mode pins each client connection to its server: the 6 connections on s1 at the stop each
      // send one request that is never answered (the client's 8-s timeouts at 13.0–13.2 s, sent at
      // 5.02–5.17 s); the client then sends the request again on a new connection (retries 1, at
      // once), and the 3 of them roundrobin sent to s1 (UP 1/3 until 16.6 s) hung too: 8 s later,
      // at 21.1–21.3 s, their timeouts.
      const failed = (
        recording(rec.file) as unknown as {
          failedRequests: Array<{ sent: number; done: number; outcome: string }>;
        }
      ).failedRequests;
      const firstWave = failed.filter((x) => x.sent < 6).length;
      compare(
        run,
        's1 connections whose request hangs at the stop',
        firstWave,
        gaugeAt(r, 'active_conn', 's1', 6),
        'count',
      );
      compare(run, 'client timeouts', failed.length, r.figures['err_client_timeout.total'] ?? 0, 'count');
      compare(
        run,
        'client timeouts at 13–14 s (the requests hung at the stop)',
        firstWave,
        between(r, 'err_client_timeout', 12, 15),
        'count',
      );
      compare(
        run,
        'client timeouts at 21 s (their retries, sent to s1 again)',
        failed.length - firstWave,
        between(r, 'err_client_timeout', 20, 23),
        'count',
      );
      const closed = recordsOf(r, 'nginx.client_closed_request');
      compare(run, 'stop → first client timeout (s)', real.firstErrorS - real.failedAt, closed[0].t - 5, 'time');
      compare(
        run,
        'stop → last client timeout (s)',
        real.lastErrorS - real.failedAt,
        closed[closed.length - 1].t - 5,
        'time',
      );
      // The DOWN line's "9 sessions active" (srv_append_more(): cur_sess): the 3 retries hung on s1,
      // and the 6 timed-out connections, still held half-closed (the client's FIN is forwarded, the
      // stopped server never closes its side: the stream lives on until `timeout server`), which
      // drainsim's L4 proxy ends at the FIN.
      const sessions = Number(/(\d+) sessions active/.exec(real.downLogLine.line)![1]);
      const timedOutBeforeDown = failed.filter((x) => x.outcome === 'timeout' && x.done < real.downLogLine.t).length;
      compare(
        run,
        'DOWN: sessions active, less the connections timed out before it (half-closed)',
        sessions - timedOutBeforeDown,
        recordsOf(r, 'hc.down')[0].sessions,
        'count',
      );
    });

  it('prints the comparison table', () => {
    const table = rows
      .map((x) => `| ${x.run} | ${x.figure} | ${Math.round(x.real * 1000) / 1000} | ${Math.round(x.sim * 100) / 100} |`)
      .join('\n');
    expect(table.length).toBeGreaterThan(0);
    if (process.env.DRAINSIM_CALIBRATION_TABLE)
      process.stdout.write(`| run | figure | real | drainsim |\n|---|---|---|---|\n${table}\n`);
  });
});

describe("the check-phase runs re-recorded with HAProxy's start stated (session 18, NOTES.md item 37)", () => {
  const read = (f: string): StampedRecording => JSON.parse(readFileSync(`calibration/data/${f}`, 'utf8'));
  for (const name of CHECK_PHASE_RUNS as string[])
    it(`${name}: 3 re-recordings, each stating its start; the first checks at HAProxy's spread`, () => {
      const files = reRecordings(name);
      expect(files).toHaveLength(3);
      for (const f of files) {
        const d = read(f);
        const cfg = d.stamp.haproxyCfg ?? '';
        expect(cfg).toContain('option log-health-checks');
        // s1's first check (start + 0) logged before t0; HAProxy parsed its config for 30-60 ms
        // after the harness spawned it (round 6: 34-46 ms).
        const uptime = statedUptime(d);
        expect(uptime, f).toBeGreaterThan(0.1);
        expect(uptime, f).toBeLessThan(3);
        const parse = -(d.stamp.haproxySpawnedT ?? 0) - uptime;
        expect(parse, f).toBeGreaterThan(0.02);
        expect(parse, f).toBeLessThan(0.08);
        // s2's first check half a step later (start_check_task(), src/check.c): the step is
        // srv_getinter() at start, `fastinter` where one is set (gcpause 200 ms, flap 300 ms) —
        // not `inter`, the step drainsim's HealthChecker.start() spreads by (a model defect,
        // reported: sim/model/lb is not this change's).
        const step = firstCheckStepMs(cfg) / 1000;
        expect(Math.abs(firstCheckAt(d, 's2') - firstCheckAt(d, 's1') - step / 2), f).toBeLessThan(0.015);
      }
    });
});
