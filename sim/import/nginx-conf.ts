/**
 * nginx.conf → scenario values. nginx's grammar (src/core/ngx_conf_file.c ngx_conf_parse): words
 * separated by spaces, a directive ends with `;`, a block opens with `{` and closes with `}`,
 * `#` starts a comment, quotes group words. This reads that grammar exactly (without `include`)
 * and maps the directives drainsim models; the rest of the proxy and upstream directives are
 * warnings with their lines.
 */
import { formatDuration } from '../scenario/units.js';
import type { Imported } from './imported.js';

interface Directive {
  name: string;
  args: string[];
  line: number;
  /** Enclosing blocks, outermost first: ['http', 'server', 'location']. */
  context: string[];
}

export function nginxDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  const stack: string[] = [];
  let words: string[] = [];
  let wordLine = 0;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === ';' || c === '{') {
      if (words.length > 0) {
        out.push({ name: words[0]!, args: words.slice(1), line: wordLine, context: [...stack] });
        if (c === '{') stack.push(words[0]!);
      }
      words = [];
      i++;
    } else if (c === '}') {
      stack.pop();
      words = [];
      i++;
    } else {
      if (words.length === 0) wordLine = line;
      let word = '';
      if (c === '"' || c === "'") {
        const q = c;
        i++;
        while (i < text.length && text[i] !== q) word += text[i++]!;
        i++;
      } else {
        while (i < text.length && !/[\s;{}]/.test(text[i]!)) word += text[i++]!;
      }
      words.push(word);
    }
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
  'worker_processes',
  'error_page',
  'try_files',
  'log_format',
  'proxy_pass',
  'proxy_http_version',
  'server_tokens',
  'charset',
  'map',
  'proxy_set_header',
  'upstream',
  'server_names_hash_bucket_size',
  'ssl_certificate',
  'ssl_certificate_key',
]);

export function importNginx(text: string, file: string, into: Imported): void {
  let upgrade = false;
  for (const d of nginxDirectives(text)) {
    const at = `${file}:${d.line}`;
    const inUpstream = d.context.includes('upstream');
    const seconds = () => nginxTime(d.args[0] ?? '');
    const duration = (path: string[]) => {
      const s = seconds();
      if (s === null) into.warn(at, `${d.name} ${d.args.join(' ')}: not a time nginx reads`);
      else into.set(path, formatDuration(s), at);
    };
    switch (d.name) {
      case 'keepalive_timeout':
        duration(inUpstream ? ['nginx', 'upstream_keepalive_timeout'] : ['nginx', 'keepalive_timeout']);
        break;
      case 'keepalive_requests':
        into.set(
          inUpstream ? ['nginx', 'upstream_keepalive_requests'] : ['nginx', 'keepalive_requests'],
          Number(d.args[0]),
          at,
        );
        break;
      case 'keepalive':
        if (inUpstream) into.set(['nginx', 'upstream_keepalive'], Number(d.args[0]), at);
        break;
      case 'proxy_read_timeout':
        duration(['nginx', 'proxy_read_timeout']);
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
        if (d.context.includes('events')) into.set(['nginx', 'worker_connections'], Number(d.args[0]), at);
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
        if (inUpstream) into.warn(at, `upstream server ${d.args[0]}: the app is one process per VM in drainsim`);
        break;
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

/** nginx times: a number with ms, s (default), m, h, d, w, M, y (ngx_parse_time), possibly compound (1h30m). */
export function nginxTime(text: string): number | null {
  if (!/^(\d+(ms|s|m|h|d|w|M|y)?)+$/.test(text)) return null;
  const units: Record<string, number> = {
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    M: 2592000,
    y: 31536000,
  };
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|M|y)?/g)) total += Number(m[1]) * units[m[2] ?? 's']!;
  return total;
}
