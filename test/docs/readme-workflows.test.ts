/**
 * The README's GitHub Actions workflow must be one GitHub accepts (issue 16: the old one lacked
 * runs-on and setup-node). Checked with GitHub's own parser and schema (@actions/workflow-parser,
 * the library behind the Actions language service), not with a hand-written rule list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

/** Every ```yaml block of the README that starts with a `# .github/workflows/…` comment. */
function readmeWorkflows(): { name: string; content: string }[] {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  return [...readme.matchAll(/```yaml\n(# (\.github\/workflows\/[^\n]+)\n[\s\S]*?)```/g)].map((m) => ({
    name: m[2]!,
    content: m[1]!,
  }));
}

async function problems(file: { name: string; content: string }): Promise<string[]> {
  const parsed = parseWorkflow(file, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) return errors.length > 0 ? errors : ['not a workflow'];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...errors, ...(template.errors ?? []).map((e) => e.Message)];
}

describe("the README's GitHub Actions workflows", () => {
  const workflows = readmeWorkflows();

  it('are found', () => {
    expect(workflows.map((w) => w.name)).toContain('.github/workflows/drainsim.yml');
  });

  it.each(workflows.map((w) => [w.name, w] as const))('%s passes GitHub’s workflow parser', async (_name, file) => {
    expect(await problems(file)).toEqual([]);
  });

  it('and the check can fail: a job without runs-on is rejected', async () => {
    const broken = { name: 'broken.yml', content: 'on: push\njobs:\n  b:\n    steps:\n      - run: echo hi\n' };
    expect((await problems(broken)).length).toBeGreaterThan(0);
  });
});
