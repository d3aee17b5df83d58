import { describe, expect, it } from 'vitest';
import { parseShard, shardTasks } from '../../sim/sweep/shard.js';

describe('shards', () => {
  it('reads i/n, 1-based', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0', '-1/3'])
      expect(() => parseShard(bad), bad).toThrow(/expected i\/n/);
  });

  it('interleaves tasks so that the shards cover each task exactly once', () => {
    expect(shardTasks(10, { index: 1, count: 3 })).toEqual([0, 3, 6, 9]);
    expect(shardTasks(10, { index: 3, count: 3 })).toEqual([2, 5, 8]);
    const all = [1, 2, 3, 4].flatMap((index) => shardTasks(11, { index, count: 4 }));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(shardTasks(2, { index: 4, count: 4 })).toEqual([]);
  });
});
