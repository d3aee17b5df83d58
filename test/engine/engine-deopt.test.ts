/**
 * Engine.run is called once per progress chunk (run-scenario.ts: 100 chunks). When its event loop
 * was compiled on-stack (OSR) during a long first chunk, the clock store after the loop had no
 * type feedback yet, and every later return from that code deoptimised `run` — once per chunk
 * (`node --trace-deopt`: "Insufficient type feedback for generic named access", 100 times in this
 * probe before the loop moved to Engine.fireUntil). Uses dist/ (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** A self-rescheduling stream, with and without a fixed-delay lane, run in 100 chunks. */
const CHUNKED_RUN_PROBE = `
import { Engine } from './dist/sim/engine/engine.js';
for (const lanes of [false, true]) {
  const engine = new Engine(1024);
  const lane = lanes ? engine.fixedDelay(0.5) : -1;
  const tick = (k) => {
    engine.schedule(0.001 * (((k * 7919) % 13) + 1), tick, k);
    if (lanes) engine.scheduleFixed(lane, () => {}, k, new Float64Array(1), 0);
  };
  for (let k = 0; k < 64; k++) engine.at(0, tick, k);
  for (let i = 1; i <= 100; i++) engine.run(i * 5);
  console.log(engine.fired);
}
`;

describe('Engine.run in chunks', () => {
  it('deoptimises its loop a bounded number of times, not once per chunk', () => {
    const run = spawnSync(process.execPath, ['--trace-deopt', '--input-type=module', '-e', CHUNKED_RUN_PROBE], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const output = run.stdout + run.stderr;
    // Both runs fired events (the probe really ran long enough to be optimised).
    const fired = output.match(/^\d+$/gm)?.map(Number) ?? [];
    expect(fired).toHaveLength(2);
    for (const n of fired) expect(n).toBeGreaterThan(100_000);
    const bailouts = [...output.matchAll(/\[bailout .*?<JSFunction (run|fireUntil) /g)];
    // A few one-off deopts (a site first reached late) are fine; 100 (one per chunk) is the bug.
    expect(bailouts.length).toBeLessThan(10);
  });
});
