// Where a small `drainsim run` spends its CPU (issue 14 start-up): whole processes against
// `node -e 0`, then one process's phases, cold and again warm (the same run repeated in-process,
// after V8 has compiled and optimized the code).
//   node scripts/startup-phases.mjs [scenario] [repeats]     (after npm run build)
// Whole processes: CPU = user + sys of the child (bench/rusage.py, as `npm run bench`), best of
// `repeats`, the sides alternating. Phases: process.cpuUsage() between steps; the module phase
// imports dist/'s modules (the bundle's loading is in the whole-process figures).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMeasured } from '../dist/bench/child.js';

const root = join(import.meta.dirname, '..');
const [scenario = 'deep-check-slow-db', repeatsArg = '5'] = process.argv.slice(2).filter((a) => a !== '--phases');
const out = mkdtempSync(join(tmpdir(), 'drainsim-startup-'));

/** The child: one scenario's phases, three times in one process, as JSON on stdout. */
async function phases() {
  const cpuMs = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const rounds = [];
  let t = cpuMs();
  const lap = () => {
    const now = cpuMs();
    const ms = now - t;
    t = now;
    return Math.round(ms);
  };
  const { limitHeapGrowth } = await import('../dist/sim/util/heap-growth.js');
  limitHeapGrowth();
  const { loadForRun } = await import('../dist/sim/cli/simulate.js');
  const { runScenario } = await import('../dist/sim/run-scenario.js');
  const { checkExpectations } = await import('../dist/sim/expect/check.js');
  const { fileFormatNames, writeReportsFor } = await import('../dist/reports/by-format.js');
  const modules = lap();
  for (let i = 0; i < 3; i++) {
    const { loaded, scenario: s, limits } = loadForRun({ scenario });
    const load = lap();
    const result = runScenario(s, { file: loaded.file, budget: { ...limits, file: loaded.file } });
    const simulate = lap();
    result.expectations = checkExpectations(result, s.expect, loaded.file);
    const sink = { write: () => true };
    await writeReportsFor(result, {
      outDir: out,
      formats: [...fileFormatNames],
      stdout: sink,
      color: false,
      verbose: false,
    });
    const write = lap();
    rounds.push({ load, simulate, write, events: result.engineEvents });
  }
  process.stdout.write(`${JSON.stringify({ modules, rounds })}\n`);
}

if (process.argv.includes('--phases')) {
  await phases();
} else {
  try {
    const repeats = Number(repeatsArg);
    const bin = join(root, 'bin', 'drainsim.js');
    const run = ['run', scenario, '--format', 'none', '--out', out];
    const sides = {
      'node -e 0': [process.execPath, ['-e', '0'], {}],
      [`drainsim run ${scenario}`]: [process.execPath, [bin, ...run], {}],
      '  same, without the bundle (DRAINSIM_BUNDLE=0)': [process.execPath, [bin, ...run], { DRAINSIM_BUNDLE: '0' }],
      'drainsim --version': [process.execPath, [bin, '--version'], {}],
    };
    const best = {};
    for (let r = 0; r < repeats; r++) {
      for (const [name, [cmd, args, env]] of Object.entries(sides)) {
        const cpu = runMeasured(cmd, args, env).cpuS;
        best[name] = Math.min(best[name] ?? Infinity, cpu);
      }
    }
    const node = best['node -e 0'];
    console.log(`Whole processes, CPU (user + sys), best of ${repeats} alternating:`);
    for (const [name, cpu] of Object.entries(best)) {
      console.log(`  ${name.padEnd(48)} ${cpu.toFixed(3)} s  ${(cpu / node).toFixed(1)}× node -e 0`);
    }
    const child = runMeasured(process.execPath, [join(root, 'scripts', 'startup-phases.mjs'), scenario, '--phases']);
    const p = JSON.parse(child.stdout.trim().split('\n').pop());
    console.log(
      `One process (dist/ modules), CPU ms: importing the modules ${p.modules}; ${p.rounds[0].events} events a run`,
    );
    console.log('  round          load scenario  simulate  write outputs');
    p.rounds.forEach((r, i) => {
      const label = ['1 (cold)', '2', '3 (warm)'][i];
      console.log(
        `  ${label.padEnd(14)} ${String(r.load).padStart(13)} ${String(r.simulate).padStart(9)} ${String(r.write).padStart(14)}`,
      );
    });
    const cold = p.rounds[0].simulate;
    console.log(
      `Floor without faster model code: node -e 0 + the cold simulation = ${(node + cold / 1000).toFixed(3)} s, ` +
        `${((node + cold / 1000) / node).toFixed(1)}× node -e 0 (target ≤ 3×); warm, the simulation is ${p.rounds[2].simulate} ms.`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
