/**
 * haproxy.cfg → scenario values. HAProxy's configuration is line-oriented (src/cfgparse.c
 * readcfgfile(): one keyword and its arguments per line, `#` comments, sections opened by
 * `global`, `defaults`, `frontend`, `backend`, `listen`), so a small reader is exact for the
 * keywords it knows; every other keyword becomes a warning with its line.
 *
 * What one backend (the pool) runs with is read as HAProxy builds its proxy (cfg_parse_listen(),
 * v2.6.0 src/cfgparse-listen.c): the lines of the `defaults` section it inherits — the last one
 * before it, or the one `from <name>` names — then its own. A `defaults` section starts afresh
 * (HAProxy's presets, not the previous section's) unless it says `from <name>` itself. The
 * client side (timeout client, client-fin, http-request, http-keep-alive: the frontend's,
 * proxy_parse_timeout() PR_CAP_FE, src/proxy.c; src/mux_h1.c h1_set_idle_expiration() reads the
 * frontend's on a client connection) is read from the frontend that routes to the pool
 * (`default_backend` / `use_backend`), or the pool itself when it is a `listen`. Other sections
 * have no bearing on the pool and are not read.
 */
import { formatDuration } from '../scenario/units.js';
import { Imported } from './imported.js';

const SECTIONS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
  'userlist',
  'cache',
  'http-errors',
  'ring',
  'mailers',
  'program',
  'log-forward',
]);
/** Keywords with no bearing on what drainsim models: read and ignored without a warning. */
const HARMLESS = new Set([
  'log',
  'chroot',
  'stats',
  'user',
  'group',
  'daemon',
  'ca-base',
  'crt-base',
  'ssl-default-bind-ciphers',
  'ssl-default-bind-ciphersuites',
  'ssl-default-bind-options',
  'errorfile',
  'bind',
  'default_backend',
  'use_backend',
  'pidfile',
  'maxconn',
  'backlog',
  'option',
]);

/** One line of a section: its keyword, its arguments, `file:line`. */
interface CfgLine {
  keyword: string;
  args: string[];
  at: string;
}

/** A section: its kind (`backend`…), name, `from <defaults>` and lines. */
interface CfgSection {
  kind: string;
  name: string;
  from: string | null;
  at: string;
  lines: CfgLine[];
}

/** A line as the pool's proxy or its frontend gets it: written in the section itself, or inherited from its defaults. */
interface ReadLine extends CfgLine {
  inherited: boolean;
}

/** Timeouts only a proxy with the frontend capability uses (proxy_parse_timeout(), v2.6.0 src/proxy.c; http-request and http-keep-alive time the client connection, h1_set_idle_expiration()). */
const CLIENT_TIMEOUTS = new Set(['client', 'client-fin', 'http-keep-alive', 'http-request']);
/** Keywords of a backend's only (warnifnotcap(PR_CAP_BE) in cfg_parse_listen(), src/cfgparse-listen.c; `timeout` connect/server/… proxy_parse_timeout()). */
const BACKEND_ONLY = new Set([
  'balance',
  'hash-type',
  'retries',
  'server',
  'default-server',
  'cookie',
  'http-reuse',
  'stick',
  'http-check',
]);
const BACKEND_OPTIONS = new Set(['redispatch', 'persist', 'httpchk', 'abortonclose']);

function isClientSide(l: CfgLine): boolean {
  return l.keyword === 'timeout' && CLIENT_TIMEOUTS.has(l.args[0] ?? '');
}

function isBackendOnly(l: CfgLine): boolean {
  if (l.keyword === 'timeout') return !CLIENT_TIMEOUTS.has(l.args[0] ?? '') && l.args[0] !== 'tarpit';
  if (l.keyword === 'option' || (l.keyword === 'no' && l.args[0] === 'option'))
    return BACKEND_OPTIONS.has((l.keyword === 'no' ? l.args[1] : l.args[0]) ?? '');
  return BACKEND_ONLY.has(l.keyword);
}

/** The file's sections (global's lines apart), each with its header's `from <name>`. */
function readSections(text: string, file: string): { global: CfgLine[]; sections: CfgSection[] } {
  const global: CfgLine[] = [];
  const sections: CfgSection[] = [];
  let current: CfgSection | null = null;
  eachDirective(text, file, (keyword, args, at) => {
    if (SECTIONS.has(keyword)) {
      if (keyword === 'global') {
        current = null;
        sections.push({ kind: 'global', name: '', from: null, at, lines: [] });
        return;
      }
      // `defaults [<name>] [from <defaults>]`, `defaults from <defaults>`, `backend <name> [from <defaults>]`.
      const f = args.indexOf('from');
      const from = f >= 0 ? (args[f + 1] ?? null) : null;
      const name = f === 0 ? '' : (args[0] ?? '');
      current = { kind: keyword, name, from, at, lines: [] };
      sections.push(current);
      return;
    }
    const last = sections[sections.length - 1];
    if (last?.kind === 'global') global.push({ keyword, args, at });
    else if (current !== null) (current as CfgSection).lines.push({ keyword, args, at });
  });
  return { global, sections };
}

/**
 * The lines a section inherits: those of the defaults section `from <name>` names (an earlier one:
 * proxy_find_by_name() at parse time), else, for a frontend, backend or listen, those of the last
 * defaults section before it; a defaults section without `from` inherits nothing (curr_defproxy =
 * NULL: HAProxy's presets). A `from` naming no earlier defaults section is HAProxy's fatal
 * "defaults section '<name>' not found".
 */
function inheritedLines(sections: CfgSection[], index: number, into: Imported): ReadLine[] {
  const s = sections[index]!;
  let parent = -1;
  if (s.from !== null) {
    for (let j = index - 1; j >= 0; j--)
      if (sections[j]!.kind === 'defaults' && sections[j]!.name === s.from) {
        parent = j;
        break;
      }
    if (parent < 0) {
      into.fail(
        s.at,
        `${s.kind} ${s.name} from ${s.from}: HAProxy refuses it (defaults section '${s.from}' not found)`,
      );
      return [];
    }
  } else if (s.kind !== 'defaults')
    for (let j = index - 1; j >= 0; j--)
      if (sections[j]!.kind === 'defaults') {
        parent = j;
        break;
      }
  if (parent < 0) return [];
  return [...inheritedLines(sections, parent, into), ...sections[parent]!.lines].map((l) => ({
    ...l,
    inherited: true,
  }));
}

/**
 * The proxies' modes as HAProxy 2.6 checks them before it starts. `mode` takes one word, `http`
 * or `tcp`; `health` and any other word are fatal (cfg_parse_listen(), v2.6.0
 * src/cfgparse-listen.c: "'mode health' doesn't exist anymore", "unknown proxy mode"). A
 * proxy's mode is its last `mode` line, its defaults' included, else tcp (proxy_preset_defaults(),
 * src/proxy.c). A frontend (or listen) whose `default_backend` or static `use_backend` names a
 * backend of another mode is fatal — except a tcp frontend's http backend, which HAProxy upgrades
 * to (check_config_validity(), src/cfgparse.c: "tries to use incompatible tcp backend … (see
 * 'mode')"); so is a name no backend has ("unable to find required default_backend").
 */
