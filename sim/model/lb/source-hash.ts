/**
 * `balance source` as HAProxy 2.6 computes it (read at v2.6.0; no 2.6.1–2.6.12 changelog entry
 * touches these files): get_server_sh() (src/backend.c) XORs the client address's 32-bit words
 * (IPv4: the address itself), passes it through full_hash() when the backend's hash modifier is
 * `avalanche` (BE_LB_HMOD_AVAL), and looks the result up in the map (map_get_server_hash(),
 * src/lb_map.c: `map[h % tot_weight]`) or on the consistent-hash ring (chash_get_server_hash(),
 * src/lb_chash.c). `hash-type consistent` written alone means sdbm + avalanche, `map-based` alone
 * sdbm without it; an explicit function without `avalanche` clears the modifier
 * (cfg_parse_listen() "hash-type", src/cfgparse-listen.c).
 */
import { BE_WEIGHT_SCALE } from './fwrr.js';

/** SRV_UWGHT_RANGE × BE_WEIGHT_SCALE (include/haproxy/server-t.h): the key space of one server's ring points. */
const SRV_EWGHT_RANGE = 256 * BE_WEIGHT_SCALE;

/**
 * full_hash() (src/tools.c → __full_hash(), include/haproxy/intops.h): one of Bob Jenkins'
 * full-avalanche integer hashes, then multiplied by the prime 3221225473 "to spread values all
 * around the tree", on unsigned 32-bit arithmetic.
 */
export function fullHash(x: number): number {
  let a = x >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 3221225473) >>> 0;
}

/** The servers a hash lookup may return (usable, not avoided), by backend index. */
export type HashCandidate = (b: number) => boolean;

/** How many of a server's ring points are in the tree now (HAProxy `lb_nodes_now`): its eweight, 0 when not usable. */
export type LiveNodes = (b: number) => number;

/**
 * The consistent-hash ring: server b (HAProxy's puid b + 1, ids given in declaration order) has
 * `weight × BE_WEIGHT_SCALE` points, point k at key full_hash(puid × SRV_EWGHT_RANGE + k)
 * (chash_init_server_tree(), src/lb_chash.c); a server leaves the tree when it is not usable
 * (chash_set_server_status_down()) and has its points 0 … eweight − 1 in it otherwise
 * (chash_queue_dequeue_srv(): `lb_nodes_now` follows `next_eweight`), so a server in slowstart
 * (eweight ramping in 16ths, server_recalc_eweight(), src/server.c; consistent hashing is
 * BE_LB_PROP_DYN, check_config_validity(), src/cfgparse.c) gains its points one step at a time.
 */
export class ConsistentRing {
  /** Point keys, ascending, and the backend of each (equal keys: lower backend first). */
  private readonly keys: Uint32Array;
  private readonly owners: Int32Array;
  /** Each point's number k among its server's points (key full_hash(puid × range + k)). */
  private readonly nodeIndex: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const points: Array<[number, number, number]> = [];
    for (let b = 0; b < weights.length; b++) {
      const n = Math.round(weights[b] * BE_WEIGHT_SCALE);
      for (let k = 0; k < n; k++) points.push([fullHash((b + 1) * SRV_EWGHT_RANGE + k), b, k]);
    }
    points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    this.keys = Uint32Array.from(points, (p) => p[0]);
    this.owners = Int32Array.from(points, (p) => p[1]);
    this.nodeIndex = Int32Array.from(points, (p) => p[2]);
  }

  /**
   * chash_get_server_hash(): the first point at or after `hash` and the one before it (both
   * wrapping, over the points in the tree only: `live`), the nearer one wins, the previous one on
   * a tie; a server to avoid (a redispatch's `avoid`) is passed over to the following points. -1
   * when no server is usable.
   */
  lookup(hash: number, live: LiveNodes, avoid: HashCandidate): number {
    const n = this.keys.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keys[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    let next = this.step(lo % n, 1, live);
    if (next < 0) return -1;
    const prev = this.step((next - 1 + n) % n, -1, live);
    const dp = (hash - this.keys[prev]) >>> 0;
    const dn = (this.keys[next] - hash) >>> 0;
    if (dp <= dn) next = prev;
    for (let k = 0; k < n && avoid(this.owners[next]); k++) next = this.step((next + 1) % n, 1, live);
    return this.owners[next];
  }

  /** The first point from `i` on (in direction `dir`, wrapping) that is in the tree, or -1. */
  private step(i: number, dir: 1 | -1, live: LiveNodes): number {
    const n = this.keys.length;
    for (let k = 0; k < n; k++) {
      const j = (i + dir * k + n * 2) % n;
      if (this.nodeIndex[j] < live(this.owners[j])) return j;
    }
    return -1;
  }
}
