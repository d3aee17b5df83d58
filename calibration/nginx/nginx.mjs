// A private nginx inside a harness namespace: its own prefix (conf, pid, logs, temp paths) in a
// temporary directory, `daemon off` so the harness owns the master (killed with its process
// group on every exit path), `master_process on` so reload and quit work as in production.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelConfig } from '../lib/experiment.mjs';
import { spawnInNamespace, stopChild } from '../lib/netns.mjs';
import { sourceCommit } from '../lib/source-commit.mjs';

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** `nginx -v` (printed on stderr), or null when nginx is not installed. */
export function nginxVersion() {
  try {
    return execFileSync('sh', ['-c', `"$0" -v 2>&1`, NGINX], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/**
 * The nginx.conf of an experiment. opts: { workers, listenPort, backendPort, keepaliveTimeout,
 * proxyReadTimeout, proxyConnectTimeout (null: the 60-s default), workerShutdownTimeout (null: not set), keepaliveRequests (null: default),
 * workerConnections (null: 4096), clientHeaderTimeout (null: the 60-s default),
 * reuseport (listen … reuseport: one listening socket per worker, the kernel spreads connections),
 * defaultProxy (`location /` keeps nginx's defaults for the upstream request: HTTP/1.0, `Connection: close`),
 * pools: null | { count, keepalive, timeout, requests?, time? (keepalive_time, held-out round 23), upgrade? }, poolTimeouts (the pool locations set
 * proxy_read_timeout / proxy_connect_timeout as `location /` does) }. `pools` adds upstream blocks pool0…pool<count−1>
 * (same backend, each with its own `keepalive` cache) served at /pool<i>/, with upstream
 * keepalive (HTTP/1.1, `Connection ""`), so independent proxy→backend races run side by side.
 * pools.upgrade (held-out round 19): the pool locations also pass a WebSocket upgrade (`Upgrade
 * $http_upgrade`, `Connection upgrade` for it and `Connection ""` for any other request, the
 * usual map), so an upgrade and plain requests share the block's keep-alive cache.
 */
export function nginxConf(prefix, o) {
  const lines = confHead(prefix, 'calibration/nginx/nginx.mjs', o.workers ?? 1);
  if (o.workerShutdownTimeout != null) lines.push(`worker_shutdown_timeout ${o.workerShutdownTimeout};`);
  lines.push(
    `events { worker_connections ${o.workerConnections ?? 4096}; }`,
    'http {',
    '  log_format cal \'$msec $pid $connection $connection_requests $status $request_time "$request" $upstream_status\';',
    `  access_log ${prefix}/access.log cal;`,
    ...tempPaths(prefix),
    `  keepalive_timeout ${o.keepaliveTimeout ?? '75s'};`,
  );
  if (o.keepaliveRequests != null) lines.push(`  keepalive_requests ${o.keepaliveRequests};`);
  if (o.clientHeaderTimeout != null) lines.push(`  client_header_timeout ${o.clientHeaderTimeout};`);
  lines.push(
    "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
    `  upstream backend { server 127.0.0.1:${o.backendPort}; }`,
  );
  if (o.pools?.upgrade) lines.push("  map $http_upgrade $pool_connection { default upgrade; '' ''; }");
  const pools = o.pools ? Array.from({ length: o.pools.count }, (_, i) => i) : [];
  for (const i of pools) {
    lines.push(
      `  upstream pool${i} { server 127.0.0.1:${o.backendPort}; keepalive ${o.pools.keepalive}; keepalive_timeout ${o.pools.timeout};${o.pools.requests != null ? ` keepalive_requests ${o.pools.requests};` : ''}${o.pools.time != null ? ` keepalive_time ${o.pools.time};` : ''} }`,
    );
  }
  lines.push(
    '  server {',
    `    listen 127.0.0.1:${o.listenPort} backlog=4096${o.reuseport ? ' reuseport' : ''};`,
    '    location / {',
    '      proxy_pass http://backend;',
    // defaultProxy (session 28, the upstream close race): nginx's own defaults for the upstream
    // request, proxy_http_version 1.0 with `Connection: close` (ngx_http_proxy_module.c
    // ngx_http_proxy_headers: "Connection: close"), as a site without upstream keepalive has it.
    ...(o.defaultProxy
      ? []
      : [
          '      proxy_http_version 1.1;',
          '      proxy_set_header Upgrade $http_upgrade;',
          '      proxy_set_header Connection $connection_upgrade;',
        ]),
    `      proxy_read_timeout ${o.proxyReadTimeout ?? '60s'};`,
    ...(o.proxyConnectTimeout != null ? [`      proxy_connect_timeout ${o.proxyConnectTimeout};`] : []),
    '    }',
  );
  for (const i of pools) {
    // poolTimeouts (held-out round 13): the pool locations take proxy_read_timeout and
    // proxy_connect_timeout too (without it they keep nginx's 60-s defaults, as every earlier pool
    // experiment's nginx.conf did).
    const timeouts = o.poolTimeouts
      ? ` proxy_read_timeout ${o.proxyReadTimeout ?? '60s'};${o.proxyConnectTimeout != null ? ` proxy_connect_timeout ${o.proxyConnectTimeout};` : ''}`
      : '';
    const connection = o.pools.upgrade
      ? ' proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $pool_connection;'
      : ' proxy_set_header Connection "";';
    lines.push(
      `    location /pool${i}/ { proxy_pass http://pool${i}; proxy_http_version 1.1;${connection}${timeouts} }`,
    );
  }
  lines.push('  }', '}');
  return `${lines.join('\n')}\n`;
}

/**
 * The main-context lines every experiment's nginx.conf starts with: the harness owns the master
 * (`daemon off`), reload and quit work as in production (`master_process on`), everything lives in
 * the prefix.
 */
export function confHead(prefix, writtenBy, workers) {
  return [
    `# written by ${writtenBy}`,
    `worker_processes ${workers};`,
    'daemon off;',
    'master_process on;',
    'user root root;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log notice;`,
    'worker_rlimit_nofile 8192;',
  ];
}

/** The http-context temp paths, inside the prefix (nginx's defaults are system paths). */
export function tempPaths(prefix) {
  return ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
    (k) => `  ${k === 'body' ? 'client_body' : k}_temp_path ${prefix}/tmp/${k};`,
  );
}

/**
 * Start nginx in the namespace and wait (≤ 10 s) until `ready(workers)` holds for its master's
 * worker processes; returns the child and the master's pid, or throws with nginx's own words.
 */
export async function startNginxReady(ns, prefix, wrap, ready) {
  const nginx = startNginx(ns, prefix, wrap);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const pid = readPid(prefix);
    const workers = pid ? (nginxChildren(pid) ?? []).filter((k) => k.title.includes('worker process')) : [];
    if (pid && ready(workers)) return { nginx, master: pid };
  }
  stopChild(nginx);
  throw new Error(`nginx did not start: ${nginx.stderrText ?? ''}${readLog(prefix, 'error.log')}`);
}

export function makePrefix(conf) {
  const prefix = mkdtempSync(join(tmpdir(), 'drainsim-nginx-'));
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, 'tmp'));
  writeFileSync(join(prefix, 'nginx.conf'), conf(prefix));
  return prefix;
}

