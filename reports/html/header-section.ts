/** The top of the report: what ran, with which seed, the verdict, and the timeline of actions. */
import type { RunResult } from '../../sim/result.js';
import { formatDuration } from '../../sim/scenario/units.js';
import { formatNumber } from '../terminal/format.js';
import { wallClock } from '../wall-clock.js';
import { escapeHtml } from './escape.js';
import type { TimelineMark } from './timeline-marks.js';

function verdict(result: RunResult): string {
  const total = result.expectations.length;
  if (total === 0) return '<span class="verdict none">no expectations in this scenario</span>';
  const failed = result.expectations.filter((e) => !e.passed).length;
  if (failed === 0) return `<span class="verdict pass">all ${total} expectations passed</span>`;
  return `<span class="verdict fail">${failed} of ${total} expectations failed</span>`;
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
  return [
    '<header>',
    `<h1>${escapeHtml(result.scenario.name)}</h1>`,
    `<p class="meta">${meta}</p>`,
    ...(description === '' ? [] : [`<p class="description">${escapeHtml(description)}</p>`]),
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
