// Bundles the compiled CLI (dist/sim/cli/main.js and everything it imports, npm packages included)
// into dist/drainsim.cjs and writes V8's code cache of it to dist/drainsim.cjs.cache: see
// bin/bundle.js, which loads them. Run by `npm run build`, after tsc. Nothing is written at run time.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, CODE_CACHE, ENTRY, entryFingerprint, fingerprintLine, loadBundle } from '../bin/bundle.js';
import { limitHeapGrowth } from '../dist/sim/util/heap-growth.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The run whose compiled functions the code cache keeps: a built-in through scenario loading,
 * validation, the engine, the L7 balancer, health checks and every output writer.
 */
const WARM_UPS = [
  ['run', 'deep-check-slow-db', '--format', 'none'],
  ['run', 'bare-ws-drain'],
];

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
      if (args.path === UPLOT_ASSETS) {
        if (!text.includes(UPLOT_READ)) throw new Error(`${UPLOT_ASSETS}: its read() changed; update build-bundle.mjs`);
        // A function, so that `$` in the files is not a replacement pattern.
        text = text.replace(UPLOT_READ, () => inlinedUplot());
      }
      if (args.path === LOAD_YARGS) {
        if (!text.includes(YARGS_LOAD) || !text.includes(YARGS_DIR))
          throw new Error(`${LOAD_YARGS}: its load() or yargsDir changed; update build-bundle.mjs`);
        const imports = [
          "import { join as __join, relative as __relative, sep as __sep } from 'node:path';",
          "import { existsSync as __existsSync, realpathSync as __realpathSync } from 'node:fs';",
        ].join('\n');
        const yargs = bundledYargs();
        text = `${imports}\n${text.replace(YARGS_DIR, yargs.dir).replace(YARGS_LOAD, yargs.load)}`;
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
//
// Finding those files is itself work: Node's CommonJS resolution (package.json reads, `exports`
// maps, realpath) cost ~15 ms of CPU per start (issue 14, session 19), more than the files'
// loading. When yargs is where the build found it, <root>/node_modules/yargs (the first folder
// Node's resolution from dist/sim/cli/ tries that exists: dist/ holds no node_modules), the build's
// own resolution stands in for the run's: yargs' folder and each specifier map to the files the
// build resolved and bundled. Elsewhere (another install layout, a symlinked yargs) `load()`
// resolves at run time as before.
const LOAD_YARGS = join(root, 'dist', 'sim', 'cli', 'load-yargs.js');
const YARGS_LOAD = 'const load = (specifier) => shimRequire(shimRequire.resolve(specifier));';
const YARGS_DIR = "const yargsDir = dirname(createRequire(import.meta.url).resolve('yargs/package.json'));";
const YARGS_AT_BUILD = 'node_modules/yargs';
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
  const fromRoot = (file) => relative(root, file).split(sep).join('/');
  const entries = specifiers.map((spec) => {
    const file = shimRequire.resolve(spec);
    return `${JSON.stringify(fromRoot(file))}: () => require(${JSON.stringify(file)})`;
  });
  // Bare specifiers (yargs' dependencies) as the build resolved them; yargs' own files are absolute.
  const resolved = specifiers
    .filter((spec) => !spec.startsWith(yargsDir))
    .map((spec) => `${JSON.stringify(spec)}: ${JSON.stringify(fromRoot(shimRequire.resolve(spec)))}`);
  const atBuild = fromRoot(yargsDir) === YARGS_AT_BUILD;
  return {
    dir: atBuild
      ? [
          // __dirname: the bundle's folder, dist/ (bin/bundle.js's wrapper). Realpath, as Node's resolution returns.
          `const __yargsAtBuild = __join(__dirname, '..', ${JSON.stringify(YARGS_AT_BUILD)});`,
          "const yargsDir = __existsSync(__join(__yargsAtBuild, 'package.json'))",
          '  ? __realpathSync(__yargsAtBuild)',
          "  : dirname(createRequire(import.meta.url).resolve('yargs/package.json'));",
        ].join('\n')
      : YARGS_DIR,
    load: [
      `const __bundledYargs = { ${entries.join(', ')} };`,
      `const __resolvedAtBuild = { ${resolved.join(', ')} };`,
      "const __fromRoot = (file) => __relative(__join(__dirname, '..'), file).split(__sep).join('/');",
      `const __yargsAsBuilt = ${atBuild} && __fromRoot(yargsDir) === ${JSON.stringify(YARGS_AT_BUILD)};`,
      'const load = (specifier) => {',
      '  const key = __yargsAsBuilt',
      '    ? (__resolvedAtBuild[specifier] ?? __fromRoot(specifier))',
      '    : __fromRoot(shimRequire.resolve(specifier));',
      '  const bundled = __bundledYargs[key];',
      '  return bundled ? bundled() : shimRequire(shimRequire.resolve(specifier));',
      '};',
    ].join('\n'),
  };
}

