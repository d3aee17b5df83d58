import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleFormatNames, fileFormatNames, writeReportsFor } from '../../reports/by-format.js';
import { consoleReports, fileReports, writeReports } from '../../reports/index.js';
import { fixtureResult } from './fixture.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'drainsim-by-format-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('report writers loaded by format (reports/by-format.ts)', () => {
  it("names index.ts's registries in their order", () => {
    expect(fileFormatNames).toEqual(Object.keys(fileReports));
    expect(consoleFormatNames).toEqual(Object.keys(consoleReports));
  });

  it('writes and prints exactly what writeReports does, for each set of formats', async () => {
    for (const formats of [
      [...fileFormatNames],
      [...fileFormatNames, 'terminal'],
      ['json', 'summary-json'],
      ['terminal', 'json'],
      ['events-log'],
    ]) {
      const [a, b] = [sink(), sink()];
      const eager = writeReports(fixtureResult(), {
        outDir: join(root, 'eager'),
        formats,
        stdout: a.stream,
        width: 100,
      });
      const lazy = await writeReportsFor(fixtureResult(), {
        outDir: join(root, 'lazy'),
        formats,
        stdout: b.stream,
        width: 100,
      });
      expect(
        lazy.written.map((p) => p.replace('lazy', 'eager')),
        formats.join(),
      ).toEqual(eager.written);
      expect(b.text().replaceAll('lazy', 'eager'), formats.join()).toBe(a.text());
      expect(files(join(root, 'lazy')), formats.join()).toEqual(files(join(root, 'eager')));
    }
  });

  it('rejects an unknown format before writing anything, with the same message', async () => {
    const options = { outDir: join(root, 'x'), formats: ['summary-json', 'pdf'] };
    expect(() => writeReports(fixtureResult(), options)).toThrow(/unknown report format 'pdf'; expected one of: /);
    const eager = (() => {
      try {
        writeReports(fixtureResult(), options);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    await expect(writeReportsFor(fixtureResult(), options)).rejects.toThrow(eager);
    expect(readdirSync(root)).toEqual([]);
  });
});
