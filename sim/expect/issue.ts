/**
 * What is wrong with one assertion, before it is placed in a file: check.ts adds the file and
 * `expect[i]` and turns it into a ScenarioError, so every module below stays free of file names.
 */
export class AssertionIssue extends Error {
  override readonly name = 'AssertionIssue';
  readonly suggestion?: string;

  constructor(message: string, details: { suggestion?: string } = {}) {
    super(message);
    if (details.suggestion !== undefined) this.suggestion = details.suggestion;
  }
}
