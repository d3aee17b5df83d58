/**
 * A binary min-heap of (time, kind, id, tag) events in typed arrays: the fleet Monte Carlo pushes
 * ~10^5 events per replica, and objects per event would dominate its cost. Ties leave in push
 * order (a sequence number breaks them), so a replica is a pure function of its random stream.
 */
export class EventHeap {
  private time = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private kind = new Int32Array(1024);
  private id = new Int32Array(1024);
  private tag = new Int32Array(1024);
  private n = 0;
  private pushed = 0;

  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
    this.pushed = 0;
  }

  push(time: number, kind: number, id: number, tag: number): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = this.pushed++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(time, s, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, time, s, kind, id, tag);
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.time[0]!;
  }

  /** Removes the earliest event and returns it through `out`. */
  pop(out: { time: number; kind: number; id: number; tag: number }): void {
    out.time = this.time[0]!;
    out.kind = this.kind[0]!;
    out.id = this.id[0]!;
    out.tag = this.tag[0]!;
    const last = --this.n;
    if (last === 0) return;
    const t = this.time[last]!;
    const s = this.seq[last]!;
    const k = this.kind[last]!;
    const d = this.id[last]!;
    const g = this.tag[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.less(r, l) ? r : l;
      if (!this.lessThan(c, t, s)) break;
      this.move(c, i);
      i = c;
    }
    this.set(i, t, s, k, d, g);
  }

  private before(time: number, seq: number, j: number): boolean {
    const tj = this.time[j]!;
    return time < tj || (time === tj && seq < this.seq[j]!);
  }

  private less(a: number, b: number): boolean {
    return this.before(this.time[a]!, this.seq[a]!, b);
  }

  private lessThan(j: number, time: number, seq: number): boolean {
    const tj = this.time[j]!;
    return tj < time || (tj === time && this.seq[j]! < seq);
  }

  private move(from: number, to: number): void {
    this.set(to, this.time[from]!, this.seq[from]!, this.kind[from]!, this.id[from]!, this.tag[from]!);
  }

  private set(i: number, time: number, seq: number, kind: number, id: number, tag: number): void {
    this.time[i] = time;
    this.seq[i] = seq;
    this.kind[i] = kind;
    this.id[i] = id;
    this.tag[i] = tag;
  }

  private grow(): void {
    const size = this.time.length * 2;
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.time = grow64(this.time);
    this.seq = grow64(this.seq);
    this.kind = grow32(this.kind);
    this.id = grow32(this.id);
    this.tag = grow32(this.tag);
  }
}
