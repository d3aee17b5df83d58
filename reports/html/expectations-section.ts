/** The scenario's `expect:` assertions with their verdicts. */
import { actualText } from '../../sim/expect/actual-text.js';
import type { RunResult } from '../../sim/result.js';
import { wallClock } from '../wall-clock.js';
import { escapeHtml } from './escape.js';

export function expectationsSection(result: RunResult): string {
  const list = result.expectations;
  if (list.length === 0) {
    return '<section id="expectations">\n<h2>Expectations</h2>\n<p class="note">This scenario states no expectations.</p>\n</section>';
  }
  const clock = wallClock(result.start);
  const rows = list.map((e) => {
    const status = e.passed ? '<td class="pass">PASS</td>' : '<td class="fail">FAIL</td>';
    const actual = e.actual === null ? 'n/a' : actualText(e);
    const at = e.at === undefined ? '' : clock.at(e.at);
    return `<tr>${status}<td><code>${escapeHtml(e.text)}</code></td><td class="num">${actual}</td><td class="mono">${at}</td><td>${escapeHtml(e.message ?? '')}</td></tr>`;
  });
  return [
    '<section id="expectations">',
    '<h2>Expectations</h2>',
    '<table>',
    '<thead><tr><th>result</th><th>assertion</th><th class="num">actual</th><th>at</th><th>message</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</section>',
  ].join('\n');
}
