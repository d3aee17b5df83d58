// Where a small `drainsim run` spends its CPU (issue 14 start-up): whole processes against
// `node -e 0`, then one process's phases, cold and again warm (the same run repeated in-process,
// after V8 has compiled and optimized the code).
//   node scripts/startup-phases.mjs [scenario] [repeats]     (after npm run build)
// Whole processes: CPU = user + sys of the child (bench/rusage.py, as `npm run bench`), best of
// `repeats`, the sides alternating. Phases: process.cpuUsage() between steps; the module phase
// imports dist/'s modules (the bundle's loading is in the whole-process figures).
// The "startup snapshot" row is a probe, not how bin/drainsim.js starts: Node 20's userland
// snapshot (`node --snapshot-blob <blob> --build-snapshot <entry>`) of the bundle after one warm-up
// run, started as `node --snapshot-blob <blob> run ...`. bin/drainsim.js cannot use one: a snapshot
// is chosen by node's command line, so a JS launcher would start a second node (README Benchmarks,
// session 11).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMeasured } from '../dist/bench/child.js';
import { HEAP_GROWING_PERCENT, SEMI_SPACE_GROWTH_FACTOR } from '../dist/sim/util/heap-growth.js';

const root = join(import.meta.dirname, '..');
const [scenario = 'bare-ws-drain', repeatsArg = '5'] = process.argv.slice(2).filter((a) => a !== '--phases');
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

/**
 * Builds the probe's snapshot in `dir`: the bundle's modules initialized and one warm-up run done
 * (its compiled bytecode kept), main() as the snapshot's entry. V8 refuses a snapshot made under
 * other flags than the process starting from it, so the heap flags are set only on deserialization
 * and the warm-up runs without the short-run JIT flags (DRAINSIM_JIT_TUNING=0), as the code cache's.
 */
function buildSnapshot(dir) {
  const bundle = join(root, 'dist', 'drainsim.cjs');
  const heapFlags = [
    `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    `--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`,
  ];
  const entry = [
    "const v8 = require('node:v8');",
    "const { join } = require('node:path');",
    "const { pathToFileURL } = require('node:url');",
    'const module = { exports: {} };',
    `(function (exports, require, module, __filename, __dirname, __drainsimModuleUrl) {${readFileSync(bundle, 'utf8')}\n})(`,
    `  module.exports, require, module, ${JSON.stringify(bundle)}, ${JSON.stringify(join(root, 'dist'))},`,
    `  (rel) => pathToFileURL(join(${JSON.stringify(root)}, rel)).href);`,
    'const { main } = module.exports;',
    "process.env.DRAINSIM_JIT_TUNING = '0';",
    'const sink = { write: () => true };',
    `main(['run', ${JSON.stringify(scenario)}, '--format', 'none', '--out', ${JSON.stringify(join(dir, 'warm-up'))}], { stdout: sink, stderr: sink, isTTY: false })`,
    '  .then((code) => { if (code !== 0) throw new Error(`warm-up exited ${code}`); delete process.env.DRAINSIM_JIT_TUNING; });',
    'v8.startupSnapshot.setDeserializeMainFunction(async () => {',
    `  for (const flag of ${JSON.stringify(heapFlags)}) v8.setFlagsFromString(flag);`,
    // Started as `node --snapshot-blob <blob> <args>`, process.argv is [node, ...args].
    '  process.exitCode = await main(process.argv.slice(1));',
    '  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();',
    '});',
  ].join('\n');
  const entryFile = join(dir, 'snapshot-entry.cjs');
  writeFileSync(entryFile, entry);
  const blob = join(dir, 'drainsim.blob');
  const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entryFile], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`node --build-snapshot failed: ${built.stderr}`);
  return blob;
}

if (process.argv.includes('--phases')) {
  try {
    await phases();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
} else {
  const snapshotDir = mkdtempSync(join(tmpdir(), 'drainsim-snapshot-'));
  try {
    const repeats = Number(repeatsArg);
    const bin = join(root, 'bin', 'drainsim.js');
    const run = ['run', scenario, '--format', 'none', '--out', out];
    const sides = {
      'node -e 0': [process.execPath, ['-e', '0'], {}],
      [`drainsim run ${scenario}`]: [process.execPath, [bin, ...run], {}],
      '  same, without the bundle (DRAINSIM_BUNDLE=0)': [process.execPath, [bin, ...run], { DRAINSIM_BUNDLE: '0' }],
      'drainsim --version': [process.execPath, [bin, '--version'], {}],
      '  same run, from a startup snapshot (probe)': [
        process.execPath,
        ['--snapshot-blob', buildSnapshot(snapshotDir), ...run],
        {},
      ],
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
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}
