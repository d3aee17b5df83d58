/**
 * haproxy.cfg keys the scenario has that `drainsim import` dropped or called "not modelled"
 * (review30 #4): global `nbthread` (lb.nbthread, modelled for mode tcp), global
 * `hard-stop-after` (lb.hard_stop_after), and server `maxconn` written on `default-server`,
 * which every later server line inherits (srv_settings_cpy(), src/server.c).
 */
import { describe, expect, it } from 'vitest';
import { fixture, importAndValidate } from './import-helpers.js';
import { besidesConnect, importCfg as read } from './read-fixture.js';

const cfg = (mode: string, backend: string) =>
  `global\n  nbthread 4\n  hard-stop-after 30m\ndefaults\n  mode ${mode}\nbackend be\n${backend}`;

describe('haproxy.cfg global nbthread and hard-stop-after', () => {
  it('mode tcp: nbthread 4 → lb.nbthread 4, hard-stop-after 30m → lb.hard_stop_after 30m, no warning', () => {
    const into = read(cfg('tcp', '  server a 10.0.0.1:80\n'));
    const text = into.render('');
    expect(text).toContain('nbthread: 4 # from h.cfg:2');
    expect(text).toContain('hard_stop_after: 30m # from h.cfg:3');
    expect(besidesConnect(into.warnings)).toEqual([]);
  });

  it('mode http: hard-stop-after imported, nbthread a warning saying why (lb.nbthread needs lb.mode l4)', () => {
    const into = read(cfg('http', '  server a 10.0.0.1:80\n'));
    const text = into.render('');
    expect(text).toContain('hard_stop_after: 30m # from h.cfg:3');
    expect(text).not.toContain('nbthread:');
    expect(besidesConnect(into.warnings)).toEqual([
      'h.cfg:2: nbthread 4 not modelled for mode http: lb.nbthread is the threads of an L4 proxy (mode tcp, lb.mode l4) ending TLS, not imported',
    ]);
  });

  it('the reviewer’s haproxy.cfg: both read, the scenario valid', () => {
    const got = importAndValidate([fixture('haproxy-l7.cfg')]);
    expect(got.validateCode).toBe(0);
    expect(got.scenario).toContain('hard_stop_after: 30m # from haproxy-l7.cfg:9');
    expect(got.warnings).not.toContain("'hard-stop-after' not modelled");
    expect(got.warnings).toContain('haproxy-l7.cfg:8: nbthread 4 not modelled for mode http');
  });
});

describe('haproxy.cfg default-server maxconn', () => {
  it('applies to every later server: lb.maxconn from the default-server line, no "some servers only" warning', () => {
    const into = read(
      cfg('http', '  default-server inter 3s maxconn 200\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80\n'),
    );
    expect(into.render('')).toContain('maxconn: 200 # from h.cfg:7');
    expect(into.warnings.filter((w) => w.includes('maxconn'))).toEqual([]);
  });

  it("a server's own maxconn overrides the default; servers before the default-server line have none", () => {
    const own = read(
      cfg('http', '  default-server maxconn 200\n  server a 10.0.0.1:80\n  server b 10.0.0.2:80 maxconn 50\n'),
    );
    expect(own.warnings).toContain(
      'h.cfg:7: server maxconn differs between servers: lb.maxconn is one value for every server, not imported',
    );
    const before = read(cfg('http', '  server a 10.0.0.1:80\n  default-server maxconn 200\n  server b 10.0.0.2:80\n'));
    expect(before.warnings).toContain(
      'h.cfg:8: server maxconn is set on some servers only: lb.maxconn applies to every server',
    );
  });

  it('default-server maxqueue with it: lb.maxqueue', () => {
    const into = read(cfg('tcp', '  default-server maxconn 20 maxqueue 5\n  server a 10.0.0.1:80\n'));
    expect(into.render('')).toContain('maxqueue: 5 # from h.cfg:7');
    expect(into.warnings.filter((w) => w.includes('max'))).toEqual([]);
  });
});
