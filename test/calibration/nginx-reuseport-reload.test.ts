/**
 * `nginx -s reload` with `listen … reuseport` under connect load, recorded (session 19, after the
 * rule was read from nginx 1.22.1 and Linux and modelled: sim/model/proxy/listen-sockets.ts):
 * calibration/nginx/reuseport-experiments.mjs, `node calibration/nginx/run.mjs --only
 * nginx-reuseport-reload --rt 10` (every process SCHED_FIFO 10, load average 10 on 2 cores), one
 * run each. 16 clients each open a fresh connection for a GET every 25 ms (keepalive_timeout 5ms
 * closes the last one): ≈ 640 connects a second; a reload at 4 s; every access-log line kept with
 * its worker pid (workers forked in index order, ngx_start_worker_processes: pids ascending).
 *
 * - 4 → 2 workers: between the new workers' start and the old ones' QUIT, old workers 2 and 3 —
 *   whose sockets no new worker inherited — took 27 of 54 requests, old workers 0 and 1 none: the
 *   kernel kept hashing over 4 sockets, and on sockets 0 and 1 the new worker (first in the wait
 *   queue) accepted. As modelled.
 * - 2 → 2 workers: the old workers still took 6 of 43 (14 %) in that window. Both workers on a
 *   socket are woken (no EPOLLEXCLUSIVE with reuseport; kernel/sched/wait.c __wake_up_common wakes
 *   every non-exclusive entry) and whichever calls accept4() first gets the connection; the model
 *   gives it to the first in the queue, the new worker, unless it is busy — and it has no CPU time
 *   for plain HTTP, so never. A known gap: the order of two woken processes' accept4() calls is
 *   decided by the scheduler, no constant in either source. (4 → 2's sockets 0 and 1: 0 of 27.)
 * - Before the new workers exist (the signaller's own start-up, `actions[].tookMs` 7–11 ms, then
 *   the master's ngx_init_cycle and fork) the old generation takes everything: the model forks the
 *   new generation at the reload's time, so the twin's reload is the signal's arrival
 *   (calibration/nginx/NOTES.md §2).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { buildModel, startModel } from '../../sim/run-scenario.js';
import type { ScenarioInput } from '../../sim/scenario/schema.js';
import { scenario, series as seriesOf } from '../model/helpers.js';
import { expectPunctual, recordingFile } from './nginx-twins.js';

interface AccessLine {
  s: number;
  pid: number;
}

/** The recording's requests from its new workers' first request to the old workers' last, by worker index. */
function windowOf(name: string) {
  const data = recordingFile(name);
  expectPunctual(data);
  const reload = data.actions.find((a: { signal: string }) => a.signal === 'reload');
  const workers = (data.workers as { pid: number; firstS: number }[]).map((w) => w.pid).sort((a, b) => a - b);
  const before = new Set(
    (data.workers as { pid: number; firstS: number }[]).filter((w) => w.firstS < reload.s).map((w) => w.pid),
  );
  const oldPids = workers.filter((p) => before.has(p));
  const newPids = workers.filter((p) => !before.has(p));
  const lines = (data.accessLog as AccessLine[]).filter((l) => l.s >= reload.s);
  const from = Math.min(...lines.filter((l) => newPids.includes(l.pid)).map((l) => l.s));
  const to = Math.max(...lines.filter((l) => oldPids.includes(l.pid)).map((l) => l.s));
  const inWindow = lines.filter((l) => l.s >= from && l.s <= to);
  const count = (pids: number[]) => pids.map((p) => inWindow.filter((l) => l.pid === p).length);
  return { reload, from, to, old: count(oldPids), new: count(newPids) };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The twin, given the recorder's input (reuseport-experiments.mjs reuseportReloadExperiment): 16
 * clients, each a fresh connection for one GET every 25 ms (thinkMs 25; keepalive_timeout 5ms closes
 * it), 640 connects a second, paced; the reload (`set` when the workers change) at the signal's
 * arrival, recorded time + actions[].tookMs (an upper bound: nginx-twins.ts signalArrivals). The old
 * generation's share counts the twin's connections accepted in the 100 ms from that arrival, and
 * the client errors of the whole run are returned with it.
 */
function twin(name: string, workers: number, reloadTo: number, seed: number) {
  const reload = recordingFile(name).actions.find((a: { signal: string }) => a.signal === 'reload');
  const reloadAt = reload.s + reload.tookMs / 1000;
  const input = {
    start: '00:00:00',
    warmup: '0s',
    horizon: '5s',
    clients: {
      rtt: '0.1ms',
      http: { arrival_rate: 640, arrivals: 'paced', requests_per_connection: 'const(1)', retries: 0 },
    },
    app: { workers: 1000, service_time: 'const(1ms)' },
    nginx: { worker_processes: workers, reuseport: true },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: `${(reloadAt * 1000).toFixed(1)}ms`, do: 'set', nginx: { worker_processes: reloadTo } }],
    seed,
  } as ScenarioInput;
  const model = buildModel(scenario(input));
  let old = 0;
  let all = 0;
  const accepted = model.world.onAccepted;
  model.world.onAccepted = (c, b) => {
    accepted(c, b);
    const t = model.world.now;
    if (t > reloadAt && t < reloadAt + 0.1) {
      all++;
      if (c.nginxGen === 1) old++;
    }
  };
  startModel(model);
  model.world.engine.run(5);
  const run = { timeline: model.world.metrics.result().timeline } as RunResult;
  const total = (series: string) => sum(seriesOf(run, series).map(([, v]) => v));
  return { oldShare: old / all, resets: total('err_econnreset'), errors: total('errors') };
}

