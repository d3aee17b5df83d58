// Held-out validation of the kernel model (session 13): recordings of parameter combinations no
// other experiment has (experiments.mjs HOLDOUT_EXPERIMENTS), compared with twins written before
// the recording (scenarios/kernel-holdout-*.yaml; the port figures from kernel-twins.mjs
// runConnectTwin). The same tolerance as compare.mjs: counts ±10 % (0 must be 0), times ±1 s.
// Used by test/calibration/kernel-holdout.test.ts; not part of the README's Calibration table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { firstFailure, judge, median, round, runTwin, SEEDS, window } from '../compare.mjs';
import { runBindTwin, runConnectTwin, runDeadPeerTwin, runSynGiveUpTwin } from '../kernel-twins.mjs';
import { portStats } from './sample.mjs';

/** Seconds per window of the connect and failure counts over time. */
const SPAN = 10;

/** Sum of a per-second timeline series (the count in [t − 1, t)) over samples in (from, to]. */
function modelSum(r, series, from, to) {
  return window(r, series, from + 1e-6, to).reduce((a, b) => a + b, 0);
}

/** Sum of a recorded per-second field over the samples stamped in (from, to]. */
function realSum(data, field, from, to) {
  return data.perSecond.filter((s) => s.t > from && s.t <= to).reduce((a, s) => a + s[field], 0);
}

/**
 * When the real client issued attempt `index` (ms): its tick issues every attempt due by
 * floor(elapsed · rate), so attempt i goes at (i + 1) / rate, not i / rate (lib/worker.mjs). The
 * `connectMs`/`responseMs` stored by data files recorded before this was noticed count from
 * i / rate (one period more); the figures here are taken from the times and indexes.
 */
function issuedMs(data, index) {
  return ((index + 1) * 1000) / data.config.rate;
}

/** A count compared with a scenario twin's figure `key`. */
function scenarioCount(id, figure, real, key) {
  return { id, figure, real, model: ({ scenario }) => scenario.figures[key], kind: 'count' };
}

/** Nearest-rank quantile of sorted `xs` (null if empty). */
function quantile(xs, q) {
  return xs.length === 0 ? null : xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
}

/**
 * The accept-queue runs (config.blocking): what the client saw of a one-worker server whose
 * accept queue overflows — connects, answers and their latency (s, from when each attempt was
 * due) for the answers received within the run, as drainsim's request_latency counts them.
 */
function backlogComparisons(data) {
  const secs = data.config.seconds;
  const answered = data.responses.filter((r) => r.t <= secs * 1000);
  const latency = answered.map((r) => (r.t - issuedMs(data, r.index)) / 1000).sort((a, b) => a - b);
  const rows = [
    // The client's connect() returned (SYN-ACK received); drainsim counts the admitted ones.
    scenarioCount('connects', 'connects (client side)', data.summary.connects, 'upstream_connects.total'),
    scenarioCount('answered', 'answers within the run', answered.length, 'request_latency.count'),
    {
      id: 'latency-mean',
      figure: 'answer latency, mean (s)',
      real: latency.length ? round(latency.reduce((a, b) => a + b, 0) / latency.length) : null,
      model: ({ scenario }) => round(scenario.figures['request_latency.mean']),
      kind: 'time',
    },
  ];
  for (const q of [0.5, 0.95, 0.99]) {
    rows.push({
      id: `latency-p${q * 100}`,
      figure: `answer latency, p${q * 100} (s)`,
      real: quantile(latency, q),
      model: ({ scenario }) => round(scenario.figures[`request_latency.p${q * 100}`]),
      kind: 'time',
    });
  }
  return rows;
}

/**
 * bind(127.0.0.1, 0) before each connect (config.bindAddress): the port comes from
 * inet_csk_find_open_port, so the twin is the kernel twin (kernel-twins.mjs runBindTwin).
 */
function bindComparisons(data) {
  const s = data.summary;
  return [
    {
      id: 'failures',
      figure: 'failed binds/connects',
      real: s.failures,
      model: ({ kernel }) => kernel.failures,
      kind: 'count',
    },
    {
      id: 'connects',
      figure: 'successful connects',
      real: s.connects,
      model: ({ kernel }) => kernel.connects,
      kind: 'count',
    },
    {
      id: 'first-failure',
      figure: 'first failure (s)',
      real: s.firstFailureS,
      model: ({ kernel }) => (kernel.firstFailureS === null ? null : round(kernel.firstFailureS)),
      kind: 'time',
    },
  ];
}

