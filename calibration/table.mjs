#!/usr/bin/env node
// node calibration/table.mjs [data dir] — a Markdown table of the recorded real figures, one row
// per figure, generated from calibration/data/*.json (never typed by hand).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? fileURLToPath(new URL('./data', import.meta.url));

/** The figures of one data file: [figure, value]. */
export function figures(data) {
  const s = data.summary;
  const p = data.ports.stats;
  const rows = [];
  if (s.plateau) {
    rows.push(['TIME_WAIT plateau (mean of the last 25 s)', `${s.plateau.timeWait}`]);
    rows.push(['plateau ÷ (rate × 60 s)', `${s.plateau.ratioToRateTimes60s}`]);
    rows.push(['TIME_WAIT held by client / server', `${s.plateau.timeWaitClient} / ${s.plateau.timeWaitServer}`]);
    rows.push(['plateau min … max (sawtooth)', `${s.plateau.timeWaitMin} … ${s.plateau.timeWaitMax}`]);
  }
  if (s.failures > 0 || data.experiment.startsWith('exhaustion')) {
    rows.push(['first EADDRNOTAVAIL (s)', s.firstFailureS === null ? 'none' : `${s.firstFailureS}`]);
    rows.push(['failed connects', `${s.failures}`]);
    if (s.connectRateAfterFirstFailure != null) {
      rows.push(['connects/s after the first failure', `${s.connectRateAfterFirstFailure}`]);
    }
  }
  rows.push(['achieved connects/s', `${s.achievedConnectRate}`]);
  rows.push(['share of ports with the range low-end parity', `${p.lowEndParityShare}`]);
  if (p.walkStepMean !== null) rows.push(['mean port step inside the walk (+1…+64)', `${p.walkStepMean}`]);
  rows.push(['connects reusing a 4-tuple used < 60 s before', `${p.reusedWithin60sShare}`]);
  return rows;
}

export function markdownTable(dataFiles) {
  const lines = ['| experiment | figure | real |', '|---|---|---|'];
  for (const data of dataFiles) {
    for (const [figure, value] of figures(data)) lines.push(`| ${data.experiment} | ${figure} | ${value} |`);
  }
  const kernels = [...new Set(dataFiles.map((d) => d.stamp.kernel))].join(', ');
  lines.push('', `Recorded on Linux ${kernels} (${dataFiles.map((d) => d.stamp.date.slice(0, 10)).sort()[0]}).`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('nginx-')).sort(); // nginx/table.mjs
  const data = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  console.log(markdownTable(data));
}
