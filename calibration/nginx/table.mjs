#!/usr/bin/env node
// node calibration/nginx/table.mjs [data dir] — the recorded nginx figures as a Markdown table,
// generated from calibration/data/nginx-*.json (never typed by hand).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? fileURLToPath(new URL('../data', import.meta.url));
const j = (x) => JSON.stringify(x).replaceAll('"', '').replaceAll(',', ', ').replaceAll('|', '/');

function tunnelRows(s) {
  return Object.entries(s.tunnels).map(([id, t]) => [
    `tunnel ${id}`,
    t.opened
      ? `open ${t.openedS}–${t.closedS} s (${t.lifetimeS} s), client saw ${t.clientSaw}`
      : `not opened: ${t.clientSaw}`,
  ]);
}

function generationRows(s) {
  return s.generations.map((g) => [
    `worker ${g.pid}`,
    `started ${g.startedS} s, shutting down ${g.shuttingDownFromS ?? '—'} s, gone by ${g.goneS ?? '—'} s`,
  ]);
}

/** The TLS storm against the listen backlog (tls-storm.mjs): its inputs and what got in when. */
function tlsStormRows(s) {
  const st = s.storm;
  return [
    ['workers, backlog (accept queue holds)', `${s.workers}, ${s.backlog} (${s.acceptQueueHolds})`],
    [
      'handshake CPU, serial (ms of worker CPU)',
      `${s.handshakeCpuMs} (±${s.handshakeCpuResolutionMs}; storm ${st.workerCpuMsPerHandshake})`,
    ],
    ['connections, opened within (s)', `${st.connections}, ${st.connectsIssuedWithinS}`],
    [
      'TCP connect latency (s)',
      `median ${st.connectLatencyS.median}, max ${st.connectLatencyS.max}; by second ${j(st.connectLatencyBySecond)}`,
    ],
    ['handshakes done by (s)', j(st.handshakesDoneBy)],
    ['rounds of handshakes (from–to s: n)', st.rounds.map((r) => `${r.fromS}–${r.toS}: ${r.n}`).join(', ')],
    ['kernel counters (difference)', j(s.counters)],
  ];
}

