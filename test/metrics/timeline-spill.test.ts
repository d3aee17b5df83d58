import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileReports } from '../../reports/index.js';
import { terminal } from '../../reports/terminal/index.js';
import { renderFailureReports } from '../../sim/cli/failure-report.js';
import { checkExpectations } from '../../sim/expect/check.js';
import { reusedBuffer } from '../../sim/metrics/column.js';
import { ColumnStore } from '../../sim/metrics/column-store.js';
import { SpillFile } from '../../sim/metrics/spill-file.js';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenarioForCli, namedScenario } from '../../sim/scenario/load-for-run.js';

const scratch = mkdtempSync(join(os.tmpdir(), 'drainsim-spill-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => mkdtempSync(join(scratch, `d${dirs++}-`));

describe('ColumnStore: columns past the bound go to the spill file in blocks', () => {
  it('reads back every value exactly, whole and block by block, across blocks of other kinds', () => {
    const where = join(freshDir(), 'timeline.spill');
    let asked = 0;
    const file = new SpillFile(() => {
      asked++;
      return where;
    });
    const store = new ColumnStore(0);
    const a = store.add();
    const b = store.add();
    store.spillTo(file, 4);
    expect(file.path).toBeNull(); // nothing spilled yet: no file
    // Column a: a block of zeros, one of bytes, one needing doubles (-0 and NaN too), a tail of ints.
    const valuesA = [0, 0, 0, 0, 1, 255, 7, 0, 0.5, -0, Number.NaN, 1e300, -5, 70000];
    // Column b: zero until the tail, so all its spilled blocks write nothing.
    const valuesB = [...new Array(12).fill(0), 3, 0];
    for (let i = 0; i < valuesA.length; i++) {
      store.at(a).push(valuesA[i]!);
      store.at(b).push(valuesB[i]!);
      store.flushIfFull();
    }
    expect(store.spilled).toBe(true);
    expect(asked).toBe(1);
    expect(store.blockCount).toBe(4);
    expect(store.length(a)).toBe(14);
    const whole = Array.from(store.read(a));
    expect(whole.length).toBe(valuesA.length);
    whole.forEach((v, i) => expect(Object.is(v, valuesA[i])).toBe(true));
    expect(Array.from(store.read(b))).toEqual(valuesB);
    const blocks: number[] = [];
    for (let k = 0; k < store.blockCount; k++) blocks.push(...Array.from(store.readBlock(a, k)));
    blocks.forEach((v, i) => expect(Object.is(v, valuesA[i])).toBe(true));
    expect(() => store.clear()).toThrow(/spilled/);
    expect(() => store.take(a, (n) => new Uint8Array(n))).toThrow(/spilled/);
    file.close();
    // Column b's zero blocks took no bytes: 4 bytes of a's second block, 4 doubles of its third.
    expect(statSync(where).size).toBe(4 + 4 * 8);
    expect(Array.from(store.read(b))).toEqual(valuesB); // read after close: opens the file itself
  });
});

describe('ColumnStore.read into one reused buffer (how a spilled timeline reads its columns)', () => {
  it('leaves nothing of the column read before it: zero blocks and a zero tail are written as zeros', () => {
    const file = new SpillFile(() => join(freshDir(), 'timeline.spill'));
    const store = new ColumnStore(0);
    const busy = store.add();
    const quiet = store.add();
    store.spillTo(file, 3);
    // busy: 9 everywhere. quiet: a zero block, a block with one 5, a zero block, then a zero tail.
    const quietValues = [0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0];
    for (const v of quietValues) {
      store.at(busy).push(9);
      store.at(quiet).push(v);
      store.flushIfFull();
    }
    const buffer = reusedBuffer();
    expect(Array.from(store.read(busy, buffer))).toEqual(quietValues.map(() => 9));
    expect(Array.from(store.read(quiet, buffer))).toEqual(quietValues);
    for (let k = 0; k < store.blockCount; k++) {
      store.readBlock(busy, k, buffer);
      expect(Array.from(store.readBlock(quiet, k, buffer))).toEqual(quietValues.slice(3 * k, 3 * k + 3));
    }
  });
});

function runHardCut(spillDir: string | null): RunResult {
  const scenario = namedScenario(loadScenarioForCli('hard-cut'));
  const result = runScenario(scenario, {
    file: 'hard-cut',
    ...(spillDir === null ? {} : { timelineSpill: { dir: () => spillDir, rowsInMemory: 37 } }),
  });
  // One assertion that fails, so the failure report (its timeline slice) is compared too.
  const exprs = [...scenario.expect, 'max(active_conn@vm-c) over [14:01:00, 14:02:00] < 1'];
  result.expectations = checkExpectations(result, exprs, 'hard-cut');
  return result;
}

describe('a run whose timeline spilled', () => {
  let dir = '';
  let inMemory: RunResult;
  let spilled: RunResult;
  beforeAll(() => {
    dir = freshDir();
    inMemory = runHardCut(null);
    spilled = runHardCut(dir);
  });

  it('spilled (a bound of 37 rows, not a multiple of the 4 rows a sample) and reads back the same timeline', () => {
    expect(inMemory.timeline.blocks).toBeUndefined();
    expect(spilled.timeline.blocks).toBeTypeOf('function');
    expect(statSync(join(dir, 'timeline.spill')).size).toBeGreaterThan(0);
    expect(Array.from(spilled.timeline.t)).toEqual(Array.from(inMemory.timeline.t));
    expect(Array.from(spilled.timeline.entity)).toEqual(Array.from(inMemory.timeline.entity));
    inMemory.timeline.series.forEach((_, s) => {
      expect(Array.from(spilled.timeline.values[s]!)).toEqual(Array.from(inMemory.timeline.values[s]!));
    });
    for (const [name, peaks] of Object.entries(inMemory.timeline.busiestSecond!))
      expect(Array.from(spilled.timeline.busiestSecond![name]!)).toEqual(Array.from(peaks));
  });

  it('gives the same figures, expectations and every output byte for byte', () => {
    expect(spilled.figures).toEqual(inMemory.figures);
    expect(spilled.expectations).toEqual(inMemory.expectations);
    expect(spilled.expectations.some((e) => !e.passed)).toBe(true);
    for (const report of Object.values(fileReports)) {
      expect(report.render(spilled), report.fileName).toBe(report.render(inMemory));
      if (report.chunks) expect([...report.chunks(spilled)].join('')).toBe(report.render(inMemory));
    }
    const ctx = { color: false, width: 100, written: [], verbose: true };
    expect(terminal.render(spilled, ctx)).toBe(terminal.render(inMemory, ctx));
    const failures = (run: RunResult) => renderFailureReports(run, { scenario: 'hard-cut', color: false });
    expect(failures(spilled)).toContain('timeline.csv (vm-c)');
    expect(failures(spilled)).toBe(failures(inMemory));
  });
});

describe('a spill file that loses its name once open (RunOptions.timelineSpill unlinked)', () => {
  it('is nameless, its folder gone, from the first spilled block on, and reads back the same outputs', () => {
    const dir = freshDir();
    const scenario = namedScenario(loadScenarioForCli('hard-cut'));
    let told = 0;
    const steps: { spilled: boolean; folder: boolean }[] = [];
    const result = runScenario(scenario, {
      file: 'hard-cut',
      timelineSpill: {
        dir: () => dir,
        rowsInMemory: 37,
        unlinked: () => {
          told++;
          rmSync(dir, { recursive: true });
        },
      },
      onProgress: () => steps.push({ spilled: told > 0, folder: existsSync(dir) }),
    });
    expect(result.timeline.blocks).toBeTypeOf('function'); // it did spill
    expect(told).toBe(1);
    // From the first spilled block on (within the first steps) the folder is gone at every step.
    expect(steps.length).toBe(100);
    expect(steps.filter((x) => x.spilled).length).toBeGreaterThan(50); // the warm-up comes first
    for (const step of steps) expect(step.folder).toBe(!step.spilled);
    const inMemory = runScenario(scenario, { file: 'hard-cut' });
    for (const report of Object.values(fileReports)) {
      expect(report.render(result), report.fileName).toBe(report.render(inMemory));
      // Read twice: the nameless file's descriptor stays open for every reader.
      if (report.chunks) expect([...report.chunks(result)].join('')).toBe(report.render(inMemory));
    }
  });

  it("without `unlinked` keeps its name (the folder stays the caller's to remove)", () => {
    const where = join(freshDir(), 'timeline.spill');
    const file = new SpillFile(() => where);
    file.append(new Uint8Array([1, 2, 3]));
    file.close();
    expect(statSync(where).size).toBe(3);
  });
});

describe('drainsim run: the scratch folder of the spill', () => {
  it('is gone after the run, and nothing but the output set is left beside --out', async () => {
    const { runCli } = await import('../cli/capture.js');
    const parent = freshDir();
    const out = join(parent, 'nested', 'out');
    const r = await runCli('run', 'hard-cut', '--out', out, '--format', 'none');
    expect(r.code).toBe(0);
    expect(readdirSync(join(parent, 'nested'))).toEqual(['out']);
    expect(existsSync(join(out, 'timeline.csv'))).toBe(true);
  });
});

describe('drainsim run stopped by Ctrl-C while its timeline spills', () => {
  it('leaves nothing beside --out: the spill file is open without a name, its folder already gone', async () => {
    const { spawn } = await import('node:child_process');
    const { readlinkSync } = await import('node:fs');
    const { packageRoot } = await import('../../sim/scenario/load.js');
    const parent = freshDir();
    const out = join(parent, 'out');
    // 3 h of hard-cut: ~43,000 timeline rows, past the 32,768 kept in memory after about 2 h.
    const child = spawn(
      process.execPath,
      [
        join(packageRoot(), 'bin', 'drainsim.js'),
        'run',
        'hard-cut',
        '--set',
        'horizon=3h',
        '--out',
        out,
        '--format',
        'none',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((done) =>
      child.on('exit', (code, signal) => done(code ?? (signal ? -1 : null))),
    );
    // Wait until the process holds its spill file open, as /proc shows its descriptors: at most
    // 600 s, as the run reaches its spilling hours only after ~2 h of simulated time, which takes
    // minutes of wall time on a machine loaded by other work (CI beside helpers took over 100 s).
    const spillLink = (): string | undefined => {
      try {
        return readdirSync(`/proc/${child.pid}/fd`)
          .map((fd) => {
            try {
              return readlinkSync(`/proc/${child.pid}/fd/${fd}`);
            } catch {
              return '';
            }
          })
          .find((target) => target.includes('timeline.spill'));
      } catch {
        return undefined;
      }
    };
    let link: string | undefined;
    for (let waited = 0; waited < 600_000 && link === undefined && child.exitCode === null; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      link = spillLink();
    }
    expect(link, 'the run never opened its spill file').toBeDefined();
    expect(link).toMatch(/timeline\.spill \(deleted\)$/); // open, nameless
    child.kill('SIGINT');
    await exited;
    expect(readdirSync(parent)).toEqual([]); // no out, no out.tmp-<pid>-…
  }, 700_000);
});