function proxyModes(sections: CfgSection[], into: Imported): void {
  const label = (s: CfgSection) => `${s.kind}${s.name === '' ? '' : ` ${s.name}`}`;
  for (const s of sections)
    for (const l of s.lines)
      if (l.keyword === 'mode' && (l.args.length !== 1 || !['http', 'tcp'].includes(l.args[0]!)))
        into.refuse(l.at, {
          path: `${label(s)} › mode`,
          expected: 'http or tcp',
          found: l.args.length === 0 ? 'nothing' : `'${l.args.join(' ')}'`,
          why:
            l.args[0] === 'health' && l.args.length === 1
              ? "HAProxy refuses it: \"'mode health' doesn't exist anymore\""
              : l.args.length > 1
                ? `HAProxy refuses it: "'mode' cannot handle unexpected argument '${l.args[1]}'"`
                : `HAProxy refuses it: "unknown proxy mode '${l.args[0] ?? ''}'"`,
        });
  // inheritedLines() reports a missing `from` once, for the pool; here it is only read. A refused
  // `mode` line sets nothing (cfg_parse_listen() stops before the assignment).
  const quiet = new Imported();
  const modeOf = (i: number): string =>
    [...inheritedLines(sections, i, quiet), ...sections[i]!.lines]
      .filter((l) => l.keyword === 'mode' && l.args.length === 1 && ['http', 'tcp'].includes(l.args[0]!))
      .pop()?.args[0] ?? 'tcp';
  sections.forEach((fe, i) => {
    if (fe.kind !== 'frontend' && fe.kind !== 'listen') return;
    const feMode = modeOf(i);
    for (const l of fe.lines) {
      if (l.keyword !== 'default_backend' && l.keyword !== 'use_backend') continue;
      const name = l.args[0] ?? '';
      // A use_backend naming a log-format expression (`%[req.hdr(host)]`) is resolved per request.
      if (name.includes('%')) continue;
      const how = l.keyword === 'default_backend' ? 'as its default backend' : "in a 'use_backend' rule";
      const j = sections.findIndex((t) => (t.kind === 'backend' || t.kind === 'listen') && t.name === name);
      const path = `${label(fe)} › ${l.keyword} ${name}`;
      if (j < 0) {
        into.refuse(l.at, {
          path,
          expected: 'the name of a backend or listen section',
          found: `'${name}', which no section has`,
          why: `HAProxy refuses it: "Proxy '${fe.name}': unable to find required ${l.keyword}: '${name}'"`,
        });
        continue;
      }
      const beMode = modeOf(j);
      if (beMode !== feMode && !(feMode === 'tcp' && beMode === 'http'))
        into.refuse(l.at, {
          path,
          expected: `a backend in mode ${feMode}, the ${fe.kind}'s (${fe.at})`,
          found: `${label(sections[j]!)} in mode ${beMode} (${sections[j]!.at})`,
          why: `HAProxy refuses it: "${feMode} ${fe.kind} '${fe.name}' tries to use incompatible ${beMode} ${sections[j]!.kind} '${name}' ${how} (see 'mode')"`,
        });
    }
  });
}

/** Options HAProxy 2.6 drops outside mode http (cfg_opts/cfg_opts2 with PR_MODE_HTTP, src/proxy.c; forwardfor, originalto, check_config_validity(), src/cfgparse.c) or that only an HTTP stream uses (PR_O_HTTP_MODE, the log formats). */
const HTTP_OPTIONS = new Set([
  'forwardfor',
  'originalto',
  'httplog',
  'httpslog',
  'http-server-close',
  'http-keep-alive',
  'httpclose',
  'checkcache',
  'http-buffer-request',
  'http-ignore-probes',
  'idle-close-on-response',
  'prefer-last-server',
  'accept-invalid-http-request',
  'accept-invalid-http-response',
  'http-use-proxy-header',
  'http-pretend-keepalive',
  'http-no-delay',
]);

/**
 * A line HAProxy ignores in mode tcp: the HTTP rules and the cookie (warned by
 * check_config_validity(), src/cfgparse.c, and proxy_cfg_ensure_no_http(), src/proxy.c),
 * http-reuse (cleared there: `options &= ~PR_O_REUSE_MASK`), the HTTP options, and the timeouts of
 * an HTTP client connection (http-request, http-keep-alive: src/mux_h1.c, which a tcp stream has not).
 */
function httpOnly(keyword: string, args: string[]): boolean {
  if (
    ['cookie', 'http-request', 'http-response', 'http-after-response', 'redirect', 'http-reuse', 'capture'].includes(
      keyword,
    )
  )
    return true;
  if (keyword === 'option') return HTTP_OPTIONS.has(args[0] ?? '');
  if (keyword === 'timeout') return args[0] === 'http-request' || args[0] === 'http-keep-alive';
  return false;
}

/** The backend names a frontend's lines route to: `default_backend <b>`, `use_backend <b> [if …]`. */
function routedTo(lines: CfgLine[]): string[] {
  return lines
    .filter((l) => l.keyword === 'default_backend' || l.keyword === 'use_backend')
    .map((l) => l.args[0] ?? '');
}

/** Server keywords taking a value (src/server.c srv_kws, src/check.c): the word after them is no flag. */
const SERVER_VALUE_KEYWORDS = new Set([
  'addr',
  'agent-addr',
  'agent-inter',
  'agent-port',
  'agent-send',
  'alpn',
  'ca-file',
  'check-alpn',
  'check-proto',
  'check-sni',
  'ciphers',
  'ciphersuites',
  'cookie',
  'crl-file',
  'crt',
  'downinter',
  'error-limit',
  'fall',
  'fastinter',
  'id',
  'init-addr',
  'inter',
  'log-proto',
  'max-reuse',
  'maxconn',
  'maxqueue',
  'minconn',
  'namespace',
  'npn',
  'observe',
  'on-error',
  'on-marked-down',
  'on-marked-up',
  'pool-low-conn',
  'pool-max-conn',
  'pool-purge-delay',
  'port',
  'proto',
  'proxy-v2-options',
  'redir',
  'resolve-net',
  'resolve-opts',
  'resolve-prefer',
  'resolvers',
  'rise',
  'shard',
  'slowstart',
  'sni',
  'socks4',
  'source',
  'ssl-max-ver',
  'ssl-min-ver',
  'tcp-ut',
  'track',
  'verify',
  'verifyhost',
  'weight',
  'ws',
]);

/** A server or default-server line's settings: keyword → its value, or true for a flag (`check`, `backup`). */
function serverSettings(args: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const k = args[i]!;
    if (SERVER_VALUE_KEYWORDS.has(k)) out.set(k, args[++i] ?? '');
    else out.set(k, true);
  }
  return out;
}

/**
 * Server keywords that change what a server does in a drain and that the model does not follow:
 * warned, naming the server line.
 */
const SERVER_UNMODELLED: Record<string, string> = {
  port: 'checks go to another port than the traffic (the model checks the app on its own listener)',
  addr: 'checks go to another address than the traffic (the model checks the app on its own listener)',
  'agent-check': "an agent's answers change the server's weight and state (not modelled)",
  track: "the server follows another server's check state (not modelled)",
  observe: 'live traffic errors count as failed checks (not modelled)',
  'on-error': 'what live traffic errors do (not modelled)',
  'on-marked-up': 'what happens at UP (not modelled)',
  minconn: 'a dynamic maxconn (not modelled)',
};

