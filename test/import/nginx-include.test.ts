/**
 * nginx `include` (imp30): before session 30 it was a "harmless" directive, read and dropped
 * without a word, so a Debian-style nginx.conf (`include /etc/nginx/conf.d/*.conf;
 * include /etc/nginx/sites-enabled/*;`) imported none of its server's timeouts. Now each file is
 * read in place, a relative name from the main file's directory (nginx's conf prefix:
 * ngx_conf_include() → ngx_conf_full_name(cycle, name, 1), src/core/ngx_conf_file.c), a glob's
 * files in name order; a file that is not there is a warning naming it.
 *
 * The real `nginx -t -c <dir>/nginx.conf` (1.22.1) on this tree, verbatim:
 *   nginx: the configuration file …/nginx.conf syntax is ok
 * and with snippets/proxy.conf moved under conf.d/ (relative to the including file):
 *   [emerg] open() "…/snippets/proxy.conf" failed (2: No such file or directory) in …/conf.d/site.conf:3
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../sim/import/import-files.js';
import { valueAt as value } from './read-fixture.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-imp30-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, 'nginx.conf');
}

const main = `events { worker_connections 64; }
http {
  keepalive_timeout 30s;
  include conf.d/*.conf;
}
`;
const site = `server {
  listen 443 ssl;
  include snippets/proxy.conf;
  location / { proxy_pass http://127.0.0.1:8080; }
}
`;

describe('nginx include', () => {
  it("reads the included files in place, a relative name from the main file's directory, citing each file", () => {
    const conf = tree({
      'nginx.conf': main,
      'conf.d/site.conf': site,
      'snippets/proxy.conf': 'proxy_read_timeout 1h;\nproxy_connect_timeout 5s;\n',
    });
    const into = importFiles([conf]);
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.proxy_read_timeout')).toBe('1h');
    expect(value(into, 'nginx.proxy_connect_timeout')).toBe('5s');
    expect(value(into, 'nginx.keepalive_timeout')).toBe('30s');
    expect(into.render('')).toContain('proxy_read_timeout: 1h # from snippets/proxy.conf:1');
    expect(into.warnings.join('\n')).not.toContain('include');
  });

  it('a file that is not there is a warning naming it; a glob matching nothing is nginx-valid and silent', () => {
    const conf = tree({ 'nginx.conf': main, 'conf.d/site.conf': site });
    const into = importFiles([conf]);
    expect(into.warnings.join('\n')).toMatch(/conf\.d\/site\.conf:3: include snippets\/proxy\.conf: .* is not here/);
    const empty = importFiles([tree({ 'nginx.conf': main })]);
    expect(empty.warnings.join('\n')).not.toContain('include');
  });

  it("an included location's proxy_read_timeout is scoped to it (the WebSocket location's is taken)", () => {
    const conf = tree({
      'nginx.conf': main.replace('keepalive_timeout 30s;', 'keepalive_timeout 30s;\n  proxy_read_timeout 30s;'),
      'conf.d/site.conf': `server {
  listen 443 ssl;
  location / { proxy_pass http://127.0.0.1:8080; }
  location /ws {
    proxy_pass http://127.0.0.1:8080;
    proxy_set_header Upgrade $http_upgrade;
    proxy_read_timeout 1h;
  }
}
`,
    });
    const into = importFiles([conf]);
    expect(value(into, 'nginx.proxy_read_timeout')).toBe('1h');
    expect(into.render('')).toContain('proxy_read_timeout: 1h # from conf.d/site.conf:7');
  });
});
