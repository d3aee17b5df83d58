/**
 * `drainsim fit <log>`: session lifetimes fitted from a real log (HAProxy tcplog/httplog, nginx
 * access log with its log_format, or a CSV of durations), printed as a value to paste into a
 * scenario, or written as an empirical CSV. Bad lines are counted and named, never fatal; a log
 * with no usable session exits 2 naming the file and line.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { parseDurationCsv } from '../plan/fit/csv-log.js';
import { empiricalValues, FitError, fitLifetimes } from '../plan/fit/fit-lifetimes.js';
import { renderFitText } from '../plan/fit/fit-text.js';
import { looksLikeHaproxy, parseHaproxyLog } from '../plan/fit/haproxy-log.js';
import { compileLogFormat, LogFormatError, parseNginxLog } from '../plan/fit/nginx-log.js';
import type { ParsedLog } from '../plan/fit/observations.js';
import { formatBytes, InputFileError, readInputFile } from '../scenario/input-file.js';
import { type CliIO, EXIT, exitCodeHandler } from './context.js';

/** The largest log read at once: ~2 million HAProxy lines. */
export const MAX_LOG_BYTES = 512 * 1024 * 1024;
/** Malformed lines named one by one before the rest are only counted. */
const LINES_NAMED = 5;

export interface FitArgs {
  log: string;
  format: 'auto' | 'haproxy' | 'nginx' | 'csv';
  'log-format'?: string;
  backend?: string;
  server?: string;
  status?: number;
  'censor-state': string;
  'censor-status'?: number[];
  csv?: string;
}

function detect(args: FitArgs, text: string): 'haproxy' | 'nginx' | 'csv' {
  if (args.format !== 'auto') return args.format;
  if (args['log-format'] !== undefined) return 'nginx';
  if (/\.csv$/i.test(args.log)) return 'csv';
  const sample = text
    .slice(0, 64 * 1024)
    .split('\n')
    .slice(0, 50);
  return sample.some(looksLikeHaproxy) ? 'haproxy' : 'csv';
}

function describeBad(file: string, log: ParsedLog): string {
  const named = log.malformed.slice(0, LINES_NAMED).map((b) => `  ${file}:${b.line}: ${b.reason}`);
  const more = log.malformed.length - named.length;
  return `${named.join('\n')}${more > 0 ? `\n  … and ${more.toLocaleString('en-US')} more` : ''}`;
}

