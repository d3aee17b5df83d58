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

describe('nginx include: which files a glob reads, and in which block', () => {
  /** A server in conf.d/<name> proxying with its own keepalive_timeout. */
  const server = (timeout: string) =>
    `server {\n  listen 80;\n  keepalive_timeout ${timeout};\n  location / { proxy_pass http://127.0.0.1:8080; }\n}\n`;

  it("a glob's files in name order, dotfiles not matched: the modelled server (the first that proxies) is a.conf's", () => {
    // ngx_conf_include() → ngx_open_glob() (src/os/unix/ngx_files.c): glob(pattern, 0, …) — sorted
    // (no GLOB_NOSORT), and `*` does not match a leading dot (no GLOB_PERIOD). So .0.conf is
    // never read and a.conf's server comes before b.conf's.
    const conf = tree({
      'nginx.conf': main,
      'conf.d/.0.conf': server('33s'),
      'conf.d/b.conf': server('22s'),
      'conf.d/a.conf': server('11s'),
    });
    const into = importFiles([conf]);
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.keepalive_timeout')).toBe('11s');
    expect(into.warnings.join('\n')).toContain('keepalive_timeout 22s not imported');
    expect(into.warnings.join('\n')).not.toContain('33s');
  });

  it("an included file's directives are in the including block: keepalive and keepalive_timeout in upstream {}", () => {
    // ngx_conf_include() parses the file with the same cf (its ctx and cmd_type: ngx_conf_parse(cf,
    // &file)), so a file included inside upstream {} is upstream configuration: the upstream's
    // keepalive cache and its idle timeout, not the client side's keepalive_timeout.
    const conf = tree({
      'nginx.conf': `events { worker_connections 64; }
http {
  upstream app {
    server 127.0.0.1:8080;
    include upstream-keepalive.conf;
  }
  server {
    listen 80;
    location / { proxy_pass http://app; }
  }
}
`,
      'upstream-keepalive.conf': 'keepalive 16;\nkeepalive_timeout 30s;\n',
    });
    const into = importFiles([conf]);
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.upstream_keepalive')).toBe(16);
    expect(value(into, 'nginx.upstream_keepalive_timeout')).toBe('30s');
    expect(value(into, 'nginx.keepalive_timeout')).toBeUndefined();
  });
});
