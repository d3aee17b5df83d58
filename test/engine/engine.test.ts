import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';
import { Mulberry32 } from '../../sim/engine/mulberry32.js';

/** Records the argument of every fired event, with the clock at the moment it fired. */
function recorder(engine: Engine) {
  const fired: Array<[label: string, t: number]> = [];
  const fn = (label: string) => fired.push([label, engine.now]);
  return { fired, fn, labels: () => fired.map(([label]) => label) };
}

describe('Engine ordering', () => {
  it('fires events in time order, whatever order they were scheduled in', () => {
    const engine = new Engine();
    const r = recorder(engine);
    engine.schedule(3, r.fn, 'c');
    engine.schedule(1, r.fn, 'a');
    engine.schedule(2.5, r.fn, 'b');
    engine.schedule(0.5, r.fn, 'first');
    engine.run(Infinity);
    expect(r.fired).toEqual([
      ['first', 0.5],
      ['a', 1],
      ['b', 2.5],
      ['c', 3],
    ]);
    expect(engine.fired).toBe(4);
    expect(engine.pending).toBe(0);
  });

  it('fires simultaneous events in scheduling order', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const labels = Array.from({ length: 50 }, (_, i) => `e${i}`);
    for (const label of labels) engine.at(7, r.fn, label);
    engine.at(6, r.fn, 'earlier');
    engine.run(Infinity);
    expect(r.labels()).toEqual(['earlier', ...labels]);
  });

  it('fires a same-time event scheduled from a callback after those already waiting', () => {
    const engine = new Engine();
    const r = recorder(engine);
    engine.at(
      1,
      () => {
        r.fn('a');
        engine.schedule(0, r.fn, 'a-child');
        engine.at(1, r.fn, 'a-child-at');
      },
      undefined,
    );
    engine.at(1, r.fn, 'b');
    engine.at(1, r.fn, 'c');
    engine.at(2, r.fn, 'later');
    engine.run(Infinity);
    expect(r.labels()).toEqual(['a', 'b', 'c', 'a-child', 'a-child-at', 'later']);
    expect(r.fired.slice(0, 5).every(([, t]) => t === 1)).toBe(true);
  });

  it('step fires one event at a time and reports an empty queue', () => {
    const engine = new Engine();
    const r = recorder(engine);
    expect(engine.step()).toBe(false);
    expect(engine.peekTime()).toBe(Infinity);
    engine.schedule(2, r.fn, 'b');
    engine.schedule(1, r.fn, 'a');
    expect(engine.peekTime()).toBe(1);
    expect(engine.step()).toBe(true);
    expect(r.fired).toEqual([['a', 1]]);
    expect(engine.now).toBe(1);
    expect(engine.peekTime()).toBe(2);
    expect(engine.step()).toBe(true);
    expect(engine.step()).toBe(false);
    expect(engine.now).toBe(2);
  });

  it('passes the argument through unchanged', () => {
    const engine = new Engine();
    const payload = { id: 42 };
    let got: unknown;
    engine.schedule(1, (arg) => (got = arg), payload);
    engine.run(Infinity);
    expect(got).toBe(payload);
  });
});

