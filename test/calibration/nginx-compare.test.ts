// drainsim's nginx model against the recordings of the real nginx 1.22.1 (calibration/data/nginx-*.json,
// calibration/nginx/NOTES.md): each calibration/scenarios/nginx-*.yaml restates one recorded
// experiment with the settings of its nginx.conf and nothing fitted. Counts must agree within
// ±10 %, times within ±1 s. Where the model cannot match honestly, the test says so and asserts
// the gap it has, so that a change in either shows up.
//
// Two recordings exist of the three experiments whose outcome hangs on timer punctuality
// (keepalive-race, upstream-keepalive-race, reload-keepalive): the first, taken at load average
// 15 with default scheduling, is distorted by load (client and nginx timers fired up to 30 ms late);
// the `-rt` one was taken with the harness, backend, nginx and client under SCHED_FIFO 10
// (`node calibration/nginx/run.mjs --rt 10`), whose achieved timer lateness is within ±1 ms. The
// comparisons at the tolerances are made against the `-rt` recordings; the loaded ones are
// kept and their distortion asserted.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { series, valueAt } from '../model/helpers.js';
import {
  calTwin,
  exitOf,
  expectPunctual,
  recordingFile as recordedFile,
  signalArrivals,
  withinSecond,
  withinTenPercent,
} from './nginx-twins.js';

function runCal(name: string, sets: string[] = []): RunResult {
  return calTwin(name, sets, 1);
}

/**
 * The keepalive race's groups `lt` and `gt`: their think time and the recorder's pacing
 * (calibration/nginx/experiments.mjs keepaliveRaceExperiment: staggerMs = round(thinkMs / conns),
 * client.mjs: connection c at c × staggerMs): `lt` 40 connections 38 ms apart, `gt` 20 110 ms
 * apart, the load stopped between the last and the one after.
 */
const LT = ['clients.http.think_time=const(1.5s)', `timeline[0].http_rate=${1000 / 38}`, 'timeline[1].at=1501ms'];
const GT = ['clients.http.think_time=const(2.2s)', `timeline[0].http_rate=${1000 / 110}`, 'timeline[1].at=2145ms'];

// biome-ignore lint/suspicious/noExplicitAny: a recorded data file, read as JSON.
function recorded(name: string): any {
  return recordedFile(name).summary;
}

/**
 * Tunnel B, opened at 4 s after the signal at 3 s (experiments.mjs signalExperiment, twin
 * clients.ws.scheduled): refused as recorded, the client seeing ECONNREFUSED then. Its connect is
 * the twin's only one at 4 s; returns when the twin saw it refused.
 */
// biome-ignore lint/suspicious/noExplicitAny: a recorded data file, read as JSON.
function expectTunnelBRefused(r: RunResult, real: any): number {
  expect(real.tunnels.B.opened).toBe(false);
  expect(real.tunnels.B.clientSaw).toBe('ECONNREFUSED');
  const atB = r.events.filter((l) => l.record.kind === 'lb.connect_failed' && Math.abs(l.t - 4) < 1e-9);
  expect(atB).toHaveLength(1);
  expect(atB[0].record).toMatchObject({ cause: 'refused', clientSees: 'ECONNREFUSED' });
  withinSecond(atB[0].t, real.tunnels.B.closedS);
  return atB[0].t;
}

