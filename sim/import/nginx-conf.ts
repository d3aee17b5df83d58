/**
 * nginx.conf → scenario values. nginx's grammar (src/core/ngx_conf_file.c ngx_conf_parse): words
 * separated by spaces, a directive ends with `;`, a block opens with `{` and closes with `}`,
 * `#` starts a comment, quotes group words. This reads that grammar exactly, `include` too (each
 * file in place, a relative name from the main file's directory as nginx's conf prefix), and maps
 * the directives drainsim models; the rest of the proxy and upstream directives are warnings with
 * their lines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { formatDuration } from '../scenario/units.js';
import type { Imported } from './imported.js';

interface Directive {
  name: string;
  args: string[];
  line: number;
  /** The file it is in, as `file:line` names it (an included file by its path from the main file's directory). */
  file: string;
  /** Enclosing blocks, outermost first: ['http', 'server', 'location']. */
  context: string[];
  /** Each enclosing block's opening as `file:line`, as `context`: which block a directive is in. */
  blockLines: string[];
}

/**
 * The directives of an nginx.conf text, tokenised as ngx_conf_read_token() (src/core/ngx_conf_file.c)
 * does. A backslash takes the next character as it is, wherever it is (`\;` and `\ ` inside a
 * word, `\"` inside quotes), and the word is then unescaped: `\"`, `\'`, `\\` are the character,
 * `\t`, `\r`, `\n` a tab, CR, LF, and a backslash before any other character stays with it
 * (`~ \.php$`). `{` right after `$` is part of the word (`${host}`), a `}` inside a word is a
 * character, `#` starts a comment only where a word could start. What nginx refuses to start on
 * (a closing quote not followed by a space, `;` or `{`; a `;` or `{` with no directive; a `}`
 * after a directive's words; the file ending inside a directive or a block) is refused through
 * `into` when given.
 */
export function nginxDirectives(text: string, file = '', into?: Imported): Directive[] {
  const out: Directive[] = [];
  const stack: string[] = [];
  const stackLines: string[] = [];
  let words: string[] = [];
  let wordLine = 0;
  let line = 1;
  let i = 0;
  // A quote still open at the end of the file.
  let unterminated = false;
  const refuse = (expected: string, found: string, why: string): void =>
    into?.refuse(`${file}:${line}`, {
      path: [...stack, ...words.slice(0, 1)].join(' › ') || '(top)',
      expected,
      found,
      why,
    });
  const space = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  const directive = (c: string): void => {
    out.push({
      name: words[0]!,
      args: words.slice(1),
      line: wordLine,
      file,
      context: [...stack],
      blockLines: [...stackLines],
    });
    if (c === '{') {
      stack.push(words[0]!);
      stackLines.push(`${file}:${wordLine}`);
    }
    words = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (space(c)) i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{') {
      if (words.length === 0) {
        refuse('a directive name before it', `'${c}'`, `nginx refuses it (unexpected "${c}")`);
        return out;
      }
      directive(c);
      i++;
    } else if (c === '}') {
      if (words.length > 0) {
        refuse('";" ending the directive', "'}'", 'nginx refuses it (unexpected "}")');
        return out;
      }
      if (stack.length === 0) {
        refuse('a block to close', "'}'", 'nginx refuses it (unexpected "}")');
        return out;
      }
      stack.pop();
      stackLines.pop();
      i++;
    } else {
      if (words.length === 0) wordLine = line;
      // The word as written (escapes kept, quotes dropped), then unescaped.
      let raw = '';
      if (c === '"' || c === "'") {
        i++;
        while (i < text.length && text[i] !== c) {
          if (text[i] === '\n') line++;
          if (text[i] === '\\' && i + 1 < text.length) {
            if (text[i + 1] === '\n') line++;
            raw += text[i++]!;
          }
          raw += text[i++]!;
        }
        if (i >= text.length) {
          unterminated = true;
          break;
        }
        i++;
        // need_space: only a space, `;`, `{` (or `)`, which starts the next word) may follow.
        const after = text[i];
        if (after !== undefined && !space(after) && after !== ';' && after !== '{' && after !== ')') {
          refuse(
            'a space, ";" or "{" after the closing quote',
            `'${after}'`,
            `nginx refuses it (unexpected "${after}")`,
          );
          return out;
        }
      } else {
        let variable = false;
        while (i < text.length) {
          const ch = text[i]!;
          if (ch === '{' && variable) {
            raw += ch;
            i++;
            continue;
          }
          variable = false;
          if (ch === '\\' && i + 1 < text.length) {
            if (text[i + 1] === '\n') line++;
            raw += ch + text[i + 1]!;
            i += 2;
            continue;
          }
          if (space(ch) || ch === ';' || ch === '{') break;
          if (ch === '$') variable = true;
          raw += ch;
          i++;
        }
      }
      words.push(unescapeWord(raw));
    }
  }
  if (words.length > 0 || unterminated) {
    refuse('";" or "}"', 'the end of the file', 'nginx refuses it (unexpected end of file, expecting ";" or "}")');
    return out;
  }
  if (stack.length > 0)
    refuse('"}"', 'the end of the file', 'nginx refuses it (unexpected end of file, expecting "}")');
  return out;
}