describe('Engine cancel', () => {
  it('cancels an event before it fires', () => {
    const engine = new Engine();
    const r = recorder(engine);
    engine.schedule(1, r.fn, 'a');
    const id = engine.schedule(2, r.fn, 'b');
    engine.schedule(3, r.fn, 'c');
    expect(engine.isPending(id)).toBe(true);
    expect(engine.cancel(id)).toBe(true);
    expect(engine.isPending(id)).toBe(false);
    expect(engine.pending).toBe(2);
    expect(engine.cancel(id)).toBe(false);
    engine.run(Infinity);
    expect(r.labels()).toEqual(['a', 'c']);
  });

  it('cancels the event at the top of the queue and keeps the rest in order', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const first = engine.schedule(1, r.fn, 'a');
    engine.schedule(3, r.fn, 'c');
    engine.schedule(2, r.fn, 'b');
    expect(engine.cancel(first)).toBe(true);
    expect(engine.peekTime()).toBe(2);
    engine.run(Infinity);
    expect(r.labels()).toEqual(['b', 'c']);
  });

  it('returns false when cancelling an event that already fired', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const id = engine.schedule(1, r.fn, 'a');
    engine.schedule(2, r.fn, 'b');
    engine.step();
    expect(engine.isPending(id)).toBe(false);
    expect(engine.cancel(id)).toBe(false);
    expect(engine.pending).toBe(1);
  });

  it('treats the firing event as no longer pending inside its own callback', () => {
    const engine = new Engine();
    let id = -1;
    let seen: boolean[] = [];
    id = engine.schedule(1, () => (seen = [engine.isPending(id), engine.cancel(id)]), undefined);
    engine.run(Infinity);
    expect(seen).toEqual([false, false]);
  });

  it('lets a callback cancel another pending event at the same time', () => {
    const engine = new Engine();
    const r = recorder(engine);
    let victim = -1;
    engine.at(1, () => expect(engine.cancel(victim)).toBe(true), undefined);
    victim = engine.at(1, r.fn, 'victim');
    engine.at(1, r.fn, 'survivor');
    engine.run(Infinity);
    expect(r.labels()).toEqual(['survivor']);
  });

  it('does not let a stale id cancel the event that reused its slot', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const stale = engine.schedule(1, r.fn, 'old');
    expect(engine.cancel(stale)).toBe(true);
    // The free slot is reused for the next event; only the generation tells them apart.
    const fresh = engine.schedule(2, r.fn, 'new');
    expect(fresh).not.toBe(stale);
    expect(engine.cancel(stale)).toBe(false);
    expect(engine.isPending(stale)).toBe(false);
    expect(engine.isPending(fresh)).toBe(true);

    const firedId = engine.schedule(0, r.fn, 'fired');
    engine.step();
    engine.schedule(5, r.fn, 'reuser');
    expect(engine.cancel(firedId)).toBe(false);
    engine.run(Infinity);
    expect(r.labels()).toEqual(['fired', 'new', 'reuser']);
  });

  it('rejects ids it never issued', () => {
    const engine = new Engine();
    engine.schedule(1, () => {}, undefined);
    for (const bogus of [-1, 1e9, 2 ** 52 + 3, Number.NaN, 0.5, Infinity, -Infinity, 2 ** 24 + 0.5, -(2 ** 24)]) {
      expect(engine.cancel(bogus)).toBe(false);
      expect(engine.isPending(bogus)).toBe(false);
    }
    expect(engine.pending).toBe(1);
  });
});

describe('Engine clock', () => {
  it('run(until) fires events up to and including until, then leaves the clock there', () => {
    const engine = new Engine();
    const r = recorder(engine);
    engine.schedule(1, r.fn, 'a');
    engine.schedule(5, r.fn, 'at-until');
    engine.schedule(5.000001, r.fn, 'after');
    engine.schedule(9, r.fn, 'later');
    engine.run(5);
    expect(r.labels()).toEqual(['a', 'at-until']);
    expect(engine.now).toBe(5);
    expect(engine.pending).toBe(2);
    engine.run(7);
    expect(r.labels()).toEqual(['a', 'at-until', 'after']);
    expect(engine.now).toBe(7);
    engine.run(Infinity);
    expect(engine.now).toBe(9);
  });

  it('run(until) on an empty queue still advances the clock, and never moves it back', () => {
    const engine = new Engine();
    engine.run(10);
    expect(engine.now).toBe(10);
    engine.run(3);
    expect(engine.now).toBe(10);
  });

  it('run(until) fires events that callbacks schedule before until', () => {
    const engine = new Engine();
    let ticks = 0;
    const tick = () => {
      ticks++;
      engine.schedule(1, tick, undefined);
    };
    engine.schedule(1, tick, undefined);
    engine.run(10);
    expect(ticks).toBe(10);
    expect(engine.now).toBe(10);
    expect(engine.pending).toBe(1);
    expect(engine.peekTime()).toBe(11);
  });

  it('clamps at() in the past and negative delays to now', () => {
    const engine = new Engine();
    const r = recorder(engine);
    engine.run(10);
    engine.schedule(0, r.fn, 'now');
    engine.at(3, r.fn, 'past');
    engine.schedule(-4, r.fn, 'negative');
    engine.schedule(1, r.fn, 'future');
    engine.run(Infinity);
    expect(r.fired).toEqual([
      ['now', 10],
      ['past', 10],
      ['negative', 10],
      ['future', 11],
    ]);
  });

  it('rejects NaN times and delays instead of firing them at an arbitrary moment', () => {
    const engine = new Engine();
    expect(() => engine.at(Number.NaN, () => {}, undefined)).toThrow(/NaN/);
    expect(() => engine.schedule(Number.NaN, () => {}, undefined)).toThrow(/NaN/);
    expect(engine.pending).toBe(0);
  });
});

