import { MAX_BACKENDS } from '../../scenario/limits.js';

/**
 * Sets of backend indices for any number of backends (a 32-bit mask wraps at backend 32:
 * `1 << 32 === 1`). An attempt tries few servers (HAProxy retries the same server; a redispatch
 * adds one more), so a set is ONE value: up to three members packed in a small integer (a V8 Smi,
 * no allocation), and an array of its members only past that. A request carries its set in one
 * field: a `Req` is allocated per request, and each field more costs (two more cost hc-cascade
 * ~3 % CPU, README "Issue 10's refactor").
 *
 * Packing: three 10-bit fields, low first, each holding `index + 1` (0: empty; fields fill in
 * order and are never emptied one by one). 3 × 10 bits stay below 2^30, the Smi range of every V8
 * build. An index too large for a field (≥ PACKED_INDEX_LIMIT) or a fourth member turns the set
 * into an array.
 */
export type PackedBackends = number | number[];

/** The empty set. */
export const NO_BACKENDS = 0;

const FIELD_BITS = 10;
const FIELD_MASK = (1 << FIELD_BITS) - 1;
/** Indices below this are packed; larger ones (past the schema's limit) go to the array form. */
export const PACKED_INDEX_LIMIT = FIELD_MASK;

// The schema's backend indices all pack (a larger limit still works, through the array form).
if (MAX_BACKENDS > PACKED_INDEX_LIMIT) throw new Error('backend-set.ts: widen FIELD_BITS for MAX_BACKENDS');

export function hasBackend(s: PackedBackends, b: number): boolean {
  if (typeof s !== 'number') return s.includes(b);
  const v = b + 1;
  // An empty field holds 0 and v ≥ 1: no empty field matches.
  return (s & FIELD_MASK) === v || ((s >>> FIELD_BITS) & FIELD_MASK) === v || s >>> (2 * FIELD_BITS) === v;
}

/** `s` with `b` added (the same array when `s` is one; a new value otherwise). */
export function withBackend(s: PackedBackends, b: number): PackedBackends {
  if (hasBackend(s, b)) return s;
  if (typeof s !== 'number') {
    s.push(b);
    return s;
  }
  const v = b + 1;
  if (b >= 0 && b < PACKED_INDEX_LIMIT) {
    if ((s & FIELD_MASK) === 0) return s | v;
    if (((s >>> FIELD_BITS) & FIELD_MASK) === 0) return s | (v << FIELD_BITS);
    if (s >>> (2 * FIELD_BITS) === 0) return s | (v << (2 * FIELD_BITS));
  }
  const members = backendsOf(s);
  members.push(b);
  return members;
}

/** The members, in the order they were added (a new array). */
export function backendsOf(s: PackedBackends): number[] {
  if (typeof s !== 'number') return s.slice();
  const out: number[] = [];
  for (let rest = s; rest !== 0; rest >>>= FIELD_BITS) out.push((rest & FIELD_MASK) - 1);
  return out;
}

export function backendCount(s: PackedBackends): number {
  if (typeof s !== 'number') return s.length;
  let n = 0;
  for (let rest = s; rest !== 0; rest >>>= FIELD_BITS) n++;
  return n;
}

/** Set `mask[b] = value` for every member b (a pool marks the backends its pick skips). */
export function markBackends(mask: Uint8Array, s: PackedBackends, value: 0 | 1): void {
  if (typeof s !== 'number') {
    for (const b of s) mask[b] = value;
    return;
  }
  for (let rest = s; rest !== 0; rest >>>= FIELD_BITS) mask[(rest & FIELD_MASK) - 1] = value;
}

/** A standalone backend set (the L4 connector's one reused "leave this backend" set). */
export class BackendSet {
  members: PackedBackends = NO_BACKENDS;

  clear(): void {
    this.members = NO_BACKENDS;
  }

  add(b: number): void {
    this.members = withBackend(this.members, b);
  }

  has(b: number): boolean {
    return hasBackend(this.members, b);
  }

  get size(): number {
    return backendCount(this.members);
  }

  /** Make this set exactly {b}. */
  only(b: number): this {
    this.members = withBackend(NO_BACKENDS, b);
    return this;
  }
}