export function importHaproxy(text: string, file: string, into: Imported): void {
  const servers: { name: string; weight: number; state?: string }[] = [];
  let persistAt: string | null = null;
  let cookie = false;
  let cookieAt: string | null = null;
  // `stick on src` (or `stick match src` + `stick store-request src`) with an ip stick-table:
  // lb.sticky source, applied at the end (a cookie, checked first by HAProxy, wins).
  const stick: StickLines = { match: null, store: null, table: null, tableName: null, pool: '' };
  // Every stick table by the name a stick rule's `table <name>` finds it by, and the backends that
  // only hold a table some stick rule names (not the pool).
  const tables = declaredTables(text, file);
  // `option httpchk` seen, and where `http-check disable-on-404` was (applied once the check type is known).
  let httpchk = false;
  let disableOn404At: string | null = null;
  // Settings drainsim models for a proxy (mode tcp: lb.mode l4, mode http: l7), not for other
  // modes: applied once the final mode is known. http-keep-alive is for mode http only.
  // nbthread is modelled for mode tcp only (tcpOnly).
  const proxyOnly: {
    path: string[];
    value: unknown;
    at: string;
    what: string;
    httpOnly?: boolean;
    tcpOnly?: boolean;
  }[] = [];
  // `default-server` settings every later server line inherits unless it sets its own (srv_settings_cpy(), src/server.c).
  let serverDefaults = new Map<string, { value: string | true; at: string }>();
  // Each server's check settings (its own or the default-server's), to import the ones every server shares.
  const checkSettings: {
    name: string;
    at: string;
    get: (key: string) => { value: string | true; at: string } | null;
  }[] = [];
  // A proxy with no `mode` line, in its section or its defaults, runs in mode tcp: HAProxy's
  // preset (proxy_preset_defaults(), v2.6.0 src/proxy.c: `defproxy->mode = PR_MODE_TCP`, copied
  // into every proxy by init_new_proxy()/proxy_cfg_ensure_no_http()'s callers). modeAt: the line
  // that set it, null when none did.
  let mode = 'tcp';
  let modeAt: string | null = null;
  // The lines of HTTP settings HAProxy drops in mode tcp (check_config_validity(), src/cfgparse.c;
  // proxy_cfg_ensure_no_http(), src/proxy.c), said when no `mode` line made the proxy tcp.
  const httpLines: string[] = [];
  const { global, sections } = readSections(text, file);
  proxyModes(sections, into);

  for (const { keyword, args, at } of global) {
    const seconds = keyword === 'hard-stop-after' ? time(args[0], `hard-stop-after ${args[0] ?? ''}`, at, into) : null;
    if (keyword === 'nbthread' && /^[1-9]\d*$/.test(args[0] ?? ''))
      proxyOnly.push({ path: ['lb', 'nbthread'], value: Number(args[0]), at, what: 'nbthread', tcpOnly: true });
    else if (seconds !== null)
      proxyOnly.push({
        path: ['lb', 'hard_stop_after'],
        value: formatDuration(seconds),
        at,
        what: 'hard-stop-after',
      });
    else if (keyword !== 'hard-stop-after' && !HARMLESS.has(keyword)) into.warn(at, `global '${keyword}' not modelled`);
  }

  // The pool: a backend or listen with servers (not one that only holds a stick table), the one
  // the first routing frontend names if there are several, else the first.
  const proxies = sections
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => ['frontend', 'backend', 'listen'].includes(s.kind));
  const pools = proxies.filter(({ s }) => s.kind !== 'frontend' && !tables.holders.has(s.name));
  const withServers = pools.filter(({ s }) => s.lines.some((l) => l.keyword === 'server'));
  const fullLines = (i: number): ReadLine[] => [
    ...inheritedLines(sections, i, into),
    ...sections[i]!.lines.map((l) => ({ ...l, inherited: false })),
  ];
  const frontends = proxies.filter(({ s }) => s.kind === 'frontend').map((p) => ({ ...p, lines: fullLines(p.i) }));
  // A frontend's default_backend before any conditional use_backend: where its traffic goes unless a rule says otherwise.
  const servesBy = (keyword: string) =>
    frontends
      .flatMap((f) => f.lines.filter((l) => l.keyword === keyword).map((l) => l.args[0] ?? ''))
      .find((b) => withServers.some(({ s }) => s.name === b));
  const named = servesBy('default_backend') ?? servesBy('use_backend');
  const pool = withServers.find(({ s }) => s.name === named) ?? withServers[0] ?? pools[0] ?? null;
  for (const other of withServers)
    if (other !== pool)
      into.warn(
        other.s.at,
        `another backend '${other.s.name}': the scenario models one pool ('${pool!.s.name}'${named === pool!.s.name ? ', the frontend routes to it' : ''}); its servers are not imported`,
      );
  if (pool !== null) stick.pool = pool.s.name;
  const isListen = pool?.s.kind === 'listen';
  // The client side: the first frontend routing to the pool, else (no frontend in the file) the
  // defaults the pool inherits, which a frontend written beside it would take too.
  const front = isListen ? undefined : frontends.find((f) => routedTo(f.lines).includes(pool?.s.name ?? ''));
  if (front !== undefined)
    for (const f of frontends)
      if (f !== front && routedTo(f.lines).includes(pool!.s.name))
        into.warn(
          f.s.at,
          `frontend '${f.s.name}' also routes to '${pool!.s.name}': its client-side settings are not imported (frontend '${front.s.name}''s are)`,
        );

  // `backend be` for a line of that section (a refusal's path in the file).
  const sectionAt = (at: string): string => {
    const s = sections.find((x) => x.lines.some((l) => l.at === at));
    return s === undefined ? 'global' : `${s.kind}${s.name === '' ? '' : ` ${s.name}`}`;
  };

  const read = ({ keyword, args, at, inherited }: ReadLine, fe: boolean, be: boolean): void => {
    const inPool = be;
    const said = `${at} ${[keyword, ...args].slice(0, 2).join(' ')}`;
    if (httpOnly(keyword, args) && !httpLines.includes(said)) httpLines.push(said);
    // A keyword the section has no capability for: HAProxy ignores it with a warning when
    // written there ("will be ignored because backend 'be' has no frontend capability"); from
    // the defaults it is simply the other side's.
    if ((!fe && isClientSide({ keyword, args, at })) || (!be && isBackendOnly({ keyword, args, at }))) {
      if (!inherited)
        into.warn(
          at,
          `'${[keyword, ...args].slice(0, 2).join(' ')}' ignored by HAProxy here (${fe ? 'a frontend has no backend capability' : "a backend has no frontend capability: the client side's is the frontend's"})`,
        );
      return;
    }
    if (!be && !isClientSide({ keyword, args, at })) {
      // The frontend's other lines: its own are reported as before, its defaults' were read with the pool.
      if (inherited || keyword === 'mode') return;
    }
    switch (keyword) {
      case 'mode':
        mode = args[0] ?? mode;
        modeAt = at;
        into.set(['lb', 'mode'], args[0] === 'http' ? 'l7' : 'l4', at);
        return;
      case 'balance': {
        const b = args[0] ?? '';
        // Every balance line sets the draws afresh: backend_parse_balance() resets `arg_opt1 = 2`
        // on each `random` and no other algorithm has them, so an earlier random(N) (a defaults
        // section's) does not outlive a later balance line.
        into.unset(['lb', 'random_draws']);
        if (b.startsWith('random')) balanceRandom(b, at, into);
        else if (['roundrobin', 'leastconn', 'source'].includes(b)) into.set(['lb', 'balance'], b, at);
        else into.warn(at, `balance ${b} not modelled (roundrobin, leastconn, source, random are)`);
        return;
      }
      case 'hash-type':
        hashType(args, at, into);
        return;
      case 'retries':
        retries(args, at, `${sectionAt(at)} › retries`, into);
        return;
      case 'timeout': {
        const [what, value] = args;
        const known = ['connect', 'check', 'client', 'server', 'tunnel', 'queue', 'client-fin', 'server-fin'];
        if (![...known, 'http-keep-alive', 'http-request'].includes(what ?? '')) {
          into.warn(at, `timeout ${what} not modelled`);
          return;
        }
        const seconds = time(value, `timeout ${what}`, at, into);
        if (seconds === null) return;
        // `timeout connect 0` is no timeout (tick_add_ifset arms none), not a zero one.
        if (what === 'connect')
          into.set(['lb', 'connect_timeout'], seconds === 0 ? 'infinite' : formatDuration(seconds), at);
        else if (what === 'check') into.set(['health_check', 'timeout'], formatDuration(seconds), at);
        else if (what === 'http-keep-alive')
          proxyOnly.push({
            path: ['lb', 'http_keep_alive_timeout'],
            value: formatDuration(seconds),
            at,
            what: 'timeout http-keep-alive',
            httpOnly: true,
          });
        else if (what === 'http-request')
          // Its 408 needs a slow client, which drainsim has not; it is the idle timeout between
          // two requests when timeout http-keep-alive is unset (src/mux_h1.c h1_set_idle_expiration()).
          proxyOnly.push({
            path: ['lb', 'http_request_timeout'],
            value: formatDuration(seconds),
            at,
            what: 'timeout http-request',
            httpOnly: true,
          });
        else
          proxyOnly.push({
            path: ['lb', `timeout_${what!.replace('-', '_')}`],
            value: formatDuration(seconds),
            at,
            what: `timeout ${what}`,
          });
        return;
      }
      case 'no':
        // `no option <x>` (KWM_NO in cfg_parse_listen()): the option off again, as HAProxy's preset.
        if (args[0] === 'option' && args[1] === 'redispatch') {
          into.unset(['lb', 'redispatch']);
          into.unset(['lb', 'redispatch_interval']);
        } else if (args[0] === 'option' && args[1] === 'persist') persistAt = null;
        else if (args[0] === 'option' && args[1] === 'abortonclose')
          return; // abortOnClose(), after the mode
        else if (args[0] === 'option' && args[1] === 'httpchk') {
          httpchk = false;
          into.unset(['health_check', 'type']);
        } else into.warn(at, `no ${args.join(' ')} not modelled`);
        return;
      case 'option':
        if (args[0] === 'redispatch') {
          // `option redispatch [<interval>]`: redispatch_after = -1, or atol(<interval>)
          // (cfg_parse_listen(), v2.6.0 src/cfgparse-listen.c): lb.redispatch_interval.
          into.set(['lb', 'redispatch'], true, at);
          const interval = args[1] === undefined ? -1 : atol(args[1]);
          if (interval === -1) into.unset(['lb', 'redispatch_interval']);
          else into.set(['lb', 'redispatch_interval'], interval, at);
        }
        // option persist (PR_O_PERSIST, src/cfgparse-listen.c): lb.persist, which needs the cookie.
        else if (args[0] === 'persist') persistAt = at;
        // option abortonclose: abortOnClose(), once the mode and the frontend's lines are known.
        else if (args[0] === 'abortonclose') return;
        else if (args[0] === 'httpchk') {
          httpchk = true;
          into.set(['health_check', 'type'], 'http', at);
        } else if (
          !['httplog', 'tcplog', 'dontlognull', 'forwardfor', 'http-server-close', 'log-health-checks'].includes(
            args[0] ?? '',
          )
        )
          into.warn(at, `option ${args.join(' ')} not modelled`);
        return;
      case 'http-check':
        // PR_O_DISABLE404 (proxy_parse_httpcheck(), src/tcpcheck.c); send/expect rules are not modelled.
        if (args[0] === 'disable-on-404' && args.length === 1) disableOn404At = at;
        else into.warn(at, `http-check ${args.join(' ')} not modelled`);
        return;
      case 'cookie':
        cookie = true;
        cookieAt = at;
        into.set(['lb', 'sticky'], 'cookie', at);
        return;
      case 'stick-table':
        // The pool's own table (its stick rules' default); a frontend's is another proxy's table,
        // which a backend's rule reaches only by name (`table <frontend>`, declaredTables).
        if (inPool) stick.table = { args, at, inPeers: false };
        else
          into.warn(
            at,
            `stick-table of frontend '${front?.s.name ?? ''}' not modelled (a table the pool's \`stick on src\` uses is)`,
          );
        return;
      case 'stick':
        stickRule(args, at, into, stick);
        return;
      case 'http-reuse':
        if (['never', 'safe', 'aggressive', 'always'].includes(args[0] ?? ''))
          proxyOnly.push({ path: ['lb', 'http_reuse'], value: args[0], at, what: 'http-reuse', httpOnly: true });
        else into.warn(at, `http-reuse ${args.join(' ')} not modelled (never, safe, aggressive, always are)`);
        return;
      case 'default-server': {
        // Each key overrides the earlier default-server's (parse_server() on the proxy's defsrv).
        const own = serverSettings(args);
        validTimes(own, at);
        serverNumbers(own, at, 'default-server', `${sectionAt(at)} › default-server`, into);
        serverDefaults = new Map(serverDefaults);
        for (const [k, v] of own) serverDefaults.set(k, { value: v, at });
        return;
      }
      case 'server':
        server(args, at);
        return;
      default:
        if (!HARMLESS.has(keyword)) into.warn(at, `'${keyword}' not modelled`);
    }
  };

  // A time HAProxy refuses on a server or default-server line is a fatal error there (srv_parse_check_inter(), src/check.c; srv_parse_slowstart(), src/server.c).
  const validTimes = (settings: Map<string, string | true>, at: string): void => {
    for (const key of ['inter', 'fastinter', 'downinter', 'slowstart', 'pool-purge-delay']) {
      const v = settings.get(key);
      if (v !== undefined) time(v === true ? '' : v, key, at, into);
    }
  };

  const server = (args: string[], at: string): void => {
    const name = (args[0] ?? `srv${servers.length + 1}`).replace(/[^A-Za-z0-9_.-]/g, '-');
    const own = serverSettings(args.slice(2));
    validTimes(own, at);
    serverNumbers(own, at, args[0] ?? '', `${sectionAt(at)} › server ${args[0] ?? ''}`, into);
    const defaults = serverDefaults;
    // Its own setting, else the default-server's (srv_settings_cpy(), src/server.c).
    const setting = (key: string): { value: string | true; at: string } | null => {
      const v = own.get(key);
      return v !== undefined ? { value: v, at } : (defaults.get(key) ?? null);
    };
    const flag = (on: string, off: string) => setting(on) !== null && !own.has(off);
    // `backup`: no traffic while an active server is usable (the backup tree, src/lb_*.c): not a
    // backend of the scenario's pool. `disabled`: starts in maintenance (SRV_ADMF_CMAINT).
    if (flag('backup', 'no-backup')) {
      into.warn(
        at,
        `server ${name} backup: not imported (a backup server takes traffic only when no active server is usable, which the model has not)`,
      );
      return;
    }
    const w = setting('weight');
    const state = flag('disabled', 'enabled') ? 'maint' : undefined;
    const weight = w === null ? 1 : atoi(String(w.value));
    // A weight HAProxy refuses (refused above) is no server of the pool.
    if (weight < 0 || weight > 256) return;
    servers.push({ name, weight, ...(state === undefined ? {} : { state }) });
    // A Deployment imported with this file names the pods behind HAProxy: its backends then.
    into.assume(
      ['backends'],
      [...servers],
      at,
      `backends (HAProxy's servers ${servers.map((s) => s.name).join(', ')})`,
      `the rollout replaces those pods${servers.some((s) => s.weight !== 1) ? "; the servers' weights are not imported" : ''}`,
    );
    for (const [key, why] of Object.entries(SERVER_UNMODELLED)) {
      const v = setting(key);
      if (v !== null && (key === 'port' || key === 'addr' ? flag('check', 'no-check') : true))
        into.warn(v.at, `server ${name} ${key}${v.value === true ? '' : ` ${v.value}`}: ${why}`);
    }
    if (flag('check', 'no-check')) checkSettings.push({ name, at, get: setting });
    const onDown = setting('on-marked-down');
    if (onDown !== null) {
      if (onDown.value === 'shutdown-sessions')
        into.set(['health_check', 'on_marked_down'], 'shutdown-sessions', onDown.at);
      else into.warn(onDown.at, `on-marked-down ${onDown.value} not modelled (shutdown-sessions is)`);
    }
    const maxconn = setting('maxconn');
    if (maxconn !== null)
      proxyOnly.push({
        path: ['lb', 'maxconn'],
        value: serverMaxconn(String(maxconn.value)),
        at: maxconn.at,
        what: 'server maxconn',
      });
    // Server maxqueue (0, the default, is no limit: srv->maxqueue > 0 in assign_server_and_queue()).
    const maxqueue = setting('maxqueue');
    if (maxqueue !== null && atoi(String(maxqueue.value)) > 0)
      proxyOnly.push({
        path: ['lb', 'maxqueue'],
        value: atoi(String(maxqueue.value)),
        at: maxqueue.at,
        what: 'server maxqueue',
      });
    const purge = setting('pool-purge-delay');
    const purgeSeconds = purge === null ? null : haproxyTime(String(purge.value));
    if (purgeSeconds !== null)
      proxyOnly.push({
        path: ['lb', 'pool_purge_delay'],
        value: formatDuration(purgeSeconds),
        at: purge!.at,
        what: 'pool-purge-delay',
        httpOnly: true,
      });
    const slow = setting('slowstart');
    const slowSeconds = slow === null ? null : haproxyTime(String(slow.value));
    if (slowSeconds !== null)
      proxyOnly.push({
        path: ['lb', 'slowstart'],
        value: formatDuration(slowSeconds),
        at: slow!.at,
        what: 'slowstart',
      });
  };

  if (pool !== null) {
    const poolLines = fullLines(pool.i);
    for (const l of poolLines) read(l, isListen, true);
    const frontLines = isListen ? [] : (front?.lines ?? poolLines.filter((l) => l.inherited));
    for (const l of frontLines) read(l, true, false);
    // The frontend's maxconn and backlog: a listen's own lines with its defaults', a frontend's.
    frontendLimit(global, isListen ? poolLines : (front?.lines ?? []), proxyOnly);
  }
  if (pool !== null) {
    const poolLines = fullLines(pool.i);
    // A frontend's own line is ignored (warned in read()): only its defaults' count. Without a
    // frontend in the file, the one written beside the pool would take the pool's defaults.
    const frontLines = isListen ? poolLines : (front?.lines ?? poolLines).filter((l) => l.inherited);
    abortOnClose(poolLines, frontLines, isListen, modeAt === null ? 'tcp' : mode, into);
  }
  if (pool !== null && modeAt === null) {
    // Imported as HAProxy runs it (and stated, so that a Deployment's kube-proxy NAT does not take
    // the balancer's place), not as its HTTP settings suggest it was meant.
    into.set(['lb', 'mode'], 'l4', pool.s.at);
    if (httpLines.length > 0)
      into.warn(
        pool.s.at,
        `${pool.s.kind} ${pool.s.name} has no 'mode' line (nor its defaults): HAProxy runs it in mode tcp, its default (proxy_preset_defaults(), src/proxy.c), and ignores its HTTP settings (${httpLines.join(', ')}): lb.mode l4 imported; write \`mode http\` for lb.mode l7`,
      );
  }
  const proxy = mode === 'tcp' || mode === 'http';
  // A cookie needs mode http: HAProxy ignores it otherwise (proxy_cfg_ensure_no_http(), src/proxy.c:
  // "cookie will be ignored for backend 'be' (needs 'mode http')").
  const sticky = into.values.find(
    (v) => v.path.join('.') === 'lb.sticky' && v.value === 'cookie' && v.source === cookieAt,
  );
  if (sticky !== undefined && mode !== 'http')
    into.drop(sticky, `HAProxy ignores the cookie in mode ${mode} ("cookie will be ignored … (needs 'mode http')")`);
  for (const t of proxyOnly) {
    if (t.httpOnly && mode !== 'http')
      into.warn(t.at, `${t.what} not modelled for mode ${mode} (drainsim models it for mode http, lb.mode l7)`);
    else if (t.tcpOnly && mode !== 'tcp')
      into.warn(
        t.at,
        `${t.what} ${t.value} not modelled for mode ${mode}: lb.nbthread is the threads of an L4 proxy (mode tcp, lb.mode l4) ending TLS, not imported`,
      );
    else if (!proxy)
      into.warn(t.at, `${t.what} not modelled for mode ${mode} (drainsim models it for mode tcp and http)`);
    else if (
      (t.path[1] === 'maxconn' || t.path[1] === 'maxqueue' || t.path[1] === 'slowstart') &&
      proxyOnly.some((o) => o.path[1] === t.path[1] && o.value !== t.value)
    )
      into.warn(
        t.at,
        `server ${t.what.replace('server ', '')} differs between servers: lb.${t.path[1]} is one value for every server, not imported`,
      );
    else if (
      t.path[1] === 'maxqueue' &&
      new Set(proxyOnly.filter((o) => o.path[1] === 'maxconn').map((o) => o.value)).size !== 1
    )
      into.warn(
        t.at,
        'server maxqueue without one imported server maxconn (lb.maxqueue needs lb.maxconn), not imported',
      );
    else if (
      t.path[1] === 'pool_purge_delay' &&
      proxyOnly.some((o) => o.path[1] === 'pool_purge_delay' && o.value !== t.value)
    )
      into.warn(
        t.at,
        'pool-purge-delay differs between servers: lb.pool_purge_delay is one value for every server, not imported',
      );
    else into.set(t.path, t.value, t.at);
  }
  if (proxy && pool !== null && !into.values.some((v) => v.path.join('.') === 'lb.connect_timeout')) {
    // No `timeout connect` (own or from defaults): src/cfgparse.c leaves timeout.connect (and an
    // unset timeout.queue) 0, so a connect or a queued request never times out.
    into.warn(
      pool.s.at,
      "no `timeout connect`: HAProxy warns 'missing timeouts' and a connect never times out (src/cfgparse.c leaves timeout.connect 0, and timeout queue inherits it): imported as lb.connect_timeout infinite (a connect to a vanished server ends at the kernel's SYN give-up, a queued request waits for its slot however long) — drainsim's own default would be 5s",
    );
    into.set(['lb', 'connect_timeout'], 'infinite', pool.s.at);
  }
  if (disableOn404At !== null) {
    // Only an HTTP check reads a status: with a tcp check HAProxy has nothing to apply it to.
    if (httpchk) into.set(['health_check', 'disable_on_404'], true, disableOn404At);
    else
      into.warn(
        disableOn404At,
        'http-check disable-on-404 not modelled without option httpchk (a tcp check reads no HTTP status)',
      );
  }
  checks(servers.length, checkSettings, httpchk, into);
  const stickSource = stickOnSource(stick, tables.byName, cookie && mode === 'http', proxy, mode, into);
  if (persistAt !== null) {
    // PR_O_PERSIST applies to the cookie (http_manage_client_side_cookies()) and to stick tables
    // (sticking_rule_find_target(), src/stream.c) alike.
    if ((mode === 'http' && cookie) || stickSource) into.set(['lb', 'persist'], true, persistAt);
    else
      into.warn(
        persistAt,
        'option persist not modelled without persistence (lb.persist needs sticky: cookie in mode http, or stick on src)',
      );
  }
  for (const key of ['maxconn', 'slowstart'] as const) {
    const set = proxyOnly.filter((t) => t.path[1] === key);
    if (proxy && set.length > 0 && set.length < servers.length)
      into.warn(set[0]!.at, `server ${key} is set on some servers only: lb.${key} applies to every server`);
  }
}

