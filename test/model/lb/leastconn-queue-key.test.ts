/**
 * HAProxy leastconn's key counts the server's queue with its served streams: fwlc_srv_reposition()
 * (v2.6.0 src/lb_fwlc.c) requeues the server at `s->served + s->queue.length` (lb/pool.ts
 * leastConnKey: active + queuedOn), taken at the server's next take or drop. So a slow server that
 * takes a queued stream while others still wait ranks behind a server as busy with an empty queue,
 * and new streams go there instead of lengthening the slow one's queue. review45 L10: a key of
 * served alone ties the two, and the slow server, repositioned earlier, wins the tie.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import type { BackendQueue } from '../../../sim/model/lb/queue.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

describe('leastconn key = served + queue length (fwlc_srv_reposition())', () => {
  it('maxconn 2, maxqueue 5: the slow server with a queue ranks behind the other at the same served', () => {
    const lb = new LoadBalancer(
      { ...ScenarioSchema.parse({}).lb, mode: 'l7', balance: 'leastconn', maxconn: 2, maxqueue: 5 },
      2,
    );
    const queued = [0, 0];
    // Only the server queues' lengths are read here (queuedOn).
    lb.queue = { serverQueued: (b: number) => queued[b] } as unknown as BackendQueue;
    // vm-a (slow) full with two waiting; vm-b full, no queue.
    lb.takeConn(0);
    lb.takeConn(0);
    lb.takeConn(1);
    lb.takeConn(1);
    queued[0] = 2;
    // vm-a ends a stream and takes the head of its queue (process_srv_queue(): drop, then take).
    queued[0] = 1;
    lb.dropConn(0);
    lb.takeConn(0);
    // vm-b ends one and takes a new one: repositioned after vm-a.
    lb.dropConn(1);
    lb.takeConn(1);
    const rng = new RandomStreams(3).stream('test.pick');
    // vm-a: (2 + 1 + 1) × 4096 / 16 = 1024; vm-b: (2 + 1) × 4096 / 16 = 768.
    for (let i = 0; i < 5; i++) expect(lb.pick(rng, 0)).toBe(1);
    // Its queue empty at its next take, vm-a ties vm-b again and, repositioned last, ranks after it.
    queued[0] = 0;
    lb.dropConn(0);
    lb.takeConn(0);
    expect(lb.pick(rng, 0)).toBe(1);
  });
});
