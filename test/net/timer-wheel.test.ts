// One host's timer wheel runs the timers of a tick in Linux's order (net/timer-wheel.ts,
// kernel/time/timer.c enqueue_timer / collect_expired_timers / expire_timers, run_timer_softirq).
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';
import { JiffiesClock } from '../../sim/net/jiffies.js';
import { TimerWheel, wheelOf } from '../../sim/net/timer-wheel.js';

const HZ = 250;

function wheel(): { engine: Engine; wheel: TimerWheel; ran: string[] } {
  const engine = new Engine();
  return { engine, wheel: new TimerWheel(engine, new JiffiesClock(HZ, 0)), ran: [] };
}

describe('TimerWheel', () => {
  it('runs the timers of one bucket last-armed first (hlist_add_head, taken from the head)', () => {
    const { engine, wheel: w, ran } = wheel();
    // Three 1-s timers (250 jiffies, level 1: 8-jiffy buckets) armed 4 ms apart share a bucket.
    for (const [i, at] of [0, 0.004, 0.008].entries()) {
      engine.at(at, () => w.arm(engine.now, 1, (name: string) => ran.push(name), `t${i}`), null);
    }
    engine.run(2);
    // The engine alone would run them t0, t1, t2 (the order they were armed).
    expect(ran).toEqual(['t2', 't1', 't0']);
  });

  it('runs the coarser level first, and pinned (BASE_LOCAL) timers before all others', () => {
    const { engine, wheel: w, ran } = wheel();
    const log = (name: string) => ran.push(`${name}@${engine.now * HZ}`);
    // A 2.048-s timer armed at jiffy 0 (512 jiffies, level 2: 64-jiffy buckets) expires in the
    // bucket of jiffy 576; so do 1-s timers (250 jiffies, level 1) armed later, at jiffy 320.
    w.arm(0, 2.048, log, 'level2');
    engine.at(1.28, () => w.arm(engine.now, 1, log, 'level1'), null);
    engine.at(1.28, () => w.arm(engine.now, 1, log, 'pinned', true), null);
    engine.run(3);
    expect(ran).toEqual(['pinned@576', 'level2@576', 'level1@576']);
  });

  it('a cancelled timer does not run; the others of its tick still do, once each', () => {
    const { engine, wheel: w, ran } = wheel();
    const log = (name: string) => ran.push(name);
    const a = w.arm(0, 1, log, 'a');
    w.arm(0, 1, log, 'b');
    w.arm(0, 1, log, 'c');
    expect(engine.cancel(a)).toBe(true);
    engine.run(3);
    expect(ran).toEqual(['c', 'b']);
  });

  it('one wheel per jiffies clock; a stand-in clock has none', () => {
    const engine = new Engine();
    const clock = new JiffiesClock(HZ, 0);
    expect(wheelOf(engine, clock)).toBe(wheelOf(engine, clock));
    expect(wheelOf(engine, { hz: HZ, timerFiresAt: (now: number, s: number) => now + s })).toBeNull();
  });
});
