/**
 * What each log line of the model means, for `drainsim explain`: one entry per line the model
 * emits (grep sim/ for `log.log(` and `logLimited(`), matched on source and text, with a function
 * that writes the plain-language note from the match and the run's own numbers. A line no entry
 * matches is printed without a note.
 */
import type { LogLine } from '../result.js';
import { formatDuration } from '../scenario/units.js';
import { formatNumber } from '../../reports/terminal/format.js';
import type { Tone } from '../../reports/colorize.js';
import type { RunFacts } from './run-facts.js';

export interface LogNote {
  /** Short name of the line, for tests and for grouping repeats. */
  id: string;
  source: string;
  /** Matched against the text with any "(N more like this in this second)" suffix removed. */
  pattern: RegExp;
  /** How the log line itself is coloured: warn for lines an operator would worry about. */
  tone?: Tone;
  /**
   * For a line repeated through a phase, which repeat the note is written for: the first (the
   * default) or the last, for progress lines whose story is where they ended.
   */
  noteOn?: 'first' | 'last';
  note: (m: RegExpExecArray, facts: RunFacts, t: number) => string;
}

const n = formatNumber;
const d = formatDuration;
/** Linux TIME_WAIT length (TCP_TIMEWAIT_LEN), fixed in the kernel. */
const TIME_WAIT_SECONDS = 60;

function count(value: number | null, what: string): string {
  return value === null ? `its ${what}` : `its ${n(value)} ${what}`;
}

/** An estimate to the minute, or to the hour beyond a day: more digits would claim precision it lacks. */
function roughly(seconds: number): number {
  const unit = seconds >= 86_400 ? 3600 : 60;
  return Math.max(unit, Math.round(seconds / unit) * unit);
}

function activeBefore(facts: RunFacts, backend: string, t: number): number | null {
  return facts.gaugeBefore('active_conn', backend, t);
}

function retryPolicy(facts: RunFacts): string {
  const http = facts.scenario.clients.http;
  const b = http.retry_backoff;
  return `up to ${http.retries} retries, ${b.policy} backoff from ${d(b.base)} capped at ${d(b.cap)}`;
}

function reconnectPolicy(facts: RunFacts): string {
  const r = facts.scenario.clients.ws.reconnect;
  return `${r.policy} backoff from ${d(r.base)} capped at ${d(r.cap)}`;
}

