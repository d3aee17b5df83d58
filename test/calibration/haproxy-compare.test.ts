/**
 * drainsim against the recorded HAProxy 2.6 runs (calibration/data/haproxy-*.json; how they were
 * made: calibration/README.md "HAProxy"). Each calibration/scenarios/haproxy-*.yaml sets only what
 * the recording's haproxy.cfg and client set (rates, check options, retries, actions); nothing is
 * fitted. Counts must agree within ±10 % (or ±2 for counts near zero), times within ±1 s. Cases
 * the model cannot match honestly are listed in KNOWN_GAPS with the reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';

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
 * Known gaps (not asserted; reported): what the model does not reproduce and why.
 * - tcp-mode runs other than kill-restart-tcp* (drain-tcp*, shutdown-sessions-*, hang-tcp, hang-onmarkeddown-tcp):
 *   their clients are 12–20 fixed keep-alive connections with seeded exponential lifetimes and
 *   never-ending streams; drainsim's connection populations arrive as a Poisson process, so the
 *   few errors on *new* connections and the time to empty a tcp drain depend on a client
 *   population it cannot reproduce. Their rules (FIN on shutdown sessions, FIN at DOWN with
 *   on-marked-down, no new stream after drain) are unit-tested in test/model/lb/runtime-commands.test.ts;
 *   the client-side EOF of a tcp-mode give-up (default_srv_error()) in test/model/lb/redispatch.test.ts.
 * - haproxy-queue-http (maxconn + timeout queue): per-server maxconn is not modelled.
 * - haproxy-source-http: the recorded clients come from 127.0.0.1, which hashes to s2; drainsim's
 *   anonymous requests come from address 0, which hashes to s1: compared is that one server
 *   takes every request in each phase, not which one.
 * - kill-restart-http-keepalive (the keep-alive twin of kill-restart-http): its 503 count is not
 *   compared — a drainsim keep-alive client leaves after a request that failed all its retries
 *   (retries: 0 here, as the recorded client), while the recorded generator keeps sending at 60/s.
 *   Its timing (first 503 after the retries, DOWN, UP) and the absence of resets are.
 * - The one EOF of the http kill runs (a keep-alive request in flight at the kill, closed
 *   silently, http_wait_for_response()) is not an outcome of drainsim's open-loop requests.
 */