/**
 * `option abortonclose` (PR_O_ABRT_CLOSE, a backend option: cfg_opts[] PR_CAP_BE, v2.6.0
 * src/cfgparse-listen.c) as HAProxy 2.6.12 acts on the pool's traffic. A proxy's flag is its last
 * `option abortonclose` / `no option abortonclose`, its defaults' lines first (proxy_defproxy_cpy(),
 * src/proxy.c, copies the defaults' options into frontends too; a frontend's own line is ignored,
 * warnifnotcap()). In mode http, whether the client's close is read at all is decided on the
 * frontend: v2.6 src/stconn.c sc_conn_recv() asks the H1 mux to keep reading (CO_RFL_KEEP_RECV)
 * only if the stream's `be` has the option, and for a request received whole `be` is still the
 * frontend; src/mux_h1.c h1_rcv_buf() stops reading after a full message (dedd30610). So the
 * option works when the frontend has it (from defaults, or a listen) and the backend keeps it (the
 * abort itself reads the backend: src/stream.c process_stream() during SC_ST_CON); a backend-only
 * option is ignored (held-out round 26: 59 aborted requests served, as without it). Fixed
 * upstream by 5ff7d2276 (haproxy/haproxy#2344; first in v2.9-dev10/2.9.0, marked for backport to
 * 2.2+). In mode tcp there is no H1 mux and the stream's `be` is the backend once switched, so the
 * backend's flag alone decides (not recorded against a real HAProxy).
 */
