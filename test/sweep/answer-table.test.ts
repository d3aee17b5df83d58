import { describe, expect, it } from 'vitest';
import { goalVerdict, parseGoal, renderAnswerTable } from '../../sim/sweep/answer-table.js';
import type { SweepData } from '../../sim/sweep/types.js';

/** Three drain timeouts × 4 seeds; cut sessions fall with the timeout, the last point is noisy. */
function data(): SweepData {
  const cuts = [
    [80, 82, 79, 81],
    [28, 29, 27, 28],
    [10, 40, 5, 25],
  ];
  const values = ['1m', '4m', '8m'];
  return {
    version: 't',
    name: 's',
    spec: {
      scenario: 's',
      sets: [],
      vary: [{ text: 'vars.drain=1m,4m,8m', path: 'vars.drain', values }],
      seeds: [1, 2, 3, 4],
    },
    points: values.map((v) => ({ sets: [`vars.drain=${v}`], resolved: [v] })),
    digest: '',
    runs: cuts.flatMap((row, p) =>
      row.map((c, s) => ({
        task: p * 4 + s,
        engineEvents: 0,
        figures: { 'ws_close_1006.total': c, 'errors.total': 2 * c },
      })),
    ),
  };
}

describe('sweep answer table', () => {
  it('shows each point against the reported figures with mean and 95 % CI, and marks the best point for a goal', () => {
    const text = renderAnswerTable(data(), ['errors.total'], parseGoal('ws_close_1006.total < 30'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('4 seeds per point');
    expect(lines[1]).toMatch(
      /^vars\.drain +errors\.total \(mean \[95% CI\]\) +ws_close_1006\.total \(mean \[95% CI\]\) +goal$/,
    );
    expect(lines[3]).toMatch(/^1m +161 \[\d+\.\d+, \d+\.\d+\] +80\.50 \[78\.\d+, 82\.\d+\] +no$/);
    expect(lines[4]).toMatch(/^4m .* +28 \[26\.\d+, 29\.\d+\] +yes {2}← best$/);
    // 8m's mean (20) meets the goal but its interval reaches past 30: not proven with 4 seeds.
    expect(lines[5]).toMatch(/^8m .* +mean only$/);
    expect(lines[6]).toBe(
      "Best: vars.drain=4m — the first point whose whole 95 % interval meets 'ws_close_1006.total < 30'.",
    );
  });

  it('says when no point meets the goal, and refuses unknown figures with the nearest name', () => {
    expect(renderAnswerTable(data(), [], parseGoal('ws_close_1006.total <= 1'))).toContain(
      "No point meets 'ws_close_1006.total <= 1'",
    );
    expect(() => renderAnswerTable(data(), ['eror.total'], null)).toThrow(
      "no run reported a figure 'eror.total'; did you mean 'errors.total'?",
    );
    expect(() => parseGoal('ws_close_1006.total about 30')).toThrow(/expected figure op number/);
    expect(
      goalVerdict(parseGoal('x >= 5'), {
        n: 1,
        mean: 6,
        ci95Low: null,
        ci95High: null,
        p50: 6,
        p95: 6,
        p99: 6,
        min: 6,
        max: 6,
      }),
    ).toBe('mean');
  });
});
