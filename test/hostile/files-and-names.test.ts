/**
 * Issue #17, security: a scenario cannot make drainsim write outside the output folder, read
 * files it should not (FIFOs, devices, /proc, anything outside its tree), or change
 * Object.prototype; `compare` reads regular files only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { outputFolderName } from '../../sim/cli/output-name.js';
import { packageRoot } from '../../sim/scenario/load.js';
import { cliIn, expectBadInput, expectPrototypeUntouched, STACK_FRAME, sandbox } from './sandbox.js';

const box = sandbox();
const fifo = join(box.dir, 'pipe.csv');
beforeAll(() => {
  spawnSync('mkfifo', [fifo]);
});

describe('output folder names', () => {
  it.each([
    ['../../x', 'x'],
    ['..', 'scenario'],
    ['/etc/cron.d/evil', 'etc-cron.d-evil'],
    ['a/../../b', 'a-b'],
    ['.hidden', 'hidden'],
    ['hard-cut', 'hard-cut'],
    ['x'.repeat(500), 'x'.repeat(100)],
  ])('%s → %s', (name, folder) => {
    expect(outputFolderName(name)).toBe(folder);
  });

  it('run: name: ../../x writes out/x inside the working directory, nothing above it', () => {
    const work = join(box.dir, 'work', 'cwd');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'esc.yaml'), 'extends: ../../base.yaml\nname: ../../x\n');
    const r = spawnSync(
      process.execPath,
      [join(packageRoot(), 'bin', 'drainsim.js'), 'run', 'esc.yaml', '--format', 'none', '--allow-outside'],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(work, 'out'))).toEqual(['x']);
    expect(readdirSync(join(work, 'out', 'x')).sort()).toEqual([
      'events.log',
      'report.html',
      'summary.json',
      'timeline.csv',
    ]);
    expect(existsSync(join(box.dir, 'x'))).toBe(false);
    expect(existsSync(join(box.dir, 'work', 'x'))).toBe(false);
  });

  it('check --out: name: ../../x stays inside --out', async () => {
    const file = box.write('esc2.yaml', 'extends: ./base.yaml\nname: ../../x\n');
    // out/../../x is <tmpdir>/x, a folder any other program may use: the run must leave it as found.
    const escaped = join(box.dir, '..', 'x', 'summary.json');
    const stamp = () => (existsSync(escaped) ? statSync(escaped).mtimeMs : -1);
    const before = stamp();
    const r = await cliIn(box, 'check', file, '--out', box.out);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(box.out)).toContain('x');
    expect(stamp()).toBe(before);
  });
});

describe('prototype pollution', () => {
  it.each([
    '__proto__.polluted=yes',
    'constructor.prototype.polluted=yes',
    'nginx.__proto__.polluted=yes',
    'backends[0].constructor=1',
  ])('--set %s is refused and Object.prototype is untouched', async (set) => {
    const r = await cliIn(box, 'validate', join(box.dir, 'base.yaml'), '--set', set);
    expectBadInput(r, /cannot appear in a path: it names no setting/);
  });

  it('__proto__ and constructor keys in a file are unknown keys with their lines; Object.prototype is untouched', async () => {
    const file = box.write(
      'proto.yaml',
      'extends: ./base.yaml\n__proto__: {polluted: yes}\nnginx: {constructor: {prototype: {polluted: yes}}}\n',
    );
    const r = await cliIn(box, 'validate', file);
    expectBadInput(r, /proto\.yaml:2:1: __proto__: unknown key/);
    expect(r.stderr).toMatch(/proto\.yaml:3:\d+: nginx\.constructor: unknown key/);
    expectPrototypeUntouched();
  });
});

describe('files a scenario may read', () => {
  it('extends: /etc/passwd is refused without echoing a line of it', async () => {
    const r = await cliIn(box, 'validate', box.write('passwd.yaml', 'extends: /etc/passwd\n'));
    expectBadInput(r, /passwd\.yaml:1:10: extends: cannot read '\/etc\/passwd': it is outside the scenario's folder/);
    expect(r.stderr).not.toContain('root:');
  });

  it('empirical(/proc/self/environ) is refused without echoing the environment', async () => {
    const r = await cliIn(
      box,
      'validate',
      box.write('environ.yaml', 'extends: ./base.yaml\napp: {service_time: empirical(/proc/self/environ)}\n'),
    );
    expectBadInput(
      r,
      /environ\.yaml:2:\d+: app\.service_time: empirical: cannot read '\/proc\/self\/environ'.*kernel pseudo-file/,
    );
    expect(r.stderr).not.toContain('PATH=');
  });

  it('empirical(/dev/zero) answers at once (it used to never end)', async () => {
    const r = await cliIn(
      box,
      'validate',
      box.write('zero.yaml', 'extends: ./base.yaml\napp: {service_time: empirical(/dev/zero)}\n'),
    );
    expectBadInput(r, /zero\.yaml:2:\d+: app\.service_time: empirical: cannot read '\/dev\/zero'/);
  });

  it('empirical(a FIFO) answers at once (it used to hang)', async () => {
    const r = await cliIn(
      box,
      'validate',
      box.write('fifo.yaml', 'extends: ./base.yaml\napp: {service_time: empirical(pipe.csv)}\n'),
    );
    expectBadInput(
      r,
      /fifo\.yaml:2:\d+: app\.service_time: empirical: cannot read 'pipe\.csv'.*it is a FIFO \(named pipe\): only regular files are read/,
    );
  });

  it('a symbolic link inside the folder to a file outside it is refused; --allow-outside reads it', async () => {
    const other = sandbox('drainsim-hostile-other-');
    other.write('times.csv', '1s\n2s\n');
    spawnSync('ln', ['-s', join(other.dir, 'times.csv'), join(box.dir, 'link.csv')]);
    const file = box.write('link.yaml', 'extends: ./base.yaml\napp: {service_time: empirical(link.csv)}\n');
    expectBadInput(
      await cliIn(box, 'validate', file),
      /cannot read 'link\.csv'.*outside the scenario's folder.*pass --allow-outside/,
    );
    const allowed = await cliIn(box, 'validate', file, '--allow-outside');
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
  });

  it('a CSV larger than 16 MiB is refused without reading it all', async () => {
    writeFileSync(join(box.dir, 'huge.csv'), '1s\n'.repeat(6_000_000));
    const r = await cliIn(
      box,
      'validate',
      box.write('huge.yaml', 'extends: ./base.yaml\napp: {service_time: empirical(huge.csv)}\n'),
    );
    expectBadInput(r, /cannot read 'huge\.csv'.*larger than 16 MiB/);
  });

  it('extends: of a sibling folder inside the working directory still works (CI layouts)', async () => {
    const r = await cliIn(box, 'validate', join(packageRoot(), 'test', 'fixtures', 'expect', 'passing.yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('compare', () => {
  const summary = box.write('ok.json', JSON.stringify({ figures: { 'errors.total': 0 } }));

  it('compare a.json <fifo> exits 2 at once (it used to hang)', async () => {
    const r = await cliIn(box, 'compare', summary, fifo);
    expectBadInput(r, /drainsim compare: cannot read .*pipe\.csv: it is a FIFO/);
  });

  it('a summary whose expectations is a string exits 2 without a stack trace', async () => {
    const bad = box.write('str.json', JSON.stringify({ figures: { 'errors.total': 0 }, expectations: 'all passed' }));
    const r = await cliIn(box, 'compare', summary, bad);
    expectBadInput(r, /str\.json is not a drainsim summary\.json: "expectations" is not a list/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
