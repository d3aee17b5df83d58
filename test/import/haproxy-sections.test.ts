/**
 * haproxy.cfg read as HAProxy 2.6 builds the pool's proxy (imp30): the lines of the defaults
 * section it inherits — the last one before it, or `from <name>` — then its own; a new `defaults`
 * starts afresh (cfg_parse_listen(), v2.6.0 src/cfgparse-listen.c: `curr_defproxy = NULL` on
 * "defaults", `curr_defproxy = last_defproxy` for a proxy, proxy_find_by_name() for `from`); a
 * keyword the section has no capability for is ignored (proxy_parse_timeout(), src/proxy.c;
 * warnifnotcap()); the client-side timeouts are the routing frontend's. Each config's verdict of
 * the real `haproxy -c -f` (2.6.12) is recorded beside it. Before imp30 every line of every
 * section was read in file order, the last one winning.
 */
import { describe, expect, it } from 'vitest';
import { besidesConnect, importCfg as read, valueAt as value } from './read-fixture.js';

const timeouts = ['  mode http', '  timeout connect 5s', '  timeout client 30s', '  timeout server 30s'];
const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('haproxy.cfg defaults sections', () => {
  it('a new defaults section resets the previous one: its redispatch and timeout connect do not reach the backend', () => {
    // haproxy -c: "[WARNING] config : missing timeouts for backend 'be'" — timeout connect and
    // server of the first defaults are gone.
    const into = read(
      lines(
        'defaults',
        ...timeouts,
        '  option redispatch',
        'defaults',
        '  mode http',
        '  timeout client 30s',
        'backend be',
        '  server a 127.0.0.1:8080 check',
      ),
    );
    expect(value(into, 'lb.redispatch')).toBeUndefined();
    // No timeout connect reaches it: HAProxy's connects never time out (session 31: before, the
    // scenario's 5-s default applied without a word).
    expect(value(into, 'lb.connect_timeout')).toBe('infinite');
    expect(into.warnings.join('\n')).toContain("h.cfg:10: no `timeout connect`: HAProxy warns 'missing timeouts'");
    expect(value(into, 'lb.timeout_server')).toBeUndefined();
    expect(value(into, 'lb.timeout_client')).toBe('30s');
  });

  it('`backend be from A` takes defaults A, not the last one before it', () => {
    // haproxy -c: "Configuration file has no error but will not start (no listener)".
    const into = read(
      lines(
        'defaults A',
        ...timeouts.map((l) => l.replace('connect 5s', 'connect 1s')),
        '  retries 1',
        'defaults B',
        ...timeouts.map((l) => l.replace('connect 5s', 'connect 9s')),
        'backend be from A',
        '  server a 127.0.0.1:8080 check',
      ),
    );
    expect(into.errors).toEqual([]);
    expect(value(into, 'lb.connect_timeout')).toBe('1s');
    expect(value(into, 'lb.retries')).toBe(1);
    expect(into.render('')).toContain('connect_timeout: 1s # from h.cfg:3');
  });

  it('a defaults section after the backend does not change it', () => {
    // haproxy -c: "Configuration file is valid".
    const into = read(
      lines(
        'defaults',
        ...timeouts,
        'backend be',
        '  server a 127.0.0.1:8080 check',
        'defaults',
        ...timeouts.map((l) => l.replace('connect 5s', 'connect 10s')),
        'frontend fe',
        '  bind 127.0.0.1:18080',
        '  default_backend be',
      ),
    );
    expect(value(into, 'lb.connect_timeout')).toBe('5s');
  });

  it('`from` naming no earlier defaults section is refused, as HAProxy does', () => {
    // haproxy -c: "defaults section 'nope' not found for backend 'be'." (ERR_ABORT).
    const into = read(lines('backend be from nope', '  server a 127.0.0.1:8080 check'));
    expect(into.errors.join('\n')).toContain(
      "h.cfg:1: backend be from nope: HAProxy refuses it (defaults section 'nope' not found)",
    );
  });
});

