/**
 * Files that grow with the simulated time (timeline.csv, events.log) are written in pieces as
 * they are rendered, and a set stays whole-or-nothing when rendering fails half-way.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsLogChunks, renderEventsLog } from '../../reports/events-log/index.js';
import { renderTimelineCsv, timelineCsvChunks } from '../../reports/timeline-csv/index.js';
import { writeFilesAtomic } from '../../reports/write-atomic.js';
import type { RunResult } from '../../sim/result.js';
import { fixtureResult, logLine } from './fixture.js';

/** The fixture stretched to `samples` samples of its three entities, and as many log lines. */
function longResult(samples: number): RunResult {
  const result = fixtureResult();
  const rows = samples * result.timeline.entities.length;
  const t = new Float64Array(rows);
  const entity = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    t[r] = 10 * (Math.floor(r / result.timeline.entities.length) + 1);
    entity[r] = r % result.timeline.entities.length;
  }
  const values = result.timeline.series.map((_, s) =>
    Float64Array.from({ length: rows }, (_, r) => (r * (s + 1)) % 97),
  );
  return {
    ...result,
    timeline: { ...result.timeline, t, entity, values },
    events: Array.from({ length: samples }, (_, i) => logLine(i / 10, 'lb', `line ${i}`)),
  };
}

describe('streamed output files', () => {
  it('timeline.csv and events.log come in several pieces that join to the rendered text', () => {
    const result = longResult(5_000);
    const csv = [...timelineCsvChunks(result)];
    const log = [...eventsLogChunks(result)];
    expect(csv.length).toBeGreaterThan(10);
    expect(log.length).toBeGreaterThan(1);
    expect(csv.join('')).toBe(renderTimelineCsv(result));
    expect(log.join('')).toBe(renderEventsLog(result));
    expect(renderTimelineCsv(result).split('\n').length).toBe(1 + 5_000 * 3 + 1);
  });

  describe('writeFilesAtomic with pieces', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'drainsim-streamed-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    function* failingHalfWay(): Generator<string> {
      yield 'first piece\n';
      throw new Error('renderer failed half-way');
    }

    it('writes the pieces in order', () => {
      const outDir = join(root, 'out');
      writeFilesAtomic(outDir, [{ fileName: 'a.txt', pieces: ['one ', 'two ', 'three\n'] }]);
      expect(readFileSync(join(outDir, 'a.txt'), 'utf8')).toBe('one two three\n');
    });

    it('leaves the previous set untouched and no temp folder when a piece fails', () => {
      const outDir = join(root, 'out');
      mkdirSync(outDir);
      writeFileSync(join(outDir, 'a.txt'), 'previous');
      expect(() =>
        writeFilesAtomic(outDir, [
          { fileName: 'b.txt', text: 'whole' },
          { fileName: 'a.txt', pieces: failingHalfWay() },
        ]),
      ).toThrow('renderer failed half-way');
      expect(readdirSync(root)).toEqual(['out']);
      expect(readdirSync(outDir)).toEqual(['a.txt']);
      expect(readFileSync(join(outDir, 'a.txt'), 'utf8')).toBe('previous');
    });

    it('creates no folder at all on a first run that fails', () => {
      const outDir = join(root, 'fresh', 'deeper', 'out');
      expect(() => writeFilesAtomic(outDir, [{ fileName: 'a.txt', pieces: failingHalfWay() }])).toThrow();
      expect(existsSync(join(root, 'fresh'))).toBe(false);
      expect(readdirSync(root)).toEqual([]);
    });
  });
});
