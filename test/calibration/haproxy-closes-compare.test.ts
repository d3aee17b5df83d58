/**
 * Who closes, who resets, who keeps the TIME_WAIT: drainsim against real HAProxy 2.6.12
 * (calibration/data/haproxy-closes-*-rt.json, recorded by calibration/haproxy/closes.mjs under
 * SCHED_FIFO 10; RSTs are the namespace's Tcp OutRsts, all HAProxy's, TIME_WAITs `ss -Htan` by
 * holder). Twins: calibration/scenarios/haproxy-closes-*.yaml, settings from each haproxy.cfg,
 * nothing fitted. The mode tcp twins' clients are paced as the recorder's slots (closes-worker.mjs
 * idle(): slot i at i × 1000/connections ms), so their counts are compared as they are, ±10 % (±2
 * near zero); the mode http twins' per close HAProxy makes (per request, per 503): the twin's
 * figure per close × the recorded closes against the recorded figure; times ±1 s.
 *
 * What is compared, and the source it checks (HAProxy v2.6.0):
 * - mode tcp, idle keep-alive connections: an idle stream arms only read timeouts, both restarted
 *   at the last exchange (sc_update_tx(), src/stconn.c; sc_notify()); the smaller fires
 *   (process_stream(), src/stream.c; timeout tunnel supersedes both). `timeout client` alone shuts
 *   the server side for writing only and waits for its FIN: no RST, HAProxy holds the TIME_WAIT
 *   on both sides. `timeout server`, both equal, `timeout tunnel`: the server socket is closed
 *   before the server's FIN came back, FD_LINGER_RISK (tcp_connect_server(), src/proto_tcp.c)
 *   makes it SO_LINGER 0 (_fd_delete_orphan(), src/fd.c): FIN then RST, no TIME_WAIT on the server
 *   side; the client side still gets HAProxy's FIN, so HAProxy holds that TIME_WAIT.
 * - mode http, a new client connection per request: each server connection is reset (the same
 *   FD_LINGER_RISK close), one RST per request (the `reset_in` of hc-cascade's open-loop
 *   clients): at once when the thread already has an idle one (srv_add_to_idle_list(),
 *   src/server.c; h1_detach(), src/mux_h1.c), else at the pool purge (pool-purge-delay 5 s).
 * - mode http, a WebSocket upgrade answered 503: an ordinary keep-alive response (no 101, so no
 *   tunnel: h1_set_srv_conn_mode(), src/mux_h1.c); the client closes first and holds the TIME_WAIT,
 *   the server connection is reset.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';

interface Closes {
  summary: {
    counters: { OutRsts: number; TCPAbortOnData: number };
    timeWait: { front: number; back: number; client: number; server: number };
    terminations: Record<string, number>;
    clientCloses: Record<string, number>;
    clientResponses: Record<string, number>;
    idleCloseAfterMs: { n: number; min: number; median: number; max: number } | null;
    backendAccepts: number;
    backendEnds: Record<string, number>;
  };
  perSecond: Array<{ t: number; outRsts: number; sockets?: Record<string, Record<string, number>> }>;
}

const recording = (name: string): Closes =>
  JSON.parse(readFileSync(`calibration/data/haproxy-closes-${name}-rt.json`, 'utf8')) as Closes;

function simulate(name: string): RunResult {
  const file = `calibration/scenarios/haproxy-closes-${name}.yaml`;
  return runScenario(namedScenario(loadScenario(file, ScenarioSchema)), { seed: 1, file });
}

function series(r: RunResult, name: string, entity = 'total'): number[] {
  const si = r.timeline.series.findIndex((s) => s.name === name);
  const ei = r.timeline.entities.indexOf(entity);
  const out: number[] = [];
  for (let i = 0; i < r.timeline.t.length; i++) if (r.timeline.entity[i] === ei) out.push(r.timeline.values[si][i]);
  return out;
}
const last = (r: RunResult, name: string, entity = 'total'): number => series(r, name, entity).at(-1)!;
const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** A count: within ±10 %, or ±2 when the recorded count is small. */
function closeTo(model: number, real: number): void {
  expect(Math.abs(model - real)).toBeLessThanOrEqual(Math.max(2, 0.1 * real));
}

interface TcpFigures {
  closes: number;
  afterS: number[];
  rsts: number;
  frontTw: number;
  backTw: number;
  vmTw: number;
}

