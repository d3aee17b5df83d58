/**
 * `app.accept_batch`: how many pending connections one event-loop iteration accept()s. node takes
 * one (libuv ≥ 1.45 uv__server_io, src/unix/stream.c); CPython asyncio's selector loop up to its
 * backlog (Lib/asyncio/selector_events.py _accept_connection: `for _ in range(backlog)`, uvicorn
 * --backlog 2048); gevent up to max_accept 100 (src/gevent/baseserver.py BaseServer._do_read).
 * After a GC pause that filled the accept queue, one-per-iteration leaves it full while the
 * iterations that follow run the requests piled up in the pause, so SYNs keep being dropped;
 * a batch empties it at the first iteration.
 */
import { describe, expect, it } from 'vitest';
import { EventLoopAccepts } from '../../../sim/model/app/event-loop-accepts.js';
import { Req } from '../../../sim/model/core/request.js';
import type { RunResult } from '../../../sim/result.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

/**
 * One bare event-loop app behind lb.mode l4: `rate` new keep-alive clients a second, 5 requests
 * each 1 s apart (about half the loop busy), a 1-s GC pause after every `gcEvery` requests.
 */
function gcPause(rate: number, service: string, backlog: number, gcEvery: number, batch?: number): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      http: { arrival_rate: rate, requests_per_connection: 'const(5)', think_time: 'const(1s)', retries: 0 },
    },
    app: {
      workers: 1,
      service_time: `const(${service})`,
      backlog,
      keepalive_timeout: '60s',
      gc: { every: gcEvery, pause: 'const(1s)' },
      ...(batch !== undefined ? { accept_batch: batch } : {}),
    },
    lb: { mode: 'l4', balance: 'roundrobin', connect_timeout: '5s', retries: 3 },
    backends: [{ name: 'vm-a', proxy: 'none' }],
    timeline: [],
  } as ScenarioInput;
}

/** The SYNs the full accept queue dropped (the records fold repeats within a second). */
const drops = (r: RunResult, from = 0, to = Infinity): number =>
  r.events
    .filter((l) => l.record.kind === 'kernel.app_listen_overflow' && l.t >= from && l.t < to)
    .reduce((n, l) => n + 1 + l.folded, 0);

describe('app.accept_batch (event loop accept() per iteration)', () => {
  it('one iteration accepts up to `batch` queued connections; an idle loop runs the first batch and accepts the next', () => {
    const loop = new EventLoopAccepts(3);
    loop.jobStarted();
    for (let i = 0; i < 5; i++) loop.queued();
    loop.jobDone(2);
    expect(loop.pending).toBe(2);
    const idle = new EventLoopAccepts(2);
    const conns = Array.from({ length: 5 }, () => new Req(() => {}));
    idle.jobStarted();
    for (const c of conns) {
      idle.queued(c);
      idle.holdRequestOf(c, c);
    }
    // Poll 1 accepts c1 and c2, poll 2 runs both handlers (one iteration) and accepts c3 and c4.
    expect(idle.jobDone(0)).toEqual([conns[0], conns[1]]);
    expect(idle.pending).toBe(1);
    expect(idle.endsIteration).toBe(false);
    idle.jobDone(1);
    expect(idle.readable()).toEqual([conns[2], conns[3]]);
  });

  it('a GC pause filling a queue of hundreds: node (1) keeps dropping after it, asyncio (2048) and gevent (100) stop', () => {
    // 400 new clients/s, 250-us requests, backlog 128: the 1-s pause at ~12.05 s fills the queue (129).
    const node = run(gcPause(400, '250us', 128, 20000), 1);
    const [pause] = recordsOf(node, 'app.pause');
    expect(pause.t).toBeGreaterThan(11);
    const asyncio = run(gcPause(400, '250us', 128, 20000, 2048), 1);
    const gevent = run(gcPause(400, '250us', 128, 20000, 100), 1);
    // Until the pause ends the runs are the same (the batch acts at the accept after it).
    const during = drops(node, 0, pause.t + pause.duration);
    expect(during).toBeGreaterThan(200);
    expect(drops(asyncio, 0, pause.t + pause.duration)).toBe(during);
    // 462 (node), 363 (gevent), 334 (asyncio): ~130 more SYNs dropped after the pause with one per iteration.
    expect(drops(node)).toBeGreaterThan(drops(asyncio) + 100);
    expect(drops(gevent)).toBeLessThan(drops(node));
    expect(drops(gevent)).toBeGreaterThanOrEqual(drops(asyncio));
  });

  it('smaller: the last dropped SYN comes after the pause with one per iteration, within it with a batch', () => {
    const node = run(gcPause(40, '2500us', 16, 2000), 1);
    const asyncio = run(gcPause(40, '2500us', 16, 2000, 2048), 1);
    const [pause] = recordsOf(node, 'app.pause');
    const last = (r: RunResult): number => Math.max(...recordsOf(r, 'kernel.app_listen_overflow').map((d) => d.t));
    expect(last(node)).toBeGreaterThan(pause.t + pause.duration + 0.1);
    expect(last(asyncio)).toBeLessThan(pause.t + pause.duration);
  });

  it('is refused where no event loop takes the connections', () => {
    const paths = (input: ScenarioInput): string[] =>
      (ScenarioSchema.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
    const wpc = gcPause(40, '2500us', 16, 2000, 100) as { app: Record<string, unknown> };
    wpc.app.accept_model = 'worker_per_connection';
    expect(paths(wpc as ScenarioInput)).toContain('app.accept_batch');
    expect(paths(gcPause(40, '2500us', 16, 2000, 100))).toEqual([]);
  });
});
