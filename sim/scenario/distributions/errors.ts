import { ValueError } from '../value-error.js';

/** A distribution text that cannot be read. */
export class DistributionError extends ValueError {
  override readonly name = 'DistributionError';
}
