/** The memory each nginx worker generation holds (proxy/memory.ts): the `nginx_memory` gauges. */
import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../../../sim/engine/mulberry32.js';
import { ReqPhase } from '../../../sim/model/core/app-job.js';
import { type Conn, ConnKind, newClientRecord } from '../../../sim/model/core/conn.js';
import { connBytes, MIB, NginxConnTally, nginxMemory } from '../../../sim/model/proxy/memory.js';
import { Nginx } from '../../../sim/model/proxy/nginx.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { NginxSchema } from '../../../sim/scenario/schema.js';
import { run, series, valueAt } from '../helpers.js';

const config = NginxSchema.parse({ worker_processes: 2, worker_rss_mib: 4 });
/** A client connection as memory.ts reads it: its kind, its request phase, its generation. */
const conn = (kind: ConnKind, nginxGen: number, phase: ReqPhase = ReqPhase.NONE): Conn =>
  ({ kind, nginxGen, phase }) as Conn;
/** 512 connection pool + 4096 request pool + 1k header buffer + 128 upstream pool + 2 × 4k proxy_buffer_size. */
const TUNNEL = 512 + 4096 + 1024 + 128 + 2 * 4096;

describe('nginx memory per connection (nginx defaults)', () => {
  it('charges a tunnel its two proxy_buffer_size buffers, a request in flight its proxy_buffers, an idle keep-alive only its pool', () => {
    expect(connBytes(conn(ConnKind.WS, 1), config)).toBe(TUNNEL);
    expect(connBytes(conn(ConnKind.HTTP, 1), config)).toBe(512);
    expect(connBytes(conn(ConnKind.HTTP, 1, ReqPhase.SERVING), config)).toBe(512 + 4096 + 1024 + 128 + 4096 + 8 * 4096);
    const big = NginxSchema.parse({ proxy_buffer_size: 8192 });
    expect(connBytes(conn(ConnKind.WS, 1), big) - connBytes(conn(ConnKind.WS, 1), config)).toBe(2 * 4096);
  });
});

