/**
 * HAProxy counts a stream in its server's `served` from the assignment, before connect_server()
 * sends a SYN (assign_server_and_queue(), src/backend.c: sess_change_server(s, srv), src/stream.c),
 * and keeps it there through the retries on that server and their turn-around pauses
 * (back_handle_st_cer(), src/backend.c; sess_change_server() returns at `oldsrv == newsrv`) until
 * the last one fails (sess_change_server(s, NULL)). So leastconn (fwlc_get_next_server(),
 * src/lb_fwlc.c, keyed on served) sees a server that refuses at once as busy with the streams it
 * is refusing, as it sees one whose connects hang (leastconn-connecting.test.ts). Counting a
 * stream only once its connect succeeds left the refusing server idle at key 0: every new
 * stream of a burst went there and was refused (review44 #3).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';
import { scheduledWs } from './scheduled-ws.js';

const CONNECTS = 8;

/**
 * Four bare app servers (proxy: none: the balancer connects to the app's own port); vm-a's app
 * is killed at 0.5 s, its listener closed, so its VM refuses each SYN with RST (no health checks
 * mark it DOWN). Eight WebSocket connects 50 ms apart from 1 s, a refused one retried 3 times on
 * its server 1 s apart (the turn-around pause; no redispatch).
 */
const refusingServer = (mode: 'l4' | 'l7'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '8s',
  sample_interval: '0.5s',
  clients: scheduledWs(Array.from({ length: CONNECTS }, (_, i) => 1 + i / 20)),
  lb: { mode, balance: 'leastconn', retries: 3, redispatch: false },
  app: { ws: { handshake_time: '0s' } },
  backends: ['vm-a', 'vm-b', 'vm-c', 'vm-d'].map((name) => ({ name, proxy: 'none' as const })),
  timeline: [{ at: '0.5s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
});

describe('leastconn counts a refused stream from its assignment', () => {
  it.each(['l4', 'l7'] as const)('%s: a burst spreads over the servers; vm-a gets only its turn', (mode) => {
    const r = run(refusingServer(mode), 1);
    // In the tree order a b c d (all idle, ties to the longest idle): the 1st stream to vm-a,
    // counted there while refused and retried; the 2nd to vm-b, 3rd vm-c, 4th vm-d; the 5th
    // meets four servers at key 1 and vm-a first again: 2 of the 8 on vm-a, both given up after
    // their 3 retries (the client reads EOF). Uncounted, vm-a stayed at key 0 and took all 8.
    expect(r.figures['vm-a.errors.total']).toBe(CONNECTS / 4);
    expect(r.figures['errors.total']).toBe(CONNECTS / 4);
    for (const b of ['vm-b', 'vm-c', 'vm-d']) expect(r.figures[`${b}.new_conn.total`]).toBe(CONNECTS / 4);
    const failed = r.events.filter((l) => l.record.kind === 'lb.connect_failed');
    expect(failed.map((f) => f.t)).toEqual([4, 4.2]);
    // In their turn-around pauses the refused streams keep vm-a's slots (`served`) but are out
    // of its cur_sess (back_handle_st_cer() decrements it until connect_server() raises it
    // again): show stat's scur, active_conn, reads 0 there — as recorded in kill-restart-tcp.
    expect(valueAt(r, 'active_conn', 2.5, 'vm-a')).toBe(0);
    for (const b of ['vm-b', 'vm-c', 'vm-d']) expect(valueAt(r, 'active_conn', 2.5, b)).toBe(CONNECTS / 4);
  });
});

/**
 * maxconn 1 on two bare app servers, vm-a's app killed: the 1st WebSocket takes vm-a's slot while
 * refused and retried (once, 1 s later), the 2nd vm-b's, the 3rd waits in the backend queue
 * (timeout queue 3 s). When the 1st's last retry fails at 2 s, HAProxy drops its slot and serves
 * the queue (back_handle_st_cer(), src/backend.c: sess_change_server(s, NULL), then
 * may_dequeue_tasks() → process_srv_queue()): the 3rd goes to vm-a at once (and is refused there
 * in turn, giving up at 3 s) rather than waiting out its timeout queue at 4.2 s.
 */
const refusingServerFull = (mode: 'l4' | 'l7'): ScenarioInput => ({
  ...refusingServer(mode),
  clients: scheduledWs([1, 1.1, 1.2]),
  lb: { mode, balance: 'leastconn', retries: 1, redispatch: false, maxconn: 1, timeout_queue: '3s' },
  backends: ['vm-a', 'vm-b'].map((name) => ({ name, proxy: 'none' as const })),
});

describe('a refused stream holds its maxconn slot until its last retry fails, then the queue gets it', () => {
  it.each(['l4', 'l7'] as const)('%s: the queued stream goes to vm-a when the 1st gives up', (mode) => {
    const r = run(refusingServerFull(mode), 1);
    const failed = r.events.filter((l) => l.record.kind === 'lb.connect_failed');
    expect(failed.map((f) => [f.t, f.text.includes('backend=vm-a')])).toEqual([
      [2, true],
      [3, true],
    ]);
    expect(r.events.filter((l) => l.record.kind === 'lb.queue_timeout')).toHaveLength(0);
    expect(r.figures['vm-b.new_conn.total']).toBe(1);
  });
});
