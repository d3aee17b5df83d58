/** Numbers per chunk: 128 KiB, so a column grows without copying what it already holds. */
const CHUNK = 16_384;

/**
 * An append-only column of doubles in fixed-size Float64Array chunks: 8 bytes a value, no
 * growth copies, nothing for the garbage collector to trace. `toArray` joins the chunks once
 * when the run is over.
 */
export class Float64Column {
  private readonly chunks: Float64Array[] = [];
  private current = new Float64Array(0);
  private fill = 0;
  length = 0;

  push(value: number): void {
    if (this.fill === this.current.length) {
      this.current = new Float64Array(CHUNK);
      this.chunks.push(this.current);
      this.fill = 0;
    }
    this.current[this.fill++] = value;
    this.length++;
  }

  toArray(): Float64Array {
    const out = new Float64Array(this.length);
    this.chunks.forEach((chunk, i) =>
      out.set(i === this.chunks.length - 1 ? chunk.subarray(0, this.fill) : chunk, i * CHUNK),
    );
    return out;
  }
}
