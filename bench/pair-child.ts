/**
 * The drainsim side of a side-by-side pair, run as its own process (so its peak RSS is its own)
 * and timed the way the references time themselves: only the simulation, not start-up.
 *
 *   node dist/bench/pair-child.js hold <pending> <steps> callback|handler
 *   node dist/bench/pair-child.js scenario <file.yaml>
 *
 * Prints one JSON line: sim_wall_s, events and fingerprints of the work done.
 */

import { limitHeapGrowth } from '../sim/util/heap-growth.js';

// As bin/drainsim.js does: the simulation is measured with the heap growth drainsim runs with, set
// before the simulator's modules are loaded. Static imports would not do: an ES module's static
// imports are all fetched, parsed and compiled before the first of them runs, and that loading had
// already grown V8's young generation to 2 x 16 MB, which `--semi-space-growth-factor=1` then keeps
// (it stops growth, it does not shrink): the bench measured a nursery drainsim itself never has.
limitHeapGrowth();
const { Engine } = await import('../sim/engine/engine.js');
const { runScenario } = await import('../sim/run-scenario.js');
const { loadScenarioForCli, namedScenario } = await import('../sim/scenario/load-for-run.js');
const { BenchRng } = await import('./prng.js');

/** Like peerbench's hold.mjs: increments from a table of 65536 Exp(1) draws (so the RNG and
 *  Math.log are not measured), prefill outside the timed region, one pop and one push per event. */
function hold(pending: number, steps: number, api: string): Record<string, number> {
  const TABLE = 1 << 16;
  const increments = new Float64Array(TABLE);
  const rng = new BenchRng(12345);
  for (let i = 0; i < TABLE; i++) increments[i] = rng.exp(1);
  const engine = new Engine(pending);
  let k = 0;
  if (api === 'handler') {
    const h = engine.handler((id) => engine.callAfter(increments[k++ & (TABLE - 1)], h, id));
    for (let i = 0; i < pending; i++) engine.callAt(increments[k++ & (TABLE - 1)], h, i);
  } else {
    const again = (): void => void engine.schedule(increments[k++ & (TABLE - 1)], again, undefined);
    for (let i = 0; i < pending; i++) engine.at(increments[k++ & (TABLE - 1)], again, undefined);
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) engine.step();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  return { sim_wall_s: wall, events: engine.fired, events_per_s: engine.fired / wall, sim_time: engine.now };
}

function scenario(file: string): Record<string, number> {
  const loaded = namedScenario(loadScenarioForCli(file));
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = runScenario(loaded);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const f = result.figures;
  return {
    sim_wall_s: wall,
    sim_cpu_s: (cpu.user + cpu.system) / 1e6,
    events: result.engineEvents,
    requests: f['requests.total'] ?? 0,
    responses: f['responses_2xx.total'] ?? 0,
    new_conn: f['new_conn.total'] ?? 0,
  };
}

const [task, ...args] = process.argv.slice(2);
const out =
  task === 'hold'
    ? hold(Number(args[0]), Number(args[1]), args[2] ?? 'callback')
    : task === 'scenario'
      ? scenario(args[0]!)
      : undefined;
if (!out) {
  console.error(`pair-child: unknown task '${task}'`);
  process.exit(2);
}
console.log(JSON.stringify(out));
