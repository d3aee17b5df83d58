#!/usr/bin/env node
// node calibration/nginx/tls-storm-twin.mjs [<data file>…]
// Writes calibration/scenarios/<experiment>.yaml, the drainsim twin of a recorded TLS storm
// (tls-storm.mjs): the recording's nginx.conf settings (worker_processes, worker_connections 4096,
// listen backlog), the handshake CPU measured by its serial phase (never the storm), loopback RTT,
// and one WebSocket session per recorded connection, connecting at the recorded connect() time
// (the storm starts at 1 s). Nothing is fitted; regenerate after a new recording.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** When the storm's first connect() comes in the twin (s). */
export const TWIN_STORM_AT_S = 1;

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const files = process.argv.slice(2);
const inputs = files.length
  ? files
  : readdirSync(here('../data'))
      .filter((f) => f.startsWith('nginx-tls-storm-'))
      .map((f) => here(`../data/${f}`));

for (const file of inputs) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const s = data.summary;
  // The recording machine's kernel, as stamped (tls-storm.mjs): the twin's kernels are that one.
  const sysctl = (k) => Number(data.stamp.sysctls[`net.${k}`]);
  const hz = Number(data.stamp.kernelConfig.CONFIG_HZ);
  const first = Math.min(...data.storm.map((c) => c.start));
  // Microseconds: the connects are ≈ 0.5 ms apart.
  const at = (c) => `${Math.round((TWIN_STORM_AT_S + c.start - first) * 1e6) / 1000}ms`;
  const sessions = data.storm.map((c) => `      - { at: ${at(c)}, lifetime: ${data.config.stormSeconds}s }`);
  const name = basename(file, '.json');
  const yaml = `# Written by calibration/nginx/tls-storm-twin.mjs from calibration/data/${name}.json: do not edit.
description: |
  The twin of ${name}: ${data.config.stormCount} TLS connections opened back to back (at the
  recorded connect() times, from ${TWIN_STORM_AT_S} s) to nginx \`listen 443 ssl backlog=${data.config.backlog}\`
  with ${data.config.workers} worker process${data.config.workers > 1 ? 'es' : ''}, TLS ending in nginx. handshake_cpu is the
  recording's serial measurement (${s.handshakeCpuMs} ms of worker CPU per full handshake,
  RSA-${data.config.rsaBits}, ${Object.keys(s.storm.protocols).join('/')}),
  not fitted to the storm. Client and nginx share one loopback (RTT 0.1 ms); the client connects
  directly (lb.mode nat: its own kernel retransmits its SYNs, tcp_syn_linear_timeouts 4) and waits
  for its handshake until the harness stops it (${data.config.stormSeconds} s).
start: "00:00:00"
warmup: 0s
horizon: ${TWIN_STORM_AT_S + data.config.stormSeconds}s
sample_interval: 50ms
nginx:
  worker_processes: ${data.config.workers}
  # tls-storm.mjs's nginx.conf: events { worker_connections 4096; }
  worker_connections: 4096
  listen_backlog: ${data.config.backlog}
app:
  tls:
    terminates: nginx
    handshake_cpu: ${s.handshakeCpuMs}ms
lb:
  mode: nat
  # The recorded client's connect() has no timeout of its own: it gives up only after
  # tcp_syn_retries (≈ 131 s), beyond the recording.
  connect_timeout: 60s
kernel:
  hz: ${hz}
  somaxconn: ${sysctl('core.somaxconn')}
clients:
  rtt: 0.1ms
  kernel:
    hz: ${hz}
    tcp_syn_retries: ${sysctl('ipv4.tcp_syn_retries')}
    tcp_syn_linear_timeouts: ${sysctl('ipv4.tcp_syn_linear_timeouts')}
  # One client machine: its kernel's timer wheel batches its retransmissions (lb/l4-connect.ts).
  source_ips: 1
  ws:
    ping_interval: 0
    # The harness's client waits for its handshake until it stops (handshake_timeout 0: until the
    # session's lifetime ends).
    pong_timeout: 0s
    handshake_timeout: 0s
    reconnect: { policy: exponential, base: 1h, cap: 1h }
    scheduled:
${sessions.join('\n')}
backends:
  - name: nginx
`;
  const out = join(here('../scenarios'), `${name.replace('-rt', '')}.yaml`);
  writeFileSync(out, yaml);
  console.log(`wrote ${out}`);
}