/**
 * Mean, min and max of recorded delays (s) against the kernel twin's `delays`, as rows
 * `<id>-mean` … named `<figure>, mean` ….
 */
function delayRows(delays, id, figure) {
  const stat = (xs, pick) => (xs.length === 0 ? null : round(pick(xs)));
  const picks = [
    ['mean', (xs) => xs.reduce((a, b) => a + b, 0) / xs.length],
    ['min', (xs) => Math.min(...xs)],
    ['max', (xs) => Math.max(...xs)],
  ];
  return picks.map(([name, pick]) => ({
    id: `${id}-${name}`,
    figure: `${figure}, ${name}`,
    real: stat(delays, pick),
    model: ({ kernel }) => stat(kernel.delays, pick),
    kind: 'time',
  }));
}

/**
 * The SYN give-up runs (config.keepFailures): how many connects failed with ETIMEDOUT and when,
 * as delays from when each was due (the kernel twin: kernel-twins.mjs runSynGiveUpTwin).
 */
function synGiveUpComparisons(data) {
  const failed = data.failureLog.filter((f) => f.code === 'ETIMEDOUT');
  const delays = failed.map((f) => (f.t - issuedMs(data, f.index)) / 1000).sort((a, b) => a - b);
  const rows = [
    {
      id: 'etimedout',
      figure: 'connects failed with ETIMEDOUT',
      real: failed.length,
      model: ({ kernel }) => kernel.failures,
      kind: 'count',
    },
  ];
  rows.push(...delayRows(delays, 'giveup', 'connect() gives up after (s)'));
  return rows;
}

/** A recorded TCP counter's growth over the run (lib/dead-peer.py reads the namespace's before the drop and at the end). */
function counterDelta(data, key) {
  const c = data.counters;
  return c ? c.after[key] - c.before[key] : null;
}

/**
 * The dead-peer runs (config.deadPeer, lib/dead-peer.mjs): how many connections noticed their
 * vanished peer and when (s from each one's start: its first unanswered write, SO_KEEPALIVE, or
 * close()), and the segments the kernel sent meanwhile (the namespace's counters).
 */
function deadPeerComparisons(data) {
  const mode = data.config.deadPeer.mode;
  const ended = (data.rows ?? []).filter((r) => r.code === (mode === 'orphan' ? 'GONE' : 'ETIMEDOUT'));
  const delays = ended.map((r) => r.endAt - r.startAt);
  const what = mode === 'orphan' ? 'orphans gone (FIN_WAIT1 ended)' : 'connections ended with ETIMEDOUT';
  const rows = [
    { id: 'ended', figure: what, real: ended.length, model: ({ kernel }) => kernel.failures, kind: 'count' },
  ];
  rows.push(...delayRows(delays, 'noticed', 'dead peer noticed after (s)'));
  const counter = (id, figure, key, twin) =>
    rows.push({ id, figure, real: counterDelta(data, key), model: ({ kernel }) => kernel[twin], kind: 'count' });
  if (mode === 'keepalive')
    counter('keepalive-probes', 'keep-alive probes sent (TCPKeepAlive)', 'TcpExtTCPKeepAlive', 'keepaliveProbes');
  else {
    counter('retrans-segs', 'segments retransmitted (TcpRetransSegs)', 'TcpRetransSegs', 'retransSegs');
    counter('loss-probes', 'tail loss probes (TCPLossProbes)', 'TcpExtTCPLossProbes', 'lossProbes');
  }
  return rows;
}

