/**
 * "its accept queue is full (N/limit)" quotes the count the dropping check compared (review 30
 * #2): a batch of retransmitted SYNs meets the queue as the batch left it (net/listen-queue.ts
 * finalAck, ackQueue), which the children still in the queue undercount when the app took the
 * batch's first ones at once (ws-stall's reconnect wave to vm-b printed "full (312/512)"). Every
 * `ack_dropped` line must show a full queue: at least the limit it prints.
 */
import { describe, expect, it } from 'vitest';
import { lineOf } from '../../sim/trace/catalog.js';
import { runBuiltin } from '../model/helpers.js';
import { recordsOf } from './records-of.js';

describe("the app listener's dropped final ACK line", () => {
  it('says full with a count that is full: the count its check compared (ws-stall)', () => {
    const dropped = recordsOf(runBuiltin('ws-stall'), 'kernel.app_ack_overflow').filter(
      (x) => x.outcome === 'ack_dropped',
    );
    expect(dropped.length).toBeGreaterThan(0);
    for (const r of dropped) {
      expect(r.queued, lineOf(r)).toBeGreaterThanOrEqual(r.limit);
      expect(lineOf(r)).toContain(`its accept queue is full (${r.queued}/${r.limit})`);
    }
  });
});