function abortOnClose(
  poolLines: CfgLine[],
  frontLines: CfgLine[],
  isListen: boolean,
  mode: string,
  into: Imported,
): void {
  const last = (lines: CfgLine[]): { on: boolean; at: string } | null => {
    let found: { on: boolean; at: string } | null = null;
    for (const l of lines)
      if (l.keyword === 'option' && l.args[0] === 'abortonclose') found = { on: true, at: l.at };
      else if (l.keyword === 'no' && l.args[0] === 'option' && l.args[1] === 'abortonclose')
        found = { on: false, at: l.at };
    return found;
  };
  const be = last(poolLines);
  if (be === null || (mode !== 'http' && mode !== 'tcp')) return;
  const fe = last(frontLines);
  if (!be.on || mode === 'tcp' || isListen || fe?.on === true) {
    into.set(['lb', 'abortonclose'], be.on, be.at);
    return;
  }
  into.warn(
    be.at,
    "option abortonclose in the backend only: HAProxy 2.6 before 5ff7d2276 (haproxy/haproxy#2344; 2.6.12 included) never reads the client's close of an HTTP/1 request received whole (src/stconn.c sc_conn_recv() asks for it only when the frontend has the option), so aborted requests are still served: lb.abortonclose false imported; write it in `defaults` (or a `listen`) for it to work there",
  );
  into.set(['lb', 'abortonclose'], false, be.at);
}

