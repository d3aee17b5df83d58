/**
 * The report registry and the one function commands call to produce a run's output. Adding a
 * format (html, junit) is one file-or-console writer and one line in a map below.
 */
import type { RunResult } from '../sim/result.js';
import { eventsLog } from './events-log/index.js';
import { htmlReport } from './html/index.js';
import { jsonStdout } from './json-stdout/index.js';
import { summaryJson } from './summary-json/index.js';
import { terminal } from './terminal/index.js';
import { timelineCsv } from './timeline-csv/index.js';
import { type WriteReportsOptions, type WriteReportsOutcome, writeWithReports } from './write-reports.js';
import type { ConsoleReport, FileReport } from './writer.js';

export { colorize } from './colorize.js';
export { writeFileAtomic } from './write-atomic.js';
export type { ConsoleContext, ConsoleReport, FileReport } from './writer.js';

/** Reports that become files in the output directory. */
export const fileReports: Record<string, FileReport> = {
  'summary-json': summaryJson,
  'timeline-csv': timelineCsv,
  'events-log': eventsLog,
  'report-html': htmlReport,
};

/** Reports printed to stdout once the files are in place. */
export const consoleReports: Record<string, ConsoleReport> = {
  terminal,
  json: jsonStdout,
};

/** Every format name a command may accept, e.g. for yargs `choices`. */
export const reportFormats: readonly string[] = [...Object.keys(fileReports), ...Object.keys(consoleReports)];

/** What `drainsim run` produces when no --format is given. */
export const defaultFormats: readonly string[] = [...Object.keys(fileReports), 'terminal'];

export type { WriteReportsOptions, WriteReportsOutcome } from './write-reports.js';

/**
 * Renders the console reports first, then writes the files whole or not at all (a file report
 * with chunks is rendered as it is written into the set's temp folder), then prints. If any
 * renderer throws, nothing is written and nothing is printed. Unknown format names throw before
 * anything happens. (`writeReportsFor` in by-format.ts does the same loading only the writers of
 * the formats asked.)
 */
export function writeReports(result: RunResult, options: WriteReportsOptions): WriteReportsOutcome {
  return writeWithReports(
    result,
    { ...options, formats: options.formats ?? defaultFormats },
    fileReports,
    consoleReports,
  );
}
