import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAllCommands } from '../../sim/cli/commands.js';
import { lazyShim, YARGS_ESM_SHIM, type YargsFunction } from '../../sim/cli/load-yargs.js';
import { main } from '../../sim/cli/main.js';
import { captureIO } from './capture.js';

const yargsDir = dirname(createRequire(import.meta.url).resolve('yargs/package.json'));
const realYargs = async () => (await import('yargs')).default as unknown as YargsFunction;

async function outputOf(argv: string[], source?: () => Promise<YargsFunction>) {
  const { io, output } = captureIO();
  const code = await main(argv, io, loadAllCommands, source);
  return { code, ...output() };
}

describe('yargs with lazy help layout (sim/cli/load-yargs.ts)', () => {
  it("has every member of yargs' own ESM platform shim", async () => {
    const real = (await import(pathToFileURL(join(yargsDir, YARGS_ESM_SHIM)).href)).default as Record<string, unknown>;
    const ours = (await lazyShim()).shim;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(real).sort());
    for (const [name, value] of Object.entries(real)) expect(typeof ours[name], name).toBe(typeof value);
    for (const name of ['mainFilename', 'getCallerFile'] as const) expect(String(ours[name])).not.toBe('');
    expect(ours.mainFilename).toBe(real.mainFilename);
  });

  it('prints the same help, errors and results as yargs loaded whole', async () => {
    for (const argv of [
      ['--help'],
      ['run', '--help'],
      ['sweep', '--help'],
      ['lisst'],
      ['run'],
      ['run', 'hard-cut', '--sed', '3'],
      ['list'],
      ['show', 'hard-cut', '--format', 'json'],
      ['--version', '--version'],
    ]) {
      const real = await outputOf(argv, realYargs);
      expect(await outputOf(argv), argv.join(' ')).toEqual(real);
      if (argv.includes('--help')) expect(real.stdout.length, argv.join(' ')).toBeGreaterThan(200);
    }
  });
});
