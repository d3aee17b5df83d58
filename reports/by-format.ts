/**
 * The report registry by name only, each writer behind its own dynamic import: a command that
 * writes some formats (`drainsim run --format none` writes the four files and prints nothing) loads
 * those writers only, not the terminal summary and its colours. The names and their order are those
 * of index.ts's registries (a test pins them), so the output is the same.
 */
import type { RunResult } from '../sim/result.js';
import type { WriteReportsOptions, WriteReportsOutcome } from './write-reports.js';
import type { ConsoleReport, FileReport } from './writer.js';

const fileLoaders: Record<string, () => Promise<FileReport>> = {
  'summary-json': async () => (await import('./summary-json/index.js')).summaryJson,
  'timeline-csv': async () => (await import('./timeline-csv/index.js')).timelineCsv,
  'events-log': async () => (await import('./events-log/index.js')).eventsLog,
  'report-html': async () => (await import('./html/index.js')).htmlReport,
};

const consoleLoaders: Record<string, () => Promise<ConsoleReport>> = {
  terminal: async () => (await import('./terminal/index.js')).terminal,
  json: async () => (await import('./json-stdout/index.js')).jsonStdout,
};

/** index.ts's `fileReports` names, in its order. */
export const fileFormatNames: readonly string[] = Object.keys(fileLoaders);
/** index.ts's `consoleReports` names, in its order. */
export const consoleFormatNames: readonly string[] = Object.keys(consoleLoaders);

async function loadSome<R>(
  loaders: Record<string, () => Promise<R>>,
  formats: readonly string[],
): Promise<Record<string, R>> {
  const names = Object.keys(loaders).filter((name) => formats.includes(name));
  const reports = await Promise.all(names.map((name) => loaders[name]!()));
  return Object.fromEntries(names.map((name, i) => [name, reports[i]!]));
}

/** `writeReports` (index.ts) for these formats, loading only their writers. */
export async function writeReportsFor(
  result: RunResult,
  options: WriteReportsOptions & { formats: readonly string[] },
): Promise<WriteReportsOutcome> {
  const all = [...fileFormatNames, ...consoleFormatNames];
  const unknown = options.formats.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    const names = unknown.map((n) => `'${n}'`).join(', ');
    throw new Error(`unknown report format ${names}; expected one of: ${all.join(', ')}`);
  }
  const [files, consoles, { writeWithReports }] = await Promise.all([
    loadSome(fileLoaders, options.formats),
    loadSome(consoleLoaders, options.formats),
    import('./write-reports.js'),
  ]);
  return writeWithReports(result, options, files, consoles);
}
