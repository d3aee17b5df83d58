/**
 * `drainsim import` reads haproxy.cfg's source persistence — `stick-table type ip …` with `stick on
 * src` (or `stick match src` + `stick store-request src`, src/cfgparse-listen.c) — into
 * lb.sticky: source, and `option persist` with it (PR_O_PERSIST applies to stick tables too:
 * sticking_rule_find_target(), src/stream.c). Other stick patterns, conditions and `expire` warn.
 */
import { describe, expect, it } from 'vitest';
import type { Imported } from '../../sim/import/imported.js';
import { importBackend, valueAt as value } from './read-fixture.js';

/** The backend in `mode <mode>` (h.cfg:2), `lines` from h.cfg:3 on. */
const read = (lines: string[], mode = 'tcp'): Imported => importBackend([`mode ${mode}`, ...lines]);

describe('haproxy.cfg stick on src', () => {
  it('maps stick-table type ip + stick on src to lb.sticky: source, citing the stick line', () => {
    const into = read(['stick-table type ip size 1m', 'stick on src']);
    expect(into.errors).toEqual([]);
    expect(into.warnings).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
    expect(into.render('')).toContain('sticky: source # from h.cfg:4');
  });

  it('reads stick match src + stick store-request src as the same rule, in mode http too', () => {
    const into = read(['stick-table type ipv6 size 100k', 'stick match src', 'stick store-request src'], 'http');
    expect(into.warnings).toEqual([]);
    expect(value(into, 'lb.sticky')).toBe('source');
  });

  it('imports option persist with it (before: "needs sticky: cookie")', () => {
    const into = read(['option persist', 'stick-table type ip size 1m', 'stick on src']);
    expect(into.warnings).toEqual([]);
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
    expect(header.warnings.length).toBe(2);
    const matchOnly = read(['stick-table type ip size 1m', 'stick match src']);
    expect(value(matchOnly, 'lb.sticky')).toBeUndefined();
    expect(matchOnly.warnings.join('\n')).toContain('store-request src is missing');
    const rateLimit = read(['stick-table type ip size 1m expire 30s store http_req_rate(10s)']);
    expect(rateLimit.warnings.join('\n')).not.toContain('expire not modelled');
    const noTable = read(['stick on src']);
    expect(value(noTable, 'lb.sticky')).toBeUndefined();
    expect(noTable.warnings.join('\n')).toContain('no stick-table');
  });

  it('keeps the cookie when both are configured (HAProxy checks the cookie first), with a warning', () => {
    const into = read(['cookie SRV insert indirect nocache', 'stick-table type ip size 1m', 'stick on src'], 'http');
    expect(value(into, 'lb.sticky')).toBe('cookie');
    expect(into.warnings.join('\n')).toContain('stick on src not imported: the cookie is imported');
  });
});
