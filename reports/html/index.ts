/**
 * report.html: one self-contained page that works offline — uPlot, the page's script and style
 * and the run's data all inline. Same RunResult, same bytes: nothing here reads the clock or the
 * environment, and every list is in a fixed order.
 */
import type { RunResult } from '../../sim/result.js';
import { parseClock } from '../../sim/scenario/units.js';
import { storySteps } from '../story-steps.js';
import { wallClock } from '../wall-clock.js';
import type { FileReport } from '../writer.js';
import { buildCharts } from './chart-data.js';
import { chartsSection } from './charts-section.js';
import { inlineAsset, jsonForScript } from './escape.js';
import { eventsSection } from './events-section.js';
import { expectationsSection } from './expectations-section.js';
import { figuresSection } from './figures-section.js';
import { headerSection, timelineSection } from './header-section.js';
import { pageHead } from './page-head.js';
import { PAGE_SCRIPT } from './page-script.js';
import { storySection } from './story-section.js';
import { timelineMarks } from './timeline-marks.js';
import { type ChartAssets, uplotAssets } from './uplot-assets.js';

/** What the page script reads from the `report-data` block. */
export interface ReportData {
  /** Seconds since midnight of simulated t = 0 (the x axis is start + t). */
  startSeconds: number;
  t: number[];
  marks: { t: number; clock: string; label: string; from: 'action' | 'orchestrator' }[];
  charts: ReturnType<typeof buildCharts>['charts'];
}

export function renderHtmlReport(result: RunResult, assets: ChartAssets = uplotAssets()): string {
  const marks = timelineMarks(result);
  const charts = buildCharts(result.timeline);
  const clock = wallClock(result.start);
  const data: ReportData = {
    startSeconds: parseClock(result.start),
    t: charts.t,
    // Every action and orchestrator step; warmup ones happen before the first sample (the
    // timeline section lists them).
    marks: storySteps(result).map((m) => ({ t: m.t, clock: clock.at(m.t), label: m.label, from: m.from })),
    charts: charts.charts,
  };
  const title = `drainsim · ${result.scenario.name} · seed ${result.seed}`;
  return [
    ...pageHead(title, result.version, assets),
    headerSection(result),
    timelineSection(result, marks),
    chartsSection(charts, storySection(result)),
    expectationsSection(result),
    figuresSection(result),
    eventsSection(result),
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    `<script>\n${inlineAsset(assets.script, 'script', 'uPlot.iife.min.js')}\n</script>`,
    `<script>\n${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export const htmlReport: FileReport = {
  name: 'report-html',
  fileName: 'report.html',
  render: (result) => renderHtmlReport(result),
};
