/**
 * nginx.conf directives `drainsim import` dropped or reported vaguely (review30 #4): `worker_processes`
 * (auto is ngx_ncpu, the host's CPUs: written as 1 with a warning), `proxy_read_timeout` per
 * location (the scenario has one: the WebSocket location's, the other a warning with its line),
 * `proxy_next_upstream` / `_tries` (no key: precise warnings), a `map {}` block (one warning).
 */
import { describe, expect, it } from 'vitest';
import { fixture, importAndValidate, readNginx } from './import-helpers.js';

describe('nginx.conf worker_processes', () => {
  it('a number → nginx.worker_processes', () => {
    const into = readNginx('worker_processes 4;\nevents {}\n');
    expect(into.render('')).toContain('worker_processes: 4 # from n.conf:1');
    expect(into.warnings).toEqual([]);
  });

  it('auto: the host’s CPU count, unknown to the import — 1 written, and a warning saying so', () => {
    const into = readNginx('worker_processes auto;\nevents {}\n');
    expect(into.render('')).toContain('worker_processes: 1 # from n.conf:1');
    expect(into.warnings).toEqual([
      expect.stringMatching(
        /^n\.conf:1: worker_processes auto: one worker per CPU online .*sysconf\(_SC_NPROCESSORS_ONLN\).*wrote nginx\.worker_processes: 1/,
      ),
    ]);
  });

  it('what nginx refuses is an error (exit 2), as nginx would not start', () => {
    expect(readNginx('worker_processes many;\n').errors).toEqual([
      'n.conf:1: worker_processes many: nginx refuses it (invalid value)',
    ]);
  });
});

describe('nginx.conf proxy_read_timeout per location', () => {
  const conf = `http {
  server {
    location / {
      proxy_pass http://app;
      proxy_read_timeout 30s;
    }
    location /ws {
      proxy_pass http://app;
      proxy_set_header Upgrade $http_upgrade;
      proxy_read_timeout 1h;
    }
  }
}
`;
  it("the WebSocket location's value (the tunnels' idle timeout); the HTTP location's a warning with its line", () => {
    const into = readNginx(conf);
    expect(into.render('')).toContain('proxy_read_timeout: 1h # from n.conf:10');
    expect(into.warnings).toContain(
      'n.conf:5: proxy_read_timeout 30s for location / (its HTTP responses) not imported: the scenario has one nginx.proxy_read_timeout for HTTP responses and WebSocket tunnels; took 1h (n.conf:10) of location /ws, its WebSocket tunnels',
    );
  });

  it('an invalid value in a location not imported is still an error (exit 2): nginx refuses to start on it', () => {
    // ngx_conf_set_msec_slot returns "invalid value" wherever the directive is written (mut30's
    // audit: it was only a warning when another location's value was taken).
    const into = readNginx(conf.replace('proxy_read_timeout 30s;', 'proxy_read_timeout 5x;'));
    expect(into.errors.join('\n')).toMatch(
      /^n\.conf:5: http › server › location › proxy_read_timeout: expected a time .*, found '5x' — nginx refuses it \("proxy_read_timeout" directive invalid value\)$/,
    );
    expect(into.errors).toHaveLength(1);
  });

  it('whichever order the locations come in', () => {
    const swapped = conf.replace(
      /( {4}location \/ \{[\s\S]*?\n {4}\}\n)( {4}location \/ws \{[\s\S]*?\n {4}\}\n)/,
      '$2$1',
    );
    expect(swapped).not.toBe(conf);
    const into = readNginx(swapped);
    expect(into.render('')).toContain('proxy_read_timeout: 1h # from n.conf:');
    expect(into.warnings.some((w) => w.includes('proxy_read_timeout 30s for location / (its HTTP responses)'))).toBe(
      true,
    );
  });

  it('a server-level value the WebSocket location inherits is taken; locations that agree give no warning', () => {
    const inherited = readNginx(
      'http {\n  server {\n    proxy_read_timeout 2h;\n    location / { proxy_read_timeout 30s; }\n    location /ws { proxy_set_header Upgrade $http_upgrade; }\n  }\n}\n',
    );
    expect(inherited.render('')).toContain('proxy_read_timeout: 2h # from n.conf:3');
    expect(inherited.warnings.filter((w) => w.includes('proxy_read_timeout'))).toEqual([
      expect.stringMatching(/^n\.conf:4: proxy_read_timeout 30s for location \/ /),
    ]);
    const overridden = readNginx(
      'http {\n  proxy_read_timeout 10s;\n  server {\n    location / { proxy_read_timeout 30s; }\n    location /ws { proxy_set_header Upgrade $http_upgrade; proxy_read_timeout 1h; }\n  }\n}\n',
    );
    expect(overridden.warnings).toContain(
      'n.conf:2: proxy_read_timeout 10s not imported: every location under it sets its own',
    );
    const agree = readNginx(
      'http {\n  server {\n    location / { proxy_read_timeout 30s; }\n    location /a { proxy_read_timeout 30s; }\n  }\n}\n',
    );
    expect(agree.warnings).toEqual([]);
  });
});

