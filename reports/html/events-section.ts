/**
 * The event log as a table with a text filter and one checkbox per source; the page script hides
 * rows that do not match. Very long logs are cut (events.log always has every line).
 */
import type { RunResult } from '../../sim/result.js';
import { formatNumber } from '../terminal/format.js';
import { wallClock } from '../wall-clock.js';
import { escapeHtml } from './escape.js';

/** Enough for any seed case; beyond this a browser table gets slow to filter. */
export const MAX_EVENT_ROWS = 20_000;

export function eventsSection(result: RunResult): string {
  const events = result.events;
  if (events.length === 0) {
    return '<section id="events">\n<h2>Event log</h2>\n<p class="note">Nothing was logged in this run.</p>\n</section>';
  }
  const clock = wallClock(result.start);
  const shown = events.slice(0, MAX_EVENT_ROWS);
  const sources = [...new Set(events.map((e) => e.source))].sort();
  const boxes = sources
    .map((s) => `<label><input type="checkbox" value="${escapeHtml(s)}" checked> ${escapeHtml(s)}</label>`)
    .join('\n');
  const rows = shown.map(
    (e) =>
      `<tr data-source="${escapeHtml(e.source)}"><td>${clock.atMillis(e.t)}</td><td class="source">[${escapeHtml(e.source)}]</td><td>${escapeHtml(e.text)}</td></tr>`,
  );
  const cut =
    shown.length < events.length
      ? `<p class="note">Showing the first ${formatNumber(shown.length)} of ${formatNumber(events.length)} lines; events.log has them all.</p>`
      : '';
  return [
    '<section id="events">',
    '<h2>Event log</h2>',
    '<div class="filters">',
    '<input type="search" id="log-filter" placeholder="filter lines, e.g. vm-c or 104" aria-label="filter the event log">',
    `<span id="log-sources">\n${boxes}\n</span>`,
    `<span id="log-count" class="note">${formatNumber(shown.length)} lines</span>`,
    '</div>',
    cut,
    '<table id="event-log">',
    '<thead><tr><th>time</th><th>source</th><th>line</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</section>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
