import type { Distribution } from '../../scenario/distribution.js';
import type { Backend } from '../vm/backend.js';

/**
 * What the control plane may do to a client population: change its arrival rate (a timeline
 * `load` action). Control never reaches further into client behaviour.
 */
export interface Population {
  setRate(rate: number): void;
  /** The think time the population's clients draw from now on (HTTP keep-alive clients only). */
  setThinkTime?(think: Distribution): void;
}

/** The age of the WebSocket sessions on a backend, which a deploy logs before it drains them. */
export interface SessionAges {
  averageAge(backend: Backend): number;
}
