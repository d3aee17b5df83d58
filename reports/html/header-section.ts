/** The top of the report: what ran, with which seed, the verdict, and the timeline of actions. */
import type { RunResult } from '../../sim/result.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { scenarioIntent, verdictWords } from '../scenario-intent.js';
import { formatNumber } from '../terminal/format.js';
import { wallClock } from '../wall-clock.js';
import { escapeHtml } from './escape.js';
import type { TimelineMark } from './timeline-marks.js';

function verdict(result: RunResult): string {
  const { text, tone } = verdictWords(result);
  return `<span class="verdict ${tone}">${escapeHtml(text)}</span>`;
}

export function headerSection(result: RunResult): string {
  const clock = wallClock(result.start);
  const meta = [
    `seed ${result.seed}`,
    `drainsim v${escapeHtml(result.version)}`,
    ...(result.scenario.file === '' ? [] : [`<code>${escapeHtml(result.scenario.file)}</code>`]),
    `simulated ${clock.at(0)} → ${clock.at(result.horizon)} (${formatDuration(result.horizon)})`,
    `${formatNumber(result.engineEvents)} engine events`,
  ].join(' · ');
  const description = result.scenario.description.trim();
  const { source } = scenarioIntent(result);
  return [
    '<header>',
    `<h1>${escapeHtml(result.scenario.name)}</h1>`,
    `<p class="meta">${meta}</p>`,
    ...(description === '' ? [] : [`<p class="description">${escapeHtml(description)}</p>`]),
    ...(source === undefined ? [] : [`<p class="source">Source: ${escapeHtml(source)}</p>`]),
    `<p>${verdict(result)}</p>`,
    '<nav><a href="#timeline">Timeline</a><a href="#charts">Charts</a><a href="#expectations">Expectations</a>' +
      '<a href="#figures">Key figures</a><a href="#events">Event log</a></nav>',
    '</header>',
  ].join('\n');
}

export function timelineSection(result: RunResult, marks: readonly TimelineMark[]): string {
  const clock = wallClock(result.start);
  const items = marks.map((m) => {
    const warmup = m.t < 0 ? ' <span class="note">(during warmup, before the recorded window)</span>' : '';
    return `<li><time>${clock.at(m.t)}</time>${escapeHtml(m.label)}${warmup}</li>`;
  });
  const body =
    items.length === 0
      ? '<p class="note">This scenario has no timeline actions.</p>'
      : `<ol class="actions">\n${items.join('\n')}\n</ol>`;
  return `<section id="timeline">\n<h2>Timeline</h2>\n${body}\n</section>`;
}
