import { describe, expect, it } from 'vitest';
import yargs, { type Argv } from 'yargs';
import { skipHelpCache } from '../../sim/cli/skip-help-cache.js';

interface Internals {
  getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } };
}

/** Parses `run x` with a one-command parser; says whether yargs rendered and kept the help text. */
async function rendersHelp(skip: boolean): Promise<boolean> {
  const parser: Argv = yargs().command(
    'run <scenario>',
    'run it',
    (y) => y.option('seed', { type: 'number' }),
    () => {},
  );
  if (skip) expect(skipHelpCache(parser)).toBe(true);
  await parser.exitProcess(false).parseAsync(['run', 'x']);
  return (parser as unknown as Internals).getInternalMethods().getUsageInstance().hasCachedHelpMessage();
}

describe('skipHelpCache', () => {
  it("stops yargs rendering a command's help text on every run (it does so without it)", async () => {
    expect(await rendersHelp(false)).toBe(true);
    expect(await rendersHelp(true)).toBe(false);
  });

  it('changes nothing on a parser without those internals', () => {
    expect(skipHelpCache({} as Argv)).toBe(false);
  });
});
