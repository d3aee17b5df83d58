import { preferDoubleFields } from '../../engine/double-fields.js';
import type { Engine } from '../../engine/engine.js';
import type { Rng } from '../../engine/random.js';

/** An arrival process a population starts once and a `load` action re-rates. */
export interface Arrivals {
  start(): void;
  setRate(rate: number): void;
}

/**
 * Arrivals one timer at a time, each scheduling the next at `dueTime()`; a rate change cancels
 * the pending one and counts the next from the change.
 */
abstract class ChainedArrivals implements Arrivals {
  private timer = -1;

  constructor(
    protected readonly engine: Engine,
    public rate: number,
    private readonly onArrival: () => void,
  ) {}

  start(): void {
    this.restart();
    this.scheduleNext();
  }

  /** Change the rate; the next gap runs from now at the new rate. */
  setRate(rate: number): void {
    this.rate = rate;
    if (this.timer >= 0) this.engine.cancel(this.timer);
    this.timer = -1;
    this.restart();
    this.scheduleNext();
  }

  /** Called at `start()` and at every rate change, before the first arrival is scheduled. */
  protected restart(): void {}

  /** When the next arrival is due at `rate` (> 0), after now. */
  protected abstract dueTime(): number;

  private scheduleNext(): void {
    if (this.rate <= 0) return;
    this.timer = this.engine.at(this.dueTime(), this.fire, null);
  }

  private readonly fire = (): void => {
    this.scheduleNext();
    this.onArrival();
  };
}

/**
 * A Poisson arrival process whose rate a `load` action can change: exponential gaps drawn from
 * the population's own stream, each arrival scheduling the next.
 */
export class PoissonArrivals extends ChainedArrivals {
  constructor(
    engine: Engine,
    private readonly rng: Rng,
    rate: number,
    onArrival: () => void,
  ) {
    super(engine, rate, onArrival);
  }

  // Timer ids exceed 2^31 (engine.ts): a double field from the start (engine/double-fields.ts).
  static {
    preferDoubleFields(new PoissonArrivals(null as unknown as Engine, null as unknown as Rng, 0, () => {}), ['timer']);
  }

  /** An exponential gap from now (Engine.schedule's own sum, now + delay). */
  protected dueTime(): number {
    return this.engine.now - Math.log(1 - this.rng.next()) / this.rate;
  }
}

/**
 * A constant-rate pacer (`clients.requests.arrivals: paced`): one arrival every 1/rate s, as the
 * load generators that hold a fixed request rate — wrk2 (`-R`), vegeta's default constant pacer,
 * k6's constant-arrival-rate executor — and the HAProxy calibration recorder
 * (calibration/haproxy/worker.mjs runRequests(): request k of the run is due when
 * floor(elapsed × rate) reaches k, so the first goes 1/rate after the client's start, its t0).
 * The first arrival after `start()` or a rate change is 1/rate later, arrival k at
 * change + k/rate: a `load` action re-paces from the change. No random draw.
 *
 * `firstAtStart` (`clients.http.arrivals: paced`, `clients.ws.arrivals: paced`): the first arrival
 * at `start()` or the rate change itself, arrival k at change + k/rate for k from 0 — as the
 * bare-app recorder starts its client slots (calibration/haproxy/bare-l4-worker.mjs clients():
 * slot i by `setTimeout(slot, i × 1000 / count)` from t0, slot 0 at once).
 *
 * Each due time is computed from the change, not summed gap by gap, as the recorders' are (the
 * worker.mjs request k due when floor(elapsed × rate) reaches k; bare-l4-worker.mjs slot i at
 * i × 1000 / count): no drift over a long run, and the one due at change + n/rate ties with (and
 * comes after) a `load` action scheduled for that instant, so exactly n arrive in its window.
 */
export class PacedArrivals extends ChainedArrivals {
  /** When the rate last changed (`start()` or a `load` action). */
  private anchor = 0;
  /** The index of the next arrival since the change: due at anchor + next / rate. */
  private next = 0;

  constructor(
    engine: Engine,
    rate: number,
    onArrival: () => void,
    private readonly firstAtStart = false,
  ) {
    super(engine, rate, onArrival);
  }

  // Timer ids exceed 2^31 (engine.ts): a double field from the start (engine/double-fields.ts).
  static {
    preferDoubleFields(new PacedArrivals(null as unknown as Engine, 0, () => {}), ['timer']);
  }

  protected override restart(): void {
    this.anchor = this.engine.now;
    this.next = this.firstAtStart ? 0 : 1;
  }

  protected dueTime(): number {
    return this.anchor + this.next++ / this.rate;
  }
}
