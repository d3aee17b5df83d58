/**
 * HAProxy's leastconn tree (src/lb_fwlc.c) is an eb32 tree holding equal keys "in the exact same
 * order they were inserted" (include/import/ebtree.h); fwlc_srv_reposition() re-inserts a server
 * whenever its key changes, fwlc_get_next_server() takes the first node. Among idle servers (key
 * 0) the one that went idle first is picked: the longest idle, not the next in turn (review42 #5).
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { LoadBalancer, PoolState } from '../../../sim/model/lb/pool.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

const A = 0;
const B = 1;
const C = 2;

function leastconn(mode: 'l4' | 'l7' = 'l7'): LoadBalancer {
  return new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode, balance: 'leastconn' }, 3);
}

/** The pick, its server taking the stream (sess_change_server() → server_take_conn). */
function pickTaking(lb: LoadBalancer): number {
  const b = lb.pick(new RandomStreams(3).stream('test.pick'), 0);
  if (b >= 0) lb.takeConn(b);
  return b;
}

describe('leastconn ties: the server inserted first in the fwlc tree', () => {
  it.each(['l4', 'l7'] as const)('%s: pick, pick, B ends, A ends, pick, C ends, pick → A B C B', (mode) => {
    const lb = leastconn(mode);
    const order = [pickTaking(lb), pickTaking(lb)];
    lb.dropConn(B);
    lb.dropConn(A);
    order.push(pickTaking(lb));
    lb.dropConn(C);
    // B went idle before A: B is ahead of A among the key-0 servers (a rotation would give A).
    order.push(pickTaking(lb));
    expect(order).toEqual([A, B, C, B]);
  });

  it('the idle server that has been idle longest is picked, whatever the server order', () => {
    const lb = leastconn();
    for (let k = 0; k < 3; k++) pickTaking(lb);
    lb.dropConn(C);
    lb.dropConn(A);
    lb.dropConn(B);
    expect([pickTaking(lb), pickTaking(lb), pickTaking(lb)]).toEqual([C, A, B]);
  });

  it('a server coming back into the tree (drain, then ready) is queued behind the idle ones', () => {
    const lb = leastconn();
    lb.setPoolState(A, PoolState.DRAINING);
    lb.setPoolState(A, PoolState.BOUND);
    // fwlc_set_server_status_up() → fwlc_queue_srv(): A is inserted after B and C.
    expect([pickTaking(lb), pickTaking(lb), pickTaking(lb)]).toEqual([B, C, A]);
  });

  it('a weight change re-queues the server; a repeated state with nothing changed does not', () => {
    const lb = leastconn();
    lb.setHealth(A, true); // already UP: srv_lb_status_changed() is false, A keeps its place
    lb.setWeight(B, 1); // the same weight: nothing moves
    lb.setWeight(A, 0.5); // fwlc_update_server_weight(): A dequeued and queued again, last
    expect([pickTaking(lb), pickTaking(lb), pickTaking(lb)]).toEqual([B, C, A]);
  });

  it('lower keys still come first: a busy server is not picked before an idle one', () => {
    const lb = leastconn();
    lb.takeConn(A);
    lb.takeConn(A);
    lb.takeConn(B);
    expect(pickTaking(lb)).toBe(C);
    expect(pickTaking(lb)).toBe(B); // B (1) and C (1): B's key was set first
  });
});