describe('nginx calibration: drainsim vs the recorded nginx 1.22.1', () => {
  it('quit with a tunnel and worker_shutdown_timeout 5s: tunnel closed and nginx gone at QUIT + 5 s', () => {
    const real = recorded('nginx-quit-tunnel-wst5');
    const r = runCal(
      'nginx-quit-tunnel-wst5',
      signalArrivals('nginx-quit-tunnel-wst5', recordedFile('nginx-quit-tunnel-wst5')),
    );
    withinSecond(exitOf(r, 1), real.tunnels.A.closedS); // 8.03 vs 8.03 (the quit reached the master 28 ms after 3 s)
    withinSecond(exitOf(r, 1), real.masterExitedS); // 8.03 vs 8.20
    expect(r.figures['ws_close_1006.total']).toBe(1); // EOF without a Close frame
    expectTunnelBRefused(r, real); // 4.0 vs 4.000 (placed since fix19; left out before)
    expect(r.figures['err_econnrefused.total']).toBe(1);
  });

  it('quit with a tunnel, no worker_shutdown_timeout: the worker and master live until the client closes the tunnel', () => {
    const real = recorded('nginx-quit-tunnel');
    const r = runCal('nginx-quit-tunnel', signalArrivals('nginx-quit-tunnel', recordedFile('nginx-quit-tunnel')));
    withinSecond(exitOf(r, 1), real.masterExitedS); // 12.0 vs 12.07 (the tunnel placed at 0 s, session 19; 11.36 with the steady-start draw)
    expect(r.figures['ws_close_1006.total']).toBe(0);
    expectTunnelBRefused(r, real); // 4.0 vs 4.001 (placed since fix19; left out before)
    expect(r.figures['err_econnrefused.total']).toBe(1);
  });

  it('stop with a tunnel: the tunnel closed (EOF) and nginx gone at the signal, every later connect refused', () => {
    const real = recorded('nginx-stop-tunnel');
    const r = runCal('nginx-stop-tunnel', signalArrivals('nginx-stop-tunnel', recordedFile('nginx-stop-tunnel')));
    const stoppedAt = exitOf(r, 1);
    withinSecond(stoppedAt, real.tunnels.A.closedS); // 3.04 vs 3.03 (the stop reached the master 43 ms after 3 s)
    withinSecond(stoppedAt, real.masterExitedS); // 3.04 vs 3.04
    expect(real.tunnels.A.clientSaw).toBe('eof');
    expect(r.figures['ws_close_1006.total']).toBe(1); // EOF without a Close frame
    const refused = r.events.filter((l) => l.record.kind === 'lb.connect_failed');
    expect(refused.length).toBeGreaterThan(0);
    withinSecond(refused[0].t, real.probe.firstConnectFailureS); // ~3.0 vs 3.03 (3.31 with Poisson probes)
    expect(refused.every((l) => l.t >= stoppedAt)).toBe(true);
    // The recording's probe: 6 ok before, ECONNREFUSED only after, retried every 200 ms until 5 s;
    // drainsim's probe (its one connection, paced at 0 s, session 19) likewise: 6 ok, 10 refused;
    // and tunnel B's one connect at 4 s (placed since fix19), refused too: 11 in all.
    expect(Object.keys(real.probe.connectFailures)).toEqual(['ECONNREFUSED']);
    expect(r.figures['errors.total']).toBe(r.figures['err_econnrefused.total']);
    expect(r.figures['responses_2xx.total']).toBe(real.probe.requests.ok);
    expect(r.figures['err_econnrefused.total']).toBe(real.probe.connectFailures.ECONNREFUSED + 1);
    expectTunnelBRefused(r, real); // 4.0 vs 4.000 (the probe's retries at 3.043 + k × 0.2 s)
  });

  it('two reloads with a tunnel and worker_shutdown_timeout 5s: the tunnel closed at the first QUIT + 5 s, generation 1 gone then', () => {
    const real = recorded('nginx-reload-tunnel-wst5');
    const r = runCal(
      'nginx-reload-tunnel-wst5',
      signalArrivals('nginx-reload-tunnel-wst5', recordedFile('nginx-reload-tunnel-wst5')),
    );
    withinSecond(exitOf(r, 1), real.tunnels.A.closedS); // 8.14 vs 8.16 (8.10 with the reload at the recorder's zero)
    withinSecond(exitOf(r, 1), real.generations[0].goneS); // 8.14 vs 8.36
    // Tunnel B (opened at 4 s, clients.ws.scheduled) holds generation 2 until its own QUIT (the
    // second reload, 6.16 s: the signal reached the master 57 ms after the recorded 6 s) + 5 s, when
    // the shutdown timer closes it with EOF.
    withinSecond(exitOf(r, 2), real.tunnels.B.closedS); // 11.16 vs 11.16
    withinSecond(exitOf(r, 2), real.generations[1].goneS); // 11.16 vs 11.19
    expect(real.tunnels.B.clientSaw).toBe('eof');
    expect(r.figures['ws_close_1006.total']).toBe(2); // A and B: EOF without a Close frame
    expect(r.figures['ws_close_1000.total'] ?? 0).toBe(0);
  });

  it('two reloads with two tunnels, no worker_shutdown_timeout: each old generation lives until the client closes its tunnel', () => {
    const real = recorded('nginx-reload-tunnel');
    const r = runCal('nginx-reload-tunnel', signalArrivals('nginx-reload-tunnel', recordedFile('nginx-reload-tunnel')));
    withinSecond(exitOf(r, 1), real.generations[0].goneS); // 12.00 vs 12.07 (tunnel A)
    withinSecond(exitOf(r, 2), real.generations[1].goneS); // 15.00 vs 15.01 (tunnel B)
    // Two old generations side by side from the second reload's QUIT to A's end.
    expect(real.maxWorkersShuttingDown).toBe(2);
    expect(Math.max(...series(r, 'nginx_old_generations', 'nginx').map(([, v]) => v))).toBe(2);
    expect(r.figures['ws_close_1000.total']).toBe(2); // both closed by their client
  });

  it('reload under keepalive load: every idle connection closed at once, 0.1 s after the signal (real 0.19–0.22 s)', () => {
    const real = recorded('nginx-reload-keepalive');
    const r = runCal(
      'nginx-reload-keepalive',
      signalArrivals('nginx-reload-keepalive', recordedFile('nginx-reload-keepalive')),
    );
    const fin = valueAt(r, 'closed_fin', 9); // the second 8–9 s
    const openBefore = valueAt(r, 'active_conn', 8);
    expect(fin).toBe(openBefore); // all of them, as the recording's 200 of 200
    withinTenPercent(fin, real.idleClosedWithin1s); // 200 (paced as the recorder's, 10 ms apart) vs 200
    const quit = exitOf(r, 1);
    withinSecond(quit, real.oldWorkersQuitS); // 8.13 vs 8.19 (the signal reached the master 34 ms after 8 s)
    expect(r.figures['errors.total']).toBe(0);
    // The recording's busy connections are nginx-reload-keepalive-busy, below.
  });

  it('reload under keepalive load, the busy connections (loaded recording, distorted by load): every one closed at the QUIT, the old generation gone after its last request', () => {
    const data = JSON.parse(readFileSync('calibration/data/nginx-reload-keepalive.json', 'utf8'));
    const real = data.summary;
    const r = runCal('nginx-reload-keepalive-busy', signalArrivals('nginx-reload-keepalive-busy', data));
    const busy = r.figures['new_conn.total']! / 2; // each busy connection opened once before the reload and once after
    expect(valueAt(r, 'closed_fin', 9)).toBe(busy); // all of them, as the recording's 20 of 20
    expect(data.perSecond.find((p: { s: number }) => p.s === 9)['close.busy.busy.eof']).toBe(20);
    // In flight at the QUIT: answered (Connection: close), then closed; none kept alive, none cut.
    expect(real.inFlightOutcomes).toEqual({ 'ok+Connection:close': real.inFlightAtQuit });
    expect(real.keepAliveAnswersAfterQuit).toBe(0);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
    // Generation 1 exits with its last 300-ms request: 8.42 vs the last old worker gone by 8.51.
    withinSecond(exitOf(r, 1), real.generations[0].goneS);
    // The twin's QUIT: 100 ms after the signal reached the master (8 s + 33.7 ms, signalArrivals).
    expect(exitOf(r, 1) - (8 + data.actions[0].tookMs / 1000 + 0.1)).toBeLessThanOrEqual(0.3 + 1e-9);
    // Known gap: real nginx's 10 busy connections that were idle at the QUIT failed with EOF,
    // drainsim's none. Not nginx: their next requests were due 100 ms after their responses,
    // 13–17 ms BEFORE the QUIT (a punctual client has them in flight: ok + Connection: close),
    // but the loaded client's timers fired ~30 ms late (think 129–133 ms), so each request went
    // out 16 ms after the QUIT, on a connection whose FIN had arrived but was not yet read
    // (3 such failures in an earlier run). drainsim's clients are punctual: no failure.
    const quit = real.oldWorkersQuitS as number;
    const failed = data.clientEvents.filter(
      (e: { ev: string; g: string; out: string }) => e.ev === 'req' && e.g === 'busy' && e.out === 'eof',
    );
    expect(failed.length).toBe(real.busyOutcomes.eof);
    for (const e of failed) {
      const due = e.sentS - e.think / 1000 + 0.1; // the response's arrival + the configured 100-ms think
      expect(due).toBeLessThan(quit - 0.01);
      expect(e.think).toBeGreaterThan(125);
    }
    expect(r.figures['errors.total']).toBe(0);
  });

  it('tunnel idle timeout: proxy_read_timeout 5s closes the silent tunnel 5 s after it opened, with EOF', () => {
    const real = recorded('nginx-tunnel-timeout').tunnels;
    const r = runCal('nginx-tunnel-timeout');
    const close = r.events.find((l) => l.record.kind === 'nginx.tunnel_idle_timeout');
    expect(close).toBeDefined();
    withinSecond(close!.t, real.idle.closedS); // 5.00 vs 5.05 (the tunnel placed at 0 s; 5.06 spread over a 0.1-s ramp)
    expect(real.idle.clientSaw).toBe('eof');
    expect(r.figures['ws_close_1006.total']).toBe(1); // EOF without a Close frame
  });

  it('tunnel idle timeout: traffic every 1 s or 4 s (< 5 s) keeps the tunnel open until the client ends it at 14 s', () => {
    const real = recorded('nginx-tunnel-timeout').tunnels;
    for (const [group, ping] of [
      ['client-1s', '1s'],
      ['client-4s', '4s'],
    ] as const) {
      expect(real[group].clientSaw).toBe('client-closed');
      const r = runCal('nginx-tunnel-timeout', [`clients.ws.ping_interval=${ping}`]);
      expect(r.events.some((l) => l.record.kind === 'nginx.tunnel_idle_timeout')).toBe(false);
      expect(valueAt(r, 'ws_sessions', 13)).toBe(1); // still open at 13 s (real: until 14.00)
      expect([r.figures['ws_close_1000.total'], r.figures['ws_close_1006.total']]).toEqual([1, 0]);
    }
    // `server-1s` and `both-1s` (real: open too) are this case in drainsim, whose pings are answered.
    expect([real['server-1s'].clientSaw, real['both-1s'].clientSaw]).toEqual(['client-closed', 'client-closed']);
  });

  it('upstream keep-alive race: the share of requests that needed a new upstream connection, and GETs never fail', () => {
    const real = JSON.parse(readFileSync('calibration/data/nginx-upstream-keepalive-race.json', 'utf8')).summary;
    const get = runCal('nginx-upstream-keepalive-race');
    const post = runCal('nginx-upstream-keepalive-race', ['clients.http.method=POST']);
    // Node closes an idle connection 3 s after its response; thinks of 2.95–3.045 s straddle it, so
    // about half the cycles find the cached connection closed and open a new one.
    const realShare = real.backendConnections / (real.groups.get.requests + real.groups.post.requests); // 268 / 512
    for (const r of [get, post]) {
      withinTenPercent(r.figures['upstream_connects.total']! / r.figures['requests.total']!, realShare);
    }
    // A GET that crosses the app's FIN is retried on a new connection (peer.cached): 256 of 256 → 200.
    expect(real.groups.get.statuses).toEqual({ 200: real.groups.get.requests });
    expect(get.figures['responses_5xx.total'] ?? 0).toBe(0);
    expect(get.figures['responses_2xx.total']).toBe(get.figures['requests.total']);
  });

  it('upstream keep-alive race (loaded recording, distorted by load): POST 502s from client thinks 2985–3001 ms', () => {
    const real = recorded('nginx-upstream-keepalive-race').groups.post;
    const r = runCal('nginx-upstream-keepalive-race', ['clients.http.method=POST']);
    // Real nginx: 5 of 256 POSTs → 502 (2 %; 4 and 12 in earlier runs), one per race, and 4 GET
    // races retried. drainsim's race window is the nginx → app round trip (0.1 ms on loopback)
    // against a 95-ms spread of thinks: ~0.3 races expected per 256 cycles. The recorded races
    // (failed thinks 2985–3001 ms) came from timer lateness of milliseconds — node's socket timer
    // starts from the event loop's cached clock (libuv uv_now), nginx's from ngx_current_msec, and
    // both loops ran late at load 15 — which no constant from the source gives (README, Known
    // limitations).
    expect(real.statuses['502']).toBeGreaterThanOrEqual(4);
    expect(r.figures['responses_5xx.total'] ?? 0).toBeLessThanOrEqual(2);
  });

  it('keepalive race: think 1.5 s < keepalive_timeout 2 s: every request served on the same connection, none closed', () => {
    const real = recorded('nginx-keepalive-race').groups;
    const r = runCal('nginx-keepalive-race', LT);
    expect(real.lt.outcomes.ok).toBeGreaterThan(900);
    expect([real.lt.outcomes.closedFirst, real.lt.outcomes.eof ?? 0, real.lt.outcomes.ECONNRESET ?? 0]).toEqual([
      0, 0, 0,
    ]);
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['closed_fin.total']).toBe(0);
  });

  it('keepalive race: think 2.2 s > keepalive_timeout: every cycle finds the FIN first, no failure', () => {
    const real = recorded('nginx-keepalive-race').groups;
    const r = runCal('nginx-keepalive-race', GT);
    expect([real.gt.outcomes.ok ?? 0, real.gt.outcomes.eof ?? 0, real.gt.outcomes.ECONNRESET ?? 0]).toEqual([0, 0, 0]);
    expect(r.figures['errors.total']).toBe(0);
    // Each cycle is a close by nginx and a new connection.
    expect(r.figures['closed_fin.total']!).toBeGreaterThan(0.9 * r.figures['requests.total']!);
  });

  it('keepalive race (loaded recording, distorted by load): think == keepalive_timeout', () => {
    const eq = recorded('nginx-keepalive-race').groups.eq;
    const real = eq.outcomes;
    const r = runCal('nginx-keepalive-race');
    const cycles = eq.thinkCycles as number;
    const realFailed = (real.eof ?? 0) + (real.ECONNRESET ?? 0);
    // Real nginx: 26 % ok, 72 % FIN first, 1.2 % failed. Which of the client's timer and nginx's
    // keepalive timer fires first is decided by their lateness under load, milliseconds either way:
    // the client's achieved think was 1,999.4–2,005.6 ms (p5–p95), and requests sent 2,031 ms after
    // the response were still served (nginx's 2-s timer ≥ 31 ms late). The one deterministic part
    // the source gives — the timer keyed on ngx_current_msec, truncated to ms at the last
    // epoll_wait return (ngx_event_timer.h ngx_event_add_timer) — moves nginx's close up to 1 ms
    // earlier, so the FIN would win even more surely. drainsim's timers are exact: at think ==
    // keepalive_timeout the FIN always wins and the race window is the 0.1 ms loopback round trip,
    // so it counts no failure and no ok. Modelling the lateness would be a jitter fitted to this
    // recording, which the calibration rules forbid (README, Known limitations).
    expect(realFailed / cycles).toBeGreaterThan(0.005);
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['closed_fin.total']!).toBeGreaterThan(0.9 * cycles);
  });
});

