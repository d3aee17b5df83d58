/**
 * HAProxy 2.6.12's frontend `maxconn` (session 34, maxconn34): calibration/haproxy/frontend-maxconn.mjs
 * recorded mode http, nbthread 1, `frontend fe … maxconn 10` (no `backlog`: listen(2) gets 10), one
 * node app answering each request 1500 ms after reading it (Connection: close), 30 clients
 * connecting at once with one request each (calibration/data/haproxy-frontend-maxconn-http.json),
 * against its twin calibration/scenarios/haproxy-frontend-maxconn-http.yaml (lb.frontend_maxconn 10).
 * HAProxy stops accepting at 10 (src/listener.c listener_accept() → limit_listener()) and takes the
 * next ones from its accept queue as each connection ends (listener_release() → resume_listener()):
 * the requests are served in three waves of 10, at 1.5, 3.0 and 4.5 s. The accept queue holds
 * min(backlog, somaxconn) + 1 = 11 (`ss -lnt` Recv-Q; Send-Q 10), SYNs beyond it are dropped and
 * retransmitted 1 s, 2 s … after the connect (tcp_syn_linear_timeouts 4).
 * Known gap, pinned: in [0, 1 s) the recording's queue held 2, the model's 11. The 30 connect()s
 * of the client's loop ran before HAProxy's first accept: 11 filled the queue (12 connected), 18
 * SYNs were dropped, then HAProxy took 10. The model accepts at the SYN, so its first 10 are
 * accepted, 11 queue and 9 SYNs are dropped. From the first slot's release on (1.5 s) both queues
 * agree: 1 left, then 10 after the SYN retransmissions, 0 after 3.1 s. The recording's 18
 * retransmitted SYNs at 1.07 s all connected (a timer batch: 9 children, 9 final ACKs dropped,
 * listen-queue.ts ListenerChecks), the model retransmits one SYN at a time and connects 9 at 2 s.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { buildModel, startModel } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { totalIn, twinRuns } from './heldout-table.js';

interface Recorded {
  clients: { k: number; connected: number; received: number; outcome: string; done: number }[];
  ss: { at: number; recvQ: number; sendQ: number }[];
}

const NAME = 'haproxy-frontend-maxconn-http';
const data = JSON.parse(readFileSync(`calibration/data/${NAME}.json`, 'utf8')) as Recorded;

/** The model's accept queue (the frontend's Recv-Q) every 25 ms up to 6 s. */
function modelQueue(): { at: number; queued: number }[] {
  const file = `calibration/scenarios/${NAME}.yaml`;
  const model = buildModel(Object.assign({}, namedScenario(loadScenario(file, ScenarioSchema)), { seed: 1 }));
  startModel(model);
  const out: { at: number; queued: number }[] = [];
  for (let i = 1; i <= 240; i++) {
    const at = i * 0.025;
    model.world.engine.run(at);
    out.push({ at, queued: model.frontend!.queued });
  }
  return out;
}

const recvQ = (from: number, to: number): number[] =>
  data.ss.filter((s) => s.at >= from && s.at < to).map((s) => s.recvQ);
const doneIn = (from: number, to: number): number => data.clients.filter((c) => c.done >= from && c.done < to).length;

describe('HAProxy frontend maxconn 10, 30 connects at once, 1.5-s answers (recorded)', () => {
  let run: RunResult;
  let queue: { at: number; queued: number }[] = [];
  beforeAll(() => {
    run = twinRuns(NAME, 1)[0]!;
    queue = modelQueue();
  });
  const modelQ = (from: number, to: number): number[] =>
    queue.filter((s) => s.at >= from && s.at < to).map((s) => s.queued);

  it('every request is answered 200, in three waves of 10 a slot release apart', () => {
    expect(data.clients.filter((c) => c.outcome === '200')).toHaveLength(30);
    expect(totalIn(run, 'responses_2xx', 0, 6)).toBe(30);
    for (const at of [1.5, 3.0, 4.5]) {
      expect(doneIn(at, at + 0.15)).toBe(10);
      expect(totalIn(run, 'responses_2xx', at - 0.025, at + 0.15)).toBe(10);
    }
  });

  it('the accept queue holds min(backlog, somaxconn) + 1 = 11 at most, the backlog being the maxconn', () => {
    expect(Math.max(...data.ss.map((s) => s.recvQ))).toBe(11);
    expect(new Set(data.ss.map((s) => s.sendQ))).toEqual(new Set([10]));
    expect(Math.max(...queue.map((s) => s.queued))).toBe(11);
  });

  it('after the first wave the queue keeps 1, fills to 10 with the retransmitted SYNs, empties at the second', () => {
    expect(new Set(recvQ(1.6, 1.9))).toEqual(new Set([1]));
    expect(new Set(modelQ(1.6, 1.9))).toEqual(new Set([1]));
    expect(new Set(recvQ(2.1, 3.0))).toEqual(new Set([10]));
    expect(new Set(modelQ(2.1, 3.0))).toEqual(new Set([10]));
    expect(new Set(recvQ(3.2, 5))).toEqual(new Set([0]));
    expect(new Set(modelQ(3.2, 5))).toEqual(new Set([0]));
  });

  it('known gap: before the first release the recording held 2 (the burst outran the accept), the model 11', () => {
    expect(new Set(recvQ(0.1, 1.0))).toEqual(new Set([2]));
    expect(new Set(modelQ(0.1, 1.0))).toEqual(new Set([11]));
  });
});