describe('nginx memory per generation', () => {
  it('grows with every old generation that keeps tunnels, and falls when one exits', () => {
    const n = new Nginx(config);
    const conns: Conn[] = [];
    const tunnels = (k: number): void => {
      for (let i = 0; i < k; i++) conns.push(conn(ConnKind.WS, n.accept()));
    };
    tunnels(100);
    const first = nginxMemory(n, conns, []);
    expect(first.old).toBe(0);
    expect(first.total).toBeCloseTo(2 * 4 + (100 * TUNNEL) / MIB, 9);
    // Three reloads, each generation keeping 100 tunnels: each adds an old generation with its workers and buffers.
    let previous = first;
    for (let reload = 1; reload <= 3; reload++) {
      const g = n.reload(config);
      n.quitOlderThan(g.id, reload);
      tunnels(100);
      const m = nginxMemory(n, conns, []);
      expect(n.shuttingDown).toBe(reload);
      expect(m.old).toBeCloseTo(reload * (2 * 4 + (100 * TUNNEL) / MIB), 9);
      expect(m.total - previous.total).toBeCloseTo(2 * 4 + (100 * TUNNEL) / MIB, 9);
      previous = m;
    }
    // The oldest generation's tunnels end: it exits, its workers and buffers go.
    const oldest = conns[0].nginxGen;
    for (const c of conns.filter((c) => c.nginxGen === oldest)) n.release(c.nginxGen);
    const after = nginxMemory(
      n,
      conns.filter((c) => c.nginxGen !== oldest),
      [],
    );
    expect(n.shuttingDown).toBe(2);
    expect(previous.total - after.total).toBeCloseTo(2 * 4 + (100 * TUNNEL) / MIB, 9);
  });

  it('keeps only as many workers in an old generation as it has connections', () => {
    const n = new Nginx(config);
    const c = [conn(ConnKind.WS, n.accept())];
    const g = n.reload(config);
    n.quitOlderThan(g.id, 0);
    // One tunnel left: one of the old generation's two workers (the other exited with its last connection).
    expect(nginxMemory(n, c, []).old).toBeCloseTo(4 + TUNNEL / MIB, 9);
  });

  it('is exactly the sum of connBytes over every connection, mixed kinds, phases and generations (and past 2^53 bytes)', () => {
    // nginxMemory counts each generation's connections by kind and prices each kind once; the
    // figure must be the one adding connBytes connection by connection gives, bit for bit.
    const perConn = (n: Nginx, conns: Conn[], cached: number[]): { total: number; old: number } => {
      let total = 0;
      let old = 0;
      for (const g of n.generations) {
        let bytes = 0;
        for (const c of conns) if (c.nginxGen === g.id) bytes += connBytes(c, g.config);
        for (const id of cached) if (id === g.id) bytes += 128;
        const workers = g.quitAt < 0 ? g.config.worker_processes : Math.min(g.config.worker_processes, g.open);
        const mib = workers * g.config.worker_rss_mib + bytes / MIB;
        total += mib;
        if (g.quitAt >= 0) old += mib;
      }
      return { total, old };
    };
    const phases = [ReqPhase.NONE, ReqPhase.QUEUED, ReqPhase.SERVING, ReqPhase.CONNECTING];
    for (const other of [
      NginxSchema.parse({ worker_processes: 3, worker_rss_mib: 7, proxy_buffer_size: 8192, proxy_buffers: 5 }),
      // 2^31 − 1 buffers of a page for each request in flight: past 2^53 bytes with ~1,300 of them,
      // and an odd header buffer, so sums past 2^53 round and only the one-by-one order matches.
      NginxSchema.parse({ proxy_buffers: 2 ** 31 - 1, client_header_buffer_size: 1001 }),
    ]) {
      const n = new Nginx(config);
      const conns: Conn[] = [];
      const cached: number[] = [];
      const add = (count: number): void => {
        for (let i = 0; i < count; i++) {
          const kind = i % 7 === 0 ? ConnKind.WS : ConnKind.HTTP;
          conns.push(conn(kind, n.accept(), phases[i % 4]));
          if (i % 5 === 0) cached.push(n.generations[n.generations.length - 1].id);
        }
      };
      add(300);
      const g = n.reload(other);
      n.quitOlderThan(g.id, 1);
      add(2000);
      // A connection of a generation that has exited counts nowhere.
      conns.push(conn(ConnKind.HTTP, 999, ReqPhase.SERVING));
      const pool = cached.map((id) => ({ nginxGen: id }) as Parameters<typeof nginxMemory>[2][number]);
      expect(nginxMemory(n, conns, pool)).toEqual(perConn(n, conns, cached));
      // Kept as the connections come and go (tunnels counted, HTTP connections held): the same
      // figure, bit for bit, including past 2^53 where it falls back to the one-by-one walk.
      const tally = new NginxConnTally();
      for (const c of conns) tally.add(c);
      const gone = conns.filter((_, i) => i % 3 === 1);
      for (const c of gone) tally.delete(c);
      const left = conns.filter((_, i) => i % 3 !== 1);
      expect(gone.some((c) => c.kind === ConnKind.WS) && gone.some((c) => c.kind === ConnKind.HTTP)).toBe(true);
      expect(nginxMemory(n, left, pool, tally)).toEqual(perConn(n, left, cached));
      expect(nginxMemory(n, left, pool, tally)).toEqual(nginxMemory(n, left, pool));
    }
  });

  it('follows requests starting and ending on connections the tally holds, as a walk would count them', () => {
    // Real records: their phase writes tell the tally (conn.ts `set phase`), whoever makes them.
    const n = new Nginx(config);
    const tally = new NginxConnTally();
    const records: Conn[] = [];
    const phases = [ReqPhase.NONE, ReqPhase.QUEUED, ReqPhase.SERVING, ReqPhase.CONNECTING];
    const place = (i: number): Conn => {
      const c = newClientRecord(i, i % 5 === 0 ? ConnKind.WS : ConnKind.HTTP);
      c.nginxGen = n.accept();
      c.phase = phases[i % 4]; // some are in flight before they join
      tally.add(c);
      if (c.kind === ConnKind.HTTP) tally.add(c); // changes nothing, as Set.add (tunnels are only counted)
      records.push(c);
      return c;
    };
    const first = n.generations[0].id;
    for (let i = 0; i < 200; i++) place(i);
    const g = n.reload(config);
    n.quitOlderThan(g.id, 1);
    for (let i = 200; i < 400; i++) place(i);
    // Both generations priced: the old one, quitting, still holds its connections.
    expect(n.generations.map((x) => x.id)).toEqual([first, g.id]);
    const left = new Set(records);
    const same = (): void => expect(nginxMemory(n, left, [], tally)).toEqual(nginxMemory(n, left, []));
    same();
    expect(nginxMemory(n, left, [], tally).old).toBeGreaterThan(0);
    let moves = 0;
    const pick = new Mulberry32(5);
    for (let step = 0; step < 4000; step++) {
      const c = records[Math.floor(pick.next() * records.length)];
      const next = phases[Math.floor(pick.next() * 4)];
      if ((c.phase === ReqPhase.NONE) !== (next === ReqPhase.NONE)) moves++;
      c.phase = next;
      if (step % 97 === 0 && left.has(c)) {
        tally.delete(c);
        if (c.kind === ConnKind.HTTP) tally.delete(c); // a no-op once out
        left.delete(c);
        c.phase = phases[(step + 1) % 4]; // no longer counted anywhere
      }
      if (step % 500 === 0) same();
    }
    same();
    expect(moves).toBeGreaterThan(1000);
    const inFlight = [...left].filter((c) => c.kind === ConnKind.HTTP && c.phase !== ReqPhase.NONE).length;
    expect(inFlight).toBeGreaterThan(50);
    expect(tally.inFlightOf(first) + tally.inFlightOf(g.id)).toBe(inFlight);
    // A record another VM's tally holds is refused (its counts would be wrong in both).
    const held = records.find((c) => c.kind === ConnKind.HTTP && left.has(c))!;
    expect(() => new NginxConnTally().add(held)).toThrow(/another VM/);
  });

  it('is nothing once nginx has stopped', () => {
    const n = new Nginx(config);
    n.terminate();
    expect(nginxMemory(n, [], [])).toEqual({ total: 0, old: 0 });
  });
});

