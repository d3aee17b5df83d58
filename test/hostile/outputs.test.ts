/**
 * Issue #17, data: output sets are whole or not at all, and an --out that cannot take them is
 * refused before the simulation, not after it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverOutputDir, writeFilesAtomic } from '../../reports/write-atomic.js';
import { cliIn, expectBadInput, sandbox } from './sandbox.js';

const box = sandbox();
/** A scenario long enough that running it before failing would be noticed. */
const slow = box.write('slow.yaml', 'extends: ./base.yaml\nhorizon: 2h\nclients: { http: { arrival_rate: 50 } }\n');

describe('--out that cannot take the outputs fails before the simulation', () => {
  it('run --out naming an existing file: exit 2 at once', async () => {
    const file = box.write('a-file', 'x');
    const started = performance.now();
    const r = await cliIn(box, 'run', slow, '--out', file, '--format', 'none');
    expectBadInput(r, /^--out: .*a-file exists and is not a folder$/m);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('run --out under an existing file: exit 2 at once', async () => {
    box.write('a-file2', 'x');
    const r = await cliIn(box, 'run', slow, '--out', join(box.dir, 'a-file2', 'sub'), '--format', 'none');
    expectBadInput(r, /--out: .*cannot be created: .*a-file2 is not a folder/);
  });

  it('run --out in a folder that cannot be written (here /proc, read-only even for root): exit 2 at once', async () => {
    const started = performance.now();
    const r = await cliIn(box, 'run', slow, '--out', '/proc/self/drainsim-out', '--format', 'none');
    expectBadInput(r, /--out: \/proc\/self\/drainsim-out cannot be written: \/proc\/self is not writable/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('check --out naming a file: exit 2 before any scenario runs', async () => {
    const r = await cliIn(box, 'check', slow, '--out', box.write('b-file', 'x'));
    expectBadInput(r, /drainsim check: --out .*b-file exists and is not a folder/);
    expect(r.stdout).toBe('');
  });
});

describe('output sets are replaced whole', () => {
  const files = (tag: string) =>
    ['summary.json', 'timeline.csv', 'events.log'].map((fileName) => ({ fileName, text: `${tag} ${fileName}\n` }));

  it('a second set replaces the first as a whole, with no temp folder left', () => {
    const out = join(box.dir, 'set1');
    writeFilesAtomic(out, files('one'));
    writeFilesAtomic(out, files('two'));
    for (const f of files('two')) expect(readFileSync(join(out, f.fileName), 'utf8')).toBe(f.text);
    expect(readdirSync(box.dir).filter((n) => n.startsWith('set1.'))).toEqual([]);
  });

  it('a file that is not part of the set is never deleted: the folder is then updated file by file', () => {
    const out = join(box.dir, 'set2');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFilesAtomic(out, files('one'));
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('one summary.json\n');
  });

  it('a set parked by a writer killed between its two renames is put back, and stale temp folders go', () => {
    const out = join(box.dir, 'set3');
    // What a SIGKILL between `out → out.old-*` and `temp → out` leaves (pid 999999999 is not running).
    mkdirSync(`${out}.old-999999999-abc`);
    writeFileSync(join(`${out}.old-999999999-abc`, 'summary.json'), 'previous\n');
    mkdirSync(`${out}.tmp-999999999-def`);
    recoverOutputDir(out);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('previous\n');
    expect(readdirSync(box.dir).filter((n) => n.startsWith('set3.'))).toEqual([]);
  });

  it("a live process's temp folder is left alone (two writers may share a parent folder)", () => {
    const out = join(box.dir, 'set4');
    mkdirSync(`${out}.tmp-${process.ppid}-live`);
    writeFilesAtomic(out, files('one'));
    expect(existsSync(`${out}.tmp-${process.ppid}-live`)).toBe(true);
  });
});
