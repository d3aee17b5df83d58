/**
 * haproxy.cfg `maxconn` in global, defaults and frontend, and `backlog` (session 34, maxconn34):
 * the balancer's own connection limit, lb.frontend_maxconn — the frontend's maxconn (own line or its
 * defaults'; cfg_parse_listen(), v2.6.0 src/cfgparse-listen.c), else global maxconn
 * (proxy_adjust_all_maxconn(), src/proxy.c), never above global maxconn (listener_accept(),
 * src/listener.c: actconn) — and lb.frontend_backlog (listener_backlog()). Before, every `maxconn`
 * outside a server line was read and dropped without a word, `backlog` called "not modelled".
 */
import { describe, expect, it } from 'vitest';
import { besidesConnect, importCfg as read } from './read-fixture.js';

const cfg = (global: string, defaults: string, frontend: string) =>
  `global\n${global}defaults\n  mode http\n  timeout connect 5s\n${defaults}frontend fe\n  bind :80\n${frontend}  default_backend be\nbackend be\n  server a 10.0.0.1:80\n`;

describe('haproxy.cfg maxconn of the frontend', () => {
  it("the frontend's own maxconn below global's: lb.frontend_maxconn from the frontend line, its backlog too", () => {
    const into = read(cfg('  maxconn 1000\n', '', '  maxconn 10\n  backlog 64\n'));
    const text = into.render('');
    expect(text).toContain('frontend_maxconn: 10 # from h.cfg:8');
    expect(text).toContain('frontend_backlog: 64 # from h.cfg:9');
    expect(besidesConnect(into.warnings)).toEqual([]);
  });

  it("a defaults maxconn is the frontend's; global maxconn caps it", () => {
    expect(read(cfg('', '  maxconn 300\n', '')).render('')).toContain('frontend_maxconn: 300 # from h.cfg:5');
    expect(read(cfg('  maxconn 200\n', '  maxconn 300\n', '')).render('')).toContain(
      'frontend_maxconn: 200 # from h.cfg:2',
    );
  });

  it('global maxconn alone is the frontend’s; neither line: no limit imported', () => {
    expect(read(cfg('  maxconn 50\n', '', '')).render('')).toContain('frontend_maxconn: 50 # from h.cfg:2');
    expect(read(cfg('', '', '')).render('')).not.toContain('frontend_maxconn');
  });
});
