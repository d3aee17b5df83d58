/**
 * `drainsim import` reads haproxy.cfg's `hash-type` into lb.hash_type / lb.hash_avalanche as
 * cfg_parse_listen() (src/cfgparse-listen.c, v2.6.0) reads it, and refuses (exit 2) the forms
 * HAProxy refuses to start with.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCommandLine } from '../../sim/cli/import.js';
import type { Imported } from '../../sim/import/imported.js';
import { importCfg, valueAt } from './read-fixture.js';

const cfg = (hashType: string): string =>
  `backend be\n  balance source\n  hash-type ${hashType}\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80\n`;

const read = (hashType: string): Imported => importCfg(cfg(hashType));

const value = (into: Imported, key: string): unknown => valueAt(into, `lb.${key}`);

describe('haproxy.cfg hash-type', () => {
  const forms: Array<[string, string, boolean]> = [
    // written alone: sdbm, with avalanche for consistent only
    ['consistent', 'consistent', true],
    ['map-based', 'map-based', false],
    // a named function carries the modifier only when `avalanche` follows it
    ['consistent sdbm', 'consistent', false],
    ['consistent djb2 avalanche', 'consistent', true],
    ['map-based sdbm avalanche', 'map-based', true],
    ['map-based crc32', 'map-based', false],
    ['consistent wt6', 'consistent', false],
  ];
  for (const [form, type, avalanche] of forms)
    it(`hash-type ${form} → hash_type ${type}, hash_avalanche ${avalanche}`, () => {
      const into = read(form);
      expect(into.errors).toEqual([]);
      expect(value(into, 'hash_type')).toBe(type);
      expect(value(into, 'hash_avalanche')).toBe(avalanche);
      expect(into.render('')).toContain(`hash_type: ${type} # from h.cfg:3`);
    });

  it('refuses what HAProxy refuses: an unknown type, function or modifier', () => {
    expect(read('ring').errors).toEqual([
      "h.cfg:3: hash-type ring: HAProxy only supports 'consistent' and 'map-based'",
    ]);
    expect(read('avalanche').errors).toHaveLength(1);
    expect(read('consistent md5').errors[0]).toContain('hash functions');
    expect(read('consistent sdbm fast').errors[0]).toContain("'avalanche' as a modifier");
    expect(value(read('ring'), 'hash_type')).toBeUndefined();
  });

  it('drainsim import exits 2 on a refused form and writes no scenario; 0 otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-hash-type-'));
    const run = (hashType: string) => {
      const file = join(dir, `${hashType.replace(/\s+/g, '-')}.cfg`);
      writeFileSync(file, cfg(hashType));
      let stdout = '';
      let stderr = '';
      const io = {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
      } as unknown as Parameters<typeof importCommandLine>[1];
      return { code: importCommandLine({ files: [file] }, io), stdout, stderr };
    };
    const bad = run('consistent sdbm fast');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain("only supports 'avalanche' as a modifier");
    const good = run('consistent');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('hash_avalanche: true');
  });
});
