import type { TimelineColumn } from '../result.js';

/** Numbers per chunk: 128 KiB while written, so a column grows without copying what it already holds. */
const CHUNK = 16_384;
/** The write buffer starts this small and doubles up to CHUNK: a short run's ~250 columns do not
 *  each take 128 KiB. */
const FIRST_BUFFER = 256;

/** Chunk kinds from narrowest to widest: each holds every value the ones before it hold. */
const ZERO = 0;
const U8 = 1;
const U16 = 2;
const I32 = 3;
const F64 = 4;
type Kind = typeof ZERO | typeof U8 | typeof U16 | typeof I32 | typeof F64;

/** The narrowest kind that holds `v` exactly (−0 and NaN only in F64, so reading back is exact). */
function kindOf(v: number): Kind {
  if (v === 0) return 1 / v > 0 ? ZERO : F64;
  if ((v | 0) !== v) return F64;
  if (v < 0) return I32;
  return v <= 0xff ? U8 : v <= 0xffff ? U16 : I32;
}

function allocate(kind: Kind, length: number): TimelineColumn {
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
 * An append-only column of numbers in fixed-size chunks, each kept in the narrowest typed array
 * that holds its values exactly: a run's counters and gauges are mostly small whole numbers or
 * zero, so a full chunk of 8-byte doubles shrinks to bytes (or to nothing: an all-zero chunk is
 * only its length). A long run's timeline then costs ~1 byte a value, not 8 (issue 14: memory
 * nearly independent of simulated time). `toArray` joins the chunks once when the run is over,
 * into the narrowest array that holds them all, and gives the chunks up as it goes.
 */
export class Float64Column {
  /** Full chunks: a narrow copy, or null for CHUNK zeros. */
  private chunks: (TimelineColumn | null)[] = [];
  private kinds: Kind[] = [];
  /** The chunk being written, and the widest kind of what it holds so far. */
  private current: Float64Array | null = null;
  private currentKind: Kind = ZERO;
  private fill = 0;
  private consumed = false;
  length = 0;

  push(value: number): void {
    if (this.consumed) throw new Error('Float64Column.push after toArray()');
    if (this.current === null) this.current = new Float64Array(this.chunks.length > 0 ? CHUNK : FIRST_BUFFER);
    else if (this.fill === this.current.length) {
      const grown = new Float64Array(Math.min(CHUNK, this.current.length * 2));
      grown.set(this.current);
      this.current = grown;
    }
    this.current[this.fill++] = value;
    const kind = kindOf(value);
    if (kind > this.currentKind) this.currentKind = kind;
    this.length++;
    if (this.fill === CHUNK) this.seal();
  }

  /** The full write chunk goes to the list in its narrowest form; a double one is kept as is. */
  private seal(): void {
    const kind = this.currentKind;
    const full = this.current!;
    if (kind === F64) {
      this.chunks.push(full);
      this.current = null;
    } else if (kind === ZERO) {
      this.chunks.push(null); // `full` is written over from its start again
    } else {
      const narrow = allocate(kind, CHUNK);
      narrow.set(full);
      this.chunks.push(narrow);
    }
    this.kinds.push(kind);
    this.currentKind = ZERO;
    this.fill = 0;
  }

  /** Forget every value (the end of warmup). */
  clear(): void {
    if (this.consumed) throw new Error('Float64Column.clear after toArray()');
    this.chunks = [];
    this.kinds = [];
    this.currentKind = ZERO;
    this.fill = 0;
    this.length = 0;
  }

  /** Every value in order, in the narrowest array that holds them all. Once: the chunks go. */
  toArray(): TimelineColumn {
    if (this.consumed) throw new Error('Float64Column.toArray() twice');
    this.consumed = true;
    let widest: Kind = this.fill > 0 ? this.currentKind : ZERO;
    for (const kind of this.kinds) if (kind > widest) widest = kind;
    const out = allocate(widest, this.length);
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      if (chunk !== null) out.set(chunk, i * CHUNK);
      this.chunks[i] = null; // given up as copied: a run's end holds one copy, not two
    }
    if (this.fill > 0) out.set(this.current!.subarray(0, this.fill), this.chunks.length * CHUNK);
    this.chunks = [];
    this.kinds = [];
    this.current = null;
    return out;
  }

  /** toArray() as doubles (the row times, whose type the timeline fixes). */
  toFloat64Array(): Float64Array {
    const out = this.toArray();
    return out instanceof Float64Array ? out : Float64Array.from(out);
  }
}
