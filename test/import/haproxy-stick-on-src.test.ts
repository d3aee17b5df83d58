/**
 * `drainsim import` reads haproxy.cfg's source persistence — `stick-table type ip …` with `stick on
 * src` (or `stick match src` + `stick store-request src`, src/cfgparse-listen.c) — into
 * lb.sticky: source, and `option persist` with it (PR_O_PERSIST applies to stick tables too:
 * sticking_rule_find_target(), src/stream.c). Other stick patterns, conditions and `expire` warn.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCommandLine } from '../../sim/cli/import.js';
import type { Imported } from '../../sim/import/imported.js';
import { besidesConnect, importBackend, importCfg, valueAt as value } from './read-fixture.js';

/** The backend in `mode <mode>` (h.cfg:2), `lines` from h.cfg:3 on. */
const read = (lines: string[], mode = 'tcp'): Imported => importBackend([`mode ${mode}`, ...lines]);

describe('haproxy.cfg stick on src', () => {
  it('maps stick-table type ip + stick on src to lb.sticky: source, citing the stick line', () => {
    const into = read(['stick-table type ip size 1m', 'stick on src']);
    expect(into.errors).toEqual([]);
    expect(besidesConnect(into.warnings)).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(into.render('')).toContain('sticky: source # from h.cfg:4');
  });

  it('reads stick match src + stick store-request src as the same rule, in mode http too', () => {
    const into = read(['stick-table type ipv6 size 100k', 'stick match src', 'stick store-request src'], 'http');
    expect(besidesConnect(into.warnings)).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
  });

  it('imports option persist with it (before: "needs sticky: cookie")', () => {
    const into = read(['option persist', 'stick-table type ip size 1m', 'stick on src']);
    expect(besidesConnect(into.warnings)).toEqual([]);
    expect(value(into, 'lb.persist')).toBe(true);
  });

  it('warns, naming the line, where the model would differ: expire, conditions, other patterns, half rules', () => {
    const expire = read(['stick-table type ip size 1m expire 30m', 'stick on src']);
    expect(value(expire, 'lb.sticky')).toBe('source');
    expect(expire.warnings.join('\n')).toMatch(/h\.cfg:3.*expire not modelled/);
    const cond = read(['stick-table type ip size 1m', 'stick on src if { src 10.0.0.0/8 }']);
    expect(value(cond, 'lb.sticky')).toBeUndefined();
    expect(cond.warnings.join('\n')).toMatch(/h\.cfg:4.*not modelled/);
    const header = read(['stick-table type string size 1m', 'stick on req.hdr(x-user)'], 'http');
    expect(value(header, 'lb.sticky')).toBeUndefined();
    // The stick line's warning; the type string table is read only for a rule that uses it.
    expect(besidesConnect(header.warnings)).toHaveLength(1);
    expect(header.warnings[0]).toMatch(/h\.cfg:4: stick on req\.hdr\(x-user\) not modelled/);
    const matchOnly = read(['stick-table type ip size 1m', 'stick match src']);
    expect(value(matchOnly, 'lb.sticky')).toBeUndefined();
    expect(matchOnly.warnings.join('\n')).toContain('store-request src is missing');
    const rateLimit = read(['stick-table type ip size 1m expire 30s store http_req_rate(10s)']);
    expect(rateLimit.warnings.join('\n')).not.toContain('expire not modelled');
  });

  it('keeps the cookie when both are configured (HAProxy checks the cookie first), with a warning', () => {
    const into = read(['cookie SRV insert indirect nocache', 'stick-table type ip size 1m', 'stick on src'], 'http');
    expect(value(into, 'lb.sticky')).toBe('cookie');
    expect(into.warnings.join('\n')).toContain('stick on src not imported: the cookie is imported');
  });

  it('in mode tcp the cookie is ignored and stick on src is the persistence (lb.sticky source)', () => {
    // haproxy -c (2.6.12) on this backend in mode tcp: "cookie will be ignored for backend 'be'
    // (needs 'mode http')", valid — proxy_cfg_ensure_no_http() (src/proxy.c) drops the cookie, so
    // the stick table alone keeps a client on its server (process_sticking_rules(), src/stream.c).
    const into = read(['cookie SRV insert indirect nocache', 'stick-table type ip size 1m', 'stick on src']);
    expect(value(into, 'lb.mode')).toBe('l4');
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(into.warnings.join('\n')).not.toContain('stick on src not imported');
  });
});

/**
 * `stick on src table <name>` (HAProxy 2.6 doc "stick on", section 4.2): the table of another
 * proxy (named after it) or a peers section's `table <t>` (named `<peers>/<t>`, cfg_parse_peers(),
 * src/cfgparse.c). check_config_validity() (src/cfgparse.c) finds it with stktable_find_by_name(),
 * or the pool's own table without `table`, and refuses to start when there is none ("Proxy '<p>':
 * unable to find stick-table '<name>'.").
 */
