/** One container per chart (the page script draws into it) and the list of charts not drawn. */

import type { ChartSet } from './chart-data.js';
import { escapeHtml } from './escape.js';

export function chartsSection(set: ChartSet, storyHtml = ''): string {
  const figure = (c: ChartSet['charts'][number]): string => {
    const unit = c.rightUnit === undefined ? c.unit : `${c.unit} · right axis ${c.rightUnit}`;
    return [
      `<figure class="chart" id="chart-${c.id}">`,
      `<figcaption>${escapeHtml(c.title)} <span class="unit">(${escapeHtml(unit)})</span></figcaption>`,
      `<div class="plot" data-chart="${c.id}"></div>`,
      `<p class="about">${escapeHtml(c.about)}</p>`,
      '</figure>',
    ].join('\n');
  };
  const story = set.charts.filter((c) => !c.other).map(figure);
  const other = set.charts.filter((c) => c.other).map(figure);
  const figures = [
    ...story,
    ...(other.length === 0
      ? []
      : [
          '<h3 id="other-series">Other series that are not zero</h3>',
          '<div class="other-charts">',
          ...other,
          '</div>',
        ]),
  ];
  const skipped =
    set.skipped.length === 0
      ? ''
      : [
          '<div class="skipped">',
          '<h3>Not drawn</h3>',
          '<ul>',
          ...set.skipped.map(
            (s) => `<li id="skipped-${s.id}"><strong>${escapeHtml(s.title)}</strong>: ${escapeHtml(s.reason)}</li>`,
          ),
          '</ul>',
          '</div>',
        ].join('\n');
  return [
    '<section id="charts">',
    '<h2>Charts</h2>',
    '<p class="hint">Times are the simulated wall clock. Dashed lines (amber) mark the timeline actions, dotted lines (violet) the steps orchestrators took on their own (gate timeouts, forced stages, SIGTERM, SIGKILL). Counters are per second.</p>',
    '<noscript><p class="note">The charts need JavaScript; the numbers are in timeline.csv.</p></noscript>',
    storyHtml,
    ...figures,
    skipped,
    '</section>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}