describe('Engine growth', () => {
  it('grows beyond its initial capacity and keeps order, ids and cancels intact', () => {
    const engine = new Engine(16);
    const order: number[] = [];
    const ids: number[] = [];
    const n = 5000;
    // A fixed permutation of times (i * 7919 mod n is a bijection since 7919 is prime).
    for (let i = 0; i < n; i++) ids.push(engine.at((i * 7919) % n, (k: number) => order.push(k), i));
    expect(engine.pending).toBe(n);
    const cancelled = new Set<number>();
    for (let i = 0; i < n; i += 3) {
      expect(engine.cancel(ids[i])).toBe(true);
      cancelled.add(i);
    }
    engine.run(Infinity);
    const expected = Array.from({ length: n }, (_, i) => i)
      .filter((i) => !cancelled.has(i))
      .sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
    expect(order).toEqual(expected);
    expect(engine.fired).toBe(n - cancelled.size);
  });

  it('keeps ids issued before growth valid after it', () => {
    const engine = new Engine(16);
    const early = engine.schedule(100, () => {}, undefined);
    for (let i = 0; i < 100; i++) engine.schedule(i, () => {}, undefined);
    expect(engine.isPending(early)).toBe(true);
    expect(engine.cancel(early)).toBe(true);
    engine.run(Infinity);
    expect(engine.fired).toBe(100);
    expect(engine.now).toBe(99);
  });
});

describe('Engine lazy cancellation', () => {
  it('compacts when cancelled entries outnumber live ones, keeping order, ids and counts', () => {
    const engine = new Engine(16);
    const order: number[] = [];
    const n = 6000;
    const ids = Array.from({ length: n }, (_, i) => engine.at(((i * 7919) % n) / 10, (k: number) => order.push(k), i));
    // Cancel 5 of every 6: compaction runs (more than 1024 dead, more dead than live) mid-way.
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 6 === 0) kept.push(i);
      else expect(engine.cancel(ids[i])).toBe(true);
    }
    expect(engine.pending).toBe(kept.length);
    // Compaction freed the slots: the heap holds only live entries (internal, checked on purpose).
    expect((engine as unknown as { size: number }).size).toBeLessThan(2 * kept.length + 1100);
    for (let i = 0; i < n; i++) expect(engine.isPending(ids[i])).toBe(i % 6 === 0);
    engine.run(Infinity);
    expect(order).toEqual(kept.sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n)));
    expect(engine.fired).toBe(kept.length);
  });

  it('keeps scheduling order of ties across the renumbering of exhausted sequence numbers', () => {
    const engine = new Engine();
    const r = recorder(engine);
    (engine as unknown as { nextSeq: number }).nextSeq = 2 ** 32 - 3;
    for (const label of ['a', 'b', 'c', 'd', 'e', 'f']) engine.at(1, r.fn, label);
    engine.at(0.5, r.fn, 'first');
    engine.run(Infinity);
    expect(r.labels()).toEqual(['first', 'a', 'b', 'c', 'd', 'e', 'f']);
    expect((engine as unknown as { nextSeq: number }).nextSeq).toBeLessThan(20);
  });
});

describe('Engine integer handlers', () => {
  it('fires handler(arg) events in (time, scheduling) order together with callback events', () => {
    const engine = new Engine(16);
    const seen: string[] = [];
    const h = engine.handler((n) => seen.push(`h${n}@${engine.now}`));
    const g = engine.handler((n) => seen.push(`g${n}@${engine.now}`));
    engine.callAt(2, h, 7);
    engine.at(1, (x: string) => seen.push(`${x}@${engine.now}`), 'obj');
    engine.callAfter(1, g, 2 ** 25 - 1);
    engine.callAt(2, g, 0);
    for (let i = 0; i < 40; i++) engine.callAt(3, h, i); // forces heap growth
    expect(engine.pending).toBe(44);
    engine.run(2);
    expect(seen).toEqual(['obj@1', `g${2 ** 25 - 1}@1`, 'h7@2', 'g0@2']);
    engine.run(Infinity);
    expect(seen.slice(4)).toEqual(Array.from({ length: 40 }, (_, i) => `h${i}@3`));
  });

  it('rejects arguments that do not fit and unknown handlers', () => {
    const engine = new Engine();
    const h = engine.handler(() => {});
    for (const bad of [-1, 0.5, 2 ** 25, Number.NaN]) expect(() => engine.callAt(1, h, bad)).toThrow(/argument/);
    expect(() => engine.callAt(1, 5, 0)).toThrow(/handler/);
    expect(engine.pending).toBe(0);
  });
});