/** A word's escapes as ngx_conf_read_token() copies it out: \" \' \\ the character, \t \r \n the control, else kept. */
function unescapeWord(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const n = raw[i + 1];
    if (c === '\\' && (n === '"' || n === "'" || n === '\\')) {
      out += n;
      i++;
    } else if (c === '\\' && n === 't') {
      out += '\t';
      i++;
    } else if (c === '\\' && n === 'r') {
      out += '\r';
      i++;
    } else if (c === '\\' && n === 'n') {
      out += '\n';
      i++;
    } else out += c;
  }
  return out;
}

/** Directives with no bearing on connections during a drain: read without a warning. */
const HARMLESS = new Set([
  'user',
  'pid',
  'include',
  'events',
  'http',
  'server',
  'location',
  'server_name',
  'root',
  'index',
  'access_log',
  'error_log',
  'sendfile',
  'tcp_nopush',
  'types_hash_max_size',
  'default_type',
  'ssl_protocols',
  'ssl_prefer_server_ciphers',
  'gzip',
  'error_page',
  'try_files',
  'log_format',
  'proxy_pass',
  'proxy_http_version',
  'server_tokens',
  'charset',
  'types',
  'proxy_set_header',
  'upstream',
  'server_names_hash_bucket_size',
  'ssl_certificate',
  'ssl_certificate_key',
]);

/**
 * Blocks whose entries are `key value;` pairs, not directives (ngx_http_map_block and the like
 * parse them with their own handler): read as one block, never entry by entry.
 */
const VALUE_BLOCKS = new Set(['map', 'geo', 'split_clients', 'types', 'charset_map', 'match']);

/**
 * `include <file|glob>` replaced by the directives of the files it names, read in the include's
 * block (ngx_conf_include(), src/core/ngx_conf_file.c): a relative name is from the conf prefix,
 * the directory of the main file (ngx_conf_full_name(cycle, name, 1); `nginx -t -c
 * /etc/nginx/nginx.conf` resolves conf.d/site.conf's `include snippets/x.conf` as
 * /etc/nginx/snippets/x.conf), a glob's files in name order (glob(3)). A file that is not there
 * nginx refuses to start on ("open() … failed"); here, where the import may run away from the host,
 * it is a warning naming it, its directives not read. An included file's blocks are keyed by the
 * include line too (blockLines), so a file included twice has two sets of blocks.
 */