describe('nginx memory in a run', () => {
  const input = (shutdown: string): ScenarioInput => ({
    start: '00:00:00',
    warmup: '0s',
    horizon: '60s',
    sample_interval: '1s',
    nginx: { worker_processes: 1, worker_rss_mib: 4, worker_shutdown_timeout: shutdown },
    clients: {
      http: { arrival_rate: 0 },
      ws: {
        initial_sessions: 100,
        initial_ramp: '1s',
        arrival_rate: 0,
        lifetime: 'const(1h)',
        ping_interval: '10s',
        // Reconnects spread over 1-30 s (the default before session 32; socket.io's 1 s ± 0.5 would put
        // tens of handshakes in flight at one sample, beyond the few tunnels' slack asserted below).
        reconnect: { policy: 'full_jitter', base: '1s', cap: '30s' },
      },
    },
    lb: { mode: 'nat' },
    backends: [{ name: 'vm-a' }],
    timeline: [
      { at: '10s', do: 'nginx_reload' },
      { at: '20s', do: 'nginx_reload' },
    ],
  });

  it('holds the old generation and its tunnels without worker_shutdown_timeout, and frees them at QUIT + the timeout with it', () => {
    const piled = run(input('0'), 1);
    const bounded = run(input('15s'), 1);
    const tunnelMib = TUNNEL / MIB;
    for (const r of [piled, bounded]) {
      // Every sample: one worker per live generation (an old one lives only while it holds a tunnel) and every tunnel's buffers.
      const sessions = series(r, 'ws_sessions', 'vm-a');
      const old = series(r, 'nginx_old_generations', 'vm-a');
      const memory = series(r, 'nginx_memory', 'vm-a');
      // (From 3 s: the 1 s ramp's handshakes are done; at 10 s and 20 s the reload has forked the new generation but QUITs the old one 100 ms later.)
      memory.forEach(([t, mib], k) => {
        // A reconnect whose handshake is on its way holds a connection but is no session yet: a few tunnels' slack, far below a worker's 4 MiB.
        if (t >= 3 && t !== 10 && t !== 20)
          expect(Math.abs(mib - ((1 + old[k][1]) * 4 + sessions[k][1] * tunnelMib))).toBeLessThanOrEqual(5 * tunnelMib);
      });
      expect(valueAt(r, 'nginx_memory_old', 5, 'vm-a')).toBe(0);
      // After the first reload the old generation holds (nearly) every tunnel and its worker.
      expect(valueAt(r, 'nginx_memory_old', 15, 'vm-a')).toBeGreaterThan(4 + 90 * tunnelMib);
    }
    // Without worker_shutdown_timeout the tunnels keep generation 1 (and its memory) for their hour.
    expect(valueAt(piled, 'nginx_memory_old', 50, 'vm-a')).toBeGreaterThan(4 + 90 * tunnelMib);
    // worker_shutdown_timeout 15 s: generation 1 is forced out at 10.1 + 15 s, generation 2 at 20.1 + 15 s;
    // the tunnels reconnect to the newest, so nothing old is left.
    expect(valueAt(bounded, 'nginx_old_generations', 40, 'vm-a')).toBe(0);
    expect(valueAt(bounded, 'nginx_memory_old', 40, 'vm-a')).toBe(0);
    expect(valueAt(bounded, 'nginx_memory', 50, 'vm-a')).toBeLessThan(valueAt(piled, 'nginx_memory', 50, 'vm-a') - 3);
  });
});
