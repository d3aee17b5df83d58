/**
 * TLS session resumption where TLS ends in nginx (proxy/session-tickets.ts, worker-cpu.ts): a client
 * that reconnects offers the ticket its last handshake got, and nginx resumes it — a handshake that
 * costs `resumed_handshake_cpu` instead of `handshake_cpu` — only when the ticket is sealed with keys
 * the accepting worker holds (the same VM and nginx generation: OpenSSL's per-SSL_CTX random keys,
 * nginx without ssl_session_ticket_key; any VM with a shared key file) and younger than
 * ssl_session_timeout. Observed as the pace at which a reconnect storm's upgrades get through one
 * nginx worker: 1,000 sessions, full handshakes of 1 ms (~70 sessions by 0.1 s after the reconnect)
 * against resumed ones of 0.1 ms (~700).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

/**
 * 1,000 WebSocket sessions connect at 1 s (each a full handshake: no client has a ticket yet); the
 * balancer ends every session on vm-a at 3 s (`shutdown_sessions`) and they all reconnect 10 s later.
 */
function storm(
  tls: Record<string, unknown>,
  timeline: unknown[] = [],
  twoVms = false,
  atBalancer = false,
  lb: Record<string, unknown> = {},
): ScenarioInput {
  return {
    start: '00:00:00',
    warmup: '0s',
    horizon: '14s',
    // Fine enough to count at 0.1 s + the 30-ms round trip (paces).
    sample_interval: '10ms',
    clients: {
      ws: {
        ping_interval: 'none',
        scheduled: Array.from({ length: 1000 }, () => ({ at: '1s', lifetime: '1h' })),
        reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
      },
    },
    // worker_connections as ingress-nginx: 1,000 tunnels hold 2,000 connections on the one worker;
    // this test is about resumed handshakes, not the connection limit.
    nginx: { worker_processes: 1, listen_backlog: 4096, worker_connections: 16384 },
    app: {
      ws: { handshake_time: '0s' },
      tls: { terminates: atBalancer ? 'lb' : 'nginx', handshake_cpu: '1ms', resumed_handshake_cpu: '0.1ms', ...tls },
    },
    lb: atBalancer ? { nbthread: 1, ...lb } : {},
    backends: twoVms ? [{ name: 'vm-a' }, { name: 'vm-b' }] : [{ name: 'vm-a' }],
    timeline: [...timeline, { at: '3s', do: 'shutdown_sessions', backend: 'vm-a' }],
  } as ScenarioInput;
}

/** vm-b out of the pool until 2 s, then vm-a out: the reconnects go to the other VM. */
const MOVE_TO_VM_B = [
  { at: '0s', do: 'unbind', backend: 'vm-b' },
  { at: '2s', do: 'bind', backend: 'vm-b' },
  { at: '2s', do: 'unbind', backend: 'vm-a' },
];

/**
 * Sessions up 0.1 s after the first connects (1.1 s) and after the reconnects (13.1 s); in nginx
 * each upgrade reaches it one round trip (`roundTrip`: clients.rtt, 30 ms) after its handshake —
 * the client's Finished and upgrade answer the server's flight (worker-cpu.ts roundTripAfter) —
 * so counted that much later (until session 19 at 1.1 and 13.1 s there too).
 */
function paces(input: ScenarioInput, roundTrip = 0.03): { first: number; again: number } {
  const r = run(input, 1);
  return { first: valueAt(r, 'ws_sessions', 1.1 + roundTrip), again: valueAt(r, 'ws_sessions', 13.1 + roundTrip) };
}

const FULL = { min: 50, max: 100 };
const RESUMED = { min: 600, max: 1000 };
const expectPace = (n: number, p: { min: number; max: number }) => {
  expect(n).toBeGreaterThan(p.min);
  expect(n).toBeLessThanOrEqual(p.max);
};

