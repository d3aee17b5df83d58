/**
 * Round 12's gap 3 (queue22, calibration/README.md "Held-out validation, round 12"): is the
 * model's roundrobin what HAProxy did while s1 and s3 were at maxconn and s2 was dead but not yet
 * DOWN? The recorded streams are replayed through drainsim's fwrr port (sim/model/lb/fwrr.ts,
 * lb_fwrr.c fwrr_get_next_server()) with the recording's own occupancy: each stream holds a slot
 * on its server from its send to its answer (the recorder's request log, ms), a stream refused by
 * the dead s2 holds none; its retries are picks avoiding s2 (`%rc` of its log line). The replay's
 * first server is compared with HAProxy's: s2 for a stream whose log line shows a retry (`%rc` > 0)
 * or the 503 "SC", its server otherwise.
 *
 * The port agrees with HAProxy on 85 of the 88 streams sent between the kill and the DOWN (a
 * completion logged in the same millisecond as an arrival is taken to come first). The 3 others
 * are streams redispatched with a retry ("+", one `%rc` 1, the `%rc` 2 and 3 ones): a slot freed
 * between their arrival and a retry, in the same millisecond (the other order). So the fwrr turns
 * are HAProxy's; the blind row's 30 / 49 comes from the twin's input timing (README gap 3).
 */
import { describe, expect, it } from 'vitest';
import { FastWeightedRoundRobin } from '../../sim/model/lb/fwrr.js';
import { readRecording } from './heldout-rows.js';
import type { HaproxyRec8 } from './holdout8-figures.js';

const RUN = 'haproxy-holdout12-queue-maxconn4-tq1s-kill-3srv-http';
/** lab.mjs's kill -9 of s2 (holdout12.mjs). */
const KILL = 5.008;
/** `default-server ... maxconn 4`. */
const MAXCONN = 4;
const SERVERS = ['s1', 's2', 's3'];
const S2 = 1;

interface Stream {
  sent: number;
  done: number;
  outcome: string;
  /** Index in SERVERS of the server that answered (-1: none). */
  server: number;
  /** The log line's `%rc` and "+" (0 when the stream has no line: in flight at the kill). */
  retries: number;
  redispatched: boolean;
  term: string;
}

/** Each request of the recorder with its HAProxy log line: same end (±2.5 ms) and server or status. */
function streams(d: HaproxyRec8): Stream[] {
  const lines = d.haproxyLog.map((l) => ({ l, used: false }));
  return d.requestLog.map(([sent, done, outcome, server]) => {
    let best: (typeof lines)[number] | null = null;
    for (const x of lines) {
      const [, end, srv, status] = x.l;
      if (x.used || Math.abs(end - done) > 0.0025 || outcome === 'EOF') continue;
      if (outcome === 'ok' ? srv !== server : String(status) !== '503') continue;
      if (best === null || Math.abs(end - done) < Math.abs(best.l[1] - done)) best = x;
    }
    if (best !== null) best.used = true;
    return {
      sent,
      done,
      outcome,
      server: SERVERS.indexOf(server),
      retries: best ? Number(best.l[5]) : 0,
      redispatched: best ? best.l[6] === 1 : false,
      term: best ? String(best.l[4]) : '',
    };
  });
}

interface Replayed {
  stream: Stream;
  real: number;
  replay: number;
}

/** Every stream sent before `until`, in send order, through the fwrr port; returns the first servers. */
function replay(all: Stream[], until: number): Replayed[] {
  const served = [0, 0, 0];
  const fwrr = new FastWeightedRoundRobin({
    count: SERVERS.length,
    eweightOf: () => 16,
    saturated: (b) => served[b] >= MAXCONN,
  });
  const ends: Array<{ t: number; b: number }> = [];
  const avoidS2 = new Uint8Array(SERVERS.length);
  avoidS2[S2] = 1;
  const out: Replayed[] = [];
  for (const s of all.filter((x) => x.sent < until).sort((a, b) => a.sent - b.sent)) {
    // Answers logged up to this millisecond free their slots first.
    ends.sort((a, b) => a.t - b.t);
    while (ends.length > 0 && ends[0].t <= s.sent) served[ends.shift()!.b]--;
    const triedS2 = s.sent >= KILL && (s.retries > 0 || s.term === 'SC');
    const real = triedS2 ? S2 : s.server;
    out.push({ stream: s, real, replay: fwrr.pick(null) });
    // Its retries are picks too (each advances the turns), avoiding the server that refused it.
    if (triedS2) for (let i = 0; i < s.retries; i++) fwrr.pick(avoidS2);
    if (s.server >= 0) {
      served[s.server]++;
      ends.push({ t: s.done, b: s.server });
    }
  }
  return out;
}

const d = readRecording<HaproxyRec8>(`${RUN}-rt`);

describe.skipIf(d === null)('round 12 gap 3: the recorded roundrobin replayed through the fwrr port', () => {
  it('gives HAProxy’s first server for 85 of the 88 streams between the kill and the DOWN', () => {
    const rec = d!;
    const down = rec.events.haproxyMessages.find((m) => m.line.startsWith('Server be/s2 is DOWN'))!.t;
    const after = replay(streams(rec), down).filter((r) => r.stream.sent >= KILL);
    expect(after).toHaveLength(88);
    // HAProxy sent 30 of them to s2 first (its turn, a third): 21 ended 503 "SC", 9 were redispatched.
    expect(after.filter((r) => r.real === S2)).toHaveLength(30);
    expect(after.filter((r) => r.stream.term === 'SC')).toHaveLength(21);
    const differ = after.filter((r) => r.real !== r.replay);
    expect(after.length - differ.length).toBe(85);
    // The three others: redispatched streams whose slot freed within their arrival's millisecond.
    for (const r of differ) {
      expect(r.real).toBe(S2);
      expect(r.stream.redispatched).toBe(true);
    }
    expect(differ.map((r) => r.stream.retries).sort()).toEqual([1, 2, 3]);
  });
});
