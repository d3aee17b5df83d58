/** A planning question with no sound answer (e.g. lifetimes with an infinite mean); the CLI exits 2. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}
