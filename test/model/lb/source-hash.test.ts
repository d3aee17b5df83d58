/**
 * `balance source` as HAProxy 2.6 hashes it (sim/model/lb/source-hash.ts): the client's address
 * (not the model's client number), full_hash() with the avalanche modifier, the map or the
 * consistent ring (held-out round 4, calibration/haproxy/NOTES.md).
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../sim/engine/random.js';
import { BackendSet } from '../../../sim/model/core/backend-set.js';
import { clientAddress } from '../../../sim/model/core/kernel-hosts.js';
import { LoadBalancer } from '../../../sim/model/lb/pool.js';
import { fullHash } from '../../../sim/model/lb/source-hash.js';
import { type LbConfig, type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

const rng = new RandomStreams(3).stream('test.pick');

function balancer(n: number, lb: Partial<LbConfig>): LoadBalancer {
  return new LoadBalancer({ ...ScenarioSchema.parse({}).lb, mode: 'l7', balance: 'source', ...lb }, n);
}
/** The server each of `users` clients (addresses clientAddress(0…users − 1)) gets. */
const servers = (pool: LoadBalancer, users: number): number[] =>
  Array.from({ length: users }, (_, u) => pool.pick(rng, u));

describe('balance source (get_server_sh(), src/backend.c)', () => {
  it("full_hash() is HAProxy's (Jenkins' avalanche, then × 3221225473: include/haproxy/intops.h)", () => {
    // Values printed by the C function compiled from HAProxy v2.6.0's __full_hash().
    expect([0, 1, 0x64400000, 0x6440001f, 4096].map(fullHash)).toEqual([
      2874071335, 881230262, 264688071, 1221709935, 1237450891,
    ]);
  });

  it('map-based: map[address % total weight] — the address, not the client number', () => {
    const pool = balancer(3, {});
    // 100.64.0.0 = 0x64400000 ≡ 2 (mod 3): client 0 reaches the third server, client 1 the first.
    expect(clientAddress(0) % 3).toBe(2);
    expect(servers(pool, 4)).toEqual([2, 0, 1, 2]);
  });

  // Servers of clients 0…11 as HAProxy 2.6.12 maps them (init_server_map() divides the weights by
  // their GCD, recalc_server_map() interleaves them; src/lb_map.c). The consecutive weight blocks
  // drainsim read before gave 112200112200 for [2,2,2] and 012201220122 for [1,1,2].
  const digits = (pool: LoadBalancer): string => servers(pool, 12).join('');
  const weighted = (weights: number[], lb: Partial<LbConfig> = {}): LoadBalancer => {
    const pool = balancer(weights.length, lb);
    weights.forEach((w, b) => {
      pool.weight[b] = w;
      pool.baseWeight[b] = w;
    });
    return pool;
  };

  it('map-based: equal weights 2/2/2 are divided by their GCD (a map of 3, not 6)', () => {
    expect(digits(weighted([2, 2, 2]))).toBe('201201201201');
  });

  it('map-based: weights 1/1/2 interleave by wscore (map 0,2,1,2), not in blocks', () => {
    expect(digits(weighted([1, 1, 2]))).toBe('021202120212');
  });

  it('map-based: four servers of weight 100 spread 32 clients 8/8/8/8, as weight 1 does', () => {
    const hundred = servers(weighted([100, 100, 100, 100]), 32);
    expect(hundred).toEqual(servers(weighted([1, 1, 1, 1]), 32));
    for (let b = 0; b < 4; b++) expect(hundred.filter((x) => x === b)).toHaveLength(8);
  });

  it('map-based: the map is rebuilt when a server leaves and comes back; a full server keeps its entries', () => {
    const pool = weighted([2, 2, 2], { maxconn: 1 });
    pool.hcUp[0] = 0;
    // Map of servers 1 and 2 (1 entry each): address % 2.
    expect(digits(pool)).toBe('121212121212');
    pool.hcUp[0] = 1;
    pool.active[2] = 1; // at maxconn: still in the map (the stream queues on it)
    expect(digits(pool)).toBe('201201201201');
  });

  it('map-based: one of four servers leaving remaps most clients, not only its own', () => {
    const pool = balancer(4, {});
    const before = servers(pool, 32);
    pool.hcUp[1] = 0;
    const during = servers(pool, 32);
    expect(before.filter((b) => b === 1)).toHaveLength(8);
    expect(before.filter((b, u) => b !== during[u])).toHaveLength(23);
    pool.hcUp[1] = 1;
    expect(servers(pool, 32)).toEqual(before);
  });

  it('map-based takes no server to avoid (map_get_server_hash()); the ring skips it (chash_get_server_hash())', () => {
    const avoiding = (pool: LoadBalancer, u: number, b: number): number =>
      pool.pickAvoiding(rng, u, new BackendSet().only(b).members);
    const map = balancer(3, {});
    // Client 0 hashes to server 2; a redispatch from server 2 gets server 2 again.
    expect(avoiding(map, 0, 2)).toBe(2);
    const ring = balancer(4, { hash_type: 'consistent' });
    const home = ring.pick(rng, 0);
    const other = avoiding(ring, 0, home);
    expect(other).toBeGreaterThanOrEqual(0);
    expect(other).not.toBe(home);
  });

  it('consistent (sdbm + avalanche by default): only the leaving server’s clients move, and come back', () => {
    const pool = balancer(4, { hash_type: 'consistent' });
    const before = servers(pool, 32);
    pool.hcUp[1] = 0;
    const during = servers(pool, 32);
    const moved = before.map((b, u) => (b !== during[u] ? u : -1)).filter((u) => u >= 0);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((u) => before[u] === 1)).toBe(true);
    expect(during).not.toContain(1);
    pool.hcUp[1] = 1;
    expect(servers(pool, 32)).toEqual(before);
  });

  it('consistent: a server in slowstart has only its first eweight ring points (chash_queue_dequeue_srv())', () => {
    const pool = balancer(4, { hash_type: 'consistent' });
    const full = servers(pool, 256);
    pool.weight[1] = 1 / 16; // slowstart's first step: 1 of its 16 points
    const ramping = servers(pool, 256);
    const onS2 = (xs: number[]): number[] => xs.map((b, u) => (b === 1 ? u : -1)).filter((u) => u >= 0);
    // Fewer clients, and only clients it has at full weight: the others keep their servers.
    expect(onS2(ramping).length).toBeLessThan(onS2(full).length / 4);
    expect(onS2(ramping).every((u) => full[u] === 1)).toBe(true);
    expect(ramping.filter((b, u) => b !== full[u] && full[u] !== 1)).toEqual([]);
    pool.weight[1] = 1;
    expect(servers(pool, 256)).toEqual(full);
  });

  it('consistent: a server at maxconn keeps its ring points (the stream queues on it)', () => {
    const pool = balancer(4, { hash_type: 'consistent', maxconn: 1 });
    const before = servers(pool, 32);
    pool.active[1] = 1;
    expect(servers(pool, 32)).toEqual(before);
  });

  it('consistent without avalanche (`hash-type consistent sdbm`): neighbouring addresses share one ring point', () => {
    const pool = balancer(4, { hash_type: 'consistent', hash_avalanche: false });
    const before = servers(pool, 32);
    expect(new Set(before).size).toBe(1);
    pool.hcUp[before[0]] = 0;
    const during = servers(pool, 32);
    expect(new Set(during).size).toBe(1);
    expect(during[0]).not.toBe(before[0]);
  });
});

