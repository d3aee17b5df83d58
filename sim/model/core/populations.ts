import type { Backend } from '../vm/backend.js';

/**
 * What the control plane may do to a client population: change its arrival rate (a timeline
 * `load` action). Control never reaches further into client behaviour.
 */
export interface Population {
  setRate(rate: number): void;
}

/** The WebSocket population also tells a deploy the age of the sessions it is about to drain. */
export interface SessionPopulation extends Population {
  averageAge(backend: Backend): number;
}
