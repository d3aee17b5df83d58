// drainsim's TLS storm against nginx's listen backlog vs the real nginx 1.22.1
// (calibration/data/nginx-tls-storm-*.json, calibration/nginx/tls-storm.mjs): 300 TLS connections
// opened back to back against `listen 443 ssl backlog=32`. Each twin
// (calibration/scenarios/nginx-tls-storm-*.yaml, written by tls-storm-twin.mjs) connects its
// sessions at the recording's connect() times, with the handshake CPU the recording's serial phase
// measured — nothing is fitted to the storm. The one-worker storm was recorded three times (its
// outcome hangs on how one host's retransmission timers fall into timer-wheel buckets and on
// sub-millisecond races with nginx's accepts, so the runs differ by up to 30 % at a given second);
// the twins run seeds 1–5 (the client machine's jiffies phase). Counts ±10 %, times ±1 s, as in
// issue 13; where the real runs spread wider than that, the twin must lie within their spread
// ±10 %; the gaps the model has are asserted as such, so a change in either shows up.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { calTwin, doneBy, realTimeTo, twinTimeTo, withinSecond, withinTenPercent } from './nginx-twins.js';

const SEEDS = [1, 2, 3, 4, 5];
const CONNECTIONS = 300;

interface Conn {
  start: number;
  tcp: number | null;
  tls: number | null;
}

interface Recording {
  // biome-ignore lint/suspicious/noExplicitAny: a recorded data file, read as JSON.
  summary: any;
  storm: Conn[];
  samples: Array<{ s: number; cpuMs: number[] }>;
}

const recording = (name: string): Recording =>
  JSON.parse(readFileSync(`calibration/data/${name}.json`, 'utf8')) as Recording;

