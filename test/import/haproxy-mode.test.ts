/**
 * Proxy modes as HAProxy 2.6 checks them before it starts (imp31): an http frontend routing to a
 * tcp backend (default_backend or a static use_backend) is fatal — a tcp frontend may use an http
 * backend, which upgrades the stream (check_config_validity(), v2.6.0 src/cfgparse.c); `mode`
 * other than http or tcp is fatal (cfg_parse_listen(), src/cfgparse-listen.c). Before session
 * 31 the importer read such a file into a scenario HAProxy could never run.
 *
 * The real `haproxy -c -f` (2.6.12) on each config below, verbatim (file m.cfg):
 *   fe http, be tcp → "[ALERT] … http frontend 'fe' (m.cfg:5) tries to use incompatible tcp backend
 *                      'be' (m.cfg:9) as its default backend (see 'mode')." "Fatal errors found in configuration."
 *   fe tcp, be http → "Configuration file is valid"
 *   fe http, be with no mode line → the same alert as fe http, be tcp
 *   use_backend be (tcp) from an http frontend → "… tries to use incompatible tcp backend 'be' (u.cfg:10) in a
 *                      'use_backend' rule (see 'mode')."
 *   defaults `mode health` → "[ALERT] … parsing [h.cfg:2] : 'mode health' doesn't exist anymore. …"
 *   default_backend nope (no such section) → "[ALERT] … Proxy 'fe': unable to find required default_backend: 'nope'."
 */
import { describe, expect, it } from 'vitest';
import { importAndValidate, writeTemp } from './import-helpers.js';
import { importCfg as read, valueAt as value } from './read-fixture.js';

const timeouts = ['defaults', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];
const cfg = (fe: string, be: string) =>
  [
    ...timeouts,
    'frontend fe',
    `  mode ${fe}`,
    '  bind 127.0.0.1:18080',
    '  default_backend be',
    'backend be',
    `  mode ${be}`,
    '  server a 127.0.0.1:8080',
    '',
  ].join('\n');

describe('haproxy.cfg frontend and backend modes', () => {
  it('an http frontend using a tcp backend is refused: file, line, path, expected, found', () => {
    const into = read(cfg('http', 'tcp'));
    expect(into.errors).toEqual([
      "h.cfg:8: frontend fe › default_backend be: expected a backend in mode http, the frontend's (h.cfg:5), found backend be in mode tcp (h.cfg:9) — HAProxy refuses it: \"http frontend 'fe' tries to use incompatible tcp backend 'be' as its default backend (see 'mode')\"",
    ]);
    const run = importAndValidate([writeTemp('haproxy.cfg', cfg('http', 'tcp'))]);
    expect(run.importCode).toBe(2);
    expect(run.warnings).toContain('haproxy.cfg:8: frontend fe › default_backend be: expected a backend in mode http');
  });

  it('a tcp frontend using an http backend is valid (HAProxy upgrades the stream), as is one mode', () => {
    expect(read(cfg('tcp', 'http')).errors).toEqual([]);
    const same = read(cfg('http', 'http'));
    expect(same.errors).toEqual([]);
    expect(value(same, 'lb.mode')).toBe('l7');
  });

  it("a backend with no mode line is tcp (HAProxy's preset): an http frontend using it is refused", () => {
    // proxy_preset_defaults() (v2.6.0 src/proxy.c): defproxy->mode = PR_MODE_TCP. haproxy -c
    // (2.6.12): "http frontend 'fe' (nomode.cfg:5) tries to use incompatible tcp backend 'be'
    // (nomode.cfg:9) as its default backend (see 'mode')."
    const text = [...timeouts, 'frontend fe', '  mode http', '  bind 127.0.0.1:18080', '  default_backend be'];
    const noMode = [...text, 'backend be', '  server a 127.0.0.1:8080', ''].join('\n');
    expect(read(noMode).errors).toEqual([
      "h.cfg:8: frontend fe › default_backend be: expected a backend in mode http, the frontend's (h.cfg:5), found backend be in mode tcp (h.cfg:9) — HAProxy refuses it: \"http frontend 'fe' tries to use incompatible tcp backend 'be' as its default backend (see 'mode')\"",
    ]);
  });

  it("a mode inherited from the defaults counts, and a use_backend rule's backend is checked too", () => {
    const text = [
      ...timeouts,
      '  mode http',
      'frontend fe',
      '  bind 127.0.0.1:18080',
      '  use_backend be if { path_beg /x }',
      '  default_backend be2',
      'backend be',
      '  mode tcp',
      '  server a 127.0.0.1:8080',
      'backend be2',
      '  server b 127.0.0.1:8081',
      '',
    ].join('\n');
    expect(read(text).errors.join('\n')).toContain(
      "h.cfg:8: frontend fe › use_backend be: expected a backend in mode http, the frontend's (h.cfg:6), found backend be in mode tcp (h.cfg:10)",
    );
  });

  it('`mode health` and an unknown mode are refused', () => {
    expect(read(cfg('health', 'http')).errors).toEqual([
      "h.cfg:6: frontend fe › mode: expected http or tcp, found 'health' — HAProxy refuses it: \"'mode health' doesn't exist anymore\"",
    ]);
    expect(read(cfg('http', 'htpp')).errors.join('\n')).toContain(
      "h.cfg:10: backend be › mode: expected http or tcp, found 'htpp' — HAProxy refuses it: \"unknown proxy mode 'htpp'\"",
    );
  });

  it('a default_backend no section has is refused', () => {
    const text = [
      ...timeouts,
      '  mode http',
      'frontend fe',
      '  default_backend nope',
      'backend be',
      '  server a 127.0.0.1:8080',
      '',
    ];
    expect(read(text.join('\n')).errors).toEqual([
      "h.cfg:7: frontend fe › default_backend nope: expected the name of a backend or listen section, found 'nope', which no section has — HAProxy refuses it: \"Proxy 'fe': unable to find required default_backend: 'nope'\"",
    ]);
  });
});
