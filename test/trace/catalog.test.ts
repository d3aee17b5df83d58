import { describe, expect, it } from 'vitest';
import { CATALOG, entryOf, explanationOf, lineOf } from '../../sim/trace/catalog.js';
import type { TraceInput, TraceRecord } from '../../sim/trace/records.js';

/** A record as the event log stamps it. */
function rec(input: TraceInput, t = 30): TraceRecord {
  return { ...input, t } as TraceRecord;
}

const JITTER = { policy: 'full_jitter', base: 0.1, cap: 2 };

/**
 * The operator's lines, byte for byte the text the model wrote before records (events.log is
 * golden): a change of format shows up here first.
 */
const LINES: [TraceInput, source: string, line: string][] = [
  [
    { kind: 'lb.bound', backend: 'vm-a', balance: 'roundrobin' },
    'lb',
    'backend vm-a bound: new connections accepted (BOUND)',
  ],
  [
    { kind: 'lb.drain', backend: 'vm-a', active: 598, wsSessions: 0, keepaliveTimeout: 75 },
    'lb',
    'backend=vm-a unbind+drain: new_conn blocked, active_conn=598 kept (DRAINING)',
  ],
  [
    { kind: 'lb.set_state', backend: 'vm-a', state: 'drain', active: 10, left: 1 },
    'lb',
    'Server be/vm-a enters drain mode. 1 active and 0 backup servers left. 10 sessions active.',
  ],
  [
    { kind: 'lb.set_state', backend: 'vm-a', state: 'maint', active: 3, left: 1 },
    'lb',
    'Server be/vm-a is going DOWN for maintenance. 1 active and 0 backup servers left. 3 sessions active.',
  ],
  [
    { kind: 'lb.shutdown_sessions', backend: 'vm-a', streams: 10, cause: 'command' },
    'lb',
    'shutdown sessions server be/vm-a: 10 streams closed',
  ],
  [
    { kind: 'lb.shutdown_sessions', backend: 'vm-a', streams: 13, cause: 'maint' },
    'lb',
    'Server be/vm-a going DOWN for maintenance with on-marked-down shutdown-sessions: 13 streams closed',
  ],
  [
    { kind: 'lb.reload', streams: 120, hardStopAfter: 30 },
    'lb',
    'reload: new process takes new connections; old process soft-stops with 120 streams (hard-stop-after 30s)',
  ],
  [
    { kind: 'lb.frontend_full', maxconn: 10, backlog: 10 },
    'lb',
    'frontend reached maxconn 10: listener paused, new connections wait in its accept queue (11 at most)',
  ],
  [
    { kind: 'lb.hard_stop', streams: 7, after: 30 },
    'lb',
    'soft-stop running for too long, performing a hard-stop: 7 streams closed',
  ],
  [
    { kind: 'lb.reset_summary', backend: 'vm-c', peak: 431, activeBefore: 1765, activeAfter: 159 },
    'lb',
    'reset_out=431/s active_conn dropped 1765 -> 159 in 10s',
  ],
  [
    {
      kind: 'lb.draining',
      backend: 'vm-a',
      newConn: 0,
      active: 1210,
      drainRate: -1.9999999,
      gateThreshold: 10,
      gateMaxWait: 1800,
    },
    'lb',
    'backend=vm-a draining new_conn=0 active_conn=1210 drain_rate=-2.0/min',
  ],
  [
    {
      kind: 'lb.connect_failed',
      backend: 'vm-a',
      retries: 3,
      cause: 'timeout',
      connectTimeout: 5,
      synRetries: 6,
      retryInterval: 1,
      redispatch: true,
      clientSees: 'EOF',
    },
    'lb',
    'backend=vm-a connect failed after 3 retries (timeout)',
  ],
  [
    { kind: 'lb.no_port', backend: 'vm-a', portRange: [32768, 60999], twReuse: 2 },
    'lb',
    // HAProxy src/proto_tcp.c tcp_connect_server() on EADDRNOTAVAIL.
    'Connect() failed for backend vm-a: no free ports.',
  ],
  [{ kind: 'lb.no_server_503', pool: 'be' }, 'lb', "backend 'be' has no server available: 503 Service Unavailable"],
  [
    {
      kind: 'nginx.worker_tls_backlog',
      backend: 'vm-b',
      worker: 0,
      workers: 2,
      wait: 1.747,
      handshakes: 4993,
      handshakeCpu: 0.00035,
      timedOut: false,
      requestTimeout: 10,
    },
    'nginx',
    'vm-b: worker 1/2 read a request 1.747s late, behind 4,993 queued SSL handshakes',
  ],
  [
    {
      kind: 'nginx.worker_tls_backlog',
      backend: 'vm-a',
      worker: 0,
      workers: 1,
      wait: 3,
      handshakes: 8572,
      handshakeCpu: 0.00035,
      timedOut: true,
      requestTimeout: 2,
    },
    'nginx',
    'vm-a: worker 1/1 read a request 3s late, behind 8,572 queued SSL handshakes (the client gave up first: request_timeout 2s)',
  ],
  [
    {
      kind: 'lb.thread_tls_backlog',
      backend: 'vm-a',
      worker: 1,
      workers: 2,
      wait: 0.5,
      handshakes: 1429,
      handshakeCpu: 0.00035,
      timedOut: false,
      requestTimeout: 30,
    },
    'lb',
    'thread 2/2 forwarded a request to vm-a 500ms late, behind 1,429 queued SSL handshakes',
  ],
  [
    { kind: 'nginx.upstream_refused', backend: 'vm-a', upstream: '127.0.0.1:8080' },
    'nginx',
    'vm-a: connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://127.0.0.1:8080/"',
  ],
  [
    {
      kind: 'hc.down',
      pool: 'be',
      backend: 'vm-a',
      reason: 'Layer7 timeout',
      durationMs: 2001,
      active: 1,
      sessions: 308,
      requeued: 0,
      queued: 0,
      fall: 3,
      inter: 2,
    },
    'hc',
    'Server be/vm-a is DOWN, reason: Layer7 timeout, check duration: 2001ms. 1 active and 0 backup servers left. 308 sessions active, 0 requeued, 0 remaining in queue.',
  ],
  [
    { kind: 'k8s.readiness', pod: 'vm-a', ready: false, reason: 'timeout' },
    'k8s',
    'pod vm-a: Readiness probe failed: timeout; endpoint removed from the Service',
  ],
  [
    { kind: 'k8s.readiness', pod: 'vm-a', ready: true, reason: 'ok' },
    'k8s',
    'pod vm-a: Readiness probe succeeded; endpoint added to the Service',
  ],
  [
    {
      kind: 'k8s.rollout_start',
      pods: 3,
      gracePeriod: 30,
      preStop: 10,
      propagation: 'uniform(1s, 5s)',
      surge: 0,
      unavailable: 1,
      spares: 0,
      crashAfter: null,
    },
    'k8s',
    'rolling update of 3 pods: terminationGracePeriodSeconds=30, preStop sleep 10s',
  ],
  [
    {
      kind: 'k8s.rollout_start',
      pods: 1,
      gracePeriod: 30,
      preStop: 10,
      propagation: 'uniform(1s, 5s)',
      surge: 0,
      unavailable: 1,
      spares: 0,
      crashAfter: 0,
    },
    'k8s',
    'rolling update of 1 pod: terminationGracePeriodSeconds=30, preStop sleep 10s',
  ],
  [
    { kind: 'k8s.kill_prestop', pod: 'pod-a', cause: 'liveness', preStop: 10, gracePeriod: 30 },
    'k8s',
    'pod pod-a: killing container (liveness): preStop hook (sleep 10s) before SIGTERM, grace period 30s',
  ],
  [
    { kind: 'k8s.endpoint_removed', pod: 'pod-a', delay: 1.00612345, preStop: 10, podGone: false },
    'k8s',
    'pod pod-a: endpoint removed from the load balancer after 1.006s',
  ],
  [
    { kind: 'k8s.pod_ip_gone', pod: 'pod-a', stillSent: true },
    'k8s',
    'pod pod-a: containers exited, sandbox stopped, pod IP released: connections still sent to it get no answer (connect timeout)',
  ],
  [
    { kind: 'k8s.endpoint_deleted', pod: 'pod-a', delay: 4 },
    'k8s',
    'pod pod-a: endpoint deleted at the load balancer 4s after the pod exited: no more connections sent to its released IP',
  ],
  [
    { kind: 'k8s.pod_ip_gone', pod: 'pod-b', stillSent: false },
    'k8s',
    'pod pod-b: containers exited, sandbox stopped, pod IP released',
  ],
  [
    { kind: 'k8s.grace_over', pod: 'pod-b', gracePeriod: 30, inFlight: 9 },
    'k8s',
    'pod pod-b: grace period (30s) over: SIGKILL, 9 requests cut',
  ],
  [
    { kind: 'app.shutdown_complete', backend: 'pod-a', after: 49.50000001, gracePeriod: 90 },
    'app',
    'pod-a: graceful shutdown complete after 49.5s',
  ],
  [
    { kind: 'app.keepalive_unread', backend: 's1', timeout: 3, waited: 2.009 },
    'app',
    's1: keep-alive timer (3s) closed a connection whose request waited 2.009s unread behind a blocked event loop',
  ],
  [
    { kind: 'app.pause', backend: 'vm-a', cause: 'GC', duration: 0.8504 },
    'app',
    'vm-a: GC pause 850ms (all workers stopped)',
  ],
  [
    {
      kind: 'app.gc',
      backend: 'vm-b',
      collection: 'full',
      pause: 0.6123,
      liveMb: 598.4,
      oldUsedMb: 598.4,
      oldCapacityMb: 1536,
      inFlight: 1204,
      lastMinute: 2,
    },
    'app',
    'vm-b: full GC pause 612ms (live 598 MB, old gen 598/1536 MB, 1,204 requests in flight)',
  ],
  [
    {
      kind: 'app.gc',
      backend: 'vm-b',
      collection: 'young',
      pause: 0.1204,
      liveMb: 110.2,
      oldUsedMb: 900,
      oldCapacityMb: 1536,
      inFlight: 95,
      lastMinute: 31,
    },
    'app',
    'vm-b: young GC pause 120ms (promoted 110 MB, old gen 900/1536 MB, 95 requests in flight)',
  ],
  [
    { kind: 'app.ws_sessions', backend: 'vm-a', sessions: 1233, avgAge: 7771, wsHook: false },
    'app',
    'vm-a: ws_sessions=1233, avg_age=2h 10m',
  ],
  [
    {
      kind: 'app.drain_notice',
      backend: 'vm-a',
      retryAfter: 60.2,
      sessions: 1233,
      closeAfter: 0,
      honorRetryAfter: true,
      reconnectPolicy: 'full_jitter',
    },
    'app',
    'vm-a: drain: DRAIN_NOTICE retryAfter=60s sent to 1233 sessions, closing with 1001',
  ],
  [
    {
      kind: 'app.drain_notice',
      backend: 'vm-a',
      retryAfter: 15,
      sessions: 1233,
      closeAfter: Infinity,
      honorRetryAfter: true,
      reconnectPolicy: 'full_jitter',
    },
    'app',
    'vm-a: drain: DRAIN_NOTICE retryAfter=15s sent to 1233 sessions',
  ],
  [
    {
      kind: 'app.ws_going_away',
      backend: 'vm-a',
      cause: 'sigterm',
      sessions: 1233,
      closeSpread: 0,
      retryAfter: -1,
      honorRetryAfter: true,
      reconnectPolicy: 'full_jitter',
    },
    'app',
    'vm-a: shutdown: closing 1233 sessions with 1001',
  ],
  [
    { kind: 'app.dependency', backend: null, state: 'slow', failTime: 0.005, slowLatency: 'exp(mean=2s)' },
    'app',
    'shared database slow (queries take seconds)',
  ],
  [
    { kind: 'app.dependency', backend: 'vm-b', state: 'down', failTime: 0.005, slowLatency: 'exp(mean=2s)' },
    'app',
    'vm-b: database connection pool dead (every query fails)',
  ],
  [
    {
      kind: 'kernel.ss',
      backend: 'vm-a',
      inuse: 1842,
      orphan: 0,
      tw: 12000,
      upstreamPortsBusy: 0,
      portRange: [32768, 60999],
    },
    'kernel',
    'vm-a: /proc/net/sockstat: TCP: inuse 1842 orphan 0 tw 12000',
  ],
  [
    // The orphan count is the record's (the VM kernel's HostSockets.orphanCount), not a constant 0.
    {
      kind: 'kernel.ss',
      backend: 'vm-a',
      inuse: 1842,
      orphan: 3,
      tw: 12000,
      upstreamPortsBusy: 0,
      portRange: [32768, 60999],
    },
    'kernel',
    'vm-a: /proc/net/sockstat: TCP: inuse 1842 orphan 3 tw 12000',
  ],
  [
    { kind: 'deploy.config', target: null, nginx: { keepalive_timeout: 65, keepalive_requests: undefined } },
    'deploy',
    'config change on all backends: keepalive_timeout=1m 5s (nginx -s reload)',
  ],
  [
    { kind: 'deploy.drain_complete', backend: 'vm-a', after: 155, active: 3 },
    'deploy',
    'drain complete on vm-a after 2m 35s (active_conn=3)',
  ],
  [
    { kind: 'deploy.gate_timeout', backend: 'vm-a', maxWait: 1800 },
    'deploy',
    'timeout waiting for drain completion (1800s)',
  ],
  [
    { kind: 'deploy.note', text: 'rollback: vm-c rebuilt and bound again' },
    'deploy',
    'rollback: vm-c rebuilt and bound again',
  ],
  [
    { kind: 'client.load', rates: { http_rate: 25, ws_rate: undefined, request_rate: undefined } },
    'client',
    'load change: http_rate=25',
  ],
];

