import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';

/**
 * The heap's fired top stays in place while its callback runs, and the callback's first push
 * takes its place (engine.ts topFired). Whatever reads the heap inside the callback, or a callback
 * that throws, must see the queue as if the top had been popped before the call.
 */
describe('Engine: the fired top filled by its callback', () => {
  it('answers pending and peekTime inside a callback, and fires the rest in order', () => {
    const engine = new Engine(16);
    const seen: Array<[string, number, number, number]> = [];
    const log: string[] = [];
    const note = (name: string) => () => void log.push(`${name}@${engine.now}`);
    engine.at(
      1,
      () => {
        seen.push(['before push', engine.pending, engine.peekTime(), engine.now]);
        engine.schedule(0.5, note('child'), undefined);
        seen.push(['after push', engine.pending, engine.peekTime(), engine.now]);
      },
      undefined,
    );
    engine.at(2, note('b'), undefined);
    engine.at(3, note('c'), undefined);
    engine.run(Infinity);
    expect(seen).toEqual([
      ['before push', 2, 2, 1],
      ['after push', 3, 1.5, 1],
    ]);
    expect(log).toEqual(['child@1.5', 'b@2', 'c@3']);
  });

  it('compacts cancelled entries from inside a callback without losing or repeating an event', () => {
    const engine = new Engine(16);
    const log: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++) ids.push(engine.at(10 + i, () => void log.push(i), undefined));
    engine.at(
      1,
      () => {
        // More than COMPACT_MIN cancels and over half the heap: a compaction while the top is open.
        for (let i = 0; i < 3000; i += 3) engine.cancel(ids[i]);
        for (let i = 1; i < 3000; i += 3) engine.cancel(ids[i]);
        engine.schedule(0, () => void log.push(-1), undefined);
      },
      undefined,
    );
    engine.run(Infinity);
    const kept = Array.from({ length: 1000 }, (_, k) => 3 * k + 2);
    expect(log).toEqual([-1, ...kept]);
    expect(engine.fired).toBe(1 + 1 + kept.length);
    expect(engine.pending).toBe(0);
  });

  it('leaves a consistent queue when a callback throws', () => {
    const engine = new Engine(16);
    const log: string[] = [];
    engine.at(
      1,
      () => {
        throw new Error('boom');
      },
      undefined,
    );
    engine.at(2, () => void log.push('b'), undefined);
    expect(() => engine.run(Infinity)).toThrow('boom');
    expect(engine.pending).toBe(1);
    expect(engine.peekTime()).toBe(2);
    engine.run(Infinity);
    expect(log).toEqual(['b']);
  });

  it('leaves a consistent queue when a nested run throws and a lane callback catches it (review28 #1)', () => {
    const engine = new Engine(16);
    const log: string[] = [];
    const lane = engine.fixedDelay(1);
    // The lane event at 1 runs the heap event at 1.5 inside a nested run; it throws, the lane
    // callback catches it, and the outer loop goes on: the thrown event's hole must not be taken
    // for a cancelled entry, nor a later push overwrite a live event.
    engine.scheduleFixed(
      lane,
      () => {
        try {
          engine.run(1.5);
        } catch {
          log.push(`caught@${engine.now}`);
        }
      },
      undefined,
      new Float64Array(1),
      0,
    );
    engine.at(
      1.5,
      () => {
        throw new Error('boom');
      },
      undefined,
    );
    engine.at(
      2,
      () => {
        log.push(`t2@${engine.now}`);
        // Two new events: each needs a slot of its own (a slot freed twice would serve both).
        engine.schedule(0.1, () => void log.push(`a@${engine.now}`), undefined);
        engine.schedule(0.2, () => void log.push(`b@${engine.now}`), undefined);
      },
      undefined,
    );
    for (const t of [3, 4]) engine.at(t, () => void log.push(`t${t}@${engine.now}`), undefined);
    engine.run(Infinity);
    expect(log).toEqual(['caught@1.5', 't2@2', 'a@2.1', 'b@2.2', 't3@3', 't4@4']);
    expect(engine.pending).toBe(0);
    expect(engine.fired).toBe(7);
  });

  it('fires a lane a callback creates mid-run, in time order, in run and in chunks (review29 #5)', () => {
    const make = () => {
      const engine = new Engine(16);
      const log: string[] = [];
      engine.at(
        1,
        () => {
          const lane = engine.fixedDelay(1);
          engine.scheduleFixed(lane, () => void log.push(`lane@${engine.now}`), undefined, new Float64Array(1), 0);
        },
        undefined,
      );
      for (const t of [3, 4]) engine.at(t, () => void log.push(`h${t}@${engine.now}`), undefined);
      return { engine, log };
    };
    const whole = make();
    whole.engine.run(10);
    expect(whole.log).toEqual(['lane@2', 'h3@3', 'h4@4']);
    const chunked = make();
    while (!chunked.engine.runUntilCount(10, chunked.engine.fired + 1));
    expect(chunked.log).toEqual(['lane@2', 'h3@3', 'h4@4']);
  });

  it('takes handler events (callAt) into the fired top too', () => {
    const engine = new Engine(16);
    const log: number[] = [];
    const h = engine.handler((n) => {
      log.push(n);
      if (n < 5) engine.callAfter(1, h, n + 1);
    });
    engine.callAt(0, h, 0);
    engine.callAt(2.5, h, 100);
    engine.run(Infinity);
    expect(log).toEqual([0, 1, 2, 100, 3, 4, 5]);
  });
});
