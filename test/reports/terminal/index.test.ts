import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../../reports/terminal/index.js';
import { fixtureResult } from '../fixture.js';

const ctx = { color: false, width: 80, written: [] as string[], verbose: true };

describe('renderTerminal --verbose', () => {
  it('uses no escape codes and PASS/FAIL words when colour is off', () => {
    const text = renderTerminal(fixtureResult(), ctx);
    expect(text).not.toContain('\u001b[');
    expect(text).toMatch(/^ {2}PASS active_conn\(total\) >= 1180/m);
    expect(text).toMatch(/^ {2}FAIL errors\.total == 0 .*at 14:00:30/m);
    expect(text).not.toMatch(/[✓✗]/);
  });

  it('uses ✓/✗ and escape codes when colour is on', () => {
    const text = renderTerminal(fixtureResult(), { ...ctx, color: true });
    expect(text).toContain('\u001b[');
    expect(text).toContain('✓');
    expect(text).toContain('✗');
  });

  it('names the seed in the header', () => {
    expect(renderTerminal(fixtureResult(), ctx).split('\n')[0]).toContain('seed 42');
  });

  it('draws sparklines only for key series of total that are not all zero', () => {
    const lines = renderTerminal(fixtureResult(), ctx).split('\n');
    const sparkNames = lines.filter((l) => /[▁▂▃▄▅▆▇█]/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    // `errors` exists in the fixture but is zero throughout.
    expect(sparkNames).toEqual(['active_conn', 'new_conn', 'reset_out', 'time_wait']);
  });

  it('fits sparklines of a long run into the terminal width', () => {
    const result = fixtureResult();
    const samples = 1000;
    const entities = result.timeline.entities.length;
    result.timeline.t = Float64Array.from({ length: samples * entities }, (_, i) => Math.floor(i / entities) + 1);
    result.timeline.entity = Int32Array.from({ length: samples * entities }, (_, i) => i % entities);
    result.timeline.values = result.timeline.series.map(() => result.timeline.t.map((t) => (t === 700 ? 99 : 1)));
    const lines = renderTerminal(result, { ...ctx, width: 72 })
      .split('\n')
      .filter((l) => /[▁█]/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect([...line].length).toBeLessThanOrEqual(72);
      expect(line).toContain('█');
    }
  });

  it('lists the written files last', () => {
    const text = renderTerminal(fixtureResult(), { ...ctx, written: ['out/a/summary.json'] });
    expect(text.trimEnd().split('\n').slice(-2)).toEqual(['Files', '  out/a/summary.json']);
  });
});
