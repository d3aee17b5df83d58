import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HostSockets } from '../../sim/net/host-sockets.js';
import { JiffiesClock } from '../../sim/net/jiffies.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { TCP_TIMEOUT_INIT_S } from '../../sim/net/request-sock.js';
import { TCP_TIMEOUT_MIN_JIFFIES } from '../../sim/net/tcp.js';
import { testRng } from './kernel-test-rng.js';

/**
 * calibration/data/kernel-stale-tuple-rt.json (Linux 6.18, HZ 250, two namespaces and a veth): a
 * client that vanished reconnects from the same port while the server still holds the old 4-tuple
 * ESTABLISHED, 12 times. The model's figures come from HostSockets.acceptSyn ('challenged':
 * tcp_validate_incoming() → tcp_send_challenge_ack()) and TCP_TIMEOUT_MIN
 * (tcp_rcv_synsent_state_process()), nothing fitted to the recording.
 */
interface Run {
  readonly connect: { readonly result: string; readonly ms: number };
  readonly staleSocket: { readonly read: string; readonly ms: number };
  readonly segments: readonly { readonly from: string; readonly flags: string }[];
}
const data = JSON.parse(readFileSync('calibration/data/kernel-stale-tuple-rt.json', 'utf8')) as {
  readonly n: number;
  readonly stamp: { readonly kernelConfig: { readonly CONFIG_HZ: string } };
  readonly netstat: Record<'server' | 'client', Record<string, number>>;
  readonly runs: readonly Run[];
};
const SERVER = ipv4('10.34.0.2');
const CLIENT = ipv4('10.34.0.1');

describe('a SYN for a 4-tuple still open (recorded: kernel-stale-tuple-rt)', () => {
  it('is challenged; the RST resets the stale socket, and the SYN sent again connects', () => {
    const host = new HostSockets(LINUX_DEFAULTS, testRng(37));
    const pair = host.acceptPair(SERVER, 5636, CLIENT);
    let connected = 0;
    for (let i = 0; i < data.n; i++) {
      const port = 41000 + i;
      expect(host.acceptSyn(pair, port, i, i * 1000)).toBe('new');
      // The client vanishes; its SYN from the same port meets the open socket.
      expect(host.acceptSyn(pair, port, i + 0.5, i * 1000 + 500)).toBe('challenged');
      expect(host.stateOf(pair, port, i + 0.5)).toBe('open'); // its owner's to reset (close())
      host.close(pair, port, i + 0.5, false);
      if (host.acceptSyn(pair, port, i + 0.51, i * 1000 + 510) === 'new') connected++;
    }
    expect(connected).toBe(data.runs.filter((r) => r.connect.result === 'connected').length);
    // Recorded: SYN, challenge ACK, RST, SYN, SYN-ACK, ACK each time; the stale socket reads ECONNRESET.
    for (const r of data.runs) {
      expect(r.segments.map((s) => `${s.from[0]}${s.flags}`)).toEqual(['cS', 's.', 'cR', 'cS', 'sS.', 'c.']);
      expect(r.staleSocket.read).toBe('ECONNRESET');
    }
    expect(data.netstat.server.TCPSYNChallenge).toBe(data.n);
    expect(data.netstat.client.TCPSynRetrans).toBe(data.n);
  });

  it('the SYN goes again TCP_TIMEOUT_MIN later on the timer wheel, not after the 1-s RTO, as recorded', () => {
    const hz = Number(data.stamp.kernelConfig.CONFIG_HZ);
    // Over every jiffies phase, a 2-jiffy timer fires 2 to 3 jiffies later (level 0 of the wheel).
    let earliest = Number.POSITIVE_INFINITY;
    let latest = 0;
    for (let phase = 0; phase < 1; phase += 0.01) {
      const clock = new JiffiesClock(hz, phase);
      const d = clock.timerFiresAt(10, TCP_TIMEOUT_MIN_JIFFIES / hz) - 10;
      earliest = Math.min(earliest, d);
      latest = Math.max(latest, d);
    }
    expect(earliest).toBeCloseTo(0.008, 4);
    expect(latest).toBeLessThanOrEqual(0.012 + 1e-9);
    const ms = data.runs.map((r) => r.connect.ms).sort((a, b) => a - b);
    // Every recorded connect after the model's earliest firing (the RST itself takes ~0.1 ms) and
    // far below the RTO; the recording's machine was loaded (stamp note): its timers ran late.
    expect(ms[0]).toBeGreaterThanOrEqual(earliest * 1000);
    expect(ms[0]).toBeLessThanOrEqual(latest * 1000 + 1);
    expect(ms[ms.length - 1]).toBeLessThan((TCP_TIMEOUT_INIT_S * 1000) / 10);
  });

  it('a TIME_WAIT whose PAWS check refuses the SYN is killed by the RST its ACK draws (tcp_rfc1337 0)', () => {
    for (const rfc1337 of [false, true]) {
      const host = new HostSockets({ ...LINUX_DEFAULTS, rfc1337 }, testRng(38));
      const pair = host.acceptPair(SERVER, 5636, CLIENT);
      host.acceptSyn(pair, 41000, 0, 0);
      host.close(pair, 41000, 1, true, true, 5000); // ts_recent 5000
      expect(host.acceptSyn(pair, 41000, 2, 4000)).toBe(rfc1337 ? 'rejected' : 'reset-time-wait');
      expect(host.stateOf(pair, 41000, 2)).toBe(rfc1337 ? 'time-wait' : 'none');
    }
  });
});
