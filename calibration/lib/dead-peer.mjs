// Dead-peer detection (session 15, helper kern15): a peer that vanishes on loopback — an nft rule
// in the namespace drops every segment to and from the server port — and when the client's kernel
// notices: retransmission give-up (tcp_retries2, TCP_USER_TIMEOUT), keep-alive probes on an idle
// socket, an orphaned FIN (tcp_orphan_retries). lib/dead-peer.py does the connections; this runs it
// in a fresh namespace with the experiment's sysctls and returns the data file's content.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runStamp } from './experiment.mjs';
import { createNamespace, deleteNamespace, gather, readSysctl, setSysctl, spawnInNamespace } from './netns.mjs';
import { round } from './sample.mjs';

const SCRIPT = fileURLToPath(new URL('./dead-peer.py', import.meta.url));

/** The sysctls that decide dead-peer detection, recorded with every run (values in its namespace). */
export const DEAD_PEER_SYSCTLS = [
  'net.ipv4.tcp_retries1',
  'net.ipv4.tcp_retries2',
  'net.ipv4.tcp_orphan_retries',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_early_retrans',
  'net.ipv4.tcp_sack',
  'net.ipv4.tcp_thin_linear_timeouts',
  'net.ipv4.tcp_rto_min_us',
  'net.ipv4.tcp_rto_max_ms',
];

/** config.deadPeer: { mode, conns, staggerMs, writeMs, userTimeoutMs, dropHook? }; config.seconds bounds the run. */
export async function runDeadPeerExperiment(config) {
  const ns = createNamespace(config.tag ?? config.name);
  const started = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const d = config.deadPeer;
  try {
    for (const [key, value] of Object.entries(config.sysctls)) setSysctl(ns, key, value);
    const sysctls = Object.fromEntries(DEAD_PEER_SYSCTLS.map((k) => [k, readSysctl(ns, k)]));
    const child = spawnInNamespace(ns, [
      'python3',
      SCRIPT,
      String(config.serverPort ?? 8080),
      d.mode,
      String(d.conns),
      String(d.staggerMs),
      String(d.writeMs ?? 0),
      String(d.userTimeoutMs ?? 0),
      String(config.seconds),
      d.dropHook ?? 'input',
    ]);
    const output = gather(child);
    const code = await output.exit;
    if (code !== 0) throw new Error(`dead-peer.py exited ${code}: ${output.err}`);
    const result = JSON.parse(output.out);
    return {
      experiment: config.name,
      description: config.description,
      stamp: runStamp(started, loadAtStart, sysctls),
      config: {
        seconds: config.seconds,
        deadPeer: d,
        serverPort: config.serverPort ?? 8080,
        sysctlsSet: config.sysctls,
      },
      summary: { connects: d.conns, failures: result.rows.filter((r) => r.code !== undefined).length },
      ...result,
    };
  } finally {
    deleteNamespace(ns);
  }
}
