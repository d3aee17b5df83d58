import type { Rng } from '../engine/random.js';

/**
 * The boot-random inputs of Linux's connect() port choice (RFC 6056 algorithm 4, "double hash").
 *
 * net/core/secure_seq.c secure_ipv4_port_ephemeral(saddr, daddr, dport): siphash of
 * (saddr, daddr, dport, jiffies / EPHEMERAL_PORT_SHUFFLE_PERIOD) under `net_secret`, a key drawn
 * once per boot; EPHEMERAL_PORT_SHUFFLE_PERIOD = 10·HZ. net/ipv4/inet_hashtables.c
 * __inet_hash_connect() uses its low bits as an index into table_perturb[] (65,536 u32s,
 * CONFIG_INET_TABLE_PERTURB_ORDER 16, filled with random bytes once) and its high 32 bits as the
 * per-destination offset.
 *
 * siphash with an unknown key is, for the model, a random function: here a 32-bit mixing hash
 * keyed by secrets drawn from the host's random stream. Same destination, same 10-s period →
 * same offset and index; next period → unrelated ones.
 */
export const INET_TABLE_PERTURB_SIZE = 1 << 16;
export const EPHEMERAL_PORT_SHUFFLE_PERIOD_S = 10;

/** One round of the murmur3 32-bit finaliser over `h ^ x`: a well-mixed 32-bit hash step. */
export function mix(h: number, x: number): number {
  let k = Math.imul((h ^ x) >>> 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  k ^= k >>> 16;
  k = Math.imul(k, 0x85ebca6b);
  k ^= k >>> 13;
  k = Math.imul(k, 0xc2b2ae35);
  return (k ^ (k >>> 16)) >>> 0;
}

export function hash4(key: number, a: number, b: number, c: number, d: number): number {
  return mix(mix(mix(mix(key, a), b), c), d);
}

/** A u32 drawn from `rng` (one draw): how a boot secret is drawn. */
export const u32 = (rng: Rng) => Math.floor(rng.next() * 4294967296) >>> 0;

/** secure_ipv4_port_ephemeral()'s two uses: the table_perturb index and the offset. */
export interface PortOffset {
  /** port_offset & (INET_TABLE_PERTURB_SIZE − 1) */
  readonly index: number;
  /** port_offset >> 32 (an unsigned 32-bit number) */
  readonly offset: number;
}

/** table_perturb[] as __inet_hash_connect() reads and bumps it. */
export interface PerturbTable {
  /**
   * READ_ONCE(table_perturb[index]), its 32 bits as a signed int32 (`| 0`; `>>> 0` gives the u32):
   * the walk adds it to the offset and takes the sum `>>> 0`, the same either way. A u32 return
   * past 2^31 is a heap number whenever the call is not inlined (one per connect); an int32 never.
   */
  perturb(index: number): number;
  /** table_perturb[index] += by (u32 arithmetic) */
  addPerturb(index: number, by: number): void;
}

export class PortHashSecrets implements PerturbTable {
  private readonly secretIndex: number;
  private readonly secretOffset: number;
  private readonly secretPerturb: number;
  // table_perturb[] increments since boot (the initial contents are hashed, not stored). The slot
  // the last addPerturb() wrote is kept inline with its initial value (`hot…`): a walk reads and
  // bumps the same slot on every connect() of a 10-s period, and a Map get, get and set per
  // connect() were a fifth of the walk's own time. The other slots written are in the map (a
  // slot's entry there is stale while it is the hot one: the hot fields are read first).
  private hotIndex = -1;
  private hotInitial = 0;
  private hotAdded = 0;
  private perturbAdded: Map<number, number> | null = null;

  /**
   * Draws the boot secrets (net_secret, table_perturb's random fill) from `rng`, in the order
   * index, offset, perturb; or takes them from `preset` (a kernel kept elsewhere moving into this
   * object: client-machines.ts) and draws nothing.
   */
  constructor(rng: Rng, preset?: { readonly index: number; readonly offset: number; readonly perturb: number }) {
    this.secretIndex = preset === undefined ? u32(rng) : preset.index;
    this.secretOffset = preset === undefined ? u32(rng) : preset.offset;
    this.secretPerturb = preset === undefined ? u32(rng) : preset.perturb;
  }

  /** The port offset for (saddr, daddr, dport) during shuffle period `period` (jiffies / 10·HZ). */
  portOffset(saddr: number, daddr: number, dport: number, period: number): PortOffset {
    return {
      index: hash4(this.secretIndex, saddr, daddr, dport, period) & (INET_TABLE_PERTURB_SIZE - 1),
      offset: hash4(this.secretOffset, saddr, daddr, dport, period),
    };
  }

  /** READ_ONCE(table_perturb[index]) as int32 bits (PerturbTable.perturb). */
  perturb(index: number): number {
    if (index === this.hotIndex) return (this.hotInitial + this.hotAdded) | 0;
    return (mix(this.secretPerturb, index) + (this.perturbAdded?.get(index) ?? 0)) | 0;
  }

  /** table_perturb[index] += by (u32 arithmetic) */
  addPerturb(index: number, by: number): void {
    if (index !== this.hotIndex) {
      // Another slot: the hot one goes to the map, this one comes out of it.
      if (this.hotIndex >= 0) (this.perturbAdded ??= new Map()).set(this.hotIndex, this.hotAdded);
      this.hotIndex = index;
      this.hotInitial = mix(this.secretPerturb, index);
      this.hotAdded = this.perturbAdded?.get(index) ?? 0;
    }
    this.hotAdded = (this.hotAdded + by) >>> 0;
  }
}
