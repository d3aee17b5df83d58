/**
 * A bare app server's accept queue holds min(backlog, net.core.somaxconn) + 1 connections:
 * __sys_listen (net/socket.c) caps the listen(2) backlog at somaxconn, and sk_acceptq_is_full()
 * (include/net/sock.h) tests `>`, so one more fits; a SYN that finds it full is dropped
 * (tcp_conn_request, ListenOverflows) and retransmitted on the SYN schedule (vm/backend.ts
 * appBacklog). Regime: one event loop (`accept_model: event_loop`) listening with backlog 512 on
 * a kernel with somaxconn 128, stopped by a 2-s pause at 1 s while 1,000 new connections a second
 * arrive (paced, until 1.3 s): the loop accepts nothing, the first 129 connections of the pause
 * wait in the queue and the 130th SYN (at 1.129 s) is the first dropped. Catches review41 LX2:
 * appBacklog without the somaxconn clamp (512 + 1 places: the pause's 300 connections all fit).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

describe('a paused event loop with backlog 512 on a kernel with somaxconn 128', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({
      warmup: '0s',
      horizon: '6s',
      sample_interval: '1s',
      clients: {
        rtt: '1ms',
        http: {
          arrival_rate: 1000,
          arrivals: 'paced',
          requests_per_connection: 'const(1000)',
          think_time: 'const(10s)',
          retries: 0,
        },
      },
      app: {
        workers: 1,
        service_time: 'const(1ms)',
        backlog: 512,
        keepalive_timeout: '60s',
        accept_model: 'event_loop',
      },
      kernel: { somaxconn: 128 },
      lb: { mode: 'nat' },
      backends: [{ name: 'vm-a', proxy: 'none' }],
      timeline: [
        { at: '1s', do: 'pause', backend: 'vm-a', duration: '2s' },
        { at: '1.3s', do: 'load', http_rate: 0 },
      ],
    } as ScenarioInput);
  });

  it('the queue holds somaxconn + 1 = 129: the first SYN dropped is the pause’s 130th', () => {
    const [first] = recordsOf(r, 'kernel.app_listen_overflow');
    expect(first).toBeDefined();
    expect(first).toMatchObject({ queued: 129, limit: 129, backlog: 512, somaxconn: 128 });
    expect(first.t).toBeCloseTo(1.129, 6);
    // 300 connections in the pause, 129 of them queued: 171 first SYNs dropped in that second
    // (their retransmissions, ~1 s later, in the next), and one final ACK: the client 1 ms away
    // whose SYN passed at 1.128, while the 129th child's ACK was on its way, meets the full queue
    // at 1.129 (tcp_v4_syn_recv_sock; session 33) and its data copies (RTO 204 ms: the loss
    // probe at 1.333, 1.537, 1.945) are dropped too: 171 + 4.
    expect(between(r, 'syn_drops', 1, 2)).toBe(175);
  });
});