function withIncludes(directives: Directive[], prefix: string | null, into: Imported, depth = 0): Directive[] {
  const out: Directive[] = [];
  for (const d of directives) {
    if (d.name !== 'include' || d.context.some((c) => VALUE_BLOCKS.has(c))) {
      out.push(d);
      continue;
    }
    const at = `${d.file}:${d.line}`;
    const name = d.args[0] ?? '';
    if (prefix === null) {
      into.warn(
        at,
        `include ${name}: not read (the import was given the text, not its file); its directives are not imported`,
      );
      continue;
    }
    if (depth > 16) {
      into.fail(at, `include ${name}: includes nested past 16 files (an include loop?)`);
      continue;
    }
    const full = isAbsolute(name) ? name : join(prefix, name);
    let files: string[];
    if (/[*?[]/.test(basename(full))) {
      const dir = dirname(full);
      const pattern = new RegExp(
        `^${basename(full)
          .replace(/[.+^${}()|\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      files = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => pattern.test(f) && !f.startsWith('.'))
            .sort()
            .map((f) => join(dir, f))
        : [];
    } else if (existsSync(full)) files = [full];
    else {
      into.warn(
        at,
        `include ${name}: ${full} is not here (nginx refuses to start without it: "open() failed"); its directives are not imported`,
      );
      continue;
    }
    for (const f of files) {
      const label = isAbsolute(name) ? f : relative(prefix, f);
      const inner = nginxDirectives(readFileSync(f, 'utf8'), label, into).map((i) => ({
        ...i,
        context: [...d.context, ...i.context],
        blockLines: [...d.blockLines, ...i.blockLines.map((l) => `${at}>${l}`)],
      }));
      out.push(...withIncludes(inner, prefix, into, depth + 1));
    }
  }
  return out;
}

/**
 * The host name of a proxy_pass URL when it is one nginx resolves at startup (not an IP literal, a
 * unix: socket or a variable, resolved per request); null otherwise.
 */
function proxyPassHost(url: string): string | null {
  if (url.includes('$')) return null;
  const host = url.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
  if (host.startsWith('unix:') || host.startsWith('[')) return null;
  const name = host.replace(/:\d+$/, '');
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name === '' ? null : name;
}

export function importNginx(text: string, file: string, into: Imported, path: string | null = null): void {
  let upgrade = false;
  const directives = withIncludes(nginxDirectives(text, file, into), path === null ? null : dirname(path), into);
  duplicates(directives, into);
  const readTimeouts = proxyReadTimeouts(directives);
  const { server: modelled, why: modelledWhy, applying: inherited } = modelledServer(directives);
  const loopback = loopbackUpstreams(directives);
  for (const d of directives) {
    const at = `${d.file}:${d.line}`;
    if (d.context.some((c) => VALUE_BLOCKS.has(c))) continue;
    const inUpstream = d.context.includes('upstream');
    // A client-side setting of another server or location than the modelled one, or one the
    // modelled server overrides: not what its connections get (nginx merges loc_conf location →
    // server → http, ngx_http_core_merge_loc_conf / ngx_http_proxy_merge_loc_conf).
    const applies = inUpstream ? undefined : inherited.get(d.name);
    if (d.name === 'keepalive_timeout' && !inUpstream) keepaliveHeader(d, into);
    if (applies !== undefined && applies !== d) {
      // Not the modelled server's, but nginx parses it all the same: a time it refuses stops it
      // wherever it is written (ngx_conf_set_msec_slot / ngx_http_core_keepalive: "invalid value").
      if (INHERITED_TIMES.has(d.name) && nginxTime(d.args[0] ?? '') === null) invalidTime(d, into);
      if (d.name === 'keepalive_requests') count(d, into);
      if (applies === null || applies.args.join(' ') !== d.args.join(' '))
        into.warn(
          at,
          `${d.name} ${d.args.join(' ')} not imported: the modelled server (${modelled!.file}:${modelled!.line}, ${modelledWhy}) has ${applies === null ? "nginx's default" : `${applies.args.join(' ')} (${applies.file}:${applies.line})`}`,
        );
      continue;
    }
    const seconds = () => nginxTime(d.args[0] ?? '');
    const duration = (path: string[]) => {
      const s = seconds();
      // nginx refuses to start on it ("invalid value", ngx_conf_set_msec_slot): no scenario to give.
      if (s === null) invalidTime(d, into);
      else into.set(path, formatDuration(s), at);
    };
    switch (d.name) {
      case 'keepalive_timeout':
        duration(inUpstream ? ['nginx', 'upstream_keepalive_timeout'] : ['nginx', 'keepalive_timeout']);
        break;
      case 'keepalive_requests': {
        const n = count(d, into);
        if (n !== null)
          into.set(inUpstream ? ['nginx', 'upstream_keepalive_requests'] : ['nginx', 'keepalive_requests'], n, at);
        break;
      }
      case 'keepalive_time':
        duration(inUpstream ? ['nginx', 'upstream_keepalive_time'] : ['nginx', 'keepalive_time']);
        break;
      case 'keepalive':
        // NGX_HTTP_UPS_CONF only (ngx_http_upstream_keepalive_commands): elsewhere nginx refuses
        // to start ("\"keepalive\" directive is not allowed here").
        if (inUpstream) {
          const n = count(d, into, 1);
          if (n !== null) into.set(['nginx', 'upstream_keepalive'], n, at);
        } else
          into.fail(
            at,
            `keepalive ${d.args.join(' ')}: nginx refuses it outside upstream {} ("directive is not allowed here")`,
          );
        break;
      case 'proxy_read_timeout':
        // nginx refuses to start on an invalid value wherever it is written (ngx_conf_set_msec_slot),
        // not only in the location imported.
        if (seconds() === null) duration(['nginx', 'proxy_read_timeout']);
        else if (readTimeouts === null) duration(['nginx', 'proxy_read_timeout']);
        else if (readTimeouts.taken === d) duration(['nginx', 'proxy_read_timeout']);
        else if (readTimeouts.left.has(d)) into.warn(at, readTimeouts.left.get(d)!);
        else if (nginxTime(d.args[0] ?? '') !== readTimeouts.takenSeconds)
          into.warn(at, `proxy_read_timeout ${d.args.join(' ')} not imported: every location under it sets its own`);
        break;
      case 'worker_processes':
        workerProcesses(d.args[0] ?? '', at, into);
        break;
      case 'proxy_next_upstream':
        into.warn(at, nextUpstream(d.args));
        break;
      case 'proxy_next_upstream_tries':
        into.warn(
          at,
          `proxy_next_upstream_tries ${d.args.join(' ')}: no scenario key, and no effect on the model's nginx: its one upstream server is the VM's app, so nginx tries it once whatever the limit (u->peer.tries = min(servers, tries), ngx_http_upstream_init_request), and a retry after a cached connection's failure costs no try (ngx_http_upstream_next)`,
        );
        break;
      case 'map':
      case 'geo':
      case 'split_clients':
        into.warn(
          at,
          `${d.name} ${d.args.join(' ')} {…}: nginx variables, not modelled (the block's entries are not read)`,
        );
        break;
      case 'proxy_connect_timeout':
        duration(['nginx', 'proxy_connect_timeout']);
        break;
      case 'worker_shutdown_timeout':
        duration(['nginx', 'worker_shutdown_timeout']);
        break;
      case 'worker_connections':
        // events { worker_connections N; } (ngx_event_connections, src/event/ngx_event.c); unset,
        // nginx uses DEFAULT_CONNECTIONS 512, the schema's default.
        if (d.context.includes('events')) {
          const n = count(d, into);
          if (n !== null) into.set(['nginx', 'worker_connections'], n, at);
        } else
          into.fail(
            at,
            `worker_connections ${d.args.join(' ')}: nginx refuses it outside events {} ("directive is not allowed here")`,
          );
        break;
      case 'listen':
        importListen(d.args, at, into);
        break;
      case 'multi_accept':
        // The model's workers accept one connection per event-loop iteration (ngx_event_accept,
        // src/event/ngx_event_accept.c: `ev->available = ecf->multi_accept`); `on` drains the
        // accept queue at each wake-up instead, which the listen-queue model does not follow.
        if ((d.args[0] ?? '') === 'on')
          into.warn(
            at,
            'multi_accept on: not modelled (the workers are modelled accepting one connection per iteration)',
          );
        break;
      case 'proxy_set_header':
        if ((d.args[0] ?? '').toLowerCase() === 'upgrade') upgrade = true;
        break;
      case 'server':
        if (inUpstream && !loopback.servers.has(d))
          into.warn(at, `upstream server ${d.args[0]}: the app is one process per VM in drainsim`);
        break;
      case 'proxy_pass': {
        const host = proxyPassHost(d.args[0] ?? '');
        const peers = host === null ? undefined : loopback.byName.get(host);
        if (peers !== undefined) {
          into.set(['nginx', 'upstream_addresses'], peers, at);
          break;
        }
        if (host === null || directives.some((u) => u.name === 'upstream' && u.args[0] === host)) break;
        if (host.toLowerCase() === 'localhost')
          // nginx resolves the name when it reads its configuration (ngx_http_upstream_init_round_robin,
          // "an upstream implicitly defined by proxy_pass": ngx_inet_resolve_host → getaddrinfo
          // AF_UNSPEC), each address a peer of its own. With Debian's /etc/hosts (`127.0.0.1
          // localhost`, `::1 localhost ip6-localhost ip6-loopback`) glibc returns ::1 first
          // (RFC 6724 precedence; recorded in calibration/data/nginx-implicit-upstream.json).
          // Whether the app listens on both is the app's bind, which nginx.conf does not say:
          // both as listening, the schema's `listening: false` for an app bound to 127.0.0.1 only.
          into.set(
            ['nginx', 'upstream_addresses'],
            [
              { address: '::1', listening: true },
              { address: '127.0.0.1', listening: true },
            ],
            at,
          );
        else
          into.warn(
            at,
            `proxy_pass ${d.args[0]}: nginx resolves ${host} when it starts, to every address it has, each a peer of its own with max_fails=1 fail_timeout=10 (ngx_http_upstream_init_round_robin, an upstream implicitly defined by proxy_pass) — imported as one peer: state its addresses (\`getent ahosts ${host}\` on the VM) as nginx.upstream_addresses`,
          );
        break;
      }
      default:
        if (!HARMLESS.has(d.name)) into.warn(at, `'${d.name}' not modelled`);
    }
  }
  if (upgrade)
    into.warn(
      `${file}`,
      'WebSocket upgrade headers found: model the sessions under clients.ws (lifetime from drainsim fit)',
    );
}

/**
 * The directives the import reads whose handler nginx 1.22.1 refuses a second time in one block:
 * ngx_conf_set_msec_slot, _num_slot and _flag_slot (src/core/ngx_conf_file.c: `if (*msp !=
 * NGX_CONF_UNSET_MSEC) return "is duplicate"`), ngx_http_core_keepalive()
 * (src/http/ngx_http_core_module.c), ngx_event_connections() (src/event/ngx_event.c),
 * ngx_http_upstream_keepalive() (src/http/modules/ngx_http_upstream_keepalive_module.c),
 * ngx_set_worker_processes() (src/core/nginx.c). Not `listen`, `proxy_set_header` (lists) nor
 * `proxy_next_upstream` (ngx_conf_set_bitmask_slot ORs each line in).
 */
const ONCE_PER_BLOCK = new Set([
  'keepalive_timeout',
  'keepalive_requests',
  'keepalive_time',
  'keepalive',
  'proxy_read_timeout',
  'proxy_connect_timeout',
  'proxy_next_upstream_tries',
  'worker_processes',
  'worker_shutdown_timeout',
  'worker_connections',
  'multi_accept',
]);

/**
 * A directive of ONCE_PER_BLOCK written twice in one block (the same enclosing block, an included
 * file's lines counting as the including block's): nginx refuses to start, "\"keepalive_timeout\"
 * directive is duplicate" at the second line, whatever the values — exit 2 with file:line, path,
 * expected, found. The same directive in another block (http, then a server) is no duplicate:
 * each block has its own conf, merged later.
 */
function duplicates(directives: Directive[], into: Imported): void {
  const first = new Map<string, Directive>();
  for (const d of directives) {
    if (!ONCE_PER_BLOCK.has(d.name) || d.context.some((c) => VALUE_BLOCKS.has(c))) continue;
    const key = `${d.blockLines.join('/')}|${d.name}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, d);
      continue;
    }
    into.refuse(`${d.file}:${d.line}`, {
      path: [...d.context, d.name].join(' › '),
      expected: `one ${d.name} in this block (it is set at ${earlier.file}:${earlier.line})`,
      found: `a second '${[d.name, ...d.args].join(' ')}'`,
      why: `nginx refuses it ("${d.name}" directive is duplicate)`,
    });
  }
}

/**
 * `worker_processes N | auto` (ngx_set_worker_processes, src/core/nginx.c, 1.22.1): `auto` is
 * ngx_ncpu, the CPUs online on the host nginx starts on (sysconf(_SC_NPROCESSORS_ONLN) in
 * ngx_os_init, src/os/unix/ngx_posix_init.c; at least 1), which the import cannot know: it writes
 * 1 and says so. Anything but a number or `auto` nginx refuses ("invalid value").
 */
function workerProcesses(arg: string, at: string, into: Imported): void {
  if (arg === 'auto') {
    into.set(['nginx', 'worker_processes'], 1, at);
    into.warn(
      at,
      'worker_processes auto: one worker per CPU online on the host nginx runs on (ngx_ncpu = sysconf(_SC_NPROCESSORS_ONLN)), which the import cannot know: wrote nginx.worker_processes: 1 (a one-CPU host); set it to the CPU count of your VMs',
    );
  } else if (!/^\d+$/.test(arg)) into.fail(at, `worker_processes ${arg}: nginx refuses it (invalid value)`);
  else if (Number(arg) >= 1 && Number(arg) <= 1024) into.set(['nginx', 'worker_processes'], Number(arg), at);
  else into.warn(at, `worker_processes ${arg} not imported (nginx.worker_processes is 1 … 1024)`);
}

/**
 * `proxy_next_upstream` has no scenario key: the model's nginx is nginx's default (`error
 * timeout`). Its one upstream server is the VM's app, so the only retry is the one after a
 * request met the close of a cached keep-alive connection, which costs no try: it is sent again
 * on another connection unless it is a POST (non-idempotent; ngx_http_upstream_next,
 * src/http/ngx_http_upstream.c). Says whether the written value agrees with that.
 */
function nextUpstream(args: string[]): string {
  const head = `proxy_next_upstream ${args.join(' ')}: no scenario key; the model's nginx retries a request that met the close of a cached upstream connection (with 'error', nginx's default 'error timeout'), unless a POST, and has no other upstream server to try (the VM's app is its one server)`;
  if (args.includes('off') || !args.includes('error'))
    return `${head} — this value has no 'error', so nginx answers such a request 502 where the model retries it`;
  if (args.includes('non_idempotent'))
    return `${head} — this value's 'non_idempotent' retries a POST too, the model does not`;
  return `${head}, as this value does`;
}

/** Client-side and proxy settings of http, server and location that the modelled server's `location /` inherits. */
const INHERITED = ['keepalive_timeout', 'keepalive_requests', 'keepalive_time', 'proxy_connect_timeout'];
/** Those of INHERITED that are times (ngx_parse_time). */
const INHERITED_TIMES = new Set(['keepalive_timeout', 'keepalive_time', 'proxy_connect_timeout']);

/**
 * The `upstream NAME {}` blocks whose `server` lines are two or more loopback addresses of one port
 * (`server 127.0.0.1:8080; server [::1]:8080;`) with nginx's defaults (no parameter, or weight=1,
 * max_fails=1, fail_timeout=10s): the app of this VM on several addresses, each a peer as for an
 * implicit upstream (ngx_http_upstream_server: weight 1, max_fails 1, fail_timeout 10 by default;
 * ngx_http_upstream_init_round_robin: the servers in order, tries = peers), so imported as
 * nginx.upstream_addresses. Another block (other hosts or ports, other parameters, `backup`) stays
 * one peer with a warning per server.
 */
function loopbackUpstreams(directives: Directive[]): {
  byName: Map<string, Array<{ address: string; listening: true }>>;
  servers: Set<Directive>;
} {
  const byName = new Map<string, Array<{ address: string; listening: true }>>();
  const servers = new Set<Directive>();
  for (const u of directives) {
    if (u.name !== 'upstream' || u.args[0] === undefined) continue;
    const key = blockKey(directives, u).join('/');
    const own = directives.filter(
      (d) => d.name === 'server' && d.context[d.context.length - 1] === 'upstream' && d.blockLines.join('/') === key,
    );
    const parsed = own.map((d) => {
      const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]):(\d+)$/.exec(d.args[0] ?? '');
      const defaults = d.args.slice(1).every((a) => DEFAULT_SERVER_PARAMS.has(a));
      return m === null || !defaults ? null : { address: m[1]!.replace(/^\[|\]$/g, ''), port: m[2]! };
    });
    if (own.length < 2 || parsed.some((p) => p === null) || new Set(parsed.map((p) => p!.port)).size !== 1) continue;
    byName.set(
      u.args[0],
      parsed.map((p) => ({ address: p!.address, listening: true as const })),
    );
    for (const d of own) servers.add(d);
  }
  return { byName, servers };
}

