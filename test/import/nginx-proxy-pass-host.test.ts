/**
 * nginx's proxy_pass to a host name (not an IP literal, not an upstream{} block): nginx resolves it
 * when it starts, and ngx_http_upstream_init_round_robin (src/http/ngx_http_upstream_round_robin.c,
 * "an upstream implicitly defined by proxy_pass") makes each address a peer of its own, max_fails=1
 * fail_timeout=10 — localhost is 127.0.0.1 and ::1. The model has one peer per VM (the app):
 * `drainsim import` warns (review52; before, proxy_pass was read without a word).
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx } from '../../sim/import/nginx-conf.js';

function read(proxyPass: string, extra: string[] = []): Imported {
  const into = new Imported();
  importNginx(
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
    'n.conf',
    into,
  );
  return into;
}

const peerWarnings = (into: Imported): string[] => into.warnings.filter((w) => w.includes('proxy_pass'));

describe('nginx proxy_pass to a host name', () => {
  it('warns that nginx makes a peer of every address (localhost: 127.0.0.1 and ::1), the model one', () => {
    for (const url of ['http://localhost:8080', 'http://app.internal:8080/api/']) {
      const warned = peerWarnings(read(url));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatch(/^n\.conf:4: proxy_pass .*: nginx resolves .* max_fails=1 fail_timeout=10/);
      expect(warned[0]).toContain('one peer per VM');
    }
  });

  it('says nothing for an IP literal, an upstream{} name or a variable', () => {
    expect(peerWarnings(read('http://127.0.0.1:8080'))).toEqual([]);
    expect(peerWarnings(read('http://[::1]:8080'))).toEqual([]);
    expect(peerWarnings(read('http://$backend'))).toEqual([]);
    expect(peerWarnings(read('http://app', ['  upstream app { server 127.0.0.1:8080; }']))).toEqual([]);
  });
});