function twin(name: string, seed: number): RunResult {
  return calTwin(name, [], seed);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The one-worker recordings and their twins (one twin per recording: its own connect times). */
const W1 = [
  ['nginx-tls-storm-w1-b32-c300-rt', 'nginx-tls-storm-w1-b32-c300'],
  ['nginx-tls-storm-w1-b32-c300-rt-run2', 'nginx-tls-storm-w1-b32-c300-run2'],
  ['nginx-tls-storm-w1-b32-c300-rt-run3', 'nginx-tls-storm-w1-b32-c300-run3'],
] as const;

describe('TLS storm against listen backlog 32, one worker (3 recordings, twins on seeds 1–5)', () => {
  let runs: Array<{ name: string; real: Recording; twins: RunResult[] }>;
  beforeAll(() => {
    runs = W1.map(([data, scenario]) => ({
      name: data,
      real: recording(data),
      twins: SEEDS.map((seed) => twin(scenario, seed)),
    }));
  });
  const twinMean = (f: (r: RunResult) => number, i: number): number => mean(runs[i].twins.map(f));

  it('the inputs: handshake_cpu is the serial measurement, and nginx spent the same per handshake in the storm', () => {
    for (const [i, [, name]] of W1.entries()) {
      const s = runs[i].real.summary;
      const input = loadScenario(`calibration/scenarios/${name}.yaml`, ScenarioSchema, {}).scenario;
      expect(s.scheduling).toBe('SCHED_FIFO 10');
      expect(s.storm.handshaken).toBe(CONNECTIONS);
      expect(input.app.tls.handshake_cpu).toBeCloseTo(s.handshakeCpuMs / 1000, 9);
      expect(input.app.tls.terminates).toBe('nginx');
      expect(input.nginx.listen_backlog).toBe(s.backlog);
      expect(input.nginx.worker_connections).toBe(4096); // tls-storm.mjs's nginx.conf events {}
      expect(input.clients.ws.scheduled).toHaveLength(CONNECTIONS);
      withinTenPercent(s.storm.workerCpuMsPerHandshake, s.handshakeCpuMs); // 4.37 vs 4.35–4.45 ms
    }
  });

  it('the dropped SYNs come back after 1 s on the client kernel timer wheel: the median connect is 1 s + a bucket', () => {
    for (const { real, twins } of runs) {
      const realMedian = real.summary.storm.connectLatencyS.median; // 1.014, 1.031, 1.020
      for (const r of twins) {
        withinSecond(r.figures['connect_latency.p50']!, realMedian);
        // Both: the first SYN retransmission (1 s, tcp_syn_linear_timeouts), ≤ one 32-ms bucket late.
        expect(r.figures['connect_latency.p50']!).toBeGreaterThanOrEqual(1);
        expect(r.figures['connect_latency.p50']!).toBeLessThanOrEqual(1.04);
      }
      expect(realMedian).toBeGreaterThanOrEqual(1);
      expect(realMedian).toBeLessThanOrEqual(1.04);
    }
  });

  it('how fast the storm gets in: time to 50 % and 90 % of the handshakes ±1 s, to the last within the runs ±1 s', () => {
    const lastReal = runs.map(({ real }) => realTimeTo(real, CONNECTIONS)); // 4.47, 2.90, 3.37
    for (const { real, twins } of runs) {
      for (const share of [0.5, 0.9]) {
        const n = Math.round(share * CONNECTIONS);
        withinSecond(mean(twins.map((r) => twinTimeTo(r, n))), realTimeTo(real, n)); // ≈ 1.45 / 2.8 s both
      }
      for (const r of twins) {
        const last = twinTimeTo(r, CONNECTIONS); // 4.4–4.55 s: the last get in at the 8-RTO copy
        expect(last).toBeGreaterThanOrEqual(Math.min(...lastReal) - 1);
        expect(last).toBeLessThanOrEqual(Math.max(...lastReal) + 1);
      }
    }
  });

  it('handshakes done by 1.25–5 s: the twins within the spread of the three recordings ±10 %', () => {
    for (const t of [1.25, 1.5, 2, 2.5, 3, 4, 5]) {
      const real = runs.map((x) => x.real.summary.storm.handshakesDoneBy[String(t)] as number);
      for (let i = 0; i < runs.length; i++) {
        const model = twinMean((r) => doneBy(r, t), i);
        expect(model).toBeGreaterThanOrEqual(0.9 * Math.min(...real));
        expect(model).toBeLessThanOrEqual(1.1 * Math.max(...real));
      }
    }
    // Where the recordings agree within ±10 %, so does the twin with each (from 3 s: 256–300).
    for (const t of [4, 5]) {
      for (let i = 0; i < runs.length; i++)
        withinTenPercent(
          twinMean((r) => doneBy(r, t), i),
          runs[i].real.summary.storm.handshakesDoneBy[String(t)],
        );
    }
  });

  it('drops: ListenOverflows (SYNs and final ACKs, each retransmission again) against syn_drops, over the three runs ±10 %', () => {
    const real = mean(runs.map((x) => x.real.summary.counters.ListenOverflows)); // 892, 768, 578
    const model = mean(runs.map((_, i) => twinMean((r) => r.figures['syn_drops.total']!, i))); // ≈ 700, 800, 700
    withinTenPercent(model, real);
    // The real counter agrees with its own parts: every dropped SYN was sent again (TCPSynRetrans
    // ≤ ListenOverflows), and the SYNs dropped in round 0 are the connections not in by 0.9 s.
    for (const { real: rec } of runs) {
      const c = rec.summary.counters;
      expect(c.TCPSynRetrans).toBeLessThanOrEqual(c.ListenOverflows);
      expect(c.ListenDrops).toBe(c.ListenOverflows);
    }
  });

  it('SYN-ACK resends (reqsk_timer_handler): none in the recordings, a few in the twins', () => {
    for (const { real, twins } of runs) {
      // tcp_rtx_synack counts a resent SYN-ACK in TCPSynRetrans, as tcp_retransmit_skb counts a
      // resent SYN: a connection connected in second k sent k SYN retransmissions (1 s apart), so
      // what TCPSynRetrans holds beyond those is the listener's SYN-ACK resends — none in any run
      // (237; 193 + 2·58 = 309; 116 + 2·78 + 3·44 = 404).
      const by = real.summary.storm.connectLatencyBySecond as Record<string, number>;
      const synRetransmits = Object.entries(by).reduce((n, [k, v]) => n + Number(k) * v, 0);
      expect(real.summary.counters.TCPSynRetrans - synRetransmits).toBe(0);
      // With the loopback RTO (0.2 s) a request sock whose ACK was dropped is mostly let in by its
      // data copies (0.2, 0.4, 0.8 s later) before its 1-s SYN-ACK timer: the twins resend 0–5 a
      // run (request socks of the 1-s SYN-retransmission batch), each let in by its first resend.
      // Counted from the metrics counters (synack_resends: tcp_rtx_synack), not from trace lines.
      for (const r of twins) {
        const resent = r.figures['synack_resends.total']!;
        expect(resent).toBeLessThanOrEqual(5);
        expect(r.figures['synack_resend_admitted.total']).toBe(resent);
        expect(r.figures['synack_resend_dropped.total']).toBe(0);
        expect(r.figures['request_socks_expired.total']).toBe(0);
      }
    }
    // The twins' small gap against the recordings' none: 4 of 15 runs resend (4, 4, 4, 5).
    const all = runs.flatMap(({ twins }) => twins.map((r) => r.figures['synack_resends.total']!));
    expect(all.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(all.filter((n) => n > 0).length).toBeLessThanOrEqual(5);
  });

  it('SYN cookies (the SYNs beyond the SYN queue, tcp_conn_request) against SyncookiesSent: over the three runs ±10 %, each twin within their spread ±10 %', () => {
    // The SYN queue's bound (inet_csk_reqsk_queue_is_full, qlen > sk_max_ack_backlog) decides
    // which SYNs get a cookie. Real 167, 182, 139; twins 150–164, 173–180, 153–166 (run 3 +15 %).
    const real = runs.map((x) => x.real.summary.counters.SyncookiesSent as number);
    for (const { real: rec } of runs)
      expect(rec.summary.counters.TCPReqQFullDoCookies).toBe(rec.summary.counters.SyncookiesSent);
    const model = runs.map((_, i) => twinMean((r) => r.figures['syn_cookies.total']!, i));
    withinTenPercent(mean(model), mean(real));
    for (const { twins } of runs)
      for (const r of twins) {
        expect(r.figures['syn_cookies.total']!).toBeGreaterThanOrEqual(0.9 * Math.min(...real));
        expect(r.figures['syn_cookies.total']!).toBeLessThanOrEqual(1.1 * Math.max(...real));
      }
  });

  // KNOWN GAP 1: round 0, while the client is still opening connections (68–128 ms), the twin gets
  // 5–7 more in than nginx did (70 vs 63, 54 vs 49, 68 vs 62: +10–11 % on every run, just past the
  // tolerance). The cause is the twin's loopback RTT (0.1 ms) against the client's connect() spacing
  // (70–100 µs): in the twin a SYN and its final ACK reach nginx 0.1 ms apart, so the next
  // connect's SYN passes the accept-queue check before the previous ACK has taken the last slot,
  // and that connection's ACK is dropped and gets in at its tail loss probe 0.2 s later — still in
  // round 0. On loopback the real handshake completes inside connect() (the SYN-ACK waits in the
  // connecting socket's backlog while connect() holds the socket lock and is processed at
  // release_sock(), whose ACK goes through the loopback softirq before connect() returns:
  // net/ipv4/tcp_output.c tcp_connect, net/core/sock.c __release_sock), so the single-threaded
  // client cannot interleave a SYN: in the recordings the kernel held exactly 33 + 2 at most and
  // no round-0 connection waited for a data retransmission. With the RTT at 0.01–0.03 ms the twins
  // give 64, 50, 63 (+1.6–2 %). Asserted as it is: the 1.12 bound is the gap seen in these
  // recordings, a tripwire for a change that widens it, not a figure any source gives.
  it('KNOWN GAP: round 0 (before the first retransmission) is 10–11 % higher in the twin on every run', () => {
    for (let i = 0; i < runs.length; i++) {
      const real = runs[i].real.summary.storm.handshakesDoneBy['0.75'] as number; // 63, 49, 62
      const model = twinMean((r) => doneBy(r, 0.75), i);
      expect(model).toBeGreaterThanOrEqual(real);
      expect(model).toBeLessThanOrEqual(1.12 * real);
    }
  });

  // KNOWN GAP 2: in the third recording 122 of the 238 SYNs retransmitted at 1 s found the queue
  // full again (connected at 2 and 3 s; 58 of 251 in the second, none in the first): a wheel
  // bucket of SYNs that arrives while the queue is full is dropped whole. In the twin the queue
  // always has room when the next bucket comes 32 ms after the first (the worker freed 7 slots
  // meanwhile); in the real kernel those slots were taken first by the first bucket's ClientHellos,
  // which the client sends one by one after its connects (≈ 0.5 ms apart) and each of which is
  // another chance for its connection's final ACK — the twin lets the ACK and the first data arrive
  // together. The counts still fall within the spread above.
  it('KNOWN GAP: every SYN dropped in round 0 connects at its first retransmission in the twin; not always in nginx', () => {
    const realAtOne = runs.map(({ real }) => {
      const by = real.summary.storm.connectLatencyBySecond;
      return by['1'] / (CONNECTIONS - by['0']);
    }); // 1.00, 0.77, 0.49
    expect(realAtOne[0]).toBe(1);
    expect(Math.min(...realAtOne)).toBeLessThan(0.6);
    for (const { twins } of runs) for (const r of twins) expect(r.figures['connect_latency.max']!).toBeLessThan(1.04); // all at 1 s
  });
});

describe('TLS storm against listen backlog 32, two workers (the client shares the 2 cores)', () => {
  const real = recording('nginx-tls-storm-w2-b32-c300-rt');
  let twins: RunResult[];
  beforeAll(() => {
    twins = SEEDS.map((seed) => twin('nginx-tls-storm-w2-b32-c300', seed));
  });

  it('all 300 in, the last within ±1 s; the median connect at 1 s + a bucket', () => {
    expect(real.summary.storm.handshaken).toBe(CONNECTIONS);
    for (const r of twins) {
      withinSecond(twinTimeTo(r, CONNECTIONS), realTimeTo(real, CONNECTIONS)); // ≈ 1.6 vs 1.58 s
      withinSecond(r.figures['connect_latency.p50']!, real.summary.storm.connectLatencyS.median); // 1.00 vs 1.01
    }
  });

  // DISTORTED BY THE MACHINE: two SCHED_FIFO workers and the SCHED_FIFO client on 2 cores. While the
  // client opens its connections (0.24 s) it holds a core, so the workers together got ≈ 1.2–1.5
  // cores, not 2 (their utime + stime, sampled every 200 ms): 116 in before the first
  // retransmission against the twin's 141 (two whole cores), and so more drops (344 against ≈ 235).
  // Not a model gap; shown, not compared.
  it('DISTORTED: round 0 is smaller in the recording because the workers had < 2 cores while the client ran', () => {
    const [a, b] = [real.samples[0], real.samples[1]]; // before the storm, and ≈ 0.2 s into it
    const cores = (b.cpuMs[0] + b.cpuMs[1] - a.cpuMs[0] - a.cpuMs[1]) / 1000 / (b.s - a.s);
    expect(cores).toBeLessThan(1.6);
    const realRound0 = real.summary.storm.handshakesDoneBy['0.75'] as number; // 116
    for (const r of twins) {
      expect(doneBy(r, 0.75)).toBeGreaterThan(realRound0);
      expect(r.figures['syn_drops.total']!).toBeLessThan(real.summary.counters.ListenOverflows);
    }
  });
});
