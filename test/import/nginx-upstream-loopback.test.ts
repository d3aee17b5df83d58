/**
 * An `upstream {}` block whose servers are the local app on several loopback addresses of one
 * port, with nginx's defaults (ngx_http_upstream_server: weight 1, max_fails 1, fail_timeout 10;
 * ngx_http_upstream_init_round_robin: the servers in order, tries = peers), imports as
 * nginx.upstream_addresses (session 33; before, one peer and a warning per server). Other blocks
 * keep the warning.
 */
import { describe, expect, it } from 'vitest';
import type { Imported } from '../../sim/import/imported.js';
import { readNginx } from './import-helpers.js';

/** upstream app { server …; } (one line a server), `others` (more upstream blocks) and a server proxying to app. */
function read(servers: string[], others: string[] = []): Imported {
  return readNginx(
    [
      'http {',
      '  upstream app {',
      ...servers.map((s) => `    server ${s};`),
      '  }',
      ...others,
      '  server {',
      '    listen 80;',
      '    location / { proxy_pass http://app; }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
}

const addresses = (into: Imported) => into.values.find((x) => x.path.join('.') === 'nginx.upstream_addresses');
const serverWarnings = (into: Imported) => into.warnings.filter((w) => w.includes('upstream server'));

describe('nginx upstream {} on loopback addresses', () => {
  it('127.0.0.1 and [::1] of one port: both peers, in the block order, no warning', () => {
    const into = read(['127.0.0.1:8080', '[::1]:8080 max_fails=1 fail_timeout=10s']);
    expect(addresses(into)).toMatchObject({
      value: [
        { address: '127.0.0.1', listening: true },
        { address: '::1', listening: true },
      ],
    });
    expect(serverWarnings(into)).toEqual([]);
  });

  it("each block's own servers: another upstream {} beside it changes nothing", () => {
    const into = read(['127.0.0.1:8080', '[::1]:8080'], ['  upstream other { server 10.0.0.1:80; }']);
    expect(addresses(into)).toMatchObject({
      value: [
        { address: '127.0.0.1', listening: true },
        { address: '::1', listening: true },
      ],
    });
    // Only the other block's server is left with its warning.
    expect(serverWarnings(into)).toHaveLength(1);
  });

  it('other hosts, other ports, other parameters or one server: one peer, a warning per server', () => {
    for (const servers of [
      ['10.0.0.1:8080', '10.0.0.2:8080'],
      ['127.0.0.1:8080', '127.0.0.1:8081'],
      ['127.0.0.1:8080', '[::1]:8080 backup'],
      ['127.0.0.1:8080 max_fails=3', '[::1]:8080'],
      ['127.0.0.1:8080'],
      // A host name is not an address (nginx resolves it to peers of its own): left alone too.
      ['localhost:8080', '[::1]:8080'],
    ]) {
      const into = read(servers);
      expect(addresses(into)).toBeUndefined();
      expect(serverWarnings(into)).toHaveLength(servers.length);
    }
  });
});