describe('TLS session resumption in nginx (tickets, nginx defaults)', () => {
  it('a reconnect to the same VM and nginx generation resumes: ten times the pace of the first, full, handshakes', () => {
    const p = paces(storm({}));
    expectPace(p.first, FULL);
    expectPace(p.again, RESUMED);
  });

  it('no resumption when the clients keep no ticket or nginx issues none (ssl_session_tickets off)', () => {
    expectPace(paces(storm({ clients_resume: false })).again, FULL);
    expectPace(paces(storm({ session_tickets: false })).again, FULL);
  });

  it('after an nginx reload the new generation cannot decrypt the old tickets: full handshakes', () => {
    const p = paces(storm({}, [{ at: '2s', do: 'nginx_reload', backend: 'vm-a' }]));
    expectPace(p.again, FULL);
  });

  it("another VM cannot decrypt vm-a's tickets, unless the fleet shares an ssl_session_ticket_key", () => {
    expectPace(paces(storm({}, MOVE_TO_VM_B, true)).again, FULL);
    expectPace(paces(storm({ shared_ticket_key: true }, MOVE_TO_VM_B, true)).again, RESUMED);
  });

  it('a ticket older than ssl_session_timeout gets a full handshake (counted from the handshake that issued it)', () => {
    // Issued at ~1.0-1.1 s, offered at 13 s.
    expectPace(paces(storm({ session_timeout: '11s' })).again, FULL);
    expectPace(paces(storm({ session_timeout: '13s' })).again, RESUMED);
  });

  it('TLS ending at the balancer (lb.nbthread): its own keys open its tickets whichever VM the client goes to', () => {
    // As in nginx: the ClientHello read a round trip after the SYN, the upgrade a round trip after
    // the flight (worker-cpu.ts helloAtBalancer; before session 20 counted at 1.1 s, no round trip).
    const p = paces(storm({}, MOVE_TO_VM_B, true, true));
    expectPace(p.first, { min: 50, max: 110 });
    expectPace(p.again, RESUMED);
    expectPace(paces(storm({ clients_resume: false }, MOVE_TO_VM_B, true, true)).again, { min: 50, max: 110 });
  });

  it('an HAProxy reload (lb_reload) ends resumption at the balancer unless tls-ticket-keys keeps the keys', () => {
    // The reload at 2 s: the new process's SSL_CTX has new random ticket keys (ssl_sock_prepare_ctx,
    // src/ssl_sock.c, installs its key callback only with tls-ticket-keys), so the reconnects at
    // 13 s, all through the new process, are full handshakes; with a key file they resume.
    const reload = [{ at: '2s', do: 'lb_reload' }];
    const first = { min: 50, max: 110 };
    expectPace(paces(storm({}, reload, false, true, { hard_stop_after: '1s' })).again, first);
    expectPace(paces(storm({}, reload, false, true, { hard_stop_after: '1s', tls_ticket_keys: true })).again, RESUMED);
    // No reload: the one process's keys open its tickets, key file or not.
    expectPace(paces(storm({}, [], false, true, { hard_stop_after: '1s' })).again, RESUMED);
  });

  it("ssl_session_cache shared with tickets off (ingress-nginx's settings): resumption survives an nginx reload, not a move to another VM", () => {
    const reload = [{ at: '2s', do: 'nginx_reload', backend: 'vm-a' }];
    const cache = { session_tickets: false, session_cache: 'shared' };
    // The master's zone outlives the reload (ngx_ssl_session_cache_init reuses it).
    expectPace(paces(storm(cache, reload)).again, RESUMED);
    expectPace(paces(storm(cache)).again, RESUMED);
    // TLS 1.2, resumed by session ID: ten times the pace of none's full handshakes too.
    const v12 = (c: Record<string, unknown>) => paces(storm({ protocol: '1.2', ...c }, reload)).again;
    expect(v12(cache)).toBeGreaterThan(5 * v12({ session_tickets: false }));
    // Tickets off, no cache: nothing resumes.
    expectPace(paces(storm({ session_tickets: false }, reload)).again, FULL);
    // Another VM has its own zone.
    expectPace(paces(storm(cache, MOVE_TO_VM_B, true)).again, FULL);
    // nginx 1.22.1 with tickets on: the ticket keys are the SSL_CTX's, not the zone's (1.23.2+).
    expectPace(paces(storm({ session_cache: 'shared' }, reload)).again, FULL);
    expectPace(paces(storm({ session_cache: 'shared' })).again, RESUMED);
  });
});

describe('review47 T5/T8/T6: the shared session cache is one nginx master’s, on one VM', () => {
  const cache = { session_tickets: false, session_cache: 'shared' };
  it('a new nginx master (stopped, then started by a bind) has an empty zone: full handshakes', () => {
    // nginx_stop after the sessions end at 3 s; the bind at 5 s starts nginx anew (Nginx.start:
    // a new master, a fresh ssl_session_cache zone: ngx_ssl_session_cache_init in a new cycle with
    // no old one to inherit it), so the reconnects at 13 s find no session of theirs.
    const restart = [
      { at: '4s', do: 'nginx_stop', backend: 'vm-a' },
      { at: '5s', do: 'bind', backend: 'vm-a' },
    ];
    expectPace(paces(storm(cache, restart)).again, FULL);
  });

  it('with tickets off a shared ticket key does not carry a session to another VM', () => {
    // ssl_session_ticket_key is read only with tickets on: the session lives in vm-a's zone.
    expectPace(paces(storm({ ...cache, shared_ticket_key: true }, MOVE_TO_VM_B, true)).again, FULL);
  });
});

describe('review47 T2: at the balancer a ticket is opened by the process that accepted the connection', () => {
  it('a reconnect burst accepted just before an lb_reload resumes in the old process, its ClientHello after the reload', () => {
    // rtt 100 ms: the reconnects' SYNs at 13 s are accepted by the first process; the reload at
    // 13.05 s comes before their ClientHellos (a round trip after the SYN). The old process keeps
    // its accepted connections (hard_stop_after 30 s) and its SSL_CTX's keys open their tickets.
    const input = storm({}, [{ at: '13.05s', do: 'lb_reload' }], false, true, { hard_stop_after: '30s' });
    input.clients = { ...input.clients, rtt: '100ms' };
    const r = run(input, 1);
    // Resumed (0.1 ms each) all 1,000 are up by 13.32 s; full (1 ms each) ~120.
    expect(valueAt(r, 'ws_sessions', 13.32)).toBe(1000);
  });
});