/**
 * Health checks as the servers have them: HAProxy checks only a server with `check` (its own or
 * its default-server's, and no `no-check`: srv_parse_check(), src/check.c). With none checked
 * there is no check at all (the scenario's health_check absent: every server always in service);
 * checked servers with no check setting written still are (a tcp check, inter 2s, rise 2, fall 3:
 * the defaults). inter, fastinter, downinter, rise and fall are one value for every server in
 * the scenario: imported when every checked server has the same, else a warning.
 */
function checks(
  servers: number,
  checked: { name: string; at: string; get: (key: string) => { value: string | true; at: string } | null }[],
  httpchk: boolean,
  into: Imported,
): void {
  const written = into.values.filter((v) => v.path[0] === 'health_check');
  if (checked.length === 0) {
    if (servers > 0)
      for (const v of written)
        into.drop(v, 'no server has `check`: HAProxy runs no health check (the scenario then has no health_check)');
    return;
  }
  if (checked.length < servers)
    into.warn(
      checked[0]!.at,
      `only some servers have \`check\` (${checked.map((c) => c.name).join(', ')}): the scenario's health_check checks every server`,
    );
  if (!httpchk) into.set(['health_check', 'type'], 'tcp', checked[0]!.at);
  for (const key of ['inter', 'fastinter', 'downinter', 'rise', 'fall'] as const) {
    const each = checked.map((c) => c.get(key));
    const seconds = (v: { value: string | true }) =>
      key === 'rise' || key === 'fall' ? positive(atoi(String(v.value))) : haproxyTime(String(v.value));
    const set = each.filter((v) => v !== null);
    if (set.length === 0) continue;
    const first = set[0]!;
    if (new Set(set.map(seconds)).size > 1) {
      into.warn(
        first.at,
        `server ${key} differs between servers (${checked.map((c, i) => `${c.name} ${each[i]?.value ?? 'unset'}`).join(', ')}): health_check.${key} is one value for every server, not imported`,
      );
      continue;
    }
    const value = seconds(first);
    if (value === null) continue;
    if (set.length < checked.length)
      into.warn(
        first.at,
        `server ${key} is set on some servers only (${checked
          .filter((_, i) => each[i] !== null)
          .map((c) => c.name)
          .join(', ')}): health_check.${key} applies to every server`,
      );
    into.set(['health_check', key], key === 'rise' || key === 'fall' ? value : formatDuration(value), first.at);
  }
}

/**
 * `retries <n>` as HAProxy 2.6 reads it (cfg_parse_listen(), v2.6.0 src/cfgparse-listen.c): no
 * argument or more than one is fatal ("'retries' expects an integer argument (dispatch counts for
 * one)", alertif_too_many_args(1)); otherwise `conn_retries = atol(args[1])` into an int, so a
 * word that is not a number is no error: `retries abc` is 0 and `retries 3x` is 3 (haproxy -c
 * 2.6.12: "Configuration file is valid" for both). A negative count retries nothing, as 0: a
 * stream's count starts at 0 and back_handle_st_cer() (src/backend.c) gives up once
 * `++s->conn_retries >= s->be->conn_retries`. Such a value is imported as HAProxy runs it, with
 * a warning saying what it became; so is a count of plain digits past an int (atoi() below).
 */
function retries(args: string[], at: string, path: string, into: Imported): void {
  const word = args[0];
  if (word === undefined || args.length > 1) {
    into.refuse(at, {
      path,
      expected: 'one integer',
      found: word === undefined ? 'nothing' : `'${args.join(' ')}'`,
      why:
        word === undefined
          ? 'HAProxy refuses it: "\'retries\' expects an integer argument (dispatch counts for one)"'
          : `HAProxy refuses it: "'retries' cannot handle unexpected argument '${args[1]}'"`,
    });
    return;
  }
  const n = atoi(word);
  const runs = Math.max(0, n);
  // Plain digits too when atol() does not keep them: past a long strtol() saturates, and the int
  // keeps the low 32 bits (99999999999999999999 is -1, no retry; 4294967299 is 3), as
  // serverNumbers() says of a server's counts.
  if (!/^\d+$/.test(word) || String(n) !== String(BigInt(word)))
    into.warn(
      at,
      `retries ${word}: HAProxy reads it as ${n} (atol(), no error)${n < 0 ? ', which retries nothing' : ''}: lb.retries ${runs} imported`,
    );
  into.set(['lb', 'retries'], runs, at);
}

/**
 * A server's (or default-server's) counts as HAProxy 2.6 reads them, each with atol() and no check
 * that the word is a number: `weight` into an int, refused outside 0..256 (srv_parse_weight(),
 * src/server.c: "weight of server a is not within 0 and 256 (257)"; no word is 0); `rise` and
 * `fall` into an int, refused with no word ("'rise' expects an integer argument") or ≤ 0 ("'rise'
 * has to be > 0", srv_parse_check_rise()/_fall(), src/check.c: so `rise abc` too); `maxconn` into
 * an unsigned (srv_parse_maxconn(): a negative count wraps past any limit), `maxqueue` into an int
 * (≤ 0: no queue limit, assign_server_and_queue()). A refusal exits 2 (`haproxy -c` 2.6.12 refuses
 * them); a word that is no plain number but accepted is said in a warning with what HAProxy makes
 * of it. `who` is the server's name (`default-server` on that line), `path` the line's place.
 */
