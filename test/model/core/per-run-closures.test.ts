/**
 * A sweep worker builds a new model for every run. A function made per model (an arrow-function
 * field, a `() => engine.now` closure) is a new closure each run, and V8 keeps its optimised code
 * only while a closure of that run lives: such functions are compiled again run after run (README
 * Benchmarks, session 14). The hot callbacks are prototype methods, bound once per model, and the
 * event log reads the engine's clock instead of calling a closure. This pins that down: an own
 * function-valued property of these objects must be a bound prototype method.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../sim/run-scenario.js';
import { ScenarioSchema } from '../../../sim/scenario/schema.js';

/** Own properties holding a function that is not a bound one (an arrow field, a closure). */
function closuresOf(obj: object): string[] {
  return Object.entries(obj)
    .filter(([, v]) => typeof v === 'function' && !(v as () => void).name.startsWith('bound '))
    .map(([k]) => k);
}

describe('per-run closures of the model', () => {
  const build = () => buildModel(ScenarioSchema.parse({ warmup: '0s', backends: [{ name: 'vm-a' }] }));

  it('the HTTP clients call back through bound prototype methods', () => {
    const model = build();
    expect(closuresOf(model.http)).toEqual([]);
    // The callbacks are the prototype's code: two models' bound callbacks wrap the same methods.
    const proto = Object.getPrototypeOf(model.http) as Record<string, unknown>;
    for (const name of ['send', 'timedOut', 'idleClose', 'clientClose', 'endFlow'])
      expect(typeof proto[name], name).toBe('function');
  });

  it('the event log reads the engine, not a closure over it', () => {
    const model = build();
    expect(closuresOf(model.world.trace)).toEqual([]);
    model.world.engine.now = 12.5;
    model.world.trace.emit({ kind: 'lb.hard_stop_trigger', backend: 'vm-a' } as never);
    expect(model.world.trace.finish()[0].t).toBe(12.5);
  });
});
