import { runCancelHeavy } from './cancel-heavy.js';
import { runHold } from './hold.js';
import { longWorkloads } from './long-workloads.js';
import { scenarioWorkloads } from './scenario-workloads.js';
import { sweepWorkload } from './sweep-workload.js';
import type { Workload } from './workload.js';

export type { Workload, WorkloadResult } from './workload.js';

/** Events per hold run: long enough for the JIT to settle and for seconds of wall time. */
const HOLD_EVENTS = 4_000_000;

/**
 * Every benchmark `npm run bench` knows, in the order it runs them. Add a scenario as one line,
 * e.g. `{ name: 'scenario:hard-cut', description: '...', run: () => runScenario('hard-cut') }`.
 */
export const workloads: readonly Workload[] = [
  { name: 'hold-1e3', description: 'hold model, 10^3 pending', run: () => runHold(1e3, HOLD_EVENTS) },
  { name: 'hold-1e5', description: 'hold model, 10^5 pending', run: () => runHold(1e5, HOLD_EVENTS) },
  { name: 'hold-1e6', description: 'hold model, 10^6 pending', run: () => runHold(1e6, HOLD_EVENTS) },
  {
    name: 'cancel-heavy',
    description: '10^5 connections, each request cancels and re-arms an idle timer',
    run: () => runCancelHeavy(1e5, 3_000_000),
  },
  sweepWorkload,
  ...scenarioWorkloads(),
  ...longWorkloads,
];

export function findWorkload(name: string): Workload | undefined {
  return workloads.find((w) => w.name === name);
}