/** An upstream `server` line's parameters that are nginx's defaults (ngx_http_upstream_server). */
const DEFAULT_SERVER_PARAMS = new Set(['weight=1', 'max_fails=1', 'fail_timeout=10', 'fail_timeout=10s']);

/** The key of a block's own opening in its children's blockLines (an included block's carries its include line). */
function blockKey(directives: Directive[], block: Directive): string[] {
  const prefix = block.blockLines.join('/');
  const child = directives.find(
    (d) =>
      d.blockLines.length === block.blockLines.length + 1 &&
      d.blockLines.slice(0, -1).join('/') === prefix &&
      d.blockLines[d.blockLines.length - 1]!.endsWith(`${block.file}:${block.line}`),
  );
  return [...block.blockLines, child?.blockLines[child.blockLines.length - 1] ?? `${block.file}:${block.line}`];
}

/**
 * The server block the scenario's nginx is — the first listening on 443 or `ssl` (the TLS port
 * the model's clients reach, as importListen reads it), else the first that proxies, else the
 * first — and, for each INHERITED directive, the one its location (the WebSocket one, else
 * `location /`, else the first that proxies) gets: the location's own, else the server's, else
 * http's (null: nginx's default). With no
 * server block the map is empty and the directives are read in file order.
 */
function modelledServer(directives: Directive[]): {
  server: Directive | null;
  why: string;
  applying: Map<string, Directive | null>;
} {
  const applying = new Map<string, Directive | null>();
  const servers = directives.filter((d) => d.name === 'server' && d.context[d.context.length - 1] === 'http');
  const inside = (block: string[], d: Directive) => d.blockLines.slice(0, block.length).join('/') === block.join('/');
  const keyed = servers.map((server) => ({ server, key: blockKey(directives, server) }));
  const tls = keyed.find(({ key }) =>
    directives.some(
      (d) =>
        d.name === 'listen' &&
        d.blockLines.join('/') === key.join('/') &&
        (d.args.includes('ssl') || /(^|:)443$/.test(d.args[0] ?? '')),
    ),
  );
  const proxies = keyed.find(({ key }) => directives.some((d) => d.name === 'proxy_pass' && inside(key, d)));
  const chosen = tls ?? proxies ?? keyed[0];
  if (chosen === undefined) return { server: null, why: '', applying };
  const why = tls ? 'the one on 443/ssl' : proxies ? 'the first that proxies' : 'the first';
  // Its location, as proxyReadTimeouts takes it: the WebSocket one (it passes Upgrade), else
  // `location /`, else the first that proxies.
  const locations = directives
    .filter((d) => d.name === 'location' && d.blockLines.join('/') === chosen.key.join('/'))
    .map((loc) => ({ loc, key: blockKey(directives, loc) }));
  const has = (key: string[], test: (d: Directive) => boolean) =>
    directives.some((d) => d.blockLines.join('/') === key.join('/') && test(d));
  const root = (
    locations.find(({ key }) =>
      has(key, (d) => d.name === 'proxy_set_header' && (d.args[0] ?? '').toLowerCase() === 'upgrade'),
    ) ??
    locations.find(({ loc }) => loc.args[loc.args.length - 1] === '/') ??
    locations.find(({ key }) => has(key, (d) => d.name === 'proxy_pass'))
  )?.key;
  const levels = [
    ...(root ? [root] : []),
    chosen.key,
    chosen.server.blockLines, // http's own directives
  ];
  for (const name of INHERITED) {
    const written = directives.filter((d) => d.name === name && !d.context.includes('upstream'));
    if (written.length === 0) continue;
    let found: Directive | null = null;
    for (const level of levels) {
      const here = written.filter((d) => d.blockLines.join('/') === level.join('/'));
      if (here.length > 0) {
        found = here[here.length - 1]!;
        break;
      }
    }
    applying.set(name, found);
  }
  return { server: chosen.server, why, applying };
}