/** Goodput of each of four servers under `balance source`: 200 open-loop requests/s from `users` users (0: anonymous). */
const perServer = (sourceIps: number, users = 32): number[] => {
  const r = run({
    warmup: '0s',
    horizon: '6s',
    clients: { source_ips: sourceIps, requests: { rate: 200, users } },
    app: { workers: 8, service_time: 'const(5ms)' },
    lb: { mode: 'l7', balance: 'source' },
    backends: [{ name: 's1' }, { name: 's2' }, { name: 's3' }, { name: 's4' }],
  } as ScenarioInput);
  return ['s1', 's2', 's3', 's4'].map((s) => sum(window(r, 'goodput', 0, 6, s)));
};

describe('balance source: an open-loop user sends from one address, user u from u mod clients.source_ips', () => {
  it('32 users behind 2 addresses (a NAT) reach only those 2 addresses’ servers', () => {
    // Addresses 100.64.0.0 and .1: map[address % 4] = s1, s2. Hashing the user number spread the
    // 32 users over all four servers.
    const [s1, s2, s3, s4] = perServer(2);
    expect(s1).toBeGreaterThan(400);
    expect(s2).toBeGreaterThan(400);
    expect(s3 + s4).toBe(0);
  });

  it('with an address per user (the default 100000) the 32 users spread over all four', () => {
    for (const n of perServer(100000)) expect(n).toBeGreaterThan(200);
  });
});

describe('balance source: anonymous open-loop requests come from many clients', () => {
  it('each request from its own client address: all four servers take a share (not one address on one server)', () => {
    for (const n of perServer(100000, 0)) expect(n).toBeGreaterThan(200);
  });

  it('behind one address (source_ips 1) they all hash to that address’s server', () => {
    const served = perServer(1, 0);
    expect(served.filter((n) => n > 0)).toHaveLength(1);
  });
});
