/**
 * nginx.conf `keepalive_time` → nginx.keepalive_time (client side, http / server / location) and,
 * inside an `upstream {}` block, nginx.upstream_keepalive_time (ngx_http_upstream_keepalive_module);
 * a time nginx refuses (ngx_parse_time → NGX_ERROR, "invalid value" from ngx_conf_set_msec_slot or
 * ngx_http_core_keepalive) makes `drainsim import` exit 2 with its line, as nginx would not start.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nginxTime } from '../../sim/import/nginx-conf.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { importAndValidate, readNginx, writeTemp } from './import-helpers.js';

const conf = (clientTime: string, upstreamTime: string) =>
  [
    'events { worker_connections 512; }',
    'http {',
    `  keepalive_time ${clientTime};`,
    '  upstream app {',
    '    server 127.0.0.1:3000;',
    '    keepalive 16;',
    `    keepalive_time ${upstreamTime};`,
    '  }',
    '  server {',
    '    listen 80;',
    '    location / { proxy_pass http://app; }',
    '  }',
    '}',
    '',
  ].join('\n');

describe('nginx.conf keepalive_time import', () => {
  it('http-level keepalive_time → nginx.keepalive_time, the upstream block’s → nginx.upstream_keepalive_time, each with its line', () => {
    const r = importAndValidate([writeTemp('nginx.conf', conf('30m', '"1h 30s"'))]);
    expect(r.importCode).toBe(0);
    expect(r.validateCode).toBe(0);
    expect(r.scenario).toMatch(/^ {2}keepalive_time: 30m # from \S*nginx\.conf:3$/m);
    expect(r.scenario).toMatch(/^ {2}upstream_keepalive_time: "1h 30s" # from \S*nginx\.conf:7$/m);
    // The scenario the import wrote resolves to those seconds (the rest at the schema's defaults).
    const s = ScenarioSchema.parse(parse(r.scenario));
    expect(s.nginx.keepalive_time).toBe(1800);
    expect(s.nginx.upstream_keepalive_time).toBe(3630);
    expect(s.nginx.upstream_keepalive).toBe(16);
  });

  it('unset, neither is written: the scenario keeps nginx’s default 1h for both', () => {
    const into = readNginx('http {\n  upstream app { server 127.0.0.1:3000; keepalive 4; }\n}\n');
    expect(into.values.map((v) => v.path.join('.'))).not.toContain('nginx.keepalive_time');
    expect(into.values.map((v) => v.path.join('.'))).not.toContain('nginx.upstream_keepalive_time');
  });

  it('a time nginx refuses is an error: drainsim import exits 2, names the line, writes no scenario', () => {
    for (const [client, upstream, line, bad] of [
      [
        '5x',
        '1h',
        3,
        "http › keepalive_time: expected a time (numbers with units w d h m s ms, in that order, each once; a bare last number is seconds; at most 2^63 − 1 ms), found '5x'",
      ],
      [
        '1h',
        '1y',
        7,
        "http › upstream › keepalive_time: expected a time (numbers with units w d h m s ms, in that order, each once; a bare last number is seconds; at most 2^63 − 1 ms), found '1y'",
      ],
      [
        '30s1m',
        '1h',
        3,
        "http › keepalive_time: expected a time (numbers with units w d h m s ms, in that order, each once; a bare last number is seconds; at most 2^63 − 1 ms), found '30s1m'",
      ],
    ] as const) {
      const r = importAndValidate([writeTemp('nginx.conf', conf(client, upstream))]);
      expect(r.importCode, bad).toBe(2);
      expect(r.scenario).toBe('');
      expect(readNginx(conf(client, upstream)).errors).toEqual([
        `n.conf:${line}: ${bad} — nginx refuses it ("keepalive_time" directive invalid value)`,
      ]);
    }
  });
});

describe("another server's keepalive_time", () => {
  it('nginx refuses an invalid one wherever it is written: exit 2, though its value is not imported', () => {
    // nginx -t (1.22.1) with the port-80 server's `keepalive_time 10x`: [emerg] "keepalive_time"
    // directive invalid value (ngx_conf_set_msec_slot parses every block's, imported or not).
    const text = (other: string) =>
      [
        'events { worker_connections 64; }',
        'http {',
        '  keepalive_time 1h;',
        '  server { listen 443; location / { proxy_pass http://127.0.0.1:8080; } }',
        `  server { listen 80; keepalive_time ${other}; return 301 https://example.com; }`,
        '}',
        '',
      ].join('\n');
    expect(readNginx(text('10x')).errors).toEqual([
      'n.conf:5: http › server › keepalive_time: expected a time (numbers with units w d h m s ms, in that order, each once; a bare last number is seconds; at most 2^63 − 1 ms), found \'10x\' — nginx refuses it ("keepalive_time" directive invalid value)',
    ]);
    expect(readNginx(text('10s')).errors).toEqual([]);
  });
});

describe('nginxTime reads a time as ngx_parse_time(line, 0) does', () => {
  it.each([
    ['65', 65],
    ['75s', 75],
    ['500ms', 0.5],
    ['1h30m', 5400],
    ['1m 5s', 65],
    ['2w1d', 1296000],
    ['1m30', 90],
    // A last bare number after a unit is added as seconds, whatever the unit before it.
    ['5s 3', 8],
  ])('%s → %f s', (text, seconds) => {
    expect(nginxTime(text)).toBe(seconds);
  });

  it.each(['', 's', '5x', '1y', '1M', '30s1m', '1h1h', '1ms1s', '5s 3 '])('%j is refused (NGX_ERROR)', (text) => {
    expect(nginxTime(text)).toBeNull();
  });
});
