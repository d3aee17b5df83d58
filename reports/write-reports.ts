/** The one body of `writeReports`, over registries its callers pass (all writers, or some). */
import { join } from 'node:path';
import type { RunResult } from '../sim/result.js';
import { type OutputFile, type StreamedFile, writeFilesAtomic } from './write-atomic.js';
import type { ConsoleContext, ConsoleReport, FileReport } from './writer.js';

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
 * `writeReports` over the given registries (every writer, or only those of the formats asked):
 * renders the console reports first, then writes the files whole or not at all (a file report
 * with chunks is rendered as it is written into the set's temp folder), then prints. If any
 * renderer throws, nothing is written and nothing is printed. Unknown format names throw before
 * anything happens.
 */
export function writeWithReports(
  result: RunResult,
  options: WriteReportsOptions & { formats: readonly string[] },
  fileReports: Readonly<Record<string, FileReport>>,
  consoleReports: Readonly<Record<string, ConsoleReport>>,
  reportFormats: readonly string[] = [...Object.keys(fileReports), ...Object.keys(consoleReports)],
): WriteReportsOutcome {
  const formats = options.formats;
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
