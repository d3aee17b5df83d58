/**
 * Every built-in scenario meets its own `expect:` list at its default seed: the list documents what
 * the scenario shows (a failure scenario asserts the failure), and `drainsim run <built-in>` exits 1
 * on a broken assertion, so a model change that moves a figure past one must move the scenario's
 * text and assertion with it (tls-reconnect-storm's `connect_latency.max < 1s` failed unnoticed from
 * 92f096e to session 20). Read from the golden summaries, which test/golden-*.test.ts keep current.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Outcome {
  text: string;
  passed: boolean;
  actual?: unknown;
}

const GOLDEN = 'test/golden';
const summaries = readdirSync(GOLDEN).filter((f) => f.endsWith('.summary.json'));

describe('built-in scenarios meet their own expectations', () => {
  it('there are golden summaries to read', () => {
    expect(summaries.length).toBeGreaterThan(30);
  });

  it.each(summaries)('%s', (file) => {
    const summary = JSON.parse(readFileSync(`${GOLDEN}/${file}`, 'utf8')) as { expectations?: Outcome[] };
    const failed = (summary.expectations ?? []).filter((e) => !e.passed).map((e) => `${e.text} (actual ${e.actual})`);
    expect(failed).toEqual([]);
  });
});