export function removePrefix(prefix) {
  rmSync(prefix, { recursive: true, force: true });
}

export function startNginx(ns, prefix, wrap = []) {
  const child = spawnInNamespace(ns, [...wrap, NGINX, '-p', prefix, '-c', join(prefix, 'nginx.conf')]);
  child.stdout.resume();
  child.stderr.on('data', (d) => {
    child.stderrText = `${child.stderrText ?? ''}${d}`.slice(-4000);
  });
  return child;
}

/** `nginx -s <signal>` exactly as an operator types it (reads the pid file, sends the signal). */
export function nginxSignal(ns, prefix, signal) {
  // Its "signal process started" notice goes to stderr: keep it out of the harness's output.
  return execFileSync(
    'ip',
    ['netns', 'exec', ns, NGINX, '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-s', signal],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

export function readPid(prefix) {
  const file = join(prefix, 'nginx.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : null;
}

/** The master's children: pid and title ("nginx: worker process [is shutting down]"). */
export function nginxChildren(masterPid) {
  let kids;
  try {
    kids = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return null; // the master is gone
  }
  return kids.map((pid) => {
    let title = '';
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {}
    return { pid: Number(pid), title };
  });
}

export function readLog(prefix, name) {
  try {
    return readFileSync(join(prefix, name), 'utf8');
  } catch {
    return '';
  }
}

/**
 * What every nginx recording states about the run that made it (its `stamp`): nginx, kernel and
 * node versions, the kernel config the model reads (CONFIG_HZ …), when, the load before and after,
 * the scheduling asked for and got, and the nginx.conf used (its temporary prefix elided).
 */
export function recordingStamp(prefix, { started, loadavgAtStart, scheduling }) {
  return {
    nginx: nginxVersion(),
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    kernelConfig: kernelConfig(),
    node: process.version,
    date: started.toISOString(),
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    loadavgAtStart,
    scheduling,
    nginxConf: readLog(prefix, 'nginx.conf').replaceAll(prefix, '<prefix>'),
    sourceCommit: sourceCommit(),
  };
}
