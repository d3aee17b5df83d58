/**
 * keepalive_timeout's second argument, the `Keep-Alive: timeout=` header (imp31):
 * ngx_http_core_keepalive() (src/http/ngx_http_core_module.c) parses it with ngx_parse_time(…, 1)
 * — seconds: y and M taken, ms refused — and refuses the configuration on NGX_ERROR ("invalid
 * value") or a third argument (NGX_CONF_TAKE12). Before session 31 the importer never looked at
 * it: `keepalive_timeout 65s abc` imported 65s where nginx does not start. A time nginx refuses in
 * another server's keepalive_timeout (not the one imported) stops nginx too.
 *
 * The real `nginx -t` (1.22.1) on `http { keepalive_timeout <v>; server { listen …; } }`, verbatim:
 *   65s 60       → "test is successful"
 *   65s 1y, 65s 1M, 65s 9223372036854775807 → "test is successful"
 *   65s abc, 65s 5ms, 65s -1, 65s 1y1y → [emerg] "keepalive_timeout" directive invalid value in …/k.conf:6
 *   65s 60s 3    → [emerg] invalid number of arguments in "keepalive_timeout" directive in …/k.conf:6
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx, nginxTime } from '../../sim/import/nginx-conf.js';
import { valueAt as value } from './read-fixture.js';

const read = (keepalive: string, other = '65s') => {
  const into = new Imported();
  importNginx(
    `events { worker_connections 64; }
http {
  keepalive_timeout ${keepalive};
  server { listen 443 ssl; location / { proxy_pass http://127.0.0.1:8080; } }
  server { listen 80; keepalive_timeout ${other}; return 301 https://example.com; }
}
`,
    'n.conf',
    into,
  );
  return into;
};

describe('keepalive_timeout header timeout', () => {
  it('a header timeout nginx refuses exits 2: file, line, path, expected, found', () => {
    const into = read('65s abc');
    expect(into.errors).toEqual([
      'n.conf:3: http › keepalive_timeout (header timeout): expected a time in seconds (units y M w d h m s, in that order, each once; no ms), found \'abc\' — nginx refuses it ("keepalive_timeout" directive invalid value)',
    ]);
    expect(read('65s 5ms').errors).toHaveLength(1);
    expect(read('65s -1').errors).toHaveLength(1);
    // y only first (ngx_parse_time case 'y': `if (step > st_start)`): a second year is refused.
    expect(read('65s 1y1y').errors).toHaveLength(1);
  });

  it('a third argument exits 2', () => {
    expect(read('65s 60s 3').errors).toEqual([
      'n.conf:3: http › keepalive_timeout: expected a timeout and at most a header timeout, found 3 arguments (65s 60s 3) — nginx refuses it (invalid number of arguments in "keepalive_timeout" directive)',
    ]);
  });

  it('a valid header timeout (seconds, y and M too) is accepted; the timeout itself is imported', () => {
    for (const v of ['65s 60', '65s 1y', '65s 1M', '65s 9223372036854775807']) {
      const into = read(v);
      expect(into.errors).toEqual([]);
      expect(value(into, 'nginx.keepalive_timeout')).toBe('1m 5s');
    }
    expect(nginxTime('1y', true)).toBe(365 * 86400);
    expect(nginxTime('1y')).toBeNull();
    expect(nginxTime('5ms', true)).toBeNull();
  });

  it("another server's keepalive_timeout nginx refuses exits 2 too, though its value is not imported", () => {
    expect(read('65s', '10x').errors.join('\n')).toMatch(
      /^n\.conf:5: http › server › keepalive_timeout: expected a time .*, found '10x' — nginx refuses it/,
    );
    expect(read('65s', '10s abc').errors.join('\n')).toContain(
      'n.conf:5: http › server › keepalive_timeout (header timeout)',
    );
    expect(read('65s', '10s').errors).toEqual([]);
  });
});
