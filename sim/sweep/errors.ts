/** A sweep command line or shard set that cannot work; the CLI prints it and exits 2. */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}