/**
 * The scenario has one nginx.proxy_read_timeout, for both what it times in nginx: the wait for
 * an HTTP response and an upgraded WebSocket tunnel's silence. nginx reads it per location
 * (inherited from server and http), so when the locations disagree the import takes the value of
 * the WebSocket locations (those that pass `Upgrade`): a tunnel lives under it for its whole life,
 * a drain's subject; else that of `location /`, else the last. `taken` is the directive taken
 * (null: nginx's default 60s applies there), `left` the warning for each one not taken. Null when
 * the locations agree or none is written: then the directives are read in order.
 */
function proxyReadTimeouts(
  directives: Directive[],
): { taken: Directive | null; takenSeconds: number | null; left: Map<Directive, string> } | null {
  const timeouts = directives.filter((d) => d.name === 'proxy_read_timeout');
  const locations = directives.filter((d) => d.name === 'location');
  if (timeouts.length === 0 || locations.length === 0) return null;
  const blockOf = (lines: string[]) => lines.join('/');
  // The key a location's own block has in its directives' blockLines (an included one's carries its include line).
  const own = (loc: Directive) => {
    const inner = directives.find(
      (d) =>
        d.blockLines.length === loc.blockLines.length + 1 &&
        d.blockLines.slice(0, -1).join('/') === loc.blockLines.join('/') &&
        d.blockLines[d.blockLines.length - 1]!.endsWith(`${loc.file}:${loc.line}`),
    );
    return inner?.blockLines[inner.blockLines.length - 1] ?? `${loc.file}:${loc.line}`;
  };
  const wsBlocks = new Set(
    directives
      .filter((d) => d.name === 'proxy_set_header' && (d.args[0] ?? '').toLowerCase() === 'upgrade')
      .map((d) => blockOf(d.blockLines)),
  );
  // Each location's own timeout, else its nearest enclosing block's (nginx's merge of loc_conf).
  const effective = (loc: Directive): Directive | null => {
    const path = [...loc.blockLines, own(loc)];
    let best: Directive | null = null;
    for (const t of timeouts) {
      const key = blockOf(t.blockLines);
      const inScope = path.some((_, i) => blockOf(path.slice(0, i + 1)) === key) || t.blockLines.length === 0;
      if (inScope && (best === null || t.blockLines.length >= best.blockLines.length)) best = t;
    }
    return best;
  };
  const uses = locations.map((loc) => ({
    loc,
    ws: wsBlocks.has(blockOf([...loc.blockLines, own(loc)])),
    timeout: effective(loc),
  }));
  const secondsOf = (t: Directive | null) => (t === null ? 60 : nginxTime(t.args[0] ?? ''));
  if (new Set(uses.map((u) => secondsOf(u.timeout))).size <= 1) return null;
  const pick =
    uses.find((u) => u.ws) ?? uses.find((u) => u.loc.args[u.loc.args.length - 1] === '/') ?? uses[uses.length - 1]!;
  const kind = (u: (typeof uses)[number]) => (u.ws ? 'its WebSocket tunnels' : 'its HTTP responses');
  const named = (u: (typeof uses)[number]) =>
    `${u.timeout === null ? "nginx's default 60s" : `${u.timeout.args[0]} (${u.timeout.file}:${u.timeout.line})`} of location ${u.loc.args.join(' ')}, ${kind(u)}`;
  const left = new Map<Directive, string>();
  for (const u of uses) {
    if (u.timeout === null || u.timeout === pick.timeout || secondsOf(u.timeout) === secondsOf(pick.timeout)) continue;
    const before = left.get(u.timeout);
    const where = `location ${u.loc.args.join(' ')} (${kind(u)})`;
    left.set(
      u.timeout,
      before === undefined
        ? `proxy_read_timeout ${u.timeout.args[0]} for ${where} not imported: the scenario has one nginx.proxy_read_timeout for HTTP responses and WebSocket tunnels; took ${named(pick)}`
        : before.replace(' not imported', `, ${where} not imported`),
    );
  }
  return { taken: pick.timeout, takenSeconds: secondsOf(pick.timeout), left };
}

