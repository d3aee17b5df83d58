// Re-measures the health-check cascade scenarios over seeds (README "Notes on the seeds' figures").
// Usage: npm run build && node scripts/hc-cascade-seeds.mjs [first-seed] [last-seed] [--set key=value …] [-- scenario …]
import { runScenario } from '../dist/sim/run-scenario.js';
import { loadScenario } from '../dist/sim/scenario/load.js';
import { namedScenario } from '../dist/sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../dist/sim/scenario/schema.js';

const args = process.argv.slice(2);
const sets = [];
const names = [];
const numbers = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--set') sets.push(args[++i]);
  else if (/^\d+$/.test(args[i])) numbers.push(Number(args[i]));
  else if (args[i] !== '--') names.push(args[i]);
}
const [first = 1, last = 10] = numbers;
const scenarios = names.length > 0 ? names : ['hc-cascade', 'hc-cascade-safe', 'hc-cascade-fixed'];

const PAUSE_AT = 60; // 10:01
const meanOver = (r, name, from, to) => {
  const si = r.timeline.series.findIndex((s) => s.name === name);
  const total = r.timeline.entities.length - 1;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < r.timeline.t.length; i++) {
    const t = r.timeline.t[i];
    if (r.timeline.entity[i] === total && t > from && t <= to) {
      sum += r.timeline.values[si][i];
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
};
const fmt = (v, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));

console.log(`sets: ${sets.join(' ') || '(none)'}`);
console.log(
  'scenario seed removals first_down_s req_failed goodput[10:03,10:12] goodput[10:16,10:20] full_gcs full_max_s young_p99_ms young_max_ms expect',
);
for (const name of scenarios) {
  for (let seed = first; seed <= last; seed++) {
    const loaded = loadScenario(name, ScenarioSchema, { sets });
    const r = runScenario(namedScenario(loaded), { seed, file: `scenarios/${name}.yaml` });
    const f = r.figures;
    const down = r.events.find((e) => e.record.kind === 'hc.down');
    const passed = r.expectations.filter((e) => e.passed).length;
    console.log(
      [
        name,
        seed,
        f['removals.total'],
        down ? fmt(down.t - PAUSE_AT, 1) : '-',
        f['req_failed.total'],
        fmt(meanOver(r, 'goodput', 180, 720)),
        fmt(meanOver(r, 'goodput', 960, 1200)),
        f['gc_full_pause.count'] ?? '-',
        fmt(f['gc_full_pause.max'], 2),
        fmt((f['gc_young_pause.p99'] ?? NaN) * 1000),
        fmt((f['gc_young_pause.max'] ?? NaN) * 1000),
        `${passed}/${r.expectations.length}`,
      ].join(' '),
    );
  }
}
