import { describe, expect, it } from 'vitest';
import { inetHashConnect } from '../../sim/net/hash-connect.js';
import { HostSockets, SharedKernel } from '../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { PortHashSecrets } from '../../sim/net/port-hash.js';
import { testRng } from './kernel-test-rng.js';

const CLIENT = ipv4('10.0.0.2');
const SERVER = ipv4('10.0.0.1');

/** Connect `n` times at time `t` (one 10-s period), closing each at once without TIME_WAIT. */
function walk(host: HostSockets, pair: number, n: number, t: number): number[] {
  const ports: number[] = [];
  for (let k = 0; k < n; k++) {
    const port = host.connect(pair, t);
    ports.push(port);
    host.close(pair, port, t, false);
  }
  return ports;
}

/** A time in the middle of a 10-s port-offset period of this host. */
function midPeriod(host: HostSockets, from: number): number {
  const perPeriod = 10 * host.config.hz;
  const j = host.clock.jiffies(from);
  return host.clock.timeOf((Math.floor(j / perPeriod) + 1) * perPeriod + perPeriod / 2);
}

describe('__inet_hash_connect port walk', () => {
  it('takes ports of the range low end parity first', () => {
    for (const [low, high] of [
      [32768, 60999],
      [1001, 2000],
    ]) {
      const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: low, portHigh: high }, testRng(1));
      const pair = host.connectPair(CLIENT, SERVER, 80);
      const ports = walk(host, pair, 500, midPeriod(host, 0));
      expect(ports.every((p) => p >= low && p <= high && (p & 1) === (low & 1))).toBe(true);
    }
  });

  it('steps +2…+16 with mean ≈ 9 when the ports ahead are free (max(i, rand(0..7)·2) + 2)', () => {
    const host = new HostSockets(LINUX_DEFAULTS, testRng(2));
    const pair = host.connectPair(CLIENT, SERVER, 443);
    const ports = walk(host, pair, 3000, midPeriod(host, 0));
    const steps = ports.slice(1).map((p, k) => (p - ports[k] + 28232) % 28232);
    const counts = new Map<number, number>();
    for (const s of steps) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    for (const c of counts.values()) expect(c / steps.length).toBeGreaterThan(0.1); // ≈ 1/8 each
    const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
    expect(mean).toBeGreaterThan(8.7);
    expect(mean).toBeLessThan(9.3);
  });

  it('busy ports lengthen the step: table_perturb grows by max(i, rand(0..7)·2) + 2', () => {
    const secrets = new PortHashSecrets(testRng(3));
    const key = { index: 7, offset: (2 ** 32 - secrets.perturb(7)) % 2 ** 32 }; // start offset 0
    const fixed = (x: number) => ({ next: () => x });
    // Ports 1000…1008 busy: the walk takes 1010 after i = 10 and adds max(10, 0·2) + 2 = 12.
    const a = inetHashConnect(1000, 1099, key, secrets, (p) => p >= 1010, fixed(0));
    expect(a).toEqual({ port: 1010, probes: 6 });
    const b = inetHashConnect(1000, 1099, key, secrets, () => true, fixed(0));
    expect(b.port).toBe(1012);
    // A free start port with rand = 7: the next start is 2·7 + 2 = 16 further on.
    const c = inetHashConnect(1000, 1099, key, secrets, () => true, fixed(0.99));
    expect(c.port).toBe(1014);
    expect(inetHashConnect(1000, 1099, key, secrets, () => true, fixed(0)).port).toBe(1014 + 16);
  });

  it('falls back to the other parity, then fails with EADDRNOTAVAIL when every 4-tuple is open', () => {
    const host = new HostSockets({ ...LINUX_DEFAULTS, portLow: 1000, portHigh: 1099 }, testRng(4));
    const pair = host.connectPair(CLIENT, SERVER, 80);
    const t = midPeriod(host, 0);
    const ports = Array.from({ length: 100 }, () => host.connect(pair, t));
    expect(ports.slice(0, 50).every((p) => p % 2 === 0)).toBe(true);
    expect(ports.slice(50).every((p) => p % 2 === 1)).toBe(true);
    expect(new Set(ports).size).toBe(100);
    expect(host.connect(pair, t)).toBe(-1);
    // Another destination still has the whole range: the limit is per 4-tuple.
    expect(host.connect(host.connectPair(CLIENT, SERVER, 81), t)).toBeGreaterThanOrEqual(1000);
  });

  it('jumps to a new place every 10 s (EPHEMERAL_PORT_SHUFFLE_PERIOD) and only then', () => {
    const host = new HostSockets(LINUX_DEFAULTS, testRng(5));
    const pair = host.connectPair(CLIENT, SERVER, 8080);
    const perPeriod = 10 * host.config.hz;
    let walkSteps = 0;
    let jumpsAtBoundary = 0;
    let prev = -1;
    let prevPeriod = -1;
    for (let t = 0; t < 100; t += 0.05) {
      const port = host.connect(pair, t);
      host.close(pair, port, t, false);
      const period = Math.floor(host.clock.jiffies(t) / perPeriod);
      if (prev >= 0) {
        const step = (port - prev + 28232) % 28232;
        if (period === prevPeriod) {
          expect(step).toBeGreaterThanOrEqual(2);
          expect(step).toBeLessThanOrEqual(16);
          walkSteps++;
        } else if (step > 16) jumpsAtBoundary++;
      }
      prev = port;
      prevPeriod = period;
    }
    expect(walkSteps).toBeGreaterThan(1900);
    expect(jumpsAtBoundary).toBeGreaterThanOrEqual(9); // 10 boundaries; a jump of ≤ 16 is 1 in ~1,800
  });
});

describe('one kernel, several namespaces', () => {
  it('share the walk to a destination: interleaved connects each step ≈ 18 instead of 9', () => {
    const rng = testRng(6);
    const kernel = new SharedKernel(250, rng);
    const a = new HostSockets(LINUX_DEFAULTS, testRng(7), kernel);
    const b = new HostSockets(LINUX_DEFAULTS, testRng(8), kernel);
    const lo = ipv4('127.0.0.1');
    const pa = a.connectPair(lo, lo, 8080);
    const pb = b.connectPair(lo, lo, 8080);
    const t = midPeriod(a, 0);
    const portsA: number[] = [];
    for (let k = 0; k < 1000; k++) {
      const pA = a.connect(pa, t);
      a.close(pa, pA, t, false);
      portsA.push(pA);
      b.close(pb, b.connect(pb, t), t, false);
    }
    const steps = portsA.slice(1).map((p, k) => (p - portsA[k] + 28232) % 28232);
    const mean = steps.reduce((x, y) => x + y, 0) / steps.length;
    expect(mean).toBeGreaterThan(17);
    expect(mean).toBeLessThan(19);
  });
});
