import { describe, expect, it } from 'vitest';
import { run, series } from './model/helpers.js';

describe('runScenario: the run reaches its horizon', () => {
  it('takes the sample at the horizon whatever the warmup (1.278 s + 12 s rounded the last chunk to 11.999999999999998)', () => {
    const r = run({ warmup: '1.278s', horizon: '12s', sample_interval: '1s', backends: [{ name: 'vm-a' }] }, 1);
    expect(series(r, 'responses_2xx').map(([t]) => t)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});