describe('haproxy.cfg frontend and backend capabilities', () => {
  // haproxy -c on this file (2.6.12), verbatim:
  //   [WARNING] parsing [fe.cfg:7] : 'timeout client' will be ignored because backend 'be' has no frontend capability
  //   [WARNING] parsing [fe.cfg:12] : 'balance' ignored because frontend 'fe' has no backend capability.
  //   [WARNING] parsing [fe.cfg:13] : 'timeout server' will be ignored because frontend 'fe' has no backend capability
  const cfg = lines(
    'defaults',
    ...timeouts,
    'backend be',
    '  timeout client 5s',
    '  balance roundrobin',
    '  server a 127.0.0.1:8080 check',
    'frontend fe',
    '  bind 127.0.0.1:18080',
    '  balance leastconn',
    '  timeout server 1s',
    '  default_backend be',
  );

  it("ignores a backend's timeout client and a frontend's balance and timeout server, with HAProxy's warnings", () => {
    const into = read(cfg);
    expect(value(into, 'lb.timeout_client')).toBe('30s');
    expect(value(into, 'lb.balance')).toBe('roundrobin');
    expect(value(into, 'lb.timeout_server')).toBe('30s');
    const warned = into.warnings.join('\n');
    expect(warned).toContain("h.cfg:7: 'timeout client' ignored by HAProxy here");
    expect(warned).toContain("h.cfg:12: 'balance leastconn' ignored by HAProxy here");
    expect(warned).toContain("h.cfg:13: 'timeout server' ignored by HAProxy here");
  });

  it("takes the client side from the frontend that routes to the pool, and that frontend's pool", () => {
    const into = read(
      lines(
        'defaults',
        ...timeouts,
        'backend static',
        '  server s 127.0.0.9:8080',
        'backend app',
        '  server a 127.0.0.1:8080',
        '  server b 127.0.0.2:8080',
        'frontend fe',
        '  bind 127.0.0.1:18080',
        '  timeout client 2m',
        '  use_backend static if { path_beg /static }',
        '  default_backend app',
      ),
    );
    into.settle();
    expect((value(into, 'backends') as { name: string }[]).map((s) => s.name)).toEqual(['a', 'b']);
    expect(value(into, 'lb.timeout_client')).toBe('2m');
    expect(into.warnings.join('\n')).toContain("h.cfg:6: another backend 'static'");
  });

  it('a frontend that reaches the pool only by `use_backend … if` is its client side too (routedTo)', () => {
    // A use_backend rule routes the frontend's matching requests to the pool as default_backend
    // routes the rest (cfg_parse_listen(), src/cfgparse-listen.c: both add a switching rule / the
    // default); the pool's clients then meet this frontend's timeout client, not the defaults'.
    const into = read(
      lines(
        'defaults',
        ...timeouts,
        'backend app',
        '  server a 127.0.0.1:8080',
        'frontend fe',
        '  bind 127.0.0.1:18080',
        '  timeout client 7s',
        '  use_backend app if { path_beg /api }',
      ),
    );
    into.settle();
    expect(value(into, 'lb.timeout_client')).toBe('7s');
  });
});

describe('haproxy.cfg server check, backup, disabled', () => {
  const backend = (...servers: string[]) => lines('defaults', ...timeouts, 'backend be', ...servers);

  it('servers with `check` and no check setting are checked (tcp, the defaults); without `check` nothing is', () => {
    const checked = read(backend('  server a 127.0.0.1:8080 check', '  server b 127.0.0.2:8080 check'));
    expect(value(checked, 'health_check.type')).toBe('tcp');
    const unchecked = read(
      backend('  timeout check 2s', '  server a 127.0.0.1:8080 inter 1s', '  server b 127.0.0.2:8080 inter 1s'),
    );
    expect(unchecked.values.filter((v) => v.path[0] === 'health_check')).toEqual([]);
    expect(unchecked.warnings.join('\n')).toContain('no server has `check`: HAProxy runs no health check');
  });

  it('check settings that differ between servers are a warning, not the last server’s', () => {
    const into = read(backend('  server a 127.0.0.1:8080 check inter 2s', '  server b 127.0.0.2:8080 check inter 5s'));
    expect(value(into, 'health_check.inter')).toBeUndefined();
    expect(into.warnings.join('\n')).toContain('server inter differs between servers (a 2s, b 5s)');
    // The same time written two ways is one value.
    const same = read(
      backend('  server a 127.0.0.1:8080 check inter 2s', '  server b 127.0.0.2:8080 check inter 2000'),
    );
    expect(value(same, 'health_check.inter')).toBe('2s');
  });

  it('a backup server is no backend of the pool; a disabled one starts in maint; on-marked-down is read', () => {
    // haproxy -c: "Configuration file has no error but will not start (no listener)".
    const into = read(
      backend(
        '  server a 127.0.0.1:8080 check on-marked-down shutdown-sessions',
        '  server b 127.0.0.2:8080 check disabled',
        '  server c 127.0.0.3:8080 check backup',
      ),
    );
    into.settle();
    expect(value(into, 'backends')).toEqual([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1, state: 'maint' },
    ]);
    expect(into.warnings.join('\n')).toContain('h.cfg:9: server c backup: not imported');
    expect(value(into, 'health_check.on_marked_down')).toBe('shutdown-sessions');
  });
});

