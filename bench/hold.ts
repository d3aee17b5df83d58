import { Engine } from '../sim/engine/engine.js';
import { BenchRng } from './prng.js';
import type { WorkloadResult } from './workload.js';

/**
 * The classic hold model for priority queues (Jones 1986): keep `pending` events in the queue;
 * each fired event schedules one successor after an exponential increment, so the queue size
 * stays constant and every event costs one pop and one push at that size. The prefill is
 * inside the timed region, which makes the reported rate slightly conservative.
 */
export function runHold(pending: number, events: number, seed = 1): WorkloadResult {
  const engine = new Engine(pending);
  const rng = new BenchRng(seed);
  const hold = (): void => {
    engine.schedule(rng.exp(1), hold, undefined);
  };
  for (let i = 0; i < pending; i++) engine.at(rng.exp(1), hold, undefined);
  while (engine.fired < events) engine.step();
  return { events: engine.fired, simTime: engine.now, pendingAtEnd: engine.pending };
}
