/**
 * An npm-installed drainsim runs its bundle (dist/drainsim.cjs with its code cache), not the
 * modules (review22 D1). npm pack stores one fixed mtime for every file and npm install writes the
 * files in tar order, the bundle before dist/sim/cli/main.js: a guard by mtimes found the bundle
 * "older" than the modules after every install. bin/bundle.js compares the build's fingerprint
 * instead, which this test checks through a real pack and install.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

const ROOT = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'drainsim-installed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The package as `npm install <tarball>` lays it out, in <tmp>/app/node_modules/drainsim. Offline,
 * from npm's cache (`npm ci` filled it); without one, the tarball is unpacked as npm does (file
 * mtimes of the moment, in tar order: `tar -m`) beside links to the repo's own dependencies.
 */
function installPackage(): string {
  // --ignore-scripts: the tarball of the build the tests run against (prepare would rebuild it).
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = join(tmp, JSON.parse(pack.stdout)[0].filename);
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
  if (install.code !== 0) {
    const installed = join(app, 'node_modules', 'drainsim');
    mkdirSync(installed, { recursive: true });
    const untar = run('tar', ['-x', '-m', '-z', '-f', tarball, '--strip-components=1', '-C', installed], app);
    expect(untar.code, untar.stderr).toBe(0);
    for (const dep of readdirSync(join(ROOT, 'node_modules')).filter((d) => !d.startsWith('.'))) {
      symlinkSync(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep));
    }
  }
  return app;
}

describe('drainsim installed from its npm tarball', () => {
  it('runs a command from the bundle: no module of its own or of seedrandom loaded, no node:crypto', () => {
    const app = installPackage();
    const installed = join(app, 'node_modules', 'drainsim');
    const out = join(tmp, 'out');
    // NODE_DEBUG=module: Node's CommonJS loader names each require and its parent on stderr. The
    // bundle's requires have dist/drainsim.cjs as parent; the modules' path loads seedrandom from
    // node_modules (bundled, and without its crypto require, in the bundle).
    const r = run(process.execPath, [join(installed, 'bin', 'drainsim.js'), 'run', 'hard-cut', '--out', out], app, {
      NODE_DEBUG: 'module',
    });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const trace = {
      bundleRequires: r.stderr.includes(`parent: ${join(installed, 'dist', 'drainsim.cjs')}`),
      seedrandomFile: /seedrandom[\\/]index\.js/.test(r.stderr),
      crypto: /REQUEST (node:)?crypto /.test(r.stderr),
    };
    expect(trace).toEqual({ bundleRequires: true, seedrandomFile: false, crypto: false });
    // The same run as the repo's own checkout.
    const local = join(tmp, 'out-repo');
    const here = run(process.execPath, [join(ROOT, 'bin', 'drainsim.js'), 'run', 'hard-cut', '--out', local], ROOT);
    expect(here.code, here.stderr).toBe(0);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(readFileSync(join(local, 'summary.json'), 'utf8'));
  }, 180_000);
});
