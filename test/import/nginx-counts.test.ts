/**
 * nginx counts read as ngx_atoi() reads them (imp31): digits only, bounded by NGX_MAX_INT_T_VALUE.
 * keepalive_requests (ngx_conf_set_num_slot: "invalid number"), worker_connections
 * (ngx_event_connections: "invalid number \"many\""), an upstream's keepalive
 * (ngx_http_upstream_keepalive: "invalid value", 0 too). Before session 31 the importer took
 * Number(word): NaN for `many`, -1 for `-1`, and `keepalive 0`, all of which nginx refuses.
 *
 * The real `nginx -t` (1.22.1) on events { worker_connections W; } http { keepalive_requests R;
 * upstream u { server …; keepalive K; } server { listen …; } }, verbatim:
 *   64 / 100 / 32                  → "test is successful"
 *   many / 100 / 32                → [emerg] invalid number "many" in …/w.conf:3
 *   64 / 1k / 32, 64 / -1 / 32, 64 / 9223372036854775808 / 32
 *                                  → [emerg] "keepalive_requests" directive invalid number in …/w.conf:6
 *   64 / 100 / 0, 64 / 100 / x     → [emerg] invalid value "0" in "keepalive" directive in …/w.conf:7
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx } from '../../sim/import/nginx-conf.js';
import { valueAt as value } from './read-fixture.js';

const read = (w: string, r: string, k: string) => {
  const into = new Imported();
  importNginx(
    `events { worker_connections ${w}; }
http {
  keepalive_requests ${r};
  upstream u { server 127.0.0.1:8080; keepalive ${k}; }
  server { listen 443 ssl; location / { proxy_pass http://u; } }
}
`,
    'n.conf',
    into,
  );
  return into;
};

describe('nginx counts', () => {
  it('valid counts are imported', () => {
    const into = read('64', '100', '32');
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.worker_connections')).toBe(64);
    expect(value(into, 'nginx.keepalive_requests')).toBe(100);
    expect(value(into, 'nginx.upstream_keepalive')).toBe(32);
  });

  it('what nginx refuses exits 2 with file, line, path, expected, found — never NaN', () => {
    expect(read('many', '100', '32').errors).toEqual([
      'n.conf:1: events › worker_connections: expected a whole number (digits only), found \'many\' — nginx refuses it (invalid number "many")',
    ]);
    for (const r of ['1k', '-1', '9223372036854775808'])
      expect(read('64', r, '32').errors).toEqual([
        `n.conf:3: http › keepalive_requests: expected a whole number (digits only), found '${r}' — nginx refuses it ("keepalive_requests" directive invalid number)`,
      ]);
    for (const k of ['0', 'x'])
      expect(read('64', '100', k).errors).toEqual([
        `n.conf:4: http › upstream › keepalive: expected a whole number of at least 1 (digits only), found '${k}' — nginx refuses it (invalid value "${k}" in "keepalive" directive)`,
      ]);
    expect(read('many', '100', '32').values.map((v) => v.value)).not.toContain(Number.NaN);
  });
});
