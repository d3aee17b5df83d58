import { describe, expect, it } from 'vitest';
import { compactNumber, niceTicks, svgChart } from '../../reports/sweep-html/svg-chart.js';

describe('sweep chart', () => {
  it('puts ticks at 1, 2 or 5 × 10^k from below the data to above it', () => {
    expect(niceTicks(0, 48).map((t) => t.value)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 40).map((t) => t.value)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0.013, 0.031).map((t) => t.label)).toEqual(['0.01', '0.015', '0.02', '0.025', '0.03', '0.035']);
    const ticks = niceTicks(0.013, 0.031).map((t) => t.value);
    expect(ticks[0]).toBeLessThanOrEqual(0.013);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(0.031);
    // A flat series still gets an axis.
    expect(niceTicks(7, 7).length).toBeGreaterThanOrEqual(2);
  });

  it('labels large numbers compactly', () => {
    expect([compactNumber(1500), compactNumber(25_000), compactNumber(3_200_000), compactNumber(0.0325)]).toEqual([
      '1500',
      '25k',
      '3.2M',
      '0.0325',
    ]);
  });

  it('draws band, mean and p95 per series, each dot with its numbers', () => {
    const svg = svgChart({
      xLabel: 'app.workers',
      series: [
        {
          label: 's',
          color: '#123456',
          points: [
            { x: 10, mean: 5, low: 4, high: 6, p95: 7, tooltip: 'at 10 <mean 5>' },
            { x: 20, mean: 8, low: 7, high: 9, p95: 9.5, tooltip: 'at 20' },
          ],
        },
      ],
    });
    expect(svg).toMatch(/^<svg viewBox="0 0 380 230"/);
    expect(svg).toContain('<polygon class="band" fill="#123456"');
    expect(svg).toContain('<polyline class="mean"');
    expect(svg).toContain('<polyline class="p95"');
    expect(svg).toContain('<title>at 10 &lt;mean 5&gt;</title>');
    expect(svg).toContain('>app.workers</text>');
  });
});