/**
 * `listen … backlog=N` (ngx_http_core_listen, src/http/ngx_http_core_module.c) sets
 * nginx.listen_backlog, which the model applies to the TLS port (:443), so only from a listen
 * on 443 or with `ssl`; without it nginx passes NGX_LISTEN_BACKLOG (511) to listen(), the
 * schema's default. `reuseport` (one socket per worker, SO_REUSEPORT) on that listen sets
 * nginx.reuseport: the kernel picks the worker by the 4-tuple hash; its one accept queue per
 * worker is not modelled (warned). `deferred` (TCP_DEFER_ACCEPT: queued only once data arrives)
 * changes what the queue holds and is not modelled: warned, not silently read.
 */
function importListen(args: string[], at: string, into: Imported): void {
  const text = `listen ${args.join(' ')}`;
  const tlsPort = args.includes('ssl') || /(^|:)443$/.test(args[0] ?? '');
  if (args.includes('reuseport')) {
    if (tlsPort) into.set(['nginx', 'reuseport'], true, at);
    into.warn(
      at,
      tlsPort
        ? `${text}: 'reuseport' read as nginx.reuseport (the worker by 4-tuple hash); its accept queue per worker is not modelled (one, shared)`
        : `${text}: 'reuseport' on a listen other than :443/ssl; nginx.reuseport is the TLS port's, not set`,
    );
  }
  if (args.includes('deferred'))
    into.warn(at, `${text}: 'deferred' not modelled (TCP_DEFER_ACCEPT: queued only once data arrives)`);
  const backlog = args.find((a) => a.startsWith('backlog='));
  if (backlog === undefined) return;
  if (!tlsPort) {
    into.warn(at, `${text}: backlog of a listen other than :443/ssl; nginx.listen_backlog is the TLS port's, not set`);
    return;
  }
  const n = Number(backlog.slice('backlog='.length));
  if (Number.isInteger(n) && n > 0) into.set(['nginx', 'listen_backlog'], n, at);
  else into.warn(at, `${text}: not a backlog nginx accepts`);
}

