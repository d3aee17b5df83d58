/** The finished event log as the result carries it: each record with its operator line. */
import type { LoggedRecord } from '../metrics/event-log.js';
import type { LogLine } from '../result.js';
import { entryOf } from './catalog.js';

export function logLines(entries: readonly LoggedRecord[]): LogLine[] {
  return entries.map(({ t, record, folded }) => {
    const entry = entryOf(record);
    const text = entry.line(record);
    return {
      t,
      source: entry.source,
      text: folded > 0 ? `${text} (${folded} more like this in this second)` : text,
      record,
      folded,
    };
  });
}
