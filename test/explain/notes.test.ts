import { describe, expect, it } from 'vitest';
import { LOG_NOTES, explainLine, unfold } from '../../sim/explain/notes.js';
import { RunFacts } from '../../sim/explain/run-facts.js';
import { fixtureFacts } from './helpers.js';

/**
 * One line per note, written the way the model writes it (see the `log.log(` / `logLimited(` calls
 * under sim/). A new note needs a line here, and a changed log format shows up as a miss.
 */
const SAMPLES: Record<string, [source: string, text: string]> = {
  'lb-bound': ['lb', 'backend vm-a bound: new connections accepted (BOUND)'],
  'lb-unbind': ['lb', 'backend=vm-a unbind+drain: new_conn blocked, 598 existing flows kept (DRAINING)'],
  'lb-remove': ['lb', 'backend vm-a removed from pool abruptly'],
  'lb-reset-summary': ['lb', 'reset_out=431/s active_conn dropped 1765 -> 159 in 10s'],
  'lb-drain-poll': ['lb', 'backend=vm-a draining new_conn=0 active_conn=1210 drain_rate=-2.0/min'],
  'lb-no-server': ['lb', 'backend pool has no server available'],
  'lb-connect-failed': ['lb', 'backend=vm-a connect failed after 3 retries (timeout)'],
  'lb-no-server-503': ['lb', "backend 'be' has no server available: 503 Service Unavailable"],
  'hc-up': ['hc', 'Server be/vm-a is UP, reason: Layer7 check passed, check duration: 3ms. 2 active and 0 backup servers online.'],
  'hc-down': ['hc', 'Server be/vm-a is DOWN, reason: Layer7 timeout, check duration: 2001ms. 1 active and 0 backup servers left. 12 remaining in queue.'],
  'hc-no-server': ['hc', "backend 'be' has no server available!"],
  'k8s-readiness': ['k8s', 'pod vm-a: Readiness probe failed: timeout; endpoint removed from the Service'],
  'k8s-liveness': ['k8s', 'pod vm-a: Liveness probe failed: timeout; container will be restarted'],
  'k8s-restarted': ['k8s', 'pod vm-a: container restarted'],
  'nginx-rst-request-line': ['nginx', 'vm-a: recv() failed (104: Connection reset by peer) while reading client request line'],
  'nginx-rst-writev': ['nginx', 'vm-a: writev() failed (104: Connection reset by peer) while sending to client'],
  'nginx-upstream-closed': ['nginx', 'vm-a: upstream prematurely closed connection while reading response header from upstream'],
  'nginx-upstream-rst': ['nginx', 'vm-a: recv() failed (104: Connection reset by peer) while reading response header from upstream'],
  'nginx-eaddrnotavail': ['nginx', 'vm-a: connect() to 10.0.1.10:8080 failed (99: Cannot assign requested address) while connecting to upstream'],
  'nginx-connect-timeout': ['nginx', 'vm-a: upstream timed out (110: Connection timed out) while connecting to upstream'],
  'nginx-refused': ['nginx', 'vm-a: connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://127.0.0.1:8080/"'],
  'nginx-ws-idle': ['nginx', 'vm-a: upstream timed out (110: Connection timed out) while proxying upgraded connection'],
  'nginx-shutdown-timeout': ['nginx', 'vm-a: worker_shutdown_timeout: closing 42 connections'],
  'app-kill': ['app', 'vm-a: killed (SIGKILL): no graceful hook runs'],
  'app-sigterm': ['app', 'vm-a: SIGTERM (graceful shutdown on), nginx graceful quit'],
  'app-ws-sessions': ['app', 'vm-a: ws_sessions=1233, avg_age=2h 9m'],
  'app-drain-notice': ['app', 'vm-a: drain: DRAIN_NOTICE retryAfter=60s sent to 1233 sessions, closing with 1001'],
  'app-session-lost': ['app', 'vm-b: session of user 17 not found (was on vm-a): user logged out'],
  'app-pause': ['app', 'vm-a: stop-the-world pause 850ms (all workers stopped)'],
  'kernel-tw-overflow': ['kernel', 'vm-a: TCP: time wait bucket table overflow'],
  'kernel-ss': ['kernel', 'vm-a: ss -s: TCP: inuse 1842 orphan 0 tw 12000'],
  'deploy-config': ['deploy', 'config change on all backends: keepalive_timeout=2s (nginx -s reload)'],
  'deploy-start': ['deploy', 'deploy start on vm-a: unbind -> drain -> gate(new==0 && active<10) -> terminate'],
  'deploy-drain-complete': ['deploy', 'drain complete on vm-a after 2m 35s (active_conn=3)'],
  'deploy-gate-timeout': ['deploy', 'timeout waiting for drain completion (1800s)'],
  'deploy-aborted': ['deploy', 'deploy aborted: vm-a left DRAINING with 1689 active connections'],
  'deploy-forced': ['deploy', 'forced stage: terminating vm-a with 1229 active connections'],
  'deploy-vanish': ['deploy', 'vm-a: instance terminated (host gone: peers get no FIN and no RST)'],
  'deploy-new-version': ['deploy', 'vm-a: new version started'],
  'client-load': ['client', 'load change: http_rate=25'],
};

