/**
 * nginx times past ngx_int_t's range (imp31): ngx_parse_time (src/core/ngx_parse.c) bounds every
 * digit appended by NGX_MAX_INT_T_VALUE (cutoff/cutlim), each unit's number by that bound over the
 * unit's scale (`max`), and the running total, returning NGX_ERROR past any of them — "invalid
 * value", nginx does not start. Before session 31 nginxTime had none of these checks: it read
 * 9223372036854776s as a time (and multiplied in floating point), so the import went on where
 * nginx refuses.
 *
 * The real `nginx -t` (1.22.1) on `http { keepalive_timeout <v>; … }`, verbatim:
 *   9223372036854775s, 9223372036854775807ms, 153722867280912m, 2562047788015h, 106751991167d,
 *   15250284452w, 9223372036854775s807ms, `65s 9223372036854775807`, `65s 292471208677y`
 *     → "test is successful"
 *   9223372036854776s, 9223372036854775808ms, 153722867280913m, 2562047788016h, 106751991168d,
 *   15250284453w, 9223372036854775s808ms, `65s 9223372036854775808`, `65s 292471208678y`
 *     → [emerg] "keepalive_timeout" directive invalid value in …/k.conf:6
 *   "807ms 9223372036854775" → "test is successful"; "808ms 9223372036854775" → invalid value
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx, nginxTime } from '../../sim/import/nginx-conf.js';
import { importAndValidate, writeTemp } from './import-helpers.js';

const conf = (keepalive: string) => `events { worker_connections 64; }
http {
  keepalive_timeout ${keepalive};
  server { listen 443 ssl; location / { proxy_pass http://127.0.0.1:8080; } }
}
`;

const refused = (keepalive: string) => {
  const into = new Imported();
  importNginx(conf(keepalive), 'n.conf', into);
  return into.errors;
};

describe('nginx time overflow', () => {
  it.each([
    ['9223372036854775s', '9223372036854776s'],
    ['9223372036854775807ms', '9223372036854775808ms'],
    ['153722867280912m', '153722867280913m'],
    ['2562047788015h', '2562047788016h'],
    ['106751991167d', '106751991168d'],
    ['15250284452w', '15250284453w'],
    ['9223372036854775s807ms', '9223372036854775s808ms'],
    ['65s 9223372036854775807', '65s 9223372036854775808'],
    ['65s 292471208677y', '65s 292471208678y'],
  ])('%s is a time nginx takes, %s one past it nginx refuses', (valid, past) => {
    expect(refused(valid)).toEqual([]);
    expect(refused(past)).toHaveLength(1);
  });

  it('refused with file, line, path, expected, found; drainsim import exits 2', () => {
    expect(refused('106751991168d')).toEqual([
      'n.conf:3: http › keepalive_timeout: expected a time (numbers with units w d h m s ms, in that order, each once; a bare last number is seconds; at most 2^63 − 1 ms), found \'106751991168d\' — nginx refuses it ("keepalive_timeout" directive invalid value)',
    ]);
    expect(importAndValidate([writeTemp('nginx.conf', conf('9223372036854776s'))]).importCode).toBe(2);
  });

  it('a bare last number (seconds) is bounded too, after the units before it', () => {
    expect(nginxTime('9223372036854775')).not.toBeNull();
    expect(nginxTime('9223372036854776')).toBeNull();
    expect(nginxTime('807ms 9223372036854775')).not.toBeNull();
    expect(nginxTime('808ms 9223372036854775')).toBeNull();
    expect(nginxTime('1h 30')).toBe(3630);
  });
});
