import { preferDoubleFields } from '../../engine/double-fields.js';
import type { Engine } from '../../engine/engine.js';
import type { Rng } from '../../engine/random.js';

/**
 * A Poisson arrival process whose rate a `load` action can change: exponential gaps drawn from
 * the population's own stream, each arrival scheduling the next.
 */
export class PoissonArrivals {
  private timer = -1;

  constructor(
    private readonly engine: Engine,
    private readonly rng: Rng,
    public rate: number,
    private readonly onArrival: () => void,
  ) {}

  // Timer ids exceed 2^31 (engine.ts): a double field from the start (engine/double-fields.ts).
  static {
    preferDoubleFields(new PoissonArrivals(null as unknown as Engine, null as unknown as Rng, 0, () => {}), ['timer']);
  }

  start(): void {
    this.scheduleNext();
  }

  /** Change the rate; the next gap is drawn at the new rate. */
  setRate(rate: number): void {
    this.rate = rate;
    if (this.timer >= 0) this.engine.cancel(this.timer);
    this.timer = -1;
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.rate <= 0) return;
    const gap = -Math.log(1 - this.rng.next()) / this.rate;
    this.timer = this.engine.schedule(gap, this.fire, null);
  }

  private readonly fire = (): void => {
    this.scheduleNext();
    this.onArrival();
  };
}