describe('nginx.conf proxy_next_upstream, proxy_next_upstream_tries, map', () => {
  it('proxy_next_upstream: no key; the warning says what the model does and whether the value agrees', () => {
    const [same] = readNginx('http { proxy_next_upstream error timeout; }\n').warnings;
    expect(same).toMatch(
      /^n\.conf:1: proxy_next_upstream error timeout: no scenario key; the model's nginx retries .*, as this value does$/,
    );
    const [off] = readNginx('http { proxy_next_upstream off; }\n').warnings;
    expect(off).toMatch(/this value has no 'error', so nginx answers such a request 502 where the model retries it$/);
    const [post] = readNginx('http { proxy_next_upstream error non_idempotent; }\n').warnings;
    expect(post).toMatch(/'non_idempotent' retries a POST too, the model does not$/);
  });

  it('proxy_next_upstream_tries: no key and no effect with one upstream server', () => {
    expect(readNginx('http { proxy_next_upstream_tries 2; }\n').warnings).toEqual([
      expect.stringMatching(
        /^n\.conf:1: proxy_next_upstream_tries 2: no scenario key, and no effect .*u->peer\.tries = min\(servers, tries\)/,
      ),
    ]);
  });

  it('a map block is one warning with its line, its entries not read as directives', () => {
    const into = readNginx(
      "http {\n  map $http_upgrade $connection_upgrade {\n    default upgrade;\n    '' close;\n  }\n}\n",
    );
    expect(into.warnings).toEqual([
      "n.conf:2: map $http_upgrade $connection_upgrade {…}: nginx variables, not modelled (the block's entries are not read)",
    ]);
  });

  it("the reviewer's nginx.conf: no junk warning, the scenario valid", () => {
    const got = importAndValidate([fixture('nginx-ws.conf')]);
    expect(got.validateCode).toBe(0);
    expect(got.warnings).not.toMatch(
      /'default' not modelled|'' not modelled|'proxy_next_upstream(_tries)?' not modelled/,
    );
    expect(got.scenario).toContain('proxy_read_timeout: 1h # from nginx-ws.conf:39');
  });
});

describe('nginx.conf keepalive_time (nginx >= 1.19.10)', () => {
  // One directive name in two contexts: http/server/location keepalive_time is the client side's
  // (ngx_http_core_module.c), inside `upstream {}` it is the keepalive cache's
  // (ngx_http_upstream_keepalive_module.c, kcf->time).
  it('in http{} → nginx.keepalive_time; in upstream{} → nginx.upstream_keepalive_time', () => {
    const into = readNginx(
      [
        'events {}',
        'http {',
        '  keepalive_time 10m;',
        '  upstream app {',
        '    server 127.0.0.1:8080;',
        '    keepalive 16;',
        '    keepalive_time 30m;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const yaml = into.render('');
    expect(yaml).toContain('keepalive_time: 10m # from n.conf:3');
    expect(yaml).toContain('upstream_keepalive_time: 30m # from n.conf:7');
  });
});
