/**
 * `app.sigterm_keepalive: gunicorn-20` and `gunicorn-23`: gunicorn 20.x's and 21.0–23.x's gthread
 * worker after SIGTERM (workers/gthread.py ThreadWorker.run(), 20.1.0 lines 193-229): handle_exit()
 * (workers/base.py) only sets `alive = False`; the loop `while self.alive` ends at the poller's next
 * wake-up — `self.poller.select(1.0)` returning on an event (a connect, still accept()ed) or its
 * 1-s timeout —, then `for s in self.sockets: s.close()` closes the listener (connects refused from
 * there), `futures.wait(self.futures, timeout=self.cfg.graceful_timeout)` waits for the requests in
 * hand, and the process exits. The connect that wakes it: 20.x's accept() hands it to enqueue_req
 * (served); since 21.0 (benoitc/gunicorn 0ebb73aa, "gthread: only read sockets when they are
 * readable") accept() only registers it with the poller, which run() closes as it leaves the loop:
 * its socket closes with the request unread, an RST. The 24.0+ `gunicorn` value keeps the listener
 * to the exit (set_accept_enabled(False), b43dc6d3): the connects after the SIGTERM are parked and
 * reset at the exit.
 *
 * POST HOC, NOT BLIND: the regimes are held-out round 23's v20 run (Debian 12's gunicorn 20.1.0,
 * calibration/data/gunicorn-holdout23-gthread-sigterm-v20-rt.json) and round 24's v21/v22/v23 runs
 * (the mirror's tags, calibration/data/gunicorn-holdout24-gthread-sigterm-v2?-rt.json), whose
 * recordings were seen before these values were split. The rules come from the source above; no
 * constant is fitted (the 1-s bound is the source's select timeout). The figures are the rounds'
 * rows, within their tolerances.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import { runScenario } from '../../../sim/run-scenario.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import { namedScenario } from '../../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';
import { allowed } from '../../calibration/heldout-table.js';
import { GUNICORN23, type GunicornRec23, V20 } from '../../calibration/holdout23-figures.js';
import { GUNICORN24, V21, V22, V23 } from '../../calibration/holdout24-figures.js';
import { between, run } from '../helpers.js';

type Value = 'gunicorn' | 'gunicorn-20' | 'gunicorn-23';

/** A round's twin (`run`) with `sigterm_keepalive` swapped, seeds 1-5 (as the rounds' predictions). */
function twin(value: Value, runName = V20): RunResult[] {
  const file = `calibration/scenarios/${runName}.yaml`;
  const base = namedScenario(loadScenario(file, ScenarioSchema));
  const scenario = { ...base, app: { ...base.app, sigterm_keepalive: value } };
  return [1, 2, 3, 4, 5].map((seed) => runScenario(scenario, { seed, file }));
}

const recording = (runName = V20): GunicornRec23 =>
  JSON.parse(readFileSync(`calibration/data/${runName}-rt.json`, 'utf8')) as GunicornRec23;

/** Each of a round's rows of `runName` (hold23's v20 by default): [figure, real, sim, within tolerance]. */
function rows(runs: RunResult[], runName = V20): Array<[string, number | null, number | null, boolean]> {
  const d = recording(runName);
  const figures = runName === V20 ? GUNICORN23[V20] : GUNICORN24[runName];
  return figures.map((f) => {
    const real = f.real(d);
    const sim = f.sim(runs);
    const ok = real !== null && sim !== null && Math.abs(sim - real) <= allowed(f.tolerance, real);
    return [f.figure, real, sim, ok];
  });
}

