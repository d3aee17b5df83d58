// The haproxy.cfg of every calibration run; only the mode and `option redispatch` vary. The whole
// text is stored in each data file (stamp.haproxyCfg).

/**
 * Log format: one line per stream, `L <epoch s.ms> <server> <status> <termination state> <retries>
 * <Tw> <Tc> <Tt>`. %rc is the retry count, prefixed with "+" when the stream was redispatched
 * (configuration.txt 8.2.3 "retries"); %ts the two-letter termination state (8.5).
 */
const LOG_FORMAT = {
  http: 'L %Ts.%ms %s %ST %ts %rc %Tw %Tc %Tt',
  tcp: 'L %Ts.%ms %s - %ts %rc %Tw %Tc %Tt',
};

/**
 * serverOptions: appended to the default-server line (e.g. `fastinter 500ms`).
 * backendLines: extra lines of the backend (e.g. `timeout queue 1s`; a `balance …` line replaces
 * roundrobin).
 * servers: [{ name, port, options? }] — the backend's servers (default s1 :9001, s2 :9002); options
 * are appended to that server's line (e.g. `weight 2`).
 * cookie: http mode only — `cookie SRV insert indirect nocache`, servers `cookie s1` / `cookie s2`
 * (configuration.txt "cookie"): a client that returns the cookie sticks to its server.
 */
/**
 * globalLines / frontendLines (held-out round 3): extra lines of the `global` section (e.g.
 * `hard-stop-after 4s`) and of the frontend (e.g. `timeout client 2s`, a frontend setting).
 */
/**
 * defaultsLines (held-out round 26): extra lines of the `defaults` section, which the frontend
 * inherits too (e.g. `option abortonclose`, which HAProxy 2.6 reads for a complete HTTP/1 request
 * only on the frontend's proxy: src/stconn.c sc_conn_recv()).
 */
/** The two servers of every run recorded before the held-out runs (session 13). */
export const DEFAULT_SERVERS = [
  { name: 's1', port: 9001 },
  { name: 's2', port: 9002 },
];

export function haproxyConfig({
  mode,
  redispatch,
  socketPath,
  cookie = false,
  serverOptions = '',
  backendLines = [],
  frontendPort = 8000,
  servers = DEFAULT_SERVERS,
  globalLines = [],
  frontendLines = [],
  defaultsLines = [],
}) {
  const lines = (ls) => ls.map((l) => `    ${l}\n`).join('');
  const cookieLine = cookie ? '    cookie SRV insert indirect nocache\n' : '';
  const serverCookie = (name) => (cookie ? ` cookie ${name}` : '');
  return `global
    log stdout format raw local0 info
    stats socket ${socketPath} mode 600 level admin
    maxconn 2000
${lines(globalLines)}
defaults
    mode ${mode}
    log global
    log-format "${LOG_FORMAT[mode]}"
    retries 3
${redispatch ? '    option redispatch\n' : ''}${lines(defaultsLines)}    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind 127.0.0.1:${frontendPort}
${lines(frontendLines)}    default_backend be

backend be
${backendLines.find((l) => l.startsWith('balance ')) ? '' : '    balance roundrobin\n'}${lines(backendLines)}    option httpchk GET /health
${cookieLine}    default-server check inter 2s fall 3 rise 2${serverOptions ? ` ${serverOptions}` : ''}
${servers.map((sv) => `    server ${sv.name} 127.0.0.1:${sv.port}${serverCookie(sv.name)}${sv.options ? ` ${sv.options}` : ''}\n`).join('')}`;
}
