/**
 * nginx's proxy_pass to a host name (not an IP literal, not an upstream{} block): nginx resolves it
 * when it starts, and ngx_http_upstream_init_round_robin (src/http/ngx_http_upstream_round_robin.c,
 * "an upstream implicitly defined by proxy_pass") makes each address a peer of its own, max_fails=1
 * fail_timeout=10 — localhost is ::1 and 127.0.0.1 (glibc's order). `proxy_pass http://localhost:…`
 * imports as nginx.upstream_addresses (session 32; before, a warning that the model had one peer);
 * another name still warns (its addresses are the VM's to say), an IP literal is one peer.
 */
import { describe, expect, it } from 'vitest';
import type { Imported } from '../../sim/import/imported.js';
import { readNginx } from './import-helpers.js';

function read(proxyPass: string, extra: string[] = []): Imported {
  return readNginx(
    [
      'http {',
      ...extra,
      '  server {',
      '    listen 80;',
      `    location / { proxy_pass ${proxyPass}; }`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
}

const peerWarnings = (into: Imported): string[] => into.warnings.filter((w) => w.includes('proxy_pass'));
const addresses = (into: Imported) => {
  const v = into.values.find((x) => x.path.join('.') === 'nginx.upstream_addresses');
  return v === undefined ? undefined : { value: v.value, source: v.source };
};

describe('nginx proxy_pass to a host name', () => {
  it('localhost: both addresses as peers (::1 first), no warning', () => {
    for (const url of ['http://localhost:8080', 'http://LOCALHOST:3000/api/']) {
      const into = read(url);
      expect(peerWarnings(into)).toEqual([]);
      expect(addresses(into)).toEqual({
        value: [
          { address: '::1', listening: true },
          { address: '127.0.0.1', listening: true },
        ],
        source: 'n.conf:4',
      });
    }
  });

  it('another host name: one peer, and a warning to state its addresses', () => {
    const into = read('http://app.internal:8080/api/');
    const warned = peerWarnings(into);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^n\.conf:4: proxy_pass .*: nginx resolves app\.internal .* max_fails=1 fail_timeout=10/);
    expect(warned[0]).toContain('nginx.upstream_addresses');
    expect(addresses(into)).toBeUndefined();
  });

  it('says nothing and sets nothing for an IP literal, an upstream{} name or a variable', () => {
    for (const into of [
      read('http://127.0.0.1:8080'),
      read('http://[::1]:8080'),
      read('http://$backend'),
      read('http://localhost', ['  upstream localhost { server 127.0.0.1:8080; }']),
    ]) {
      expect(peerWarnings(into)).toEqual([]);
      expect(addresses(into)).toBeUndefined();
    }
  });
});