describe('sigterm_keepalive: gunicorn-20 / gunicorn-23 (gthread 20.x / 21.0-23.x: the listener closes at the first wake-up after SIGTERM)', () => {
  it("gunicorn-20 meets every row of hold23's v20 recording (gunicorn 20.1.0; post hoc), where `gunicorn` (24.0+) misses three", () => {
    const v23 = rows(twin('gunicorn-20'));
    for (const [figure, real, sim, ok] of v23) expect(ok, `${figure}: real ${real}, gunicorn-20 ${sim}`).toBe(true);
    // The decided figures themselves: 18 refused while draining (the connect at 3.1 s woke the
    // worker and was served: 21 answers), no reset, the first refusal at the next connect, 3.2 s.
    const [refused, resets, first, , answers] = v23.map(([, , sim]) => sim as number);
    expect(refused).toBe(18);
    expect(resets).toBe(0);
    expect(first).toBeCloseTo(3.2125, 6);
    expect(answers).toBe(21);
    const v24 = rows(twin('gunicorn'));
    expect(v24.filter(([, , , ok]) => !ok).length).toBe(3);
  });

  it("gunicorn-23 meets every row of round 24's v21/v22/v23 recordings (post hoc), the waking connect reset as the loop ends; gunicorn-20 misses the last answer", () => {
    for (const runName of [V21, V22, V23]) {
      for (const [figure, real, sim, ok] of rows(twin('gunicorn-23', runName), runName))
        expect(ok, `${runName} ${figure}: real ${real}, gunicorn-23 ${sim}`).toBe(true);
      // The row round 24 recorded as its known gap: the last answer is the last request in hand
      // (≈ 5.0 s), not the waking connect of 3.1 s served at 5.1 s as 20.x does.
      const missed = rows(twin('gunicorn-20', runName), runName).filter(([, , , ok]) => !ok);
      expect(missed.map(([figure]) => figure)).toEqual([GUNICORN24[runName][5].figure]);
    }
  });

  it('gunicorn-23: the connect that wakes the worker is reset as the loop ends (an RST, no answer), not at the exit; gunicorn-20 serves it', () => {
    // 100-ms requests on new connections at 0, 2, 4, … s; SIGTERM at 3.5 s with none in hand. The
    // connect at 4.0 s wakes the worker: 21.0+ accept() it, register it with the poller and close
    // the poller as the loop ends — ECONNRESET at once (its request unread), nothing answered
    // after the SIGTERM; the connect at 6.0 s meets the closed listener.
    const r = sparse('gunicorn-23', {}, '100ms', '3.5s');
    expect(between(r, 'err_econnreset', 3.9, 4.1)).toBe(1);
    expect(between(r, 'err_econnreset', 4.1, 8)).toBe(0);
    expect(between(r, 'responses_2xx', 3.5, 8)).toBe(0);
    expect(between(r, 'err_econnrefused', 5.9, 6.1)).toBe(1);
    const v20 = sparse('gunicorn-20', {}, '100ms', '3.5s');
    expect(between(v20, 'err_econnreset', 0, 8)).toBe(0);
    expect(between(v20, 'responses_2xx', 4.0, 4.2)).toBe(1);
  });

  /** One bare app behind a NAT, one 2-s request per new connection every 2 s (0, 2, 4, 6 s); SIGTERM at 2.5 s. */
  const sparse = (value: string, http: Record<string, unknown> = {}, service = '2s', sigterm = '2.5s'): RunResult =>
    run(
      {
        warmup: '0s',
        horizon: '8s',
        sample_interval: '50ms',
        clients: {
          rtt: '1ms',
          http: {
            arrival_rate: 0.5,
            arrivals: 'paced',
            requests_per_connection: 'const(1)',
            think_time: 'const(0s)',
            retries: 0,
            ...http,
          },
        },
        app: {
          workers: 32,
          service_time: `const(${service})`,
          accept_model: 'worker_per_connection',
          keepalive_timeout: '2s',
          graceful_shutdown: true,
          sigterm_keepalive: value,
          shutdown_grace: '10s',
        },
        lb: { mode: 'nat' },
        backends: [{ name: 'vm-a', proxy: 'none' }],
        timeline: [{ at: sigterm, do: 'terminate', backend: 'vm-a', mode: 'graceful' }],
      } as never,
      1,
    );

  it('with no connect to wake it, the listener closes at the poll timeout (1 s after the SIGTERM): the next connect is refused, not accepted nor parked', () => {
    // Only the 1-s timeout wakes the worker (3.5 s): the connect at 4.0 s is refused. Were only a
    // connect to wake it, that one would be accepted and answered at 6.0 s; `gunicorn` (24.0+)
    // parks it in the kept listener and the exit (after the request of 2.0 s, done at 4.0 s) resets it.
    const r = sparse('gunicorn-20');
    expect(between(r, 'err_econnrefused', 3.9, 4.1)).toBe(1);
    expect(between(r, 'err_econnreset', 0, 8)).toBe(0);
    expect(between(r, 'responses_2xx', 2.5, 8)).toBe(1);
    const v24 = sparse('gunicorn');
    expect(between(v24, 'err_econnreset', 0, 8)).toBe(1);
  });

  it('a request on a kept-alive connection wakes it too: the listener closes then', () => {
    // A connection a second (0, 1, 2, … s), two 100-ms requests 300 ms apart; SIGTERM at 3.2 s.
    // The connection of 3.0 s, idle since 3.1 s, sends its second request at 3.4 s: read and
    // served (answered `Connection: close`), and the loop ends — the connect at 4.0 s is refused
    // (woken by the 1-s timeout only, at 4.2 s, that connect would wake it and be served).
    const http = { arrival_rate: 1, requests_per_connection: 'const(2)', think_time: 'const(300ms)' };
    const r = sparse('gunicorn-20', http, '100ms', '3.2s');
    expect(between(r, 'responses_2xx', 3.2, 3.6)).toBe(1);
    expect(between(r, 'err_econnrefused', 3.9, 4.1)).toBe(1);
    expect(between(r, 'responses_2xx', 3.9, 8)).toBe(0);
    // That request went on the kept-alive connection: gunicorn closes no idle connection at the
    // SIGTERM (its poller still holds it; app-process.ts closesIdleAtSigterm), so no new connection.
    expect(between(r, 'new_conn', 3.2, 3.6)).toBe(0);
  });

  it('idle at its SIGTERM, the worker still waits for its wake-up: a connect within the second is served, not refused', () => {
    // 100-ms requests at 0, 2, 4, … s, SIGTERM at 3.5 s with none in hand. The worker is in
    // `self.poller.select(1.0)`; the connect at 4.0 s wakes it, is accept()ed and answered (4.1 s),
    // and the listener closes: the connect at 6.0 s is refused. The 24.0+ exit once no connection
    // is left (gthreadExitsWhenIdle, nr_conns) is not this version's: it would have exited at once
    // and refused both.
    const r = sparse('gunicorn-20', {}, '100ms', '3.5s');
    expect(between(r, 'responses_2xx', 3.5, 8)).toBe(1);
    expect(between(r, 'err_econnrefused', 3.5, 8)).toBe(1);
    expect(between(r, 'err_econnrefused', 5.9, 6.1)).toBe(1);
    expect(between(r, 'err_econnreset', 0, 8)).toBe(0);
  });

  it("a VM's second SIGTERM (after a deploy restarted its app) waits for its wake-up as the first did", () => {
    // Each gunicorn process's worker starts in its loop (`while self.alive`): a deploy's restart
    // leaves nothing of the old worker's exit behind. One bare app behind a NAT, a 2-s request per
    // new connection every 0.5 s; the app is redeployed at 10 s (new version at 30 s), then
    // SIGTERMed at 50.25 s: the connect of 50.5 s wakes the worker and is served (52.5 s), the
    // next ones are refused — as without the earlier deploy. Carried over, the first exit's state
    // would close the listener at the SIGTERM: that connect refused too, and the worker, no
    // longer polled for its exit, left to the arbiter's kill.
    const vm = (timeline: unknown[]): RunResult =>
      run(
        {
          warmup: '0s',
          horizon: '70s',
          clients: {
            rtt: '1ms',
            http: {
              arrival_rate: 2,
              arrivals: 'paced',
              requests_per_connection: 'const(1)',
              think_time: 'const(0s)',
              retries: 0,
            },
          },
          app: {
            workers: 64,
            service_time: 'const(2s)',
            accept_model: 'worker_per_connection',
            keepalive_timeout: '2s',
            graceful_shutdown: true,
            sigterm_keepalive: 'gunicorn-20',
            shutdown_grace: '40s',
          },
          lb: { mode: 'nat' },
          backends: [{ name: 'vm-a', proxy: 'none' }],
          timeline,
        } as never,
        1,
      );
    const sigterm = { at: '50.25s', do: 'terminate', backend: 'vm-a', mode: 'graceful' };
    const once = vm([sigterm]);
    const twice = vm([
      { at: '10s', do: 'deploy', backend: 'vm-a', gate: { max_wait: '1s' }, rebind_after: '10s' },
      sigterm,
    ]);
    for (const r of [once, twice]) {
      expect(between(r, 'err_econnrefused', 50.25, 52)).toBe(2);
      expect(between(r, 'responses_2xx', 52, 70)).toBe(2);
      expect(between(r, 'err_econnreset', 50.25, 70)).toBe(0);
    }
  });
});
