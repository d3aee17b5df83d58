/** Shared by the import tests: the fixture files, and an import run through `drainsim import` / `validate`. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCommandLine } from '../../sim/cli/import.js';
import { validateScenarios } from '../../sim/cli/validate.js';
import { Imported } from '../../sim/import/imported.js';
import { importNginx } from '../../sim/import/nginx-conf.js';

/** This folder's fixtures (a reviewer's fleet: HAProxy mode http, nginx with WebSockets, a Deployment) and the README's. */
export const FIXTURES = [
  join(import.meta.dirname, 'fixtures', 'haproxy-l7.cfg'),
  join(import.meta.dirname, 'fixtures', 'nginx-ws.conf'),
  join(import.meta.dirname, 'fixtures', 'deploy.yaml'),
  join(import.meta.dirname, '..', 'fixtures', 'import', 'haproxy.cfg'),
  join(import.meta.dirname, '..', 'fixtures', 'import', 'nginx.conf'),
  join(import.meta.dirname, '..', 'fixtures', 'import', 'nginx-listen.conf'),
  join(import.meta.dirname, '..', 'fixtures', 'import', 'deployment.yaml'),
];

export function fixture(name: string): string {
  const found = FIXTURES.find((f) => f.endsWith(`/${name}`));
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return found;
}

function io() {
  const out = { stdout: '', stderr: '' };
  const streams = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
  } as unknown as Parameters<typeof importCommandLine>[1];
  return { out, streams };
}

/** `drainsim import <files> --out x.yaml`, then `drainsim validate x.yaml`: both exit codes and outputs. */
export function importAndValidate(files: string[]): {
  importCode: number;
  validateCode: number;
  scenario: string;
  warnings: string;
  refusal: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-import23-'));
  const out = join(dir, 'imported.yaml');
  const imp = io();
  const importCode = importCommandLine({ files, out }, imp.streams);
  const scenario = importCode === 0 ? readFileSync(out, 'utf8') : '';
  const val = io();
  const validateCode = importCode === 0 ? validateScenarios([out], [], val.streams) : -1;
  return { importCode, validateCode, scenario, warnings: imp.out.stderr, refusal: val.out.stderr };
}

export function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'drainsim-import23-')), name);
  writeFileSync(file, text);
  return file;
}

/** An nginx.conf text imported (as file n.conf): its values, warnings and errors. */
export function readNginx(text: string): Imported {
  const into = new Imported();
  importNginx(text, 'n.conf', into);
  return into;
}
