import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../reports/html/chart-data.js';
import { escapeHtml, inlineAsset, jsonForScript } from '../../reports/html/escape.js';
import { htmlReport, type ReportData, renderHtmlReport } from '../../reports/html/index.js';
import { PAGE_SCRIPT } from '../../reports/html/page-script.js';
import { timelineMarks } from '../../reports/html/timeline-marks.js';
import type { RunResult, Timeline } from '../../sim/result.js';
import { buildModel } from '../../sim/run-scenario.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { simTimeOf } from '../../sim/scenario/sim-time.js';
import { explanationOf } from '../../sim/trace/catalog.js';
import { fixtureResult, logLine } from './fixture.js';

const FAKE_ASSETS = { script: '/* uPlot */', css: '/* uPlot css */' };

function reportData(html: string): ReportData {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  if (!m) throw new Error('no report-data block');
  return JSON.parse(m[1]!) as ReportData;
}

function withTimeline(timeline: unknown[], warmup = 0): RunResult {
  const result = fixtureResult();
  result.resolved = { ...(result.resolved as object), timeline, warmup };
  return result;
}

/** A one-backend timeline of the given series (name → [kind, values per sample]). */
function timelineOf(series: Record<string, ['counter' | 'gauge', number[]]>): Timeline {
  const names = Object.keys(series);
  const samples = series[names[0]!]![1].length;
  const t: number[] = [];
  const entity: number[] = [];
  const values: number[][] = names.map(() => []);
  for (let i = 0; i < samples; i++) {
    for (let e = 0; e < 2; e++) {
      t.push(i + 1);
      entity.push(e);
      names.forEach((name, s) => values[s]!.push(series[name]![1][i]!));
    }
  }
  return {
    interval: 1,
    entities: ['vm-a', 'total'],
    series: names.map((name) => ({ name, kind: series[name]![0], unit: '', description: '' })),
    t: Float64Array.from(t),
    entity: Int32Array.from(entity),
    values: values.map((column) => Float64Array.from(column)),
  };
}

describe('report.html', () => {
  it('is registered as report.html and renders the same bytes for the same result', () => {
    expect(htmlReport.fileName).toBe('report.html');
    expect(htmlReport.render(fixtureResult())).toBe(htmlReport.render(fixtureResult()));
    const changed = fixtureResult();
    changed.figures['errors.total'] = 13;
    expect(htmlReport.render(changed)).not.toBe(htmlReport.render(fixtureResult()));
  });

  it('is self-contained: uPlot inline, nothing loaded from elsewhere', () => {
    const html = htmlReport.render(fixtureResult());
    expect(html).toContain('var uPlot=');
    expect(html).toContain('.uplot');
    // Only in-page anchors and data: URLs; no <script src>, no stylesheet links.
    expect(
      [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)]
        .map((m) => m[1]!)
        .filter((u) => !u.startsWith('#') && !u.startsWith('data:')),
    ).toEqual([]);
  });

  it('embeds the charted series with counters per second, and lists charts it cannot draw', () => {
    const data = reportData(renderHtmlReport(fixtureResult(), FAKE_ASSETS));
    expect(data.startSeconds).toBe(14 * 3600);
    expect(data.t).toEqual([10, 20, 30, 40, 50]);
    expect(data.charts.map((c) => c.id)).toEqual(['active-conn', 'new-conn', 'resets', 'time-wait']);
    const resets = data.charts.find((c) => c.id === 'resets')!;
    // 42 RSTs in the 10-second sample ending at 30 s.
    expect(resets.series).toEqual([
      { label: 'reset_out', color: expect.any(String), values: [0, 0, 4.2, 0, 0], axis: 'left' },
    ]);
    const active = data.charts.find((c) => c.id === 'active-conn')!;
    expect(active.series.map((s) => [s.label, s.values])).toEqual([
      ['vm-a', [600, 598, 0, 0, 0]],
      ['vm-b', [600, 640, 1197, 1190, 1188]],
    ]);
    const html = renderHtmlReport(fixtureResult(), FAKE_ASSETS);
    expect(html).toMatch(
      /<li id="skipped-pool-state"><strong>LB pool state per backend<\/strong>: not recorded in this run<\/li>/,
    );
    expect(html).toContain('<div class="plot" data-chart="time-wait"></div>');
  });

  it('shows verdicts, figures and the event log with its source filters', () => {
    const html = renderHtmlReport(fixtureResult(), FAKE_ASSETS);
    expect(html).toContain('<span class="verdict fail">1 of 2 expectations failed</span>');
    expect(html).toMatch(
      /<td class="fail">FAIL<\/td><td><code>errors.total == 0<\/code><\/td><td class="num">12<\/td><td class="mono">14:00:30<\/td>/,
    );
    expect(html).toMatch(/<td><code>reset_out.peak_per_s<\/code><\/td><td class="num">4.2<\/td>/);
    const sources = [...html.matchAll(/<input type="checkbox" value="([^"]+)" checked>/g)].map((m) => m[1]);
    expect(sources).toEqual(['deploy', 'k8s', 'lb', 'nginx']);
    expect(html).toContain(
      '<tr data-source="lb"><td>14:00:10.001</td><td class="source">[lb]</td><td>backend=vm-a draining new_conn=0 active_conn=598</td></tr>',
    );
  });

  it('escapes text, and data that could close its script block', () => {
    const result = withTimeline([{ at: '30s', do: 'note', text: '</script><script>alert(1)</script><!--' }]);
    result.scenario.description = '<b>bold</b> & "quoted"';
    result.events.push(logLine(40, 'app', '<img src=x onerror=alert(1)>'));
    const html = renderHtmlReport(result, FAKE_ASSETS);
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The JSON block, uPlot and the page script: three scripts, three closing tags.
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(reportData(html).marks).toEqual([
      { t: 10, clock: '14:00:10', label: 'drain vm-a timeout=20s', from: 'orchestrator' },
      { t: 30, clock: '14:00:30', label: 'note: </script><script>alert(1)</script><!--', from: 'action' },
    ]);
    expect(jsonForScript({ a: '</script>' })).toBe('{"a":"\\u003c/script>"}');
  });

  it('explains each marker beside the charts, with the explanation drainsim explain gives', () => {
    const result = fixtureResult();
    const html = renderHtmlReport(result, FAKE_ASSETS);
    const aside = html.slice(html.indexOf('<aside id="story">'), html.indexOf('</aside>'));
    expect(html.indexOf('<aside id="story">')).toBeLessThan(html.indexOf('class="plot"'));
    const step = result.events.find((l) => l.source === 'deploy' || l.source === 'k8s')!;
    expect(aside).toContain(escapeHtml(explanationOf(step.record)));
  });

  it('refuses to inline an asset that would end its own block', () => {
    expect(() => inlineAsset('x = "</script>"', 'script', 'evil.js')).toThrow(
      "cannot inline evil.js: it contains '</script'",
    );
    expect(() => renderHtmlReport(fixtureResult(), { script: '', css: 'a{}</STYLE>' })).toThrow(/uPlot.min.css/);
  });

  it('ships a page script that parses', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
  });
});

