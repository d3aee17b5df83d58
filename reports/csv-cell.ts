/**
 * One CSV cell exactly as csv-stringify 6 writes it with its defaults (lib/api/index.js,
 * `__transform`: delimiter `,`, quote and escape `"`, records ended by `\n`): numbers as
 * `String(n)`, null as an empty cell, a string quoted when it holds `,`, `"`, `\n` or `\r`, with
 * its quotes doubled. timeline.csv is written row by row with it instead of through csv-stringify,
 * which would hold every row as an array of cells and the whole file as one string at once (and
 * costs its import on every `drainsim run`). test/reports/csv-cell.test.ts checks it against
 * csv-stringify.
 */
const NEEDS_QUOTES = /[",\n\r]/;

export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One record: cells joined by commas, ended by a newline. */
export function csvRecord(cells: readonly (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + csvCell(cells[i]!);
  return `${line}\n`;
}