/** The figures of one held-out recording, with how the twins compute each. */
export function holdoutComparisons(data) {
  if (data.config.deadPeer) return deadPeerComparisons(data);
  if (data.config.keepFailures) return synGiveUpComparisons(data);
  if (data.config.blocking) return backlogComparisons(data);
  if (data.config.bindAddress) return bindComparisons(data);
  const s = data.summary;
  const secs = data.config.seconds;
  const rows = [
    scenarioCount('failures', 'failed connects (EADDRNOTAVAIL)', s.failures, 'upstream_eaddrnotavail.total'),
    scenarioCount('connects', 'successful connects', s.connects, 'upstream_connects.total'),
    {
      id: 'first-failure',
      figure: 'first EADDRNOTAVAIL (s)',
      real: s.firstFailureS,
      model: ({ scenario }) => firstFailure(scenario),
      kind: 'time',
    },
    {
      id: 'time-wait-last-10s',
      figure: 'TIME_WAIT, mean of the last 10 s',
      real: round(
        data.perSecond
          .filter((p) => p.t > secs - 10 && p.t <= secs + 0.5)
          .reduce((a, p, _, xs) => a + p.timeWait / xs.length, 0),
        1,
      ),
      model: ({ scenario }) => {
        const xs = window(scenario, 'time_wait', secs - 10 + 0.5, secs);
        return round(xs.reduce((a, b) => a + b, 0) / xs.length, 1);
      },
      kind: 'count',
    },
  ];
  for (let from = 0; from < secs; from += SPAN) {
    const to = Math.min(secs, from + SPAN);
    rows.push({
      id: `connects-${from}-${to}s`,
      figure: `connects in [${from}, ${to}) s`,
      real: realSum(data, 'connects', from + 0.5, to + 0.5),
      model: ({ scenario }) => modelSum(scenario, 'upstream_connects', from + 0.5, to + 0.5),
      kind: 'count',
    });
  }
  if (data.config.closer === 'client') {
    // Which parity the walk took (__inet_hash_connect: the low end's parity first, the other once
    // that half holds no usable port). Recorded as a share over every connect.
    const p = data.ports.stats;
    rows.push({
      id: 'other-parity',
      figure: "connects on the range's other parity (the walk's second pass)",
      real: Math.round(p.connects * (1 - p.lowEndParityShare)),
      model: ({ kernel }) => {
        const q = portStats(kernel.connects, kernel.range);
        return Math.round(q.connects * (1 - q.lowEndParityShare));
      },
      kind: 'count',
    });
  }
  return rows;
}

/** The twins of one held-out experiment for one seed: the scenario twin and the kernel twin. */
export function twinRuns(data, seed) {
  const c = data.config;
  if (c.deadPeer) return { scenario: null, kernel: runDeadPeerTwin(data, seed) };
  if (c.keepFailures) return { scenario: null, kernel: runSynGiveUpTwin(data, seed) };
  if (c.bindAddress) return { scenario: null, kernel: runBindTwin(data, seed) };
  return {
    scenario: runTwin(data.experiment, seed),
    kernel: c.closer === 'client' && !c.blocking ? runConnectTwin(data, seed) : null,
  };
}

/** A recording's name: its data file's (holdoutFiles), else its experiment's. */
export function holdoutLabel(data) {
  return data.label ?? data.experiment;
}

/**
 * The data files of the held-out experiments that exist, each name then its SCHED_FIFO
 * recordings (run.mjs --rt: `-rt`, and `-rt-run0`, an earlier one under `chrt -f 10`), each
 * labelled with its file name.
 */
export function holdoutFiles(names) {
  const file = (n) => fileURLToPath(new URL(`../data/${n}.json`, import.meta.url));
  return names
    .flatMap((n) => [n, `${n}-rt-run0`, `${n}-rt`])
    .filter((n) => existsSync(file(n)))
    .map((n) => ({ ...JSON.parse(readFileSync(file(n), 'utf8')), label: n }));
}

/** Every held-out recording's rows, the model figure a median over `seeds`. */
export function compareHoldout(dataFiles, seeds = SEEDS) {
  const out = [];
  for (const data of dataFiles) {
    const runs = seeds.map((seed) => twinRuns(data, seed));
    const experiment = holdoutLabel(data);
    for (const row of holdoutComparisons(data)) {
      const model = median(runs.map((r) => row.model(r)));
      out.push({ ...row, experiment, model, ...judge(row.kind, row.real, model) });
    }
  }
  return out;
}