function serverNumbers(
  settings: Map<string, string | true>,
  at: string,
  who: string,
  path: string,
  into: Imported,
): void {
  for (const key of ['weight', 'rise', 'fall', 'maxconn', 'maxqueue'] as const) {
    const raw = settings.get(key);
    if (raw === undefined) continue;
    const word = raw === true ? '' : raw;
    const n = atoi(word);
    const refuse = (expected: string, why: string) =>
      into.refuse(at, {
        path: `${path} › ${key}`,
        expected,
        found: word === '' ? 'nothing' : `'${word}'`,
        why: `HAProxy refuses it: "${why}"`,
      });
    if (key === 'weight' && (n < 0 || n > 256)) {
      refuse('an integer from 0 to 256', `weight of server ${who} is not within 0 and 256 (${n})`);
      continue;
    }
    if ((key === 'rise' || key === 'fall') && word === '') {
      refuse('an integer above 0', `'${key}' expects an integer argument`);
      continue;
    }
    if ((key === 'rise' || key === 'fall') && n <= 0) {
      refuse('an integer above 0', `'${key}' has to be > 0`);
      continue;
    }
    const reads = key === 'maxconn' ? serverMaxconn(word) : n;
    if (!/^\d+$/.test(word) || String(reads) !== String(BigInt(word)))
      into.warn(
        at,
        `${who === 'default-server' ? 'default-server' : `server ${who}`} ${key} ${word === '' ? '(no value)' : word}: HAProxy reads it as ${key === 'maxconn' && n < 0 ? `${Number(BigInt.asUintN(32, BigInt(n)))} (an unsigned count), no limit: 0 imported` : `${reads} (atol(), no error)`}`,
      );
  }
}

/**
 * The balancer's own connection limit, lb.frontend_maxconn: the frontend's `maxconn` (its own line
 * or its defaults'; cfg_parse_listen(), v2.6.0 src/cfgparse-listen.c: `curproxy->maxconn =
 * atol(args[1])`), else global `maxconn` (proxy_adjust_all_maxconn(), src/proxy.c: `if
 * (!curproxy->maxconn) curproxy->maxconn = global.maxconn`), and never above global maxconn, which
 * listener_accept() (src/listener.c) checks as well (actconn). With neither line HAProxy takes
 * global maxconn from the fd limit (compute_ideal_maxconn(), src/haproxy.c): not imported, no
 * limit. `backlog` likewise (listener_backlog(), src/listener.c; unset: the frontend's maxconn).
 */
function frontendLimit(
  global: CfgLine[],
  feLines: CfgLine[],
  into: { path: string[]; value: unknown; at: string; what: string }[],
): void {
  const last = (lines: CfgLine[], keyword: string): CfgLine | undefined =>
    lines.filter((l) => l.keyword === keyword && positive(serverMaxconn(l.args[0] ?? '')) !== null).at(-1);
  const g = last(global, 'maxconn');
  const fe = last(feLines, 'maxconn');
  const value = (l: CfgLine | undefined): number => (l === undefined ? Infinity : serverMaxconn(l.args[0] ?? ''));
  const limit = Math.min(value(g), value(fe));
  if (limit !== Infinity) {
    const by = value(fe) <= value(g) ? fe! : g!;
    into.push({
      path: ['lb', 'frontend_maxconn'],
      value: limit,
      at: by.at,
      what: `${by === g ? 'global ' : ''}maxconn`,
    });
  }
  const backlog = last(feLines, 'backlog');
  if (backlog !== undefined)
    into.push({
      path: ['lb', 'frontend_backlog'],
      value: serverMaxconn(backlog.args[0] ?? ''),
      at: backlog.at,
      what: 'backlog',
    });
}

/** A server's maxconn as HAProxy stores it (atol() into an unsigned): one that wraps negative is past any count, imported as 0 (no limit). */
function serverMaxconn(word: string): number {
  return Math.max(atoi(word), 0);
}

function positive(n: number): number | null {
  return n > 0 ? n : null;
}

/**
 * atol() stored in an int, as `conn_retries = atol(args[1])`: glibc's strtol saturates at the
 * 64-bit long's bounds, the assignment keeps the low 32 bits.
 */
function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  if (m === null) return 0;
  const max = 2n ** 63n - 1n;
  let v = BigInt(m[1]!);
  if (v > max) v = max;
  if (v < -max - 1n) v = -max - 1n;
  return Number(BigInt.asIntN(32, v));
}

/** atol(): optional spaces and sign, then decimal digits; none is 0. */
function atol(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/**
 * A time as HAProxy reads it, in seconds, or null after recording HAProxy's refusal: parse_time_err()
 * (v2.6.0 src/tools.c) takes digits, then at most one unit us, ms, s, m, h, d (none: milliseconds),
 * rounds up to whole milliseconds, and refuses anything else ("unexpected character '.'": a decimal),
 * no digit, and 2^31 ms or more; a character after the unit is only a warning there (`5sx` is 5 s).
 */
function time(text: string | undefined, what: string, at: string, into: Imported): number | null {
  const s = haproxyTime(text ?? '');
  if (s === null)
    into.fail(at, `${what} ${text ?? ''}: HAProxy refuses it (a time is digits with one unit us, ms, s, m, h or d)`);
  return s;
}

type StickLines = {
  match: string | null;
  store: string | null;
  /** The pool's own `stick-table` line. */
  table: TableDecl | null;
  /** The `table <name>` its stick rules name (null: the pool's own table), and where. */
  tableName: { name: string; at: string } | null;
  /** The pool backend's name: its own table's name. */
  pool: string;
};

/** A stick table's declaration: its arguments (`type ip size …`) and line. */
type TableDecl = { args: string[]; at: string; inPeers: boolean };

/**
 * Calls `directive` for each non-empty line of a haproxy.cfg with its comment removed: its keyword,
 * its arguments and where it is (`file:line`). The importer's passes read the file the same way.
 */
function eachDirective(
  text: string,
  file: string,
  directive: (keyword: string, args: string[], at: string) => void,
): void {
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const [keyword, ...args] = line.split(/\s+/) as [string, ...string[]];
    directive(keyword, args, `${file}:${i + 1}`);
  });
}

/**
 * Every stick table of the file by the name HAProxy 2.6 finds it by (stktable_find_by_name(),
 * src/stick_table.c): a `stick-table` line is named after its proxy (frontend, backend, listen);
 * a peers section's `table <t> …` is `<peers>/<t>` (cfg_parse_peers(), src/cfgparse.c, "Build the
 * stick-table name, concatenating the peers section name followed by a '/'"). And the backends
 * that only hold a table some stick rule names (no `server` line), which are not the pool.
 */
function declaredTables(text: string, file: string): { byName: Map<string, TableDecl>; holders: Set<string> } {
  const byName = new Map<string, TableDecl>();
  const named = new Set<string>();
  const serverless = new Set<string>();
  let section = '';
  let sectionName = '';
  eachDirective(text, file, (keyword, args, at) => {
    if (SECTIONS.has(keyword)) {
      section = keyword;
      sectionName = args[0] ?? '';
      if (section === 'backend' || section === 'listen') serverless.add(sectionName);
      return;
    }
    if (keyword === 'server') serverless.delete(sectionName);
    if (keyword === 'stick-table' && ['frontend', 'backend', 'listen'].includes(section))
      byName.set(sectionName, { args, at, inPeers: false });
    if (keyword === 'table' && section === 'peers' && args[0] !== undefined)
      byName.set(`${sectionName}/${args[0]}`, { args: args.slice(1), at, inPeers: true });
    if (keyword === 'stick') {
      const t = args.indexOf('table');
      if (t >= 0 && args[t + 1] !== undefined) named.add(args[t + 1]!);
    }
  });
  const holders = new Set([...serverless].filter((b) => named.has(b) && byName.has(b)));
  return { byName, holders };
}

