#!/usr/bin/env node
// node calibration/nginx/holdout15-twin.mjs
// Writes calibration/scenarios/<experiment>.yaml, the drainsim twin of each held-out round-15 run
// (holdout15.mjs), from the recorder's INPUT only, before anything is recorded: its pacing (connection
// i at i × paceMs after the client's start, from TWIN_STORM_AT_S), its signal and time (`nginx -s
// reload` to `reloadTo` workers, or `nginx -s quit`, at atMs), worker_processes, reuseport, listen
// backlog, worker_connections 4096 (tls-storm.mjs's nginx.conf), the client's stop (stormSeconds).
// handshake_cpu: 4.4 ms is written, the median of the seven serial RSA-4096 measurements recorded on
// this machine before this round (tls-storm.mjs, tls-resume.mjs: 4.3-4.55 ms), but the predictions
// (test/calibration/holdout15.test.ts) run each twin over a grid of handshake_cpu values and a row
// reads them at the recording's OWN serial measurement (200 handshakes before its storm, as every
// tls-storm twin takes it): a test run of this recorder before the round (20 connections, no storm)
// measured 3.2 ms, so the earlier figure is not this machine's today. Kernel: the sysctls stamped in
// those recordings (this machine).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  HOLDOUT15_BACKLOG,
  HOLDOUT15_EXPERIMENTS,
  HOLDOUT15B_EXPERIMENTS,
  HOLDOUT15C_EXPERIMENTS,
} from './holdout15.mjs';

/** The median of the RSA-4096 serial handshake measurements before round 15 (ms): the twins' written value. */
export const HOLDOUT15_HANDSHAKE_CPU_MS = 4.4;
/** The client's start in the twin (s): tls-storm-twin.mjs's TWIN_STORM_AT_S (not imported: that script writes on import). */
const TWIN_STORM_AT_S = 1;

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const ms = (s) => `${Math.round(s * 1e6) / 1000}ms`;

for (const e of [...HOLDOUT15_EXPERIMENTS, ...HOLDOUT15B_EXPERIMENTS, ...HOLDOUT15C_EXPERIMENTS]) {
  const sessions = Array.from(
    { length: e.connections },
    (_, i) => `      - { at: ${ms(TWIN_STORM_AT_S + (i * e.paceMs) / 1000)}, lifetime: ${e.stormSeconds}s }`,
  );
  const at = ms(TWIN_STORM_AT_S + e.atMs / 1000);
  const action =
    e.signal === 'reload'
      ? `  - { at: ${at}, do: nginx_reload, backend: nginx, nginx: { worker_processes: ${e.reloadTo} } }`
      : `  - { at: ${at}, do: nginx_quit, backend: nginx }`;
  const yaml = `# Written by calibration/nginx/holdout15-twin.mjs from holdout15.mjs's input, before recording: do not edit.
description: |
  The twin of ${e.name}: ${e.connections} TLS connections paced ${e.paceMs} ms apart (from ${TWIN_STORM_AT_S} s, the
  client's start) to nginx \`listen 443 ssl backlog=${HOLDOUT15_BACKLOG}${e.reuseport ? ' reuseport' : ''}\` with ${e.workers} worker
  process${e.workers > 1 ? 'es' : ''}, TLS ending in nginx${e.upgrade ? ', each client sending a WebSocket upgrade once handshaken' : ''};
  \`nginx -s ${e.signal}\`${e.reloadTo != null ? ` to worker_processes ${e.reloadTo}` : ''} ${e.atMs} ms after the client's start.
  handshake_cpu: the median of the serial RSA-4096 measurements recorded before this round
  (${HOLDOUT15_HANDSHAKE_CPU_MS} ms); the predictions run the twin over a grid of values and read it at
  the recording's own serial measurement (never fitted). Client and nginx share one loopback (RTT 0.1 ms, as
  the tls-storm twins); each client waits for its handshake until the harness stops it (${e.stormSeconds} s)
  and never reconnects within the run.
start: "00:00:00"
warmup: 0s
horizon: ${TWIN_STORM_AT_S + e.stormSeconds}s
sample_interval: 10ms
nginx:
  worker_processes: ${e.workers}
  reuseport: ${e.reuseport}
  # tls-storm.mjs's nginx.conf: events { worker_connections 4096; }
  worker_connections: 4096
  listen_backlog: ${HOLDOUT15_BACKLOG}
app:
  tls:
    terminates: nginx
    handshake_cpu: ${HOLDOUT15_HANDSHAKE_CPU_MS}ms
lb:
  mode: nat
  # The recorder's client's connect() has no timeout of its own (tcp_syn_retries: ≈ 131 s).
  connect_timeout: 60s
kernel:
  hz: 250
  somaxconn: 4096
clients:
  rtt: 0.1ms
  kernel:
    hz: 250
    tcp_syn_retries: 6
    tcp_syn_linear_timeouts: 4
  source_ips: 1
  ws:
    ping_interval: 0
    pong_timeout: 0s
    reconnect: { policy: exponential, base: 1h, cap: 1h }
    scheduled:
${sessions.join('\n')}
backends:
  - name: nginx
timeline:
${action}
`;
  const out = here(`../scenarios/${e.name}.yaml`);
  writeFileSync(out, yaml);
  console.log(`wrote ${out}`);
}
