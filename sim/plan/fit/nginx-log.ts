/**
 * nginx access-log lines in the format the operator's `log_format` directive gives
 * (ngx_http_log_module: the format is the concatenation of the quoted strings after the name;
 * `$name` and `${name}` are variables). The format must contain `$request_time` (seconds with
 * millisecond resolution, from the first byte read to the last byte sent: for an upgraded
 * WebSocket, the whole tunnel). `$connection_requests`, when present, is summarised too.
 *
 * nginx writes a line only when a request ends, so nothing is censored by default; a status in
 * `censorStatuses` marks sessions cut before their natural end.
 */
import { atLeastResolution, emptyLog, forEachLine, type ParsedLog } from './observations.js';

export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}

export interface NginxFormat {
  regex: RegExp;
  /** Variable names in capture-group order. */
  variables: string[];
}

export interface NginxFilter {
  status?: number;
  censorStatuses?: readonly number[];
}

export interface NginxLog extends ParsedLog {
  /** `$connection_requests` of every kept line, when the format has it. */
  connectionRequests: number[];
}

/** Reads `log_format name [escape=…] 'part' 'part';` or a bare format string. */
export function compileLogFormat(directive: string): NginxFormat {
  let text = directive.trim();
  const named = /^log_format\s+\S+\s+(?:escape=\S+\s+)?([\s\S]*?);?\s*$/.exec(text);
  if (named !== null) {
    const parts = [...named[1]!.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map(
      (m) => m[1] ?? m[2] ?? m[3]!,
    );
    text = parts.join('');
  }
  if (text === '') throw new LogFormatError('the log_format is empty');
  const variables: string[] = [];
  let source = '^';
  let last = 0;
  const variable = /\$\{(\w+)\}|\$(\w+)/g;
  for (const m of text.matchAll(variable)) {
    source += `${escapeRegex(text.slice(last, m.index))}(.*?)`;
    variables.push(m[1] ?? m[2]!);
    last = m.index! + m[0].length;
  }
  source += `${escapeRegex(text.slice(last))}$`;
  if (!variables.includes('request_time')) {
    throw new LogFormatError(
      `the log_format has no $request_time (variables: ${variables.map((v) => `$${v}`).join(' ') || 'none'}): nginx logs no duration without it`,
    );
  }
  return { regex: new RegExp(source), variables };
}

function escapeRegex(s: string): string {
  return s.replace(/\\(.)/g, '$1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function parseNginxLog(text: string, format: NginxFormat, filter: NginxFilter = {}): NginxLog {
  const log: NginxLog = { ...emptyLog(), connectionRequests: [] };
  const at = (name: string) => format.variables.indexOf(name) + 1;
  const [timeAt, statusAt, requestsAt] = [at('request_time'), at('status'), at('connection_requests')];
  log.lines = forEachLine(text, (line, n) => {
    if (line.trim() === '') {
      log.skipped++;
      return;
    }
    const m = format.regex.exec(line);
    if (m === null) {
      log.malformed.push({ line: n, reason: 'does not match the log_format' });
      return;
    }
    const seconds = Number(m[timeAt]);
    if (!/^\d+(?:\.\d+)?$/.test(m[timeAt]!) || !Number.isFinite(seconds)) {
      log.malformed.push({ line: n, reason: `$request_time '${m[timeAt]!.slice(0, 20)}' is not a number of seconds` });
      return;
    }
    const status = statusAt > 0 ? Number(m[statusAt]) : undefined;
    if (filter.status !== undefined && status !== filter.status) {
      log.skipped++;
      return;
    }
    const censored = status !== undefined && (filter.censorStatuses ?? []).includes(status);
    log.observations.push({ seconds: atLeastResolution(seconds, log), censored });
    if (requestsAt > 0 && /^\d+$/.test(m[requestsAt]!)) log.connectionRequests.push(Number(m[requestsAt]));
  });
  return log;
}
