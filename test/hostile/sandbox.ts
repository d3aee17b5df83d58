/**
 * A scratch folder for hostile inputs and the checks every hostile test makes: exit 2 with a
 * precise message, no stack trace, nothing written outside the output folder, Object.prototype
 * untouched.
 */
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { type Captured, runCli } from '../cli/capture.js';

/** A small, fast scenario every hostile file extends. */
export const BASE_YAML = 'horizon: 10s\nbackends: [{name: vm-a}]\nclients: { http: { arrival_rate: 5 } }\n';

export interface Sandbox {
  dir: string;
  out: string;
  /** Writes a file in the sandbox and returns its path. */
  write(name: string, text: string): string;
  /** Every path in the sandbox outside `out`, for "nothing written elsewhere" checks. */
  listing(): string[];
}

export function sandbox(prefix = 'drainsim-hostile-'): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const out = join(dir, 'out');
  writeFileSync(join(dir, 'base.yaml'), BASE_YAML);
  const listing = (): string[] => {
    const found: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const path = join(d, name);
        if (path === out) continue;
        found.push(relative(dir, path));
        if (statSync(path).isDirectory()) walk(path);
      }
    };
    walk(dir);
    return found.sort();
  };
  return {
    dir,
    out,
    write(name, text) {
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    listing,
  };
}

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype has exactly the properties it had when the tests began. */
export function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_NAMES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** A stack frame as V8 prints it. */
export const STACK_FRAME = /^\s+at .+[(:]\d+/m;

/** Exit 2, the message, and none of: a stack trace, an internal error, a prototype change. */
export function expectBadInput(r: Captured, message: RegExp): void {
  expect(r.stderr, r.stderr).toMatch(message);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('internal error');
  expectPrototypeUntouched();
}

/** Runs the CLI in-process, also checking that nothing appeared in the sandbox outside `out`. */
export async function cliIn(box: Sandbox, ...argv: string[]): Promise<Captured> {
  const before = box.listing();
  const r = await runCli(...argv);
  expect(box.listing(), 'files written outside --out').toEqual(before);
  return r;
}
