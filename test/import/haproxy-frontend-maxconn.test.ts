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

  // Mutation audit round 11 (session 35): the cases the three above left open.
  it("a line read twice: the last one is the frontend's (each overwrites curproxy->maxconn)", () => {
    const text = read(cfg('', '', '  maxconn 10\n  maxconn 20\n  backlog 5\n  backlog 7\n')).render('');
    expect(text).toContain('frontend_maxconn: 20 # from h.cfg:8');
    expect(text).toContain('frontend_backlog: 7 # from h.cfg:10');
  });

  it("a frontend's maxconn 0 is no limit of its own: global maxconn is the frontend's", () => {
    // cfg_parse_listen() stores 0; proxy_adjust_all_maxconn() then takes global.maxconn.
    expect(read(cfg('  maxconn 50\n', '', '  maxconn 0\n')).render('')).toContain(
      'frontend_maxconn: 50 # from h.cfg:2',
    );
  });

  it('equal frontend and global maxconn: cited from the frontend line', () => {
    expect(read(cfg('  maxconn 100\n', '', '  maxconn 100\n')).render('')).toContain(
      'frontend_maxconn: 100 # from h.cfg:8',
    );
  });

  it("a listen section's own maxconn and backlog are its frontend's", () => {
    const into = read(
      'global\n  maxconn 1000\nlisten ls\n  mode http\n  timeout connect 5s\n  bind :80\n  maxconn 30\n  backlog 5\n  server a 10.0.0.1:80\n',
    );
    const text = into.render('');
    expect(text).toContain('frontend_maxconn: 30 # from h.cfg:7');
    expect(text).toContain('frontend_backlog: 5 # from h.cfg:8');
  });
});
