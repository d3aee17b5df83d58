// The CLI as one file (issue 14: start-up of a small run), loaded with V8's code cache.
//
// `npm run build` (scripts/build-bundle.mjs) bundles dist/sim/cli/main.js and everything it imports
// into dist/drainsim.cjs, runs it once and writes V8's code cache of it, bytecode of every function
// that run compiled, to dist/drainsim.cjs.cache. Loading that one file with its cache replaces
// resolving, reading and compiling ~300 ES modules, most of a small run's module-loading time
// (node:vm Script `cachedData`; Node 20 has no module compile cache, node:module
// enableCompileCache came with Node 22.1). The bundle is the same code as dist/: each module's
// `import.meta.url` is still its own dist/ file's URL (__drainsimModuleUrl below).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(root, 'dist', 'drainsim.cjs');
export const CODE_CACHE = `${BUNDLE}.cache`;
/** The module the bundle is made from; the build stamps it with the bundle's fingerprint. */
export const ENTRY = join(root, 'dist', 'sim', 'cli', 'main.js');

// Which compiled tree the bundle was made from: the build hashes dist/ (scripts/build-bundle.mjs)
// and writes this line as the bundle's first line and as dist/sim/cli/main.js's last. tsc rewrites
// main.js without it, so a bundle older than the modules (tsc ran, the bundle step did not) has no
// match and is not used. Not file mtimes: npm pack stores one fixed mtime for every file and npm
// install writes them in tar order, the bundle first, so an installed bundle always looked older
// (review22 D1).
const FINGERPRINT = /\/\/ drainsim bundle [0-9a-f]{64}\n$/;
export const fingerprintLine = (hash) => `// drainsim bundle ${hash}\n`;

/** The fingerprint line main.js carries, or undefined (no main.js, or tsc wrote it after the build). */
export function entryFingerprint(text) {
  return FINGERPRINT.exec(text)?.[0];
}

function readIfThere(file, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch {
    return undefined;
  }
}

/**
 * The bundle's exports ({ main }) and its vm.Script, or undefined when there is no bundle, it is
 * not made from dist/ as it is now (its first line is not main.js's fingerprint line; then
 * bin/drainsim.js imports dist/sim/cli/main.js as before), or DRAINSIM_BUNDLE=0 asks for the
 * modules themselves (stack traces with their own file names).
 * A cache V8 rejects (another Node or other V8 flags than the build's) is ignored: the bundle is
 * compiled as usual.
 */
export function loadBundle({ useCache = true } = {}) {
  if (process.env.DRAINSIM_BUNDLE === '0') return undefined;
  // main.js is ~4 KB; latin1, as the bundle: the fingerprint is ASCII.
  const fingerprint = entryFingerprint(readIfThere(ENTRY, 'latin1') ?? '');
  if (fingerprint === undefined) return undefined;
  // latin1: the bundle is ASCII alone (scripts/build-bundle.mjs makes it so), and read as latin1 it
  // is a one-byte string at once, where UTF-8 decoding costs a few ms (the same text either way).
  const source = readIfThere(BUNDLE, 'latin1');
  if (!source?.startsWith(fingerprint)) return undefined;
  const cachedData = useCache ? readIfThere(CODE_CACHE) : undefined;
  // The CommonJS wrapper Node's own loader puts around a .cjs file, plus the import.meta.url helper.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __drainsimModuleUrl) {${source}\n})`,
    { filename: BUNDLE, cachedData },
  );
  const module = { exports: {} };
  const moduleUrl = (rel) => pathToFileURL(join(root, rel)).href;
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE), moduleUrl);
  return { main: module.exports.main, script };
}
