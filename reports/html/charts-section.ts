/** One container per chart (the page script draws into it), grouped by the part of the story it tells, and the list of charts not drawn. */

import { CHART_GROUPS, type ChartSet } from './chart-data.js';
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
  // Charts under the part of the story they tell (chart-data.ts CHART_GROUPS), hand-made charts
  // of a group before the ones generated for its other non-zero series.
  const figures = CHART_GROUPS.flatMap((group) => {
    const charts = set.charts.filter((c) => c.group === group.id);
    if (charts.length === 0) return [];
    return [
      `<div class="chart-group" id="group-${group.id}" data-group="${group.id}">`,
      `<h3>${escapeHtml(group.title)}</h3>`,
      `<p class="hint">${escapeHtml(group.about)}</p>`,
      ...[...charts.filter((c) => !c.generated), ...charts.filter((c) => c.generated)].map(figure),
      '</div>',
    ];
  });
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
