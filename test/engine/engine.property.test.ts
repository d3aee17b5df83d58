import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';

/**
 * Differential test: random schedule / cancel / step / run sequences on the Engine and on a
 * naive reference (a sorted array by (time, seq)) must fire the same events in the same order,
 * at the same times, with the same cancel results. A fixed-delay lane's event is cancelled the way
 * the model does it, by a store into its deadline cell (engine.ts scheduleFixed), and re-armed by
 * scheduling again on the same cell (`rearm`: the reference cancels the old one and adds a new one). fc.assert prints the seed and the shrunk
 * counterexample on failure; replay with `fc.assert(prop, { seed, path })`.
 */

type Op =
  | { kind: 'schedule'; delay: number; childDelay: number | null }
  | { kind: 'at'; time: number }
  | { kind: 'fixed'; lane: number }
  | { kind: 'rearm'; pick: number; lane: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'step' }
  | { kind: 'run'; ahead: number };

/** Small integer delays make ties (and same-time events scheduled from callbacks) common. */
const delay = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.double({ min: 0, max: 5, noNaN: true }));

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('schedule' as const), delay, childDelay: fc.option(delay) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('at' as const), time: fc.integer({ min: 0, max: 20 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fixed' as const), lane: fc.nat({ max: 2 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('rearm' as const), pick: fc.nat(), lane: fc.nat({ max: 2 }) }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('step' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('run' as const), ahead: fc.integer({ min: 0, max: 4 }) }), weight: 1 },
);

interface ModelEvent {
  time: number;
  seq: number;
  label: number;
  childDelay: number | null;
}

/** The obviously-correct queue: a linear scan for the minimum (time, seq). */
class ReferenceQueue {
  now = 0;
  private seq = 0;
  private events: ModelEvent[] = [];
  private pendingLabels = new Set<number>();

  at(time: number, label: number, childDelay: number | null): void {
    this.events.push({ time: Math.max(time, this.now), seq: this.seq++, label, childDelay });
    this.pendingLabels.add(label);
  }
  cancel(label: number): boolean {
    if (!this.pendingLabels.delete(label)) return false;
    this.events.splice(
      this.events.findIndex((e) => e.label === label),
      1,
    );
    return true;
  }
  isPending(label: number): boolean {
    return this.pendingLabels.has(label);
  }
  peekTime(): number {
    return this.events.length === 0 ? Infinity : this.next().time;
  }
  get pending(): number {
    return this.events.length;
  }
  pop(): ModelEvent | undefined {
    if (this.events.length === 0) return undefined;
    const e = this.next();
    this.events.splice(this.events.indexOf(e), 1);
    this.pendingLabels.delete(e.label);
    this.now = e.time;
    return e;
  }
  private next(): ModelEvent {
    return this.events.reduce((a, b) => (b.time < a.time || (b.time === a.time && b.seq < a.seq) ? b : a));
  }
}

/** Delays of the engine's fixed-delay lanes (`scheduleFixed`): integers tie with `at` and `schedule`. */
const LANE_DELAYS = [2, 0.75, 0];

/** Runs the ops on both queues; throws on the first divergence, and at the end compares the logs. */
function check(ops: Op[]): void {
  const engine = new Engine(16); // small, so long sequences exercise growth
  const lanes = LANE_DELAYS.map((d) => engine.fixedDelay(d));
  const model = new ReferenceQueue();
  const ids: number[] = []; // label -> engine id (NaN: a lane event); labels are issue order, the same in both
  const cellOf: Array<Float64Array | null> = []; // label -> a lane event's deadline cell
  const engineLog: Array<[number, number]> = [];
  const modelLog: Array<[number, number]> = [];

  const engineFire = (e: { label: number; childDelay: number | null; cell?: Float64Array }) => {
    engineLog.push([e.label, engine.now]);
    if (e.cell) e.cell[0] = -1; // fired: as the model forgets a fired timer
    if (e.childDelay !== null) engineSchedule(e.childDelay, null);
  };
  const engineSchedule = (d: number, childDelay: number | null) => {
    const label = ids.length;
    ids.push(engine.schedule(d, engineFire, { label, childDelay }));
    cellOf.push(null);
  };
  const scheduleLane = (lane: number, cell: Float64Array) => {
    const label = ids.length;
    ids.push(Number.NaN);
    cellOf.push(cell);
    engine.scheduleFixed(lanes[lane], engineFire, { label, childDelay: null, cell }, cell, 0);
    model.at(model.now + LANE_DELAYS[lane], modelLabels++, null);
  };
  /** A lane event is pending while its cell holds what the engine wrote there (≥ 0) and it is its cell's last event. */
  const lanePending = (label: number) => cellOf[label]![0] >= 0 && cellOf.lastIndexOf(cellOf[label]) === label;
  // The model mirrors the engine's label allocation: a child gets the next label when fired.
  let modelLabels = 0;
  const modelStep = () => {
    const e = model.pop();
    if (!e) return false;
    modelLog.push([e.label, model.now]);
    if (e.childDelay !== null) model.at(model.now + Math.max(e.childDelay, 0), modelLabels++, null);
    return true;
  };

  for (const o of ops) {
    switch (o.kind) {
      case 'schedule':
        engineSchedule(o.delay, o.childDelay);
        model.at(model.now + Math.max(o.delay, 0), modelLabels++, o.childDelay);
        break;
      case 'at': {
        const label = ids.length;
        ids.push(engine.at(o.time, engineFire, { label, childDelay: null }));
        cellOf.push(null);
        model.at(o.time, modelLabels++, null);
        break;
      }
      case 'fixed':
        scheduleLane(o.lane, new Float64Array(1));
        break;
      case 'rearm': {
        // A lane event's cell scheduled again: the old event (if still pending) is given up.
        const lanesLabels = cellOf.flatMap((c, label) => (c !== null ? [label] : []));
        if (lanesLabels.length === 0) break;
        const label = lanesLabels[o.pick % lanesLabels.length];
        const cell = cellOf[label]!;
        for (let k = 0; k < cellOf.length; k++) if (cellOf[k] === cell) model.cancel(k);
        scheduleLane(o.lane, cell);
        break;
      }
      case 'cancel': {
        if (ids.length === 0) break;
        const label = o.pick % ids.length;
        const cell = cellOf[label];
        let got: boolean;
        if (cell === null) got = engine.cancel(ids[label]);
        else {
          got = lanePending(label);
          if (got) cell[0] = -1;
        }
        const want = model.cancel(label);
        if (got !== want) throw new Error(`cancel(${label}) returned ${got}, reference ${want}`);
        break;
      }
      case 'step':
        if (engine.step() !== modelStep()) throw new Error('step() disagrees on an empty queue');
        break;
      case 'run': {
        const until = model.now + o.ahead;
        engine.run(until);
        while (model.peekTime() <= until) modelStep();
        model.now = Math.max(model.now, until);
        break;
      }
    }
    // Plain comparisons, not expect(): this loop runs hundreds of thousands of times.
    if (modelLabels !== ids.length) throw new Error('label allocation diverged');
    if (engineLog.length !== modelLog.length) throw new Error(`fired ${engineLog.length} vs ${modelLog.length}`);
    if (engine.now !== model.now) throw new Error(`now ${engine.now} vs ${model.now}`);
    if (engine.pending !== model.pending) throw new Error(`pending ${engine.pending} vs ${model.pending}`);
    if (engine.peekTime() !== model.peekTime()) throw new Error(`peekTime ${engine.peekTime()} vs ${model.peekTime()}`);
    for (let label = 0; label < ids.length; label++) {
      const pending = cellOf[label] === null ? engine.isPending(ids[label]) : lanePending(label);
      if (pending !== model.isPending(label)) throw new Error(`isPending(${label}) differs`);
    }
  }
  // Drain both: everything left must come out in the same order too.
  engine.run(Infinity);
  while (modelStep());
  expect(engineLog).toEqual(modelLog);
  expect(engine.fired).toBe(modelLog.length);
}

describe('Engine against a reference queue', () => {
  it('fires the same events in the same order for any operation sequence', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => check(ops)),
      { numRuns: 300 },
    );
  });

  it('agrees on a long cancel-heavy sequence that forces several growths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(op, fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() })), {
          minLength: 300,
          maxLength: 2000,
        }),
        (ops) => check(ops),
      ),
      { numRuns: 20 },
    );
  });
});
