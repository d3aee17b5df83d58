import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, type LaneId, type TimerId } from '../../sim/engine/engine.js';

/**
 * Engine.rearm / disarm (lazy re-armable timers) against the eager way they stand for: every arm a
 * `scheduleFixed`, every disarm a `cancel`. Random arms (on lanes of different delays, so some
 * arms move a deadline earlier), disarms, cancels, other events (heap and lane, some cancelled),
 * timers that arm or disarm others when they fire, steps and runs: both engines must fire the same
 * callbacks at the same times in the same order, with the same `fired`, `pending`, `peekTime` and
 * `isPending` after every operation (a timer's entry moved to its new deadline is not an event).
 */

type Op =
  | { kind: 'arm'; timer: number; lane: number }
  | { kind: 'disarm'; timer: number; viaCancel: boolean }
  | { kind: 'event'; delay: number; lane: number | null }
  | { kind: 'cancel'; pick: number }
  | { kind: 'step' }
  | { kind: 'run'; ahead: number };

const TIMERS = 4;
/** Lane delays: integers tie with each other and with the plain events' integer delays. */
const LANE_DELAYS = [3, 1, 0.5, 0, 3];
const delay = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 5, noNaN: true }));
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('arm' as const),
      timer: fc.nat({ max: TIMERS - 1 }),
      // Mostly a timer's own lane (as the models use it), sometimes another.
      lane: fc.oneof({ arbitrary: fc.constant(-1), weight: 4 }, { arbitrary: fc.nat({ max: 4 }), weight: 1 }),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('disarm' as const),
      timer: fc.nat({ max: TIMERS - 1 }),
      viaCancel: fc.boolean(),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      delay,
      lane: fc.option(fc.nat({ max: 4 })),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('step' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('run' as const), ahead: fc.integer({ min: 0, max: 2 }) }), weight: 3 },
);

/** One engine driven either way; `lazy` uses rearm/disarm, the other scheduleFixed/cancel. */
class Side {
  readonly engine = new Engine(16); // small, so growth is exercised
  readonly lanes: LaneId[];
  readonly timers: TimerId[] = new Array(TIMERS).fill(-1);
  readonly events: TimerId[] = [];
  readonly log: string[] = [];
  /** Arms made by firing callbacks, bounded so that run(Infinity) ends (timers re-arm each other). */
  private chained = 0;
  private readonly timerFired = (k: number): void => {
    if (!this.lazy) this.timers[k] = -1;
    this.log.push(`timer ${k} at ${this.engine.now}`);
    // As a model's timeout handler: stop or start other timers.
    if (k % 3 === 0) this.disarm((k + 1) % TIMERS, false);
    if (k % 2 === 0 && this.chained++ < 100) this.arm((k + 2) % TIMERS, -1);
  };
  private readonly eventFired = (label: number): void => {
    this.log.push(`event ${label} at ${this.engine.now}`);
    if (label % 4 === 1 && this.chained++ < 100) this.arm(label % TIMERS, -1);
    if (label % 5 === 2) this.disarm(label % TIMERS, false);
  };

  constructor(
    private readonly lazy: boolean,
    seqStart: number,
  ) {
    this.lanes = LANE_DELAYS.map((d) => this.engine.fixedDelay(d));
    (this.engine as unknown as { nextSeq: number }).nextSeq = seqStart;
  }

  /** Timer k's own lane is k % 4; `lane` ≥ 0 overrides it. */
  arm(k: number, lane: number): void {
    const laneId = this.lanes[lane >= 0 ? lane : k % 4];
    if (this.lazy) this.timers[k] = this.engine.rearm(this.timers[k], laneId, this.timerFired, k);
    else {
      if (this.timers[k] >= 0) this.engine.cancel(this.timers[k]);
      this.timers[k] = this.engine.scheduleFixed(laneId, this.timerFired, k);
    }
  }

  disarm(k: number, viaCancel: boolean): void {
    if (this.lazy) {
      if (viaCancel) this.engine.cancel(this.timers[k]);
      else this.engine.disarm(this.timers[k]);
    } else if (this.timers[k] >= 0) {
      this.engine.cancel(this.timers[k]);
      this.timers[k] = -1;
    }
  }

