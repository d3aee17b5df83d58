/** `drainsim import <files..>`: real configuration files → a scenario YAML with each value's source. */
import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { importFiles } from '../import/import-files.js';
import { type CliIO, EXIT, exitCodeHandler } from './context.js';

interface ImportArgs {
  files: string[];
  out?: string;
}

export function importCommandLine(args: ImportArgs, io: CliIO): number {
  let imported: ReturnType<typeof importFiles>;
  try {
    imported = importFiles(args.files);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR') {
      io.stderr.write(`drainsim import: cannot read ${e.path ?? args.files.join(' ')}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
  const yaml = imported.render(
    `Imported by drainsim import from ${args.files.join(', ')}.\nEvery value names its source; add clients: (drainsim fit gives the lifetimes) and a timeline.`,
  );
  for (const w of imported.warnings) io.stderr.write(`warning: ${w}\n`);
  if (imported.errors.length > 0) {
    // A configuration the real program refuses to load has no scenario to give.
    for (const e of imported.errors) io.stderr.write(`drainsim import: ${e}\n`);
    return EXIT.badInput;
  }
  if (args.out === undefined) io.stdout.write(yaml);
  else {
    writeFileSync(args.out, yaml);
    io.stderr.write(`wrote ${args.out}\n`);
  }
  return EXIT.ok;
}

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import <files..>',
  describe: 'Write a scenario from haproxy.cfg, nginx.conf and Kubernetes manifests (each value with its file:line)',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Configuration files' })
      .option('out', { type: 'string', describe: 'Write the scenario here instead of stdout' })
      .example('$0 import haproxy.cfg nginx.conf --out fleet.yaml', 'a scenario from the real configs'),
  handler: exitCodeHandler((args, io) => importCommandLine(args, io)),
};
