/**
 * A connection reset while it waits in a gunicorn sync worker's accept queue — the app's side of
 * `option abortonclose` (lb.abortonclose: HAProxy resets an established server connection at its
 * client's close) — against Debian's real gunicorn 20.1.0 on Linux:
 * calibration/data/gunicorn-reset-queue-sync-rt.json (recorder calibration/gunicorn/reset-queue.mjs:
 * one sync worker, every request 0.5 s; connections at 0, 0.1 and 0.2 s each reset with SO_LINGER 0
 * 0.25 s after their connect — the first while the worker serves it, the other two in the accept
 * queue —, a fourth at 0.3 s waiting for its answer) and its twin
 * calibration/scenarios/gunicorn-reset-queue-sync.yaml (HAProxy l7 with abortonclose in front: the
 * same RSTs at the app; times +0.1 s).
 *
 * The rules (the recorder's header has the source): the reset child stays in the accept queue,
 * counted by the listener (sk_ack_backlog) though unhashed (tcp_reset() → tcp_done(), no unlink);
 * accept() returns it with its peer address (inet_accept() admits TCP_CLOSE; accept's getname is
 * peer == 2); recv() reads the request whole before the error (tcp_recvmsg_locked()); the app runs
 * its whole service time; the first send() gets ECONNRESET (tcp_sendmsg_locked() →
 * sk_stream_wait_connect() → sock_error()), which gunicorn's sync worker ignores (workers/sync.py
 * handle(): "Ignoring connection reset", no access-log line). Tolerances: 50 ms on the loaded
 * 2-core machine (one sync worker, a Python sleep; the recording is under SCHED_FIFO).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { between, valueAt } from '../model/helpers.js';

const NAME = 'gunicorn-reset-queue-sync';
const file = `calibration/scenarios/${NAME}.yaml`;
/** The twin's clock is the recording's plus this (paced requests: the first 1/rate after the load starts). */
const SHIFT = 0.1;
const SERVICE = 0.5;
const TOL = 0.05;

interface AppEvent {
  ev: 'start' | 'write';
  path: string;
  s: number;
  remote_port?: number;
  tcpi_state?: number;
  getpeername?: number | string;
  errno?: string | null;
}
interface Rec {
  stamp: { gunicornVersion: string; kernel: string; argv: string[] };
  conns: Array<{
    k: number;
    path: string;
    connectS: number;
    localPort: number;
    resetS: number | null;
    outcome: string;
    status: number | null;
    endS: number;
  }>;
  app: AppEvent[];
  syscalls: Array<{ s: number; pid: number; call: string; args: string; ret: string }> | null;
  ss: Array<{ s: number; acceptQueue: number | null; states: Record<string, number> }>;
  gunicornLog: string[];
}
const real = JSON.parse(readFileSync(`calibration/data/${NAME}-rt.json`, 'utf8')) as Rec;
const [a, b, c, d] = real.conns;
const event = (ev: AppEvent['ev'], path: string): AppEvent => {
  const e = real.app.find((x) => x.ev === ev && x.path === path);
  if (e === undefined) throw new Error(`no ${ev} of ${path} in the recording`);
  return e;
};
/** The listener's Recv-Q (accept queue) in the recording's ss sample nearest after t. */
const acceptQueueAt = (t: number): number | null => real.ss.find((x) => x.s >= t)?.acceptQueue ?? null;

function twin(set: Record<string, unknown> = {}): RunResult {
  const base = namedScenario(loadScenario(file, ScenarioSchema));
  return runScenario({ ...base, lb: { ...base.lb, ...set } } as typeof base, { seed: 1, file });
}

