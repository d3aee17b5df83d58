/**
 * Expectations are checked after a scenario is loaded (their names need a run), so their issues
 * carry only the file and `expect[i]`; this adds the line and column the entry was written at.
 */

import { ScenarioError } from '../scenario/errors.js';
import type { LoadedScenario } from '../scenario/load.js';

const EXPECT_PATH = /^expect\[(\d+)\]$/;

/** Runs `body`; a ScenarioError about `expect[i]` entries gets their locations. */
export function withExpectLocations<T>(loaded: LoadedScenario<unknown>, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    throw new ScenarioError(
      err.issues.map((issue) => {
        const m = EXPECT_PATH.exec(issue.path);
        if (m === null || issue.line !== undefined) return issue;
        return { ...issue, ...loaded.locate(['expect', Number(m[1])]) };
      }),
    );
  }
}
