/**
 * The bench's children measure drainsim with the heap drainsim runs with (sim/util/heap-growth.ts):
 * its growth factors set before the simulator's modules load, as bin/drainsim.js does. Static
 * imports are too late: they are all loaded before the importing module's body runs, and loading
 * them grew V8's young generation to 2 × 16 MB, which the growth factor 1 then kept — session 16's
 * bench measured drain 100k at ~244 MB peak RSS where drainsim's own nursery gives ~225 MB.
 * Checked by size, not time: the new space's size when the child exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

const tmp = mkdtempSync(join(tmpdir(), 'drainsim-children-heap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Loaded with --import: writes the new space's size (MB) to stderr when the child exits.
const probe = join(tmp, 'new-space.mjs');
writeFileSync(
  probe,
  `import v8 from 'node:v8';
process.on('exit', () => {
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  process.stderr.write('NEW_SPACE_MB ' + s.space_size / 1048576 + '\\n');
});
`,
);

function newSpaceMb(args: string[], timeout = 60_000): number {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(probe).href, ...args], {
    cwd: packageRoot(),
    encoding: 'utf8',
    timeout,
  });
  expect(r.status, r.stderr).toBe(0);
  const m = /NEW_SPACE_MB (\S+)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return Number(m![1]);
}

describe("the bench's children", () => {
  // drainsim's young generation: two semi-spaces of V8's initial 1 MB (32 MB if they grew).
  const DRAINSIM_NEW_SPACE_MB = 2;

  it('pair-child runs with the nursery bin/drainsim.js gives a run', () => {
    expect(newSpaceMb(['dist/bench/pair-child.js', 'hold', '1000', '20000', 'handler'])).toBeLessThanOrEqual(
      DRAINSIM_NEW_SPACE_MB,
    );
  });

  it('the workload worker too', () => {
    expect(newSpaceMb(['dist/bench/worker.js', 'hold-1e3'])).toBeLessThanOrEqual(DRAINSIM_NEW_SPACE_MB);
  });

  // The sweep pair's child (2 hard-cut runs on one worker, ~5 s CPU): its main thread, which
  // prepares the sweep and collects the records, loaded the sweep pool before setting the flags
  // until session 18 (16 MB at exit).
  it('the sweep throughput child too', { timeout: 180_000 }, () => {
    const args = ['dist/bench/sweep-workload.js', '--sweep-throughput-child', '1', '1'];
    expect(newSpaceMb(args, 170_000)).toBeLessThanOrEqual(DRAINSIM_NEW_SPACE_MB);
  });

  it('and so does drainsim itself (the reference the children follow)', () => {
    expect(newSpaceMb(['bin/drainsim.js', 'list'])).toBeLessThanOrEqual(DRAINSIM_NEW_SPACE_MB);
  });
});
