import { Engine, type TimerId } from '../sim/engine/engine.js';
import { BenchRng } from './prng.js';
import type { WorkloadResult } from './workload.js';

const NO_TIMER = -1;

/**
 * Keepalive connections with idle timers, the pattern that makes O(log n) cancel matter: every
 * request cancels its connection's idle timer and re-arms it, then schedules the connection's
 * next request. With Poisson requests per connection, each request lands on a random
 * connection. The idle timeout is long enough that only a few timers fire (e^-6 of gaps);
 * when one does, the connection is idle-closed and its next request re-arms it.
 */
export function runCancelHeavy(
  connections: number,
  events: number,
  seed = 1,
  meanGap = 10,
  idleTimeout = 60,
): WorkloadResult {
  const engine = new Engine(2 * connections);
  const rng = new BenchRng(seed);
  const idleTimer = new Float64Array(connections).fill(NO_TIMER);
  let idleCloses = 0;
  let cancelled = 0;

  const onIdle = (conn: number): void => {
    idleTimer[conn] = NO_TIMER;
    idleCloses++;
  };
  const onRequest = (conn: number): void => {
    const timer = idleTimer[conn];
    if (timer !== NO_TIMER && engine.cancel(timer as TimerId)) cancelled++;
    idleTimer[conn] = engine.schedule(idleTimeout, onIdle, conn);
    engine.schedule(rng.exp(meanGap), onRequest, conn);
  };

  for (let c = 0; c < connections; c++) {
    idleTimer[c] = engine.schedule(idleTimeout, onIdle, c);
    engine.schedule(rng.exp(meanGap), onRequest, c);
  }
  while (engine.fired < events) engine.step();
  return { events: engine.fired, simTime: engine.now, pendingAtEnd: engine.pending, cancelled, idleCloses };
}