/** The twin's figures: HAProxy's idle closes and what they left, read at the horizon (no client has closed yet). */
function tcpFigures(r: RunResult): TcpFigures {
  // Every close in the window is HAProxy's (the clients' own closes come after the horizon); the
  // lb.idle_timeout records (rate-limited in the trace) give the idle time before it.
  return {
    closes: fig(r, 'closed_fin.total'),
    afterS: recordsOf(r, 'lb.idle_timeout').map((c) => c.after),
    rsts: fig(r, 'reset_in.total'),
    frontTw: last(r, 'lb_time_wait'),
    // The balancer's ports towards s1 still held: TIME_WAITs plus the connections still open.
    backTw: last(r, 'lb_ports_busy', 's1') - last(r, 'active_conn', 's1'),
    vmTw: last(r, 'time_wait', 's1'),
  };
}

const TCP = ['c5-s10', 'c10-s5', 'c5-s5', 'tunnel5'] as const;

describe('mode tcp: idle keep-alive connections HAProxy closes (timeout client / server / tunnel)', () => {
  const twins = new Map<string, TcpFigures>();
  beforeAll(() => {
    for (const tag of TCP) twins.set(tag, tcpFigures(simulate(`tcp-${tag}`)));
  });

  for (const tag of TCP) {
    const real = recording(`tcp-${tag}`);
    const closes = real.summary.clientCloses.eof ?? 0;
    const clientTimeout = tag === 'c5-s10';

    it(`${tag}: HAProxy closes every idle connection after 5 s, the client reads a FIN`, () => {
      const m = twins.get(tag)!;
      expect(closes).toBe(100);
      expect(Object.keys(real.summary.clientCloses)).toEqual(['eof']);
      // 20 paced slots × 5 idle closes each in 24 s, as recorded (Poisson, seed 1, had 25 clients: 125).
      closeTo(m.closes, closes);
      expect(m.afterS.length).toBeGreaterThan(10);
      expect(Math.abs(real.summary.idleCloseAfterMs!.median / 1000 - 5)).toBeLessThanOrEqual(0.05);
      for (const after of m.afterS)
        expect(Math.abs(after - real.summary.idleCloseAfterMs!.median / 1000)).toBeLessThan(1);
      // HAProxy's log: cD (client timeout: c5-s10, c5-s5, and the tunnel timeout) or sD.
      expect(Object.keys(real.summary.terminations)).toEqual([tag === 'c10-s5' ? '- sD' : '- cD']);
    });

    it(`${tag}: RSTs to the backend per close (${clientTimeout ? 'none: timeout client alone half-closes' : 'one: FIN then RST, SO_LINGER 0'})`, () => {
      const m = twins.get(tag)!;
      expect(real.summary.counters.OutRsts).toBe(clientTimeout ? 0 : closes);
      expect(real.summary.counters.TCPAbortOnData).toBe(real.summary.counters.OutRsts);
      // The backend read HAProxy's FIN first in every case (its `end` before any reset).
      expect(real.summary.backendEnds).toEqual({ fin: closes });
      closeTo(m.rsts, real.summary.counters.OutRsts);
    });

    it(`${tag}: TIME_WAIT on HAProxy's client side for each close, on its server side ${clientTimeout ? 'too' : 'never'}, never on the backend`, () => {
      const m = twins.get(tag)!;
      const tw = real.summary.timeWait;
      closeTo(m.frontTw, tw.front);
      closeTo(m.backTw, tw.back);
      closeTo(m.vmTw, tw.server);
      expect(tw.client).toBe(0);
    });
  }
});