/** The figures of one data file: [figure, value]. */
export function figures(data) {
  const s = data.summary;
  const rows = [];
  if (data.experiment.includes('tunnel-timeout')) {
    rows.push(['proxy_read_timeout (s)', `${s.proxyReadTimeoutS}`], ...tunnelRows(s));
  } else if (data.experiment.endsWith('-tunnel') || data.experiment.includes('-tunnel-wst')) {
    rows.push(['signals at (s)', s.signals.map((a) => `${a.signal} ${a.s}`).join(', ')]);
    rows.push(['worker_shutdown_timeout (s)', `${s.workerShutdownTimeoutS ?? 'off'}`]);
    rows.push(...tunnelRows(s), ...generationRows(s));
    rows.push(['master exited (s)', `${s.masterExitedS ?? 'no'}`]);
    rows.push(['old generations at once (max)', `${s.maxWorkersShuttingDown}`]);
    // Some tunnel recordings ran without the probe client (no summary.probe): no row for them.
    if (s.probe) {
      rows.push([
        'probe (1 req / 0.5 s)',
        `${j(s.probe.requests)}; connect failures ${j(s.probe.connectFailures)} from ${s.probe.firstConnectFailureS ?? '—'} s`,
      ]);
    }
  } else if (data.experiment.includes('tls-storm')) {
    rows.push(...tlsStormRows(s));
  } else if (data.experiment.includes('reload-keepalive')) {
    rows.push(['reload at (s)', `${s.reloadS}`]);
    rows.push([
      'idle keepalive connections closed within 1 s / 5 s of the reload',
      `${s.idleClosedWithin1s} / ${s.idleClosedWithin5s} of ${s.idleConnections} (${j(s.idleCloseHow)})`,
    ]);
    rows.push(['idle close lag after the signal (ms)', j(s.idleCloseLagMs)]);
    rows.push(['busy requests (rate /s)', `${s.busyRequests} (${s.busyRate})`]);
    rows.push(['requests in flight at the QUIT → outcome', `${s.inFlightAtQuit} → ${j(s.inFlightOutcomes)}`]);
    rows.push(['all busy outcomes', j(s.busyOutcomes)]);
    rows.push(...generationRows(s));
  } else if (data.experiment.includes('upstream-keepalive-race')) {
    rows.push(['backend closes idle connections after (ms)', `${s.backendClosesIdleAfterMs}`]);
    for (const x of Object.values(s.groups)) {
      rows.push([`${x.method}: client statuses`, `${x.requests} requests: ${j(x.statuses)}`]);
    }
    rows.push(['upstream connections opened', `${s.backendConnections}`]);
    for (const [k, n] of Object.entries(s.errorLog)) rows.push([`error.log: ${k}`, `${n}`]);
  } else if (data.experiment.includes('keepalive-race')) {
    rows.push(['keepalive_timeout (s)', `${s.keepaliveTimeoutS}`]);
    for (const [_g, x] of Object.entries(s.groups)) {
      rows.push([
        `think ${x.thinkMs} ms (${x.connections} conns)`,
        `${x.thinkCycles} cycles: ${j(x.outcomes)}; shares ${j(x.shares)}; think p5/median/p95 ${x.achievedThinkMs ? `${x.achievedThinkMs.p5}/${x.achievedThinkMs.median}/${x.achievedThinkMs.p95}` : '—'} ms`,
      ]);
    }
  }
  const late = (x) => (x ? `${x.p5}…${x.p95} (median ${x.median}, max ${x.max}; n ${x.n})` : null);
  for (const [key, label] of [
    ['clientTimerLateMs', 'client timer lateness (ms, p5…p95)'],
    ['busyThinkLateMs', 'busy client timer lateness (ms, p5…p95)'],
    ['backendIdleCloseLateMs', "node's idle close lateness (ms, p5…p95)"],
  ]) {
    if (late(s[key])) rows.push([label, late(s[key])]);
  }
  for (const [g, x] of Object.entries(s.groups ?? {})) {
    if (late(x.clientTimerLateMs)) rows.push([`${g}: client timer lateness (ms, p5…p95)`, late(x.clientTimerLateMs)]);
    if (late(x.nginxFinLateMs))
      rows.push([`${g}: nginx FIN after response + keepalive_timeout (ms)`, late(x.nginxFinLateMs)]);
  }
  rows.push(['scheduling', data.stamp.scheduling?.requested ?? 'default (not recorded)']);
  // loadavgAtStart since the SCHED_FIFO runs; older files have only `loadavg`, read after the run.
  rows.push([
    data.stamp.loadavgAtStart ? 'load average at start' : 'load average (after the run)',
    (data.stamp.loadavgAtStart ?? data.stamp.loadavg).split(' ').slice(0, 3).join(' '),
  ]);
  return rows;
}

export function markdownTable(dataFiles) {
  const lines = ['| experiment | figure | real |', '|---|---|---|'];
  for (const data of dataFiles) {
    for (const [figure, value] of figures(data)) lines.push(`| ${data.experiment} | ${figure} | ${value} |`);
  }
  const versions = [
    ...new Set(dataFiles.map((d) => `${d.stamp.nginx}, Linux ${d.stamp.kernel}, node ${d.stamp.node}`)),
  ];
  lines.push(
    '',
    `Recorded with ${versions.join('; ')} (${dataFiles.map((d) => d.stamp.date.slice(0, 10)).sort()[0]}).`,
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('nginx-') && f.endsWith('.json'))
    .sort();
  // Held-out rounds' prediction files share the prefix but are not recordings (no experiment, no stamp);
  // a mechanism recording with its own test and no harness summary (nginx-implicit-upstream) has no row here.
  const recordings = files
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .filter((d) => d.experiment && d.summary);
  console.log(markdownTable(recordings));
}
