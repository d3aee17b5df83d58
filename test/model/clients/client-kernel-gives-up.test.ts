/**
 * A keep-alive client's request written towards a host that vanished (no FIN, no RST) goes
 * unacknowledged. Behind an L4 NAT the socket retransmitting it is the client machine's own, whose
 * kernel gives up after clients.kernel.tcp_retries2 (retransmits_timed_out(), net/ipv4/
 * tcp_timer.c; net/dead-peer.ts silentPeerGiveUpAt, calibrated on kernel-holdout-dead-peer-*):
 * ETIMEDOUT before the client's own request_timeout when tcp_retries2 is lowered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';

/** Keep-alive clients over two VMs; vm-a vanishes at 10 s, the clients' request_timeout is 30 s. */
function vanish(mode: 'nat' | 'l4', retries2?: number): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    clients: {
      rtt: '1ms',
      kernel: retries2 === undefined ? {} : { tcp_retries2: retries2 },
      http: {
        arrival_rate: 4,
        requests_per_connection: 'const(200)',
        think_time: 'const(500ms)',
        retries: 2,
        retry_backoff: { policy: 'immediate' },
        request_timeout: '30s',
      },
    },
    app: { workers: 8, service_time: 'const(5ms)' },
    lb: { mode },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }],
  } as ScenarioInput;
}

describe("behind a NAT, the client machine's kernel gives up on a request to a vanished host", () => {
  let lowered: RunResult;
  let standard: RunResult;
  beforeAll(() => {
    lowered = run(vanish('nat', 3));
    standard = run(vanish('nat'));
  });

  // Both runs also have the ETIMEDOUTs of new connections' SYNs to vm-a (tcp_syn_retries, a few
  // a second all along): compared is the burst of the requests on kept-alive connections to vm-a.
  it('tcp_retries2 3: ETIMEDOUT ≈ 7 s after the write (6.7 s from the first RTO retransmission), not at request_timeout', () => {
    expect(between(lowered, 'err_etimedout', 16, 19)).toBeGreaterThan(between(standard, 'err_etimedout', 16, 19) + 15);
    // Those requests no longer wait out the 30 s.
    expect(between(lowered, 'err_etimedout', 40, 47)).toBeLessThan(between(standard, 'err_etimedout', 40, 47) - 20);
  });

  it('the default tcp_retries2 15 (~15 min) leaves it to request_timeout (30 s after the write)', () => {
    expect(between(standard, 'err_etimedout', 16, 19)).toBeLessThan(10);
    expect(between(standard, 'err_etimedout', 40, 47)).toBeGreaterThan(30);
  });

  it('behind a proxy the balancer acknowledges the request: the client waits for its request_timeout', () => {
    const l4 = run(vanish('l4', 3));
    expect(between(l4, 'err_etimedout', 16, 19)).toBeLessThan(10);
  });
});
