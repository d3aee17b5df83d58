/**
 * `drainsim merge <shards…>`: combine the shard files of a sweep run on several machines
 * (`drainsim sweep … --shard i/n`) into the outputs one machine would have written, byte for byte.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { writeFilesAtomic } from '../../reports/write-atomic.js';
import { SweepError } from '../sweep/errors.js';
import { mergeShards } from '../sweep/merge.js';
import { sweepOutputFiles } from '../sweep/output-files.js';
import { parseShardFile } from '../sweep/shard-file.js';
import { type CliIO, EXIT, exitCodeHandler } from './context.js';
import { outputFolderName } from './output-name.js';
import { withSweepErrors } from './sweep.js';

export interface MergeArgs {
  shards: string[];
  out?: string;
}

const SHARD_FILE = /^sweep-shard-\d+-of-\d+\.json$/;

export function mergeCommandLine(args: MergeArgs, io: CliIO): Promise<number> {
  return withSweepErrors(io, 'merge', async () => {
    const files = args.shards
      .flatMap(shardFilesAt)
      .map((path) => ({ file: parseShardFile(readText(path), path), source: path }));
    const data = mergeShards(files);
    const outDir = args.out ?? join('out', `sweep-${outputFolderName(data.name)}`);
    const written = writeFilesAtomic(outDir, sweepOutputFiles(data));
    io.stdout.write(`merged ${files.length} shard(s): ${data.runs.length} runs of ${data.name}\n`);
    for (const path of written) io.stdout.write(`wrote ${path}\n`);
    return EXIT.ok;
  });
}

/** A file, or every shard file in a directory (sorted, so the order never depends on the filesystem). */
function shardFilesAt(path: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new SweepError(`${path}: no such file or directory`);
  }
  if (!isDirectory) return [path];
  const found = readdirSync(path)
    .filter((name) => SHARD_FILE.test(name))
    .sort();
  if (found.length === 0) throw new SweepError(`${path}: no sweep-shard-<i>-of-<n>.json files in this directory`);
  return found.map((name) => join(path, name));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SweepError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <shards..>',
  describe: 'Combine the shard files of a sweep (sweep --shard i/n) into its outputs',
  builder: (y) =>
    y
      .positional('shards', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Shard files, or directories holding them',
      })
      .option('out', { type: 'string', describe: 'Output directory (default out/sweep-<scenario>)' })
      .example('$0 merge results/', 'every sweep-shard-*.json in results/')
      .example('$0 merge a/sweep-shard-1-of-2.json b/sweep-shard-2-of-2.json --out out/sweep', 'named shard files'),
  handler: exitCodeHandler((args, io) => mergeCommandLine(args, io)),
};