describe('drainsim vs recorded HAProxy 2.6.12 runs', () => {
  it('kill -9 in http mode without redispatch: 503 after 3 retries 1 s apart, half the load until DOWN', () => {
    const real = recording('haproxy-kill-restart-http').summary;
    const r = simulate('haproxy-kill-restart-http');
    compare('kill-restart-http', '503 responses', real.outcomes.http503, r.figures['req_5xx.total'] ?? 0, 'count');
    compare(
      'kill-restart-http',
      'first 503 after kill (s)',
      (real.errorLatencyS as { median: number }).median,
      firstAfter(r, 'req_5xx', 5),
      'time',
    );
    compare('kill-restart-http', 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compare('kill-restart-http', 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 25), 'time');
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
    const r = simulate('haproxy-kill-restart-http-redispatch');
    const realErrors = Object.entries(real.outcomes).reduce((a, [k, v]) => a + (k === 'ok' ? 0 : v), 0);
    compare('kill-restart-http-redispatch', 'errors', realErrors, r.figures['errors.total'] ?? 0, 'count');
    compare('kill-restart-http-redispatch', 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compare('kill-restart-http-redispatch', 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 25), 'time');
  });

  it('fastinter 500ms downinter 1s: DOWN and UP on the faster schedules', () => {
    const real = recording('haproxy-kill-fastinter-http').summary;
    const r = simulate('haproxy-kill-fastinter-http');
    compare('kill-fastinter-http', 'kill → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compare('kill-fastinter-http', 'restart → UP (s)', real.timeToUpLogS as number, upAfter(r, 15), 'time');
    compare('kill-fastinter-http', '503 responses', real.outcomes.http503, r.figures['req_5xx.total'] ?? 0, 'count');
  });

  it('hung server (SIGSTOP): checks time out after inter and come inter after they end, DOWN after ≈ 11.6 s', () => {
    const real = recording('haproxy-hang-http').summary;
    const r = simulate('haproxy-hang-http');
    compare('hang-http', 'stop → DOWN (s)', real.timeToDownLogS as number, downAfter(r, 5), 'time');
    compare('hang-http', 'cont → UP (s)', real.timeToUpLogS as number, upAfter(r, 27), 'time');
    compare('hang-http', 'client timeouts (8 s)', real.outcomes.timeout, r.figures['req_timeouts.total'] ?? 0, 'count');
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

  it('shutdown sessions server (tcp): every s1 stream ends at once with a FIN, s2 untouched', () => {
    const real = recording('haproxy-shutdown-sessions-tcp').summary as unknown as { streamEndDelayS: { max: number } };
    const r = simulate('haproxy-shutdown-sessions-tcp');
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    compare('shutdown-sessions-tcp', 'command → last s1 stream end (s)', real.streamEndDelayS.max, shut.t - 8, 'time');
    compare(
      'shutdown-sessions-tcp',
      's1 flows left 1 s later',
      0,
      perSecond(r, 'active_conn', 's1').find(([t]) => t >= 9)![1],
      'count',
    );
    compare('shutdown-sessions-tcp', 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
  });

  it('on-marked-down shutdown-sessions (tcp, hung s1): DOWN after ≈ 11.2 s, its streams end with FIN at that instant', () => {
    const real = recording('haproxy-hang-onmarkeddown-tcp').summary as unknown as {
      timeToDownLogS: number;
      streamEndDelayAfterDownS: { max: number };
    };
    const r = simulate('haproxy-hang-onmarkeddown-tcp');
    compare('hang-onmarkeddown-tcp', 'stop → DOWN (s)', real.timeToDownLogS, downAfter(r, 3), 'time');
    const down = recordsOf(r, 'hc.down')[0];
    const shut = recordsOf(r, 'lb.shutdown_sessions')[0];
    compare(
      'hang-onmarkeddown-tcp',
      'DOWN → s1 streams end (s)',
      real.streamEndDelayAfterDownS.max,
      shut.t - down.t,
      'time',
    );
    compare('hang-onmarkeddown-tcp', 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
  });

  it('kill -9 in tcp mode without redispatch: new connections to s1 are accepted, retried 3 times, then closed (EOF after ≈ 3 s)', () => {
    const real = recording('haproxy-kill-restart-tcp').summary as Recording['summary'] & {
      errorLatencyS: { median: number };
      timeToDownLogS: number;
      timeToUpLogS: number;
    };
    const r = simulate('haproxy-kill-restart-tcp');
    // The client-side EOFs of HAProxy's give-ups (default_srv_error()), all after the 3 turn-around pauses.
    compare('kill-restart-tcp', 'EOF after give-up', real.outcomes.EOF, between(r, 'err_econnreset', 6, 36), 'count');
    compare('kill-restart-tcp', 'RSTs to clients', 0, r.figures['reset_out.total'] ?? 0, 'count');
    const firstGiveUp = recordsOf(r, 'lb.connect_failed')[0];
    expect(firstGiveUp.clientSees).toBe('EOF');
    compare('kill-restart-tcp', 'kill → first EOF (s)', real.errorLatencyS.median, firstGiveUp.t - 5, 'time');
    compare('kill-restart-tcp', 'kill → DOWN (s)', real.timeToDownLogS, downAfter(r, 5), 'time');
    compare('kill-restart-tcp', 'restart → UP (s)', real.timeToUpLogS, upAfter(r, 25), 'time');
  });

  it('kill -9 in tcp mode with redispatch: no give-up, the errors are requests written at the kill instant', () => {
    const real = recording('haproxy-kill-restart-tcp-redispatch').summary as Recording['summary'] & {
      timeToDownLogS: number;
    };
    const r = simulate('haproxy-kill-restart-tcp-redispatch');
    compare('kill-restart-tcp-redispatch', 'errors', real.outcomes.EOF ?? 0, r.figures['errors.total'] ?? 0, 'count');
    compare('kill-restart-tcp-redispatch', 'give-ups', 0, recordsOf(r, 'lb.connect_failed').length, 'count');
    compare('kill-restart-tcp-redispatch', 'kill → DOWN (s)', real.timeToDownLogS, downAfter(r, 5), 'time');
  });

  it('prints the comparison table', () => {
    const table = rows
      .map((x) => `| ${x.run} | ${x.figure} | ${x.real} | ${Math.round(x.sim * 100) / 100} |`)
      .join('\n');
    expect(table.length).toBeGreaterThan(0);
    if (process.env.DRAINSIM_CALIBRATION_TABLE)
      process.stdout.write(`| run | figure | real | drainsim |\n|---|---|---|---|\n${table}\n`);
  });
});
