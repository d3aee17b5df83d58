/**
 * `retries <n>` as HAProxy 2.6 reads it (imp31): cfg_parse_listen() (v2.6.0 src/cfgparse-listen.c)
 * refuses no argument or two, and otherwise stores `atol(args[1])` — a word that is not a number
 * is 0, no error. Before session 31 the importer took Number(word): `retries abc` imported
 * lb.retries NaN and `retries` alone NaN too, where HAProxy refuses to start.
 *
 * The real `haproxy -c -f` (2.6.12) on `cfg(...)` below, verbatim:
 *   retries abc   → "Configuration file is valid"
 *   retries -1    → "Configuration file is valid"
 *   retries 99999999999999999999 → "Configuration file is valid"
 *   retries 4294967299 → "Configuration file is valid"
 * and run (session 33: a backend whose one server refuses, 127.0.0.1:1; one request, httplog),
 * the log's retries field (%rc, the fifth of "1/1/0/0/N") and the time to the 503:
 *   retries 99999999999999999999 → 0 retries, 503 in 1 ms (-1: back_handle_st_cer() gives up at once)
 *   retries 4294967299          → 3 retries, 503 in 3.0 s (the low 32 bits: 3)
 *   retries 2                   → 2 retries, 503 in 2.0 s
 *   retries       → "[ALERT] … parsing [r.cfg:9] : 'retries' expects an integer argument (dispatch counts for one)."
 *   retries 2 3   → "[ALERT] … parsing [r.cfg:9] : 'retries' cannot handle unexpected argument '3'."
 */
import { describe, expect, it } from 'vitest';
import { importAndValidate, writeTemp } from './import-helpers.js';
import { importCfg as read, valueAt as value } from './read-fixture.js';

const cfg = (retries: string) =>
  [
    'global',
    '  stats socket /tmp/s.sock',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    'backend be',
    `  retries ${retries}`.trimEnd(),
    '  server a 127.0.0.1:8080',
    'frontend fe',
    '  bind 127.0.0.1:18080',
    '  default_backend be',
    '',
  ].join('\n');

describe('haproxy.cfg retries', () => {
  it('a word that is not a number is what atol() makes of it, with a warning; never NaN', () => {
    const into = read(cfg('abc'));
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.retries')).toBe(0);
    expect(into.warnings.join('\n')).toContain('h.cfg:9: retries abc: HAProxy reads it as 0 (atol(), no error)');
    expect(value(read(cfg('3x')), 'lb.retries')).toBe(3);
  });

  it('a negative count retries nothing (back_handle_st_cer gives up at once): 0', () => {
    const into = read(cfg('-1'));
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.retries')).toBe(0);
    expect(into.warnings.join('\n')).toContain(
      'retries -1: HAProxy reads it as -1 (atol(), no error), which retries nothing',
    );
  });

  it('a count past a long saturates (strtol: LONG_MAX) and keeps its low 32 bits in the int: -1, no retry', () => {
    // atol() is strtol(), which returns LONG_MAX (2^63 − 1) for a longer number; the int
    // conn_retries keeps its low 32 bits, all ones: -1 (haproxy -c 2.6.12: valid).
    const into = read(cfg('99999999999999999999'));
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.retries')).toBe(0);
    // Plain digits, yet not what HAProxy runs: said (before session 33 silently 0).
    expect(into.warnings).toContain(
      'h.cfg:9: retries 99999999999999999999: HAProxy reads it as -1 (atol(), no error), which retries nothing: lb.retries 0 imported',
    );
  });

  it('a count past an int keeps its low 32 bits: 4294967299 is 3 retries, with a warning', () => {
    const into = read(cfg('4294967299'));
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.retries')).toBe(3);
    expect(into.warnings).toContain(
      'h.cfg:9: retries 4294967299: HAProxy reads it as 3 (atol(), no error): lb.retries 3 imported',
    );
    // A count HAProxy keeps as written is no warning.
    expect(read(cfg('3')).warnings.join('\n')).not.toContain('retries');
  });

  it('no argument or two are refused as HAProxy does: file, line, path, expected, found', () => {
    const none = read(cfg(''));
    expect(none.errors).toEqual([
      'h.cfg:9: backend be › retries: expected one integer, found nothing — HAProxy refuses it: "\'retries\' expects an integer argument (dispatch counts for one)"',
    ]);
    expect(value(none, 'lb.retries')).toBeUndefined();
    const two = read(cfg('2 3'));
    expect(two.errors).toEqual([
      "h.cfg:9: backend be › retries: expected one integer, found '2 3' — HAProxy refuses it: \"'retries' cannot handle unexpected argument '3'\"",
    ]);
    expect(value(read(cfg('2')), 'lb.retries')).toBe(2);
    const run = importAndValidate([writeTemp('haproxy.cfg', cfg(''))]);
    expect(run.importCode).toBe(2);
    expect(run.warnings).toMatch(/haproxy\.cfg:9: backend be › retries: expected one integer, found nothing/);
  });
});