describe('haproxy.cfg default-server backup / disabled undone on a server line', () => {
  it("`no-backup` and `enabled` on a server line undo the default-server's backup and disabled", () => {
    // src/server.c: srv_parse_no_backup() clears SRV_F_BACKUP, srv_parse_enabled() clears
    // SRV_ADMF_CMAINT and sets SRV_ST_RUNNING, each after the default-server's settings were copied
    // (srv_settings_cpy()). So a is an active, running server of the pool; b stays a backup, c in maint.
    const into = read(
      lines(
        'defaults',
        ...timeouts,
        'backend be',
        '  default-server check backup disabled',
        '  server a 127.0.0.1:8080 no-backup enabled',
        '  server b 127.0.0.2:8080',
        '  server c 127.0.0.3:8080 no-backup',
      ),
    );
    into.settle();
    expect(value(into, 'backends')).toEqual([
      { name: 'a', weight: 1 },
      { name: 'c', weight: 1, state: 'maint' },
    ]);
    expect(into.warnings.join('\n')).toContain('server b backup: not imported');
  });
});

describe('haproxy.cfg option redispatch', () => {
  it('`option redispatch <interval>` sets lb.redispatch_interval (cfg_parse_listen(): redispatch_after = atol())', () => {
    const into = read(lines('backend be', '  retries 3', '  option redispatch 1', '  server a 127.0.0.1:8080'));
    expect(value(into, 'lb.redispatch')).toBe(true);
    expect(value(into, 'lb.redispatch_interval')).toBe(1);
  });

  it("`no option redispatch` in the backend turns the defaults' option off", () => {
    // haproxy -c: "Configuration file has no error but will not start (no listener)".
    const into = read(
      lines(
        'defaults',
        ...timeouts,
        '  option redispatch',
        'backend be',
        '  no option redispatch',
        '  server a 127.0.0.1:8080',
      ),
    );
    expect(value(into, 'lb.redispatch')).toBeUndefined();
    expect(besidesConnect(into.warnings)).toEqual([]);
  });
});

describe('haproxy.cfg times (parse_time_err(), v2.6.0 src/tools.c)', () => {
  it('refuses a decimal, as HAProxy does; reads a unit followed by junk; rounds microseconds up to 1 ms', () => {
    // haproxy -c: "[ALERT] parsing [dec.cfg:3] : unexpected character '.' in 'timeout connect'" and
    // "'server be/a' : unexpected character '.' in 'agent-inter' argument of server a.." (fatal);
    // `timeout connect 5sx`: "[WARNING] unexpected character 'x' after the timer value '5sx'".
    const dec = read(lines('backend be', '  timeout connect 1.5s', '  server a 127.0.0.1:8080 check inter 1.5s'));
    expect(dec.errors.join('\n')).toContain('h.cfg:2: timeout connect 1.5s: HAProxy refuses it');
    expect(dec.errors.join('\n')).toContain('h.cfg:3: inter 1.5s: HAProxy refuses it');
    const junk = read(
      lines('backend be', '  timeout connect 5sx', '  timeout server 100us', '  server a 127.0.0.1:8080'),
    );
    expect(junk.errors).toEqual([]);
    expect(value(junk, 'lb.connect_timeout')).toBe('5s');
    expect(value(junk, 'lb.timeout_server')).toBe('1ms');
  });
});
