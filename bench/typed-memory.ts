/**
 * Where a run's typed memory is: run a scenario file to a simulated time, then list every typed
 * array (each buffer once) and every large Array, Map and Set reachable from the model, by the
 * path it was first reached by (`[]` for an element), summed over paths that differ only in
 * their indexes. Sizes are capacities: a typed array's pages count in RSS only once written.
 *
 *   node dist/bench/typed-memory.js <file.yaml> <seconds> [rows]
 *
 * Used for the drain 100k's memory by owner (README Benchmarks, session 32). The heap growth is
 * drainsim's own (as pair-child.ts), set before the simulator's modules are loaded.
 */

import { limitHeapGrowth } from '../sim/util/heap-growth.js';

limitHeapGrowth();
const { buildModel, startModel } = await import('../sim/model/topology.js');
const { loadScenarioForCli, namedScenario } = await import('../sim/scenario/load-for-run.js');

/** Below these lengths an Array, Map or Set is not listed (it is still walked). */
const LARGE_ARRAY = 5000;
const LARGE_COLLECTION = 2000;

interface Row {
  bytes: number;
  count: number;
  maxLength: number;
}

const [file, untilArg, rowsArg] = process.argv.slice(2);
if (file === undefined || untilArg === undefined) {
  console.error('usage: node dist/bench/typed-memory.js <file.yaml> <seconds> [rows]');
  process.exit(2);
}
const scenario = namedScenario(loadScenarioForCli(file));
const model = buildModel(Object.assign({}, scenario, { seed: scenario.seed }));
startModel(model);
const until = Number(untilArg);
// In 100 steps, as runScenario does (its chunks), so the run is the same run.
for (let i = 1; i <= 100; i++) model.world.engine.run((until * i) / 100);
const mem = process.memoryUsage();

const rows = new Map<string, Row>();
function add(path: string, kind: string, bytes: number, length: number): void {
  const key = `${path} ${kind}`;
  const row = rows.get(key) ?? { bytes: 0, count: 0, maxLength: 0 };
  row.bytes += bytes;
  row.count++;
  row.maxLength = Math.max(row.maxLength, length);
  rows.set(key, row);
}

// Breadth first, so each object is named by its shortest path from the model.
const seen = new Set<unknown>();
const buffers = new Set<ArrayBufferLike>();
const queue: Array<[unknown, string]> = [[model, 'model']];
for (let q = 0; q < queue.length; q++) {
  const [o, path] = queue[q]!;
  queue[q] = [null, ''];
  if (o === null || typeof o !== 'object' || seen.has(o)) continue;
  seen.add(o);
  if (ArrayBuffer.isView(o)) {
    if (!buffers.has(o.buffer)) {
      buffers.add(o.buffer);
      add(path, o.constructor.name, o.buffer.byteLength, 'length' in o ? Number(o.length) : o.byteLength);
    }
  } else if (o instanceof ArrayBuffer) {
    if (!buffers.has(o)) {
      buffers.add(o);
      add(path, 'ArrayBuffer', o.byteLength, o.byteLength);
    }
  } else if (Array.isArray(o)) {
    // 8 bytes an element (a pointer or a Smi; a double array's elements are 8 bytes too).
    if (o.length > LARGE_ARRAY) add(path, 'Array', 8 * o.length, o.length);
    for (const v of o) if (v !== null && typeof v === 'object') queue.push([v, `${path}[]`]);
  } else if (o instanceof Map) {
    if (o.size > LARGE_COLLECTION) add(path, 'Map (~40 B an entry)', 40 * o.size, o.size);
    for (const [k, v] of o) queue.push([k, `${path}<key>`], [v, `${path}<value>`]);
  } else if (o instanceof Set) {
    if (o.size > LARGE_COLLECTION) add(path, 'Set (~24 B an entry)', 24 * o.size, o.size);
    for (const v of o) queue.push([v, `${path}<member>`]);
  } else {
    for (const k of Object.getOwnPropertyNames(o)) {
      let v: unknown;
      try {
        v = (o as Record<string, unknown>)[k];
      } catch {
        continue;
      }
      if (v !== null && typeof v === 'object') queue.push([v, `${path}.${k}`]);
    }
  }
}

const MiB = 1024 * 1024;
const sorted = [...rows].sort((a, b) => b[1].bytes - a[1].bytes);
const total = sorted.reduce((sum, [, row]) => sum + row.bytes, 0);
console.log(
  `at ${until} s: RSS ${(mem.rss / MiB).toFixed(1)} MiB, V8 heap ${(mem.heapUsed / MiB).toFixed(1)} of ${(mem.heapTotal / MiB).toFixed(1)} MiB, array buffers ${(mem.arrayBuffers / MiB).toFixed(1)} MiB; listed ${(total / MiB).toFixed(2)} MiB`,
);
for (const [key, row] of sorted.slice(0, Number(rowsArg ?? 60))) {
  console.log(
    `${(row.bytes / MiB).toFixed(3).padStart(8)} MiB ${String(row.count).padStart(6)} × (longest ${String(row.maxLength).padStart(8)}) ${key}`,
  );
}
