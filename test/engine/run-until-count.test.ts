/**
 * Engine.runUntilCount: `run` in steps that stop when `fired` reaches a checkpoint
 * (scenario/work-budget.ts checks its limits there). Stepped to the end, it fires the same events
 * in the same order as one `run`, heap and fixed-delay lanes alike, and leaves the clock where
 * `run` does.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.js';

/** Events at 0.5, 1, 1.5 … from a self-rescheduling stream, plus a lane of fixed 0.7-s delays. */
function scripted(withLane: boolean): { engine: Engine; order: string[] } {
  const engine = new Engine(64);
  const order: string[] = [];
  const tick = (n: number): void => {
    order.push(`tick ${n} @${engine.now}`);
    engine.schedule(0.5, tick, n + 1);
  };
  engine.at(0.5, tick, 0);
  if (withLane) {
    const lane = engine.fixedDelay(0.7);
    const echo = (n: number): void => {
      order.push(`echo ${n} @${engine.now}`);
      if (n < 20) engine.scheduleFixed(lane, echo, n + 1, new Float64Array(1), 0);
    };
    engine.scheduleFixed(lane, echo, 0, new Float64Array(1), 0);
  }
  return { engine, order };
}

describe('Engine.runUntilCount', () => {
  for (const withLane of [false, true]) {
    it(`stops at the checkpoint, then goes on to the same events as run()${withLane ? ' (with a lane)' : ''}`, () => {
      const whole = scripted(withLane);
      whole.engine.run(10.2);
      const stepped = scripted(withLane);
      expect(stepped.engine.runUntilCount(10.2, 3)).toBe(false);
      expect(stepped.engine.fired).toBe(3);
      expect(stepped.engine.now).toBeLessThan(10.2);
      let stops = 1;
      while (!stepped.engine.runUntilCount(10.2, stepped.engine.fired + 4)) stops++;
      expect(stops).toBeGreaterThan(3);
      expect(stepped.order).toEqual(whole.order);
      expect(stepped.engine.fired).toBe(whole.engine.fired);
      expect(stepped.engine.now).toBe(10.2);
    });
  }

  it('a checkpoint falling on the last due event still reports the run complete', () => {
    const { engine } = scripted(false);
    // Events at 0.5 and 1.0 are due by 1.2: the checkpoint at 2 fired events is also the end.
    expect(engine.runUntilCount(1.2, 2)).toBe(true);
    expect(engine.fired).toBe(2);
    expect(engine.now).toBe(1.2);
  });
});
