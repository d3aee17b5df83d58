import { resolve } from 'node:path';
import { clip } from '../errors.js';
import { formatBytes, InputFileError, readInputFile } from '../input-file.js';
import { parseDuration, UnitError } from '../units.js';
import { DistributionError } from './errors.js';

const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** The largest value kept: 365 days in seconds, the longest horizon a scenario may have. */
const MAX_CSV_VALUE = 365 * 86_400;
const PREFERRED_COLUMNS = ['duration', 'value', 'seconds'];
/** The largest CSV read: ~1.5 million durations, far more than a distribution needs, and bounded memory. */
export const MAX_CSV_BYTES = 16 * 1024 * 1024;
const EXPECTED_FILE = 'a CSV file with one value per line (optionally a header line, optionally several columns)';

/**
 * The values of an empirical distribution's CSV file, sorted ascending.
 *
 * One value per line; a first line that holds no value is a header. With several columns the
 * one named `duration`, `value` or `seconds` wins, else the first column holding a value. Values
 * are plain seconds (`95`) or durations with units (`95s`, `1.5m`); for unit 'number', plain
 * numbers only. Blank lines and lines starting with `#` are skipped.
 */
export function readEmpiricalValues(file: string, baseDir: string, unit: 'duration' | 'number'): Float64Array {
  const path = resolve(baseDir, file);
  let text: string;
  try {
    text = readInputFile(path, MAX_CSV_BYTES);
  } catch (e) {
    const reason = e instanceof InputFileError ? e.reason : ((e as NodeJS.ErrnoException).code ?? 'error');
    throw new DistributionError(
      `empirical: cannot read '${clip(file)}' (resolved to ${clip(path, 200)}): ${reason}`,
      `${EXPECTED_FILE}, at most ${formatBytes(MAX_CSV_BYTES)}`,
      reason,
    );
  }

  const rows: { line: number; cells: string[] }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) rows.push({ line: i + 1, cells: line.split(',').map(unquote) });
  });
  if (rows.length === 0)
    throw new DistributionError(`empirical: '${file}' holds no values`, EXPECTED_FILE, 'an empty file');

  const header = rows[0]!.cells.every((c) => readValue(c, unit) === undefined) ? rows.shift()!.cells : undefined;
  if (rows.length === 0)
    throw new DistributionError(`empirical: '${file}' has a header but no values`, EXPECTED_FILE, 'only a header');
  const column = chooseColumn(header, rows[0]!.cells, unit);

  const values = new Float64Array(rows.length);
  rows.forEach(({ line, cells }, i) => {
    const cell = cells[column] ?? '';
    const value = readValue(cell, unit);
    // 1e999 reads as Infinity: not a measurement, and it would poison every sum downstream.
    if (value === undefined || value < 0 || !Number.isFinite(value) || value > MAX_CSV_VALUE) {
      const expected =
        unit === 'duration' ? `a duration of 0 … 365d (95s, or plain seconds 95)` : `a number of 0 … ${MAX_CSV_VALUE}`;
      throw new DistributionError(
        `empirical: '${clip(file)}' line ${line}, column ${column + 1}: cannot read '${clip(cell, 40)}' as ${expected}`,
        expected,
        `'${clip(cell, 40)}'`,
      );
    }
    values[i] = value;
  });
  return values.sort();
}

function chooseColumn(header: string[] | undefined, firstRow: string[], unit: 'duration' | 'number'): number {
  if (header !== undefined) {
    const named = header.findIndex((h) => PREFERRED_COLUMNS.includes(h.toLowerCase()));
    if (named >= 0) return named;
  }
  const numeric = firstRow.findIndex((c) => readValue(c, unit) !== undefined);
  return Math.max(numeric, 0);
}

/** A cell's value, or undefined when it is not one (a header cell, a typo). */
function readValue(cell: string, unit: 'duration' | 'number'): number | undefined {
  if (PLAIN_NUMBER.test(cell)) return Number(cell);
  if (unit === 'number') return undefined;
  try {
    return parseDuration(cell);
  } catch (e) {
    if (e instanceof UnitError) return undefined;
    throw e;
  }
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}
