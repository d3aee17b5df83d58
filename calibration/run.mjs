#!/usr/bin/env node
// npm run calibrate [-- --only <substring>] [--parallel <n>] [--out <dir>] [--rt <prio>]
// Runs the experiments of experiments.mjs on this machine's kernel and writes
// calibration/data/<experiment>.json. Needs root and iproute2 (ip, ss).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXPERIMENTS } from './experiments.mjs';
import { runExperiment } from './lib/experiment.mjs';
import { cleanupAll, namespaceSupport } from './lib/netns.mjs';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    parallel: { type: 'string', default: '2' },
    out: { type: 'string', default: fileURLToPath(new URL('./data', import.meta.url)) },
    rt: { type: 'string' },
  },
});

// --rt <prio>: the harness (all its threads) under SCHED_FIFO, inherited by every process it
// starts (client, server, ss), so CPU load from elsewhere does not delay their timers; the data
// file is <name>-rt.json and its stamp says which policy ran (as nginx/run.mjs --rt).
const rt = values.rt ? Number(values.rt) : null;
if (rt !== null) {
  if (!Number.isInteger(rt) || rt < 1 || rt > 99) {
    console.error(`calibrate: --rt wants a SCHED_FIFO priority 1–99, got ${values.rt}`);
    process.exit(2);
  }
  execFileSync('chrt', ['-a', '-f', '-p', String(rt), String(process.pid)]);
}
const suffix = rt !== null ? '-rt' : '';

const support = namespaceSupport();
if (!support.ok) {
  console.error(`calibrate: cannot create network namespaces: ${support.reason}`);
  process.exit(2);
}

const selected = EXPERIMENTS.filter((e) => !values.only || e.name.includes(values.only));
const parallel = Math.max(1, Number(values.parallel));
mkdirSync(values.out, { recursive: true });

let next = 0;
let failed = 0;
async function lane(id) {
  while (next < selected.length) {
    const n = next++;
    const config = { ...selected[n], tag: String(n + 1), serverPort: 8080 + n };
    const t = Date.now();
    console.log(`[lane ${id}] ${config.name}: ${config.seconds} s …`);
    try {
      const data = await (config.run ?? runExperiment)(config);
      const file = join(values.out, `${config.name}${suffix}.json`);
      writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
      const s = data.summary;
      console.log(
        `[lane ${id}] ${config.name} done in ${Math.round((Date.now() - t) / 1000)} s: ` +
          `${s.connects} connects (${s.achievedAttemptRate}/s attempted), ${s.failures} failures` +
          (s.plateau
            ? `, TIME_WAIT plateau ${s.plateau.timeWait} = ${s.plateau.ratioToRateTimes60s} × rate × 60 s`
            : ''),
      );
    } catch (err) {
      failed++;
      console.error(`[lane ${id}] ${config.name} failed: ${err.stack ?? err}`);
    }
  }
}

try {
  await Promise.all(Array.from({ length: Math.min(parallel, selected.length) }, (_, i) => lane(i + 1)));
} finally {
  cleanupAll();
}
process.exit(failed ? 1 : 0);