/**
 * A count as nginx reads it, ngx_atoi() (src/core/ngx_string.c): decimal digits only (no sign, no
 * unit), past NGX_MAX_INT_T_VALUE an error; null after refusing what nginx refuses —
 * ngx_conf_set_num_slot (keepalive_requests: "invalid number"), ngx_event_connections
 * (worker_connections: "invalid number"), ngx_http_upstream_keepalive (keepalive: "invalid value",
 * also 0, hence `min` 1). Before session 31 Number() of such a word imported NaN.
 */
function count(d: Directive, into: Imported, min = 0): number | null {
  const word = d.args[0] ?? '';
  const n = /^\d+$/.test(word) && BigInt(word) <= 2n ** 63n - 1n ? Number(word) : null;
  if (n !== null && n >= min) return n;
  into.refuse(`${d.file}:${d.line}`, {
    path: [...d.context, d.name].join(' › '),
    expected: `a whole number${min > 0 ? ` of at least ${min}` : ''} (digits only)`,
    found: `'${word}'`,
    why: `nginx refuses it (${d.name === 'keepalive_requests' ? `"${d.name}" directive invalid number` : d.name === 'keepalive' ? `invalid value "${word}" in "keepalive" directive` : `invalid number "${word}"`})`,
  });
  return null;
}

/**
 * A time nginx refuses to start on (ngx_parse_time's NGX_ERROR: ngx_conf_set_msec_slot or
 * ngx_http_core_keepalive return "invalid value"), as a refusal with the directive's path.
 */
function invalidTime(d: Directive, into: Imported): void {
  into.refuse(`${d.file}:${d.line}`, {
    path: [...d.context, d.name].join(' › '),
    expected:
      'a time (numbers with units w d h m s ms, in that order, each once; a bare last number is seconds; at most 2^63 − 1 ms)',
    found: `'${d.args[0] ?? ''}'`,
    why: `nginx refuses it ("${d.name}" directive invalid value)`,
  });
}

