import { join } from 'node:path';
import { computeFigures } from './figures.js';
import type { Histogram } from './metrics/histogram.js';
import { SpillFile } from './metrics/spill-file.js';
import { buildModel, startModel } from './model/topology.js';
import type { RunResult } from './result.js';
import { packageVersion } from './scenario/package-root.js';
import type { Scenario } from './scenario/schema.js';
import { type RunBudget, runEngineWithin } from './scenario/work-budget.js';
import { logLines } from './trace/log-lines.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Scenario file shown in outputs (relative path or built-in name). */
  file?: string;
  /** Called with simulated progress 0..1 (for progress bars). */
  onProgress?: (fraction: number) => void;
  /** Stops a run that passes its events or memory limit (scenario/work-budget.ts); none by default. */
  budget?: RunBudget;
  /**
   * A scratch folder (the command line's, beside its output folder) for the timeline's rows past
   * `rowsInMemory` (default TIMELINE_ROWS_IN_MEMORY): the run keeps one block of rows in memory,
   * and the result's timeline reads the rest back from `<dir>/timeline.spill` when asked. `dir` is
   * called when the first block is spilled (a shorter run makes no folder). The folder must
   * outlive every reader of the result; the caller removes it. None: all in memory.
   * `unlinked`: the file's name is removed once it is open and this is called, so the caller can
   * remove its folder at once (a killed run leaves none); the result reads the nameless file
   * (metrics/spill-file.ts). Not called where an open file cannot be unlinked.
   */
  timelineSpill?: { dir: () => string; rowsInMemory?: number; unlinked?: () => void };
}

/**
 * The timeline rows a run keeps in memory when it may spill (one row per sample and entity): 32,768
 * rows, about 1 MB with the built-ins' ~57 series (most zero, the rest 1-2 bytes a value), or 2.3 h
 * of 1 s samples of 3 backends. A run shorter than that never touches the spill file.
 */
export const TIMELINE_ROWS_IN_MEMORY = 1 << 15;

// The model's construction lives in the composition root; re-exported for existing callers.
export { buildModel, type Model, startModel } from './model/topology.js';

/** Run a resolved scenario to its horizon and collect the result. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const seed = options.seed ?? scenario.seed;
  // Object.assign, not a spread: V8's object-clone IC gives a spread's result one map on its first
  // call and another once the IC is warm, so the scenario of a sweep worker's second run had another
  // map than its first and every optimised function reading `w.scenario.…` deoptimised ("wrong map").
  // Properties added one by one follow the same transitions every run: one map.
  const resolved: Scenario = Object.assign({}, scenario, { seed });
  const model = buildModel(resolved);
  const { world } = model;
  const engine = world.engine;
  const horizon = resolved.horizon;
  let spill: SpillFile | undefined;
  if (options.timelineSpill !== undefined) {
    const { dir, rowsInMemory = TIMELINE_ROWS_IN_MEMORY, unlinked } = options.timelineSpill;
    spill = new SpillFile(() => join(dir(), 'timeline.spill'), unlinked);
    world.metrics.spillTo(spill, rowsInMemory);
  }
  try {
    startModel(model);
    const chunks = 100;
    for (let i = 1; i <= chunks; i++) {
      // The last chunk ends at the horizon itself: −warmup + (horizon + warmup) rounds below it for
      // some warmups (1.278 s, horizon 12 s: 11.999999999999998), and the sample at the horizon
      // with the events of its last instant were then never run.
      const until = i === chunks ? horizon : -resolved.warmup + ((horizon + resolved.warmup) * i) / chunks;
      if (options.budget) runEngineWithin(engine, until, options.budget);
      else engine.run(until);
      options.onProgress?.(i / chunks);
    }
  } catch (err) {
    // A run stopped part-way (a work budget, a model error) never reaches metrics.result(), which
    // closes the spill file: close it here, so the caller can remove its scratch folder (an open
    // file cannot be removed on Windows).
    spill?.close();
    throw err;
  }
  const { timeline, histograms } = world.metrics.result();
  const events = logLines(world.trace.finish());
  return {
    scenario: { name: resolved.name ?? 'scenario', file: options.file ?? '', description: resolved.description },
    seed,
    version: packageVersion(),
    start: resolved.start,
    horizon,
    resolved,
    figures: computeFigures(timeline, model.orchestrator.drains, histograms, world.metrics.peaks()),
    histograms: summaries(histograms),
    timeline,
    events,
    expectations: [],
    engineEvents: engine.fired,
  };
}

function summaries(histograms: Map<string, Histogram>): RunResult['histograms'] {
  const out: RunResult['histograms'] = {};
  for (const name of [...histograms.keys()].sort()) out[name] = histograms.get(name)!.summary();
  return out;
}
