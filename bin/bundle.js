// The CLI as one file (issue 14: start-up of a small run), loaded with V8's code cache.
//
// `npm run build` (scripts/build-bundle.mjs) bundles dist/sim/cli/main.js and everything it imports
// into dist/drainsim.cjs, runs it once and writes V8's code cache of it, bytecode of every function
// that run compiled, to dist/drainsim.cjs.cache. Loading that one file with its cache replaces
// resolving, reading and compiling ~300 ES modules, most of a small run's module-loading time
// (node:vm Script `cachedData`; Node 20 has no module compile cache, node:module
// enableCompileCache came with Node 22.1). The bundle is the same code as dist/: each module's
// `import.meta.url` is still its own dist/ file's URL (__drainsimModuleUrl below).
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(root, 'dist', 'drainsim.cjs');
export const CODE_CACHE = `${BUNDLE}.cache`;
/** The module the bundle is made from: a bundle older than it is stale (tsc ran, the bundle did not). */
const ENTRY = join(root, 'dist', 'sim', 'cli', 'main.js');

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The bundle's exports ({ main }) and its vm.Script, or undefined when there is no bundle, it is
 * older than dist/ (then bin/drainsim.js imports dist/sim/cli/main.js as before), or
 * DRAINSIM_BUNDLE=0 asks for the modules themselves (stack traces with their own file names).
 * A cache V8 rejects (another Node or other V8 flags than the build's) is ignored: the bundle is
 * compiled as usual.
 */
export function loadBundle({ useCache = true } = {}) {
  if (process.env.DRAINSIM_BUNDLE === '0') return undefined;
  const built = mtime(BUNDLE);
  const entry = mtime(ENTRY);
  if (built === undefined || entry === undefined || built < entry) return undefined;
  const cachedData = useCache && mtime(CODE_CACHE) !== undefined ? readFileSync(CODE_CACHE) : undefined;
  // latin1: the bundle is ASCII alone (scripts/build-bundle.mjs makes it so), and read as latin1 it
  // is a one-byte string at once, where UTF-8 decoding costs a few ms (the same text either way).
  const source = readFileSync(BUNDLE, 'latin1');
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