/** The recording's client requests that ended in ECONNRESET. */
function recordedResets(name: string): { s: number; sentS: number }[] {
  return (recordingFile(name).clientEvents as { ev: string; out: string; s: number; sentS: number }[]).filter(
    (e) => e.ev === 'req' && e.out === 'ECONNRESET',
  );
}

describe('reload with reuseport (recorded, session 19)', () => {
  it('4 → 2 workers: old workers 2 and 3 keep their sockets’ share until the QUIT, old 0 and 1 get none (twin ±0.1)', () => {
    const w = windowOf('nginx-reuseport-reload-w4to2-rt');
    // Recorded (4.025–4.108 s): old workers [0, 0, 17, 10], new [13, 14]: 0.50. Twin (paced 640/s, reload at
    // 4.0114 s), seeds 1–3: 0.50, 0.47, 0.64, mean 0.54 (Poisson 640/s with the reload at 4 s gave 0.52, 0.46, 0.45).
    expect(w.old[0] + w.old[1]).toBeLessThanOrEqual(2);
    const real = sum(w.old) / (sum(w.old) + sum(w.new));
    expect(real).toBeGreaterThan(0.4);
    const model = [1, 2, 3].map((seed) => twin('nginx-reuseport-reload-w4to2-rt', 4, 2, seed).oldShare);
    const mean = sum(model) / model.length;
    expect(Math.abs(mean - real)).toBeLessThanOrEqual(0.1);
    // The old code gave every connection to generation 2 from the reload on: share 0.
  });

  it('2 → 2 workers: the new worker on each inherited socket takes most; the old one wins 14 % of the races (KNOWN GAP: the model gives it none)', () => {
    const w = windowOf('nginx-reuseport-reload-w2-rt');
    const real = sum(w.old) / (sum(w.old) + sum(w.new));
    expect(real).toBeGreaterThan(0);
    expect(real).toBeLessThan(0.25);
    expect(twin('nginx-reuseport-reload-w2-rt', 2, 2, 1).oldShare).toBe(0);
  });

  it('recording sanity check (no model: the twin forks at the reload): the old generation takes every connection until the new workers run — the signal’s start-up, then ngx_init_cycle and fork', () => {
    for (const name of ['nginx-reuseport-reload-w2-rt', 'nginx-reuseport-reload-w4to2-rt']) {
      const w = windowOf(name);
      const firstNewMs = (w.from - w.reload.s) * 1000;
      expect(firstNewMs).toBeGreaterThan(w.reload.tookMs);
      expect(firstNewMs).toBeLessThan(w.reload.tookMs + 30);
    }
  });

  it('4 → 2 workers: one connection reset at the old workers’ QUIT (KNOWN GAP: real 1, twin 0)', () => {
    // Recorded: client 14's GET sent at 4.110 s ends in ECONNRESET at 4.111 s, 1 ms after the old
    // workers' last request (4.108 s). Its connection was queued on socket 2 or 3, which no new
    // worker inherited: the old workers' QUIT closes those sockets (ngx_close_listening_sockets,
    // src/os/unix/ngx_process_cycle.c), and Linux resets what their accept queues still hold
    // (net/ipv4/inet_connection_sock.c inet_csk_listen_stop; with net.ipv4.tcp_migrate_req 0, the
    // default, nothing is moved to another socket of the group). The model resets such a queue
    // only where it has one, with TLS in nginx (session 22, master.ts closeDropped); this plaintext
    // nginx accepts each connection as it arrives, so it resets nothing. A model change that adds
    // a plaintext accept queue must move this pin (and the 2 → 2 recording, whose sockets are all
    // inherited, has none).
    expect(recordedResets('nginx-reuseport-reload-w4to2-rt').map((e) => e.s)).toEqual([4.111]);
    expect(recordedResets('nginx-reuseport-reload-w2-rt')).toEqual([]);
    for (const seed of [1, 2, 3]) {
      const t = twin('nginx-reuseport-reload-w4to2-rt', 4, 2, seed);
      expect(t.resets).toBe(0);
      expect(t.errors).toBe(0);
    }
  });
});
