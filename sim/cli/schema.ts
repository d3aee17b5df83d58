/** `drainsim schema`: the JSON Schema of scenario files, for editor completion and validation. */
import type { CommandModule } from 'yargs';
import { writeFileAtomic } from '../../reports/write-atomic.js';
import { scenarioJsonSchema } from '../scenario/json-schema.js';
import { packageVersion } from '../scenario/package-root.js';
import { type CliIO, EXIT, exitCodeHandler } from './context.js';

/**
 * Where the published schema can be fetched: the npm package ships `schema/scenario.schema.json`
 * (scripts/build-schema.mjs), and unpkg serves every file of every published version. An https
 * `$id` is what editors (yaml-language-server, VS Code) resolve; the generator's URN is not.
 */
export function schemaUrl(version: string): string {
  return `https://unpkg.com/drainsim@${version}/schema/scenario.schema.json`;
}

/** The scenario JSON Schema with its published https `$id`. */
export function publishedScenarioSchema(): Record<string, unknown> {
  const schema = scenarioJsonSchema();
  return { ...schema, $id: schemaUrl(packageVersion()) };
}

/** Prints the schema, or writes it whole to `out` (`-` or nothing: stdout). */
export function writeScenarioSchema(out: string | undefined, io: CliIO): number {
  const text = `${JSON.stringify(publishedScenarioSchema(), null, 2)}\n`;
  if (out === undefined || out === '-') {
    io.stdout.write(text);
  } else {
    writeFileAtomic(out, text);
    io.stdout.write(`wrote ${out}\n`);
  }
  return EXIT.ok;
}

interface SchemaArgs {
  out: string | undefined;
}

export const schemaCommand: CommandModule<object, SchemaArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of scenario files',
  builder: (y) =>
    y
      .option('out', { type: 'string', alias: 'o', describe: 'Write to this file instead of stdout (- for stdout)' })
      .example('$0 schema --out schema/scenario.schema.json', 'write the schema for editors')
      .example('$0 schema | jq .properties.backends', 'inspect one part of the format'),
  handler: exitCodeHandler((args, io) => writeScenarioSchema(args.out, io)),
};