describe('haproxy.cfg stick on src with a table elsewhere', () => {
  const app = ['  mode tcp', '  stick on src table st_src', '  server a 10.0.0.1:80', '  server b 10.0.0.2:80'];

  it("reads another backend's table, declared first, without taking that backend for the pool", () => {
    const into = importCfg(
      ['backend st_src', '  stick-table type ip size 1m expire 30m', 'backend app', ...app, ''].join('\n'),
    );
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(into.render('')).toContain('sticky: source # from h.cfg:5');
    // app is the pool: its servers, no "second backend" warning.
    expect((value(into, 'backends') as { name: string }[]).map((s) => s.name)).toEqual(['a', 'b']);
    expect(into.warnings.join('\n')).not.toContain('second backend');
    // That table's expire, not the pool's (it has none).
    expect(into.warnings.join('\n')).toMatch(/h\.cfg:2: stick-table expire not modelled/);
  });

  it('reads a table declared after the pool, and uses the named table, not the own one', () => {
    const into = importCfg(
      [
        'backend app',
        '  stick-table type string size 1m',
        ...app,
        'backend st_src',
        '  stick-table type ip size 1m',
        '',
      ].join('\n'),
    );
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(besidesConnect(into.warnings)).toEqual([]);
    // Named table of another type: not a table of addresses (the own type ip one is not it).
    const other = importCfg(
      [
        'backend app',
        '  stick-table type ip size 1m',
        ...app,
        'backend st_src',
        '  stick-table type integer size 1m',
        '',
      ].join('\n'),
    );
    expect(value(other, 'lb.sticky')).toBeUndefined();
    expect(other.warnings.join('\n')).toContain('its table (h.cfg:8) is type integer');
  });

  it("reads a peers section's table as <peers>/<table>, with its expire and peers", () => {
    const cfg = (ref: string) =>
      [
        'peers mypeers',
        '  peer lb1 127.0.0.1:10000',
        '  table src_tbl type ip size 100k expire 10m',
        'backend app',
        '  mode tcp',
        `  stick on src table ${ref}`,
        '  server a 10.0.0.1:80',
        '  server b 10.0.0.2:80',
        '',
      ].join('\n');
    const into = importCfg(cfg('mypeers/src_tbl'));
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(into.warnings.join('\n')).toMatch(/h\.cfg:3: stick-table expire not modelled/);
    expect(into.warnings.join('\n')).toMatch(/h\.cfg:3: stick-table peers not modelled/);
    // The bare table name is not its name: HAProxy does not find it.
    const bare = importCfg(cfg('src_tbl'));
    expect(bare.errors).toEqual([expect.stringMatching(/^h\.cfg:6: stick on src table src_tbl: no such stick table/)]);
  });

  it("a frontend's table is not the backend's own: stick on src without table finds none", () => {
    const into = importCfg(
      [
        'frontend fe',
        '  stick-table type ip size 1m',
        'backend app',
        '  mode tcp',
        '  stick on src',
        '  server a 10.0.0.1:80',
        '',
      ].join('\n'),
    );
    expect(value(into, 'lb.sticky')).toBeUndefined();
    expect(into.errors).toEqual([expect.stringMatching(/^h\.cfg:5: stick on src without a table: backend 'app'/)]);
  });

  it("reads a frontend's table by name: any proxy's stick-table is found (stktable_find_by_name)", () => {
    // HAProxy's check_config_validity() (src/cfgparse.c) resolves `table <name>` among every
    // proxy's table, a frontend's included (the frontend is where a shared table is often declared).
    const into = importCfg(
      [
        'frontend fe',
        '  stick-table type ip size 1m',
        'backend app',
        ...app.map((l) => l.replace('st_src', 'fe')),
        '',
      ].join('\n'),
    );
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
  });

  it('a pool that names its own table is still the pool (it has servers): its servers are imported', () => {
    const into = importCfg(
      [
        'backend app',
        '  mode tcp',
        '  stick-table type ip size 1m',
        '  stick on src table app',
        '  server a 10.0.0.1:80',
        '  server b 10.0.0.2:80',
        '',
      ].join('\n'),
    );
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(into.render('')).toMatch(/backends: # from h\.cfg:6\n {2}- name: a\n.*\n {2}- name: b\n/);
  });

  it('a condition after the named table is not modelled: warned, not imported', () => {
    const into = importCfg(
      [
        'backend st_src',
        '  stick-table type ip size 1m',
        'backend app',
        '  mode tcp',
        '  stick on src table st_src if { src 10.0.0.0/8 }',
        '  server a 10.0.0.1:80',
        '',
      ].join('\n'),
    );
    expect(value(into, 'lb.sticky')).toBeUndefined();
    expect(into.warnings.join('\n')).toMatch(/h\.cfg:5: stick on src table st_src if .* not modelled/);
  });

  it('drainsim import exits 2 with the file, line, table and why for a table that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-stick-table-'));
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, ['backend app', ...app, ''].join('\n'));
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    } as unknown as Parameters<typeof importCommandLine>[1];
    expect(importCommandLine({ files: [file] }, io)).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('drainsim import: haproxy.cfg:3: stick on src table st_src: no such stick table');
    expect(stderr).toContain('HAProxy refuses to start ("unable to find stick-table \'st_src\'")');
  });
});