/**
 * The dead-peer recordings (session 15): each experiment's run with the drop on the input hook
 * (`-rt`: the segments leave the sender, as towards a host that is gone) and its first run with
 * the drop on the sender's own output hook (`-outputdrop-rt`: its transmissions fail locally).
 */
export function deadPeerFiles(names) {
  const file = (n) => fileURLToPath(new URL(`../data/${n}.json`, import.meta.url));
  return names
    .flatMap((n) => [`${n}-rt`, `${n}-outputdrop-rt`])
    .filter((n) => existsSync(file(n)))
    .map((n) => ({ ...JSON.parse(readFileSync(file(n), 'utf8')), label: n }));
}

export const DEAD_PEER_README_START =
  '<!-- dead-peer-table: generated by `node calibration/lib/holdout.mjs --readme`; do not edit -->';
export const DEAD_PEER_README_END = '<!-- dead-peer-table end -->';

export const HOLDOUT_README_START =
  '<!-- holdout-table: generated by `node calibration/lib/holdout.mjs --readme`; do not edit -->';
export const HOLDOUT_README_END = '<!-- holdout-table end -->';

/**
 * A generated README table's text, cell by cell (biome pads the columns when it formats the
 * README), for the tests that check it is current.
 */
export function tableCells(text) {
  return text
    .trim()
    .split('\n')
    .map((line) => line.replace(/ *\| */g, '|').replace(/-+/g, '-'));
}

/** The held-out comparison as Markdown (calibration/README.md, between the markers above). */
export function holdoutTable(rows, gaps = {}, predictions = {}) {
  const lines = ['| experiment | figure | real | predicted | drainsim now | error |', '|---|---|---:|---:|---:|---:|'];
  const show = (x) => (x === null || x === undefined ? 'none' : `${x}`);
  for (const r of rows) {
    const gap = gaps[`${r.experiment}/${r.id}`] ? ' (gap‡)' : '';
    const predicted = predictions[r.experiment.replace(/(-outputdrop)?-rt(-run0)?$/, '')]?.[r.id];
    const name = r.experiment.replace('kernel-holdout-', '');
    lines.push(
      `| ${name} | ${r.figure}${gap} | ${show(r.real)} | ${show(predicted)} | ${show(r.model)} | ${r.error}${r.ok ? '' : ' ✗'} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--readme')) {
  // node calibration/lib/holdout.mjs --readme: the table into calibration/README.md (needs dist/).
  const { BACKLOG_EXPERIMENTS, DEAD_PEER_EXPERIMENTS, HOLDOUT_EXPERIMENTS, SYN_GIVEUP_EXPERIMENTS } = await import(
    '../experiments.mjs'
  );
  const { DEAD_PEER_GAPS } = await import('./holdout-gaps.mjs');
  const { HOLDOUT_GAPS } = await import('./holdout-gaps.mjs');
  const file = (p) => fileURLToPath(new URL(p, import.meta.url));
  const data = holdoutFiles(
    [...HOLDOUT_EXPERIMENTS, ...BACKLOG_EXPERIMENTS, ...SYN_GIVEUP_EXPERIMENTS].map((e) => e.name),
  );
  const predictions = JSON.parse(readFileSync(file('./holdout-predictions.json'), 'utf8'));
  const table = holdoutTable(compareHoldout(data), HOLDOUT_GAPS, predictions);
  const deadPeer = deadPeerFiles(DEAD_PEER_EXPERIMENTS.map((e) => e.name));
  const deadPeerTable = holdoutTable(compareHoldout(deadPeer), DEAD_PEER_GAPS, predictions);
  const readmePath = file('../README.md');
  let readme = readFileSync(readmePath, 'utf8');
  for (const [start, end, text] of [
    [HOLDOUT_README_START, HOLDOUT_README_END, table],
    [DEAD_PEER_README_START, DEAD_PEER_README_END, deadPeerTable],
  ]) {
    const a = readme.indexOf(start);
    const b = readme.indexOf(end);
    if (a < 0 || b < a) throw new Error(`calibration/README.md has no ${start} markers`);
    readme = `${readme.slice(0, a + start.length)}\n${text}\n${readme.slice(b)}`;
  }
  writeFileSync(readmePath, readme);
}
