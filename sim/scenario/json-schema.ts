/**
 * The JSON Schema of scenario files, generated from the same zod schema the loader validates with,
 * so an editor's completion and the validator never disagree. Draft 7: the draft YAML and JSON
 * editors (yaml-language-server, VS Code) support most fully.
 */
import { z } from 'zod';
import { packageVersion } from './package-root.js';
import { ScenarioSchema } from './schema.js';

/** Loader directives the schema itself does not describe (the loader removes them before validation). */
const LOADER_PROPERTIES: Record<string, object> = {
  extends: {
    type: 'string',
    description:
      'A built-in scenario name or a path relative to this file. This file overrides it: mappings merge key by key, lists and scalars replace.',
  },
  $schema: { type: 'string', description: 'JSON Schema of this file, for editors; ignored by drainsim.' },
  vars: {
    type: 'object',
    additionalProperties: { type: ['string', 'number', 'boolean'] },
    description:
      'Variables used as ${name} in any value; `--set vars.name=…` and `sweep --vary vars.name=…` change every use.',
  },
};

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ScenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-7',
  }) as Record<string, unknown>;
  const { $schema, ...body } = generated;
  const properties = { ...(body.properties as Record<string, object> | undefined) };
  for (const [key, property] of Object.entries(LOADER_PROPERTIES)) properties[key] ??= property;
  return {
    $schema,
    $id: `urn:drainsim:scenario:${packageVersion()}`,
    title: 'drainsim scenario',
    description: 'A drainsim scenario file (YAML or JSON). Generated from the validator: `drainsim schema`.',
    ...body,
    properties,
  };
}
