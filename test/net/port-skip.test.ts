import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../../sim/engine/mulberry32.js';
import { inetHashConnect, type PortSkip, setRun } from '../../sim/net/hash-connect.js';
import { HostSockets, synTaken } from '../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { PortHashSecrets } from '../../sim/net/port-hash.js';
import { testRng } from './kernel-test-rng.js';

const LB = ipv4('10.0.1.2');
const VM = ipv4('10.0.1.10');

describe('setRun: set bits from a position', () => {
  it('counts across words, stops at the first clear bit or at n', () => {
    const bits = new Uint32Array(4);
    for (let k = 5; k < 77; k++) bits[k >>> 5] |= 1 << (k & 31);
    expect(setRun(bits, 0, 128)).toBe(0);
    expect(setRun(bits, 5, 128)).toBe(72);
    expect(setRun(bits, 31, 128)).toBe(46);
    expect(setRun(bits, 40, 60)).toBe(20);
    expect(setRun(bits, 77, 128)).toBe(0);
    bits.fill(0xffffffff);
    expect(setRun(bits, 3, 100)).toBe(97);
  });
});

describe('__inet_hash_connect with a PortSkip', () => {
  it('gives the same port, probes, table_perturb and draws as probing every port', () => {
    const gen = new Mulberry32(11);
    for (const [low, high] of [
      [32768, 60999],
      [1001, 1200],
      [1000, 1001],
      [40000, 40064],
    ]) {
      const span = (high + 1 - low) & ~1;
      for (let round = 0; round < 60; round++) {
        // A random taken set, dense in long runs (as a balancer's pair near exhaustion).
        const fill = gen.next();
        const taken = new Set<number>();
        const skip: PortSkip = { parity: [new Uint32Array(1024), new Uint32Array(1024)] };
        let on = false;
        for (let i = 0; i < span; i++) {
          if (gen.next() < 0.05) on = !on;
          if (on || gen.next() < fill) {
            taken.add(low + i);
            const k = i >>> 1;
            skip.parity[i & 1][k >>> 5] |= 1 << (k & 31);
          }
        }
        // Ports the probe refuses though their bit is clear (a bind() elsewhere).
        const alsoRefused = new Set<number>([low + 7, low + 8, high]);
        const usable = (p: number) => !taken.has(p) && !alsoRefused.has(p);
        const seed = Math.floor(gen.next() * 2 ** 32);
        const key = { index: round & 7, offset: Math.floor(gen.next() * 2 ** 32) };
        const firstPassFull = round % 5 === 0;
        const runs = [null, skip].map((s) => {
          const secrets = new PortHashSecrets(new Mulberry32(seed));
          const rng = new Mulberry32(seed + 1);
          const results = [0, 1, 2].map(() =>
            inetHashConnect(low, high, key, secrets, usable, rng, firstPassFull && round % 2 === 0, s),
          );
          return { results, perturb: secrets.perturb(key.index), next: rng.next() };
        });
        expect(runs[1]).toEqual(runs[0]);
      }
    }
  });
});

/**
 * Drives two hosts alike through 40,000 steps of connects (up to 3,000 held) and closes at random
 * times, checking that each connect() gives the same port and probe count on both; returns how
 * many walks examined more than 100 ports. `closeLag`: a close is dated up to that many seconds
 * before the current time (TIME_WAITs queued out of entry-time order).
 */
function driveAlike(
  skipping: HostSockets,
  probing: HostSockets,
  pairs: readonly [number, number],
  drive: Mulberry32,
  opts: { readonly dt: number; readonly timeWaitShare: number; readonly closeLag: number },
): number {
  const [pa, pb] = pairs;
  const open: number[] = [];
  let t = 0;
  let longWalks = 0;
  for (let step = 0; step < 40_000; step++) {
    t += drive.next() * opts.dt;
    if (open.length < 3000 && drive.next() < 0.6) {
      const a = skipping.connect(pa, t);
      const b = probing.connect(pb, t);
      expect(a).toBe(b);
      expect(skipping.lastProbes).toBe(probing.lastProbes);
      if (skipping.lastProbes > 100) longWalks++;
      if (a >= 0) open.push(a);
    } else if (open.length > 0) {
      const i = Math.floor(drive.next() * open.length);
      const port = open[i]!;
      open[i] = open[open.length - 1]!;
      open.pop();
      const timeWait = drive.next() < opts.timeWaitShare;
      const at = opts.closeLag > 0 ? t - drive.next() * opts.closeLag : t;
      skipping.close(pa, port, at, timeWait);
      probing.close(pb, port, at, timeWait);
    }
  }
  expect(skipping.timeWaitCount).toBe(probing.timeWaitCount);
  expect(skipping.timeWaitReused).toBe(probing.timeWaitReused);
  return longWalks;
}