export const LOG_NOTES: readonly LogNote[] = [
  // ── load balancer ────────────────────────────────────────────────────────────────────────────
  {
    id: 'lb-bound',
    source: 'lb',
    pattern: /^backend (\S+) bound: new connections accepted \(BOUND\)$/,
    note: (m, f) =>
      `${m[1]} is in the LB pool again: new connections go to it (balance ${f.scenario.lb.balance}). ` +
      'Existing connections stay where they are, so it fills up only as clients open new ones.',
  },
  {
    id: 'lb-unbind',
    source: 'lb',
    pattern: /^backend=(\S+) unbind\+drain: new_conn blocked, (\d+) existing flows kept \(DRAINING\)$/,
    note: (m, f, t) => {
      const b = m[1]!;
      const ws = f.gaugeBefore('ws_sessions', b, t) ?? 0;
      const keepalive = f.settings(b).nginx.keepalive_timeout;
      const wsPart = ws > 0 ? ` ${n(ws)} of them are WebSocket sessions, which end only when their users leave.` : '';
      return (
        `The drain starts: the LB sends ${b} no new connections but keeps routing its ${n(Number(m[2]))} existing flows. ` +
        `Each leaves only when it ends by itself (the client is done, or nginx closes it after ${d(keepalive)} idle), ` +
        `so the drain lasts as long as the longest-lived connection.${wsPart}`
      );
    },
  },
  {
    id: 'lb-remove',
    source: 'lb',
    pattern: /^backend (\S+) removed from pool abruptly$/,
    note: (m, f, t) => {
      const b = m[1]!;
      const flows = count(activeBefore(f, b, t), 'established flows');
      if (!f.scenario.lb.remove_resets_flows) {
        return `${b} left the pool without drain, but this LB keeps existing flows (lb.remove_resets_flows: false): ${flows} carry on; new connections go elsewhere.`;
      }
      return `${b} left the pool without drain: ${flows} have no path any more; the LB answers their next packets with RST.`;
    },
  },
  {
    id: 'lb-reset-summary',
    source: 'lb',
    pattern: /^reset_out=(\d+)\/s active_conn dropped (\d+) -> (\d+) in 10s$/,
    note: (m) => {
      const [before, after] = [Number(m[2]), Number(m[3])];
      return (
        `Ten seconds after the cut, RSTs peaked at ${n(Number(m[1]))}/s and ${n(before - after)} of the ${n(before)} forgotten flows are gone. ` +
        'A flow dies only when its client next sends something, so the collapse follows the clients\' think time: ' +
        `the ${n(after)} still idle will meet their RST later.`
      );
    },
  },
  {
    id: 'lb-drain-poll',
    source: 'lb',
    pattern: /^backend=(\S+) draining new_conn=(\d+) active_conn=(\d+) drain_rate=(-?[\d.]+)\/min$/,
    noteOn: 'last',
    note: (m, f, t) => {
      const [b, fresh, active, rate] = [m[1]!, Number(m[2]), Number(m[3]), Number(m[4])];
      const gate = f.actionBefore('deploy', b, t)?.gate;
      if (fresh > 0) return `The deploy gate polls ${b}: ${n(fresh)} new flows still arrived since the last poll, so the gate cannot pass yet (it needs new == 0).`;
      const head = `The deploy gate polls ${b}: no new flows, ${n(active)} still open`;
      if (gate === undefined) return `${head}.`;
      if (active < gate.threshold) return `${head}, under the gate's threshold of ${gate.threshold}.`;
      if (rate >= 0) return `${head}, and the number is not falling: nothing is ending these connections. The gate waits at most ${d(gate.max_wait)}.`;
      const eta = ((active - gate.threshold) / -rate) * 60;
      const verdict = eta > gate.max_wait ? `longer than the gate's max_wait of ${d(gate.max_wait)}` : `within the gate's max_wait of ${d(gate.max_wait)}`;
      return (
        `${head}, falling ${n(-rate)}/min on average since the drain began. ` +
        `At that pace reaching fewer than ${gate.threshold} takes about ${d(roughly(eta))}, ${verdict}.`
      );
    },
  },
  {
    id: 'lb-no-server',
    source: 'lb',
    pattern: /^backend pool has no server available$/,
    tone: 'warn',
    note: () =>
      'No backend is in the pool (detached, draining or failing health checks): the LB has nowhere to send a new connection and refuses it; clients see ECONNREFUSED.',
  },
  {
    id: 'lb-connect-failed',
    source: 'lb',
    pattern: /^backend=(\S+) connect failed after (\d+) retries \((timeout|refused)\)$/,
    tone: 'warn',
    note: (m, f) => {
      const lb = f.scenario.lb;
      const redispatch = lb.redispatch ? ' (option redispatch sent the last try to another backend)' : '';
      if (m[3] === 'timeout') {
        return `The LB's SYNs to ${m[1]} went unanswered (the host is gone): it waited connect_timeout (${d(lb.connect_timeout)}) on each of ${Number(m[2]) + 1} tries${redispatch}, then gave up; the client sees ETIMEDOUT.`;
      }
      return `Nothing listens on ${m[1]}'s port (nginx has quit): its kernel answers each SYN with RST. The LB retried ${m[2]} times, ${d(lb.retry_interval)} apart${redispatch}, then gave up; the client sees ECONNREFUSED.`;
    },
  },
  // ── nginx ────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'nginx-rst-request-line',
    source: 'nginx',
    pattern: /^(\S+): recv\(\) failed \(104: Connection reset by peer\) while reading client request line$/,
    tone: 'warn',
    note: (m, f) =>
      `The LB forgot this ${m[1]} flow: when the client sent its next request, the LB answered it with RST and reset nginx's side too, ` +
      `so nginx logs 104 (ECONNRESET) while waiting for that request. The client sees ECONNRESET and retries on a new connection (${retryPolicy(f)}).`,
  },
  {
    id: 'nginx-rst-writev',
    source: 'nginx',
    pattern: /^(\S+): writev\(\) failed \(104: Connection reset by peer\) while sending to client$/,
    tone: 'warn',
    note: (_m, f) =>
      'nginx had an answer ready for a client whose flow the LB has forgotten: the write meets RST. ' +
      `The client never gets it and waits out its request timeout (${d(f.scenario.clients.http.request_timeout)}): an ETIMEDOUT, not a reset.`,
  },
  {
    id: 'nginx-upstream-closed',
    source: 'nginx',
    pattern: /^(\S+): upstream prematurely closed connection while reading response header from upstream$/,
    tone: 'warn',
    note: () =>
      'The app died mid-request: its kernel closed the socket with FIN while nginx waited for the response, so nginx answers 502 Bad Gateway.',
  },
  {
    id: 'nginx-upstream-rst',
    source: 'nginx',
    pattern: /^(\S+): recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream$/,
    tone: 'warn',
    note: () =>
      'The app was killed with this request still unread in its socket: the kernel answers with RST instead of FIN, nginx logs 104 and answers 502.',
  },
  {
    id: 'nginx-eaddrnotavail',
    source: 'nginx',
    pattern: /^(\S+): connect\(\) to (\S+) failed \(99: Cannot assign requested address\) while connecting to upstream$/,
    tone: 'warn',
    note: (m, f) => {
      const s = f.settings(m[1]!);
      const [low, high] = s.kernel.ip_local_port_range;
      const keepalive = s.nginx.upstream_keepalive === 0 ? 'without upstream keepalive nginx opens a new connection to the app for every request' : `nginx keeps only ${s.nginx.upstream_keepalive} idle connections to the app`;
      return (
        `${m[1]} has no free ephemeral port towards ${m[2]}: ${keepalive}, and each close holds its port in TIME_WAIT for ${TIME_WAIT_SECONDS}s, ` +
        `so all ${n(high - low + 1)} ports of ip_local_port_range (${low}-${high}) are taken. connect() fails and the client gets 502.`
      );
    },
  },
  {
    id: 'nginx-connect-timeout',
    source: 'nginx',
    pattern: /^(\S+): upstream timed out \(110: Connection timed out\) while connecting to upstream$/,
    tone: 'warn',
    note: (m, f) => {
      const s = f.settings(m[1]!);
      const backlog = Math.min(s.app.backlog, s.kernel.somaxconn);
      return `The app's accept queue on ${m[1]} is full (backlog ${n(backlog)}): the kernel drops nginx's SYNs and nginx retries each second; after proxy_connect_timeout (${d(s.nginx.proxy_connect_timeout)}) it gives up and answers 504.`;
    },
  },
  {
    id: 'nginx-refused',
    source: 'nginx',
    pattern: /^(\S+): connect\(\) failed \(111: Connection refused\) while connecting to upstream, upstream: "(.*)"$/,
    tone: 'warn',
    note: (m) => `Nothing accepts on ${m[2]} (the app on ${m[1]} is stopped or shutting down): the connect gets RST and nginx answers 502.`,
  },
  {
    id: 'nginx-ws-idle',
    source: 'nginx',
    pattern: /^(\S+): upstream timed out \(110: Connection timed out\) while proxying upgraded connection$/,
    tone: 'warn',
    note: (m, f) =>
      `A WebSocket tunnel on ${m[1]} carried nothing for proxy_read_timeout (${d(f.settings(m[1]!).nginx.proxy_read_timeout)}): nginx closes both sides without a Close frame. ` +
      `The client sees 1006 and reconnects (${reconnectPolicy(f)}).`,
  },
  {
    id: 'nginx-shutdown-timeout',
    source: 'nginx',
    pattern: /^(\S+): worker_shutdown_timeout: closing (\d+) connections$/,
    tone: 'warn',
    note: (m, f) =>
      `nginx's graceful quit on ${m[1]} waited worker_shutdown_timeout (${d(f.settings(m[1]!).nginx.worker_shutdown_timeout)}) and now closes the ${n(Number(m[2]))} connections still open, ` +
      'mostly WebSockets, without a Close frame: their clients see 1006 and reconnect to another backend.',
  },
  // ── health checks and probes ─────────────────────────────────────────────────────────────────
  {
    id: 'hc-up',
    source: 'hc',
    pattern: /^Server (\S+)\/(\S+) is UP, reason: (.+), check duration: (\d+)ms\. (\d+) active and (\d+) backup servers online\.$/,
    note: (m, f) => {
      const hc = f.scenario.health_check;
      const rise = hc === undefined ? '' : ` after ${hc.rise} checks in a row passed`;
      return `The LB's health check marks ${m[2]} UP${rise} (${m[3]}): it gets new connections again, ${m[5]} servers are in rotation now.`;
    },
  },
  {
    id: 'hc-down',
    source: 'hc',
    pattern: /^Server (\S+)\/(\S+) is DOWN, reason: (.+), check duration: (\d+)ms\. (\d+) active and (\d+) backup servers left\. (\d+) remaining in queue\.$/,
    tone: 'warn',
    note: (m, f) => {
      const hc = f.scenario.health_check;
      const fall = hc === undefined ? '' : ` after ${hc.fall} failed checks ${d(hc.inter)} apart`;
      return (
        `The LB's health check takes ${m[2]} out of rotation${fall} (${m[3]}); ${m[5]} servers are left to carry its load. ` +
        'A check that fails because the server is busy, not broken, moves that load onto the others and can take them down in turn.'
      );
    },
  },
  {
    id: 'hc-no-server',
    source: 'hc',
    pattern: /^backend '(\S+)' has no server available!$/,
    tone: 'fail',
    note: () => 'Every server has failed its health check: the LB has nothing to send requests to, and clients get errors until a server passes its checks again.',
  },
  {
    id: 'lb-no-server-503',
    source: 'lb',
    pattern: /^backend '(\S+)' has no server available: 503 Service Unavailable$/,
    tone: 'warn',
    note: () => 'No server is in rotation, so the LB answers the request itself with 503 Service Unavailable.',
  },
  {
    id: 'k8s-readiness',
    source: 'k8s',
    pattern: /^pod (\S+): Readiness probe (succeeded|failed: (.+)); endpoint (added to|removed from) the Service$/,
    note: (m) =>
      m[2] === 'succeeded'
        ? `${m[1]} passes its readiness probe again: Kubernetes puts it back into the Service's endpoints and traffic returns.`
        : `${m[1]} failed its readiness probe (${m[3]}): Kubernetes removes it from the Service's endpoints, so it gets no new traffic; the container keeps running.`,
  },
  {
    id: 'k8s-liveness',
    source: 'k8s',
    pattern: /^pod (\S+): Liveness probe failed: (.+); container will be restarted$/,
    tone: 'warn',
    note: (m) =>
      `${m[1]} failed its liveness probe (${m[2]}): the kubelet kills the container and starts it again. Requests in flight fail; if the probe failed only because the app was busy, the restart makes things worse.`,
  },
  {
    id: 'k8s-restarted',
    source: 'k8s',
    pattern: /^pod (\S+): container restarted$/,
    note: (m) => `${m[1]}'s container is running again with empty state; it serves once its probes pass.`,
  },
  // ── app ──────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'app-kill',
    source: 'app',
    pattern: /^(\S+): killed \(SIGKILL\): no graceful hook runs$/,
    tone: 'warn',
    note: (m, f, t) => {
      const busy = f.gaugeBefore('app_busy', m[1]!, t);
      const inFlight = busy === null ? 'requests in flight' : `the ${n(busy)} requests in flight`;
      return (
        'kill -9: no shutdown hook, no Close frames, no draining. The kernel closes the app\'s sockets, with FIN where nothing was unread and RST where requests sat unread, ' +
        `so ${inFlight} fail with 502.`
      );
    },
  },
  {
    id: 'app-sigterm',
    source: 'app',
    pattern: /^(\S+): SIGTERM \(graceful shutdown (on|off)\), nginx graceful quit$/,
    note: (m, f, t) => {
      const b = m[1]!;
      const s = f.settings(b);
      const ws = f.gaugeBefore('ws_sessions', b, t) ?? 0;
      const nginx = 'nginx quits gracefully: it stops listening and closes idle keepalive connections with FIN (so the VM holds their TIME_WAIT).';
      if (m[2] === 'off') {
        const sessions = ws === 0 ? '' : ` and its ${n(ws)} WebSocket sessions end without a Close frame (1006), so their clients all reconnect at once`;
        return `The app has no graceful shutdown: SIGTERM ends it at once, like a kill: requests in flight get 502${sessions}. ${nginx}`;
      }
      const shutdown = s.nginx.worker_shutdown_timeout;
      const nginxLimit = shutdown > 0 && shutdown !== Infinity ? ` or nginx's worker_shutdown_timeout (${d(shutdown)})` : '';
      const hook = s.app.ws.drain_notice || s.app.ws.close_on_shutdown;
      const hookRan = hook && f.loggedBy('app', new RegExp(`^${b.replace(/\./g, '\\.')}: drain: DRAIN_NOTICE`), t);
      let sessions = '';
      if (hookRan) sessions = ' Its WebSocket sessions were already asked to leave by the drain hook.';
      else if (ws > 0) sessions = ` Its ${n(ws)} WebSocket sessions stay until they end or until the app exits${nginxLimit}${hook ? ', unless the drain hook moves them first' : ''}.`;
      return `Graceful shutdown: the app stops accepting and finishes what it has, then exits (after shutdown_grace, ${d(s.app.shutdown_grace)}, at the latest). ${nginx}${sessions}`;
    },
  },
  {
    id: 'app-ws-sessions',
    source: 'app',
    pattern: /^(\S+): ws_sessions=(\d+), avg_age=(.+)$/,
    note: (m, f) => {
      const ws = f.settings(m[1]!).app.ws;
      const asked = ws.drain_notice || ws.close_on_shutdown ? 'The app\'s drain hook asks them to move.' : 'Nothing asks them to move: no drain notice, no server-side close.';
      return (
        `${n(Number(m[2]))} WebSocket sessions are open on ${m[1]}, on average ${m[3]} old. A session ends only when its user leaves, ` +
        `so a gate waiting for "active < threshold" waits for people closing their browsers: hours, not minutes. ${asked}`
      );
    },
  },
  {
    id: 'app-drain-notice',
    source: 'app',
    pattern: /^(\S+): drain: DRAIN_NOTICE retryAfter=(\d+)s sent to (\d+) sessions, closing with 1001$/,
    note: (m, f) => {
      const spread = f.settings(m[1]!).app.ws.close_spread;
      const reconnect = f.scenario.clients.ws.reconnect;
      const retryAfter = `${m[2]}s`;
      const closes = `The app's drain hook tells ${n(Number(m[3]))} clients to come back after retryAfter (${retryAfter}) and closes each with 1001 Going Away${spread > 0 ? `, spread over ${d(spread)}` : ' at once'}.`;
      if (!reconnect.honor_retry_after) return `${closes} These clients ignore retryAfter and reconnect after their own ${reconnect.policy} backoff.`;
      // backoff.ts: full jitter over [0, retryAfter] when the policy has jitter, exactly retryAfter otherwise.
      if (reconnect.policy.includes('jitter')) {
        return `${closes} Each client waits a random delay within ${retryAfter} (${reconnect.policy}), so the reconnects reach the other backends spread over ${retryAfter} instead of as one storm.`;
      }
      return `${closes} These clients honour retryAfter without jitter (${reconnect.policy}): they all wait exactly ${retryAfter} and reconnect in the same second, a storm on the other backends, only later.`;
    },
  },
  {
    id: 'app-session-lost',
    source: 'app',
    pattern: /^(\S+): session of user (\S+) not found \(was on (\S+)\): user logged out$/,
    tone: 'warn',
    note: (m) => `The user's session lived in ${m[3]}'s memory; the request landed on ${m[1]}, which does not know it, so the user is logged out. Sticky sessions or a shared session store avoid this.`,
  },
  {
    id: 'app-pause',
    source: 'app',
    pattern: /^(\S+): (.+) pause (\d+)ms \(all workers stopped\)$/,
    tone: 'warn',
    note: (m) => {
      const cause = m[2] === 'stop-the-world' ? '' : ` (${m[2]})`;
      return `The app on ${m[1]} stopped the world for ${m[3]}ms${cause}: no request progresses, new ones queue, and each waits up to that long longer.`;
    },
  },
  // ── kernel ───────────────────────────────────────────────────────────────────────────────────
  {
    id: 'kernel-tw-overflow',
    source: 'kernel',
    pattern: /^(\S+): TCP: time wait bucket table overflow$/,
    tone: 'warn',
    note: (m, f) =>
      `${m[1]}'s TIME_WAIT table is full (tcp_max_tw_buckets = ${n(f.settings(m[1]!).kernel.tcp_max_tw_buckets)}): further closes skip TIME_WAIT. ` +
      'Load is unaffected, but a late packet of an old connection could now land in a new one on the same ports.',
  },
  {
    id: 'kernel-ss',
    source: 'kernel',
    pattern: /^(\S+): ss -s: TCP: inuse (\d+) orphan (\d+) tw (\d+)$/,
    note: (m, f, t) => {
      const b = m[1]!;
      const tw = Number(m[4]);
      const [low, high] = f.settings(b).kernel.ip_local_port_range;
      const ports = high - low + 1;
      const head = `An operator's ss -s on ${b}: ${n(tw)} sockets in TIME_WAIT against ${n(Number(m[2]))} in use. Whoever closes first holds TIME_WAIT for ${TIME_WAIT_SECONDS}s`;
      const upstream = f.gaugeAt('upstream_ports_busy', b, t);
      if (upstream !== null && upstream >= 0.95 * ports) {
        // Capped by the port range, the count no longer grows with the close rate: no Little's law.
        return `${head}; towards the app, ${n(upstream)} of the ${n(ports)} ports of ip_local_port_range are taken, so new upstream connections only get a port by reusing one in TIME_WAIT, or fail with EADDRNOTAVAIL.`;
      }
      return `${head}, so by Little's law this is about ${n(Math.round(tw / TIME_WAIT_SECONDS))} closes per second on the VM's side.`;
    },
  },
  // ── deploy pipeline and control plane ────────────────────────────────────────────────────────
  {
    id: 'deploy-config',
    source: 'deploy',
    pattern: /^config change on (.+): (.*) \(nginx -s reload\)$/,
    note: (m) => {
      const reload = `nginx on ${m[1]} reloads with ${m[2]}: what happens from now on follows the new settings.`;
      const keepalive = /keepalive_timeout=([^ ]+)/.exec(m[2]!);
      if (keepalive === null) return reload;
      return (
        `${reload} Keep-alive connections idle longer than ${keepalive[1]} are now closed by nginx, not by the client: ` +
        `the side that closes first holds the TIME_WAIT, so each such close leaves one on the VM for ${TIME_WAIT_SECONDS}s, and the client needs a new connection.`
      );
    },
  },
  {
    id: 'deploy-start',
    source: 'deploy',
    pattern: /^deploy start on (\S+): unbind -> drain -> gate\(new==0 && active<(\d+)\) -> terminate$/,
    note: (m, f, t) => {
      const action = f.actionBefore('deploy', m[1]!, t);
      const how = action === undefined ? '' : ` (checked every ${d(action.gate.poll)}, for at most ${d(action.gate.max_wait)}, then ${action.gate.on_timeout === 'force' ? 'terminate anyway' : 'give up'})`;
      return `A deploy pipeline starts on ${m[1]}: take it out of the LB pool for new connections, wait until no new flows arrive and fewer than ${m[2]} remain${how}, then terminate it.`;
    },
  },
  {
    id: 'deploy-drain-complete',
    source: 'deploy',
    pattern: /^drain complete on (\S+) after (.+) \(active_conn=(\d+)\)$/,
    note: (m) => {
      const left = Number(m[3]);
      return `The gate passed after ${m[2]}: no new flows and ${left === 0 ? 'no connection left' : `only ${n(left)} left, which the terminate that follows will cut`}.`;
    },
  },
  {
    id: 'deploy-gate-timeout',
    source: 'deploy',
    pattern: /^timeout waiting for drain completion \((\d+)s\)$/,
    tone: 'warn',
    note: (m) =>
      `The gate waited its whole max_wait (${d(Number(m[1]))}) and the backend still holds connections that will not end by themselves: long-lived keepalive clients or WebSocket sessions.`,
  },
  {
    id: 'deploy-aborted',
    source: 'deploy',
    pattern: /^deploy aborted: (\S+) left DRAINING with (\d+) active connections$/,
    tone: 'warn',
    note: (m) => `on_timeout: abort. The pipeline stops and leaves ${m[1]} DRAINING with ${n(Number(m[2]))} connections; someone has to decide what happens to them.`,
  },
  {
    id: 'deploy-forced',
    source: 'deploy',
    pattern: /^forced stage: terminating (\S+) with (\d+) active connections$/,
    tone: 'warn',
    note: (m) =>
      `on_timeout: force. The pipeline terminates ${m[1]} anyway: its ${n(Number(m[2]))} remaining connections are cut by the shutdown, the very disruption the drain was meant to avoid.`,
  },
  {
    id: 'deploy-vanish',
    source: 'deploy',
    pattern: /^(\S+): instance terminated \(host gone: peers get no FIN and no RST\)$/,
    tone: 'warn',
    note: (m, f, t) => {
      const active = activeBefore(f, m[1]!, t);
      const still = active === null || active === 0 ? '' : ` ${n(active)} connections were still on it.`;
      return (
        `The VM is gone: nothing answers, not even with RST. Clients with a request in flight wait out their request timeout (${d(f.scenario.clients.http.request_timeout)}); ` +
        `idle ones find out on their next request, and the LB's SYNs to it time out.${still}`
      );
    },
  },
  {
    id: 'deploy-new-version',
    source: 'deploy',
    pattern: /^(\S+): new version started$/,
    note: (m) => `${m[1]} comes back as a fresh machine: empty connection tables, no TIME_WAIT, nothing in flight.`,
  },
  // ── clients ──────────────────────────────────────────────────────────────────────────────────
  {
    id: 'client-load',
    source: 'client',
    pattern: /^load change: (.*)$/,
    note: (m) => `The clients' arrival rate changes (${m[1]}): it affects connections opened from now on; open ones carry on.`,
  },
];

const FOLDED = / \((\d+) more like this in this second\)$/;

/** A log line's text without the event log's fold suffix, and how many events the fold stands for. */
export function unfold(text: string): { text: string; folded: number } {
  const m = FOLDED.exec(text);
  return m === null ? { text, folded: 0 } : { text: text.slice(0, m.index), folded: Number(m[1]) };
}

export interface ExplainedLine {
  entry: LogNote;
  note: string;
}

/** The note for a log line, or null when no entry knows it. */
export function explainLine(line: LogLine, facts: RunFacts): ExplainedLine | null {
  const { text } = unfold(line.text);
  for (const entry of LOG_NOTES) {
    if (entry.source !== line.source) continue;
    const m = entry.pattern.exec(text);
    if (m !== null) return { entry, note: entry.note(m, facts, line.t) };
  }
  return null;
}