describe('mode http: a new client connection per request (hc-cascade clients)', () => {
  const real = recording('http-perreq');
  let r: RunResult;
  beforeAll(() => {
    r = simulate('http-perreq');
  });

  it('one RST to the backend per request, in the second of the request', () => {
    const requests = real.summary.clientResponses['200'];
    expect(requests).toBe(745);
    expect(real.summary.counters.OutRsts).toBe(requests);
    expect(real.summary.backendEnds).toEqual({ reset: requests });
    const twinRequests = fig(r, 'goodput.total');
    closeTo((fig(r, 'reset_in.total') / twinRequests) * requests, real.summary.counters.OutRsts);
    // Per second while the clients send (2–15 s): 50/s recorded and in the twin (paced, as the recorder).
    const realMean = real.perSecond.filter((p) => p.t >= 2 && p.t <= 15).reduce((a, p) => a + p.outRsts, 0) / 14;
    const twinMean =
      series(r, 'reset_in')
        .slice(1, 15)
        .reduce((a, b) => a + b, 0) / 14;
    expect(Math.abs(twinMean - realMean)).toBeLessThanOrEqual(0.1 * realMean);
    // After the last request: at most a handful (the twin purges its few idle pool connections).
    const realAfter = real.perSecond.filter((p) => p.t > 16).reduce((a, p) => a + p.outRsts, 0);
    const twinAfter = series(r, 'reset_in')
      .slice(16)
      .reduce((a, b) => a + b, 0);
    expect(realAfter).toBe(0);
    expect(twinAfter).toBeLessThanOrEqual(realAfter + 5);
    // The idle pool meanwhile: 2 recorded (one per thread), the twin's within ±2.
    const realPool = real.perSecond.filter((p) => p.t <= 15 && p.sockets).map((p) => p.sockets!['back:s1']?.ESTAB ?? 0);
    expect(realPool).toEqual([2, 2, 2]);
    for (const idle of series(r, 'lb_idle_conns', 's1').slice(4, 15)) expect(Math.abs(idle - 2)).toBeLessThanOrEqual(2);
  });

  it("the size of hc-cascade's reset_in: one RST per server connection HAProxy opened, as recorded", () => {
    // Recorded: 745 server connections (s1's accepts), none reused, 745 RSTs. hc-cascade's golden
    // (open-loop clients, a new connection per request, l7 http-reuse safe): reset_in 1,230,252 of
    // 1,364,539 connections opened, none reused — the rest are those nginx closed or still open (since
    // session 31 many more at the end, 137,337 source ports busy: connects HAProxy goes on with
    // for clients that gave up; 1,024,997 of 1,025,007 before).
    expect(real.summary.backendAccepts).toBe(real.summary.counters.OutRsts);
    const golden = JSON.parse(readFileSync('test/golden/hc-cascade.summary.json', 'utf8')) as {
      figures: Record<string, number>;
    };
    const g = (k: string): number => golden.figures[k];
    expect(g('lb_conns_reused.total')).toBe(0);
    const perConn = g('reset_in.total') / g('lb_conns_opened.total');
    expect(Math.abs(perConn - real.summary.counters.OutRsts / real.summary.backendAccepts)).toBeLessThanOrEqual(0.1);
  });

  it('the client closes first: no TIME_WAIT on HAProxy or the backend', () => {
    expect(real.summary.timeWait).toEqual({ front: 0, back: 0, client: 745, server: 0 });
    expect(last(r, 'lb_time_wait')).toBe(0);
    expect(last(r, 'time_wait', 's1')).toBe(0);
  });
});

describe('mode http: a WebSocket upgrade answered 503', () => {
  const real = recording('http-ws503');
  let r: RunResult;
  beforeAll(() => {
    r = simulate('http-ws503');
  });

  it('the client sends the first FIN on the client connection (HAProxy keeps it alive)', () => {
    const upgrades = real.summary.clientResponses['503'];
    expect(upgrades).toBe(74);
    // Every recorded client closed 1 s after the 503 with no FIN from HAProxy before.
    expect(real.summary.clientCloses).toEqual({ client: upgrades });
    expect(real.summary.timeWait.client).toBe(upgrades);
    expect(real.summary.timeWait.front).toBe(0);
    expect(fig(r, 'responses_5xx.total')).toBeGreaterThan(1000);
    expect(last(r, 'lb_time_wait')).toBe(0);
  });

  it('one RST to the backend per 503, none held in TIME_WAIT', () => {
    const upgrades = real.summary.clientResponses['503'];
    expect(real.summary.counters.OutRsts).toBe(upgrades);
    expect(real.summary.backendEnds).toEqual({ reset: upgrades });
    closeTo((fig(r, 'reset_in.total') / fig(r, 'responses_5xx.total')) * upgrades, real.summary.counters.OutRsts);
    expect(real.summary.timeWait.server + real.summary.timeWait.back).toBe(0);
    expect(last(r, 'time_wait', 's1')).toBe(0);
  });
});
