/**
 * The clients' own connects (lb.mode l4 / nat) to a bare event-loop app meet both of its
 * listener's accept-queue checks (lb/l4-connect.ts appHandshake → app/app-listener.ts): the SYN
 * (tcp_conn_request, net/ipv4/tcp_input.c) and the final ACK (tcp_v4_syn_recv_sock,
 * net/ipv4/tcp_ipv4.c). SYNs the balancer's kernel retransmits from one timer-wheel bucket come
 * in one softirq batch: they all pass the SYN check, and the final ACKs beyond the queue's room
 * are dropped (tcp_check_req listen_overflow, tcp_abort_on_overflow 0). Those senders are
 * connected (HAProxy's Tc ends at the SYN-ACK) and the request waits in the sender's
 * retransmission queue until a data copy's ACK finds room (BareClientConns.ackWaiter). Before
 * session 17 the clients' connects were checked at the SYN only: no ACK was ever dropped.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { totalIn } from '../../calibration/heldout-table.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';
import { bareBurst } from './bare-burst.js';

/** The burst on one node app (500 ms a request, backlog 4), one request a connection, no health check, 60 s. */
function burst(): ScenarioInput {
  const s = bareBurst('l4', 1, 4);
  const http = { ...s.clients!.http, requests_per_connection: 'const(1)' };
  return { ...s, horizon: '60s', clients: { ...s.clients, http }, health_check: undefined } as ScenarioInput;
}

describe("the clients' connects to a bare event loop: the final ACK's accept-queue check", () => {
  it('l4: a batch of retransmitted SYNs passes, the ACKs beyond the room are dropped; their requests are served later', () => {
    const r = run(burst(), 1);
    const acks = recordsOf(r, 'kernel.app_ack_overflow').filter((a) => a.outcome === 'ack_dropped');
    expect(acks.length).toBeGreaterThan(0);
    // Dropped at the queue's limit (backlog 4 + 1), several in one instant: one timer batch.
    expect(acks.every((a) => a.queued === 5 && a.limit === 5)).toBe(true);
    expect(acks.some((a) => acks.filter((o) => o.t === a.t).length > 1)).toBe(true);
    // No request is lost while it waits for its child: every connection made gets its one request
    // answered (the errors are connects HAProxy gave up on: 4 × timeout connect on the saturated loop).
    const opened = totalIn(r, 'new_conn', 0, 60);
    expect(opened).toBeGreaterThan(40);
    expect(totalIn(r, 'responses_2xx', 0, 60)).toBe(opened);
  });
});
