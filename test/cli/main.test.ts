import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandNames, commandsFor, loadAllCommands } from '../../sim/cli/commands.js';
import { packageRoot } from '../../sim/scenario/load.js';
import { runCli } from './capture.js';

describe('drainsim main()', () => {
  it('--help exits 0 and lists the commands, examples and exit codes', async () => {
    const { code, stdout, stderr } = await runCli('--help');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const name of ['list', 'show', 'validate', 'schema']) expect(stdout).toContain(`drainsim ${name}`);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('Exit codes: 0 ok, 1 an expectation failed, 2 bad input or usage');
  });

  it('has --help with examples on every command', async () => {
    for (const name of commandNames()) {
      const { code, stdout } = await runCli(name, '--help');
      expect(code, name).toBe(0);
      expect(stdout, name).toContain(`drainsim ${name}`);
      expect(stdout, name).toMatch(/Examples:\n {2}drainsim /);
    }
  });

  it('names each lazily loaded command by the first word of its own usage string', async () => {
    const modules = await loadAllCommands();
    expect(modules.map((m) => String(m.command).split(' ')[0])).toEqual(commandNames());
  });

  it('loads only the named command when the line starts with it (stand-ins or all: commands.test.ts)', async () => {
    for (const name of commandNames()) {
      const loaded = await commandsFor([name, 'x', '--seed', '3']);
      expect(loaded.map((m) => String(m.command).split(' ')[0])).toEqual([name]);
    }
  });

  it("--version prints package.json's version", async () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await runCli('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 on an unknown command, with the nearest command and a hint to --help', async () => {
    const { code, stdout, stderr } = await runCli('lisst');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown command 'lisst'");
    expect(stderr).toContain('list');
    expect(stderr).toContain("Run 'drainsim --help' for usage.");
  });

  it('exits 2 without a command', async () => {
    const { code, stderr } = await runCli();
    expect(code).toBe(2);
    expect(stderr).toContain('--help');
  });

  it("exits 2 on an unknown flag, pointing to the command's own --help", async () => {
    const { code, stderr } = await runCli('list', '--bogus');
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown argument: bogus');
    expect(stderr).toContain("Run 'drainsim list --help' for usage.");
  });

  it('exits 2 on a missing positional argument', async () => {
    const { code, stderr } = await runCli('show');
    expect(code).toBe(2);
    expect(stderr).toContain('drainsim show --help');
  });

  it('exits 2 with the formatted scenario error when a scenario is not found', async () => {
    const { code, stderr } = await runCli('show', 'no-such-scenario-anywhere');
    expect(code).toBe(2);
    expect(stderr).toContain("scenario 'no-such-scenario-anywhere' not found");
  });

  it('ships an executable bin/drainsim.js that runs the compiled main()', () => {
    const bin = join(packageRoot(), 'bin', 'drainsim.js');
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const text = readFileSync(bin, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // Loaded after limitHeapGrowth() (sim/util/heap-growth.ts), so that it applies from the start:
    // the bundle (bin/bundle.js, test/cli/bundle.test.ts) or, without one, the compiled modules.
    const limit = text.indexOf('limitHeapGrowth();');
    expect(limit).toBeGreaterThan(0);
    expect(text.indexOf('loadBundle()')).toBeGreaterThan(limit);
    expect(text.indexOf("await import('../dist/sim/cli/main.js')")).toBeGreaterThan(limit);
    expect(text).toContain('const argv = process.argv.slice(2);');
    expect(text).toContain('process.exitCode = await main(argv);');
  });

  it('exits early only with nothing left unwritten: a 139 KB stdout through a pipe arrives whole', async () => {
    // bin/drainsim.js calls process.exit() after main() (Node's teardown costs a short run CPU);
    // `schema` prints more than a pipe holds (64 KB), so a lost tail would show here.
    const text = readFileSync(join(packageRoot(), 'bin', 'drainsim.js'), 'utf8');
    expect(text).toContain('process.stdout.writableLength === 0 && process.stderr.writableLength === 0');
    const bin = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'drainsim.js'), 'schema'], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    const inProcess = await runCli('schema');
    expect(inProcess.stdout.length).toBeGreaterThan(100_000);
    expect({ code: bin.status, stdout: bin.stdout, stderr: bin.stderr }).toEqual(inProcess);
  });
});
