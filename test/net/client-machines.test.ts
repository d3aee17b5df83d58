import { describe, expect, it } from 'vitest';
import { ClientMachines } from '../../sim/net/client-machines.js';
import { HostSockets, SharedKernel } from '../../sim/net/host-sockets.js';
import { type HostKernelConfig, ipv4, LINUX_DEFAULTS } from '../../sim/net/kernel-config.js';
import { testRng } from './kernel-test-rng.js';

const VIP = ipv4('192.0.2.10');

/**
 * ClientMachines must be the same kernel as one HostSockets per machine booted from the same
 * stream: the same ports, the same TIME_WAIT expiry, reuse and overflow, the same draws. Random
 * operations on a few machines, both sides side by side, every answer compared.
 */
function compare(config: HostKernelConfig, machines: number, steps: number, seed: number, manyPerMachine: boolean) {
  const table = new ClientMachines(config, testRng(seed), VIP, 443);
  const refRng = testRng(seed);
  const ops = testRng(seed + 1000);
  const ids: number[] = [];
  const refs: { host: HostSockets; pair: number }[] = [];
  const open: { i: number; port: number }[] = [];
  let now = 0;
  let ports = 0;
  let adopted = 0;
  const boot = (i: number) => {
    const addr = ipv4('100.64.0.1') + i;
    ids[i] = table.boot(addr);
    const host = new HostSockets(config, refRng, new SharedKernel(config.hz, refRng));
    refs[i] = { host, pair: host.connectPair(addr, VIP, 443) };
  };
  for (let i = 0; i < machines; i++) boot(i);
  for (let step = 0; step < steps; step++) {
    now += ops.next() * (manyPerMachine ? 0.2 : 3);
    const i = Math.floor(ops.next() * machines);
    // Now and then exactly when a TIME_WAIT's timer fires: it is gone at that instant.
    const fires = refs[i].host.nextTimeWaitExpiry();
    if (fires > now && fires < now + 5 && ops.next() < 0.3) now = fires;
    const r = ops.next();
    if (r < 0.55 || open.length === 0) {
      const port = table.connect(ids[i], now);
      expect(port).toBe(refs[i].host.connect(refs[i].pair, now));
      if (port >= 0) {
        open.push({ i, port });
        ports++;
      }
    } else if (r < 0.95) {
      const k = Math.floor(ops.next() * open.length);
      const { i: j, port } = open[k];
      open[k] = open[open.length - 1];
      open.pop();
      const timeWait = ops.next() < 0.8;
      table.close(ids[j], port, now, timeWait);
      refs[j].host.close(refs[j].pair, port, now, timeWait);
    } else {
      // The sweep's question; an empty machine is let go and booted again (new draws).
      const empty = table.isEmpty(ids[i], now);
      expect(empty).toBe(refs[i].host.isEmpty(now));
      if (empty) {
        if (table.isAdopted(ids[i])) adopted++;
        table.free(ids[i]);
        boot(i);
      }
    }
    expect(table.socketsOf(ids[i], now)).toBe(refs[i].host.socketsOf(refs[i].pair, now));
  }
  for (let i = 0; i < machines; i++) if (table.isAdopted(ids[i])) adopted++;
  const reused = refs.reduce((n, r) => n + r.host.timeWaitReused, 0);
  const columns = table as unknown as { sPort: unknown[]; addr: unknown[] };
  return { ports, adopted, reused, pages: columns.sPort.length, machinePages: columns.addr.length };
}

describe('ClientMachines: client machines as columns, the same kernel as HostSockets', () => {
  it('Linux defaults, a socket or two per machine: the same ports and expiry', () => {
    const { ports, adopted } = compare(LINUX_DEFAULTS, 40, 4000, 1, false);
    expect(ports).toBeGreaterThan(1500);
    expect(adopted).toBe(0);
  });

  it('machines and sockets past the first pages: the same ports and expiry', () => {
    // 5,000 machines (two pages of 4,096 machines, client-machines.ts MACHINE_PAGE, some freed and
    // booted again) and ~6,000 sockets held at the end: the pool's pages of 4,096 (SOCKET_PAGE) are
    // added while sockets in the first are freed and reused.
    const { ports, adopted, pages, machinePages } = compare(LINUX_DEFAULTS, 5000, 40000, 5, false);
    expect(ports).toBeGreaterThan(20000);
    expect(adopted).toBe(0);
    expect(pages).toBeGreaterThan(1);
    expect(machinePages).toBe(2);
  });

  it('many sockets per machine: moved to a HostSockets with the same state and driven on', () => {
    const { ports, adopted } = compare(LINUX_DEFAULTS, 3, 6000, 2, true);
    expect(ports).toBeGreaterThan(3000);
    expect(adopted).toBeGreaterThan(0);
  });

  it('tcp_tw_reuse = 1 (TIME_WAIT taken over), a 64-port range (exhaustion), few TIME_WAIT buckets', () => {
    const config: HostKernelConfig = {
      ...LINUX_DEFAULTS,
      twReuse: 1,
      portLow: 40000,
      portHigh: 40063,
      maxTwBuckets: 20,
    };
    const { reused, adopted } = compare(config, 2, 6000, 3, true);
    expect(reused).toBeGreaterThan(0);
    expect(adopted).toBeGreaterThan(0);
  });

  it('a tiny range exhausted in the list (no TIME_WAIT reuse): EADDRNOTAVAIL alike', () => {
    const config: HostKernelConfig = { ...LINUX_DEFAULTS, portLow: 40000, portHigh: 40006 };
    compare(config, 2, 3000, 4, true);
  });

  it('a machine keeps the table_perturb[] increments of two 10-s periods in its columns, a third in a heap array', () => {
    // Issue 14 (memory at 100k clients): ~50k machines connect in two periods, few in three.
    const table = new ClientMachines(LINUX_DEFAULTS, testRng(5), VIP, 443);
    const refRng = testRng(5);
    const machines = [0, 1, 2].map((i) => table.boot(ipv4('100.64.0.1') + i));
    const refs = [0, 1, 2].map((i) => {
      const host = new HostSockets(LINUX_DEFAULTS, refRng, new SharedKernel(LINUX_DEFAULTS.hz, refRng));
      return { host, pair: host.connectPair(ipv4('100.64.0.1') + i, VIP, 443) };
    });
    // Machine i connects once in each of i + 1 periods (10 s apart), keeping its sockets open.
    for (let period = 0; period < 3; period++)
      for (let i = period; i < 3; i++) {
        const now = period * 10 + 0.5;
        expect(table.connect(machines[i], now)).toBe(refs[i].host.connect(refs[i].pair, now));
      }
    expect(table.perturbOverflows).toBe(1);
    // The same walk afterwards: every machine's increments were kept, wherever they sit.
    for (let i = 0; i < 3; i++) expect(table.connect(machines[i], 30.5)).toBe(refs[i].host.connect(refs[i].pair, 30.5));
  });
});
