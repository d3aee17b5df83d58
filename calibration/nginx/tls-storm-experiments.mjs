// The TLS reconnect-storm experiments (tls-storm.mjs) and their summary. The figures the
// drainsim twin (calibration/scenarios/nginx-tls-storm-*.yaml) is compared on come from here.
import { runTlsStorm } from './tls-storm.mjs';

const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);

/** p5 / median / p95 / max of a list of numbers, null if empty. */
function spread(xs) {
  if (!xs.length) return null;
  const v = [...xs].sort((a, b) => a - b);
  const q = (p) => r3(v[Math.min(v.length - 1, Math.floor(v.length * p))]);
  return { n: v.length, min: r3(v[0]), p5: q(0.05), median: q(0.5), p95: q(0.95), max: r3(v[v.length - 1]) };
}

/** The grid (s after the storm's first connect) at which the handshakes done so far are counted. */
export const HANDSHAKE_GRID_S = [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 12, 15];

/**
 * Bursts of completed handshakes: sorted completion times split wherever nothing completes for
 * more than `gapS`. A storm against a full accept queue gets in in rounds, one per
 * retransmission of the dropped SYNs or data.
 */
export function rounds(times, gapS = 0.1) {
  const v = [...times].sort((a, b) => a - b);
  const out = [];
  for (const t of v) {
    const last = out[out.length - 1];
    if (last && t - last.toS <= gapS) {
      last.toS = t;
      last.n++;
    } else out.push({ fromS: t, toS: t, n: 1 });
  }
  return out.map((r) => ({ fromS: r3(r.fromS), toS: r3(r.toS), n: r.n }));
}

function counterDelta(before, after) {
  const out = {};
  for (const k of Object.keys(after)) out[k] = after[k] - (before[k] ?? 0);
  return out;
}

const sum = (xs) => xs.reduce((a, b) => a + (b ?? 0), 0);

export function summariseTlsStorm(data) {
  const cpu = data.workerCpuMs;
  const serialCpuMs = sum(cpu.afterSerial) - sum(cpu.beforeSerial);
  const stormCpuMs = sum(cpu.afterStorm) - sum(cpu.beforeStorm);
  const serialDone = data.serial.filter((c) => c.tls != null);
  const storm = data.storm;
  const first = Math.min(...storm.map((c) => c.start));
  const done = storm.filter((c) => c.tls != null);
  const doneAt = done.map((c) => c.tls - first);
  const connected = storm.filter((c) => c.tcp != null);
  const connectS = connected.map((c) => c.tcp - c.start);
  const bySecond = {};
  for (const s of connectS) bySecond[Math.round(s)] = (bySecond[Math.round(s)] ?? 0) + 1;
  const failed = {};
  for (const c of storm.filter((x) => x.err)) failed[c.err] = (failed[c.err] ?? 0) + 1;
  const protocols = {};
  for (const c of done) protocols[c.proto] = (protocols[c.proto] ?? 0) + 1;
  return {
    workers: data.config.workers,
    backlog: data.config.backlog,
    rsaBits: data.config.rsaBits,
    acceptQueueHolds: Math.min(data.config.backlog, Number(data.stamp.sysctls['net.core.somaxconn'])) + 1,
    scheduling: data.stamp.scheduling?.requested ?? 'default',
    loadavgAtStart: data.stamp.loadavgAtStart,
    // The scenario input: nginx's workers' CPU per full handshake, serially (clock-tick resolution).
    handshakeCpuMs: r3(serialCpuMs / data.config.serialCount),
    handshakeCpuResolutionMs: r3(1000 / data.stamp.clkTck / data.config.serialCount),
    serialHandshakes: serialDone.length,
    serialHandshakeWallMs: spread(serialDone.map((c) => (c.tls - c.start) * 1000)),
    storm: {
      connections: storm.length,
      // When the client issued its connects: the storm's own width.
      connectsIssuedWithinS: r3(Math.max(...storm.map((c) => c.start)) - first),
      connected: connected.length,
      handshaken: done.length,
      failed,
      pending: storm.filter((c) => c.tls == null && !c.err).length,
      protocols,
      // TCP connect latency (connect() → established), s; bySecond: rounded to whole seconds
      // (the SYN retransmissions are 1 s apart: tcp_syn_linear_timeouts).
      connectLatencyS: spread(connectS),
      connectLatencyBySecond: bySecond,
      handshakeDoneS: spread(doneAt),
      handshakesDoneBy: Object.fromEntries(
        HANDSHAKE_GRID_S.map((g) => [String(g), doneAt.filter((t) => t <= g).length]),
      ),
      rounds: rounds(doneAt),
      // nginx's CPU over the storm per handshake done: a check on the serial figure.
      workerCpuMsPerHandshake: done.length ? r3(stormCpuMs / done.length) : null,
    },
    counters: counterDelta(data.counters.before, data.counters.after),
  };
}

/**
 * A storm of `connections` new TLS connections against `listen 443 ssl backlog=<backlog>` with
 * `workers` worker processes, after 200 serial handshakes that measure the handshake's CPU.
 * The certificate is RSA-4096: on 2 shared cores the client's own side of each handshake (an
 * ECDHE key share, a signature check, node's TLSSocket) costs about what nginx's RSA-2048 sign
 * does, so with a 2048-bit key the one client process cannot open connections faster than one
 * worker handshakes them and the accept queue never fills (a first recording: 300 connects in
 * 201 ms, 0.65 ms of worker CPU each, no ListenOverflows). The server's RSA sign grows ~7× from
 * 2048 to 4096 bits while the client's work does not, so the storm outruns the workers as a real
 * one of many clients does. The handshake's cost is measured either way (handshakeCpuMs).
 */
export function tlsStormExperiment({ workers, backlog, connections, rsaBits = 4096, seconds = 15 }) {
  return {
    name: `nginx-tls-storm-w${workers}-b${backlog}-c${connections}`,
    description:
      `A TLS reconnect storm: ${connections} new connections opened back to back (one per client ` +
      `event-loop turn, each ClientHello right after its connect) against nginx \`listen 443 ssl ` +
      `backlog=${backlog}\` (RSA-${rsaBits} self-signed, TLS 1.3, TLS ends in nginx) with ${workers} ` +
      `worker process${workers > 1 ? 'es' : ''}; first 200 serial handshakes measure a handshake's ` +
      "CPU in the workers. Per connection: TCP connect and TLS handshake times; the namespace's " +
      'ListenOverflows/ListenDrops, TCPTimeouts, TCPSynRetrans and RetransSegs.',
    seconds: seconds + 5,
    workers,
    backlog,
    rsaBits,
    serialCount: 200,
    stormCount: connections,
    stormSeconds: seconds,
    run: runTlsStorm,
    summarise: summariseTlsStorm,
  };
}

export const TLS_STORM_EXPERIMENTS = [
  tlsStormExperiment({ workers: 1, backlog: 32, connections: 300 }),
  tlsStormExperiment({ workers: 2, backlog: 32, connections: 300 }),
];