  event(d: number, lane: number | null): void {
    const label = this.events.length;
    this.events.push(
      lane === null
        ? this.engine.schedule(d, this.eventFired, label)
        : this.engine.scheduleFixed(this.lanes[lane], this.eventFired, label),
    );
  }
}

function check(ops: Op[], seqStart: number): void {
  const lazy = new Side(true, seqStart);
  const eager = new Side(false, seqStart);
  for (const o of ops) {
    for (const side of [lazy, eager]) {
      const e = side.engine;
      switch (o.kind) {
        case 'arm':
          side.arm(o.timer, o.lane);
          break;
        case 'disarm':
          side.disarm(o.timer, o.viaCancel);
          break;
        case 'event':
          side.event(o.delay, o.lane);
          break;
        case 'cancel':
          if (side.events.length > 0) e.cancel(side.events[o.pick % side.events.length]);
          break;
        case 'step':
          e.step();
          break;
        case 'run':
          e.run(Math.floor(e.now) + o.ahead);
          break;
      }
    }
    const [a, b] = [lazy.engine, eager.engine];
    if (lazy.log.length !== eager.log.length || lazy.log.at(-1) !== eager.log.at(-1))
      throw new Error(`fired ${lazy.log.at(-1)} vs ${eager.log.at(-1)}`);
    if (a.fired !== b.fired) throw new Error(`fired count ${a.fired} vs ${b.fired}`);
    if (a.now !== b.now) throw new Error(`now ${a.now} vs ${b.now}`);
    if (a.pending !== b.pending) throw new Error(`pending ${a.pending} vs ${b.pending}`);
    if (a.peekTime() !== b.peekTime()) throw new Error(`peekTime ${a.peekTime()} vs ${b.peekTime()}`);
    for (let k = 0; k < TIMERS; k++)
      if (a.isPending(lazy.timers[k]) !== b.isPending(eager.timers[k]))
        throw new Error(`isPending(timer ${k}) differs`);
  }
  lazy.engine.run(Infinity);
  eager.engine.run(Infinity);
  expect(lazy.log).toEqual(eager.log);
  expect(lazy.engine.fired).toBe(eager.engine.fired);
  expect(lazy.engine.pending).toBe(0);
}

describe('Engine.rearm / disarm against scheduleFixed / cancel', () => {
  it('fires the same callbacks at the same times in the same order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => check(ops, 0)),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000) },
    );
  });

  it('agrees across the renumbering of exhausted sequence numbers', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => check(ops, 2 ** 32 - 40)),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('moves a timer armed again after its entry went into the heap, without firing it', () => {
    const engine = new Engine(16);
    const lane = engine.fixedDelay(3);
    const fired: number[] = [];
    const fire = (): void => void fired.push(engine.now);
    let id = engine.rearm(-1, lane, fire, null); // entry (3, s0) in the lane
    engine.run(1);
    id = engine.rearm(id, lane, fire, null); // due 4: the lane entry goes into the heap at 3
    engine.run(3.5);
    expect(engine.rearm(id, lane, fire, null)).toBe(id); // due 6.5: the heap entry (4) moves at 4
    engine.run(5);
    expect(fired).toEqual([]);
    expect(engine.pending).toBe(1);
    engine.run(Infinity);
    expect(fired).toEqual([6.5]);
    expect(engine.fired).toBe(1);
  });

  it('keeps one entry per timer however often it is armed and disarmed', () => {
    const engine = new Engine(16);
    const lane = engine.fixedDelay(30);
    let fired = 0;
    let id = -1;
    // A client's request timer: armed on every request, stopped by every answer 1 ms later.
    for (let i = 0; i < 10_000; i++) {
      id = engine.rearm(id, lane, () => fired++, null);
      engine.run(engine.now + 0.001);
      engine.disarm(id);
      engine.run(engine.now + 0.004);
    }
    // Its one entry was moved when it reached the front (every 30 s), never fired, and is dropped.
    expect(engine.pending).toBe(0);
    engine.run(Infinity);
    expect(fired).toBe(0);
    expect(engine.fired).toBe(0);
    expect((engine as unknown as { capacity: number }).capacity).toBe(16);
  });
});
