/**
 * `drainsim import`: each file by its kind (haproxy.cfg, nginx.conf, a Kubernetes manifest),
 * into one scenario. The kind comes from the content, not the name: a YAML document with
 * `apiVersion` is a manifest, `frontend`/`backend`/`listen` sections are HAProxy, `http {` or
 * `upstream` blocks are nginx.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { ScenarioSchema } from '../scenario/schema.js';
import { writtenIssues } from '../scenario/written-checks.js';
import { importHaproxy } from './haproxy-cfg.js';
import { Imported } from './imported.js';
import { importK8s } from './k8s-manifest.js';
import { importNginx } from './nginx-conf.js';

export type ConfigKind = 'haproxy' | 'nginx' | 'k8s';

export function configKind(text: string): ConfigKind | null {
  if (/^\s*apiVersion\s*:/m.test(text)) return 'k8s';
  // nginx directives end with `;` or open a block with `{`; HAProxy lines never do.
  if (/[;{]\s*(#.*)?$/m.test(text)) return 'nginx';
  if (/^\s*(frontend|backend|listen|defaults)(\s|$)/m.test(text)) return 'haproxy';
  return null;
}

export function importFiles(paths: string[]): Imported {
  const into = new Imported();
  for (const path of paths) {
    const text = readFileSync(path, 'utf8');
    const file = basename(path);
    const kind = configKind(text);
    if (kind === 'haproxy') importHaproxy(text, file, into);
    else if (kind === 'nginx') importNginx(text, file, into, path);
    else if (kind === 'k8s') importK8s(text, file, into);
    else into.warn(file, 'not recognised as haproxy.cfg, nginx.conf or a Kubernetes manifest');
  }
  withoutRefused(into);
  return into;
}

/**
 * An import never writes a scenario `drainsim validate` refuses: the readers map each file
 * exactly, but values of several files (two haproxy.cfg, say) may still not go together. Each
 * value the scenario's checks refuse becomes a warning with its line and the check's words, until
 * none is refused; a refusal at no imported value (none is known) is left for validate to report.
 */
function withoutRefused(into: Imported): void {
  for (let round = 0; round < 50; round++) {
    const raw: unknown = parse(into.render(''));
    const parsed = ScenarioSchema.safeParse(raw, { jitless: true });
    const issues = [...(parsed.success ? [] : parsed.error.issues), ...writtenIssues(ScenarioSchema, raw)].map((i) => ({
      path: i.path.map(String),
      message: i.message,
    }));
    let dropped = false;
    for (const issue of issues) {
      const value = into.values.find((v) => v.path.every((p, i) => issue.path[i] === p));
      if (value === undefined) continue;
      into.drop(value, `the scenario refuses it with the rest (${issue.path.join('.')}: ${issue.message})`);
      dropped = true;
    }
    if (!dropped) return;
  }
}
