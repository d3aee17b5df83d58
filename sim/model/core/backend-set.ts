/**
 * The backends an attempt has already tried, for any number of backends (a 32-bit mask wraps at
 * backend 32: `1 << 32 === 1`). An attempt tries few servers (at most the balancer's retries + 1),
 * so membership is a scan of a short array that is cleared and reused, never reallocated.
 */
export class BackendSet {
  private readonly items: number[] = [];

  clear(): void {
    this.items.length = 0;
  }

  add(b: number): void {
    if (!this.items.includes(b)) this.items.push(b);
  }

  has(b: number): boolean {
    return this.items.includes(b);
  }

  get size(): number {
    return this.items.length;
  }

  /** Make this set exactly {b}. */
  only(b: number): this {
    this.items.length = 0;
    this.items.push(b);
    return this;
  }
}

/** The set a pick excludes nothing with. */
export const NO_BACKENDS: { has(b: number): boolean } = { has: () => false };