describe("a connection reset in gunicorn's accept queue is still accepted, read and served (Debian's 20.1.0)", () => {
  it('the recording: three connections reset (no answer), the fourth answered 200', () => {
    expect(real.stamp.gunicornVersion).toBe('20.1.0');
    expect([a, b, c].map((x) => x.outcome)).toEqual(['reset', 'reset', 'reset']);
    expect([a, b, c].map((x) => x.resetS! - x.connectS)).toEqual([
      expect.closeTo(0.25, 1),
      expect.closeTo(0.25, 1),
      expect.closeTo(0.25, 1),
    ]);
    expect([d.outcome, d.status]).toEqual(['ok', 200]);
  });

  it('accept() returns each reset child with its peer address, and its request is read whole', () => {
    for (const x of [b, c]) {
      const start = event('start', x.path);
      // Read after its reset, from a socket already closed (TCP_INFO state 7, TCP_CLOSE; getpeername ENOTCONN).
      expect(start.s).toBeGreaterThan(x.resetS!);
      expect(start.remote_port).toBe(x.localPort);
      expect(start.tcpi_state).toBe(7);
      expect(start.getpeername).toBe('ENOTCONN');
    }
    // The fourth, never reset: ESTABLISHED, its peer readable.
    expect(event('start', d.path).tcpi_state).toBe(1);
    expect(event('start', d.path).getpeername).toBe(d.localPort);
    // strace: accept4() returned each connection with its port; recvfrom() the whole request.
    const calls = real.syscalls!;
    for (const x of [a, b, c, d]) {
      const accepted = calls.find((s) => s.call === 'accept4' && s.args.includes(`sin_port=htons(${x.localPort})`));
      expect(accepted?.ret).toMatch(/^\d+$/);
      const fd = accepted!.ret;
      const read = calls.find((s) => s.call === 'recvfrom' && s.args.startsWith(`${fd}, "GET ${x.path} HTTP/1.1`));
      expect(Number(read?.ret)).toBeGreaterThan(40);
    }
  });

  it('the app runs each for its whole 0.5 s, in accept-queue order; its write gets ECONNRESET, which gunicorn ignores', () => {
    const starts = [a, b, c, d].map((x) => event('start', x.path).s);
    expect(starts[0]).toBeCloseTo(a.connectS, 1);
    for (let k = 1; k < 4; k++) expect(Math.abs(starts[k] - starts[k - 1] - SERVICE)).toBeLessThan(TOL);
    expect([a, b, c, d].map((x) => event('write', x.path).errno)).toEqual([
      'ECONNRESET',
      'ECONNRESET',
      'ECONNRESET',
      null,
    ]);
    expect(Math.abs(d.endS - starts[3] - SERVICE)).toBeLessThan(TOL);
    expect(real.gunicornLog.filter((l) => l.includes('Ignoring connection reset'))).toHaveLength(3);
    // No access-log line for a request whose write failed (log.access() comes after the write).
    expect(real.gunicornLog.filter((l) => / "GET \/k\d HTTP\/1\.1" /.test(l))).toEqual([
      expect.stringContaining(`"GET ${d.path} HTTP/1.1" 200`),
    ]);
    const sends = real.syscalls!.filter((s) => s.call === 'sendto').map((s) => s.ret);
    expect(sends.filter((r) => r.startsWith('-1 ECONNRESET'))).toHaveLength(3);
  });

  it('a reset child still counts in the listener’s accept queue (Recv-Q) though ss no longer lists it', () => {
    // 0.47 s: b and c reset, d in: 3 waiting; one ESTAB server socket listed (d's; a's is closed).
    const t = c.resetS! + 0.02;
    expect(acceptQueueAt(t)).toBe(3);
    const row = real.ss.find((x) => x.s >= t)!;
    expect(row.states.ESTAB ?? 0).toBe(1);
    expect(acceptQueueAt(0.75)).toBe(2);
    expect(acceptQueueAt(1.25)).toBe(1);
    expect(acceptQueueAt(1.75)).toBe(0);
  });

  describe('the twin (HAProxy l7, abortonclose)', () => {
    let model: RunResult;
    beforeAll(() => {
      model = twin();
    });

    it('resets the three server connections at their clients’ close', () => {
      for (const x of [a, b, c])
        expect(between(model, 'reset_in', x.resetS! + SHIFT - TOL, x.resetS! + SHIFT + TOL)).toBe(1);
      expect(between(model, 'reset_in', 0, 3)).toBe(3);
    });

    it('serves each reset one for nobody, its whole service time, in order, as the recording’s failed writes', () => {
      for (const x of [a, b, c]) {
        const w = event('write', x.path).s + SHIFT;
        expect(between(model, 'wasted', w - TOL, w + TOL)).toBe(1);
      }
      expect(between(model, 'wasted', 0, 3)).toBe(3);
      // The fourth is answered after all three: at the recording's time.
      expect(between(model, 'responses_2xx', d.endS + SHIFT - TOL, d.endS + SHIFT + TOL)).toBe(1);
    });

    it('keeps the reset ones in the app’s queue until the worker takes them, as the listener’s Recv-Q', () => {
      for (const t of [c.resetS! + 0.02, 0.75, 1.25, 1.75])
        expect(valueAt(model, 'app_queue', t + SHIFT)).toBe(acceptQueueAt(t));
    });

    it('leaves no TIME_WAIT on the app’s side for a reset connection (the first is the fourth’s, closed by gunicorn)', () => {
      // The recording: no server-side TIME-WAIT until gunicorn closes the fourth after its answer.
      expect(real.ss.filter((x) => x.s < d.endS && (x.states['TIME-WAIT'] ?? 0) > 0)).toEqual([]);
      expect(real.ss.filter((x) => x.s > d.endS + TOL).every((x) => x.states['TIME-WAIT'] === 1)).toBe(true);
      expect(valueAt(model, 'time_wait', d.endS + SHIFT - TOL)).toBe(0);
      expect(valueAt(model, 'time_wait', d.endS + SHIFT + TOL)).toBe(1);
    });
  });
});
