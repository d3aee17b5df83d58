/**
 * The same directive twice in one block, where nginx 1.22.1 refuses it (imp31b):
 * ngx_conf_set_msec_slot / _num_slot / _flag_slot (src/core/ngx_conf_file.c) and the handlers
 * ngx_http_core_keepalive, ngx_event_connections, ngx_http_upstream_keepalive,
 * ngx_set_worker_processes return "is duplicate" when the field is already set. Before session 31
 * the importer took the last one and nginx's refusal went unsaid.
 *
 * The real `nginx -t -c` (1.22.1) on `conf(...)` below (pid and error_log lines added to run it;
 * the lines here are this text's), verbatim:
 *   as written                                → "test is successful" (keepalive_timeout in http and in server: two blocks)
 *   a second keepalive_timeout in the server  → [emerg] "keepalive_timeout" directive is duplicate in …:N
 *   proxy_read_timeout 1h; proxy_read_timeout 2h; in the location → [emerg] "proxy_read_timeout" directive is duplicate
 *   worker_connections 64; worker_connections 64;  → [emerg] "worker_connections" directive is duplicate
 *   keepalive 8; keepalive 16; in upstream {} → [emerg] "keepalive" directive is duplicate
 *   worker_processes 2; twice                 → [emerg] "worker_processes" directive is duplicate
 *   keepalive_requests, keepalive_time (server), proxy_connect_timeout, proxy_next_upstream_tries
 *   (location), worker_shutdown_timeout (main), multi_accept (events) twice → [emerg] "<name>" directive is duplicate
 *   keepalive_timeout 60s; include ka.conf; (ka.conf: keepalive_timeout 90s;) in the server
 *                                             → [emerg] "keepalive_timeout" directive is duplicate in …/ka.conf:1
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx } from '../../sim/import/nginx-conf.js';
import { valueAt as value } from './read-fixture.js';

const conf = (o: { main?: string; events?: string; upstream?: string; server?: string; location?: string } = {}) =>
  [
    `${o.main ?? 'worker_processes 2;'}`,
    `events { ${o.events ?? 'worker_connections 64;'} }`,
    'http {',
    '  keepalive_timeout 30s;',
    `  upstream u { server 127.0.0.1:8080; ${o.upstream ?? 'keepalive 8;'} }`,
    '  server {',
    '    listen 127.0.0.1:18443;',
    `    ${o.server ?? 'keepalive_timeout 60s;'}`,
    `    location / { proxy_pass http://u; ${o.location ?? 'proxy_read_timeout 1h;'} }`,
    '  }',
    '}',
    '',
  ].join('\n');

const read = (text: string, path: string | null = null) => {
  const into = new Imported();
  importNginx(text, 'n.conf', into, path);
  return into;
};

describe('nginx: a directive twice in one block', () => {
  it('once per block, the same name in http and in a server, is valid (two blocks)', () => {
    const into = read(conf());
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.keepalive_timeout')).toBe('1m');
  });

  it('twice in one block is refused as nginx does: file:line of the second, path, expected, found', () => {
    expect(read(conf({ server: 'keepalive_timeout 60s; keepalive_timeout 60s;' })).errors).toEqual([
      'n.conf:8: http › server › keepalive_timeout: expected one keepalive_timeout in this block (it is set at n.conf:8), found a second \'keepalive_timeout 60s\' — nginx refuses it ("keepalive_timeout" directive is duplicate)',
    ]);
    expect(read(conf({ location: 'proxy_read_timeout 1h; proxy_read_timeout 2h;' })).errors).toEqual([
      'n.conf:9: http › server › location › proxy_read_timeout: expected one proxy_read_timeout in this block (it is set at n.conf:9), found a second \'proxy_read_timeout 2h\' — nginx refuses it ("proxy_read_timeout" directive is duplicate)',
    ]);
    const cases: [Parameters<typeof conf>[0], string][] = [
      [{ events: 'worker_connections 64; worker_connections 64;' }, 'events › worker_connections'],
      [{ upstream: 'keepalive 8; keepalive 16;' }, 'http › upstream › keepalive'],
      [{ main: 'worker_processes 2;\nworker_processes 2;' }, 'worker_processes'],
      // The rest of the list, each refused by nginx -t 1.22.1 the same way ("… directive is duplicate").
      [{ server: 'keepalive_requests 100; keepalive_requests 100;' }, 'http › server › keepalive_requests'],
      [{ server: 'keepalive_time 1h; keepalive_time 1h;' }, 'http › server › keepalive_time'],
      [
        { location: 'proxy_connect_timeout 5s; proxy_connect_timeout 5s;' },
        'http › server › location › proxy_connect_timeout',
      ],
      [
        { location: 'proxy_next_upstream_tries 2; proxy_next_upstream_tries 2;' },
        'http › server › location › proxy_next_upstream_tries',
      ],
      [{ main: 'worker_shutdown_timeout 10s; worker_shutdown_timeout 10s;' }, 'worker_shutdown_timeout'],
      [{ events: 'worker_connections 64; multi_accept on; multi_accept on;' }, 'events › multi_accept'],
    ];
    for (const [o, path] of cases) {
      const errors = read(conf(o)).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`: ${path}: expected one `);
      expect(errors[0]).toContain('directive is duplicate)');
    }
  });

  it("an included file's line counts in the including block", () => {
    const dir = mkdtempSync(join(tmpdir(), 'drainsim-imp31b-'));
    writeFileSync(join(dir, 'ka.conf'), 'keepalive_timeout 90s;\n');
    const main = conf({ server: 'keepalive_timeout 60s; include ka.conf;' });
    writeFileSync(join(dir, 'nginx.conf'), main);
    const errors = read(main, join(dir, 'nginx.conf')).errors;
    expect(errors).toEqual([
      'ka.conf:1: http › server › keepalive_timeout: expected one keepalive_timeout in this block (it is set at n.conf:8), found a second \'keepalive_timeout 90s\' — nginx refuses it ("keepalive_timeout" directive is duplicate)',
    ]);
  });
});
