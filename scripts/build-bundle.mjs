// Bundles the compiled CLI (dist/sim/cli/main.js and everything it imports, npm packages included)
// into dist/drainsim.cjs and writes V8's code cache of it to dist/drainsim.cjs.cache: see
// bin/bundle.js, which loads them. Run by `npm run build`, after tsc. Nothing is written at run time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, CODE_CACHE, loadBundle } from '../bin/bundle.js';
import { limitHeapGrowth } from '../dist/sim/util/heap-growth.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The run whose compiled functions the code cache keeps: a built-in through scenario loading,
 * validation, the engine, the L7 balancer, health checks and every output writer.
 */
const WARM_UP = ['run', 'deep-check-slow-db', '--format', 'none'];

// Each module's import.meta.url stays its own file's URL (packageRoot(), createRequire(),
// the sweep worker's sibling file resolve from it); bin/bundle.js supplies __drainsimModuleUrl.
const moduleUrls = {
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      if (args.path === HISTOGRAM) {
        if (!text.includes(HDR_REQUIRE))
          throw new Error(`${HISTOGRAM}: its hdr-histogram-js require changed; update build-bundle.mjs`);
        text = text.replace(HDR_REQUIRE, HDR_BUNDLED);
      }
      if (args.path === LOAD_YARGS) {
        if (!text.includes(YARGS_LOAD)) throw new Error(`${LOAD_YARGS}: its load() changed; update build-bundle.mjs`);
        const imports = "import { join as __join, relative as __relative, sep as __sep } from 'node:path';";
        text = `${imports}\n${text.replace(YARGS_LOAD, bundledYargs())}`;
      }
      if (!text.includes('import.meta')) return { contents: text, loader: 'js' };
      const rel = relative(root, args.path).split(sep).join('/');
      // import.meta.resolve has no synchronous equivalent for another file on Node 20. Its one user
      // is yargs' `.config()` `extends` (build/lib/utils/apply-extends.js), which drainsim never
      // calls; if anything ever reached it, it says so instead of resolving differently.
      const noResolve = `((s) => { throw new Error(${JSON.stringify(`${rel} cannot resolve `)} + s + ' from the bundle: run with DRAINSIM_BUNDLE=0'); })`;
      const contents = text
        .replaceAll('import.meta.url', `__drainsimModuleUrl(${JSON.stringify(rel)})`)
        .replaceAll('import.meta.resolve', noResolve);
      if (contents.includes('import.meta')) throw new Error(`${rel}: import.meta other than .url or .resolve`);
      return { contents, loader: 'js' };
    });
  },
};

// sim/metrics/histogram.ts requires hdr-histogram-js's Int32Histogram through createRequire (the
// one class, the same module object under Node and vitest), which esbuild cannot follow: every run
// then resolved and compiled its ten files from node_modules without the code cache. In the bundle
// a plain require() makes esbuild take them in (the bundle holds one copy, so one module object).
const HISTOGRAM = join(root, 'dist', 'sim', 'metrics', 'histogram.js');
const HDR_REQUIRE = "createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js')";
const HDR_BUNDLED = "require('hdr-histogram-js/dist/Int32Histogram.js')";

// yargs is loaded file by file from its own folder (sim/cli/load-yargs.ts: its build/lib files are
// not in its package exports), which esbuild cannot follow. Its `load()` gets the build's copies of
// those files, keyed by path from the package root; any other file, or these files at another
// path, it still requires from node_modules.
const LOAD_YARGS = join(root, 'dist', 'sim', 'cli', 'load-yargs.js');
const YARGS_LOAD = 'const load = (specifier) => shimRequire(shimRequire.resolve(specifier));';
function bundledYargs() {
  const yargsDir = dirname(createRequire(LOAD_YARGS).resolve('yargs/package.json'));
  const shimRequire = createRequire(join(yargsDir, 'lib/platform-shims/esm.mjs'));
  const specifiers = [
    join(yargsDir, 'build/lib/yargs-factory.js'),
    join(yargsDir, 'build/lib/utils/process-argv.js'),
    'escalade/sync',
    'yargs-parser',
    'y18n',
    'get-caller-file',
  ];
  const entries = specifiers.map((spec) => {
    const file = shimRequire.resolve(spec);
    return `${JSON.stringify(relative(root, file).split(sep).join('/'))}: () => require(${JSON.stringify(file)})`;
  });
  return [
    `const __bundledYargs = { ${entries.join(', ')} };`,
    'const load = (specifier) => {',
    '  const file = shimRequire.resolve(specifier);',
    // __dirname: the bundle's folder, dist/ (bin/bundle.js's wrapper).
    "  const bundled = __bundledYargs[__relative(__join(__dirname, '..'), file).split(__sep).join('/')];",
    '  return bundled ? bundled() : shimRequire(file);',
    '};',
  ].join('\n');
}

const result = await build({
  entryPoints: [join(root, 'dist', 'sim', 'cli', 'main.js')],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'silent',
  plugins: [moduleUrls],
});
if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.map((w) => w.text).join('; ')}`);
// A dynamic import() left in the bundle would fail: a vm.Script has no module loader behind it.
if (/[^\w$.]import\s*\(/.test(readFileSync(BUNDLE, 'utf8').replace(/\/\/.*$/gm, ''))) {
  throw new Error(`${BUNDLE}: a dynamic import() of a module outside the bundle`);
}

// The same V8 flags as bin/drainsim.js when it compiles the bundle, or V8 rejects the cache.
limitHeapGrowth();
rmSync(CODE_CACHE, { force: true });
const loaded = loadBundle({ useCache: false });
if (loaded === undefined) throw new Error(`${BUNDLE} did not load`);
const out = mkdtempSync(join(tmpdir(), 'drainsim-build-'));
// The warm-up leaves V8's flags as bin/drainsim.js compiles the bundle under: a short run's JIT
// tuning (sim/util/jit-tuning.ts) would change them, and V8 stamps the cache with the flags of
// the moment it is made.
const jitTuning = process.env.DRAINSIM_JIT_TUNING;
process.env.DRAINSIM_JIT_TUNING = '0';
try {
  const sink = { write: () => true };
  const code = await loaded.main([...WARM_UP, '--out', out], { stdout: sink, stderr: sink, isTTY: false });
  if (code !== 0) throw new Error(`warm-up '${WARM_UP.join(' ')}' exited ${code}`);
} finally {
  rmSync(out, { recursive: true, force: true });
  if (jitTuning === undefined) delete process.env.DRAINSIM_JIT_TUNING;
  else process.env.DRAINSIM_JIT_TUNING = jitTuning;
}
writeFileSync(CODE_CACHE, loaded.script.createCachedData());
// A cache V8 rejects costs every start the whole compile, silently: fail the build instead.
if (loadBundle()?.script.cachedDataRejected !== false)
  throw new Error(`${CODE_CACHE}: V8 rejects the cache it just made`);
