/**
 * A haproxy.cfg with no `mode` line, in the pool's section or its defaults, runs in mode tcp:
 * HAProxy's preset (proxy_preset_defaults(), v2.6.0 src/proxy.c: `defproxy->mode = PR_MODE_TCP`).
 * Before imp31b the importer assumed http: such a file imported lb.http_reuse, lb.sticky cookie and
 * the other HTTP settings with lb.mode left unset (the scenario's l4), a scenario `drainsim
 * validate` refused; with a Deployment beside it, the balancer became kube-proxy's NAT.
 *
 * The real `haproxy -c -f` (2.6.12) on `cfg(...)` below, verbatim:
 *   no mode   → "cookie will be ignored for backend 'be' (needs 'mode http')."
 *               "'option forwardfor' ignored for backend 'be' as it requires HTTP mode."
 *               "backend 'be' : ignoring cookie for server 'a' as HTTP mode is disabled." (and 'b')
 *               "Configuration file is valid"
 *   mode tcp  → the same warnings, "Configuration file is valid"
 *   mode http in the defaults → "Configuration file is valid" (no warning)
 */
import { describe, expect, it } from 'vitest';
import { fixture, importAndValidate, writeTemp } from './import-helpers.js';
import { importCfg as read, valueAt as value } from './read-fixture.js';

const cfg = (mode: { defaults?: string; backend?: string } = {}) =>
  [
    'global',
    '  stats socket /tmp/s.sock',
    'defaults',
    ...(mode.defaults === undefined ? [] : [`  mode ${mode.defaults}`]),
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    'backend be',
    ...(mode.backend === undefined ? [] : [`  mode ${mode.backend}`]),
    '  http-reuse always',
    '  cookie SRV insert',
    '  option forwardfor',
    '  server a 127.0.0.1:8080 cookie a',
    '  server b 127.0.0.1:8081 cookie b',
    'frontend fe',
    '  bind 127.0.0.1:18080',
    '  default_backend be',
    '',
  ].join('\n');

describe('haproxy.cfg without a mode line', () => {
  it('is mode tcp, as HAProxy runs it: lb.mode l4, its HTTP settings not imported, said in a warning', () => {
    const into = read(cfg());
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.mode')).toBe('l4');
    expect(into.render('')).toContain('mode: l4 # from h.cfg:8');
    expect(value(into, 'lb.http_reuse')).toBeUndefined();
    expect(value(into, 'lb.sticky')).toBeUndefined();
    expect(value(into, 'lb.http_keep_alive_timeout')).toBeUndefined();
    const said = into.warnings.join('\n');
    expect(said).toContain(
      "h.cfg:8: backend be has no 'mode' line (nor its defaults): HAProxy runs it in mode tcp, its default (proxy_preset_defaults(), src/proxy.c), and ignores its HTTP settings (h.cfg:7 timeout http-keep-alive, h.cfg:9 http-reuse always, h.cfg:10 cookie SRV, h.cfg:11 option forwardfor): lb.mode l4 imported; write `mode http` for lb.mode l7",
    );
    expect(said).toContain(
      'h.cfg:10: lb.sticky cookie not imported: HAProxy ignores the cookie in mode tcp ("cookie will be ignored … (needs \'mode http\')")',
    );
    // The scenario it writes loads (before: lb.http_reuse and lb.sticky cookie with lb.mode l4, refused).
    const run = importAndValidate([writeTemp('haproxy.cfg', cfg())]);
    expect(run.importCode).toBe(0);
    expect(run.validateCode).toBe(0);
  });

  it('stays the balancer beside a Deployment (lb.mode l4, not kube-proxy NAT)', () => {
    const run = importAndValidate([writeTemp('haproxy.cfg', cfg()), fixture('deploy.yaml')]);
    expect(run.importCode).toBe(0);
    expect(run.scenario).toContain('mode: l4 # from');
    expect(run.scenario).not.toContain('mode: nat');
  });

  it('written mode tcp drops the cookie too (HAProxy ignores it); mode http in the defaults keeps it all, no warning', () => {
    const tcp = read(cfg({ backend: 'tcp' }));
    expect(value(tcp, 'lb.mode')).toBe('l4');
    expect(value(tcp, 'lb.sticky')).toBeUndefined();
    expect(tcp.warnings.join('\n')).not.toContain("no 'mode' line");
    const http = read(cfg({ defaults: 'http' }));
    expect(http.errors).toEqual([]);
    expect(http.warnings).toEqual([]);
    expect(value(http, 'lb.mode')).toBe('l7');
    expect(value(http, 'lb.sticky')).toBe('cookie');
    expect(value(http, 'lb.http_reuse')).toBe('always');
  });
});
