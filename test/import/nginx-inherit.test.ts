/**
 * nginx's client-side and proxy settings as the modelled server gets them (imp30): nginx merges
 * each location's settings from its server's and http's (ngx_http_core_merge_loc_conf,
 * ngx_http_proxy_merge_loc_conf), so the value is the modelled server's `location /` own, else
 * the server's, else http's — wherever in the file each is written. Before session 30 the last
 * one in the file won, another server's (a port-80 redirect's) or a location's included.
 * `keepalive` outside upstream {} and `worker_connections` outside events {} nginx refuses;
 * they were dropped without a word.
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx } from '../../sim/import/nginx-conf.js';
import { valueAt as value } from './read-fixture.js';

const read = (text: string) => {
  const into = new Imported();
  importNginx(text, 'n.conf', into);
  return into;
};

// `nginx -t -c` (1.22.1) on this file, verbatim: "the configuration file … syntax is ok",
// "configuration file … test is successful".
const conf = `events { worker_connections 64; }
http {
  server {
    listen 127.0.0.1:18443;
    keepalive_timeout 10s;
    location / { proxy_pass http://127.0.0.1:8080; proxy_connect_timeout 3s; }
    location /slow { proxy_pass http://127.0.0.1:8080; proxy_connect_timeout 20s; }
  }
  server {
    listen 127.0.0.1:18080;
    keepalive_timeout 5s;
    return 301 https://example.com$request_uri;
  }
  keepalive_timeout 30s;
  proxy_connect_timeout 7s;
}
`;

describe('nginx http / server / location inheritance', () => {
  it("takes the proxying server's own keepalive_timeout and its location /'s proxy_connect_timeout, wherever written", () => {
    const into = read(conf);
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.keepalive_timeout')).toBe('10s');
    expect(value(into, 'nginx.proxy_connect_timeout')).toBe('3s');
    const warned = into.warnings.join('\n');
    expect(warned).toContain(
      'n.conf:11: keepalive_timeout 5s not imported: the modelled server (n.conf:3, the first that proxies) has 10s (n.conf:5)',
    );
    expect(warned).toContain('n.conf:7: proxy_connect_timeout 20s not imported');
    expect(warned).toContain('n.conf:14: keepalive_timeout 30s not imported');
  });

  it("a server without its own takes http's, not another server's written after it", () => {
    // http's written first: the old reader took the redirect server's 5s, written after it.
    const into = read(
      conf
        .replace('    keepalive_timeout 10s;\n', '')
        .replace('  keepalive_timeout 30s;\n', '')
        .replace('http {\n', 'http {\n  keepalive_timeout 30s;\n'),
    );
    expect(value(into, 'nginx.keepalive_timeout')).toBe('30s');
  });

  it('refuses keepalive outside upstream {} and worker_connections outside events {}, as nginx does', () => {
    // nginx -t: [emerg] "keepalive" directive is not allowed here in …:19
    const into = read('events { }\nhttp {\n  keepalive 4;\n  worker_connections 10;\n}\n');
    expect(into.errors.join('\n')).toContain('n.conf:3: keepalive 4: nginx refuses it outside upstream {}');
    expect(into.errors.join('\n')).toContain('n.conf:4: worker_connections 10: nginx refuses it outside events {}');
  });
});
