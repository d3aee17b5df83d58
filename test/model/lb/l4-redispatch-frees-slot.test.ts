/**
 * A redispatched retry leaves its server first (stream_choose_redispatch(), include/haproxy/stream.h
 * → sess_change_server(s, NULL), src/stream.c, and may_dequeue_tasks() → process_srv_queue(),
 * src/queue.c): the slot it held under maxconn goes to the queue at that instant, not when the
 * stream finally gives up (review47 L15: sim/model/lb/l4-connect.ts, the redispatch branch's
 * leaveServed()).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';
import { scheduledWs } from './scheduled-ws.js';

/**
 * One bare server (proxy: none), its app killed at 0 s so its VM refuses each SYN; lb.mode l4,
 * maxconn 1, 3 retries 1 s apart (the turn-around pause, kept with one active server), redispatch
 * on the last retry (the default interval -1). Two connects, at 1 s and 1.01 s: the 2nd queues.
 */
const input: ScenarioInput = {
  start: '00:00:00',
  warmup: '0s',
  horizon: '20s',
  sample_interval: '0.5s',
  clients: scheduledWs([1, 1.01]),
  lb: { mode: 'l4', balance: 'roundrobin', retries: 3, redispatch: true, maxconn: 1, retry_interval: '1s' },
  app: { ws: { handshake_time: '0s' } },
  backends: [{ name: 'vm-a', proxy: 'none' }],
  timeline: [{ at: '0s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
};

describe('l4: a redispatched retry hands its maxconn slot to the queue at once', () => {
  it('the queued 2nd connect starts at the 1st one’s redispatch, the same instant', () => {
    const r = run(input, 1);
    // The 1st is refused at 1, 2 and 3 s; its 3rd failure makes the last retry a redispatch, and
    // its slot goes to the 2nd at 3 s (its connects at 3, 4, 5 s). The 1st, load-balanced again,
    // waits in the queue for the only server; the 2nd's own redispatch at 5 s hands it the slot,
    // refused at once: given up at 5 s. The 2nd's last retry, after its pause, is refused at 6 s —
    // 3 s after the 1st's redispatch, to the ms. Holding the slot through the redispatch, the 2nd
    // and then the 1st sat out `timeout queue` (5 s) instead.
    const failed = r.events.filter((l) => l.record.kind === 'lb.connect_failed');
    expect(failed.map((f) => f.t)).toEqual([5, 6]);
    expect(r.events.filter((l) => l.record.kind === 'lb.queue_timeout')).toHaveLength(0);
  });
});
