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
    (engine as unknown as { nextSeq: number }).nextSeq = 2 ** 27 - 3;
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
    engine.callAfter(1, g, 2 ** 19 - 1);
    engine.callAt(2, g, 0);
    for (let i = 0; i < 40; i++) engine.callAt(3, h, i); // forces heap growth
    expect(engine.pending).toBe(44);
    engine.run(2);
    expect(seen).toEqual(['obj@1', `g${2 ** 19 - 1}@1`, 'h7@2', 'g0@2']);
    engine.run(Infinity);
    expect(seen.slice(4)).toEqual(Array.from({ length: 40 }, (_, i) => `h${i}@3`));
  });

  it('rejects arguments that do not fit and unknown handlers', () => {
    const engine = new Engine();
    const h = engine.handler(() => {});
    for (const bad of [-1, 0.5, 2 ** 19, Number.NaN]) expect(() => engine.callAt(1, h, bad)).toThrow(/argument/);
    expect(() => engine.callAt(1, 5, 0)).toThrow(/handler/);
    expect(engine.pending).toBe(0);
  });
});

describe('Engine fixed-delay lanes', () => {
  /** Internal view of a lane's ring buffer (checked on purpose: the point is what stays queued). */
  const laneCount = (engine: Engine, lane: number) =>
    (engine as unknown as { lanes: Array<{ count: number }> }).lanes[lane].count;
  /** A cell for an event nobody gives up. */
  const own = () => new Float64Array(1);

  it('fires lane events merged with heap events in (time, scheduling) order, ties included', () => {
    const engine = new Engine(16);
    const r = recorder(engine);
    const two = engine.fixedDelay(2);
    expect(engine.fixedDelay(2)).toBe(two); // one lane per delay
    const half = engine.fixedDelay(0.5);
    engine.at(2, r.fn, 'heap@2');
    engine.scheduleFixed(two, r.fn, 'lane2@2', own(), 0);
    engine.schedule(0.5, r.fn, 'heap@0.5');
    engine.scheduleFixed(half, r.fn, 'lane0.5@0.5', own(), 0);
    engine.at(
      1,
      () => {
        r.fn('heap@1');
        engine.scheduleFixed(two, r.fn, 'lane2@3', own(), 0);
        engine.scheduleFixed(half, r.fn, 'lane0.5@1.5', own(), 0);
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

  it('writes each event its sequence number into its cell; a store there gives it up, unfired and uncounted', () => {
    const engine = new Engine(16);
    const order: number[] = [];
    const lane = engine.fixedDelay(30);
    const n = 12000;
    const cells = new Float64Array(n);
    // One per simulated millisecond, as request timers are armed.
    for (let i = 0; i < n; i++) {
      engine.run(i / 1000);
      engine.scheduleFixed(lane, (k: number) => order.push(k), i, cells, i);
      if (i > 0) expect(cells[i]).toBeGreaterThan(cells[i - 1]);
    }
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 6 === 0) kept.push(i);
      else cells[i] = -1;
    }
    expect(engine.pending).toBe(kept.length);
    engine.run(Infinity);
    expect(order).toEqual(kept);
    expect(engine.fired).toBe(kept.length);
    expect(engine.now).toBe((n - 6) / 1000 + 30);
    expect(laneCount(engine, lane)).toBe(0);
  });

  it('a re-armed cell fires only its last event; an old entry of it is given up', () => {
    const engine = new Engine(16);
    const r = recorder(engine);
    const lane = engine.fixedDelay(1);
    const cell = new Float64Array(3);
    engine.scheduleFixed(lane, r.fn, 'first', cell, 2);
    engine.run(0.5);
    engine.scheduleFixed(lane, r.fn, 'second', cell, 2);
    engine.run(Infinity);
    expect(r.fired).toEqual([['second', 1.5]]);
    expect(engine.fired).toBe(1);
  });

  it('gives up lane events in any order while the ring fills, compacts and grows, keeping order', () => {
    const engine = new Engine(16);
    const lane = engine.fixedDelay(30);
    const rng = new Mulberry32(3);
    const order: number[] = [];
    const n = 20_000;
    const cells = new Float64Array(n);
    const givenUp = new Set<number>();
    for (let i = 0; i < n; i++) {
      engine.run(i / 1000);
      engine.scheduleFixed(lane, (k: number) => order.push(k), i, cells, i);
      // Give up a few earlier ones at random, so that armed entries sit between given-up ones when
      // the ring is compacted and when it grows.
      for (let c = 0; c < 2; c++) {
        const k = Math.floor(rng.next() * (i + 1));
        if ((k >= i - 3000 || rng.next() < 0.5) && (i - k) / 1000 < 30) {
          cells[k] = -1;
          givenUp.add(k);
        }
      }
    }
    expect(givenUp.size).toBeGreaterThan(10_000);
    engine.run(Infinity);
    expect(order).toEqual(Array.from({ length: n }, (_, k) => k).filter((k) => !givenUp.has(k)));
    expect(laneCount(engine, lane)).toBe(0);
  });

  it('a full ring compacted under a push finds the lane that fires first again (its head moved later)', () => {
    const engine = new Engine(16);
    const r = recorder(engine);
    const a = engine.fixedDelay(1);
    const b = engine.fixedDelay(1.5);
    const first = new Float64Array(1);
    engine.scheduleFixed(a, r.fn, 'a-first@1', first, 0);
    engine.scheduleFixed(b, r.fn, 'b@1.5', own(), 0);
    engine.at(
      0.9,
      () => {
        // Lane a's head (1) is given up; filling the ring (16 entries in an Engine(16)) compacts it
        // under a push, and its head is then at 1.9, after lane b's.
        first[0] = -1;
        for (let k = 0; k < 4096; k++) engine.scheduleFixed(a, r.fn, `a${k}@1.9`, own(), 0);
      },
      undefined,
    );
    engine.run(0.95);
    expect(laneCount(engine, a)).toBe(4096);
    engine.run(Infinity);
    expect(r.labels().slice(0, 2)).toEqual(['b@1.5', 'a0@1.9']);
    expect(engine.fired).toBe(1 + 1 + 4096);
  });

  // A request's answer and its timeout due at the same instant: which comes first is decided by the
  // sequence numbers, the timer's taken when it was armed — the same as with a heap entry cancelled
  // by the answer (what the model had before the lanes' deadline cells).
  for (const answerFirst of [true, false]) {
    it(`a timeout tied with its answer resolves as a cancelled heap timer would (answer ${answerFirst ? 'scheduled before' : 'scheduled after'} the timer)`, () => {
      const run = (lanes: boolean): string[] => {
        const engine = new Engine(16);
        const log: string[] = [];
        const lane = engine.fixedDelay(2);
        const cell = new Float64Array(1);
        cell[0] = -1;
        let heapTimer = -1;
        const timeout = () => {
          log.push(`timeout@${engine.now}`);
          cell[0] = -1;
        };
        const answer = () => {
          log.push(`answer@${engine.now}`);
          // The answer gives its timer up (a store, or a cancel), or finds it already fired.
          if (lanes) cell[0] = -1;
          else engine.cancel(heapTimer);
        };
        const arm = () => {
          if (lanes) engine.scheduleFixed(lane, timeout, undefined, cell, 0);
          else heapTimer = engine.schedule(2, timeout, undefined);
        };
        engine.at(
          1,
          () => {
            if (answerFirst) engine.at(3, answer, undefined);
            arm();
            if (!answerFirst) engine.at(3, answer, undefined);
          },
          undefined,
        );
        engine.run(Infinity);
        log.push(`fired ${engine.fired}`);
        return log;
      };
      const want = answerFirst ? ['answer@3', 'fired 2'] : ['timeout@3', 'answer@3', 'fired 3'];
      expect(run(false)).toEqual(want);
      expect(run(true)).toEqual(want);
    });
  }

  it('keeps ties between the heap and a lane in order across the renumbering of sequence numbers', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const lane = engine.fixedDelay(1);
    (engine as unknown as { nextSeq: number }).nextSeq = 2 ** 27 - 3;
    for (const label of ['a', 'b', 'c']) {
      engine.at(1, r.fn, `${label}-heap`);
      engine.scheduleFixed(lane, r.fn, `${label}-lane`, own(), 0);
    }
    engine.run(Infinity);
    expect(r.labels()).toEqual(['a-heap', 'a-lane', 'b-heap', 'b-lane', 'c-heap', 'c-lane']);
    expect((engine as unknown as { nextSeq: number }).nextSeq).toBeLessThan(20);
  });

  it('renumbering writes each armed event its new number into its cell, so a later store still gives it up', () => {
    const engine = new Engine();
    const r = recorder(engine);
    const lane = engine.fixedDelay(1);
    const cells = new Float64Array(4);
    (engine as unknown as { nextSeq: number }).nextSeq = 2 ** 27 - 3;
    for (let k = 0; k < 3; k++) engine.scheduleFixed(lane, r.fn, `lane${k}`, cells, k);
    cells[1] = -1; // given up before the renumbering: dropped by it
    const before = cells[2];
    engine.scheduleFixed(lane, r.fn, 'lane3', cells, 3); // renumbers
    expect(cells[2]).not.toBe(before);
    expect(cells[2]).toBeLessThan(cells[3]);
    cells[0] = -1; // given up after it
    engine.run(Infinity);
    expect(r.labels()).toEqual(['lane2', 'lane3']);
  });

  it('rejects a negative or NaN delay', () => {
    const engine = new Engine();
    for (const bad of [-1, Number.NaN]) expect(() => engine.fixedDelay(bad)).toThrow(/delay/);
  });
});
