import type { TimelineColumn } from '../result.js';

/** Without a length hint, the first allocation; it doubles as the column grows. */
const FIRST_CAPACITY = 256;

/** Array kinds from narrowest to widest: each holds every value the ones before it hold. */
const ZERO = 0;
const U8 = 1;
const U16 = 2;
const I32 = 3;
const F64 = 4;
export type Kind = typeof ZERO | typeof U8 | typeof U16 | typeof I32 | typeof F64;

/** The narrowest kind that holds `v` exactly (−0 and NaN only in F64, so reading back is exact). */
function kindOf(v: number): Kind {
  if (v === 0) return 1 / v > 0 ? ZERO : F64;
  if ((v | 0) !== v) return F64;
  if (v < 0) return I32;
  return v <= 0xff ? U8 : v <= 0xffff ? U16 : I32;
}

/** The kind of a column's array (a Uint8Array may hold zeros only: it counts as U8). */
export function kindOfColumn(column: TimelineColumn): Kind {
  if (column instanceof Float64Array) return F64;
  if (column instanceof Int32Array) return I32;
  return column instanceof Uint16Array ? U16 : U8;
}

/** A column of `kind` over the first bytes of `buffer` (which holds at least `length` values). */
export function viewOn(kind: Kind, buffer: ArrayBuffer, length: number): TimelineColumn {
  switch (kind) {
    case ZERO:
    case U8:
      return new Uint8Array(buffer, 0, length);
    case U16:
      return new Uint16Array(buffer, 0, length);
    case I32:
      return new Int32Array(buffer, 0, length);
    default:
      return new Float64Array(buffer, 0, length);
  }
}

/** Bytes a value of each kind takes. */
const BYTES_PER_VALUE: Readonly<Record<Kind, number>> = { [ZERO]: 1, [U8]: 1, [U16]: 2, [I32]: 4, [F64]: 8 };

/**
 * An `allocate` that hands out views of one buffer (grown when too small): each array it returns
 * is valid until the next call. Reading columns back one after another (metrics/column-store.ts)
 * then allocates nothing per column: fresh arrays are memory outside V8's heap that only a full
 * GC frees, and V8 lets tens of MB of them pile up before it runs one (issue 14: a day's charts
 * read ~100 columns of 86,400 samples × 4 entities).
 */
export function reusedBuffer(): (kind: Kind, length: number) => TimelineColumn {
  let buffer = new ArrayBuffer(0);
  return (kind, length) => {
    const bytes = length * BYTES_PER_VALUE[kind];
    if (buffer.byteLength < bytes) buffer = new ArrayBuffer(bytes);
    return viewOn(kind, buffer, length);
  };
}

export function allocate(kind: Kind, length: number): TimelineColumn {
  switch (kind) {
    case ZERO:
    case U8:
      return new Uint8Array(length);
    case U16:
      return new Uint16Array(length);
    case I32:
      return new Int32Array(length);
    default:
      return new Float64Array(length);
  }
}

/**
 * A supplier of all-zero columns that hands out one array per length: a run's timeline has dozens
 * of series that stay zero (a steady run: 42 of 57), each a whole column of samples × entities,
 * ~0.35 MB apiece for a day at 1 s samples, ~15 MB together (issue 14: the 24 h steady run's peak).
 */
export function sharedZeros(): (length: number) => TimelineColumn {
  const byLength = new Map<number, TimelineColumn>();
  return (length) => {
    let zeros = byLength.get(length);
    if (zeros === undefined) {
      zeros = allocate(ZERO, length);
      byLength.set(length, zeros);
    }
    return zeros;
  };
}

/**
 * An append-only column of numbers in one typed array of the narrowest kind that holds every value
 * so far exactly: a run's counters and gauges are mostly small whole numbers or zero, so a column
 * costs ~1 byte a value, not 8 (or nothing while it is all zeros). A wider value widens the array
 * in place of the narrower one (at most four times a column).
 *
 * Given the number of values to expect (the run's sample count, known from the horizon), the array
 * is allocated once at that length and `toArray` hands it over as it is: no chunks joined at the
 * end, which held two copies of the whole timeline at the run's end (issue 14: the 24 h steady
 * run's peak). Without a hint, or past it, the capacity doubles.
 */
export class Float64Column {
  /** The values so far, in `kind`'s array; null while every value is +0. */
  private data: TimelineColumn | null = null;
  private kind: Kind = ZERO;
  private capacity: number;
  private consumed = false;
  length = 0;

  /** `expected`: how many values the column will hold, if known (0: grow as needed). */
  constructor(expected = 0) {
    this.capacity = expected > 0 ? Math.ceil(expected) : FIRST_CAPACITY;
  }

  push(value: number): void {
    if (this.consumed) throw new Error('Float64Column.push after toArray()');
    const kind = kindOf(value);
    if (kind > this.kind) this.widen(kind);
    if (this.length === this.capacity) this.grow();
    if (this.data !== null) this.data[this.length] = value;
    this.length++;
  }

  /** A value needs a wider kind: the values so far move to an array of it. */
  private widen(kind: Kind): void {
    const wider = allocate(kind, this.capacity);
    if (this.data !== null) wider.set(this.data.subarray(0, this.length));
    this.data = wider;
    this.kind = kind;
  }

  private grow(): void {
    this.capacity *= 2;
    if (this.data === null) return;
    const grown = allocate(this.kind, this.capacity);
    grown.set(this.data);
    this.data = grown;
  }

  /** The values so far without spending the column: a view (null while every value is +0). */
  peek(): TimelineColumn | null {
    if (this.consumed) throw new Error('Float64Column.peek after toArray()');
    return this.data === null ? null : this.data.subarray(0, this.length);
  }

  /** Forget every value (the end of warmup). */
  clear(): void {
    if (this.consumed) throw new Error('Float64Column.clear after toArray()');
    this.data = null;
    this.kind = ZERO;
    this.length = 0;
  }

  /**
   * Every value in order, in the narrowest array that holds them all. Once: the column is spent.
   * `zeros`, if given, supplies the array of a column that is all +0 (one array shared by many
   * such columns: the result's columns are read, never written).
   */
  toArray(zeros: (length: number) => TimelineColumn = (length) => allocate(ZERO, length)): TimelineColumn {
    if (this.consumed) throw new Error('Float64Column.toArray() twice');
    this.consumed = true;
    const data = this.data;
    this.data = null;
    if (data === null) return zeros(this.length);
    if (this.length === data.length) return data;
    // A hint a little too large leaves a few unused values: a view, not a copy of the column.
    // Past a doubling, a copy, so the unused half is not kept.
    return data.length - this.length <= data.length / 8 ? data.subarray(0, this.length) : data.slice(0, this.length);
  }

  /** toArray() as doubles (the row times, whose type the timeline fixes). */
  toFloat64Array(): Float64Array {
    const out = this.toArray();
    return out instanceof Float64Array ? out : Float64Array.from(out);
  }
}
