import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { ClientHosts } from '../../../sim/model/core/kernel-hosts.js';
import { HostSockets } from '../../../sim/net/host-sockets.js';
import { ipv4, LINUX_DEFAULTS } from '../../../sim/net/kernel-config.js';
import { KernelSchema } from '../../../sim/scenario/schema.js';
import { testRng } from '../../net/kernel-test-rng.js';

describe('HostSockets.isEmpty', () => {
  it('is false while a socket is open, true once the last TIME_WAIT has fired', () => {
    const host = new HostSockets(LINUX_DEFAULTS, testRng(2));
    const pair = host.connectPair(ipv4('100.64.0.1'), ipv4('192.0.2.10'), 443);
    const a = host.connect(pair, 0);
    const b = host.connect(pair, 0);
    host.close(pair, a, 0, true);
    expect(host.isEmpty(1)).toBe(false);
    // b is open: not empty even after a's TIME_WAIT fired (answered without expiring it) …
    expect(host.isEmpty(100)).toBe(false);
    // … and the next verb still sees a's TIME_WAIT gone, as of its own time.
    expect(host.socketsOf(pair, 100)).toBe(1);
    expect(host.timeWaitCount).toBe(0);
    host.close(pair, b, 100, true);
    expect(host.isEmpty(150)).toBe(false);
    expect(host.isEmpty(170)).toBe(true);
  });
});

describe('ClientHosts: a machine per busy client address', () => {
  it('the sweep lets go exactly the machines that hold nothing; a let-go address boots again', () => {
    const hosts = new ClientHosts(KernelSchema.parse({}), new RandomStreams(1));
    const k = hosts.kernels;
    const held: Array<{ ip: number; port: number; m: number }> = [];
    // 4,096 boots trigger a sweep at the next new address. Every third machine keeps its socket
    // open, every third closes into TIME_WAIT, the rest close without one.
    for (let ip = 0; ip < 4095; ip++) {
      const m = hosts.machine(ip, 0);
      const port = k.connect(m, 0);
      if (ip % 3 === 0) held.push({ ip, port, m });
      else k.close(m, port, 0, ip % 3 === 1);
    }
    expect(hosts.size).toBe(4095);
    const tw = hosts.machine(1, 10); // a machine with a TIME_WAIT, not let go: the same one
    hosts.machine(5000, 10); // the 4,096th boot: sweep at t = 10, TIME_WAITs still held
    expect(hosts.size).toBe(Math.ceil(4095 / 3) + 1365 + 1);
    expect(hosts.machine(1, 10)).toBe(tw);
    expect(k.socketsOf(tw, 10)).toBe(1);
    for (let ip = 6000; ip < 6000 + 4095; ip++) hosts.machine(ip, 100);
    // Sweep at t = 100: the TIME_WAITs have fired and the new machines never connected, so only
    // the machines with an open socket stay (and the address that asked, booted after the sweep).
    hosts.machine(20_000, 100);
    expect(hosts.size).toBe(1365 + 1);
    for (const h of held) {
      expect(hosts.machine(h.ip, 100)).toBe(h.m);
      expect(k.stateOf(h.m, h.port, 100)).toBe('open');
    }
    // An address whose machine was let go gets a rebooted one with no socket.
    const again = hosts.machine(2, 100);
    expect(k.socketsOf(again, 100)).toBe(0);
    expect(k.size).toBe(hosts.size);
  });

  it("the address table finds every machine alive and no other, through growth and the sweep's removals (against a Map)", () => {
    const hosts = new ClientHosts(KernelSchema.parse({}), new RandomStreams(3));
    // The table's verbs are private: the sweep removes only machines that hold nothing, and here
    // the test removes at random to reach every deletion case of linear probing.
    const table = hosts as unknown as { lookUp(ip: number): number; remove(m: number): void };
    const k = hosts.kernels;
    const alive = new Map<number, number>();
    const ips: number[] = [];
    let seed = 12345;
    const draw = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 30_000; step++) {
      const ip = draw(40_000);
      if (alive.size > 0 && draw(3) === 0) {
        const at = draw(ips.length);
        const gone = ips[at]!;
        ips[at] = ips[ips.length - 1]!;
        ips.pop();
        const m = alive.get(gone)!;
        table.remove(m);
        k.free(m);
        alive.delete(gone);
        expect(table.lookUp(gone)).toBe(-1);
      } else {
        // Never the 4,096th boot since a sweep here: the test's own removals stand for it.
        (hosts as unknown as { bootsSinceSweep: number }).bootsSinceSweep = 0;
        const m = hosts.machine(ip, 0);
        if (alive.has(ip)) expect(m).toBe(alive.get(ip));
        else {
          alive.set(ip, m);
          ips.push(ip);
        }
      }
      if (step % 1000 === 999) expect(ips.filter((a) => table.lookUp(a) !== alive.get(a))).toEqual([]);
    }
    expect(alive.size).toBeGreaterThan(5000);
    const every = Array.from({ length: 40_000 }, (_, ip) => ip);
    expect(every.filter((ip) => table.lookUp(ip) !== (alive.get(ip) ?? -1))).toEqual([]);
  });
});
