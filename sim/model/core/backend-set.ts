/**
 * Sets of backend indices for any number of backends (a 32-bit mask wraps at backend 32:
 * `1 << 32 === 1`). An attempt tries few servers (HAProxy retries the same server; a redispatch
 * adds one more), so a set keeps two members inline and allocates an overflow array only past
 * them: a request carries its set in its own fields, with no extra object per request.
 */

/** Backends a pick must skip. */
export interface Excluded {
  excludes(b: number): boolean;
}

/** The storage of a small backend set: two inline members (-1: empty) and an overflow list. */
export interface BackendSlots {
  slotA: number;
  slotB: number;
  slotMore: number[] | null;
}

export function clearSlots(s: BackendSlots): void {
  s.slotA = -1;
  s.slotB = -1;
  if (s.slotMore !== null) s.slotMore.length = 0;
}

export function slotsHave(s: BackendSlots, b: number): boolean {
  return s.slotA === b || s.slotB === b || s.slotMore?.includes(b) === true;
}

/** Set `mask[b] = value` for every member b (a pool marks the backends its pick skips). */
export function markSlots(mask: Uint8Array, s: BackendSlots, value: 0 | 1): void {
  if (s.slotA >= 0) mask[s.slotA] = value;
  if (s.slotB >= 0) mask[s.slotB] = value;
  if (s.slotMore !== null) for (const b of s.slotMore) mask[b] = value;
}

export function addToSlots(s: BackendSlots, b: number): void {
  if (slotsHave(s, b)) return;
  if (s.slotA < 0) s.slotA = b;
  else if (s.slotB < 0) s.slotB = b;
  else (s.slotMore ??= []).push(b);
}

/** A standalone backend set (the L4 connector's one reused "leave this backend" set). */
export class BackendSet implements BackendSlots, Excluded {
  slotA = -1;
  slotB = -1;
  slotMore: number[] | null = null;

  clear(): void {
    clearSlots(this);
  }

  add(b: number): void {
    addToSlots(this, b);
  }

  has(b: number): boolean {
    return slotsHave(this, b);
  }

  excludes(b: number): boolean {
    return slotsHave(this, b);
  }

  get size(): number {
    return (this.slotA >= 0 ? 1 : 0) + (this.slotB >= 0 ? 1 : 0) + (this.slotMore?.length ?? 0);
  }

  /** Make this set exactly {b}. */
  only(b: number): this {
    clearSlots(this);
    this.slotA = b;
    return this;
  }
}
