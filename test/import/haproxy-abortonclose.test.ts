/**
 * `drainsim import` reads haproxy.cfg's `option abortonclose` / `no option abortonclose` into
 * lb.abortonclose as HAProxy 2.6.12 acts on the pool's traffic (sim/import/haproxy-cfg.ts
 * abortOnClose()): in mode http the option works only when the frontend has it too — from its
 * defaults, or a listen — because v2.6 src/stconn.c sc_conn_recv() asks the H1 mux to keep reading
 * a request received whole only if the stream's `be` (still the frontend) has it (fixed upstream by
 * 5ff7d2276, haproxy/haproxy#2344). A backend-only option is what held-out round 26 recorded as
 * ineffective (59 aborted requests served, as without it): false, with a warning naming its line.
 * Each input's real `haproxy -c -f` (2.6.12) verdict is recorded beside it (the files with
 * `bind 127.0.0.1:18080` added).
 */
import { describe, expect, it } from 'vitest';
import { importCfg, valueAt as value } from './read-fixture.js';

const cfg = (defaults: string[], front: string[], back: string[], mode = 'http'): string =>
  [
    'defaults',
    `  mode ${mode}`,
    ...defaults.map((l) => `  ${l}`),
    '  timeout connect 5s',
    'frontend fe',
    ...front.map((l) => `  ${l}`),
    '  default_backend be',
    'backend be',
    ...back.map((l) => `  ${l}`),
    '  server a 10.0.0.1:80',
    '',
  ].join('\n');
const about = (warnings: string[]) => warnings.filter((w) => w.includes('abortonclose'));

describe('haproxy.cfg option abortonclose', () => {
  it('in defaults (frontend and backend both inherit it): lb.abortonclose true, from its line', () => {
    // haproxy -c: "Configuration file is valid".
    const into = importCfg(cfg(['option abortonclose'], [], []));
    expect(into.errors).toEqual([]);
    expect(about(into.warnings)).toEqual([]);
    expect(value(into, 'lb.abortonclose')).toBe(true);
    expect(into.render('')).toContain('abortonclose: true # from h.cfg:3');
  });

  it('in the backend only, mode http: false (ignored by 2.6.12 for a request received whole), with a warning naming the line', () => {
    // haproxy -c: "Configuration file is valid" (no warning: HAProxy accepts it and ignores it at run time).
    const into = importCfg(cfg([], [], ['option abortonclose']));
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.abortonclose')).toBe(false);
    const w = about(into.warnings);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('h.cfg:7');
    expect(w[0]).toContain('5ff7d2276');
    expect(w[0]).toContain('haproxy/haproxy#2344');
    expect(w[0]).toContain('lb.abortonclose false imported');
  });

  it("a frontend's own line is ignored by HAProxy: backend-only still, and that line is warned", () => {
    // haproxy -c: "[WARNING] config : parsing [c.cfg:8] : 'abortonclose' ignored because frontend
    // 'fe' has no backend capability." then "Configuration file is valid".
    const into = importCfg(cfg([], ['option abortonclose'], ['option abortonclose']));
    expect(value(into, 'lb.abortonclose')).toBe(false);
    const w = about(into.warnings).join('\n');
    expect(w).toContain(
      "h.cfg:5: 'option abortonclose' ignored by HAProxy here (a frontend has no backend capability)",
    );
    expect(w).toContain('h.cfg:8');
    expect(w).toContain('lb.abortonclose false imported');
  });

  it('`no option abortonclose` in the backend cancels the defaults: false, no warning', () => {
    // haproxy -c: "Configuration file is valid".
    const into = importCfg(cfg(['option abortonclose'], [], ['no option abortonclose']));
    expect(about(into.warnings)).toEqual([]);
    expect(value(into, 'lb.abortonclose')).toBe(false);
    expect(into.render('')).toContain('abortonclose: false # from h.cfg:8');
  });

  it('`no option abortonclose` in defaults, then the backend: backend-only again', () => {
    const into = importCfg(
      [
        'defaults',
        '  mode http',
        '  option abortonclose',
        '  no option abortonclose',
        '  timeout connect 5s',
        'frontend fe',
        '  default_backend be',
        'backend be',
        '  option abortonclose',
        '  server a 10.0.0.1:80',
        '',
      ].join('\n'),
    );
    expect(value(into, 'lb.abortonclose')).toBe(false);
    expect(about(into.warnings).join('\n')).toContain('h.cfg:9');
  });

  it('in a listen (its own frontend): true', () => {
    // haproxy -c: "Configuration file is valid".
    const into = importCfg(
      [
        'defaults',
        '  mode http',
        '  timeout connect 5s',
        'listen app',
        '  option abortonclose',
        '  server a 10.0.0.1:80',
        '',
      ].join('\n'),
    );
    expect(about(into.warnings)).toEqual([]);
    expect(value(into, 'lb.abortonclose')).toBe(true);
  });

  it('in the backend only, mode tcp: true (no H1 mux; the switched stream reads the backend)', () => {
    // haproxy -c: "Configuration file is valid". Not recorded against a running HAProxy (doubtful).
    const into = importCfg(cfg([], [], ['option abortonclose'], 'tcp'));
    expect(about(into.warnings)).toEqual([]);
    expect(value(into, 'lb.mode')).toBe('l4');
    expect(value(into, 'lb.abortonclose')).toBe(true);
  });

  it('in the backend only, no mode line anywhere (HAProxy runs mode tcp): true, as written in mode tcp', () => {
    // haproxy -c (2.6.12, with `bind 127.0.0.1:18080` and the three timeouts): "Configuration file
    // is valid". proxy_preset_defaults() leaves PR_MODE_TCP: no H1 mux, the backend's flag decides.
    const into = importCfg(
      [
        'defaults',
        '  timeout connect 5s',
        'frontend fe',
        '  default_backend be',
        'backend be',
        '  option abortonclose',
        '  server a 10.0.0.1:80',
        '',
      ].join('\n'),
    );
    expect(about(into.warnings)).toEqual([]);
    expect(value(into, 'lb.abortonclose')).toBe(true);
  });

  it('`no option abortonclose` in the backend only: false, with no warning (nothing was asked of HAProxy)', () => {
    // haproxy -c: "Configuration file is valid". The option's default is off: the line changes
    // nothing, and the backend-only warning is about an option that is on.
    const into = importCfg(cfg([], [], ['no option abortonclose']));
    expect(about(into.warnings)).toEqual([]);
    expect(value(into, 'lb.abortonclose')).toBe(false);
  });
});
