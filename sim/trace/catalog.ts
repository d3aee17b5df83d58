/**
 * The one catalog of trace records: for each kind (records.ts), the operator's log line exactly as
 * events.log prints it, and the plain-language explanation `drainsim explain` writes under it.
 * Both read only the record, which carries the settings in force and the counts it needs.
 *
 * Result readers (explain, reports, tests) import this; the model never does: it emits records,
 * and the run's result turns them into lines (sim/trace/log-lines.ts).
 */
import { RANDOMIZED_FACTOR } from '../scenario/schema.js';
import { formatDuration } from '../scenario/units.js';
import { formatNumber } from '../util/format-number.js';
import type { BackoffSetting, TraceKind, TraceOf, TraceRecord } from './records.js';

export type LogSource = 'lb' | 'nginx' | 'hc' | 'k8s' | 'app' | 'kernel' | 'deploy' | 'client';

/** How explain colours a line (a subset of reports/colorize.ts Tone): lines an operator would worry about. */
export type TraceTone = 'warn' | 'fail';

export interface CatalogEntry<R> {
  /** Component in brackets in the log. */
  source: LogSource;
  /** The operator's line, byte for byte what events.log has always printed. */
  line: (r: R) => string;
  /** How explain colours the line: warn for lines an operator would worry about. */
  tone?: TraceTone;
  /**
   * For a record repeated through a phase, which repeat explain writes the explanation for: the
   * first (the default) or the last, for progress records whose story is where they ended.
   */
  noteOn?: 'first' | 'last';
  /** Records of one kind that tell different stories (readiness up vs down) group apart. */
  variant?: (r: R) => string;
  explain: (r: R) => string;
}

const n = formatNumber;
const d = formatDuration;

/** nginx.upstream_closed / _reset on a cached connection: the retry (ngx_http_upstream_next, peer.cached). */
const RETRIED_ON_CACHED =
  ' — after one more try: the request went on a connection from the keep-alive cache, and a failure there gives back a try (ngx_http_upstream_next: peer.cached), so a GET is sent again at once (a POST is not). ' +
  "With the app's process gone its listener is closed and that connect is refused: 502 all the same.";

/** Why nginx's handshake to the app was a full one (nginx.upstream_tls_full). */
const UPSTREAM_TLS_FULL_WHY = {
  first: 'no session saved yet in this worker',
  expired: "the saved session is older than the app's session timeout",
  app_restarted: 'the app restarted since: its new process cannot decrypt the old ticket',
  no_tickets: 'the app issues no session tickets',
} as const;

/** What a client reads when the L4 balancer gives up on its connection. */
function sees(what: 'EOF' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'EHOSTUNREACH' | 'client_timeout'): string {
  if (what === 'EOF') return 'the client, whose connection the L4 proxy had accepted, reads EOF (socket hang up).';
  if (what === 'EHOSTUNREACH') return 'the client sees EHOSTUNREACH (113: No route to host).';
  // Behind a NAT the connect timeout is the client's own timer: its library's error, not an errno.
  if (what === 'client_timeout')
    return "the client's own connect timer expired first (a NAT has no timeout connect: lb.connect_timeout stands for the client's, as curl --connect-timeout or Go's Dialer.Timeout): its library's timeout error (err_client_timeout), not the kernel's ETIMEDOUT, which comes only once tcp_syn_retries are spent.";
  return `the client sees ${what}.`;
}
/** Linux TIME_WAIT length (TCP_TIMEWAIT_LEN), fixed in the kernel. */
const TIME_WAIT_SECONDS = 60;

/** An estimate to the minute, or to the hour beyond a day: more digits would claim precision it lacks. */
/** What nginx read when HAProxy's timeout closed its server side (lb/timeouts.ts ProxyTimeout). */
function proxyServerSide(nginxReset: boolean, bare = false): string {
  const server = bare ? 'the app' : 'nginx';
  return nginxReset
    ? `${bare ? "The app's" : "nginx's"} FIN was followed at once by an RST (counted in reset_in): HAProxy closed its server connection before ${server} answered, and it closes those with SO_LINGER 0.`
    : `Only timeout client expired: HAProxy shut its server side for writing, waited for ${server} to close and only then closed the client side, so nobody was reset and HAProxy holds both TIME_WAITs.`;
}

function roughly(seconds: number): number {
  const unit = seconds >= 86_400 ? 3600 : 60;
  return Math.max(unit, Math.round(seconds / unit) * unit);
}

function backoff(b: BackoffSetting): string {
  const factor = b.policy === 'randomized' ? ` ± ${Math.round((b.factor ?? RANDOMIZED_FACTOR) * 100)} %` : '';
  return `${b.policy}${factor} backoff from ${d(b.base)} capped at ${d(b.cap)}`;
}

/** Settings as a config-change line lists them: `keepalive_timeout=2s http_rate=25`. */
function describe(o: Readonly<Record<string, unknown>>): string {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' && k.endsWith('timeout') ? formatDuration(v) : String(v)}`)
    .join(' ');
}

/** Session ages are logged to the minute, like `avg_age=2h 11m`. */
function formatAge(seconds: number): string {
  return formatDuration(Math.round(seconds / 60) * 60);
}

