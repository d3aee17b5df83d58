/**
 * A client whose connection ends before its TLS 1.3 handshake does never gets the
 * NewSessionTicket (OpenSSL writes it after the client's Finished: ssl/statem/statem_srvr.c
 * ossl_statem_server13_write_transition TLS_ST_SR_FINISHED → TLS_ST_SW_SESSION_TICKET), so its
 * next connection offers none and nginx makes a full handshake (proxy/session-tickets.ts lost).
 * Regime: 1,000 WebSocket sessions connect at 1 s through one nginx worker, full handshakes of
 * 1 ms each, so the worker is busy with them until ~2 s; the balancer ends every session on vm-a
 * at 1.3 s (`shutdown_sessions`), when about 750 are still waiting for their handshake, and all
 * reconnect 10 s later. Only the ~250 that had finished theirs hold a ticket: the reconnects go at
 * the full handshakes' pace once those resumed are through. Catches review41 TL5:
 * SessionTickets.lost as a no-op (the ticket of a handshake that never finished counts, and
 * nearly every reconnect resumes at ten times the pace).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

describe('sessions cut during their first TLS handshake, then reconnecting', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '14s',
        sample_interval: '10ms',
        clients: {
          ws: {
            ping_interval: 'none',
            scheduled: Array.from({ length: 1000 }, () => ({ at: '1s', lifetime: '1h' })),
            reconnect: { policy: 'exponential', base: '10s', cap: '10s', honor_retry_after: false },
          },
        },
        nginx: { worker_processes: 1, listen_backlog: 4096, worker_connections: 16384 },
        app: {
          ws: { handshake_time: '0s' },
          tls: { terminates: 'nginx', handshake_cpu: '1ms', resumed_handshake_cpu: '0.1ms' },
        },
        backends: [{ name: 'vm-a' }],
        timeline: [{ at: '1.3s', do: 'shutdown_sessions', backend: 'vm-a' }],
      } as ScenarioInput,
      1,
    );
  });

  it('those cut before their handshake ended reconnect with a full handshake', () => {
    // The regime: only part of the first wave was up at the cut.
    const upAtCut = valueAt(r, 'ws_sessions', 1.29);
    expect(upAtCut).toBeGreaterThan(150);
    expect(upAtCut).toBeLessThan(400);
    // Reconnects from ~11.3 s: the resumed (≤ upAtCut, 0.1 ms each) first, then 1 ms a handshake.
    // 0.3 s later ~450 are up (seed 1: 456); had every client kept a ticket, all 1,000 would be by 11.5 s.
    const up = valueAt(r, 'ws_sessions', 11.6);
    expect(up).toBeLessThan(upAtCut + 400);
  });
});