/**
 * `stick on src` = `stick match src` + `stick store-request src` (src/cfgparse-listen.c), on the
 * pool's own table or on the one `table <name>` names (HAProxy 2.6 doc "stick on", section 4.2);
 * other patterns (headers, cookies, URL parameters) and conditional rules are not modelled.
 */
function stickRule(args: string[], at: string, into: Imported, stick: StickLines): void {
  const [what, pattern, ...rest] = args;
  const named = rest.length === 2 && rest[0] === 'table';
  const plain = pattern === 'src' && (rest.length === 0 || named);
  if (!plain || !['on', 'match', 'store-request'].includes(what ?? '')) {
    into.warn(at, `stick ${args.join(' ')} not modelled (stick on src, without a condition, is: lb.sticky source)`);
    return;
  }
  if (what === 'on' || what === 'match') stick.match = at;
  if (what === 'on' || what === 'store-request') stick.store = at;
  if (named) stick.tableName = { name: rest[1]!, at };
}

/** lb.sticky source from the stick lines, when they make persistence by source address. */
function stickOnSource(
  stick: StickLines,
  tables: Map<string, TableDecl>,
  cookie: boolean,
  proxy: boolean,
  mode: string,
  into: Imported,
): boolean {
  const at = stick.match ?? stick.store;
  if (at === null) return false;
  // The table the rules use: the one named, else the pool's own (check_config_validity(),
  // src/cfgparse.c: `mrule->table.name ? stktable_find_by_name(name) : curproxy->table`). None
  // found is HAProxy's fatal "Proxy '<p>': unable to find stick-table '<name>'.": it does not start.
  const name = stick.tableName?.name ?? stick.pool;
  const table = stick.tableName === null ? stick.table : tables.get(name);
  if (table === undefined || table === null) {
    into.fail(
      stick.tableName?.at ?? at,
      stick.tableName === null
        ? `stick on src without a table: backend '${stick.pool}' declares no stick-table and the rule names none (\`table <name>\`); HAProxy refuses to start ("unable to find stick-table '${name}'")`
        : `stick on src table ${name}: no such stick table (a frontend, backend or listen section '${name}' with a stick-table, or a peers section's \`table\`, named <peers>/<table>); HAProxy refuses to start ("unable to find stick-table '${name}'")`,
    );
    return false;
  }
  const type = option(table.args, 'type');
  const why =
    stick.match === null || stick.store === null
      ? `stick ${stick.match === null ? 'match' : 'store-request'} src is missing: matching without storing (or the reverse) keeps no client on a server`
      : type !== 'ip' && type !== 'ipv6'
        ? `its table (${table.at}) is type ${type ?? '(none)'}, not a table of source addresses (type ip)`
        : !proxy
          ? `mode ${mode} is not modelled`
          : cookie
            ? 'the cookie is imported (lb.sticky is one setting; HAProxy checks the cookie first)'
            : null;
  if (why !== null) {
    into.warn(at, `stick on src not imported: ${why}`);
    return false;
  }
  into.set(['lb', 'sticky'], 'source', at);
  // The table the rule uses decides (its own or the named one's expire and peers; a rate-limit
  // table with track-sc is not read). Its size is not: the model's table holds every address.
  if (option(table.args, 'expire') !== null)
    into.warn(
      table.at,
      'stick-table expire not modelled: the model keeps every address on its server for the whole run',
    );
  if (table.inPeers || table.args.includes('peers'))
    into.warn(table.at, 'stick-table peers not modelled: one HAProxy process holds the table');
  return true;
}

/**
 * `hash-type {map-based|consistent} [<function> [avalanche]]` as cfg_parse_listen()
 * (src/cfgparse-listen.c, v2.6.0) reads it: no function means sdbm, with the avalanche modifier
 * for consistent only; a named function carries the modifier only when `avalanche` follows it.
 * Anything else is a fatal error there (HAProxy does not start), so an error here too. The
 * function itself does not matter to `balance source`, which hashes the address without it
 * (get_server_sh(), src/backend.c).
 */
/**
 * `balance random` / `random(<draws>)` as backend_parse_balance() (src/backend.c, v2.6.0) reads
 * it: any word starting with "random" (`strncmp(args[0], "random", 6)`) is the algorithm with 2
 * draws; a '(' right after it not closed at once holds the draws, read by `strtol(beg, &end, 0)`
 * (decimal, 0x hex, 0 octal) and followed by ')' — else HAProxy refuses to start ("random :
 * missing closing parenthesis." / "unexpected character"), as it does below 1 draw ("random :
 * number of draws must be at least 1."). The draws go to lb.random_draws; 2, `random` alone or
 * `random()`, is its default and is left unset.
 */
function balanceRandom(word: string, at: string, into: Imported): void {
  into.set(['lb', 'balance'], 'random', at);
  if (word[6] !== '(' || word[7] === ')') return;
  const rest = word.slice(7);
  // strtol(…, 0): optional spaces and sign, then 0x-hex, 0-octal or decimal digits (none: 0, end at the start).
  const m = /^(\s*)([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(rest);
  const digits = m?.[3] ?? '';
  const draws =
    m === null
      ? 0
      : (m[2] === '-' ? -1 : 1) *
        (/^0[xX]/.test(digits)
          ? Number.parseInt(digits.slice(2), 16)
          : digits.startsWith('0')
            ? Number.parseInt(digits, 8)
            : Number(digits));
  const end = rest.slice(m === null ? 0 : m[0].length);
  if (end[0] !== ')') {
    into.fail(
      at,
      end === ''
        ? `balance ${word}: HAProxy refuses it (random : missing closing parenthesis)`
        : `balance ${word}: HAProxy refuses it (random : unexpected character '${end[0]}' after argument)`,
    );
    return;
  }
  if (draws < 1) {
    into.fail(at, `balance ${word}: HAProxy refuses it (random : number of draws must be at least 1)`);
    return;
  }
  into.set(['lb', 'random_draws'], draws, at);
}

function hashType(args: string[], at: string, into: Imported): void {
  const [type, fn, modifier] = args;
  if (type !== 'map-based' && type !== 'consistent') {
    into.fail(at, `hash-type ${args.join(' ')}: HAProxy only supports 'consistent' and 'map-based'`);
    return;
  }
  if (fn !== undefined && !['sdbm', 'djb2', 'wt6', 'crc32'].includes(fn)) {
    into.fail(at, `hash-type ${args.join(' ')}: HAProxy only supports the sdbm, djb2, crc32 and wt6 hash functions`);
    return;
  }
  if (modifier !== undefined && modifier !== 'avalanche') {
    into.fail(at, `hash-type ${args.join(' ')}: HAProxy only supports 'avalanche' as a modifier`);
    return;
  }
  into.set(['lb', 'hash_type'], type, at);
  into.set(['lb', 'hash_avalanche'], fn === undefined ? type === 'consistent' : modifier === 'avalanche', at);
}

function option(args: string[], key: string): string | null {
  const i = args.indexOf(key);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : null;
}

/**
 * An HAProxy time in seconds as parse_time_err() (v2.6.0 src/tools.c) reads it: digits, then at
 * most one unit us, ms (the default), s, m, h, d, rounded up to whole milliseconds (100us is
 * 1 ms); a character after the unit only draws HAProxy's warning. null where HAProxy refuses it:
 * no leading digit, another character (a decimal point: "unexpected character '.'"), or 2^31 ms
 * and more (PARSE_TIME_OVER).
 */
export function haproxyTime(text: string): number | null {
  const m = /^(\d+)(us|ms|s|m|h|d)?/.exec(text);
  if (!m) return null;
  if (m[2] === undefined && m[0].length < text.length) return null;
  const perMs = { us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2] ?? 'ms']!;
  const ms = Math.ceil(Number(m[1]) * perMs);
  if (ms >= 0x80000000) return null;
  return ms / 1000;
}
