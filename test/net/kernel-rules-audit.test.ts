/**
 * Mutation audit round 11 (session 35, mut35) of session 34's kernel rules in net/host-sockets.ts:
 * what tw-rst-recording, tw-overflow-finwait2-recording and stale-tuple-recording did not pin.
 */
import { describe, expect, it } from 'vitest';
import { HostSockets } from '../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { testRng } from './kernel-test-rng.js';

const connecting = (config: Partial<typeof LINUX_DEFAULTS>, seed: number) => {
  const host = new HostSockets({ ...LINUX_DEFAULTS, ...config }, testRng(seed));
  const pair = host.connectPair(ipv4('10.0.0.2'), ipv4('10.0.0.1'), 80);
  return { host, pair };
};

describe('kernel rules of session 34, mutation audit round 11', () => {
  it('tcp_rfc1337 unset is 0 (a scenario host sets no such key): an in-window RST kills the TIME_WAIT', () => {
    // core/kernel-hosts.ts hostKernelConfig() writes no rfc1337: unset must read as Linux's 0.
    const { host, pair } = connecting({ rfc1337: undefined }, 41);
    const port = host.connect(pair, 0);
    host.close(pair, port, 0.5, true);
    expect(host.stateOf(pair, port, 1)).toBe('time-wait');
    expect(host.resetTimeWait(pair, port, 1)).toBe(true);
    expect(host.stateOf(pair, port, 1)).toBe('none');
  });

  it('an RST for an open socket is not a TIME_WAIT kill: resetTimeWait leaves it (its owner closes it)', () => {
    const { host, pair } = connecting({}, 42);
    const port = host.connect(pair, 0);
    expect(host.resetTimeWait(pair, port, 1)).toBe(false);
    expect(host.stateOf(pair, port, 1)).toBe('open');
    expect(host.timeWaitCount).toBe(0);
  });

  it('TIME_WAITs count towards tcp_max_tw_buckets for a FIN_WAIT2 transition, expired ones no more', () => {
    // tcp_time_wait() → inet_twsk_alloc(): one death row for TIME_WAIT and FIN_WAIT2 timewait socks.
    const { host, pair } = connecting({ maxTwBuckets: 2 }, 43);
    const ports = [0, 1, 2, 3].map(() => host.connect(pair, 0));
    host.close(pair, ports[0], 0, true); // TIME_WAIT until ~60 s
    expect(host.timeWaitCount).toBe(1);
    expect(host.finWait2Held(pair, ports[1], 0)).toBe(true); // 1 + 0 < 2
    expect(host.finWait2Held(pair, ports[2], 0)).toBe(false); // 1 + 1: full
    expect(host.timeWaitOverflows).toBe(1);
    expect(host.stateOf(pair, ports[2], 0)).toBe('none');
    // 70 s on the TIME_WAIT has expired (60 s and the timer wheel's slack): the FIN_WAIT2 alone leaves room.
    expect(host.stateOf(pair, ports[0], 61)).toBe('time-wait');
    expect(host.finWait2Held(pair, ports[3], 70)).toBe(true);
    expect(host.timeWaitOverflows).toBe(1);
  });
});