// report.html inlines uPlot's browser build and stylesheet (reports/html/uplot-assets.ts), read from
// node_modules through Node's module resolution at run time: the one resolution left in a bundled
// run, ~5 ms of CPU for its first call (issue 14, session 19). The bundle holds the two files as
// the build read them (through the same resolution), as it holds every other package's code.
const UPLOT_ASSETS = join(root, 'dist', 'reports', 'html', 'uplot-assets.js');
const UPLOT_READ = "const read = (file) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');";
function inlinedUplot() {
  const require = createRequire(UPLOT_ASSETS);
  const files = Object.fromEntries(
    ['uPlot.iife.min.js', 'uPlot.min.css'].map((file) => [
      file,
      readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8'),
    ]),
  );
  return `const read = (file) => (${JSON.stringify(files)})[file];`;
}

// seedrandom's main file requires node:crypto when it is loaded (seedrandom.js), for one use:
// autoseeding, `seedrandom()` without a seed. drainsim seeds every stream (sim/engine/alea.ts calls
// seedrandom.alea with a seed), so a run loaded node:crypto (~3 ms of CPU, issue 14 start-up) for
// nothing. In the bundle that require() gives undefined; an autoseed would take seedrandom's other
// source, globalThis.crypto.getRandomValues (Web Crypto, in Node since 17).
const seedrandomWithoutCrypto = {
  name: 'seedrandom-without-crypto',
  setup(b) {
    b.onResolve({ filter: /^crypto$/ }, (args) =>
      /[\\/]node_modules[\\/]seedrandom[\\/]seedrandom\.js$/.test(args.importer)
        ? { path: 'seedrandom-crypto', namespace: 'no-crypto' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-crypto' }, () => ({
      contents: 'module.exports = undefined;',
      loader: 'js',
    }));
  },
};

// The bundle's fingerprint: a hash of the compiled tree it is made from (every file of dist/ but
// the bundle's own, main.js without a fingerprint an earlier bundle step left on it). It becomes
// the bundle's first line and main.js's last; bin/bundle.js runs the bundle only when they match.
const entryText = readFileSync(ENTRY, 'latin1');
const entryUnstamped = entryText.slice(0, entryText.length - (entryFingerprint(entryText)?.length ?? 0));
const dist = join(root, 'dist');
const treeHash = createHash('sha256');
for (const rel of readdirSync(dist, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => relative(dist, join(e.parentPath, e.name)).split(sep).join('/'))
  .filter((rel) => !rel.startsWith('drainsim.cjs'))
  .sort()) {
  treeHash.update(`${rel}\0`);
  treeHash.update(join(dist, rel) === ENTRY ? Buffer.from(entryUnstamped, 'latin1') : readFileSync(join(dist, rel)));
  treeHash.update('\0');
}
const fingerprint = fingerprintLine(treeHash.digest('hex'));

const result = await build({
  entryPoints: [join(root, 'dist', 'sim', 'cli', 'main.js')],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'silent',
  plugins: [moduleUrls, seedrandomWithoutCrypto],
  banner: { js: fingerprint.trimEnd() },
});
if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.map((w) => w.text).join('; ')}`);
// A dynamic import() left in the bundle would fail: a vm.Script has no module loader behind it.
if (/[^\w$.]import\s*\(/.test(readFileSync(BUNDLE, 'utf8').replace(/\/\/.*$/gm, ''))) {
  throw new Error(`${BUNDLE}: a dynamic import() of a module outside the bundle`);
}

// The bundle in ASCII alone, so that bin/bundle.js reads it as latin1 into a one-byte string: read
// as UTF-8, one non-ASCII character makes all 2.8 M characters two-byte, decoded at ~8 ms of CPU
// per start and 2.8 MB more heap (issue 14 start-up). esbuild escapes non-ASCII characters in the
// code it prints (its default charset, ascii), not in the comments it keeps (em dashes, arrows,
// box drawing). Each is replaced by its \uXXXX escape, which a comment reads as text and a string,
// template or regular expression would read as the same character.
const text = readFileSync(BUNDLE, 'utf8');
const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== text) writeFileSync(BUNDLE, ascii);

if (!readFileSync(BUNDLE, 'latin1').startsWith(fingerprint))
  throw new Error(`${BUNDLE}: not headed by its fingerprint`);
writeFileSync(ENTRY, entryUnstamped + fingerprint, 'latin1');

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
  for (const WARM_UP of WARM_UPS) {
    const code = await loaded.main([...WARM_UP, '--out', out], { stdout: sink, stderr: sink, isTTY: false });
    if (code !== 0) throw new Error(`warm-up '${WARM_UP.join(' ')}' exited ${code}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
  if (jitTuning === undefined) delete process.env.DRAINSIM_JIT_TUNING;
  else process.env.DRAINSIM_JIT_TUNING = jitTuning;
}
writeFileSync(CODE_CACHE, loaded.script.createCachedData());
// A cache V8 rejects costs every start the whole compile, silently: fail the build instead.
if (loadBundle()?.script.cachedDataRejected !== false)
  throw new Error(`${CODE_CACHE}: V8 rejects the cache it just made`);