/**
 * keepalive_timeout's second argument, the `Keep-Alive: timeout=<n>` header nginx sends
 * (ngx_http_core_keepalive(), src/http/ngx_http_core_module.c: `keepalive_header =
 * ngx_parse_time(&value[2], 1)`, NGX_CONF_TAKE12): the scenario's clients do not read it, so a
 * valid one is not imported — but nginx refuses to start on an invalid one ("invalid value") or a
 * third argument ("invalid number of arguments"), and so does the import: exit 2.
 */
function keepaliveHeader(d: Directive, into: Imported): void {
  const at = `${d.file}:${d.line}`;
  const path = `${[...d.context, d.name].join(' › ')}`;
  if (d.args.length > 2)
    into.refuse(at, {
      path,
      expected: 'a timeout and at most a header timeout',
      found: `${d.args.length} arguments (${d.args.join(' ')})`,
      why: 'nginx refuses it (invalid number of arguments in "keepalive_timeout" directive)',
    });
  else if (d.args.length === 2 && nginxTime(d.args[1]!, true) === null)
    into.refuse(at, {
      path: `${path} (header timeout)`,
      expected: 'a time in seconds (units y M w d h m s, in that order, each once; no ms)',
      found: `'${d.args[1]}'`,
      why: 'nginx refuses it ("keepalive_timeout" directive invalid value)',
    });
}

/**
 * An nginx time in seconds, read as every directive imported here reads it: ngx_parse_time(line,
 * is_sec) (src/core/ngx_parse.c). is_sec 0 (the default here), a millisecond value, is what
 * ngx_conf_set_msec_slot (keepalive_time, the upstream's keepalive_timeout and keepalive_time,
 * proxy_read_timeout, proxy_connect_timeout, worker_shutdown_timeout) and ngx_http_core_keepalive
 * (keepalive_timeout's first argument) call: numbers each with a unit of w, d, h, m, s, ms, the
 * units in that order and each at most once (`1h30m`, quoted `"1m 5s"`); a last number without a
 * unit is seconds; y and M refused (`step` starts at st_month). is_sec 1, a value in seconds
 * (keepalive_timeout's second argument, the Keep-Alive header's timeout=), also takes y (365 d)
 * and M (30 d) and refuses ms. null where nginx returns NGX_ERROR and refuses the configuration
 * ("invalid value"): an unknown unit, units out of order or twice, no digit at all, a value past
 * ngx_int_t's range.
 */
export function nginxTime(text: string, isSec = false): number | null {
  // ngx_parse_time's steps, in the order the units must come.
  const START = 0;
  const YEAR = 1;
  const MONTH = 2;
  const WEEK = 3;
  const DAY = 4;
  const HOUR = 5;
  const MIN = 6;
  const SEC = 7;
  const MSEC = 8;
  const LAST = 9;
  // Its arithmetic is ngx_int_t's (64-bit on the hosts nginx runs on): NGX_MAX_INT_T_VALUE bounds
  // every digit appended (cutoff/cutlim), each unit's number (`max`, the bound divided by the
  // unit's scale) and the running total; past any of them it returns NGX_ERROR ("invalid value"),
  // e.g. 9223372036854776s or 106751991168d in a millisecond value.
  const MAX = 2n ** 63n - 1n;
  const cutoff = MAX / 10n;
  const cutlim = MAX % 10n;
  let step = isSec ? START : MONTH;
  let valid = false;
  let value = 0n;
  let total = 0n;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    i++;
    if (c >= '0' && c <= '9') {
      const digit = BigInt(c);
      if (value >= cutoff && (value > cutoff || digit > cutlim)) return null;
      value = value * 10n + digit;
      valid = true;
      continue;
    }
    let next: number;
    // The unit in seconds (1n with a 0 step: milliseconds themselves).
    let seconds: bigint;
    if (c === 'y') {
      // `if (step > st_start)`: only first, and only in seconds (st_month is already past it in ms).
      if (step > START) return null;
      [next, seconds] = [YEAR, 365n * 86400n];
    } else if (c === 'M') [next, seconds] = [MONTH, 30n * 86400n];
    else if (c === 'w') [next, seconds] = [WEEK, 7n * 86400n];
    else if (c === 'd') [next, seconds] = [DAY, 86400n];
    else if (c === 'h') [next, seconds] = [HOUR, 3600n];
    else if (c === 'm' && text[i] === 's') {
      if (isSec) return null;
      i++;
      [next, seconds] = [MSEC, 1n];
    } else if (c === 'm') [next, seconds] = [MIN, 60n];
    else if (c === 's') [next, seconds] = [SEC, 1n];
    else if (c === ' ') {
      // A number then a space: seconds, and the last unit (case ' ': `if (step >= st_sec)` refused).
      if (step >= SEC) return null;
      [next, seconds] = [LAST, 1n];
    } else return null;
    if (c !== ' ' && c !== 'y' && step >= next) return null;
    step = next;
    let scale = seconds;
    let max = MAX / seconds;
    if (step !== MSEC && !isSec) {
      scale *= 1000n;
      max /= 1000n;
    }
    if (value > max) return null;
    value *= scale;
    if (total > MAX - value) return null;
    total += value;
    value = 0n;
    while (text[i] === ' ') i++;
  }
  if (!valid) return null;
  // A last number without a unit: seconds.
  if (!isSec) {
    if (value > MAX / 1000n) return null;
    value *= 1000n;
  }
  if (total > MAX - value) return null;
  return isSec ? Number(total + value) : Number(total + value) / 1000;
}