describe('trace catalog', () => {
  it.each(LINES.map(([input, source, line]) => [input.kind, input, source, line] as const))(
    '%s writes the operator line',
    (_kind, input, source, line) => {
      const record = rec(input);
      expect(lineOf(record)).toBe(line);
      expect(entryOf(record).source).toBe(source);
    },
  );

  it('has an explanation for every kind, and every kind logs under its own source', () => {
    for (const [kind, entry] of Object.entries(CATALOG)) {
      expect(typeof entry.explain, kind).toBe('function');
      expect(kind.split('.')[0], kind).toBe(entry.source);
    }
  });

  it('explains with the settings the record carries, not the scenario defaults', () => {
    const reset = rec({ kind: 'nginx.reset_reading_request', backend: 'vm-a', retries: 2, retryBackoff: JITTER });
    expect(explanationOf(reset)).toContain('up to 2 retries, full_jitter backoff from 100ms capped at 2s');
    // A timeline `set` changed keepalive_timeout to 2s before this drain.
    const drain = rec({ kind: 'lb.drain', backend: 'vm-a', active: 598, wsSessions: 12, keepaliveTimeout: 2 });
    expect(explanationOf(drain)).toContain('nginx closes it after 2s idle');
    expect(explanationOf(drain)).toContain('12 of them are WebSocket sessions');
    const noPort = rec({
      kind: 'nginx.upstream_no_port',
      backend: 'vm-a',
      upstream: '10.0.1.10:8080',
      upstreamKeepalive: 0,
      portRange: [32768, 60999],
    });
    expect(explanationOf(noPort)).toContain('all 28,232 ports of ip_local_port_range (32768-60999)');
    const config = rec({ kind: 'deploy.config', target: 'vm-a', nginx: { keepalive_timeout: 65 } });
    expect(explanationOf(config)).toContain('idle longer than 1m 5s are now closed by nginx');
  });

  it("estimates when a drain would pass its gate, against the gate's max_wait", () => {
    const poll = (newConn: number, active: number, drainRate: number) =>
      explanationOf(
        rec({ kind: 'lb.draining', backend: 'vm-a', newConn, active, drainRate, gateThreshold: 10, gateMaxWait: 1800 }),
      );
    // (1210 - 10) / 2 per minute = 600 minutes.
    expect(poll(0, 1210, -2)).toBe(
      'The deploy gate polls vm-a: no new flows, 1,210 still open, falling 2/min on average since the drain began. ' +
        "At that pace reaching fewer than 10 takes about 10h, longer than the gate's max_wait of 30m.",
    );
    expect(poll(0, 40, -20)).toContain("about 2m, within the gate's max_wait of 30m");
    expect(poll(0, 4, -20)).toContain("under the gate's threshold of 10");
    expect(poll(3, 400, -20)).toContain('3 new flows still arrived');
    expect(poll(0, 400, 0.01)).toContain('the number is not falling');
  });

  it('blames the port range for TIME_WAIT only when the upstream ports are used up', () => {
    const ss = (upstreamPortsBusy: number) =>
      explanationOf(
        rec({
          kind: 'kernel.ss',
          backend: 'vm-a',
          inuse: 10,
          orphan: 0,
          tw: 28_100,
          upstreamPortsBusy,
          portRange: [32768, 60999],
        }),
      );
    expect(ss(100)).toContain('about 468 closes per second');
    expect(ss(28_000)).toContain('towards the app, 28,000 of the 28,232 ports of ip_local_port_range are taken');
  });

  it('tells a jittered reconnect wave from a synchronised storm', () => {
    const notice = (reconnectPolicy: string) =>
      explanationOf(
        rec({
          kind: 'app.drain_notice',
          backend: 'vm-a',
          retryAfter: 60,
          sessions: 1233,
          closeAfter: 0,
          honorRetryAfter: true,
          reconnectPolicy,
        }),
      );
    expect(notice('full_jitter')).toContain('retryAfter plus a random delay within 60s');
    expect(notice('full_jitter')).toContain('spread over 60s instead of as one storm');
    expect(notice('exponential')).toContain('they all wait exactly 60s and reconnect in the same second');
    // socket.io-client's randomized backoff jitters too (clients/backoff.ts hasJitter).
    expect(notice('randomized')).toContain('retryAfter plus a random delay within 60s');
    const reset = (retryBackoff: { policy: string; base: number; cap: number; factor?: number }) =>
      explanationOf(rec({ kind: 'nginx.reset_reading_request', backend: 'vm-a', retries: 2, retryBackoff }));
    expect(reset({ policy: 'randomized', base: 1, cap: 5 })).toContain(
      'randomized ± 50 % backoff from 1s capped at 5s',
    );
    expect(reset({ policy: 'randomized', base: 1, cap: 5, factor: 0.2 })).toContain('randomized ± 20 % backoff');
  });

  it('tells whether the endpoint removal beat SIGTERM in a rolling update', () => {
    const removed = (delay: number, preStop: number, podGone = false) =>
      explanationOf(rec({ kind: 'k8s.endpoint_removed', pod: 'pod-a', delay, preStop, podGone }));
    expect(removed(1.006, 0)).toContain('connections sent to it in between were refused');
    expect(removed(1.006, 10)).toContain('The preStop sleep (10s) outlasts this delay');
    // The pod exited before the removal: refused until its exit, then its IP answered nothing.
    expect(removed(1.006, 0, true)).toContain('its IP answered nothing, so they hung until their connect timed out');
    const sigterm = (endpointRemoved: boolean) =>
      explanationOf(rec({ kind: 'k8s.pod_sigterm', pod: 'pod-a', gracePeriod: 30, preStop: 0, endpointRemoved }));
    expect(sigterm(false)).toContain('still sends it new connections: they are refused while the app finishes');
    const ipGone = (stillSent: boolean) => explanationOf(rec({ kind: 'k8s.pod_ip_gone', pod: 'pod-a', stillSent }));
    expect(ipGone(true)).toContain('not even with an RST');
    expect(ipGone(true)).toContain('The replacement pod has an IP of its own');
    expect(ipGone(false)).toContain('had already stopped sending to it');
    expect(sigterm(true)).toContain('already stopped sending it new connections');
  });

  it('counts the requests a kill cuts, and says when none was in flight', () => {
    const killed = (inFlight: number) => explanationOf(rec({ kind: 'app.killed', backend: 'vm-a', inFlight }));
    expect(killed(0)).toContain('no request was in flight, so none fails');
    expect(killed(1)).toContain('so nginx answers the request in flight 502 Bad Gateway');
    expect(killed(1234)).toContain('so nginx answers the 1,234 requests in flight 502 Bad Gateway');
    // The 502 is nginx's answer, not what every client gets (hard-cut: the flows were forgotten).
    expect(killed(20)).toContain('never gets it and times out instead (its own request timeout: err_client_timeout');
  });
});