export function fitCommandLine(args: FitArgs, io: CliIO): number {
  const file = args.log;
  let text: string;
  try {
    text = readInputFile(file, MAX_LOG_BYTES);
  } catch (e) {
    const reason = e instanceof InputFileError ? e.reason : ((e as NodeJS.ErrnoException).code ?? String(e));
    io.stderr.write(`drainsim fit: ${file}: cannot read: ${reason} (at most ${formatBytes(MAX_LOG_BYTES)})\n`);
    return EXIT.badInput;
  }
  const format = detect(args, text);
  let log: ParsedLog;
  let extra = '';
  try {
    if (format === 'haproxy') {
      log = parseHaproxyLog(text, {
        backend: args.backend,
        server: args.server,
        status: args.status,
        censorCauses: args['censor-state'],
      });
    } else if (format === 'nginx') {
      if (args['log-format'] === undefined) {
        io.stderr.write(
          `drainsim fit: ${file}: an nginx log needs --log-format, the log_format line of nginx.conf (with $request_time)\n`,
        );
        return EXIT.badInput;
      }
      const nginx = parseNginxLog(text, compileLogFormat(args['log-format']), {
        status: args.status,
        censorStatuses: args['censor-status'],
      });
      if (nginx.connectionRequests.length > 0) {
        const sorted = [...nginx.connectionRequests].sort((a, b) => a - b);
        const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
        extra = `$connection_requests: mean ${mean.toFixed(2)}, p99 ${sorted[Math.floor(0.99 * (sorted.length - 1))]} (the request's position on its client connection)\n`;
      }
      log = nginx;
    } else {
      log = parseDurationCsv(text);
    }
  } catch (e) {
    if (e instanceof LogFormatError) {
      io.stderr.write(`drainsim fit: --log-format: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }

  if (log.observations.length === 0) {
    const why =
      log.malformed.length > 0
        ? `no usable session in ${log.lines.toLocaleString('en-US')} lines as ${format}:\n${describeBad(file, log)}`
        : `no session lines (read as ${format}; ${log.skipped} lines skipped)`;
    io.stderr.write(`drainsim fit: ${file}:${log.malformed[0]?.line ?? 1}: ${why}\n`);
    return EXIT.badInput;
  }
  if (log.malformed.length > 0) {
    io.stderr.write(
      `drainsim fit: warning: ${log.malformed.length.toLocaleString('en-US')} malformed line${log.malformed.length === 1 ? '' : 's'} in ${file} not used:\n${describeBad(file, log)}\n`,
    );
  }
  try {
    const result = fitLifetimes(log.observations);
    const notes = [
      log.skipped > 0
        ? `${log.skipped.toLocaleString('en-US')} line${log.skipped === 1 ? '' : 's'} skipped (not sessions, or filtered out)`
        : '',
      log.zeros > 0 ? `${log.zeros.toLocaleString('en-US')} durations of 0 counted as 0.5 ms` : '',
    ].filter((s) => s !== '');
    io.stdout.write(renderFitText(result, `${basename(file)} (${format})`));
    if (notes.length > 0) io.stdout.write(`Notes: ${notes.join('; ')}.\n`);
    io.stdout.write(extra);
    if (args.csv !== undefined) {
      const values = empiricalValues(result, log.observations);
      const body = `duration\n${values.map((v) => String(Number(v.toFixed(3)))).join('\n')}\n`;
      // Written beside and renamed: a reader never sees half a file.
      const temp = `${args.csv}.tmp-${process.pid}`;
      writeFileSync(temp, body);
      renameSync(temp, args.csv);
      io.stderr.write(
        `wrote ${args.csv} (${values.length.toLocaleString('en-US')} values${result.censored > 0 ? ', Kaplan–Meier quantiles' : ''})\n`,
      );
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof FitError) {
      io.stderr.write(`drainsim fit: ${file}: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
}

export const fitCommand: CommandModule<object, FitArgs> = {
  command: 'fit <log>',
  describe: 'Fit session lifetimes (lognormal, exponential, Pareto) from an HAProxy or nginx log or a CSV of durations',
  builder: (y) =>
    y
      .positional('log', { type: 'string', demandOption: true, describe: 'The log file' })
      .option('format', {
        type: 'string',
        choices: ['auto', 'haproxy', 'nginx', 'csv'] as const,
        default: 'auto' as const,
        describe: 'Log format (auto: nginx with --log-format, csv for .csv, else HAProxy when lines look like it)',
      })
      .option('log-format', {
        type: 'string',
        describe:
          'nginx: the log_format line, e.g. "log_format ws \'$remote_addr [$time_local] \\"$request\\" $status $request_time\';"',
      })
      .option('backend', { type: 'string', describe: 'HAProxy: keep only this backend' })
      .option('server', { type: 'string', describe: 'HAProxy: keep only this server' })
      .option('status', { type: 'number', describe: 'Keep only this HTTP status (101: WebSocket upgrades)' })
      .option('censor-state', {
        type: 'string',
        default: 'K',
        describe:
          'HAProxy: termination-state first characters of sessions cut before their end (K: killed by admin/shutdown); a + before the timer (logasap) is always censored',
      })
      .option('censor-status', {
        type: 'number',
        array: true,
        describe: 'nginx: statuses of sessions cut before their end',
      })
      .option('csv', {
        type: 'string',
        describe:
          'Also write the empirical durations (Kaplan–Meier quantiles when censored) to this CSV, for empirical(file.csv)',
      })
      .example('$0 fit /var/log/haproxy.log --backend ws --status 101', 'WebSocket session lifetimes behind HAProxy')
      .example(
        '$0 fit access.log --log-format "log_format t \'$remote_addr $status $request_time $connection_requests\';"',
        'nginx with its log_format',
      )
      .example('$0 fit sessions.csv --csv lifetimes.csv', 'durations (and a censored column) from elsewhere'),
  handler: exitCodeHandler((args, io) => fitCommandLine(args, io)),
};
