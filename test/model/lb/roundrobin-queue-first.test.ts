/**
 * `balance roundrobin` is not asked while streams wait in the backend queue: assign_server()
 * (HAProxy 2.6 src/backend.c) returns SRV_STATUS_FULL before any lookup when `be->queue.length &&
 * be->queue.length != be->beconn` for first, roundrobin and static-rr ("if there's some queue on
 * the backend, with certain algos we know it's because all servers are full"), and the stream
 * queues behind the others (LoadBalancer.queuedBehind, sim/model/lb/pool.ts). Leaving drain has no
 * pendconn_grab_from_px() in srv_update_status() (src/server.c), and a server with no stream of its
 * own never runs process_srv_queue(): a server set ready from drain under a queue that does not
 * empty takes nothing. leastconn looks at each server and is not concerned.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/** 50 req/s of 100 ms, maxconn 2 on three servers (60/s; 40/s without s2): s2 drained 2-5 s, then ready. */
function drainedUnderQueue(balance: 'roundrobin' | 'leastconn'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '10s',
    sample_interval: '1s',
    clients: {
      rtt: '0.1ms',
      requests: { rate: 50, arrivals: 'paced', timeout: '8s', retries: 0, reused_connections: true },
    },
    app: { workers: 64, service_time: 'const(100ms)', keepalive_timeout: '121s' },
    lb: { mode: 'l7', balance, retries: 3, maxconn: 2, timeout_queue: '1s' },
    backends: [
      { name: 's1', proxy: 'none' },
      { name: 's2', proxy: 'none' },
      { name: 's3', proxy: 'none' },
    ],
    timeline: [
      { at: '2006ms', do: 'set_server', backend: 's2', state: 'drain' },
      { at: '5006ms', do: 'set_server', backend: 's2', state: 'ready' },
    ],
  } as ScenarioInput;
}

describe('roundrobin with a backend queue: new streams queue behind it', () => {
  it('s2 ready from drain while the queue lasts takes no stream; the queue keeps timing out', () => {
    const r = run(drainedUnderQueue('roundrobin'));
    // Before: fwrr gave the ready s2 every third request and the queue drained at once.
    expect(between(r, 'goodput', 5, 10, 's2')).toBe(0);
    // 50/s against s1's and s3's 40/s: the queue never empties, its oldest wait 1 s and get 503 sQ.
    expect(r.figures['req_5xx.total']).toBeGreaterThan(20);
    expect(between(r, 'goodput', 6, 10, 's1') + between(r, 'goodput', 6, 10, 's3')).toBeGreaterThan(150);
  });

  it('HAProxy 2.6: the queue holds new streams even when no server serves any (review28 #2)', () => {
    // s2 drained at 1.006 s: 50/s against s1's and s3's 40/s fills the backend queue. At 3.006 s s2
    // is set ready (grabbing nothing: leaving drain) and s1 and s3 drained: a drained server takes
    // nothing from the backend queue (process_srv_queue(): srv_currently_usable() is false at
    // weight 0) and its own streams end within 100 ms, so from ~3.1 s no server serves any stream
    // while the queue waits. In 2.6 `beconn` counts the stream being assigned (stream_set_backend(),
    // src/proxy.c), so `queue.length != beconn` holds and each new stream queues behind: arrivals
    // every 20 ms keep the queue from emptying, s2 answers nothing, the queue times them out.
    // (HAProxy 3.1's ca275d99c adds `be->served &&`: there s2 would serve them.)
    const base = drainedUnderQueue('roundrobin');
    const input = {
      ...base,
      timeline: [
        { at: '1006ms', do: 'set_server', backend: 's2', state: 'drain' },
        { at: '3006ms', do: 'set_server', backend: 's2', state: 'ready' },
        { at: '3006ms', do: 'set_server', backend: 's1', state: 'drain' },
        { at: '3006ms', do: 'set_server', backend: 's3', state: 'drain' },
      ],
    } as ScenarioInput;
    const r = run(input);
    expect(between(r, 'goodput', 4, 10, 's2')).toBe(0);
    expect(r.figures['req_5xx.total']).toBeGreaterThan(250);
  });

  it('leastconn gives the ready s2 the new requests, the queue drains, nothing times out', () => {
    const r = run(drainedUnderQueue('leastconn'));
    expect(between(r, 'goodput', 6, 10, 's2')).toBeGreaterThan(50);
    expect(r.figures['req_5xx.total'] ?? 0).toBe(0);
  });
});
