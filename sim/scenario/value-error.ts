/**
 * A value in a scenario that cannot be read (a unit, units.ts UnitError; a distribution,
 * distributions/errors.ts DistributionError). `expected` and `found` feed the scenario loader's
 * validation message; the message itself already reads well on its own.
 */
export class ValueError extends Error {
  readonly expected: string;
  readonly found: string;

  constructor(message: string, expected: string, found: string) {
    super(message);
    this.expected = expected;
    this.found = found;
  }
}
