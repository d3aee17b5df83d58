/**
 * A distribution text that cannot be read. `expected` and `found` feed the scenario loader's
 * validation message; the message itself already reads well on its own.
 */
export class DistributionError extends Error {
  override readonly name = 'DistributionError';
  readonly expected: string;
  readonly found: string;

  constructor(message: string, expected: string, found: string) {
    super(message);
    this.expected = expected;
    this.found = found;
  }
}
