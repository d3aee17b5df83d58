#!/usr/bin/env node
// node calibration/nginx/run.mjs [--only <substring>] [--out <dir>] [--resummarise] [--rt <prio>]
// Runs the nginx experiments one at a time (their timings are the point) and writes
// calibration/data/<experiment>.json. Needs root, iproute2 and nginx (/usr/sbin/nginx or $NGINX_BIN).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupAll, namespaceSupport } from '../lib/netns.mjs';
import { CLOSE_RACE_EXPERIMENTS } from './close-race.mjs';
import { runNginxExperiment } from './experiment.mjs';
import { NGINX_EXPERIMENTS as RECORDED } from './experiments.mjs';
import { HOLDOUT_EXPERIMENTS } from './holdout-experiments.mjs';
import { HOLDOUT3_EXPERIMENTS } from './holdout3-experiments.mjs';
import { HOLDOUT4_EXPERIMENTS } from './holdout4-experiments.mjs';
import { HOLDOUT7_EXPERIMENTS } from './holdout7-experiments.mjs';
import { HOLDOUT8_EXPERIMENTS } from './holdout8-experiments.mjs';
import { HOLDOUT10_EXPERIMENTS } from './holdout10-experiments.mjs';
import { HOLDOUT13_EXPERIMENTS, HOLDOUT13B_EXPERIMENTS } from './holdout13-experiments.mjs';
import { HOLDOUT15_EXPERIMENTS, HOLDOUT15B_EXPERIMENTS, HOLDOUT15C_EXPERIMENTS } from './holdout15.mjs';
import { HOLDOUT17_EXPERIMENTS, HOLDOUT17B_EXPERIMENTS } from './holdout17.mjs';
import { HOLDOUT19_EXPERIMENTS } from './holdout19.mjs';
import { HOLDOUT22_EXPERIMENTS } from './holdout22.mjs';
import { HOLDOUT23_EXPERIMENTS } from './holdout23.mjs';
import { HOLDOUT25_EXPERIMENTS } from './holdout25.mjs';
import { HOLDOUT26C_EXPERIMENTS } from './holdout26.mjs';
import { nginxVersion } from './nginx.mjs';
import { REUSEPORT_EXPERIMENTS } from './reuseport-experiments.mjs';

/** The record's lists written one element a line (events, seconds, connections, samples). */
const LINE_LISTS = ['perSecond', 'clientEvents', 'backendEvents', 'samples', 'queues', 'serial', 'storm', 'accessLog'];

/** JSON with one line per event / per second, so the raw record stays small and greppable. */
function dataText(data) {
  const rest = { ...data };
  const lists = LINE_LISTS.filter((k) => Array.isArray(data[k]));
  for (const k of lists) delete rest[k];
  const lines = (xs) => `[\n${xs.map((x) => `  ${JSON.stringify(x)}`).join(',\n')}\n ]`;
  const head = JSON.stringify(rest, null, 1).replace(/\n}$/, '');
  return `${head},\n${lists.map((k) => ` "${k}": ${lines(data[k])}`).join(',\n')}\n}\n`;
}

// The held-out experiments (parameters no model change was made against) come last, so the
// earlier experiments keep their tags.
const NGINX_EXPERIMENTS = [
  ...RECORDED,
  ...HOLDOUT_EXPERIMENTS,
  ...HOLDOUT3_EXPERIMENTS,
  ...HOLDOUT4_EXPERIMENTS,
  ...REUSEPORT_EXPERIMENTS,
  ...HOLDOUT7_EXPERIMENTS,
  ...HOLDOUT8_EXPERIMENTS,
  ...HOLDOUT10_EXPERIMENTS,
  ...HOLDOUT13_EXPERIMENTS,
  ...HOLDOUT13B_EXPERIMENTS,
  ...HOLDOUT15_EXPERIMENTS,
  ...HOLDOUT15B_EXPERIMENTS,
  ...HOLDOUT15C_EXPERIMENTS,
  ...HOLDOUT17_EXPERIMENTS,
  ...HOLDOUT17B_EXPERIMENTS,
  ...HOLDOUT19_EXPERIMENTS,
  ...HOLDOUT22_EXPERIMENTS,
  ...HOLDOUT23_EXPERIMENTS,
  ...CLOSE_RACE_EXPERIMENTS,
  ...HOLDOUT25_EXPERIMENTS,
  ...HOLDOUT26C_EXPERIMENTS,
];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    // Recompute `summary` of the recorded data files from their events (no experiment is run).
    resummarise: { type: 'boolean', default: false },
    // Real-time scheduling: the harness itself (all its threads) and every process it starts
    // (backend, nginx master and workers, client, `nginx -s`) run SCHED_FIFO at this priority, so
    // their timers fire on time on a loaded machine. The data files get the suffix `-rt`.
    rt: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('../data', import.meta.url)) },
  },
});

if (values.resummarise) {
  for (const experiment of NGINX_EXPERIMENTS) {
    if (values.only && !experiment.name.includes(values.only)) continue;
    // The experiment's files: <name>.json, <name>-rt.json and repeated runs <name>[-rt]-run<n>.json.
    const own = new RegExp(`^${experiment.name}(-rt)?(-run\\d+)?\\.json$`);
    for (const name of readdirSync(values.out)
      .filter((f) => own.test(f))
      .map((f) => f.slice(0, -'.json'.length))) {
      const file = join(values.out, `${name}.json`);
      const data = JSON.parse(readFileSync(file, 'utf8'));
      data.summary = experiment.summarise(data);
      writeFileSync(file, dataText(data));
      console.log(`${name}: ${JSON.stringify(data.summary).slice(0, 300)}`);
    }
  }
  process.exit(0);
}

const support = namespaceSupport();
if (!support.ok) {
  console.error(`calibrate nginx: cannot create network namespaces: ${support.reason}`);
  process.exit(2);
}
if (!nginxVersion()) {
  console.error('calibrate nginx: nginx is not installed (apt-get install nginx-light, or set NGINX_BIN)');
  process.exit(2);
}

const rt = values.rt ? Number(values.rt) : null;
if (rt !== null) {
  if (!Number.isInteger(rt) || rt < 1 || rt > 99) {
    console.error(`calibrate nginx: --rt wants a SCHED_FIFO priority 1–99, got ${values.rt}`);
    process.exit(2);
  }
  execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
}
const suffix = rt !== null ? '-rt' : '';

mkdirSync(values.out, { recursive: true });
let failed = 0;
try {
  for (const [n, experiment] of NGINX_EXPERIMENTS.entries()) {
    if (values.only && !experiment.name.includes(values.only)) continue;
    const t = Date.now();
    console.log(`${experiment.name}: ${experiment.seconds} s …`);
    try {
      const data = await (experiment.run ?? runNginxExperiment)({
        ...experiment,
        name: `${experiment.name}${suffix}`,
        tag: `nginx${n + 1}`,
        rt,
      });
      writeFileSync(join(values.out, `${data.experiment}.json`), dataText(data));
      console.log(
        `${experiment.name} done in ${Math.round((Date.now() - t) / 1000)} s: ${JSON.stringify(data.summary).slice(0, 600)}`,
      );
    } catch (err) {
      failed++;
      console.error(`${experiment.name} failed: ${err.stack ?? err}`);
    }
  }
} finally {
  cleanupAll();
}
process.exit(failed ? 1 : 0);