describe('timelineMarks', () => {
  it('places clock and duration times, groups actions at the same time and labels them', () => {
    const marks = timelineMarks(
      withTimeline([
        { at: '14:02:30', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
        { at: '14:02', do: 'remove', backend: 'vm-a' },
        { at: '2m', do: 'terminate', backend: 'vm-a', mode: 'kill' },
        { at: '3m', do: 'set', backend: 'vm-b', nginx: { keepalive_timeout: 5, keepalive_requests: 100 } },
        { at: '4m', do: 'load', http_rate: 50 },
      ]),
    );
    expect(marks.map((m) => [m.t, m.label])).toEqual([
      [120, 'remove vm-a, terminate vm-a (kill)'],
      [150, 'terminate vm-a (vanish)'],
      [180, 'set vm-b keepalive_timeout=5s keepalive_requests=100'],
      [240, 'load http_rate=50'],
    ]);
  });

  it('puts an action exactly where the orchestrator fires it, warmup and midnight included', () => {
    const scenario = ScenarioSchema.parse({ start: '23:50', warmup: '20m', backends: [{ name: 'vm-a' }] });
    const { orchestrator } = buildModel(scenario);
    for (const at of ['23:52', '23:35', '23:10', '00:05', '90s', '1h 30m', '0s']) {
      const expected = Math.max(orchestrator.timeOf(at), -scenario.warmup);
      expect(simTimeOf(at, scenario.start, scenario.warmup), at).toBe(expected);
    }
    expect(simTimeOf('00:05', '23:50', 1200)).toBe(15 * 60);
    expect(simTimeOf('23:35', '23:50', 1200)).toBe(-15 * 60);
  });

  it('skips what it cannot read instead of failing the report', () => {
    expect(timelineMarks(fixtureResult())).toEqual([]);
    expect(timelineMarks(withTimeline([{ at: 'soon', do: 'remove' }, 'junk', { do: 'bind' }]))).toEqual([]);
  });
});

describe('buildCharts', () => {
  it('skips an all-zero chart with its reason and leaves out error kinds that never happened', () => {
    const set = buildCharts(
      timelineOf({
        pool_state: ['gauge', [0, 0, 0]],
        err_econnreset: ['counter', [0, 5, 1]],
        err_etimedout: ['counter', [0, 0, 0]],
        ws_sessions: ['gauge', [0, 0, 0]],
      }),
    );
    expect(set.charts.map((c) => [c.id, c.series.map((s) => s.label)])).toEqual([['errors', ['err_econnreset']]]);
    expect(set.skipped.find((s) => s.id === 'pool-state')!.reason).toBe('all zero: every backend stayed BOUND');
    expect(set.skipped.find((s) => s.id === 'websocket')!.reason).toBe('all zero: no WebSocket sessions in this run');
    expect(set.skipped.find((s) => s.id === 'resets')!.reason).toBe('not recorded in this run');
  });

  it('names pool states and puts reconnects on the right axis', () => {
    const set = buildCharts(
      timelineOf({
        pool_state: ['gauge', [0, 1, 2]],
        ws_sessions: ['gauge', [5, 4, 0]],
        reconnects: ['counter', [0, 0, 4]],
      }),
    );
    const pool = set.charts.find((c) => c.id === 'pool-state')!;
    expect(pool.states).toEqual(['BOUND', 'DRAINING', 'DETACHED']);
    const ws = set.charts.find((c) => c.id === 'websocket')!;
    expect(ws.series.map((s) => [s.label, s.axis])).toEqual([
      ['vm-a sessions', 'left'],
      ['reconnects', 'right'],
    ]);
    expect(ws.rightUnit).toBe('reconnects/s');
  });
});