/** Milliseconds as the log writes them: rounded to the millisecond. */
function toMillis(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

const DEPENDENCY_STATE = {
  down: 'dead (every query fails)',
  slow: 'slow (queries take seconds)',
  up: 'healthy again',
} as const;

type Catalog = { readonly [K in TraceKind]: CatalogEntry<TraceOf<K>> };

/** How clients reconnect after a drain notice (clients/backoff.ts retryAfterDelay). */
function reconnectAfterNotice(honor: boolean, policy: string, retryAfterS: number): string {
  const retryAfter = `${Math.round(retryAfterS)}s`;
  if (!honor) return `These clients ignore retryAfter and reconnect after their own ${policy} backoff.`;
  // retryAfter is a minimum; a jittering policy spreads over [retryAfter, 2·retryAfter).
  if (policy.includes('jitter') || policy === 'randomized')
    return `Each client waits retryAfter plus a random delay within ${retryAfter} (${policy}), so the reconnects reach the other backends spread over ${retryAfter} instead of as one storm.`;
  return `These clients honour retryAfter without jitter (${policy}): they all wait exactly ${retryAfter} and reconnect in the same second, a storm on the other backends, only later.`;
}

export const CATALOG: Catalog = {
  // ── load balancer ────────────────────────────────────────────────────────────────────────────
  'lb.bound': {
    source: 'lb',
    line: (r) => `backend ${r.backend} bound: new connections accepted (BOUND)`,
    explain: (r) =>
      `${r.backend} is in the LB pool again: new connections go to it (balance ${r.balance}). ` +
      'Existing connections stay where they are, so it fills up only as clients open new ones.',
  },
  'lb.drain': {
    source: 'lb',
    // active_conn: the gauge and the gate's figure (behind lb.mode l7, HAProxy's scur, sv->cur_sess).
    line: (r) => `backend=${r.backend} unbind+drain: new_conn blocked, active_conn=${r.active} kept (DRAINING)`,
    explain: (r) => {
      const ws =
        r.wsSessions > 0
          ? ` ${n(r.wsSessions)} of them are WebSocket sessions, which end only when their users leave.`
          : '';
      return (
        `The drain starts: the LB sends ${r.backend} no new connections but keeps routing its ${n(r.active)} existing flows (active_conn; behind lb.mode l7, HAProxy's scur). ` +
        `Each leaves only when it ends by itself (the client is done, or nginx closes it after ${d(r.keepaliveTimeout)} idle), ` +
        `so the drain lasts as long as the longest-lived connection.${ws}`
      );
    },
  },
  'lb.set_state': {
    source: 'lb',
    // HAProxy's own messages for the admin states (src/server.c srv_update_status()).
    line: (r) =>
      r.state === 'ready'
        ? `Server be/${r.backend} is UP/READY. ${r.left} active and 0 backup servers online.`
        : r.state === 'drain'
          ? `Server be/${r.backend} enters drain mode. ${r.left} active and 0 backup servers left. ${r.active} sessions active.`
          : `Server be/${r.backend} is going DOWN for maintenance. ${r.left} active and 0 backup servers left. ${r.active} sessions active.`,
    variant: (r) => r.state,
    explain: (r) =>
      r.state === 'ready'
        ? `An operator sets ${r.backend} ready (\`set server … state ready\`): it takes new connections and requests again.`
        : r.state === 'drain'
          ? `An operator drains ${r.backend} (\`set server … state drain\`): no new connection or request is load-balanced to it, but its ${n(r.active)} established streams carry on and users whose cookie names it still reach it (HAProxy honours the cookie unless the server is stopped).`
          : `An operator puts ${r.backend} in maintenance (\`set server … state maint\`): nothing new reaches it, not even users holding its cookie, who are load-balanced elsewhere; its ${n(r.active)} established streams carry on unless shut down.`,
  },
  'lb.shutdown_sessions': {
    source: 'lb',
    line: (r) =>
      r.cause === 'command'
        ? `shutdown sessions server be/${r.backend}: ${r.streams} streams closed`
        : r.cause === 'maint'
          ? `Server be/${r.backend} going DOWN for maintenance with on-marked-down shutdown-sessions: ${r.streams} streams closed`
          : `Server be/${r.backend} marked DOWN with on-marked-down shutdown-sessions: ${r.streams} streams closed`,
    variant: (r) => r.cause,
    explain: (r) =>
      `HAProxy closes the ${n(r.streams)} streams still attached to ${r.backend} at once (${r.cause === 'command' ? "the runtime API's `shutdown sessions server`" : r.cause === 'maint' ? '`on-marked-down shutdown-sessions`, as the server goes from running into maintenance (srv_update_status(), src/server.c)' : '`on-marked-down shutdown-sessions`, as the health check marks it DOWN'}): ` +
      "in lb.mode l4 each client reads a FIN after any data already buffered, never an RST, and must reconnect; in l7 a request waiting for its response is answered 502 if it was its connection's first, else its kept-alive connection is closed with no response, unless `retry-on empty-response` sends it again (http_wait_for_response(), src/http_ana.c). The server side is closed too, with a FIN and then an RST (HAProxy closes a server connection whose FIN it has not read with SO_LINGER 0), counted in reset_in.",
  },
  'lb.reload': {
    source: 'lb',
    line: (r) =>
      `reload: new process takes new connections; old process soft-stops with ${r.streams} streams${Number.isFinite(r.hardStopAfter) ? ` (hard-stop-after ${d(r.hardStopAfter)})` : ''}`,
    explain: (r) =>
      `The balancer was reloaded: a new process now accepts every new connection and the old one stops listening but keeps its ${n(r.streams)} streams running. ` +
      (Number.isFinite(r.hardStopAfter)
        ? `hard-stop-after ends whatever is left ${d(r.hardStopAfter)} later.`
        : 'Without hard-stop-after the old process lives as long as its longest stream (a WebSocket can keep it for days).'),
  },
  'lb.hard_stop': {
    source: 'lb',
    // HAProxy's warnings (src/proxy.c hard_stop()).
    line: (r) =>
      r.exiting
        ? `Some tasks resisted to hard-stop, exiting now: ${r.streams} streams of departed clients closed`
        : `soft-stop running for too long, performing a hard-stop: ${r.streams} streams closed`,
    variant: (r) => (r.exiting ? 'exit' : 'stop'),
    tone: 'warn',
    explain: (r) =>
      r.exiting
        ? `One second after its hard stop the old process still had ${n(r.streams)} streams whose clients had closed towards a silent server: stream_shutdown() skips a stream whose request side is already shut, so they resisted, and HAProxy exits (hard_stop() runs again: "Some tasks resisted to hard-stop, exiting now"). Their server slots go with the process.`
        : `hard-stop-after (${d(r.after)}) expired: the old process shuts the ${n(r.streams)} streams it still held (HAProxy hard_stop(), stream_shutdown()); each client reads a FIN and must reconnect, to the new process; nginx reads a FIN then an RST (counted in reset_in).`,
  },
  'lb.soft_stop_clients': {
    source: 'lb',
    line: (r) =>
      `old process closed ${r.idleClosed} idle client connections; ${r.busy} busy ones close after their response (Connection: close)`,
    explain: (r) =>
      `The reloaded balancer's old process is stopping (HAProxy mode http): it closed its ${n(r.idleClosed)} idle keep-alive client connections at once (h1_process() releases an idle front connection of a stopping proxy, src/mux_h1.c) and answers the ${n(r.busy)} with a request in flight with "Connection: close". Their clients send their next request on a new connection, to the new process: no request fails, unless one was already on its way as the FIN left (RST). close-spread-time would spread these closes over a window.`,
  },
  'lb.server_side_timeout': {
    source: 'lb',
    line: (r) =>
      r.cause === 'reset'
        ? `${r.backend}: stream of a departed client reset by the rebooted server after ${d(r.after)} of silence`
        : r.cause === 'retries2'
          ? `${r.backend}: stream of a departed client ended by the balancer's kernel (tcp_retries2) after ${d(r.after)} of retransmissions`
          : r.cause === 'server-fin'
            ? `${r.backend}: stream of a departed client closed ${d(r.after)} after its FIN reached the silent server (timeout server-fin)`
            : `${r.backend}: stream of a departed client closed after ${d(r.after)} of server silence`,
    variant: (r) => r.cause,
    explain: (r) =>
      `A client closed its connection while ${r.backend} was silent (a vanished host). In tcp mode HAProxy only relays the FIN and keeps the stream — still in ${r.backend}'s sessions (the DOWN line's "sessions active", leastconn, maxconn; \`shutdown sessions\` and hard-stop skip it) — until the server side's read timeout (timeout server or tunnel from the last exchange, timeout server-fin from the relayed FIN where set; without them, until the kernel gives up retransmitting)` +
      (r.cause === 'reset'
        ? `, or until the host is back: ${d(r.after)} after the segment it never acknowledged, a retransmission reached ${r.backend}'s new kernel, which answered with an RST; HAProxy read the error, ended the stream and freed the slot.`
        : r.cause === 'retries2'
          ? `. The balancer host's kernel gave up first: ${d(r.after)} after the segment ${r.backend} never acknowledged, its retransmissions ran past tcp_retries2 (lb.kernel; a time, not a count: retransmits_timed_out(), net/ipv4/tcp_timer.c) and the socket failed with ETIMEDOUT; HAProxy read the error, ended the stream and freed the slot.`
          : r.cause === 'server-fin'
            ? `, ${d(r.after)} after it relayed the client's FIN: timeout server-fin counts from that FIN (sc_app_shutw_conn(), src/stconn.c, re-arms the server side's read timeout with it), not from the last exchange. Now it closes the server socket (an RST) and frees the slot.`
            : `, ${d(r.after)} after its last exchange with the server. Now it closes the server socket (an RST) and frees the slot.`),
  },
  'lb.remove': {
    source: 'lb',
    line: (r) => `backend ${r.backend} removed from pool abruptly`,
    explain: (r) => {
      const flows = `its ${n(r.active)} established flows (active_conn)`;
      if (!r.resetsFlows) {
        return `${r.backend} left the pool without drain, but this LB keeps existing flows (lb.remove_resets_flows: false): ${flows} carry on; new connections go elsewhere.`;
      }
      return `${r.backend} left the pool without drain: ${flows} have no path any more; the LB answers their next packets with RST.`;
    },
  },
  'lb.reset_summary': {
    source: 'lb',
    line: (r) => `reset_out=${r.peak}/s active_conn dropped ${r.activeBefore} -> ${r.activeAfter} in 10s`,
    explain: (r) =>
      `Ten seconds after the cut, RSTs peaked at ${n(r.peak)}/s and ${n(r.activeBefore - r.activeAfter)} of the ${n(r.activeBefore)} forgotten flows are gone. ` +
      "A flow dies only when its client next sends something, so the collapse follows the clients' think time: " +
      `the ${n(r.activeAfter)} still idle will meet their RST later.`,
  },
  'lb.draining': {
    source: 'lb',
    line: (r) =>
      `backend=${r.backend} draining new_conn=${r.newConn} active_conn=${r.active} drain_rate=${r.drainRate.toFixed(1)}/min`,
    noteOn: 'last',
    explain: (r) => {
      if (r.newConn > 0)
        return `The deploy gate polls ${r.backend}: ${n(r.newConn)} new flows still arrived since the last poll, so the gate cannot pass yet (it needs new == 0).`;
      const head = `The deploy gate polls ${r.backend}: no new flows, ${n(r.active)} still open`;
      if (r.active < r.gateThreshold) return `${head}, under the gate's threshold of ${r.gateThreshold}.`;
      // The rate as the line shows it, so the note and the line agree.
      const rate = Number(r.drainRate.toFixed(1));
      if (rate >= 0)
        return `${head}, and the number is not falling: nothing is ending these connections. The gate waits at most ${d(r.gateMaxWait)}.`;
      const eta = ((r.active - r.gateThreshold) / -rate) * 60;
      const verdict =
        eta > r.gateMaxWait
          ? `longer than the gate's max_wait of ${d(r.gateMaxWait)}`
          : `within the gate's max_wait of ${d(r.gateMaxWait)}`;
      return (
        `${head}, falling ${n(-rate)}/min on average since the drain began. ` +
        `At that pace reaching fewer than ${r.gateThreshold} takes about ${d(roughly(eta))}, ${verdict}.`
      );
    },
  },
  'lb.no_server': {
    source: 'lb',
    line: () => 'backend pool has no server available',
    tone: 'warn',
    explain: (r) =>
      r.clientSees === 'EOF'
        ? 'No backend is in the pool (detached, draining or failing health checks): the L4 proxy accepted the client but has nowhere to connect it, so it closes the connection; the client reads EOF (socket hang up).'
        : 'No backend is in the pool (detached, draining or failing health checks): the NAT has nowhere to forward the SYN and rejects it; clients see ECONNREFUSED.',
  },
  'lb.frontend_full': {
    source: 'lb',
    line: (r) =>
      `frontend reached maxconn ${r.maxconn}: listener paused, new connections wait in its accept queue (${r.backlog + 1} at most)`,
    tone: 'warn',
    explain: (r) =>
      `The balancer holds ${n(r.maxconn)} client connections, its frontend's maxconn (lb.frontend_maxconn: the smaller of the frontend's and global maxconn), so HAProxy stops accepting until one of them ends (src/listener.c listener_accept(), limit_listener()): its client's close, or in http mode, for a client that closed under its request without option abortonclose, that request's stream's end (session_free() → listener_release()). Meanwhile the kernel completes up to ${n(r.backlog + 1)} handshakes into the listening socket's accept queue, whose requests wait unread, and drops SYNs beyond that; clients retransmit them after 1 s, 2 s, … and fail with ETIMEDOUT when their kernel gives up.`,
  },
  'lb.nat_idle_expired': {
    source: 'lb',
    line: (r) => `backend=${r.backend} flow idle ${d(r.idle)} > idle timeout ${d(r.timeout)}: no entry, RST`,
    tone: 'warn',
    explain: (r) =>
      `The NAT forgets a flow that sends nothing for ${d(r.timeout)} (AWS NLB: 350 s; IPVS: 15 min). This one to ${r.backend} was idle ${d(r.idle)}, so its next packet matched no entry and was answered with RST: the client sees ECONNRESET and must reconnect. TCP keep-alives or application pings shorter than the timeout keep a flow.`,
  },
  'lb.missing_timeouts': {
    source: 'lb',
    line: () =>
      "missing timeouts for backend 'be'. Please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
    tone: 'warn',
    explain: (r) =>
      `HAProxy warns at start-up when a tcp-mode proxy has no timeout client${r.client ? '' : ' (missing here)'} or neither timeout server nor timeout tunnel${r.server || r.tunnel ? '' : ' (missing here)'}: the missing ones are infinite, so a connection whose peer vanished can stay forever.`,
  },
  'lb.queue_timeout': {
    source: 'lb',
    line: (r) =>
      `connection waited ${d(r.timeout)} in the backend queue (every server at maxconn ${r.maxconn}): closed, ${r.queued} still queued`,
    tone: 'warn',
    explain: (r) =>
      `Every usable server already had ${r.maxconn} connections (server maxconn), so new connections waited in HAProxy's backend queue for a slot. This one waited timeout queue (${d(r.timeout)}; unset it is timeout connect) and was closed: the client, already accepted, reads EOF. ${r.queued} connections were still waiting.`,
  },
  'lb.queue_timeout_503': {
    source: 'lb',
    line: (r) =>
      `request waited ${d(r.timeout)} in the backend queue (every server at maxconn ${r.maxconn}): 503 Service Unavailable, ${r.queued} still queued`,
    tone: 'warn',
    explain: (r) =>
      `Every usable server already had ${r.maxconn} requests in flight (server maxconn), so new requests waited in HAProxy's backend queue for a slot. This one waited timeout queue (${d(r.timeout)}; unset it is timeout connect) and HAProxy answered it 503 itself (termination flags sQ) and closed the client's connection. ${r.queued} requests were still waiting.`,
  },
  'lb.server_queue_full_503': {
    source: 'lb',
    line: (r) =>
      `backend=${r.backend} at maxconn ${r.maxconn} with ${r.maxqueue} requests in its queue (maxqueue): 503 Service Unavailable`,
    tone: 'warn',
    explain: (r) =>
      `A request whose cookie names ${r.backend} found it at its maxconn (${r.maxconn}) and its own queue at maxqueue (${r.maxqueue}). ${r.redispatch ? 'With option redispatch such a request is load-balanced again without its cookie; this one had no persistence to drop' : 'Without option redispatch HAProxy may not send it elsewhere'}, so it answered 503 itself (termination flags sQ) instead of queueing it.`,
  },
  'lb.tunnel_idle_timeout': {
    source: 'lb',
    line: (r) => `backend=${r.backend} idle tunnel closed by timeout ${r.timeout} (${d(r.after)})`,
    tone: 'warn',
    explain: (r) =>
      `HAProxy's timeout ${r.timeout} (${d(r.after)}) expired on an idle WebSocket tunnel to ${r.backend}: the clients ping every ${d(r.pingInterval)}, too rarely (or never) to keep it alive. The proxy closed both of its connections; the client sees 1006 (no Close frame) and reconnects by its policy. ${proxyServerSide(r.nginxReset, r.bare === true)}`,
  },
  'lb.server_timeout_504': {
    source: 'lb',
    line: (r) => `backend=${r.backend} timeout server (${d(r.timeout)}) before the response: 504 Gateway Timeout`,
    tone: 'warn',
    explain: (r) =>
      `The server ${r.backend} had not answered within HAProxy's timeout server (${d(r.timeout)}): the balancer answered 504 itself (termination flags sH), reset its server connection and closed the client's. The server's late answer is wasted work.`,
  },
  'lb.server_aborted': {
    source: 'lb',
    line: (r) =>
      `backend=${r.backend} server connection ${r.raced ? `closed by the server's keep-alive idle timeout (${d(r.keepAlive)}) as the request was sent on it` : r.reset ? 'reset before any response' : 'closed before any response'}: ${r.retried ? 'request retried (retry-on empty-response)' : r.notFirst ? 'client connection closed silently (keep-alive request)' : '502 Bad Gateway'}`,
    tone: 'warn',
    explain: (r) =>
      `${r.raced ? `HAProxy sent the request on an idle connection to ${r.backend} just as the server closed it after ${d(r.keepAlive)} idle: the server's FIN had not reached the balancer yet (or the request reached the server after its close), so the request met a closed socket and the server's kernel reset it — the keep-alive race on the balancer's server side.` : `The app server ${r.backend} (no nginx in front of it) ${r.reset ? "reset the balancer's connection before reading the request" : "closed the balancer's connection before it answered"}, as a killed process does.`} ${r.retried ? 'With retry-on empty-response HAProxy sent the request again, a reset with nothing read as a close (do_l7_retry() from http_wait_for_response(), src/http_ana.c, HAProxy ≥ 2.6.10), to another server when option redispatch allows: the client sees nothing of it.' : r.notFirst ? 'The request was not the first of its client connection, so HAProxy closed that connection without a response and without a log line (http_wait_for_response() → abort_keep_alive, src/http_ana.c): the client reads EOF and is expected to retry it.' : 'It was the first request of its client connection: HAProxy answered 502 itself (termination flags SH) and closed the connection.'}`,
  },
  'lb.idle_timeout': {
    source: 'lb',
    line: (r) => `backend=${r.backend} idle connection closed by timeout ${r.timeout} (${d(r.after)})`,
    explain: (r) =>
      `HAProxy's timeout ${r.timeout} (${d(r.after)}) expired on an idle keep-alive connection to ${r.backend}: the proxy closed both of its connections, so the client and nginx each read a FIN. The client opens a new connection for its next request; a request sent as the FIN arrives would fail. ${proxyServerSide(r.nginxReset)}`,
  },
  'lb.no_port': {
    source: 'lb',
    // HAProxy src/proto_tcp.c tcp_connect_server(): the log line on EADDRNOTAVAIL.
    line: (r) => `Connect() failed for backend ${r.backend}: no free ports.`,
    tone: 'warn',
    explain: (r) => {
      const [low, high] = r.portRange;
      if (r.serverConns)
        // lb/l7-server-conns.ts closePort(): HAProxy resets what it closes (SO_LINGER 0, src/fd.c).
        return `The load balancer terminates HTTP and connects to ${r.backend} from its own ephemeral ports: all ${n(high - low + 1)} ports of its ip_local_port_range (${low}-${high}) towards ${r.backend}:443 are held by its server connections, in use or idle in its pool. They leave no TIME_WAIT on the balancer: HAProxy closes its server connections with RST (SO_LINGER 0) and when nginx closes first the TIME_WAIT is on the VM. Linux __inet_hash_connect() returns EADDRNOTAVAIL (counted in lb_eaddrnotavail); HAProxy retries at once and after its last retry answers 503. Fewer concurrent server connections (maxconn, a shorter pool_purge_delay), a wider range or more source addresses fix it.`;
      const reuse =
        r.twReuse === 1
          ? 'even with tcp_tw_reuse=1 none of them was old enough to take over'
          : `tcp_tw_reuse=${r.twReuse} does not let connect() take over a TIME_WAIT towards a non-loopback address`;
      return `The load balancer proxies, so it connects to ${r.backend} from its own ephemeral ports: all ${n(high - low + 1)} ports of its ip_local_port_range (${low}-${high}) towards ${r.backend}:443 are open or in TIME_WAIT (it holds the TIME_WAIT when the client closes first, ${TIME_WAIT_SECONDS}s each), and ${reuse}. Linux __inet_hash_connect() returns EADDRNOTAVAIL (counted in lb_eaddrnotavail). More source addresses on the balancer, a wider range, or clients that keep their connections fix it.`;
    },
  },
  'lb.connect_failed': {
    source: 'lb',
    line: (r) => `backend=${r.backend} connect failed after ${r.retries} retries (${r.cause})`,
    tone: 'warn',
    variant: (r) => r.cause,
    explain: (r) => {
      // HAProxy stream_choose_redispatch(): with option redispatch a retry leaves a DOWN server, the last one always does.
      const redispatch = r.redispatch
        ? ' (option redispatch moves a retry to another server when one is free to take it; this one ended on the same server)'
        : '';
      if (r.cause === 'no_port') {
        return `The LB's own host had no free source port towards ${r.backend} on each of ${r.retries + 1} tries (EADDRNOTAVAIL; HAProxy retries such a local error at once)${redispatch}, then gave up: the client's accepted connection is closed before any answer, which it reads as ECONNRESET.`;
      }
      if (r.cause === 'syn_giveup') {
        return `The LB's SYNs to ${r.backend} went unanswered and its own kernel gave up first: after net.ipv4.tcp_syn_retries (${n(r.synRetries)}) retransmissions connect() fails with ETIMEDOUT (tcp_write_timeout), before timeout connect (${d(r.connectTimeout)}); on each of ${r.retries + 1} tries${redispatch}, then it gave up at once; ${sees(r.clientSees)}`;
      }
      if (r.cause === 'unreachable') {
        return `${r.backend}'s pod is deleted and its IP released, but under a bridge CNI the node still ARPs for that address: nobody answers, and after 3 s (3 broadcast ARP requests 1 s apart: net/ipv4/arp.c arp_tbl mcast_solicit 3, retrans_time 1 s; neigh_timer_handler, net/core/neighbour.c) the node answers the queued SYNs with ICMP host unreachable, which fails connect() at once (tcp_v4_err in SYN_SENT: EHOSTUNREACH, "No route to host"), on each of ${r.retries + 1} tries, ${d(r.retryInterval)} apart (HAProxy's turn-around pause, as for a refusal)${redispatch}, then it gave up; ${sees(r.clientSees)}`;
      }
      if (r.cause === 'timeout') {
        return `The LB's SYNs to ${r.backend} went unanswered (the host is gone): it waited connect_timeout (${d(r.connectTimeout)}) on each of ${r.retries + 1} tries${redispatch}, then gave up at once; ${sees(r.clientSees)}`;
      }
      return `Nothing listens on ${r.backend}'s port (nginx has quit): its kernel answers each SYN with RST. The LB retried the same server ${r.retries} times, ${d(r.retryInterval)} apart (HAProxy's turn-around pause)${redispatch}, then gave up at once; ${sees(r.clientSees)}`;
    },
  },
  'lb.no_server_503': {
    source: 'lb',
    line: (r) => `backend '${r.pool}' has no server available: 503 Service Unavailable`,
    tone: 'warn',
    explain: () => 'No server is in rotation, so the LB answers the request itself with 503 Service Unavailable.',
  },
  'lb.keepalive_race': {
    source: 'lb',
    line: (r) =>
      `client request crossed the frontend's close of an idle keep-alive connection (timeout http-keep-alive=${d(r.httpKeepAliveTimeout)}): ECONNRESET`,
    tone: 'warn',
    explain: (r) =>
      `The L7 balancer closed an idle client connection after timeout http-keep-alive (${d(r.httpKeepAliveTimeout)}, h1_set_idle_expiration() in HAProxy's src/mux_h1.c) while the client was sending its next request on it: ` +
      `the FIN takes half the round trip (${d(r.rtt / 2)}) to arrive, and a request sent before then meets a closed socket and gets RST. ` +
      "The client sees ECONNRESET and retries. The fix is the ordering client < proxy: a client idle timeout below the balancer's timeout http-keep-alive.",
  },
  // ── nginx ────────────────────────────────────────────────────────────────────────────────────
  'nginx.reset_reading_request': {
    source: 'nginx',
    line: (r) => `${r.backend}: recv() failed (104: Connection reset by peer) while reading client request line`,
    tone: 'warn',
    explain: (r) =>
      `The LB forgot this ${r.backend} flow: when the client sent its next request, the LB answered it with RST and reset nginx's side too, ` +
      `so nginx logs 104 (ECONNRESET) while waiting for that request. The client sees ECONNRESET and retries on a new connection (up to ${r.retries} retries, ${backoff(r.retryBackoff)}).`,
  },
  'nginx.reset_writing_response': {
    source: 'nginx',
    line: (r) => `${r.backend}: writev() failed (104: Connection reset by peer) while sending to client`,
    tone: 'warn',
    explain: (r) =>
      'nginx had an answer ready for a client whose flow the LB has forgotten: the write meets RST. ' +
      `The client never gets it and waits out its request timeout (${d(r.requestTimeout)}): a client timeout (its own timer's error, err_client_timeout), not a reset.`,
  },
  'nginx.client_closed_request': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: "GET / HTTP/1.1" 499 0 (client prematurely closed connection, so upstream connection is closed too)`,
    tone: 'warn',
    explain: (r) =>
      `The client waited ${d(r.requestTimeout)} (its request timeout) for an answer that had not come, closed its connection with FIN and counts a client timeout (err_client_timeout: its own timer's error, not the kernel's ETIMEDOUT); ` +
      'nginx saw the FIN while it waited for the app, logged 499 and closed its upstream connection' +
      (r.inApp
        ? '. The app is not told: it still serves the request (or takes it from its queue later) and its answer goes nowhere: wasted work.'
        : ' (it was still connecting to the app).'),
  },
  'nginx.upstream_closed': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: upstream prematurely closed connection while reading response header from upstream${r.retried ? ' (cached connection: retried)' : ''}`,
    tone: 'warn',
    variant: (r) => (r.retried ? 'retried' : '502'),
    explain: (r) =>
      'The app died mid-request: its kernel closed the socket with FIN while nginx waited for the response, so nginx answers 502 Bad Gateway' +
      (r.retried ? RETRIED_ON_CACHED : '.'),
  },
  'nginx.upstream_reset': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: recv() failed (104: Connection reset by peer) while reading response header from upstream${r.retried ? ' (cached connection: retried)' : ''}`,
    tone: 'warn',
    variant: (r) => (r.retried ? 'retried' : '502'),
    explain: (r) =>
      'The app was killed with this request still unread in its socket: the kernel answers with RST instead of FIN, nginx logs 104 and answers 502' +
      (r.retried ? RETRIED_ON_CACHED : '.'),
  },
  'nginx.upstream_no_port': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: connect() to ${r.upstream} failed (99: Cannot assign requested address) while connecting to upstream`,
    tone: 'warn',
    explain: (r) => {
      const [low, high] = r.portRange;
      const keepalive =
        r.upstreamKeepalive === 0
          ? 'without upstream keepalive nginx opens a new connection to the app for every request'
          : `nginx keeps only ${r.upstreamKeepalive} idle connections to the app`;
      return (
        `${r.backend} has no free ephemeral port towards ${r.upstream}: ${keepalive}, and each close holds its port in TIME_WAIT for ${TIME_WAIT_SECONDS}s, ` +
        `so all ${n(high - low + 1)} ports of ip_local_port_range (${low}-${high}) are taken. connect() fails (counted in upstream_eaddrnotavail) and the client gets 502.`
      );
    },
  },
  'nginx.upstream_connect_timeout': {
    source: 'nginx',
    line: (r) => `${r.backend}: upstream timed out (110: Connection timed out) while connecting to upstream`,
    tone: 'warn',
    explain: (r) =>
      `The app's accept queue on ${r.backend} is full (backlog ${n(r.backlog)}): the kernel drops nginx's SYNs and nginx retries each second; after proxy_connect_timeout (${d(r.proxyConnectTimeout)}) it gives up and answers 504.`,
  },
  'nginx.upstream_syn_gave_up': {
    source: 'nginx',
    line: (r) => `${r.backend}: connect() failed (110: Connection timed out) while connecting to upstream`,
    tone: 'warn',
    explain: (r) =>
      `The app's accept queue on ${r.backend} is full (backlog ${n(r.backlog)}): the kernel drops nginx's SYNs, and the VM's own kernel gives up on them after net.ipv4.tcp_syn_retries (${n(r.synRetries)}) retransmissions, before proxy_connect_timeout (${d(r.proxyConnectTimeout)}): connect() fails with ETIMEDOUT (tcp_write_timeout) and nginx answers 502 (ngx_http_upstream_next, NGX_HTTP_UPSTREAM_FT_ERROR), not the 504 of its own timeout.`,
  },
  'nginx.upstream_read_timeout': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: upstream timed out (110: Connection timed out) while reading response header from upstream`,
    tone: 'warn',
    explain: (r) =>
      `The app on ${r.backend} did not answer within proxy_read_timeout (${d(r.proxyReadTimeout)}) of the request (${r.queued ? 'it was still in the queue' : 'it was still working on it'}): nginx closes the upstream connection and answers 504 on a connection it keeps alive. The app is not told: it finishes the request and its answer is wasted.`,
  },
  'nginx.upstream_refused': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://${r.upstream}/"`,
    tone: 'warn',
    explain: (r) =>
      r.next
        ? `Nothing accepts on ${r.upstream}, one of the addresses nginx resolved its proxy_pass host to on ${r.backend} (nginx.upstream_addresses): the connect gets RST, nginx tries the next address and skips this one for fail_timeout (10 s, max_fails=1).`
        : `Nothing accepts on ${r.upstream} (the app on ${r.backend} is stopped or shutting down): the connect gets RST and nginx answers 502.`,
  },
  'nginx.upstream_next': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: upstream server temporarily disabled, upstream: "http://${r.upstream}/" (${r.failure}: next upstream)`,
    tone: 'warn',
    explain: (r) =>
      `The ${r.method} on ${r.upstream}, one of the addresses nginx resolved its proxy_pass host to on ${r.backend} (nginx.upstream_addresses), failed (${r.failure === 'timeout' ? 'a timeout' : 'an error: the app closed or reset the connection, or the connect failed'}): nginx marks that address down for fail_timeout (10 s, max_fails=1) and sends the request to the next address (ngx_http_upstream_next, proxy_next_upstream's default \`error timeout\`) — to the same app when it listens on both, which works the request again. A POST already sent is not sent again (no \`non_idempotent\`): it gets the 502 or 504.`,
  },
  'nginx.no_live_upstreams': {
    source: 'nginx',
    line: (r) => `${r.backend}: no live upstreams while connecting to upstream`,
    tone: 'warn',
    explain: (r) =>
      `Each of the ${n(r.peers)} addresses of the app's upstream on ${r.backend} failed within fail_timeout (${d(r.failTimeout)}, max_fails=1) or was tried already for this request: nginx answers 502 without a connect (ngx_http_upstream_get_round_robin_peer NGX_BUSY), even if the app listens again meanwhile.`,
  },
  'nginx.tunnel_idle_timeout': {
    source: 'nginx',
    line: (r) => `${r.backend}: upstream timed out (110: Connection timed out) while proxying upgraded connection`,
    tone: 'warn',
    explain: (r) =>
      `A WebSocket tunnel on ${r.backend} carried nothing for proxy_read_timeout (${d(r.proxyReadTimeout)}): nginx closes both sides without a Close frame. ` +
      `The client sees 1006 and reconnects (${backoff(r.reconnect)}).`,
  },
  'nginx.accept_queue_reset': {
    source: 'nginx',
    line: (r) => `${r.backend}: listening socket closed: ${n(r.reset)} connections in its accept queue reset`,
    tone: 'warn',
    explain: (r) =>
      (r.reloadDropped
        ? `A reload on ${r.backend} left the old workers the only holders of the reuseport sockets no new worker inherited; their QUIT closed them (each worker after its current pass, ${d(r.afterQuit)} after the QUIT) `
        : `nginx's QUIT on ${r.backend} closed its listening sockets (the master at once, each worker after its current pass, ${d(r.afterQuit)} after the QUIT) `) +
      `while ${n(r.reset)} connections waited in the kernel's accept queue for a busy worker: Linux resets them (inet_csk_listen_stop), their clients get ECONNRESET and retry.`,
  },
  'nginx.shutdown_timeout': {
    source: 'nginx',
    line: (r) => `${r.backend}: worker_shutdown_timeout: closing ${r.open} connections`,
    tone: 'warn',
    explain: (r) =>
      `nginx's graceful quit on ${r.backend} waited worker_shutdown_timeout (${d(r.workerShutdownTimeout)}) and now closes the ${n(r.open)} connections still open, ` +
      'mostly WebSockets, without a Close frame: their clients see 1006 and reconnect to another backend.',
  },
  'nginx.reload': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: signal 1 (SIGHUP) received, reconfiguring${Object.keys(r.settings).length > 0 ? ` (${describe(r.settings)})` : ''}: worker generation ${r.generation} joins the listening socket, older ones get QUIT 100 ms later${r.shuttingDown > 0 ? ` (${n(r.shuttingDown)} still shutting down)` : ''}`,
    explain: (r) =>
      `nginx -s reload on ${r.backend}: the master forks a new generation of workers (generation ${r.generation}) on the same listening socket, and 100 ms later sends QUIT to every older generation ` +
      `(ngx_master_process_cycle). Until that QUIT the older workers still accept: with worker_processes > 1 they are ahead of the new ones in the socket's wait queue ` +
      `(EPOLLEXCLUSIVE) and take the new connections; with worker_processes 1 the new worker is woken first and takes them unless it is busy. Those close their idle keep-alive connections at once, answer requests in flight with Connection: close, and keep each WebSocket tunnel until it ends ` +
      `or worker_shutdown_timeout expires. ${r.shuttingDown > 0 ? `${n(r.shuttingDown)} older generation${r.shuttingDown === 1 ? ' is' : 's are'} still shutting down from earlier reloads: each reload adds one while tunnels stay open.` : ''}`.trimEnd(),
  },
  'nginx.quit': {
    source: 'nginx',
    line: (r) => `${r.backend}: signal 3 (SIGQUIT) received, shutting down (${n(r.open)} connections open)`,
    explain: (r) =>
      `nginx -s quit on ${r.backend}: the master closes its listening sockets, so new connections are refused (ECONNREFUSED); idle keep-alive connections close at once, ` +
      `requests in flight get Connection: close, and WebSocket tunnels stay until they end${r.workerShutdownTimeout > 0 && r.workerShutdownTimeout !== Infinity ? ` or worker_shutdown_timeout (${d(r.workerShutdownTimeout)}) expires` : ' (no worker_shutdown_timeout: possibly for hours)'}.`,
  },
  'nginx.worker_connections_reuse': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: ${r.workerConnections} worker_connections are not enough, reusing connections (worker ${r.worker}: ${r.closed} of ${r.idle} idle keep-alive connections closed)`,
    tone: 'warn',
    explain: (r) =>
      `Worker ${r.worker} on ${r.backend} had at most worker_connections/16 of its ${r.workerConnections} connections free when it needed one more (a new client or an upstream connect): nginx closed its longest-idle keep-alive client connections, max(min(32, idle/8), 1) of them (ngx_drain_connections, src/core/ngx_connection.c). Those clients read EOF and reconnect for their next request; one sending just then loses it to the keep-alive race. Raise worker_connections (it counts client and upstream connections alike, and a WebSocket holds two) or add workers.`,
  },
  'nginx.worker_connections_not_enough': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: ${r.workerConnections} worker_connections are not enough (worker ${r.worker}: ${r.upstream ? 'upstream connect failed, 500' : 'accepted connection closed at once'})`,
    tone: 'fail',
    variant: (r) => (r.upstream ? 'upstream' : 'accept'),
    // What the client reads depends on lb.mode: behind an L7 balancer nginx's peer is HAProxy's
    // server connection, and HAProxy answers the client itself (the run counts a 5xx, no reset).
    explain: (r) =>
      r.upstream
        ? `Worker ${r.worker} on ${r.backend} had no free connection left for the app (all ${r.workerConnections} in use, no idle keep-alive connection to reuse): ngx_event_connect_peer failed and nginx answered 500 (ngx_http_upstream_connect)${r.l7 ? ', which the L7 balancer passes on to its client (counted in responses_5xx)' : ''}.`
        : `Worker ${r.worker} on ${r.backend} accepted a connection with all ${r.workerConnections} connections in use and no idle keep-alive connection to reuse: ngx_event_accept closed the new socket at once (ngx_get_connection returned NULL). ` +
          (r.reset
            ? 'The worker came to it busy, the request already in the socket, so the close sent RST (data unread: net/ipv4/tcp.c __tcp_close). '
            : 'The worker was idle and closed it before the request arrived, so the close sent FIN; the request, already on its way, then met RST from the closed socket (counted in neither closed_fin nor reset_out). ') +
          (r.l7
            ? "Behind the L7 balancer that connection is HAProxy's server connection: it closed before any response, so HAProxy answered its client 502 Bad Gateway itself (http_wait_for_response(), src/http_ana.c: SF_ERR_SRVCL, termination flags SH), counted in responses_5xx; the client sees the 502, not a reset. "
            : r.reset
              ? "The client's request met that RST (ECONNRESET). "
              : "The client read EOF before any response, which Node's http client reports as ECONNRESET ('socket hang up'). ") +
          "The kernel accepted the connection: nginx does not stop listening, so a balancer's health check still passes.",
  },
  'nginx.upstream_keepalive_race': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: upstream prematurely closed connection while reading response header from upstream (${r.method}, cached connection; ${r.retried ? 'retried on another connection' : '502'})`,
    tone: 'warn',
    variant: (r) => (r.retried ? 'retried' : '502'),
    explain: (r) =>
      `nginx reused an idle cached connection to the app on ${r.backend} just as the app's own keep-alive timer (${d(r.appKeepaliveTimeout)}) closed it: the request crossed the app's FIN and got EOF or RST. ` +
      (r.retried
        ? 'A request that fails on a cached connection is retried without using up a try (ngx_http_upstream_next: peer.cached), so the client still got its answer. '
        : 'A POST already sent is never retried (ngx_http_upstream_next: non_idempotent is not in proxy_next_upstream), so the client got 502. ') +
      `The fix is the ordering proxy < server: nginx's upstream keepalive_timeout (${d(r.upstreamKeepaliveTimeout)}) below the app's idle timeout, so nginx always closes first.`,
  },
  'nginx.upstream_tls_full': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: worker ${r.worker + 1}: full SSL handshake to upstream (${UPSTREAM_TLS_FULL_WHY[r.why]}), ${d(r.handshakeCpu)} of the app's CPU`,
    variant: (r) => r.why,
    explain: (r) =>
      `nginx on ${r.backend} opened a new TLS connection to the app and could not resume a session: ${UPSTREAM_TLS_FULL_WHY[r.why]}. ` +
      'With proxy_ssl_session_reuse (on by default) each nginx worker keeps the newest session the app gave it (one per upstream server, ngx_http_upstream_save_round_robin_peer_session) and offers it on its next upstream connect; ' +
      `a full handshake costs the app ${d(r.handshakeCpu)} of CPU before the request on that connection is read. ` +
      `The app resumes a session for ${d(r.sessionTimeout)} and only within its own process (its ticket keys are made at its start). ` +
      'Upstream keepalive (nginx `keepalive N` in the upstream block) avoids the handshakes altogether: a cached connection needs none.',
  },
  'nginx.worker_tls_backlog': {
    source: 'nginx',
    line: (r) =>
      `${r.backend}: worker ${r.worker + 1}/${r.workers} read a request ${d(r.wait)} late, behind ${n(r.handshakes)} queued SSL handshakes` +
      (r.timedOut ? ` (the client gave up first: request_timeout ${d(r.requestTimeout)})` : ''),
    tone: 'warn',
    variant: (r) => (r.timedOut ? 'timed out' : 'late'),
    explain: (r) =>
      `TLS ends in nginx on ${r.backend}, and every new connection costs the worker that accepted it one full handshake (${d(r.handshakeCpu)} of CPU, SSL_do_handshake() inside the event loop: ngx_ssl_handshake). ` +
      `A worker is one single-threaded event loop that accepts one connection per iteration (ngx_event_accept, multi_accept off): a storm's connections wait in the kernel's accept queue and are handshaken one after another, so a new connection's first request waits for its own handshake, and a request on an established connection for the handshake in progress: here about ${n(r.handshakes)}, ${d(r.wait)}. ` +
      `${r.workers === 1 ? 'With worker_processes 1 every connection of the VM shares that one loop. ' : `The VM's ${n(r.workers)} workers each keep their connections for life, so only the connections of this worker wait. `}` +
      (r.timedOut
        ? `That is longer than the client waits (request_timeout ${d(r.requestTimeout)}): it times out and retries. `
        : '') +
      'A reconnect storm without jitter puts thousands of handshakes in the same instant; jittered reconnects spread them out, and more workers (worker_processes auto) share them.',
  },
  'lb.thread_tls_backlog': {
    source: 'lb',
    line: (r) =>
      `thread ${r.worker + 1}/${r.workers} forwarded a request to ${r.backend} ${d(r.wait)} late, behind ${n(r.handshakes)} queued SSL handshakes` +
      (r.timedOut ? ` (the client gave up first: request_timeout ${d(r.requestTimeout)})` : ''),
    tone: 'warn',
    variant: (r) => (r.timedOut ? 'timed out' : 'late'),
    explain: (r) =>
      `TLS ends at the balancer, and every connection costs the HAProxy thread that holds it one full handshake (${d(r.handshakeCpu)} of CPU). ` +
      `A thread is one event loop, so a request on any of its connections is forwarded only once the handshakes queued before it are done: here about ${n(r.handshakes)}, ${d(r.wait)}. ` +
      `HAProxy spreads connections over its ${n(r.workers)} thread${r.workers === 1 ? '' : 's'} by connection count (listener_accept), each thread keeping its connections for life. ` +
      (r.timedOut
        ? `That is longer than the client waits (request_timeout ${d(r.requestTimeout)}): it times out and retries. `
        : '') +
      'A reconnect storm without jitter puts thousands of handshakes in the same instant; jittered reconnects spread them out, and more threads (nbthread) share them.',
  },
  'nginx.stop': {
    source: 'nginx',
    line: (r) =>
      r.podKilled
        ? `${r.backend}: nginx container killed (SIGKILL) with its pod (${n(r.open)} connections open)`
        : `${r.backend}: ${r.afterQuit !== undefined ? `nginx.service: stop timed out ${d(r.afterQuit)} after its QUIT, SIGTERM to the main process: ` : ''}signal 15 (SIGTERM) received, exiting (${n(r.open)} connections open)`,
    tone: 'warn',
    explain: (r) =>
      r.podKilled
        ? `${r.backend}'s nginx container got its SIGQUIT with the app's SIGTERM (the official image's STOPSIGNAL) and still held ${n(r.open)} connections when its pod's containers were killed (SIGKILL at the end of terminationGracePeriodSeconds): the kernel closes them, so requests in flight get EOF without a response and WebSocket clients see 1006.`
        : (r.afterQuit !== undefined
            ? `The VM's stop on ${r.backend} QUIT nginx through its systemd unit (start-stop-daemon --retry QUIT/5) and nginx still held connections ${d(r.afterQuit)} later (nginx.stop_timeout): systemd sends SIGTERM to the master (KillMode=mixed), nginx's fast shutdown. `
            : `nginx -s stop on ${r.backend}: `) +
          `the master and its workers exit at once (ngx_terminate) without closing anything gracefully; the kernel closes their ${n(r.open)} sockets, ` +
          'so requests in flight get EOF without a response, WebSocket clients see 1006, and new connections are refused. nginx -s quit would have let them finish.',
  },
  'nginx.generation_exit': {
    source: 'nginx',
    line: (r) =>
      r.stopped
        ? `${r.backend}: worker generation ${r.generation} exited with the fast stop (no QUIT before it)`
        : `${r.backend}: worker generation ${r.generation} exited ${d(Math.round(r.after * 1000) / 1000)} after its QUIT${r.forced ? ' (worker_shutdown_timeout)' : ''}`,
    variant: (r) => (r.stopped ? 'stopped' : r.forced ? 'forced' : 'drained'),
    explain: (r) =>
      (r.stopped
        ? `Generation ${r.generation} on ${r.backend} was never QUIT: it exited with nginx's fast stop (the line before), its sockets closed by the kernel. `
        : r.forced
          ? `worker_shutdown_timeout ended generation ${r.generation} on ${r.backend}: what it still held was closed without a WebSocket Close frame. `
          : `Generation ${r.generation} on ${r.backend} exited when its last connection ended: a QUITted worker lives exactly as long as its longest request or tunnel (ngx_event_no_timers_left). `) +
      (r.stillShuttingDown > 0
        ? `${n(r.stillShuttingDown)} other generation${r.stillShuttingDown === 1 ? ' is' : 's are'} still shutting down.`
        : 'No old generation is left.'),
  },
  'client.keepalive_race': {
    source: 'client',
    line: (r) =>
      `request on an idle keep-alive connection to ${r.backend} crossed nginx's close (keepalive_timeout=${d(r.keepaliveTimeout)}): ${r.l7 ? '502 from the L7 balancer' : 'ECONNRESET'}`,
    tone: 'warn',
    explain: (r) =>
      `nginx closed an idle keep-alive connection on ${r.backend} (keepalive_timeout ${d(r.keepaliveTimeout)} or a reload) while the ${r.l7 ? 'balancer' : 'client'} was sending its next request on it: ` +
      `the FIN takes half the round trip (${d(r.rtt / 2)}) to arrive, and a request sent before then meets a closed socket and gets RST. ` +
      (r.l7
        ? "The L7 balancer answers its client 502. The fix is the ordering client < proxy < server: the balancer's idle timeout below nginx's keepalive_timeout, so the balancer always closes first."
        : "The client sees ECONNRESET and retries. The fix is the ordering client < proxy: a client idle timeout below nginx's keepalive_timeout."),
  },
  'client.resend': {
    source: 'client',
    line: (r) =>
      `request failed on a reused keep-alive connection to ${r.backend} before any answer: resent on a new connection by the client library (${r.library})`,
    explain: (r) =>
      r.cause === 'etimedout'
        ? `The connection to ${r.backend} had carried earlier requests, and the client machine's kernel gave up retransmitting this one to a host that no longer answers (ETIMEDOUT, tcp_retries2) before any byte of the answer. ` +
          `The ${r.library} client sends such a request again by itself, at once, on a new connection (Go: transportReadFromServerError → shouldRetryRequest; curl: CURLE_RECV_ERROR → Curl_retry_request): the program never sees the error, which is not counted. Node's http client and Chromium do not.`
        : `The connection to ${r.backend} had carried earlier requests, and the server end closed or reset it under this one before any byte of the answer (a keep-alive race, or a close with the request unanswered). ` +
          `The ${r.library} client sends such a request again by itself, at once, on a new connection, half a round trip (${d(r.rtt / 2)}) after the close: the program never sees the error, which is not counted. Node's http client and fetch do not: there it is an ECONNRESET the program retries per its own retries.`,
  },
  // ── health checks and probes ─────────────────────────────────────────────────────────────────
  'hc.up': {
    source: 'hc',
    line: (r) =>
      `Server ${r.pool}/${r.backend} is UP, reason: ${r.reason}, check duration: ${r.durationMs}ms. ${r.active} active and 0 backup servers online.`,
    variant: (r) => r.reason,
    explain: (r) =>
      r.fromNolb
        ? `${r.backend}'s health check answers 2xx again (${r.reason}) after its 404s: the LB puts the server back into load balancing at once (one check, not ${r.rise}), ${r.active} servers are in rotation now.`
        : `The LB's health check marks ${r.backend} UP after ${r.rise} checks in a row passed (${r.reason}): it gets new connections again, ${r.active} servers are in rotation now.`,
  },
  'hc.stopping': {
    source: 'hc',
    line: (r) =>
      `Server ${r.pool}/${r.backend} is stopping, reason: ${r.reason}, check duration: ${r.durationMs}ms. ${r.active} active and 0 backup servers online. ${r.requeued} sessions requeued, ${r.queued} total in queue.`,
    tone: 'warn',
    variant: (r) => r.reason,
    explain: (r) =>
      `${r.backend} answered its health check 404 and the LB has \`http-check disable-on-404\`: it takes the server out of load balancing at this one check (NOLB), without waiting for \`fall\` failures, as a drain does. ` +
      `Its ${n(r.sessions)} established streams carry on and users whose cookie names it still reach it; new users go to the ${r.active} other servers. It comes back UP at its first check answered 2xx/3xx.`,
  },
  'hc.down': {
    source: 'hc',
    line: (r) =>
      `Server ${r.pool}/${r.backend} is DOWN, reason: ${r.reason}, check duration: ${r.durationMs}ms. ${r.active} active and 0 backup servers left. ${r.sessions} sessions active, ${r.requeued} requeued, ${r.queued} remaining in queue.`,
    tone: 'warn',
    variant: (r) => r.reason,
    explain: (r) =>
      `The LB's health check takes ${r.backend} out of rotation after ${r.fall} failed checks ${d(r.inter)} apart (${r.reason}); ${r.active} servers are left to carry its load. ` +
      (r.natResets
        ? `As an NLB target group does (connection termination for unhealthy targets, on by default), the NAT answers the next packet of each of its ${n(r.sessions)} flows with RST. `
        : '') +
      'A check that fails because the server is busy, not broken, moves that load onto the others and can take them down in turn.',
  },
  'hc.no_server': {
    source: 'hc',
    line: (r) =>
      r.failOpen
        ? `target group '${r.pool}' has no healthy target: failing open`
        : `backend '${r.pool}' has no server available!`,
    tone: 'fail',
    explain: (r) =>
      r.failOpen
        ? 'Every target has failed its health check: the NAT fails open, as an NLB does, and sends new connections to every target whatever its health (the last target to go DOWN keeps its flows) until one passes its checks again.'
        : 'Every server has failed its health check: the LB has nothing to send requests to, and clients get errors until a server passes its checks again.',
  },
  'k8s.readiness': {
    source: 'k8s',
    line: (r) =>
      r.terminating
        ? `pod ${r.pod}: Readiness probe ${r.ready ? 'succeeded' : `failed: ${r.reason}`}; terminating endpoint ${r.ready ? 'serving (not ready: a fallback only while no endpoint is ready)' : 'no longer serving'}`
        : `pod ${r.pod}: Readiness probe ${r.ready ? 'succeeded' : `failed: ${r.reason}`}; endpoint ${r.ready ? 'added to' : 'removed from'} the Service`,
    // The kubelet's words name the pod's address (control/probe-words.ts): group by the cause alone.
    variant: (r) =>
      (r.terminating ? 'terminating ' : '') +
      (r.ready ? 'ready' : `unready ${r.reason.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'POD')}`),
    explain: (r) =>
      r.terminating
        ? `${r.pod} is terminating (deleted: its preStop or its drain) and ${r.ready ? 'passes' : `fails (${r.reason})`} its readiness probe, which the kubelet keeps running until its containers have stopped. ` +
          `That sets only the endpoint's serving condition: the EndpointSlice controller writes ready = serving and not terminating (podToEndpoint), so the pod never rejoins the Service's ready endpoints. ${r.ready ? 'kube-proxy sends it new connections only while no other endpoint is ready (the terminating fallback).' : 'kube-proxy no longer takes it even as the fallback when no endpoint is ready.'}`
        : r.ready
          ? `${r.pod} passes its readiness probe again: Kubernetes puts it back into the Service's endpoints and traffic returns once that reaches the load balancer (the propagation delay, kubelet.endpoint_propagation).`
          : `${r.pod} failed its readiness probe (${r.reason}): Kubernetes removes it from the Service's endpoints, so it gets no new traffic once that reaches the load balancer (the propagation delay, kubelet.endpoint_propagation); the container keeps running.`,
  },
  'k8s.liveness_failed': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: Liveness probe failed: ${r.reason}; container will be restarted`,
    tone: 'warn',
    explain: (r) =>
      `${r.pod} failed its liveness probe (${r.reason}): the kubelet kills the container as it kills any container, SIGTERM first (the app stops accepting and finishes what it holds), SIGKILL when the pod's terminationGracePeriodSeconds is over, and starts it again once it is dead. ` +
      'Requests still running at SIGKILL fail; if the probe failed only because the app was busy, the restart makes things worse.',
  },
  'k8s.container_restarted': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: container restarted`,
    explain: (r) => `${r.pod}'s container is running again with empty state; it serves once its probes pass.`,
  },
  'k8s.started': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: Startup probe succeeded after ${formatDuration(toMillis(r.after))}`,
    explain: (r) =>
      `${r.pod}'s startup probe passed ${d(toMillis(r.after))} after the container started: the kubelet now runs its liveness and readiness probes, which it held back until then (pkg/kubelet/prober/worker.go).`,
  },
  'k8s.container_died': {
    source: 'k8s',
    line: (r) =>
      `pod ${r.pod}: container ${r.cause === 'crash' ? 'exited with an error' : r.cause === 'startup' ? 'killed (startup probe)' : 'killed (liveness)'} after running ${formatDuration(toMillis(r.ranFor))}; pod NotReady ${r.cause === 'crash' ? "at the kubelet's next relist" : 'at once'} (restarts ${r.restarts})`,
    tone: 'warn',
    variant: (r) => r.cause,
    explain: (r) =>
      `${r.pod}'s container ${r.cause === 'crash' ? 'crashed' : r.cause === 'startup' ? 'was killed by the kubelet: its startup probe failed failureThreshold times in a row' : 'was killed by the kubelet after failing its liveness probe'} after ${d(toMillis(r.ranFor))}. ` +
      (r.cause === 'crash'
        ? 'The kubelet learns of the exit at its next PLEG relist (pkg/kubelet/pleg/generic.go, every 1 s) and then reports the pod NotReady, '
        : 'The kubelet, whose own kill this was, reports the pod NotReady at once, ') +
      'without waiting for a readiness probe to fail; the endpoint is removed once that reaches the load balancer. ' +
      'Until then connections sent to the pod are refused.',
  },
  'k8s.kill_prestop': {
    source: 'k8s',
    line: (r) =>
      `pod ${r.pod}: killing container (${r.cause === 'startup' ? 'startup probe' : 'liveness'}): preStop hook (sleep ${formatDuration(r.preStop)}) before SIGTERM, grace period ${r.gracePeriod}s`,
    variant: (r) => r.cause,
    explain: (r) =>
      `The kubelet kills ${r.pod}'s container as it kills any container (kuberuntime_container.go killContainer): the pod has a preStop hook, so it runs first (${d(r.preStop)}, at most the grace period) while the app keeps serving and the endpoint stays Ready; ` +
      `then SIGTERM with what is left of the ${r.gracePeriod}s grace period (at least 2 s), SIGKILL after that. A preStop sleep written for rollouts delays every ${r.cause === 'startup' ? 'startup-probe' : 'liveness'} restart by as long.`,
  },
  'k8s.crash_backoff': {
    source: 'k8s',
    line: (r) =>
      r.delay > 0
        ? `pod ${r.pod}: Back-off ${formatDuration(r.delay)} restarting failed container (CrashLoopBackOff)`
        : `pod ${r.pod}: restarting failed container`,
    variant: (r) => `${r.delay > 0 ? 'backoff' : 'immediate'}${r.killed ? ' kill' : ''}`,
    explain: (r) =>
      (r.noticed > 0
        ? `The kubelet's PLEG relist saw ${r.pod}'s container dead ${d(toMillis(r.noticed))} after it exited (one relist per second). `
        : '') +
      (r.delay > 0
        ? `The kubelet holds ${r.pod}'s container back for ${d(r.delay)} after its ${r.killed ? 'kill' : 'crash'} (CrashLoopBackOff: 10 s after the second crash, doubling each time up to 5 minutes, reset once a container runs 10 minutes). The pod serves nothing meanwhile.`
        : r.killed
          ? `The kubelet starts ${r.pod}'s container again in the same sync that killed it (kuberuntime_manager.go computePodActions: kill, then start): doBackOff judges from the previous container's exit, which is older than the back-off, so none applies. Repeated kills soon outpace the back-off (10 s, 20 s, 40 s …) and the waits begin.`
          : `The kubelet starts ${r.pod}'s container again at once: the first restart has no back-off; the next crashes wait 10 s, 20 s, 40 s and so on up to 5 minutes.`),
  },
  'k8s.endpoint_not_ready': {
    source: 'k8s',
    line: (r) =>
      `pod ${r.pod}: endpoint marked not ready at the load balancer after ${formatDuration(toMillis(r.delay))}`,
    explain: (r) =>
      `The NotReady status of ${r.pod} reached the load balancer ${d(toMillis(r.delay))} after the container died (the kubelet's PLEG relist for a crash, its status sync, the EndpointSlice update, then kube-proxy's sync): from now on no new connections go to it.`,
  },
  // ── Kubernetes rolling update (pod-lifecycle.md "Pod Termination Flow") ───────────────────────
  'k8s.rollout_start': {
    source: 'k8s',
    line: (r) =>
      `rolling update of ${r.pods} pod${r.pods === 1 ? '' : 's'}: terminationGracePeriodSeconds=${r.gracePeriod}, preStop sleep ${formatDuration(r.preStop)}`,
    explain: (r) =>
      `A Kubernetes rolling update replaces the ${r.pods} pods with maxSurge ${r.surge} and maxUnavailable ${r.unavailable} (as the Deployment controller rounds them${r.spares === 0 && r.surge > 0 ? '; no spare backend for a surge pod: it is Pending until an old pod has gone' : ''}): ` +
      (r.surge > 0 && r.unavailable === 0
        ? 'a new pod is Ready before an old one goes, so capacity never drops. '
        : `up to ${r.unavailable} pod${r.unavailable === 1 ? ' is' : 's are'} missing while replacements start, and the others carry their load. `) +
      `Deleting a pod starts two things at once: its endpoint removal, which reaches the load balancer after a propagation delay (${r.propagation}), ` +
      `and its preStop hook (sleep ${d(r.preStop)}), after which the app gets SIGTERM. ` +
      `Whatever still runs ${r.gracePeriod}s after the deletion (terminationGracePeriodSeconds, preStop included) is killed with SIGKILL.` +
      (r.crashAfter === null
        ? ''
        : r.crashAfter > 0 && r.crashAfter !== Infinity
          ? ` The new version's app crashes ${d(r.crashAfter)} after each start.`
          : ' The new version does not crash (a rollback of a crash-looping release): its pods restart no more.'),
  },
  'k8s.rollout_complete': {
    source: 'k8s',
    line: () => 'rolling update complete',
    explain: (r) => `All ${r.pods} pods run the new version; the rolling update is done.`,
  },
  'k8s.pod_pending': {
    source: 'k8s',
    line: (r) =>
      `new pod Pending: FailedScheduling, no backend has room for it (${r.pending} Pending, ${r.terminating} old pod${r.terminating === 1 ? '' : 's'} terminating)`,
    explain: (r) =>
      `The Deployment controller scaled the new ReplicaSet up (old + new pods ≤ replicas + maxSurge), but every backend holds a pod: the scheduler leaves the new pod Pending until one is free. ` +
      (r.terminating > 0
        ? 'It goes to the slot of the next old pod to exit: a terminating pod holds its node until it has gone.'
        : 'No old pod is terminating, so no slot will free unless maxUnavailable lets one go.'),
  },
  'k8s.progress_deadline': {
    source: 'k8s',
    line: (r) =>
      `Deployment condition Progressing=False, reason ProgressDeadlineExceeded (no progress for ${formatDuration(r.deadline)})`,
    explain: (r) =>
      `The rolling update made no progress for progressDeadlineSeconds (${d(r.deadline)}, the default): the Deployment controller marks it failed (deployment_util.go DeploymentTimedOut) for kubectl rollout status and alerts to see. Progress is any pod created, an old pod deleted, or a pod turning Ready or available (progress.go syncRolloutStatus); what held it here — new pods Pending for want of room, or new pods never Ready or available — is in the lines before. It changes nothing else: no rollback, the new and the old pods stay as they are.`,
  },
  'k8s.rollout_stalled': {
    source: 'k8s',
    line: (r) =>
      `rolling update stalled: ${r.pending} new pod${r.pending === 1 ? '' : 's'} Pending, ${r.oldPods} old pod${r.oldPods === 1 ? '' : 's'} kept (maxSurge ${r.surge}, maxUnavailable ${r.unavailable})`,
    explain: (r) =>
      `No backend has room for the surge pod${r.pending === 1 ? '' : 's'} and maxUnavailable ${r.unavailable} lets no old pod go while the new ones are unavailable ` +
      '(rolling.go reconcileOldReplicaSets: maxScaledDown = allPods − minAvailable − newRSUnavailable ≤ 0). A real Deployment waits like this for ever: after progressDeadlineSeconds (600 s by default) it reports Progressing=False, reason ProgressDeadlineExceeded, and does not roll back. ' +
      'Give the rollout room (a spare backend, `state: detached`, not in `pods`) or set max_unavailable ≥ 1.',
  },
  'k8s.pod_terminating': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: Terminating (deletionTimestamp set); endpoint removal propagating, preStop started`,
    explain: (r) => {
      const race =
        r.preStop > 0
          ? `The preStop sleep (${d(r.preStop)}) holds SIGTERM back while the load balancer learns that the pod is leaving.`
          : 'There is no preStop sleep: SIGTERM comes at once, before the load balancer has heard of the removal, so connections it still sends to the pod meet an app that no longer accepts, and once the pod has exited, an address that answers nothing.';
      return `Kubernetes deletes ${r.pod}: the endpoint removal starts travelling to the load balancer and the preStop hook starts, both at once. ${race} The grace period of ${r.gracePeriod}s counts from now.`;
    },
  },
  'k8s.endpoint_removed': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: endpoint removed from the load balancer after ${formatDuration(toMillis(r.delay))}`,
    explain: (r) => {
      if (r.fallback) {
        const gone = r.podGone
          ? ` The pod has already exited and its IP is gone, so those connections get no answer until the pod's deletion reaches kube-proxy too.`
          : '';
        return `kube-proxy now knows ${r.pod} is terminating (${d(toMillis(r.delay))} after the deletion), but no other endpoint of the Service is ready, so it keeps sending new connections to it as a terminating endpoint (pkg/proxy/topology.go CategorizeEndpoints).${gone}`;
      }
      const head = `The load balancer now knows ${r.pod} is leaving (${d(toMillis(r.delay))} after the deletion) and sends it no new connections.`;
      if (r.podGone) {
        return `${head} That is later than the pod itself: after its SIGTERM (preStop ${d(r.preStop)}) connections were refused until its app exited, and from then on its IP answered nothing, so they hung until their connect timed out.`;
      }
      if (r.delay > r.preStop) {
        return `${head} That is later than the preStop sleep (${d(r.preStop)}): the app already had SIGTERM and stopped accepting, so connections sent to it in between were refused.`;
      }
      return `${head} The preStop sleep (${d(r.preStop)}) outlasts this delay, so no new connection reaches an app that has stopped accepting.`;
    },
  },
  'k8s.endpoint_deleted': {
    source: 'k8s',
    line: (r) =>
      `pod ${r.pod}: endpoint deleted at the load balancer ${formatDuration(toMillis(r.delay))} after the pod exited: no more connections sent to its released IP`,
    explain: (r) =>
      `${r.pod} was the terminating endpoint kube-proxy fell back to (no other endpoint ready) when its containers exited. kube-proxy learns of an endpoint's deletion only when the EndpointSlice update reaches it (pkg/proxy/endpointslicecache.go), ${d(toMillis(r.delay))} after the exit here: until now it kept sending new connections to the pod's released IP, where they got no answer (under a bridge CNI: No route to host after the 3-s ARP lookup). From now on the Service has no endpoint until a new pod is ready, and kube-proxy rejects its connections (refused).`,
  },
  'k8s.pod_ip_gone': {
    source: 'k8s',
    line: (r) =>
      r.stillSent
        ? r.unreachable
          ? `pod ${r.pod}: containers exited, sandbox stopped, pod IP released: connections still sent to it fail after 3 s (No route to host)`
          : `pod ${r.pod}: containers exited, sandbox stopped, pod IP released: connections still sent to it get no answer (connect timeout)`
        : `pod ${r.pod}: containers exited, sandbox stopped, pod IP released`,
    variant: (r) => (r.stillSent ? (r.unreachable ? 'still-sent-unreachable' : 'still-sent') : 'unused'),
    explain: (r) => {
      const head = `${r.pod}'s containers have all exited, each after its own stop signal or killed at the end of the grace period, and the kubelet, which waits for every one of them (killContainersWithSyncResult), tears the sandbox down at once (StopPodSandbox): the CNI removes its network interface and releases its IP.`;
      if (!r.stillSent) return `${head} The load balancer had already stopped sending to it, so nobody notices.`;
      const sent = r.fallback
        ? "No other endpoint of the Service is ready, so kube-proxy, which knows the pod is terminating but not yet that it is gone, keeps sending new connections to that address until the pod's deletion reaches it"
        : "The load balancer has not heard of the endpoint's removal yet and keeps sending new connections to that address";
      if (r.unreachable)
        return `${head} ${sent}. Under a bridge CNI the node still holds the pod subnet and ARPs for it: nobody answers, and after 3 s (3 broadcast ARP requests 1 s apart: net/ipv4/arp.c arp_tbl) it answers every SYN that waited on the lookup with ICMP host unreachable, so each connect() fails with EHOSTUNREACH ("No route to host") up to 3 s after its first SYN — sooner than a connect timeout, later than a refusal. The replacement pod has an IP of its own and gets none of them.`;
      return `${head} ${sent}, where nothing answers, not even with an RST: the client's SYNs are retransmitted until its connect times out (a bridge CNI would answer "No route to host" after ARP fails instead). The replacement pod has an IP of its own and gets none of them.`;
    },
  },
  'k8s.terminating_fallback': {
    source: 'k8s',
    line: (r) =>
      r.used
        ? `pod ${r.pod}: terminating endpoint used: no other endpoint is ready`
        : `pod ${r.pod}: terminating endpoint dropped: another endpoint is ready`,
    explain: (r) =>
      r.used
        ? `No pod of the Service is ready, so kube-proxy falls back to the terminating pods that still pass readiness (pkg/proxy/topology.go CategorizeEndpoints): ${r.pod} keeps taking new connections until it stops serving or another pod is ready.`
        : `A pod of the Service is ready again, so kube-proxy sends nothing more to the terminating ${r.pod}.`,
  },
  'k8s.pod_sigterm': {
    source: 'k8s',
    line: (r) =>
      r.nginx
        ? `pod ${r.pod}: SIGTERM to the app${r.shutdownDelay === undefined ? '' : ` (its ${d(r.shutdownDelay)} shutdown delay first)`}, ${r.nginx === 'quit' ? 'SIGQUIT to nginx (listener closed, in-flight requests finish)' : 'SIGTERM to nginx (fast stop: listener and connections closed)'}`
        : r.shutdownDelay === undefined
          ? `pod ${r.pod}: SIGTERM (app stops accepting, finishes in-flight requests)`
          : `pod ${r.pod}: SIGTERM (app keeps accepting for its ${d(r.shutdownDelay)} shutdown delay, then stops and finishes in-flight requests)`,
    explain: (r) => {
      const stops =
        r.shutdownDelay === undefined
          ? 'it stops accepting'
          : `it keeps accepting for its shutdown delay (${d(r.shutdownDelay)}, its readiness failing meanwhile), then stops accepting`;
      const killed = `whatever still runs when the grace period (${r.gracePeriod}s from the deletion) ends is killed.`;
      const head = r.nginx
        ? `preStop is over (${d(r.preStop)}) and the kubelet stops every container of ${r.pod} at once, each with its image's STOPSIGNAL (killContainersWithSyncResult → killContainer): ${r.nginx === 'quit' ? "nginx gets SIGQUIT (the official nginx image's STOPSIGNAL), closes its listener at once, closes its idle keep-alive connections and answers the requests in flight" : 'nginx gets SIGTERM (kubernetes.nginx_stop_signal: term), its fast stop: its listener and every connection close at once, requests in flight get EOF without a response'}; the app gets SIGTERM: ${stops} and finishes the requests it has, then exits; ${killed}`
        : `preStop is over (${d(r.preStop)}) and the kubelet sends SIGTERM to ${r.pod}'s app: ${stops} and finishes the requests it has, then exits; ${killed}`;
      if (r.endpointRemoved) return `${head} The load balancer already stopped sending it new connections.`;
      if (r.nginx)
        return `${head} The load balancer has not yet heard of the removal and still sends it new connections: nginx's listener is closed, so the pod's kernel refuses them${r.shutdownDelay !== undefined ? " (the app's shutdown delay keeps nothing open: nginx stands in front of it; a preStop sleep on the nginx container does)" : ''} while the app finishes, and once the pod has exited and its IP is gone they get no answer at all, until the removal lands.`;
      if (r.shutdownDelay !== undefined)
        return `${head} The load balancer has not yet heard of the removal and still sends it new connections: the app accepts them during its delay; those still coming after it are refused while the app finishes, and once the pod has exited and its IP is gone they get no answer at all, until the removal lands.`;
      return `${head} The load balancer has not yet heard of the removal and still sends it new connections: they are refused while the app finishes, and once the pod has exited and its IP is gone they get no answer at all, until the removal lands.`;
    },
  },
  'k8s.grace_over': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: grace period (${r.gracePeriod}s) over: SIGKILL, ${r.inFlight} requests cut`,
    tone: 'warn',
    explain: (r) =>
      `terminationGracePeriodSeconds (${r.gracePeriod}s) has passed since ${r.pod} was deleted and its app still holds ${n(r.inFlight)} requests: the kubelet sends SIGKILL and they fail. ` +
      'A grace period longer than preStop plus the longest request avoids the cut.',
  },
  'k8s.pod_ready': {
    source: 'k8s',
    // Ready is the kubelet's status; the load balancer learns it later (k8s.endpoint_added).
    line: (r) => `pod ${r.pod} (new version): Ready`,
    variant: (r) => (r.listening ? 'listening' : 'starting'),
    explain: (r) =>
      r.listening
        ? `${r.pod}'s replacement started (startup ${d(r.startupTime)}) and is Ready in the kubelet's status: the rollout moves on to the next pod now, while the Ready still travels to the load balancer (kubelet.endpoint_propagation: API server, EndpointSlice, kube-proxy); it takes new connections, with empty tables, from the "endpoint added at the load balancer" line.`
        : `${r.pod}'s replacement has no readiness probe, so the kubelet reports it Ready as soon as its container runs (prober_manager.go UpdatePodStatus: no readiness probe → ready), although its app listens only ${d(r.startupTime)} later. ` +
          'Its endpoint reaches the load balancer after kubelet.endpoint_propagation (the "endpoint added" line), and the connections sent to it until its app listens are refused; the rollout moves on as if it served. A readiness probe keeps the pod out of the endpoints until the app answers.',
  },
  'k8s.endpoint_added': {
    source: 'k8s',
    line: (r) => `pod ${r.pod}: endpoint added at the load balancer after ${formatDuration(toMillis(r.delay))}`,
    explain: (r) =>
      `${r.pod}'s Ready reached the load balancer ${d(toMillis(r.delay))} after the kubelet reported it (status update, EndpointSlice controller, kube-proxy's sync: kubelet.endpoint_propagation, and never before a change to the Service's pods written earlier, such as an old pod's termination or deletion): from now on it gets new connections.`,
  },
  'k8s.grace_extended': {
    source: 'k8s',
    line: (r) =>
      `pod ${r.pod}: preStop outlasted the grace period (${r.gracePeriod}s): SIGTERM with a ${formatDuration(r.extension)} extension`,
    tone: 'warn',
    explain: (r) =>
      `${r.pod}'s preStop hook (${d(r.preStop)}) used the whole grace period (${r.gracePeriod}s): the kubelet stops waiting for it, sends SIGTERM and allows a one-off ${d(r.extension)} more before SIGKILL ` +
      '(killContainer raises what is left of the grace period to minimumGracePeriodInSeconds). The app has almost no time to finish its requests: keep preStop well under terminationGracePeriodSeconds.',
  },
  // ── app ──────────────────────────────────────────────────────────────────────────────────────
  'app.pause': {
    source: 'app',
    line: (r) => `${r.backend}: ${r.cause} pause ${Math.round(r.duration * 1000)}ms (all workers stopped)`,
    tone: 'warn',
    variant: (r) => r.cause,
    explain: (r) => {
      const cause = r.cause === 'stop-the-world' ? '' : ` (${r.cause})`;
      return `The app on ${r.backend} stopped the world for ${Math.round(r.duration * 1000)}ms${cause}: no request progresses, new ones queue, and each waits up to that long longer.`;
    },
  },
  'app.gc': {
    source: 'app',
    line: (r) =>
      `${r.backend}: ${r.collection} GC pause ${Math.round(r.pause * 1000)}ms (${r.collection === 'full' ? 'live' : 'promoted'} ${Math.round(r.liveMb)} MB, old gen ${Math.round(r.oldUsedMb)}/${Math.round(r.oldCapacityMb)} MB, ${n(r.inFlight)} requests in flight)`,
    tone: 'warn',
    variant: (r) => r.collection,
    explain: (r) =>
      r.collection === 'full'
        ? `The old generation on ${r.backend} could not take what a young collection promoted, so the JVM stopped every thread for a full collection of ${Math.round(r.liveMb)} MB of live heap (${Math.round(r.pause * 1000)}ms, ${r.lastMinute} in the last minute). The live heap includes the data of the ${n(r.inFlight)} requests queued or in service, so the more load a backend carries, the sooner and the longer its full collections.`
        : `A young collection on ${r.backend} copied and promoted ${Math.round(r.liveMb)} MB (${Math.round(r.pause * 1000)}ms stop-the-world, ${r.lastMinute} in the last minute): the requests queued or in service (${n(r.inFlight)}) hold live data, so a loaded backend's young pauses grow and its old generation fills faster.`,
  },
  'app.keepalive_unread': {
    source: 'app',
    line: (r) =>
      `${r.backend}: keep-alive timer (${d(r.timeout)}) closed a connection whose request waited ${d(r.waited)} unread behind a blocked event loop`,
    tone: 'warn',
    explain: (r) =>
      `node arms a connection's keep-alive timer when it writes a response (keepAliveTimeout + 1 s = ${d(r.timeout)}) and clears it only when it reads the next request. ` +
      `This one came while the event loop was blocked by other requests and waited ${d(r.waited)} to be read; the loop runs its timers between an iteration's handlers and the poll that reads new data (libuv uv_run), so the timer came first and destroyed the socket with the request unread. ` +
      'The client gets no response (RST from the app; through HAProxy mode tcp an EOF). Shorter handlers, or a keepAliveTimeout well above the time a request can wait in the loop, avoid it.',
  },
  'app.killed': {
    source: 'app',
    line: (r) => `${r.backend}: killed (SIGKILL): no graceful hook runs`,
    tone: 'warn',
    explain: (r) => {
      const head =
        "kill -9: no shutdown hook, no Close frames, no draining. The kernel closes the app's sockets, with FIN where nothing was unread and RST where requests sat unread";
      if (r.inFlight === 0) return `${head}; no request was in flight, so none fails.`;
      const held = `${r.inFlight === 1 ? 'request' : `${n(r.inFlight)} requests`} in flight`;
      if (r.bare)
        return `${head}, so the ${held} get${r.inFlight === 1 ? 's' : ''} no response. No nginx stands in front of this app: the balancer answers each itself, 502 for the first request of a client connection, a silent close of a later one's.`;
      // nginx's 502 reaches a client only through a flow the balancer still forwards (hard-cut:
      // removed at the same instant, the answers meet RST and the clients time out).
      return (
        `${head}, so nginx answers the ${held} 502 Bad Gateway (its "upstream prematurely closed" lines). ` +
        `A client gets that 502 only while the load balancer still forwards its connection: one whose flow the balancer forgot (a removal without drain) never gets it and times out instead (its own request timeout: err_client_timeout; nginx's "writev() failed" lines).`
      );
    },
  },
  'app.grace_killed': {
    source: 'app',
    line: (r) =>
      `${r.backend}: still running ${formatDuration(r.shutdownGrace)} after SIGTERM (shutdown_grace): killed (SIGKILL), ${n(r.inFlight)} requests and ${n(r.wsSessions)} WebSocket sessions cut`,
    tone: 'warn',
    explain: (r) => {
      const who =
        'What supervises the app sends SIGKILL once the stop timeout after SIGTERM has passed: the kubelet after the grace period (killContainer, pkg/kubelet/kuberuntime/kuberuntime_container.go), systemd after TimeoutStopSec (service_dispatch_timer, src/core/service.c: stop-sigterm timed out → SIGKILL)';
      const requests = r.inFlight === 1 ? 'a request in flight' : `${n(r.inFlight)} requests in flight`;
      const sessions = `${n(r.wsSessions)} WebSocket session${r.wsSessions === 1 ? '' : 's'}`;
      const held = [r.inFlight > 0 ? requests : '', r.wsSessions > 0 ? sessions : ''].filter((x) => x !== '');
      const answer = r.bare
        ? 'the balancer answers each request in flight itself (no nginx stands in front of this app)'
        : 'nginx answers each request in flight with 502';
      const cut = [
        r.inFlight > 0 ? answer : '',
        r.wsSessions > 0 ? 'each session ends without a Close frame (1006) and its client reconnects' : '',
      ].filter((x) => x !== '');
      const avoid = r.wsSessions > 0 ? ' (and a WebSocket drain hook or close_on_shutdown)' : '';
      return `The app on ${r.backend} still held ${held.join(' and ')} ${d(r.shutdownGrace)} after its SIGTERM. ${who}. The kernel closes the app's sockets (FIN, or RST where requests sat unread): ${cut.join('; ')}. A shutdown_grace longer than the longest request${avoid} avoids the cut.`;
    },
  },
  'app.arbiter_killed': {
    source: 'app',
    line: (r) =>
      `${r.backend}: gunicorn's workers still running ${formatDuration(r.gracefulTimeout)} after SIGTERM (graceful_timeout): the arbiter SIGKILLs them, ${n(r.inFlight)} requests and ${n(r.wsSessions)} WebSocket sessions cut`,
    tone: 'warn',
    explain: (r) => {
      const answer = r.bare
        ? 'the balancer answers each request in flight itself (no nginx stands in front of this app)'
        : 'nginx answers each request in flight with 502';
      return `gunicorn's arbiter, SIGTERMed, SIGTERMs its workers and waits for them at most graceful_timeout (${d(r.gracefulTimeout)}; --graceful-timeout, 30 s by default: gunicorn/config.py GracefulTimeout), then SIGKILLs those still alive (arbiter.py Arbiter.stop(): kill_workers(signal.SIGKILL)). The worker on ${r.backend} still held requests or sessions, so ${answer}. A graceful_timeout above the longest request avoids the cut (and shutdown_grace, the supervisor's own kill, above it).`;
    },
  },
  'app.worker_timeout': {
    source: 'app',
    line: (r) =>
      `${r.backend}: gunicorn's arbiter kills a worker silent for more than ${formatDuration(r.timeout)} (worker_timeout): its request cut, a replacement boots for ${formatDuration(r.boot)}`,
    tone: 'warn',
    explain: (r) => {
      const who = r.bare
        ? 'the balancer (or, behind l4/nat, the client, reading EOF) sees the connection close with no response'
        : 'nginx reads the close before any response and answers 502 (upstream prematurely closed connection)';
      return `gunicorn's arbiter kills a worker that has not notified it for more than timeout (${d(r.timeout)}; --timeout, 30 s by default: gunicorn/config.py Timeout), checking once a second (arbiter.py murder_workers(): SIGABRT). A sync worker notifies only between requests (workers/sync.py run_for_one), so one request held longer is cut: the worker exits closing its connection (FIN) and ${who}. Its replacement boots for ${d(r.boot)} (startup_time) while ${n(r.busy)} other requests are in service and ${n(r.queued)} wait. A request that may run longer needs a longer --timeout, or a gthread or async worker, which notifies from its own loop.`;
    },
  },
  'app.stoppable_destroyed': {
    source: 'app',
    line: (r) =>
      `${r.backend}: stoppable's grace (${formatDuration(r.grace)} after stop()) ran out: every socket destroyed and the process exits, ${n(r.inFlight)} requests and ${n(r.wsSessions)} WebSocket sessions cut`,
    tone: 'warn',
    explain: (r) => {
      const answer = r.bare
        ? 'the balancer answers each request in flight itself (no nginx stands in front of this app)'
        : 'nginx answers each request in flight with 502';
      return `The app on ${r.backend} shuts down with stoppable (terminus calls stoppable(server, timeout), timeout 1000 ms by default: godaddy/terminus lib/terminus.js): its stop() closes the listener, ends idle connections at once and busy ones after their response, and ${d(r.grace)} later destroys every socket still open (hunterloftis/stoppable lib/stoppable.js destroyAll), then terminus re-raises the signal and the process exits — long before shutdown_grace. So ${answer}. A terminus \`timeout\` (app.stoppable_grace) above the longest request avoids the cut.`;
    },
  },
  'app.sigterm': {
    source: 'app',
    line: (r) =>
      r.shutdownDelay === undefined
        ? `${r.backend}: SIGTERM (graceful shutdown ${r.graceful ? 'on' : 'off'})${r.bare ? ' to the bare app server' : ', nginx graceful quit'}`
        : `${r.backend}: SIGTERM (graceful shutdown ${r.graceful ? 'on' : 'off'}, shutdown delay ${d(r.shutdownDelay)} first)${r.bare ? ' to the bare app server' : ', nginx graceful quit after the delay'}`,
    variant: (r) => (r.graceful ? 'on' : 'off') + (r.shutdownDelay === undefined ? '' : ' delayed'),
    explain: (r) => {
      if (r.shutdownDelay !== undefined)
        return `The app has a shutdown delay (app.shutdown_delay, ${d(r.shutdownDelay)}): nothing closes yet. What SIGTERM does — ${r.graceful ? 'close the listener and finish what is in flight' : 'exit at once (no graceful shutdown)'}${r.bare ? '' : ", and nginx's graceful quit"} — waits until the delay is over, while the health endpoint fails (next line). The kill after shutdown_grace (${d(r.shutdownGrace)}) still counts from now.`;
      const nginx = r.bare
        ? 'No nginx runs in front of this app: the signal reaches the app itself, which closes its listener (new connects are refused, and the balancer retries or redispatches them) and its idle keep-alive connections; its WebSocket tunnels end at the balancer as the app closes them.'
        : 'nginx quits gracefully: it stops listening and closes idle keepalive connections with FIN (so the VM holds their TIME_WAIT).';
      if (!r.graceful) {
        const sessions =
          r.wsSessions === 0
            ? ''
            : ` and its ${n(r.wsSessions)} WebSocket sessions end without a Close frame (1006), so their clients all reconnect at once`;
        return `The app has no graceful shutdown: SIGTERM ends it at once, like a kill: requests in flight get 502${sessions}. ${nginx}`;
      }
      const shutdown = r.workerShutdownTimeout;
      const nginxLimit =
        shutdown > 0 && shutdown !== Infinity ? ` or nginx's worker_shutdown_timeout (${d(shutdown)})` : '';
      let sessions = '';
      if (r.wsSessions > 0 && r.closeOnShutdown)
        sessions = ` It closes its ${n(r.wsSessions)} WebSocket sessions with 1001 Going Away now${r.drainHookDone ? ', after the drain notice they already got' : ''}.`;
      else if (r.drainHookDone && r.wsHook) sessions = ' Its WebSocket sessions already got the drain notice.';
      else if (r.wsSessions > 0)
        sessions = ` Its ${n(r.wsSessions)} WebSocket sessions stay until they end or until the app exits${nginxLimit}${r.wsHook ? ', unless the drain notice moves them first' : ''}.`;
      return `Graceful shutdown: the app stops accepting and finishes what it has, then exits (after shutdown_grace, ${d(r.shutdownGrace)}, at the latest). ${nginx}${sessions}`;
    },
  },
  'app.lame_duck': {
    source: 'app',
    line: (r) =>
      `${r.backend}: shutting down: the health endpoint answers ${r.status}, the app keeps accepting for ${d(r.delay)}`,
    variant: (r) => String(r.status),
    explain: (r) => {
      const checker =
        r.status === 503
          ? 'An HTTP health check counts each 503 as a failure and marks the server DOWN after `fall` of them (HAProxy), or the readiness probe fails after failureThreshold (kubelet)'
          : 'A balancer with `http-check disable-on-404` takes the server out of load balancing at its next check, without waiting for `fall`; without that option the 404 is a failed check like a 503, and the readiness probe fails on it too';
      const k8s = r.pod
        ? ' In Kubernetes the endpoint is already terminating since the pod was deleted; the delay covers the time the Service proxies and ingress controllers take to learn it.'
        : '';
      return `The lame-duck phase (terminus's beforeShutdown sleep, lightship's shutdownDelay): the app still accepts and serves every request, but its health endpoint fails so the balancer stops sending new ones before anything closes. ${checker}; a TCP check still passes. If the delay is shorter than the checker needs, the listener closes while traffic still arrives.${k8s}`;
    },
  },
  'app.lame_duck_over': {
    source: 'app',
    line: (r) =>
      `${r.backend}: shutdown delay (${d(r.delay)}) over: ${r.graceful ? 'the app closes its listener and finishes what it holds' : 'the app exits (no graceful shutdown)'}${r.bare || r.pod ? '' : ', nginx graceful quit'}`,
    variant: (r) => (r.graceful ? 'graceful' : 'exit'),
    explain: (r) =>
      `The delay is over and SIGTERM's own shutdown runs now. Connects that still reach ${r.backend} from here on are refused (or reset in its accept queue): none should, if the checks took it out during the delay.`,
  },
  'app.ws_sessions': {
    source: 'app',
    line: (r) => `${r.backend}: ws_sessions=${r.sessions}, avg_age=${formatAge(r.avgAge)}`,
    explain: (r) => {
      const asked = r.wsHook
        ? "The app's drain hook asks them to move."
        : 'Nothing asks them to move: no drain notice, no server-side close.';
      return (
        `${n(r.sessions)} WebSocket sessions are open on ${r.backend}, on average ${formatAge(r.avgAge)} old. A session ends only when its user leaves, ` +
        `so a gate waiting for "active < threshold" waits for people closing their browsers: hours, not minutes. ${asked}`
      );
    },
  },
  'app.drain_notice': {
    source: 'app',
    line: (r) =>
      `${r.backend}: drain: DRAIN_NOTICE retryAfter=${Math.round(r.retryAfter)}s sent to ${r.sessions} sessions${
        r.closeAfter === Infinity
          ? ''
          : r.closeAfter === 0
            ? ', closing with 1001'
            : `, closing the rest with 1001 after ${d(r.closeAfter)}`
      }`,
    explain: (r) => {
      const retryAfter = `${Math.round(r.retryAfter)}s`;
      const closes =
        r.closeAfter === Infinity
          ? ' It closes nothing: a session ends when its user leaves, or at SIGTERM if the app closes on shutdown.'
          : r.closeAfter === 0
            ? ' It then closes each with 1001 Going Away.'
            : ` It waits up to ${d(r.closeAfter)}, then closes the sessions still open with 1001 Going Away.`;
      const told = `The app's drain API refuses new handshakes and tells ${n(r.sessions)} clients to come back no sooner than retryAfter (${retryAfter}).${closes}`;
      return `${told} ${reconnectAfterNotice(r.honorRetryAfter, r.reconnectPolicy, r.retryAfter)}`;
    },
  },
  'app.ws_going_away': {
    source: 'app',
    line: (r) =>
      `${r.backend}: ${r.cause === 'sigterm' ? 'shutdown' : 'drain'}: closing ${r.sessions} sessions with 1001${
        r.closeSpread > 0 ? ` over ${d(r.closeSpread)}` : ''
      }`,
    explain: (r) => {
      const why =
        r.cause === 'sigterm'
          ? 'On SIGTERM the app closes every session still open'
          : 'The wait after the drain notice is over: the app closes the sessions still open';
      const closes = `${why} (${n(r.sessions)}) with 1001 Going Away${r.closeSpread > 0 ? `, spread over ${d(r.closeSpread)}` : ' at once'}.`;
      if (r.retryAfter < 0)
        return `${closes} No drain notice preceded it: the clients reconnect after their own ${r.reconnectPolicy} backoff.`;
      return `${closes} ${reconnectAfterNotice(r.honorRetryAfter, r.reconnectPolicy, r.retryAfter)}`;
    },
  },
  'app.session_lost': {
    source: 'app',
    line: (r) => `${r.backend}: session of user ${r.user} not found (was on ${r.home}): user logged out`,
    tone: 'warn',
    explain: (r) =>
      `The user's session lived in ${r.home}'s memory; the request landed on ${r.backend}, which does not know it, so the user is logged out. Sticky sessions or a shared session store avoid this.`,
  },
  'app.shutdown_complete': {
    source: 'app',
    line: (r) => `${r.backend}: graceful shutdown complete after ${formatDuration(toMillis(r.after))}`,
    explain: (r) =>
      `${r.backend}'s app finished its last request ${d(toMillis(r.after))} after SIGTERM and exits by itself, inside the grace period (${r.gracePeriod}s from the deletion): no request was cut.`,
  },
  'app.health_answer': {
    source: 'app',
    line: (r) =>
      r.code === 404
        ? `${r.backend}: maintenance file created: the health endpoint answers 404`
        : `${r.backend}: maintenance file removed: the health endpoint answers 200`,
    variant: (r) => String(r.code),
    explain: (r) =>
      r.code === 404
        ? `An operator put ${r.backend} into maintenance the way an app-side switch does it: its health endpoint answers 404 while real requests are served as before. An LB with \`http-check disable-on-404\` stops sending it new users at its next check and lets the others finish; without that option the 404 is a failed check like any other, and the server goes DOWN after \`fall\` of them.`
        : `The maintenance file on ${r.backend} is gone: its health endpoint answers 200 again, and the LB puts it back at its next check.`,
  },
  'app.dependency': {
    source: 'app',
    line: (r) =>
      r.backend !== null
        ? `${r.backend}: database connection pool ${DEPENDENCY_STATE[r.state]}`
        : `shared database ${DEPENDENCY_STATE[r.state]}`,
    tone: 'warn',
    variant: (r) => `${r.backend === null ? 'shared' : 'own'} ${r.state}`,
    explain: (r) => {
      const whose =
        r.backend === null ? 'The database every backend shares' : `${r.backend}'s database connection pool`;
      if (r.state === 'up')
        return `${whose} answers normally again: requests that query it succeed, and deep checks pass again.`;
      const checks =
        'Deep health checks and probes (endpoint: deep) query it too and fail with the app; shallow ones see only a process that answers, so the LB keeps sending traffic.';
      const giveUp = (t: number): string =>
        Number.isFinite(t) ? `fails with 500 after ${d(t)}` : 'waits for ever (no connection timeout)';
      const pool =
        r.pool === undefined
          ? ''
          : ` The app's pool has ${n(r.pool.size)} connections: a request that finds none free waits for one, holding its worker, and ${giveUp(r.pool.connectionTimeout)}.`;
      if (r.state === 'down')
        return r.downWaits === true && r.pool !== undefined
          ? `${whose} is dead: its pooled connections fail and no new one can be made, so every request that queries it waits in the pool for a connection, holding its worker, and ${giveUp(r.pool.connectionTimeout)} (HikariCP's connectionTimeout). ${checks}`
          : `${whose} is dead: every request that queries it fails with 500 after ${d(r.failTime)}, holding its worker that long. ${checks}${pool}`;
      return `${whose} is slow: every request that queries it waits an extra ${r.slowLatency}, holding its worker, so queues grow. ${checks}${pool}`;
    },
  },
  // ── kernel ───────────────────────────────────────────────────────────────────────────────────
  'kernel.listen_overflow': {
    source: 'kernel',
    line: (r) =>
      r.dropped === 'ack'
        ? `${r.backend}: final ACKs to port 443 dropped: nginx's listen queue is full (${n(r.queued)}/${n(r.limit)})` +
          ` — the sender is connected; its first data retransmitted in ${d(r.retransmitIn)} (retransmission ${n(r.retransmit)})`
        : `${r.backend}: SYNs to port 443 dropped: nginx's listen queue is full (${n(r.queued)}/${n(r.limit)})` +
          (r.givesUp
            ? r.kernelGivesUp
              ? ` — the connect gives up in ${d(r.retransmitIn)} (tcp_syn_retries ${n(r.synRetries)})`
              : ` — the connect gives up in ${d(r.retransmitIn)} (timeout connect ${d(r.connectTimeout)})`
            : ` — SYN retransmitted in ${d(r.retransmitIn)} (retransmission ${n(r.retransmit)})`),
    tone: 'warn',
    variant: (r) => (r.dropped === 'ack' ? 'final ACK' : r.givesUp ? 'gives up' : 'retransmitted'),
    explain: (r) =>
      `nginx's workers are busy with TLS handshakes, and a worker accepts one connection per event-loop iteration (ngx_event_accept, multi_accept off), so new connections wait in the kernel's accept queue of port 443. ` +
      `That queue holds min(listen backlog ${n(r.listenBacklog)}, net.core.somaxconn ${n(r.somaxconn)}) + 1 = ${n(r.limit)} completed handshakes (\`nstat TcpExtListenOverflows\` counts what it turns away). ` +
      (r.dropped === 'ack'
        ? `The SYN found room, but when the final ACK of the handshake arrived the queue was full: the kernel drops that ACK (tcp_v4_syn_recv_sock) and, tcp_abort_on_overflow being 0, sends no reset. ` +
          `${r.sender === 'lb' ? "The balancer's" : "The client's"} connect has already succeeded, so it sends its first data (the ClientHello); unacknowledged, it is retransmitted after the RTO (RTT + 200 ms, doubling), and the first copy that finds room completes the handshake. ` +
          'The wait shows in the first request, not in the connect. '
        : `Full when the SYN arrived, the kernel drops the SYN (tcp_conn_request) and says nothing to the sender. ` +
          `${r.sender === 'lb' ? "The balancer's kernel" : "The client's kernel"} sends the SYN again after 1 s, then on the tcp_syn_retries schedule, so those connections arrive seconds late` +
          (r.givesUp ? `, and this one's connect gives up at timeout connect (${d(r.connectTimeout)}). ` : '. ')) +
      'A larger backlog (`listen 443 ssl backlog=4096`, with somaxconn at least as large) lets the queue absorb the storm (it still waits for the handshakes); jittered reconnects keep it from forming.',
  },
  'kernel.synack_resend': {
    source: 'kernel',
    line: (r) =>
      r.outcome === 'expired'
        ? `${r.backend}: request sock for port 443 dropped after ${n(r.resend)} SYN-ACK timeouts (tcp_synack_retries ${n(r.retries)})`
        : r.outcome === 'reset'
          ? `${r.backend}: data retransmission of a connection whose request sock expired met no request sock and no valid cookie: RST, the client sees ECONNRESET`
          : r.outcome === 'cookie_expired'
            ? `${r.backend}: data retransmission carried a SYN cookie too old to decode (sent over a minute ago): RST, the client sees ECONNRESET`
            : `${r.backend}: SYN-ACK resent to a connection whose final ACK was dropped (resend ${n(r.resend)}): its ACK ` +
              (r.outcome === 'admitted'
                ? `created the connection (${n(r.queued)}/${n(r.limit)} queued); its TLS waits for its next data copy`
                : `met the full listen queue again (${n(r.queued)}/${n(r.limit)}), next SYN-ACK in ${d(r.nextIn)}`),
    tone: 'warn',
    variant: (r) => r.outcome,
    explain: (r) =>
      "The final ACK of this connection's handshake met nginx's full accept queue and was dropped (tcp_abort_on_overflow 0): the listener keeps the request sock in its SYN queue, marked acked (tcp_check_req). " +
      'Its SYN-ACK timer (reqsk_timer_handler) sends the SYN-ACK again 1, 3, 7, 15, 31 s after the SYN; the sender, already connected, answers with an ACK (a challenge ACK), and that ACK creates the connection if the queue has room then — an extra chance besides the retransmissions of its first data. ' +
      'That ACK carries no data: the TLS handshake starts when the ClientHello arrives with the next data retransmission (tcp_send_challenge_ack sends a pure ACK and leaves the retransmission timer alone). ' +
      `Connections that got a SYN cookie (more than the backlog in the SYN queue, ${n(r.requestSocks)} request socks now) have no request sock and no such resend. ` +
      (r.outcome === 'expired'
        ? `After tcp_synack_retries timeouts (${n(r.retries)} here: fewer while the SYN queue is more than half full of old request socks) the request sock is dropped.`
        : r.outcome === 'reset'
          ? "Its request sock had expired after its SYN-ACK timeouts, so the sender's next data copy (still carrying the ACK) finds only the listener: the cookie check fails (cookie_v4_check) and the listener answers RST (tcp_v4_send_reset). The client, connected since the SYN-ACK, sees ECONNRESET."
          : r.outcome === 'cookie_expired'
            ? 'Its SYN got a SYN cookie, which decodes only 60 to 120 s after the SYN (check_tcp_syn_cookie: MAX_SYNCOOKIE_AGE two counts of a 60-s counter); this data copy (still carrying the ACK) came later, so the cookie check fails and the listener answers RST (tcp_v4_send_reset). The client, connected since the SYN-ACK, sees ECONNRESET.'
            : 'The connection waits for whichever comes first: a data retransmission or a SYN-ACK resend that finds room.'),
  },
  'kernel.app_listen_overflow': {
    source: 'kernel',
    line: (r) =>
      `${r.backend}: SYNs to the app's port dropped: its accept queue is full (${n(r.queued)}/${n(r.limit)}) while its event loop runs` +
      (r.givesUp
        ? ` — the connect gives up in ${d(r.retransmitIn)}`
        : ` — SYN retransmitted in ${d(r.retransmitIn)} (retransmission ${n(r.retransmit)})`),
    tone: 'warn',
    variant: (r) => (r.givesUp ? 'gives up' : 'retransmitted'),
    explain: (r) =>
      'The app is one event loop (node and the like: one worker) that accept()s one pending connection per iteration (libuv ≥ 1.45, uv__server_io) and runs the requests that were ready, each blocking the loop for its service time. ' +
      `Connections that complete their handshake meanwhile wait in the kernel's accept queue for their turn, which holds min(backlog ${n(r.backlog)}, net.core.somaxconn ${n(r.somaxconn)}) + 1 = ${n(r.limit)} (\`nstat TcpExtListenOverflows\` counts what it turns away). ` +
      `Full, it drops the SYN (tcp_conn_request) without a word; ${r.sender === 'lb' ? "the balancer's kernel" : "the client's kernel"} sends it again after 1 s, then 2 s, 4 s …, so the connect takes seconds. ` +
      'A larger backlog (listen(port, { backlog }), with somaxconn at least as large), shorter handlers or more processes keep the queue from filling.',
  },
  'kernel.app_ack_overflow': {
    source: 'kernel',
    line: (r) =>
      r.outcome === 'ack_dropped'
        ? `${r.backend}: final ACK to the app's port dropped: its accept queue is full (${n(r.queued)}/${n(r.limit)}) — the sender is connected; its request retransmitted in ${d(r.rto)}`
        : r.outcome === 'child_without_data'
          ? `${r.backend}: an answer to a resent SYN-ACK made the connection to the app (${n(r.queued)}/${n(r.limit)} queued); its request comes with the next retransmission`
          : r.outcome === 'expired'
            ? `${r.backend}: a request sock of the app's listener dropped after its SYN-ACK retries (${n(r.requestSocks)} left)`
            : r.outcome === 'cookie_expired'
              ? `${r.backend}: a retransmitted request carried a SYN cookie too old to decode (sent over a minute ago): RST`
              : `${r.backend}: a retransmitted request met no request sock at the app's listener: RST`,
    tone: 'warn',
    variant: (r) => r.outcome,
    explain: () =>
      "The app's workers are busy and its accept queue (min(backlog, somaxconn) + 1 connections) is full. " +
      'A batch of retransmitted SYNs (the connecting kernel sends every SYN timer of one timer-wheel bucket in one go) all pass the SYN check, made before any of their final ACKs, and only the first ACKs find room: the kernel drops the others (tcp_v4_syn_recv_sock: ListenOverflows) and, tcp_abort_on_overflow being 0, says nothing. ' +
      "A dropped ACK's line quotes the queue as that check counted it: the connections there at the batch's SYNs plus those the batch's earlier ACKs made. " +
      "A client's own connect to a bare app behind a layer-4 balancer or a NAT is not loopback: its final ACK comes a round trip (clients.rtt) after its SYN, so every SYN sent in the round trip before the queue filled passed, and their ACKs beyond the room are dropped when they come. " +
      'Those senders are connected (connect() returned) and have sent their request; unacknowledged, it is retransmitted (at the RTO, RTT + 200 ms, then doubling), each copy carrying the ACK again, and the first copy that finds room makes the connection. ' +
      "The listener also resends its SYN-ACK 1, 3, 7, 15, 31 s after the SYN; the sender's answer makes the connection without the request if there is room then. A request sock that runs out of SYN-ACK retries is dropped and the next copy is reset (ECONNRESET). " +
      'A SYN answered with a SYN cookie (the SYN queue already held more than the backlog) has no request sock and no SYN-ACK resend: its copies get in only while the cookie decodes, 60 to 120 s after the SYN (MAX_SYNCOOKIE_AGE two counts of a 60-s counter); the first copy after that is reset. ' +
      'So the connect succeeds but the request waits: its wait shows in the request latency, not in connect errors.',
  },
  'kernel.tw_overflow': {
    source: 'kernel',
    line: (r) => `${r.backend}: TCP: time wait bucket table overflow`,
    tone: 'warn',
    explain: (r) =>
      `${r.backend}'s TIME_WAIT table is full (tcp_max_tw_buckets = ${n(r.maxTwBuckets)}, counting the sockets held in FIN_WAIT2 too): further closes skip TIME_WAIT, and a socket closed before its peer's answer (nginx's upstream connection after proxy_read_timeout) is freed at once instead of waiting in FIN_WAIT2. ` +
      'Load is unaffected, but a late packet of an old connection could now land in a new one on the same ports.',
  },
  'kernel.ss': {
    source: 'kernel',
    // /proc/net/sockstat's TCP line (net/ipv4/proc.c sockstat_seq_show(): "TCP: inuse %d orphan %d
    // tw %d alloc %d mem %ld"), which `ss -s` only reads (iproute2 misc/ss.c get_sockstat()) and
    // reprints as "TCP:   N (estab E, closed C, orphaned O, timewait T)": its estab (/proc/net/snmp
    // CurrEstab) and closed (alloc − hashed + tw) need counts the model does not keep, so the line
    // is sockstat's, without the alloc and mem the model has not either.
    line: (r) => `${r.backend}: /proc/net/sockstat: TCP: inuse ${r.inuse} orphan ${r.orphan} tw ${r.tw}`,
    explain: (r) => {
      const [low, high] = r.portRange;
      const ports = high - low + 1;
      const head = `An operator reads /proc/net/sockstat on ${r.backend} (what \`ss -s\` summarises as its timewait count): ${n(r.tw)} sockets in TIME_WAIT against ${n(r.inuse)} in use. Whoever closes first holds TIME_WAIT for ${TIME_WAIT_SECONDS}s`;
      if (r.upstreamPortsBusy >= 0.95 * ports) {
        // Capped by the port range, the count no longer grows with the close rate: no Little's law.
        return `${head}; towards the app, ${n(r.upstreamPortsBusy)} of the ${n(ports)} ports of ip_local_port_range are taken, so new upstream connections only get a port by reusing one in TIME_WAIT, or fail with EADDRNOTAVAIL.`;
      }
      return `${head}, so by Little's law this is about ${n(Math.round(r.tw / TIME_WAIT_SECONDS))} closes per second on the VM's side.`;
    },
  },
  // ── deploy pipeline and timeline actions ─────────────────────────────────────────────────────
  'deploy.config': {
    source: 'deploy',
    line: (r) => `config change on ${r.target ?? 'all backends'}: ${describe(r.nginx)} (nginx -s reload)`,
    variant: (r) => describe(r.nginx),
    explain: (r) => {
      const reload = `nginx on ${r.target ?? 'all backends'} reloads with ${describe(r.nginx)}: what happens from now on follows the new settings.`;
      const keepalive = r.nginx.keepalive_timeout;
      if (typeof keepalive !== 'number') return reload;
      return (
        `${reload} Keep-alive connections idle longer than ${d(keepalive)} are now closed by nginx, not by the client: ` +
        `the side that closes first holds the TIME_WAIT, so each such close leaves one on the VM for ${TIME_WAIT_SECONDS}s, and the client needs a new connection.`
      );
    },
  },
  'deploy.start': {
    source: 'deploy',
    line: (r) => `deploy start on ${r.backend}: unbind -> drain -> gate(new==0 && active<${r.threshold}) -> terminate`,
    explain: (r) =>
      `A deploy pipeline starts on ${r.backend}: take it out of the LB pool for new connections, wait until no new flows arrive and fewer than ${r.threshold} remain ` +
      `(checked every ${d(r.poll)}, for at most ${d(r.maxWait)}, then ${r.onTimeout === 'force' ? 'terminate anyway' : 'give up'}), then terminate it.`,
  },
  'deploy.drain_complete': {
    source: 'deploy',
    line: (r) => `drain complete on ${r.backend} after ${formatDuration(r.after)} (active_conn=${r.active})`,
    explain: (r) =>
      `The gate passed after ${d(r.after)}: no new flows and ${r.active === 0 ? 'no connection left' : `only ${n(r.active)} left, which the terminate that follows will cut`}.`,
  },
  'deploy.gate_timeout': {
    source: 'deploy',
    line: (r) => `timeout waiting for drain completion (${Math.round(r.maxWait)}s)`,
    tone: 'warn',
    explain: (r) =>
      `The gate waited its whole max_wait (${d(r.maxWait)}) and ${r.backend} still holds connections that will not end by themselves: long-lived keepalive clients or WebSocket sessions.`,
  },
  'deploy.aborted': {
    source: 'deploy',
    line: (r) =>
      r.cause === 'back_in_service'
        ? `deploy aborted: ${r.backend} was put back in service during its drain gate (${r.active} active connections); not terminated`
        : `deploy aborted: ${r.backend} left DRAINING with ${r.active} active connections`,
    tone: 'warn',
    explain: (r) =>
      r.cause === 'back_in_service'
        ? `Someone put ${r.backend} back in load balancing (bind, or the runtime API's set server … state ready) while the deploy waited for it to drain. The pipeline does not terminate a server that serves again: this VM's deploy stops here and it keeps its old version, with ${n(r.active)} connections; a rolling deploy goes on with its next batch. (A server set to maint instead takes no new connections either: the gate keeps polling and the deploy goes on.)`
        : `on_timeout: abort. The pipeline stops and leaves ${r.backend} DRAINING with ${n(r.active)} connections; someone has to decide what happens to them.`,
  },
  'deploy.forced': {
    source: 'deploy',
    line: (r) => `forced stage: terminating ${r.backend} with ${r.active} active connections`,
    tone: 'warn',
    explain: (r) =>
      `on_timeout: force. The pipeline terminates ${r.backend} anyway: its ${n(r.active)} remaining connections are cut by the shutdown, the very disruption the drain was meant to avoid.`,
  },
  'deploy.vanish': {
    source: 'deploy',
    line: (r) => `${r.backend}: instance terminated (host gone: peers get no FIN and no RST)`,
    tone: 'warn',
    explain: (r) => {
      const still = r.active === 0 ? '' : ` ${n(r.active)} connections were still on it (active_conn).`;
      return (
        `The VM is gone: nothing answers, not even with RST. Clients with a request in flight wait out their request timeout (${d(r.requestTimeout)}); ` +
        `idle ones find out on their next request, and the LB's SYNs to it time out.${still}`
      );
    },
  },
  'deploy.new_version': {
    source: 'deploy',
    line: (r) => `${r.backend}: new version started`,
    explain: (r) =>
      `${r.backend} comes back as a fresh machine: empty connection tables, no TIME_WAIT, nothing in flight.`,
  },
  'deploy.rolling_step': {
    source: 'deploy',
    line: (r) => `rolling deploy step ${r.step}/${r.steps}: ${r.backends.join(', ')}`,
    explain: (r) =>
      `A rolling deploy takes its next batch (${r.backends.length} VM${r.backends.length === 1 ? '' : 's'}) through drain, terminate and restart; ` +
      `the next batch waits until this one serves again, so the steps run one after the other (${r.steps} in all).`,
  },
  'deploy.rolling_complete': {
    source: 'deploy',
    line: (r) => `rolling deploy complete: ${r.vms} VMs in ${formatDuration(r.after)}`,
    explain: (r) =>
      `Every VM of the rolling deploy serves the new version; the whole rollout took ${formatDuration(r.after)}, the figure a deploy deadline is about.`,
  },
  'deploy.note': {
    source: 'deploy',
    line: (r) => r.text,
    variant: (r) => r.text,
    explain: () =>
      "A note from the scenario's timeline (do: note): the author marks what an operator did or saw here; the model does nothing for it.",
  },
  // ── clients ──────────────────────────────────────────────────────────────────────────────────
  'client.load': {
    source: 'client',
    line: (r) => `load change: ${describe(r.rates)}`,
    variant: (r) => describe(r.rates),
    explain: (r) =>
      `The clients' arrival rate changes (${describe(r.rates)}): it affects connections opened from now on; open ones carry on.`,
  },
  'client.no_port': {
    source: 'client',
    line: () => 'connect() failed (99: Cannot assign requested address)',
    explain: (r) =>
      `A client machine found no free local port towards the load balancer: every port of its range ${r.portRange[0]}–${r.portRange[1]} is in use or in TIME_WAIT that may not be reused, so connect() fails at once (Linux __inet_hash_connect returns EADDRNOTAVAIL; counted in err_eaddrnotavail). More source addresses, a wider ip_local_port_range or keepalive connections fix it.`,
  },
  'client.pool_skipped': {
    source: 'client',
    line: (r) => `request skipped: all ${n(r.connections)} pooled connections busy`,
    tone: 'warn',
    explain: (r) =>
      `The pooled client (clients.requests.pool, when_busy: skip) had a request due while every one of its ${n(r.connections)} connections carried an unanswered request, so it dropped it, as a load generator that never queues does (calibration/haproxy/worker.mjs). The offered load falls by what the slow or failing requests hold; when_busy: wait queues instead.`,
  },
};

/** The catalog entry of a record's kind. */
export function entryOf<R extends TraceRecord>(record: R): CatalogEntry<R> {
  return CATALOG[record.kind] as unknown as CatalogEntry<R>;
}

/** The operator's line for a record, without the fold suffix. */
export function lineOf(record: TraceRecord): string {
  return entryOf(record).line(record);
}

/** The explanation of a record for newcomers. */
export function explanationOf(record: TraceRecord): string {
  return entryOf(record).explain(record);
}
