/**
 * "What happened", beside the charts: each timeline action and orchestrator step the markers show,
 * with the explanation `drainsim explain` gives for what the model recorded at that moment
 * (sim/trace/catalog.ts), so a reader sees why a line in a chart jumps where it does.
 */
import type { RunResult } from '../../sim/result.js';
import { explanationOf } from '../../sim/trace/catalog.js';
import { storySteps } from '../story-steps.js';
import { wallClock } from '../wall-clock.js';
import { escapeHtml } from './escape.js';

/** Steps shown at most: a rollout of many pods logs dozens; the event log below has them all. */
const MAX_STEPS = 30;

export function storySection(result: RunResult): string {
  const steps = storySteps(result);
  if (steps.length === 0) return '';
  const clock = wallClock(result.start);
  const items = steps.slice(0, MAX_STEPS).map((s) => {
    const why = s.record === undefined ? '' : explanationOf(s.record);
    const kind = s.from === 'action' ? 'action' : 'step';
    return [
      `<li class="${kind}"><time>${clock.at(s.t)}</time> <strong>${escapeHtml(s.label)}</strong>`,
      why === '' ? '' : `<p class="why">${escapeHtml(why)}</p>`,
      '</li>',
    ].join('');
  });
  const more =
    steps.length > MAX_STEPS ? `<p class="note">${steps.length - MAX_STEPS} more steps in the event log.</p>` : '';
  return [
    '<aside id="story">',
    '<h3>What happened</h3>',
    '<p class="hint">Each marker on the charts, with what drainsim explain says about it.</p>',
    `<ol class="story">\n${items.join('\n')}\n</ol>`,
    more,
    '</aside>',
  ]
    .filter((x) => x !== '')
    .join('\n');
}
