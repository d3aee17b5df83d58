/**
 * A set of timeline columns filled a row at a time (metrics.ts: the rows' times, entities and one
 * column per series; or one value per sample per counter). In memory they are Float64Columns, as
 * before. Given a spill file, they are kept in memory only up to a bound: once any column holds
 * `blockRows` values, every column's values so far go to the file as one block (each in its
 * narrowest typed array, its raw bytes; a block of a column that is all +0 writes nothing), and
 * the columns start empty. Readers get a column back whole (`read`) or block by block
 * (`readBlock`): the values are exact, so every output is the same as from memory.
 *
 * Issue 14: a day's timeline at 1 s samples was ~0.5-0.6 MB resident per simulated hour (the 24 h
 * steady run), kept until the run's end; spilled, what stays during the run is one block.
 */
import type { TimelineColumn } from '../result.js';
import { allocate, Float64Column, type Kind, kindOfColumn, reusedBuffer, sharedZeros } from './column.js';
import type { SpillFile } from './spill-file.js';

/** One column's block in the spill file; kind null: all +0, nothing written. */
interface Segment {
  kind: Kind | null;
  offset: number;
  length: number;
}

const NOTHING = new Uint8Array(0);

function bytesOf(column: TimelineColumn): Uint8Array {
  return new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
}

export class ColumnStore {
  private readonly columns: Float64Column[] = [];
  private readonly segments: Segment[][] = [];
  private spill: SpillFile | null = null;
  private blockRows = 0;
  /** All-zero columns read back share one array per length (column.ts sharedZeros). */
  private readonly zeros = sharedZeros();
  /** A narrower block on its way into a wider column (`read`): one buffer for every such block. */
  private readonly part = reusedBuffer();

  /** `expected`: values each column will hold, if known (a hint for the in-memory columns). */
  constructor(private readonly expected: number) {}

  /** A new column; its index. */
  add(): number {
    this.columns.push(new Float64Column(this.spill === null ? this.expected : this.blockRows));
    this.segments.push([]);
    return this.columns.length - 1;
  }

  /** The column to push to now (another object after each spilled block: do not keep it). */
  at(i: number): Float64Column {
    return this.columns[i]!;
  }

  /** Values column i holds, spilled and in memory. */
  length(i: number): number {
    let n = this.columns[i]!.length;
    for (const s of this.segments[i]!) n += s.length;
    return n;
  }

  /** Whether any block went to the spill file. */
  get spilled(): boolean {
    // A loop, not `some` with a callback (take asks once a column): see anyFull.
    for (const segments of this.segments) if (segments.length > 0) return true;
    return false;
  }

  /** From now on keep at most `blockRows` values a column in memory; the rest go to `file`. */
  spillTo(file: SpillFile, blockRows: number): void {
    if (this.columns.some((c) => c.length > 0)) throw new Error('ColumnStore.spillTo after values were pushed');
    if (!(blockRows >= 1)) throw new Error(`ColumnStore.spillTo: block of ${blockRows} rows`);
    this.spill = file;
    this.blockRows = Math.ceil(blockRows);
    for (let i = 0; i < this.columns.length; i++) this.columns[i] = new Float64Column(this.blockRows);
  }

  /** Forget every value (the end of warmup); only before any block was spilled. */
  clear(): void {
    if (this.spilled) throw new Error('ColumnStore.clear after a block was spilled');
    for (const column of this.columns) column.clear();
  }

  /** Between rows: past the bound, every column's values so far go to the spill file as a block. */
  flushIfFull(): void {
    if (this.spill === null || !this.anyFull()) return;
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i]!;
      let zero = false;
      const data = column.toArray(() => {
        zero = true;
        return NOTHING;
      });
      const segment: Segment = zero
        ? { kind: null, offset: 0, length: column.length }
        : { kind: kindOfColumn(data), offset: this.spill.append(bytesOf(data)), length: column.length };
      this.segments[i]!.push(segment);
      this.columns[i] = new Float64Column(this.blockRows);
    }
  }

  /** Whether some column holds a block. A loop rather than `some` with a callback: flushIfFull runs
   *  at every sample, and a closure made per call is compiled again in each run of a sweep worker. */
  private anyFull(): boolean {
    for (const column of this.columns) if (column.length >= this.blockRows) return true;
    return false;
  }

  /** Column i, every value handed over once as it lies in memory (a store that never spilled). */
  take(i: number, zeros: (length: number) => TimelineColumn): TimelineColumn {
    if (this.spilled) throw new Error('ColumnStore.take after a block was spilled: read it');
    return this.columns[i]!.toArray(zeros);
  }

  /** Blocks of each column: the spilled ones, then the one in memory. */
  get blockCount(): number {
    return (this.segments[0]?.length ?? 0) + 1;
  }

  /**
   * Block k of column i (k = blockCount - 1: the values still in memory, a view), in an array from
   * `into` (default: a fresh one).
   */
  readBlock(i: number, k: number, into: (kind: Kind, length: number) => TimelineColumn = allocate): TimelineColumn {
    const segments = this.segments[i]!;
    if (k < segments.length) {
      const s = segments[k]!;
      if (s.kind === null) return this.zeros(s.length);
      const out = into(s.kind, s.length);
      this.spill!.read(s.offset, bytesOf(out));
      return out;
    }
    const column = this.columns[i]!;
    return column.peek() ?? this.zeros(column.length);
  }

  /**
   * Column i whole, in the narrowest array that holds every block: an array from `into` (default:
   * a fresh one), or the shared zeros when every value is +0.
   */
  read(i: number, into: (kind: Kind, length: number) => TimelineColumn = allocate): TimelineColumn {
    const segments = this.segments[i]!;
    const tail = this.columns[i]!.peek();
    let total = this.columns[i]!.length;
    let kind: Kind | null = tail === null ? null : kindOfColumn(tail);
    for (const s of segments) {
      total += s.length;
      if (s.kind !== null && (kind === null || s.kind > kind)) kind = s.kind;
    }
    if (kind === null) return this.zeros(total);
    const out = into(kind, total);
    let at = 0;
    for (const s of segments) {
      if (s.kind === null) {
        out.fill(0, at, at + s.length); // `into` may hand out a used array
      } else if (s.kind === kind) {
        this.spill!.read(s.offset, bytesOf(out.subarray(at, at + s.length)));
      } else {
        const part = this.part(s.kind, s.length);
        this.spill!.read(s.offset, bytesOf(part));
        out.set(part, at);
      }
      at += s.length;
    }
    if (tail !== null) out.set(tail, at);
    else out.fill(0, at);
    return out;
  }
}
