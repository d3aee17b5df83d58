/**
 * bin/drainsim.js runs the CLI from dist/drainsim.cjs, the one-file bundle `npm run build` makes
 * with V8's code cache of it (bin/bundle.js, scripts/build-bundle.mjs; issue 14 start-up). The
 * bundle must be the same program as the modules, and the cache must be one V8 accepts under the
 * flags bin/drainsim.js compiles with (or every start pays the whole compile again, silently).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

const ROOT = packageRoot();
const BIN = join(ROOT, 'bin', 'drainsim.js');
const BUNDLE = join(ROOT, 'dist', 'drainsim.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'drainsim-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function drainsim(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI (bin/bundle.js)', () => {
  it('is built, headed by the fingerprint the modules it is made from carry, with a code cache', () => {
    if (!existsSync(BUNDLE)) throw new Error("dist/drainsim.cjs is missing: run 'npm run build' (npm test does) first");
    const entry = readFileSync(join(ROOT, 'dist/sim/cli/main.js'), 'utf8').split('\n').at(-2);
    expect(entry).toMatch(/^\/\/ drainsim bundle [0-9a-f]{64}$/);
    expect(readFileSync(BUNDLE, 'utf8').split('\n', 1)[0]).toBe(entry);
    expect(statSync(`${BUNDLE}.cache`).size).toBeGreaterThan(100_000);
  });

  it('is not used once tsc has rewritten the modules after it (tsc ran, the bundle step did not)', () => {
    // A copy of the package: tsc writes into the copy's dist/, not into the dist/ other tests run.
    const pkg = join(tmp, 'tsc-after-bundle');
    for (const part of ['package.json', 'bin', 'dist', 'scenarios', 'schema'])
      cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const probe = [
      "import { loadBundle } from './bin/bundle.js';",
      "process.env.DRAINSIM_JIT_TUNING = '0';",
      'console.log(typeof loadBundle()?.main);',
    ].join('\n');
    const bundleLoads = () => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: pkg, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.trim();
    };
    expect(bundleLoads()).toBe('function');
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(pkg, 'dist')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(tsc.status, tsc.stdout).toBe(0);
    expect(bundleLoads()).toBe('undefined');
    // bin/drainsim.js then runs the modules, which do the same.
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'drainsim.js'), 'list'], { cwd: pkg, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hard-cut /m);
  }, 120_000);

  it("loads with its cache accepted under bin/drainsim.js's V8 flags", () => {
    // What bin/drainsim.js does before it loads the bundle, then whether V8 took the cache.
    const probe = [
      "import { limitHeapGrowth } from './dist/sim/util/heap-growth.js';",
      "import { loadBundle } from './bin/bundle.js';",
      'limitHeapGrowth();',
      'const loaded = loadBundle();',
      'console.log(JSON.stringify({ main: typeof loaded?.main, rejected: loaded?.script.cachedDataRejected }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ main: 'function', rejected: false });
  });

  // deep-check-slow-db: the L7 balancer, health checks, every writer; bare-ws-drain: the smallest
  // built-in (the start-up bench's run), WebSockets straight to the servers.
  it.each(['deep-check-slow-db', 'bare-ws-drain'])(
    '%s: writes the same outputs and prints the same text as the modules (DRAINSIM_BUNDLE=0)',
    (scenario) => {
      const sides = ['bundle', 'modules'].map((side) => {
        const out = join(tmp, `${scenario}-${side}`);
        const r = drainsim(['run', scenario, '--out', out], side === 'modules' ? { DRAINSIM_BUNDLE: '0' } : {});
        const files = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
        return { ...r, stdout: r.stdout.replaceAll(out, '<out>'), files };
      });
      expect(sides[0]!.code).toBe(0);
      expect(Object.keys(sides[0]!.files).sort()).toEqual([
        'events.log',
        'report.html',
        'summary.json',
        'timeline.csv',
      ]);
      expect(sides[0]).toEqual(sides[1]);
    },
    60_000,
  );

  it("holds yargs' own files and parses, lays out help and rejects as the modules do", () => {
    // Bundled by scripts/build-bundle.mjs through load-yargs.ts's load(); a changed load() fails the build.
    expect(readFileSync(BUNDLE, 'utf8')).toContain('"node_modules/yargs/build/lib/yargs-factory.js": () =>');
    for (const argv of [
      ['run', '--help'],
      ['run', 'hard-cut', '--sed', '3'],
      ['run'],
      ['validate', 'scenarios/hard-cut.yaml'],
      ['show', 'hard-cut', '--format', 'json'],
    ]) {
      const bundled = drainsim(argv);
      expect(bundled, argv.join(' ')).toEqual(drainsim(argv, { DRAINSIM_BUNDLE: '0' }));
      expect(bundled.stdout.length + bundled.stderr.length, argv.join(' ')).toBeGreaterThan(20);
    }
  }, 60_000);

  it('holds hdr-histogram-js and runs without requiring any file from node_modules', () => {
    // scripts/build-bundle.mjs turns histogram.ts's createRequire of it into a require esbuild follows.
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text).toContain('"node_modules/hdr-histogram-js/dist/Int32Histogram.js"(');
    expect(text).not.toContain('("hdr-histogram-js/dist/Int32Histogram.js")');
    const out = join(tmp, 'no-node-modules');
    const probe = [
      "import { createRequire } from 'node:module';",
      "import { limitHeapGrowth } from './dist/sim/util/heap-growth.js';",
      "import { loadBundle } from './bin/bundle.js';",
      'limitHeapGrowth();',
      'const sink = { write: () => true };',
      `const code = await loadBundle().main(['run', 'deep-check-slow-db', '--out', ${JSON.stringify(out)}], { stdout: sink, stderr: sink, isTTY: false });`,
      "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('node_modules'));",
      'console.log(JSON.stringify({ code, loaded }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, loaded: [] });
  }, 60_000);

  it('runs the smallest built-in with every function it calls in the code cache, resolving no module and loading no node:crypto', () => {
    // scripts/build-bundle.mjs makes the cache after warm-up runs that include this one (V8 caches
    // only functions compiled by then): the run compiles nothing new, so the cache it would make
    // afterwards is the same size. Module resolution (yargs' files, uPlot's assets) is done at
    // build time, and seedrandom's node:crypto is not loaded (issue 14 start-up).
    const out = join(tmp, 'covered');
    const probe = [
      "import Module from 'node:module';",
      "import { limitHeapGrowth } from './dist/sim/util/heap-growth.js';",
      "import { loadBundle } from './bin/bundle.js';",
      'limitHeapGrowth();',
      'const loaded = loadBundle();',
      'const before = loaded.script.createCachedData().length;',
      'const resolved = [];',
      'const resolve = Module._resolveFilename;',
      'Module._resolveFilename = function (request, ...rest) {',
      '  if (!Module.isBuiltin(request)) resolved.push(request);',
      '  return resolve.call(this, request, ...rest);',
      '};',
      "process.env.DRAINSIM_JIT_TUNING = '0';",
      'const sink = { write: () => true };',
      `const code = await loaded.main(['run', 'bare-ws-drain', '--out', ${JSON.stringify(out)}], { stdout: sink, stderr: sink, isTTY: false });`,
      'const grown = loaded.script.createCachedData().length - before;',
      "const crypto = process.moduleLoadList.includes('NativeModule crypto');",
      'console.log(JSON.stringify({ code, rejected: loaded.script.cachedDataRejected, grown, resolved, crypto }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, rejected: false, grown: 0, resolved: [], crypto: false });
  }, 60_000);

  it('is ASCII alone, so bin/bundle.js reads it as latin1 (the same text as UTF-8)', () => {
    const bytes = readFileSync(BUNDLE);
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
  });

  it("finds the package's own files from the bundle (each module keeps its import.meta.url)", () => {
    const r = drainsim(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hard-cut /m);
    const bad = drainsim(['run', 'no-such-scenario-anywhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("scenario 'no-such-scenario-anywhere' not found");
  });
});
