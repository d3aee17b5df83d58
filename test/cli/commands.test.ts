import { describe, expect, it } from 'vitest';
import { commandHeaders, commandNames, commandsFor, loadAllCommands } from '../../sim/cli/commands.js';
import { main } from '../../sim/cli/main.js';
import { captureIO } from './capture.js';

async function outputOf(argv: string[], load?: typeof loadAllCommands) {
  const { io, output } = captureIO();
  const code = await main(argv, io, load);
  return { code, ...output() };
}

describe('lazily loaded commands (sim/cli/commands.ts)', () => {
  it("lists each command by its own module's usage string and description", async () => {
    const modules = await loadAllCommands();
    expect(modules.map((m) => ({ command: m.command, describe: m.describe }))).toEqual(commandHeaders());
    // A stand-in cannot show aliases or deprecation: no real command may have them.
    for (const m of modules) {
      expect(m.aliases, String(m.command)).toBeUndefined();
      expect(m.deprecated, String(m.command)).toBeUndefined();
    }
  });

  it('runs no command module for a line that runs no command, with the same output as the real modules', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['lisst'], ['lisst', '--help'], ['foo', 'bar', '--seed', '3']]) {
      const loaded = await commandsFor(argv);
      const real = await loadAllCommands();
      expect(
        loaded.map((m) => m.builder),
        argv.join(' '),
      ).not.toContain(real[0]!.builder);
      expect(await outputOf(argv), argv.join(' ')).toEqual(await outputOf(argv, loadAllCommands));
    }
  });

  it('loads every module when options come before the command word', async () => {
    const real = await loadAllCommands();
    for (const argv of [
      ['--seed', '3', 'run', 'x'],
      ['--help', 'run'],
      ['--version', '--help'],
    ]) {
      const loaded = await commandsFor(argv);
      expect(
        loaded.map((m) => m.builder),
        argv.join(' '),
      ).toEqual(real.map((m) => m.builder));
    }
  });

  it('prints --version as yargs does, without parsing', async () => {
    const fast = await outputOf(['--version']);
    expect(fast.code).toBe(0);
    // `--version` with another flag goes through yargs: the same text.
    const viaYargs = await outputOf(['--version', '--version']);
    expect(fast).toEqual(viaYargs);
    expect(commandNames()).toContain('run');
  });
});
