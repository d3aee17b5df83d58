import { describe, expect, it } from 'vitest';
import { SweepError } from '../../sim/sweep/errors.js';
import { mergeShards } from '../../sim/sweep/merge.js';
import { sweepOutputFiles } from '../../sim/sweep/output-files.js';
import { shardTasks } from '../../sim/sweep/shard.js';
import { parseShardFile, renderShardFile, shardFileName } from '../../sim/sweep/shard-file.js';
import type { SweepData } from '../../sim/sweep/types.js';
import { parseVary } from '../../sim/sweep/vary.js';

/** A made-up sweep: 2 × 2 points, 3 seeds; `errors.total` grows with the rate, `pool_state.final` never changes. */
function sweep(): SweepData {
  const vary = [parseVary('clients.http.arrival_rate=30,60'), parseVary('app.ws.drain_notice=true,false')];
  const points = [
    { sets: ['clients.http.arrival_rate=30', 'app.ws.drain_notice=true'], resolved: [30, true] },
    { sets: ['clients.http.arrival_rate=30', 'app.ws.drain_notice=false'], resolved: [30, false] },
    { sets: ['clients.http.arrival_rate=60', 'app.ws.drain_notice=true'], resolved: [60, true] },
    { sets: ['clients.http.arrival_rate=60', 'app.ws.drain_notice=false'], resolved: [60, false] },
  ];
  const runs = Array.from({ length: 12 }, (_, task) => {
    const point = Math.floor(task / 3);
    const seed = (task % 3) + 1;
    const errors = (point + 1) * 10 + seed + 0.1 + 0.2; // float noise that must not reach the files
    return {
      task,
      engineEvents: 1000 + task,
      figures: {
        'errors.total': errors,
        'pool_state.final': 3,
        'drain.vm-c.completed_within': seed === 2 ? null : 5 * seed,
      },
    };
  });
  return {
    version: '0.1.0',
    name: 'hard-cut',
    spec: { scenario: 'hard-cut', sets: ['horizon=20s'], vary, seeds: [1, 2, 3] },
    points,
    digest: 'd'.repeat(64),
    runs,
  };
}

const files = (data: SweepData) => Object.fromEntries(sweepOutputFiles(data).map((f) => [f.fileName, f.text]));

describe('sweep outputs', () => {
  it('writes sweep.csv with one self-describing row per run', () => {
    const lines = files(sweep())['sweep.csv']!.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'scenario,seed,clients.http.arrival_rate,app.ws.drain_notice,engine_events,drain.vm-c.completed_within,errors.total,pool_state.final',
    );
    expect(lines).toHaveLength(13);
    expect(lines[1]).toBe('hard-cut,1,30,true,1000,5,11.3,3');
    expect(lines[2]).toBe('hard-cut,2,30,true,1001,,12.3,3');
    expect(lines[12]).toBe('hard-cut,3,60,false,1011,15,43.3,3');
  });

  it('writes sweep-summary.csv: per point and figure, mean with a t interval and order statistics', () => {
    const lines = files(sweep())['sweep-summary.csv']!.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'scenario,clients.http.arrival_rate,app.ws.drain_notice,figure,n,mean,ci95_low,ci95_high,p50,p95,p99,min,max',
    );
    expect(lines).toHaveLength(1 + 4 * 3);
    // errors.total at the first point: 11.3, 12.3, 13.3 → mean 12.3, s = 1, t(0.975, 2) = 4.3027.
    const half = 4.302652729749462 / Math.sqrt(3);
    expect(lines[2]).toBe(
      `hard-cut,30,true,errors.total,3,12.3,${(12.3 - half).toFixed(6)},${(12.3 + half).toFixed(6)},12.3,13.3,13.3,11.3,13.3`,
    );
    // A figure one seed lacks is summarised over the seeds that have it.
    expect(lines[1]).toBe(
      `hard-cut,30,true,drain.vm-c.completed_within,2,10,${(10 - 12.706204736174694 * 5).toFixed(6)},${(10 + 12.706204736174694 * 5).toFixed(6)},5,15,15,5,15`,
    );
  });

  it('draws a chart per figure that changes and lists the ones that do not', () => {
    const html = files(sweep())['sweep.html']!;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('data-figure="errors.total"');
    expect(html).not.toContain('data-figure="pool_state.final"');
    expect(html).toContain('<code>pool_state.final</code> = 3');
    // One line per value of the second parameter, against the first.
    expect(html).toContain('app.ws.drain_notice=true');
    expect(html).toContain('app.ws.drain_notice=false');
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    // Self-contained: nothing fetched.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });
});

describe('shards and merge', () => {
  const data = sweep();
  const total = data.runs.length;
  const prepared = {
    name: data.name,
    spec: data.spec,
    points: data.points,
    digest: data.digest,
    pointDigests: [],
    pointWork: [],
  };
  const shardOf = (index: number, count: number, version = data.version) => {
    const shard = { index, count };
    const runs = shardTasks(total, shard).map((t) => data.runs[t]!);
    const source = shardFileName(shard);
    return { file: parseShardFile(renderShardFile(prepared, version, shard, runs), source), source };
  };

  it('merges shards, in any order, into exactly the single-machine outputs', () => {
    const merged = mergeShards([shardOf(3, 3), shardOf(1, 3), shardOf(2, 3)]);
    expect(merged).toEqual(data);
    expect(files(merged)).toEqual(files(data));
  });

  it('names missing shards, duplicates and shards of another sweep', () => {
    expect(() => mergeShards([shardOf(1, 3), shardOf(3, 3)])).toThrow(
      /4 of 12 runs are missing: shard\(s\) 2\/3 missing/,
    );
    expect(() => mergeShards([shardOf(1, 2), shardOf(1, 2), shardOf(2, 2)])).toThrow(
      /in both .* each shard must be given once/,
    );
    expect(() => mergeShards([shardOf(1, 2), shardOf(2, 2, '0.2.0')])).toThrow(/drainsim versions \(0.2.0 vs 0.1.0\)/);
    expect(() => mergeShards([shardOf(1, 2), shardOf(2, 3)])).toThrow(/shard counts/);
    const other = shardOf(2, 2);
    other.file.spec = { ...other.file.spec, seeds: [1, 2, 4] };
    expect(() => mergeShards([shardOf(1, 2), other])).toThrow(SweepError);
    expect(() => mergeShards([])).toThrow(/no shard files/);
  });

  it('refuses files that are not shard files', () => {
    expect(() => parseShardFile('scenario,seed\n', 'sweep.csv')).toThrow(/sweep.csv: not a sweep shard file/);
    expect(() => parseShardFile('{"format":"something"}', 'x.json')).toThrow(
      /expected "format": "drainsim-sweep-shard\/1"/,
    );
    expect(() => parseShardFile('{"format":"drainsim-sweep-shard/1"}', 'x.json')).toThrow(/incomplete/);
  });
});
