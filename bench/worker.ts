/**
 * Child process of the benchmark: runs exactly one workload, named in argv[2], and sends its
 * Measurement to the parent. One process per workload so that maxRSS is that workload's peak.
 */
import { limitHeapGrowth } from '../sim/util/heap-growth.js';

// As bin/drainsim.js does: workloads run with the heap growth drainsim runs with, set before the
// simulator's modules are loaded (dynamic imports: pair-child.ts says why static ones are too late).
limitHeapGrowth();
const { measure } = await import('./measure.js');
const { findWorkload } = await import('./workloads.js');

const name = process.argv[2] ?? '';
const workload = findWorkload(name);
if (!workload) {
  console.error(`bench worker: unknown workload '${name}'`);
  process.exit(2);
}
const result = measure(workload);
if (process.send) process.send(result, () => process.exit(0));
else console.log(JSON.stringify(result));
