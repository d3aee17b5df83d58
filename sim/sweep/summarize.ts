/** Per grid point and figure, the statistics over the seeds (what sweep-summary.csv and the charts show). */
import { type SampleStats, sampleStats } from './sample-stats.js';
import type { SweepData } from './types.js';

export interface PointSummary {
  point: number;
  /** By figure name; null when no seed gave the figure a value. */
  stats: Map<string, SampleStats | null>;
}

/** Every figure name any run reported, in code-unit order (locale-independent, so byte-stable). */
export function figureNames(data: SweepData): string[] {
  const names = new Set<string>();
  for (const run of data.runs) for (const name of Object.keys(run.figures)) names.add(name);
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function summarizeSweep(data: SweepData, figures: readonly string[] = figureNames(data)): PointSummary[] {
  const seeds = data.spec.seeds.length;
  return data.points.map((_, point) => {
    const runs = data.runs.slice(point * seeds, (point + 1) * seeds);
    const stats = new Map<string, SampleStats | null>();
    for (const figure of figures) {
      const values: number[] = [];
      for (const run of runs) {
        const v = run.figures[figure];
        if (v !== undefined && v !== null) values.push(v);
      }
      stats.set(figure, sampleStats(values));
    }
    return { point, stats };
  });
}
