import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleReports, fileReports, reportFormats, writeFileAtomic, writeReports } from '../../reports/index.js';
import type { RunResult } from '../../sim/result.js';
import { fixtureResult } from './fixture.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** A result that summary-json renders fine but timeline-csv rejects — a renderer failing midway. */
function brokenResult(): RunResult {
  const result = fixtureResult();
  result.timeline.entity[3] = 99;
  return result;
}

/** Directory contents as name → text, to prove a failed write changed nothing. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'drainsim-reports-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('writes every file report and prints the terminal summary naming them', () => {
    const outDir = join(root, 'out', 'fixture-drain');
    const out = collector();
    const { written } = writeReports(fixtureResult(), { outDir, stdout: out.stream, color: false, width: 80 });

    expect(written).toEqual(['summary.json', 'timeline.csv', 'events.log', 'report.html'].map((f) => join(outDir, f)));
    for (const report of Object.values(fileReports)) {
      expect(readFileSync(join(outDir, report.fileName), 'utf8')).toBe(report.render(fixtureResult()));
    }
    expect(out.text()).toContain('seed 42');
    const files = out
      .text()
      .split('\n')
      .find((l) => l.startsWith('Files '));
    expect(files).toBe(`Files ${outDir}/  summary.json timeline.csv events.log report.html`);
    expect(readdirSync(join(root, 'out'))).toEqual(['fixture-drain']);
  });

  it('replaces files from an earlier run', () => {
    const outDir = join(root, 'out');
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'summary.json'), 'old');
    writeReports(fixtureResult(), { outDir, formats: ['summary-json'], stdout: collector().stream });
    expect(readFileSync(join(outDir, 'summary.json'), 'utf8')).toBe(
      fileReports['summary-json']!.render(fixtureResult()),
    );
  });

  it('prints only the JSON summary with --format json', () => {
    const out = collector();
    writeReports(fixtureResult(), { outDir: null, formats: ['json'], stdout: out.stream });
    expect(JSON.parse(out.text()).seed).toBe(42);
    expect(readdirSync(root)).toEqual([]);
  });

  it('rejects an unknown format by name, listing the valid ones, before touching anything', () => {
    const outDir = join(root, 'out');
    expect(() => writeReports(fixtureResult(), { outDir, formats: ['summary-json', 'htlm'] })).toThrow(
      `unknown report format 'htlm'; expected one of: ${reportFormats.join(', ')}`,
    );
    expect(existsSync(outDir)).toBe(false);
  });

  describe('whole or not at all', () => {
    it('leaves an existing out dir untouched when a renderer throws', () => {
      const outDir = join(root, 'out');
      mkdirSync(outDir);
      writeFileSync(join(outDir, 'summary.json'), 'from the previous run');
      const before = snapshot(outDir);
      const out = collector();

      expect(() => writeReports(brokenResult(), { outDir, stdout: out.stream })).toThrow(/entity index 99/);
      expect(snapshot(outDir)).toEqual(before);
      expect(readdirSync(root)).toEqual(['out']);
      expect(out.text()).toBe('');
    });

    it('creates no out dir when a renderer throws on a first run', () => {
      const outDir = join(root, 'fresh', 'out');
      expect(() => writeReports(brokenResult(), { outDir, stdout: collector().stream })).toThrow();
      expect(readdirSync(root)).toEqual([]);
    });

    it('writes nothing when the console report throws', () => {
      const outDir = join(root, 'out');
      consoleReports.boom = {
        name: 'boom',
        render: () => {
          throw new Error('console renderer failed');
        },
      };
      try {
        expect(() => writeReports(fixtureResult(), { outDir, formats: ['summary-json', 'boom'] })).toThrow(
          'console renderer failed',
        );
      } finally {
        delete consoleReports.boom;
      }
      expect(readdirSync(root)).toEqual([]);
    });

    it('leaves the out dir untouched and cleans up when writing a file fails', () => {
      const outDir = join(root, 'out');
      mkdirSync(outDir);
      writeFileSync(join(outDir, 'events.log'), 'old log');
      const before = snapshot(outDir);
      // A file name inside a directory that does not exist makes the write itself fail, after
      // summary.json has already gone to the temp dir.
      fileReports.unwritable = { name: 'unwritable', fileName: join('no-such-dir', 'x.txt'), render: () => 'x' };
      try {
        expect(() =>
          writeReports(fixtureResult(), {
            outDir,
            formats: ['summary-json', 'unwritable'],
            stdout: collector().stream,
          }),
        ).toThrow(/ENOENT/);
      } finally {
        delete fileReports.unwritable;
      }
      expect(snapshot(outDir)).toEqual(before);
      expect(readdirSync(root)).toEqual(['out']);
    });
  });
});

describe('writeFileAtomic', () => {
  it('creates the directory, writes the text and leaves no temp file behind', () => {
    const path = join(root, 'a', 'b', 'baseline.json');
    writeFileAtomic(path, '{}\n');
    writeFileAtomic(path, '{"v":2}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}\n');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['baseline.json']);
  });
});