function noteFor(source: string, text: string, t = 30, overrides = {}): string {
  const { facts } = fixtureFacts(overrides);
  const explained = explainLine({ t, source, text }, facts);
  if (explained === null) throw new Error(`no note for [${source}] ${text}`);
  return explained.note;
}

describe('log notes', () => {
  it('has a sample line for every note, and each sample finds its own note', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(LOG_NOTES.map((e) => e.id).sort());
    const { facts } = fixtureFacts();
    for (const [id, [source, text]] of Object.entries(SAMPLES)) {
      const explained = explainLine({ t: 30, source, text }, facts);
      expect(explained?.entry.id, id).toBe(id);
      expect(explained!.note, id).not.toMatch(/undefined|NaN|null|\$\{/);
    }
  });

  it('matches on the source too, and leaves unknown lines without a note', () => {
    const { facts } = fixtureFacts();
    expect(explainLine({ t: 0, source: 'app', text: 'backend vm-a removed from pool abruptly' }, facts)).toBeNull();
    expect(explainLine({ t: 0, source: 'deploy', text: 'rollback: vm-c rebuilt' }, facts)).toBeNull();
  });

  it('explains a folded line like the line it stands for', () => {
    expect(unfold('vm-c: recv() failed (104: Connection reset by peer) while reading client request line (426 more like this in this second)')).toEqual({
      text: 'vm-c: recv() failed (104: Connection reset by peer) while reading client request line',
      folded: 426,
    });
    expect(unfold('plain line')).toEqual({ text: 'plain line', folded: 0 });
    expect(noteFor('nginx', `${SAMPLES['nginx-rst-request-line']![1]} (12 more like this in this second)`)).toContain('ECONNRESET');
  });

  it('counts the flows a hard removal strands from the sample before it', () => {
    // vm-a had 598 active connections in the sample ending at 20 s, the last one before 30 s.
    expect(noteFor('lb', 'backend vm-a removed from pool abruptly')).toBe(
      'vm-a left the pool without drain: its 598 established flows have no path any more; the LB answers their next packets with RST.',
    );
    expect(noteFor('lb', 'backend vm-a removed from pool abruptly', 30, { lb: { remove_resets_flows: false } })).toContain('keeps existing flows');
  });

  it("estimates when a drain would pass its gate, against the gate's max_wait", () => {
    // (1210 - 10) / 2 per minute = 600 minutes.
    expect(noteFor('lb', SAMPLES['lb-drain-poll']![1])).toBe(
      'The deploy gate polls vm-a: no new flows, 1,210 still open, falling 2/min on average since the drain began. ' +
        "At that pace reaching fewer than 10 takes about 10h, longer than the gate's max_wait of 30m.",
    );
    expect(noteFor('lb', 'backend=vm-a draining new_conn=0 active_conn=40 drain_rate=-20.0/min')).toContain("about 2m, within the gate's max_wait of 30m");
    expect(noteFor('lb', 'backend=vm-a draining new_conn=0 active_conn=4 drain_rate=-20.0/min')).toContain("under the gate's threshold of 10");
    expect(noteFor('lb', 'backend=vm-a draining new_conn=3 active_conn=400 drain_rate=-20.0/min')).toContain('3 new flows still arrived');
  });

  it('quotes the settings in force: retries, timeouts, port range', () => {
    expect(noteFor('nginx', SAMPLES['nginx-rst-request-line']![1])).toContain('up to 2 retries, full_jitter backoff from 100ms capped at 2s');
    expect(noteFor('nginx', SAMPLES['nginx-rst-writev']![1], 30, { clients: { http: { request_timeout: '45s' } } })).toContain('request timeout (45s)');
    expect(noteFor('nginx', SAMPLES['nginx-eaddrnotavail']![1])).toContain('all 28,232 ports of ip_local_port_range (32768-60999)');
    expect(noteFor('kernel', 'vm-a: ss -s: TCP: inuse 10 orphan 0 tw 12000')).toContain('about 200 closes per second');
    expect(noteFor('deploy', SAMPLES['deploy-config']![1])).toContain('idle longer than 2s are now closed by nginx');
  });

  it('blames the port range for TIME_WAIT only when the upstream ports are used up', () => {
    const { facts, result } = fixtureFacts();
    const line = { t: 40, source: 'kernel', text: 'vm-a: ss -s: TCP: inuse 10 orphan 0 tw 28100' };
    expect(explainLine(line, facts)!.note).toContain('about 468 closes per second');
    // The same count, with nginx's ports to the app nearly all taken.
    result.timeline.series.push({ name: 'upstream_ports_busy', kind: 'gauge', unit: 'port', description: '' });
    result.timeline.values.push(result.timeline.t.map(() => 28_000));
    const exhausted = explainLine(line, new RunFacts(result, facts.scenario))!.note;
    expect(exhausted).toContain('towards the app, 28,000 of the 28,232 ports of ip_local_port_range are taken');
  });

  it('tells a jittered reconnect wave from a synchronised storm', () => {
    const line = SAMPLES['app-drain-notice']![1];
    const jitter = { clients: { ws: { reconnect: { policy: 'full_jitter' as const } } } };
    const exact = { clients: { ws: { reconnect: { policy: 'exponential' as const } } } };
    expect(noteFor('app', line, 30, jitter)).toContain('spread over 60s instead of as one storm');
    expect(noteFor('app', line, 30, exact)).toContain('they all wait exactly 60s and reconnect in the same second');
  });
});