describe('nginx calibration: drainsim vs nginx 1.22.1 with punctual timers (SCHED_FIFO recordings)', () => {
  it('reload under keepalive load: no busy request fails, in-flight ones get Connection: close, as in drainsim', () => {
    const data = recordedFile('nginx-reload-keepalive-rt');
    expectPunctual(data);
    const real = data.summary;
    // The busy client's think timer fired within a few ms (loaded recording: 29–33 ms late).
    expect(real.busyThinkLateMs.p95).toBeLessThanOrEqual(2);
    expect(recorded('nginx-reload-keepalive').busyThinkLateMs.max).toBeGreaterThan(25);
    // Punctual: nothing fails (the loaded recording's 10 EOFs were the client's lateness).
    expect(real.busyFailures).toEqual([]);
    expect(Object.keys(real.busyOutcomes).sort()).toEqual(['ok', 'ok+Connection:close']);
    expect(real.inFlightOutcomes).toEqual({ 'ok+Connection:close': real.inFlightAtQuit });
    expect(real.keepAliveAnswersAfterQuit).toBe(0);
    const idle = runCal('nginx-reload-keepalive', signalArrivals('nginx-reload-keepalive', data));
    withinTenPercent(valueAt(idle, 'closed_fin', 9), real.idleClosedWithin1s); // 200 vs 200 (paced as the recorder's)
    withinSecond(exitOf(idle, 1), real.oldWorkersQuitS); // 8.11 vs 8.11 (8.10 with the reload at the recorder's zero)
    const r = runCal('nginx-reload-keepalive-busy', signalArrivals('nginx-reload-keepalive-busy', data));
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
    // Every busy connection closed at the QUIT: real 14 after their Connection: close answer + 6 idle.
    const s9 = data.perSecond.find((p: { s: number }) => p.s === 9);
    expect(s9['close.busy.busy.eof'] + s9['close.busy.idle.eof']).toBe(20);
    expect(valueAt(r, 'closed_fin', 9)).toBe(r.figures['new_conn.total']! / 2);
    // The old generation exits with its last 300-ms request: 8.40 vs the last old worker gone by 8.45.
    const oldGone = Math.max(
      ...real.generations
        .filter((g: { shuttingDownFromS: number | null }) => g.shuttingDownFromS !== null)
        .map((g: { goneS: number }) => g.goneS),
    );
    withinSecond(exitOf(r, 1), oldGone);
  });

  it('keepalive race: 1.5 s and 2.2 s thinks as in drainsim (all ok / all FIN first); nginx closes on time', () => {
    const data = recordedFile('nginx-keepalive-race-rt');
    expectPunctual(data);
    const real = data.summary.groups;
    expect(real.lt.clientTimerLateMs.p95).toBeLessThanOrEqual(2);
    expect(real.gt.nginxFinLateMs.p95).toBeLessThanOrEqual(2); // response → FIN − 2 s, ms
    expect(real.lt.shares.ok).toBe(1);
    expect(real.gt.shares.closedFirst).toBe(1);
    const lt = runCal('nginx-keepalive-race', LT);
    expect([lt.figures['errors.total'], lt.figures['closed_fin.total']]).toEqual([0, 0]);
    const gt = runCal('nginx-keepalive-race', GT);
    expect(gt.figures['errors.total']).toBe(0);
    expect(gt.figures['closed_fin.total']!).toBeGreaterThan(0.9 * gt.figures['requests.total']!);
  });

  it('keepalive race: think == keepalive_timeout with punctual timers — a real model gap (ms-granular timers tie)', () => {
    const data = recordedFile('nginx-keepalive-race-rt');
    const eq = data.summary.groups.eq;
    // Punctual (client think 2000 ± 0.8 ms, nginx FIN at 2 s ± 1 ms) and still a three-way
    // split, with MORE failures than under load: 19.6 % ok, 69.7 % FIN first, 10.7 % failed
    // (69 EOF, 9 ECONNRESET). Both timers are whole milliseconds — nginx keys its timer on
    // ngx_current_msec (src/core/ngx_times.c, ms at the last epoll_wait return;
    // src/event/ngx_event_timer.h ngx_event_add_timer), node on libuv's loop->time (uv_now, ms,
    // updated once per loop iteration: deps/uv/src/unix/internal.h uv__update_time,
    // "We only need millisecond precision") — so at equal
    // timeouts both fire in the same millisecond, and which of the FIN and the request crosses the
    // other is decided by sub-millisecond processing order, not by any constant the sources give.
    // drainsim's timers are exact: the FIN always wins at the tie (window = 0.1 ms RTT), 0 failed.
    for (const run of ['nginx-keepalive-race-rt', 'nginx-keepalive-race-rt-run2']) {
      const e = recordedFile(run);
      expectPunctual(e);
      const g = e.summary.groups.eq;
      expect(g.clientTimerLateMs.p95).toBeLessThanOrEqual(1);
      expect(Math.max(-g.nginxFinLateMs.p5, g.nginxFinLateMs.p95)).toBeLessThanOrEqual(1);
      const failed = (g.outcomes.eof ?? 0) + (g.outcomes.ECONNRESET ?? 0);
      expect(failed / g.thinkCycles).toBeGreaterThan(0.05); // 10.7 %, 12.0 %
      expect(g.failedThinkMs.every((t: number) => Math.abs(t - 2000) <= 1)).toBe(true);
    }
    const r = runCal('nginx-keepalive-race');
    expect(r.figures['errors.total']).toBe(0);
    expect(r.figures['closed_fin.total']!).toBeGreaterThan(0.9 * eq.thinkCycles);
  });

  it('upstream keep-alive race: new-connection share and GETs as in drainsim; off the exact tie no POST fails', () => {
    const data = recordedFile('nginx-upstream-keepalive-race-rt');
    expectPunctual(data);
    const real = data.summary;
    expect(real.clientTimerLateMs.p95).toBeLessThanOrEqual(2);
    expect(real.backendIdleCloseLateMs.p95).toBeLessThanOrEqual(2); // node's 3-s idle close
    const get = runCal('nginx-upstream-keepalive-race');
    const post = runCal('nginx-upstream-keepalive-race', ['clients.http.method=POST']);
    const realShare = real.backendConnections / (real.groups.get.requests + real.groups.post.requests); // 266 / 514
    for (const r of [get, post]) {
      withinTenPercent(r.figures['upstream_connects.total']! / r.figures['requests.total']!, realShare);
    }
    expect(real.groups.get.statuses).toEqual({ 200: real.groups.get.requests });
    expect(get.figures['responses_5xx.total'] ?? 0).toBe(0);
    // Every POST 502 came from the one connection whose think is exactly node's 3,000 ms (c = 10 of
    // 2950 + 5 ms × c): 3 of its 14 requests. Thinks 5 ms either side never raced (the loaded
    // recording's 502s at 2985–2991 ms were lateness). drainsim's thinks are uniform(2.95 s, 3.05 s)
    // with a 0.1-ms window: ≤ 1 502 over ≈ 250–320 requests. The exact tie is the same gap as the
    // client race above (ms-granular timers in node and nginx), not reproduced.
    for (const run of ['nginx-upstream-keepalive-race-rt', 'nginx-upstream-keepalive-race-rt-run2']) {
      const d = recordedFile(run);
      expectPunctual(d);
      const post502 = d.clientEvents.filter(
        (e: { ev: string; g: string; status: number }) => e.ev === 'req' && e.g === 'post' && e.status === 502,
      );
      expect(post502.length).toBe(d.summary.groups.post.statuses['502'] ?? 0); // 3, 1
      expect(post502.length).toBeGreaterThan(0);
      expect(post502.filter((e: { c: number }) => 2950 + 5 * e.c !== 3000)).toEqual([]);
    }
    expect(post.figures['responses_5xx.total'] ?? 0).toBeLessThanOrEqual(2); // ±2 near zero
  });
});
