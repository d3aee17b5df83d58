/**
 * The report registry and the one function commands call to produce a run's output. Adding a
 * format (html, junit) is one file-or-console writer and one line in a map below.
 */
import { join } from 'node:path';
import type { RunResult } from '../sim/result.js';
import { eventsLog } from './events-log/index.js';
import { htmlReport } from './html/index.js';
import { jsonStdout } from './json-stdout/index.js';
import { summaryJson } from './summary-json/index.js';
import { terminal } from './terminal/index.js';
import { timelineCsv } from './timeline-csv/index.js';
import { type OutputFile, type StreamedFile, writeFilesAtomic } from './write-atomic.js';
import type { ConsoleContext, ConsoleReport, FileReport } from './writer.js';

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

export interface WriteReportsOptions {
  /** Directory for file reports; null writes none (console reports still print). */
  outDir: string | null;
  /** Names from fileReports and consoleReports; defaults to defaultFormats. */
  formats?: readonly string[];
  stdout?: NodeJS.WritableStream;
  /** Decided by the caller, normally shouldColor(stdout, process.env). */
  color?: boolean;
  width?: number;
  /** The full terminal summary instead of the ≤ 30-line one. */
  verbose?: boolean;
}

export interface WriteReportsOutcome {
  /** Paths of the files written, in map order. */
  written: string[];
}

/**
 * Renders the console reports first, then writes the files whole or not at all (a file report
 * with chunks is rendered as it is written into the set's temp folder), then prints. If any
 * renderer throws, nothing is written and nothing is printed. Unknown format names throw before
 * anything happens.
 */
export function writeReports(result: RunResult, options: WriteReportsOptions): WriteReportsOutcome {
  const formats = options.formats ?? defaultFormats;
  const unknown = formats.filter((name) => !(name in fileReports) && !(name in consoleReports));
  if (unknown.length > 0) {
    const names = unknown.map((n) => `'${n}'`).join(', ');
    throw new Error(`unknown report format ${names}; expected one of: ${reportFormats.join(', ')}`);
  }
  const { outDir } = options;
  const files: (OutputFile | StreamedFile)[] =
    outDir === null
      ? []
      : Object.entries(fileReports)
          .filter(([name]) => formats.includes(name))
          .map(([, report]) =>
            report.chunks
              ? { fileName: report.fileName, pieces: report.chunks(result) }
              : { fileName: report.fileName, text: report.render(result) },
          );

  const stdout = options.stdout ?? process.stdout;
  const ctx: ConsoleContext = {
    color: options.color ?? false,
    width: options.width ?? (stdout as { columns?: number }).columns ?? 80,
    // Known before writing, so console reports render (and may fail) before anything touches disk.
    written: outDir === null ? [] : files.map((file) => join(outDir, file.fileName)),
    verbose: options.verbose ?? false,
  };
  const printed = Object.entries(consoleReports)
    .filter(([name]) => formats.includes(name))
    .map(([, report]) => report.render(result, ctx));

  const written = outDir === null ? [] : writeFilesAtomic(outDir, files);
  for (const text of printed) stdout.write(text);
  return { written };
}