describe('Engine fixed-delay lanes', () => {
  /** Internal view of a lane's ring buffer (checked on purpose: the point is what stays queued). */
  const laneCount = (engine: Engine, lane: number) =>
    (engine as unknown as { lanes: Array<{ count: number }> }).lanes[lane].count;

  it('fires lane events merged with heap events in (time, scheduling) order, ties included', () => {
    const engine = new Engine(16);
    const r = recorder(engine);
    const two = engine.fixedDelay(2);
    expect(engine.fixedDelay(2)).toBe(two); // one lane per delay
    const half = engine.fixedDelay(0.5);
    engine.at(2, r.fn, 'heap@2');
    engine.scheduleFixed(two, r.fn, 'lane2@2');
    engine.schedule(0.5, r.fn, 'heap@0.5');
    engine.scheduleFixed(half, r.fn, 'lane0.5@0.5');
    engine.at(
      1,
      () => {
        r.fn('heap@1');
        engine.scheduleFixed(two, r.fn, 'lane2@3');
        engine.scheduleFixed(half, r.fn, 'lane0.5@1.5');
        engine.at(1.5, r.fn, 'heap@1.5');
      },
      undefined,
    );
    expect(engine.pending).toBe(5);
    expect(engine.peekTime()).toBe(0.5);
    engine.run(Infinity);
    expect(r.fired).toEqual([
      ['heap@0.5', 0.5],
      ['lane0.5@0.5', 0.5],
      ['heap@1', 1],
      ['lane0.5@1.5', 1.5],
      ['heap@1.5', 1.5],
      ['heap@2', 2],
      ['lane2@2', 2],
      ['lane2@3', 3],
    ]);
    expect(engine.pending).toBe(0);
    expect(engine.step()).toBe(false);
  });

  it('cancels lane events by id, skips them at the head and compacts the lane, keeping order', () => {
    const engine = new Engine(16);
    const order: number[] = [];
    const lane = engine.fixedDelay(30);
    const n = 12000;
    const ids: number[] = [];
    // One per simulated millisecond, as request timers are armed.
    for (let i = 0; i < n; i++) {
      engine.run(i / 1000);
      ids.push(engine.scheduleFixed(lane, (k: number) => order.push(k), i));
    }
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 6 === 0) kept.push(i);
      else expect(engine.cancel(ids[i])).toBe(true);
    }
    expect(engine.cancel(ids[1])).toBe(false);
    expect(engine.pending).toBe(kept.length);
    // Compaction ran (more than LANE_COMPACT_MIN = 8192 dead, more dead than live): few dead
    // entries stay queued.
    expect(laneCount(engine, lane)).toBeLessThan(2 * kept.length + 1100);
    for (let i = 0; i < n; i++) expect(engine.isPending(ids[i])).toBe(i % 6 === 0);
    engine.run(Infinity);
    expect(order).toEqual(kept);
    expect(engine.now).toBe((n - 6) / 1000 + 30);
    expect(laneCount(engine, lane)).toBe(0);
    // Every slot came back: a new event reuses them without growing.
    expect(engine.isPending(engine.scheduleFixed(lane, () => {}, 0))).toBe(true);
  });

  it('cancels lane events in any order while the lane grows and compacts (each entry found where it moved)', () => {
    const engine = new Engine(16);
    const lane = engine.fixedDelay(30);
    const rng = new Mulberry32(3);
    const order: number[] = [];
    const ids: number[] = [];
    const cancelled = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      engine.run(i / 1000);
      ids.push(engine.scheduleFixed(lane, (k: number) => order.push(k), i));
      // Cancel a few earlier ones at random (some twice: false the second time), so that live
      // entries sit between cancelled ones when the lane grows and when it is compacted.
      for (let c = 0; c < 2; c++) {
        const k = Math.floor(rng.next() * ids.length);
        if (k >= i - 3000 || rng.next() < 0.5) {
          expect(engine.cancel(ids[k])).toBe(!cancelled.has(k) && (i - k) / 1000 < 30);
          cancelled.add(k);
        }
      }
    }
    expect(cancelled.size).toBeGreaterThan(10_000);
    engine.run(Infinity);
    expect(order).toEqual(ids.map((_, k) => k).filter((k) => !cancelled.has(k)));
    expect(laneCount(engine, lane)).toBe(0);
  });

  it('keeps ties between the heap and a lane in order across the renumbering of sequence numbers', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const lane = engine.fixedDelay(1);
    (engine as unknown as { nextSeq: number }).nextSeq = 2 ** 32 - 3;
    for (const label of ['a', 'b', 'c']) {
      engine.at(1, r.fn, `${label}-heap`);
      engine.scheduleFixed(lane, r.fn, `${label}-lane`);
    }
    engine.run(Infinity);
    expect(r.labels()).toEqual(['a-heap', 'a-lane', 'b-heap', 'b-lane', 'c-heap', 'c-lane']);
    expect((engine as unknown as { nextSeq: number }).nextSeq).toBeLessThan(20);
  });

  it('rejects a negative or NaN delay', () => {
    const engine = new Engine();
    for (const bad of [-1, Number.NaN]) expect(() => engine.fixedDelay(bad)).toThrow(/delay/);
  });
});
