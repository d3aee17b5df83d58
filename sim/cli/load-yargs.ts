/**
 * yargs without its help-text renderer loaded up front (issue 14: start-up of a small run).
 *
 * yargs' ESM entry (node_modules/yargs/index.mjs) is `YargsFactory(esmPlatformShim)`, and that
 * shim (yargs lib/platform-shims/esm.mjs) imports cliui and string-width eagerly: with their own
 * string-width, wrap-ansi, strip-ansi and get-east-asian-width about 55 ms of CPU on this machine,
 * 0.9× a whole `node -e 0`. yargs calls the two only to lay out help text (`shim.cliui` and
 * `shim.stringWidth` in build/lib/usage.js, `usage.help()`), which a command line that runs a
 * command never does (see skip-help-cache.ts). This builds the same yargs from the same factory
 * with the shim's other members as esm.mjs has them, and those two loaded on their first call
 * (Node ≥ 20.19 `require()`s an ES module synchronously). Every module comes from yargs' own
 * node_modules resolution, so the versions are the ones yargs' shim would have used.
 * `test/cli/load-yargs.test.ts` pins the shim's member names to esm.mjs's and compares output.
 */
import { notStrictEqual, strictEqual } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import type { Argv } from 'yargs';

/** What yargs' default export is: a function making a parser. */
export type YargsFunction = (processArgs?: readonly string[] | string, cwd?: string) => Argv;

/** yargs' ESM platform shim, the file whose members this mirrors. */
export const YARGS_ESM_SHIM = 'lib/platform-shims/esm.mjs';

/** A module's default export, whether it was loaded by `import()` or by `require()` of ESM. */
function defaultOf<T>(loaded: unknown): T {
  const m = loaded as { default?: T; __esModule?: boolean };
  return (typeof loaded === 'function' ? loaded : (m.default ?? loaded)) as T;
}

let cached: Promise<YargsFunction> | undefined;

/** yargs' default export, built as index.mjs builds it but with cliui and string-width lazy. */
export function loadYargs(): Promise<YargsFunction> {
  cached ??= build();
  return cached;
}

async function build(): Promise<YargsFunction> {
  const { shim, factory } = await lazyShim();
  return factory(shim);
}

/** The platform shim (members as esm.mjs's) and yargs' factory that takes it. */
export async function lazyShim(): Promise<{
  shim: Record<string, unknown>;
  factory: (shim: unknown) => YargsFunction;
}> {
  // yargs' package.json is exported; its folder locates everything else as yargs' shim sees it.
  const yargsDir = dirname(createRequire(import.meta.url).resolve('yargs/package.json'));
  const shimFile = join(yargsDir, YARGS_ESM_SHIM);
  const shimRequire = createRequire(shimFile);
  // require(), not import(): the same module objects (Node's one module cache; yargs' own files are
  // ES modules, which Node >= 20.19 requires synchronously), and no dynamic import() left in the
  // one-file bundle bin/drainsim.js runs (scripts/build-bundle.mjs), which a vm.Script cannot make.
  const load = <T>(specifier: string): T => shimRequire(shimRequire.resolve(specifier)) as T;
  const factory = load<{ YargsFactory: (shim: unknown) => YargsFunction }>(
    join(yargsDir, 'build/lib/yargs-factory.js'),
  );
  const argvBin = load<{ getProcessArgvBin: () => string }>(join(yargsDir, 'build/lib/utils/process-argv.js'));
  const escalade = load<unknown>('escalade/sync');
  const parser = load<unknown>('yargs-parser');
  const y18n = load<unknown>('y18n');
  const getCallerFile = load<unknown>('get-caller-file');
  let cliui: ((opts: unknown) => unknown) | undefined;
  let stringWidth: ((text: string) => number) | undefined;
  // As esm.mjs: its `__dirname` is in fact its own file name, and the locales are three levels up.
  const shimPath = shimFile;
  const mainFilename = shimPath.substring(0, shimPath.lastIndexOf('node_modules'));
  const callerFile = defaultOf<(depth: number) => string>(getCallerFile);
  const shim = {
    assert: { notStrictEqual, strictEqual },
    cliui: (opts: unknown) => {
      cliui ??= defaultOf<(opts: unknown) => unknown>(shimRequire('cliui'));
      return cliui(opts);
    },
    findUp: defaultOf<unknown>(escalade),
    getEnv: (key: string) => process.env[key],
    inspect,
    getProcessArgvBin: argvBin.getProcessArgvBin,
    mainFilename: mainFilename || process.cwd(),
    Parser: defaultOf<unknown>(parser),
    path: { basename, dirname, extname, relative, resolve, join },
    process: {
      argv: () => process.argv,
      cwd: process.cwd,
      emitWarning: (warning: string | Error, type?: string) => process.emitWarning(warning, type),
      execPath: () => process.execPath,
      exit: (code?: number) => {
        process.exit(code);
      },
      nextTick: process.nextTick,
      stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null,
    },
    readFileSync,
    readdirSync,
    require: shimRequire,
    getCallerFile: () => {
      const file = callerFile(3);
      return /^file:\/\//.test(file) ? fileURLToPath(file) : file;
    },
    stringWidth: (text: string) => {
      stringWidth ??= defaultOf<(text: string) => number>(shimRequire('string-width'));
      return stringWidth(text);
    },
    y18n: defaultOf<(opts: object) => unknown>(y18n)({
      directory: resolve(shimPath, '../../../locales'),
      updateFiles: false,
    }),
  };
  return { shim, factory: factory.YargsFactory };
}