describe('HostSockets connect() on a dense pair (the balancer towards a VM)', () => {
  it('walks as a host that probes each port: same ports and probe counts, open and TIME_WAIT', () => {
    // tcp_tw_reuse 1 with timestamps off never takes over a TIME_WAIT, exactly as tcp_tw_reuse 0,
    // but it makes connect() probe every port; tcp_tw_reuse 0 lets it skip the taken ones.
    const config = { ...LINUX_DEFAULTS, portLow: 20000, portHigh: 23999, timestamps: false };
    const skipping = new HostSockets({ ...config, twReuse: 0 }, testRng(5));
    const probing = new HostSockets({ ...config, twReuse: 1 }, testRng(5));
    const pairs = [skipping.connectPair(LB, VM, 443), probing.connectPair(LB, VM, 443)] as const;
    const longWalks = driveAlike(skipping, probing, pairs, new Mulberry32(3), {
      dt: 0.004,
      timeWaitShare: 0.7,
      closeLag: 0,
    });
    // The regime where skipping matters was reached: walks across hundreds of taken ports.
    expect(longWalks).toBeGreaterThan(1000);
  });
});

/** A host whose connect() probes every port: the oracle for the PortSkip walk. */
class ProbingHost extends HostSockets {
  protected override skipOf(): null {
    return null;
  }
}

describe('HostSockets connect() on a dense loopback pair under tcp_tw_reuse 2 (nginx → app)', () => {
  // Closes in time order (the model's), and with entry times out of queue order (a TIME_WAIT
  // entered up to 0.5 s before the latest one queued: it must be probed, not skipped).
  it.each([0, 0.5])(
    'skips open and too-young ports: same ports, probes, takeovers as probing each (close lag %s s)',
    (closeLag) => {
      // Timestamps on and a loopback 4-tuple: connect() may take over a TIME_WAIT older than
      // tcp_tw_reuse_delay, so only open ports and TIME_WAITs younger than that are skipped.
      const config = { ...LINUX_DEFAULTS, portLow: 20000, portHigh: 23999 };
      expect(config.twReuse).toBe(2);
      expect(config.timestamps).toBe(true);
      const local = ipv4('127.0.0.1');
      const skipping = new HostSockets(config, testRng(9));
      const probing = new ProbingHost(config, testRng(9));
      const pairs = [skipping.connectPair(local, local, 8080), probing.connectPair(local, local, 8080)] as const;
      // Up to 3,000 of the 4,000 ports held open (long-lived WebSocket upstreams), the rest churn.
      const longWalks = driveAlike(skipping, probing, pairs, new Mulberry32(4), {
        dt: 0.002,
        timeWaitShare: 0.9,
        closeLag,
      });
      // Both regimes were reached: long walks past open ports, and TIME_WAITs taken over.
      expect(longWalks).toBeGreaterThan(1000);
      expect(skipping.timeWaitReused).toBeGreaterThan(100);
    },
  );
});

describe('HostSockets connect() beside an accepting pair on the same host (a VM: nginx → app)', () => {
  // Both ends of every upstream connection are sockets of one kernel, and the closer's TIME_WAIT
  // is on either pair: the app's accepting pair's TIME_WAITs (which matureTimeWaits() passes
  // without looking: they have no PortSkip) sit in the queue between the connecting pair's.
  it.each([0, 0.5])('same ports, probes, takeovers and reopenings as probing each (close lag %s s)', (closeLag) => {
    const config = { ...LINUX_DEFAULTS, portLow: 20000, portHigh: 23999 };
    const local = ipv4('127.0.0.1');
    const hosts = [new HostSockets(config, testRng(13)), new ProbingHost(config, testRng(13))] as const;
    const nginx = hosts.map((h) => h.connectPair(local, local, 8080));
    const app = hosts.map((h) => h.acceptPair(local, 8080, local));
    const drive = new Mulberry32(6);
    const open: number[] = [];
    let t = 0;
    for (let step = 0; step < 40_000; step++) {
      t += drive.next() * 0.002;
      if (open.length < 3000 && drive.next() < 0.6) {
        const ports = hosts.map((h, i) => h.connect(nginx[i]!, t));
        expect(ports[1]).toBe(ports[0]);
        expect(hosts[0].lastProbes).toBe(hosts[1].lastProbes);
        const port = ports[0]!;
        if (port < 0) continue;
        const syn = hosts.map((h, i) => h.acceptSyn(app[i]!, port, t, Math.floor(t * 1000)));
        expect(syn[1]).toBe(syn[0]);
        if (!synTaken(syn[0]!)) hosts.forEach((h, i) => h.close(nginx[i]!, port, t, false));
        else open.push(port);
      } else if (open.length > 0) {
        const k = Math.floor(drive.next() * open.length);
        const port = open[k]!;
        open[k] = open[open.length - 1]!;
        open.pop();
        const nginxFirst = drive.next() < 0.5;
        const at = closeLag > 0 ? t - drive.next() * closeLag : t;
        hosts.forEach((h, i) => {
          h.close(nginx[i]!, port, at, nginxFirst);
          h.close(app[i]!, port, at, !nginxFirst);
        });
      }
    }
    expect(hosts[0].timeWaitCount).toBe(hosts[1].timeWaitCount);
    expect(hosts[0].timeWaitReused).toBe(hosts[1].timeWaitReused);
    expect(hosts[0].timeWaitReopened).toBe(hosts[1].timeWaitReopened);
    // Both kinds of TIME_WAIT were taken over: nginx's by connect(), the app's by a SYN.
    expect(hosts[0].timeWaitReused).toBeGreaterThan(100);
    expect(hosts[0].timeWaitReopened).toBeGreaterThan(100);
  });
});
