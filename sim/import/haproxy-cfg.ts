/**
 * haproxy.cfg → scenario values. HAProxy's configuration is line-oriented (src/cfgparse.c
 * readcfgfile(): one keyword and its arguments per line, `#` comments, sections opened by
 * `global`, `defaults`, `frontend`, `backend`, `listen`), so a small reader is exact for the
 * keywords it knows; every other keyword becomes a warning with its line.
 */
import { formatDuration } from '../scenario/units.js';
import type { Imported } from './imported.js';

const SECTIONS = new Set(['global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'peers', 'userlist']);
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
  'option',
]);

export function importHaproxy(text: string, file: string, into: Imported): void {
  let section = '';
  let sectionName = '';
  let backends = 0;
  const servers: { name: string; weight: number }[] = [];
  let persistAt: string | null = null;
  let cookie = false;
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
  // `default-server` options every later server line inherits unless it sets its own (srv_settings_cpy(), src/server.c).
  const serverDefaults = new Map<string, { value: string; at: string }>();
  let mode = 'http';
  eachDirective(text, file, (keyword, args, at) => {
    if (SECTIONS.has(keyword)) {
      section = keyword;
      sectionName = args[0] ?? '';
      // A backend holding only a table that a stick rule names (`stick on src table <it>`) has no
      // traffic of its own: read for its table (declaredTables), not as a pool.
      if ((keyword === 'backend' || keyword === 'listen') && tables.holders.has(sectionName)) {
        section = 'table-holder';
        return;
      }
      if (keyword === 'backend' || keyword === 'listen') backends++;
      if ((keyword === 'backend' || keyword === 'listen') && backends === 1) stick.pool = sectionName;
      if (backends > 1 && (keyword === 'backend' || keyword === 'listen'))
        into.warn(at, `a second backend '${sectionName}': the scenario models one pool; its servers are not imported`);
      return;
    }
    const inPool = section === 'backend' || section === 'listen';
    if (backends > 1 && inPool) return;
    if (section === 'table-holder') return;
    // A peers section's tables are read by name (declaredTables); its peers are not modelled.
    if (section === 'peers' && keyword === 'table') return;
    if (section === 'global') {
      const seconds = keyword === 'hard-stop-after' ? haproxyTime(args[0] ?? '') : null;
      if (keyword === 'nbthread' && /^[1-9]\d*$/.test(args[0] ?? ''))
        proxyOnly.push({ path: ['lb', 'nbthread'], value: Number(args[0]), at, what: 'nbthread', tcpOnly: true });
      else if (seconds !== null)
        proxyOnly.push({
          path: ['lb', 'hard_stop_after'],
          value: formatDuration(seconds),
          at,
          what: 'hard-stop-after',
        });
      else if (!HARMLESS.has(keyword)) into.warn(at, `global '${keyword}' not modelled`);
      return;
    }
    switch (keyword) {
      case 'mode':
        mode = args[0] ?? mode;
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
        into.set(['lb', 'retries'], Number(args[0]), at);
        return;
      case 'timeout': {
        const [what, value] = args;
        const seconds = haproxyTime(value ?? '');
        if (what === 'connect' && seconds !== null) into.set(['lb', 'connect_timeout'], formatDuration(seconds), at);
        else if (what === 'check' && seconds !== null)
          into.set(['health_check', 'timeout'], formatDuration(seconds), at);
        else if (
          ['client', 'server', 'tunnel', 'queue', 'client-fin', 'server-fin'].includes(what ?? '') &&
          seconds !== null
        )
          proxyOnly.push({
            path: ['lb', `timeout_${what!.replace('-', '_')}`],
            value: formatDuration(seconds),
            at,
            what: `timeout ${what}`,
          });
        else if (what === 'http-keep-alive' && seconds !== null)
          proxyOnly.push({
            path: ['lb', 'http_keep_alive_timeout'],
            value: formatDuration(seconds),
            at,
            what: 'timeout http-keep-alive',
            httpOnly: true,
          });
        else if (what === 'http-request' && seconds !== null)
          // Its 408 needs a slow client, which drainsim has not; it is the idle timeout between
          // two requests when timeout http-keep-alive is unset (src/mux_h1.c h1_set_idle_expiration()).
          proxyOnly.push({
            path: ['lb', 'http_request_timeout'],
            value: formatDuration(seconds),
            at,
            what: 'timeout http-request',
            httpOnly: true,
          });
        else into.warn(at, `timeout ${what} not modelled`);
        return;
      }
      case 'option':
        if (args[0] === 'redispatch') into.set(['lb', 'redispatch'], true, at);
        // option persist (PR_O_PERSIST, src/cfgparse-listen.c): lb.persist, which needs the cookie.
        else if (args[0] === 'persist') persistAt = at;
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
        into.set(['lb', 'sticky'], 'cookie', at);
        return;
      case 'stick-table':
        // The pool's own table (its stick rules' default); a frontend's is another proxy's table,
        // which a backend's rule reaches only by name (`table <frontend>`, declaredTables).
        if (inPool) stick.table = { args, at, inPeers: false };
        else
          into.warn(
            at,
            `stick-table of ${section} '${sectionName}' not modelled (a table the pool's \`stick on src\` uses is)`,
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
      case 'default-server':
      case 'server': {
        if (keyword === 'server') {
          const name = (args[0] ?? `srv${servers.length + 1}`).replace(/[^A-Za-z0-9_.-]/g, '-');
          const w = option(args, 'weight');
          servers.push({ name, weight: w === null ? 1 : Number(w) });
          // A Deployment imported with this file names the pods behind HAProxy: its backends then.
          into.assume(
            ['backends'],
            [...servers],
            at,
            `backends (HAProxy's servers ${servers.map((s) => s.name).join(', ')})`,
            `the rollout replaces those pods${servers.some((s) => s.weight !== 1) ? "; the servers' weights are not imported" : ''}`,
          );
        }
        serverOptions(args, at, into);
        // Per server, its own or the default-server's: a value of each server line.
        const setting = (key: string): { value: string; at: string } | null => {
          const own = option(args, key);
          if (keyword === 'default-server') {
            if (own !== null) serverDefaults.set(key, { value: own, at });
            return null;
          }
          return own === null ? (serverDefaults.get(key) ?? null) : { value: own, at };
        };
        const maxconn = setting('maxconn');
        if (maxconn !== null)
          proxyOnly.push({
            path: ['lb', 'maxconn'],
            value: Number(maxconn.value),
            at: maxconn.at,
            what: 'server maxconn',
          });
        // Server maxqueue (0, the default, is no limit: srv->maxqueue > 0 in assign_server_and_queue()).
        const maxqueue = setting('maxqueue');
        if (maxqueue !== null && Number(maxqueue.value) > 0)
          proxyOnly.push({
            path: ['lb', 'maxqueue'],
            value: Number(maxqueue.value),
            at: maxqueue.at,
            what: 'server maxqueue',
          });
        const purge = setting('pool-purge-delay');
        const purgeSeconds = purge === null ? null : haproxyTime(purge.value);
        if (purgeSeconds !== null)
          proxyOnly.push({
            path: ['lb', 'pool_purge_delay'],
            value: formatDuration(purgeSeconds),
            at: purge!.at,
            what: 'pool-purge-delay',
            httpOnly: true,
          });
        return;
      }
      default:
        if (!HARMLESS.has(keyword)) into.warn(at, `'${keyword}' not modelled`);
    }
  });
  const proxy = mode === 'tcp' || mode === 'http';
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
      (t.path[1] === 'maxconn' || t.path[1] === 'maxqueue') &&
      proxyOnly.some((o) => o.path[1] === t.path[1] && o.value !== t.value)
    )
      into.warn(
        t.at,
        `server ${t.path[1]} differs between servers: lb.${t.path[1]} is one value for every server, not imported`,
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
  if (disableOn404At !== null) {
    // Only an HTTP check reads a status: with a tcp check HAProxy has nothing to apply it to.
    if (httpchk) into.set(['health_check', 'disable_on_404'], true, disableOn404At);
    else
      into.warn(
        disableOn404At,
        'http-check disable-on-404 not modelled without option httpchk (a tcp check reads no HTTP status)',
      );
  }
  const stickSource = stickOnSource(stick, tables.byName, cookie, proxy, mode, into);
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
  const maxconnServers = proxyOnly.filter((t) => t.path[1] === 'maxconn').length;
  if (proxy && maxconnServers > 0 && maxconnServers < servers.length)
    into.warn(
      proxyOnly.find((t) => t.path[1] === 'maxconn')!.at,
      'server maxconn is set on some servers only: lb.maxconn applies to every server',
    );
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

function serverOptions(args: string[], at: string, into: Imported): void {
  for (const key of ['inter', 'fastinter', 'downinter'] as const) {
    const v = option(args, key);
    const s = v === null ? null : haproxyTime(v);
    if (s !== null) into.set(['health_check', key], formatDuration(s), at);
  }
  for (const key of ['rise', 'fall'] as const) {
    const v = option(args, key);
    if (v !== null) into.set(['health_check', key], Number(v), at);
  }
  const slow = option(args, 'slowstart');
  const slowSeconds = slow === null ? null : haproxyTime(slow);
  if (slowSeconds !== null) into.set(['lb', 'slowstart'], formatDuration(slowSeconds), at);
}

function option(args: string[], key: string): string | null {
  const i = args.indexOf(key);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : null;
}

/** HAProxy times: a number with an optional unit us, ms (the default), s, m, h, d (doc/configuration.txt 2.5). */
export function haproxyTime(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?$/.exec(text);
  if (!m) return null;
  const unit = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}
