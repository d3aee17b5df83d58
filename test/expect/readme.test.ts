/** The assertions the README shows must be ones the language accepts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../sim/expect/check.js';
import { parseAssertion } from '../../sim/expect/syntax.js';
import { runBuiltin } from '../model/helpers.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const firstYamlBlock = /```yaml\nexpect:\n([\s\S]*?)```/.exec(readme)![1]!;
const examples = firstYamlBlock
  .split('\n')
  .filter((l) => l.trim().startsWith('- '))
  .map((l) =>
    l
      .trim()
      .slice(2)
      .replace(/\s+#.*$/, '')
      .trim(),
  );
const inline = [
  'sum(errors@vm-c) > 0',
  'max(max(reset_out) over [2m, 3m]) < 100 across seeds 1..5',
  'median(p99(request_latency)) < 150ms across seeds 1..20',
  'p99.5(errors.total) < 3 across seeds 1..5, 9',
  'across seeds 1..10: p90(errors.total) == 0',
];

describe('README examples', () => {
  it('has the examples block', () => {
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  it.each([...examples, ...inline])('parses %s', (text) => {
    expect(() => parseAssertion(text)).not.toThrow();
  });

  it('every figure, series, backend and time they name exists in a real run (sre-day)', () => {
    // Binding is where a misspelled name fails; the examples' verdicts do not matter here.
    const run = runBuiltin('sre-day');
    expect(() => evaluateExpectations(run, [...examples, ...inline], 'README.md')).not.toThrow();
  });
});
