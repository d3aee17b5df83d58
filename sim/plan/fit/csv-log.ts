/**
 * A CSV of measured durations for `drainsim fit`: one session per line, plain seconds or
 * durations with units (`95s`, `1.5m`); a header line naming a `duration` (or `value`,
 * `seconds`) column and optionally a `censored` (or `open`) column of 1/0, true/false, yes/no.
 * Unlike an `empirical(…)` distribution file, bad lines are counted, not fatal.
 */
import { parseDuration, UnitError } from '../../scenario/units.js';
import { atLeastResolution, emptyLog, forEachLine, type ParsedLog } from './observations.js';

const PLAIN = /^[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DURATION_NAMES = ['duration', 'value', 'seconds', 'lifetime'];
const CENSOR_NAMES = ['censored', 'open', 'still_open'];
const TRUE = new Set(['1', 'true', 'yes', 'y']);
const FALSE = new Set(['0', 'false', 'no', 'n', '']);

export function parseDurationCsv(text: string): ParsedLog {
  const log = emptyLog();
  let durationColumn = 0;
  let censorColumn = -1;
  let sawFirst = false;
  log.lines = forEachLine(text, (raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      log.skipped++;
      return;
    }
    const cells = line.split(',').map((c) =>
      c
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim(),
    );
    if (!sawFirst) {
      sawFirst = true;
      if (readSeconds(cells[0]!) === undefined) {
        const lower = cells.map((c) => c.toLowerCase());
        const d = lower.findIndex((c) => DURATION_NAMES.includes(c));
        durationColumn = Math.max(d, 0);
        censorColumn = lower.findIndex((c) => CENSOR_NAMES.includes(c));
        log.skipped++;
        return;
      }
    }
    const seconds = readSeconds(cells[durationColumn] ?? '');
    if (seconds === undefined) {
      log.malformed.push({
        line: n,
        reason: `cannot read '${(cells[durationColumn] ?? '').slice(0, 30)}' as a duration`,
      });
      return;
    }
    let censored = false;
    if (censorColumn >= 0) {
      const flag = (cells[censorColumn] ?? '').toLowerCase();
      if (TRUE.has(flag)) censored = true;
      else if (!FALSE.has(flag)) {
        log.malformed.push({
          line: n,
          reason: `censored flag '${flag.slice(0, 20)}' is not 1/0, true/false or yes/no`,
        });
        return;
      }
    }
    log.observations.push({ seconds: atLeastResolution(seconds, log), censored });
  });
  return log;
}

function readSeconds(cell: string): number | undefined {
  if (PLAIN.test(cell)) {
    const v = Number(cell);
    return Number.isFinite(v) ? v : undefined;
  }
  try {
    const v = parseDuration(cell);
    return v >= 0 && Number.isFinite(v) ? v : undefined;
  } catch (e) {
    if (e instanceof UnitError) return undefined;
    throw e;
  }
}
