/**
 * HAProxy's default session log lines (configuration.txt, 8.2.2 "TCP log format" and 8.2.3
 * "HTTP log format"), with or without a syslog prefix:
 *
 *   tcplog:  %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
 *   httplog: %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc ...
 *
 * The duration is the last timer, in milliseconds: Tt (whole session) in tcplog; in httplog Ta
 * (active time of the request, which for an upgraded WebSocket spans the tunnel; HAProxy < 1.9
 * logged Tt there). A `+` before it means `option logasap`: the line was written before the
 * session ended, so the value is a lower bound (censored). A session whose termination state
 * starts with one of `censorCauses` (default `K`: killed by an administrator, i.e. cut by a
 * shutdown or a drain, src/log.c sess_term_cond) ended before its natural end, so it is censored too.
 */
import { atLeastResolution, emptyLog, forEachLine, type ParsedLog } from './observations.js';

export interface HaproxyFilter {
  /** Keep only this backend (the `%b` field). */
  backend?: string;
  /** Keep only this server (the `%s` field). */
  server?: string;
  /** Keep only this HTTP status (e.g. 101 for WebSocket upgrades); TCP lines have none and are skipped. */
  status?: number;
  /** Termination-state first characters that mean "cut before its natural end". */
  censorCauses?: string;
}

const HEAD = String.raw`(?:^|\s)(\S+):(\d+) \[[^\]]+\] (\S+) ([^\s/]+)/(\S+) `;
const HTTP = new RegExp(
  HEAD + String.raw`(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(\+?-?\d+) (-?\d+) \+?\d+ \S+ \S+ ([A-Za-z-]{4}) `,
);
const TCP = new RegExp(HEAD + String.raw`(-?\d+)/(-?\d+)/(\+?-?\d+) \+?\d+ ([A-Za-z-]{2}) `);
/** A line HAProxy itself wrote that is not a session: "Proxy x started", "Server b/s is DOWN" … */
const HAPROXY_MESSAGE = /haproxy\[\d+\]:/;

/** Whether a line looks like an HAProxy session log line (for format detection). */
export function looksLikeHaproxy(line: string): boolean {
  return HTTP.test(line) || TCP.test(line);
}

export function parseHaproxyLog(text: string, filter: HaproxyFilter = {}): ParsedLog {
  const log = emptyLog();
  const censorCauses = filter.censorCauses ?? 'K';
  log.lines = forEachLine(text, (line, n) => {
    if (line.trim() === '') {
      log.skipped++;
      return;
    }
    let backend: string, server: string, timer: string, state: string, status: number | undefined;
    const http = HTTP.exec(line);
    if (http !== null) {
      [backend, server, timer, state] = [http[4]!, http[5]!, http[10]!, http[12]!];
      status = Number(http[11]);
    } else {
      const tcp = TCP.exec(line);
      if (tcp === null) {
        if (HAPROXY_MESSAGE.test(line) || line.startsWith('#')) log.skipped++;
        else log.malformed.push({ line: n, reason: 'not an HAProxy tcplog or httplog line' });
        return;
      }
      [backend, server, timer, state] = [tcp[4]!, tcp[5]!, tcp[8]!, tcp[9]!];
    }
    if (
      (filter.backend !== undefined && backend !== filter.backend) ||
      (filter.server !== undefined && server !== filter.server) ||
      (filter.status !== undefined && status !== filter.status)
    ) {
      log.skipped++;
      return;
    }
    const logasap = timer.startsWith('+');
    const ms = Number(logasap ? timer.slice(1) : timer);
    // -1: the session never got that far (e.g. refused before connecting): there is no duration.
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      log.malformed.push({ line: n, reason: `no session duration (timer ${timer})` });
      return;
    }
    const censored = logasap || censorCauses.includes(state[0]!);
    log.observations.push({ seconds: atLeastResolution(ms / 1000, log), censored });
  });
  return log;
}
