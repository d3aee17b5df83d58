/**
 * `npm run bench`: first the side-by-side pairs with ../shared/peerbench/ (bench/side-by-side.ts),
 * then each drainsim workload in its own child process, one line per workload and a table; the
 * numbers go to out/bench.json.
 *
 *   node --expose-gc dist/bench/run.js                   pairs, then every workload
 *   node --expose-gc dist/bench/run.js --quick           a ~1-minute version of the pairs only
 *   node --expose-gc dist/bench/run.js <workload ...>    only the named workloads, no pairs
 *   node --expose-gc dist/bench/run.js --workload NAME   the same (npm run bench -- --workload steady-24h)
 *   node --expose-gc dist/bench/run.js --list
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../reports/write-atomic.js';
import type { Measurement } from './measure.js';
import { goals, type Row, sideBySide } from './side-by-side.js';
import { type Workload, workloads } from './workloads.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const OUT_FILE = path.join('out', 'bench.json');

function runInChild(workload: Workload): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    // The child inherits --expose-gc through execArgv, so measure() can GC before timing.
    const child = fork(WORKER, [workload.name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Measurement | undefined;
    child.on('message', (m) => (result = m as Measurement));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result && code === 0) resolve(result);
      else reject(new Error(`workload ${workload.name} failed (exit ${code ?? signal})`));
    });
  });
}

const COLUMNS = ['workload', 'events', 'wall ms', 'M events/s', 'base RSS MB', 'peak RSS MB'];

function row(m: Measurement): string[] {
  return [
    m.name,
    String(m.events),
    m.wallMs.toFixed(0),
    (m.eventsPerSec / 1e6).toFixed(2),
    m.rssBeforeMB.toFixed(0),
    m.peakRssMB.toFixed(0),
  ];
}

function table(rows: string[][], columns = COLUMNS): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--list')) {
    for (const w of workloads)
      console.log(`${w.name.padEnd(16)} ${w.description}${w.onDemand ? ' [by name only]' : ''}`);
    return 0;
  }
  const quick = argv.includes('--quick');
  argv = argv.filter((a) => a !== '--quick');
  // `--workload NAME` (repeatable, or --workload=NAME) names a workload like a bare name does.
  argv = argv.flatMap((a) => {
    if (a === '--workload') return [];
    if (a.startsWith('--workload=')) return [a.slice('--workload='.length)];
    return [a];
  });
  if (argv.some((a) => a.startsWith('--'))) {
    console.error(`unknown option(s): ${argv.filter((a) => a.startsWith('--')).join(', ')}; try --list`);
    return 2;
  }
  const unknown = argv.filter((n) => !workloads.some((w) => w.name === n));
  if (unknown.length > 0) {
    console.error(`unknown workload(s): ${unknown.join(', ')}; try --list`);
    return 2;
  }
  const selected = quick
    ? []
    : argv.length > 0
      ? workloads.filter((w) => argv.includes(w.name))
      : workloads.filter((w) => !w.onDemand);

  const machine = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    platform: `${os.platform()} ${os.release()}`,
  };
  console.log(
    `drainsim bench — node ${machine.node}, ${machine.cpu}, ${machine.cores} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const pairs: Row[] = [];
  let figures: Record<string, number> = {};
  if (quick || argv.length === 0) {
    console.log(`\nside by side with ../shared/peerbench${quick ? ' (--quick)' : ''}:`);
    figures = sideBySide(quick, (r) => {
      pairs.push(r);
      console.log(
        `  ${r.name}: drainsim ${r.drainsim} | reference ${r.reference || '—'} | ${r.ratio || '—'} | ${r.note}`,
      );
    });
    const cells = pairs.map((r) => [r.name, r.drainsim, r.reference, r.ratio, r.note]);
    console.log(`\n${table(cells, ['pair', 'drainsim', 'reference', 'ratio', 'work'])}`);
    console.log(
      `\nissue 14 goals${quick ? ' (--quick: smaller workloads, indicative only)' : ''}:\n${goals(figures).join('\n')}`,
    );
    console.log(
      `load after the pairs: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
  }

  const results: Measurement[] = [];
  for (const w of selected) {
    const m = await runInChild(w);
    results.push(m);
    const [name, events, ms, rate, , peak] = row(m);
    console.log(
      `${name.padEnd(16)} ${events.padStart(9)} events  ${ms.padStart(6)} ms  ${rate.padStart(6)} M/s  peak ${peak} MB`,
    );
  }

  if (results.length > 0) console.log(`\n${table(results.map(row))}`);
  const report = { date: new Date().toISOString(), machine, load: os.loadavg(), quick, pairs, figures, results };
  writeFileAtomic(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${OUT_FILE}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
