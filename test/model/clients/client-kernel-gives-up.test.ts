/**
 * A keep-alive client's request written towards a host that vanished (no FIN, no RST) goes
 * unacknowledged. Behind an L4 NAT the socket retransmitting it is the client machine's own, whose
 * kernel gives up after clients.kernel.tcp_retries2 (retransmits_timed_out(), net/ipv4/
 * tcp_timer.c; net/dead-peer.ts silentPeerGiveUpAt, calibrated on kernel-holdout-dead-peer-*):
 * ETIMEDOUT before the client's own request_timeout (err_client_timeout, its own timer's error)
 * when tcp_retries2 is lowered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { between, run } from '../helpers.js';
import { KEEPALIVE_APP, KEEPALIVE_CLIENTS, vanishVmA } from './vanish-fixture.js';

/** Keep-alive clients over two VMs; vm-a vanishes at 10 s, the clients' request_timeout is 30 s. */
const vanish = (mode: 'nat' | 'l4', retries2?: number): ScenarioInput =>
  vanishVmA({ http: KEEPALIVE_CLIENTS, app: KEEPALIVE_APP, at: '10s', mode, tcpRetries2: retries2, horizon: '60s' });

describe("behind a NAT, the client machine's kernel gives up on a request to a vanished host", () => {
  let lowered: RunResult;
  let standard: RunResult;
  beforeAll(() => {
    lowered = run(vanish('nat', 3));
    standard = run(vanish('nat'));
  });

  // The new connections' SYNs to vm-a (a few a second all along) end at lb.connect_timeout, behind
  // the NAT the client's own connect timer: err_client_timeout, not compared here.
  it('tcp_retries2 3: ETIMEDOUT ≈ 7 s after the write (6.7 s from the first RTO retransmission), not at request_timeout', () => {
    expect(between(lowered, 'err_etimedout', 16, 19)).toBeGreaterThan(between(standard, 'err_etimedout', 16, 19) + 15);
    // Those requests no longer wait out the 30 s: fewer client timeouts then.
    expect(between(lowered, 'err_client_timeout', 40, 47)).toBeLessThan(
      between(standard, 'err_client_timeout', 40, 47) - 20,
    );
  });

  it('the default tcp_retries2 15 (~15 min) leaves it to request_timeout (30 s after the write): a client timeout', () => {
    expect(between(standard, 'err_etimedout', 0, 60)).toBe(0);
    expect(between(standard, 'err_client_timeout', 40, 47)).toBeGreaterThan(30);
  });

  it('behind a proxy the balancer acknowledges the request: the client waits for its request_timeout', () => {
    const l4 = run(vanish('l4', 3));
    expect(between(l4, 'err_etimedout', 0, 60)).toBe(0);
  });
});
