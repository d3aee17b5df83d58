/**
 * V8's optimizing compiler (TurboFan) set up for a short one-shot run (issue 14: `drainsim run` of
 * a small scenario). Such a run ends before TurboFan's code pays back its compile: a cold run of the
 * smallest built-in (70,767 events) spends ~0.2 s of CPU in TurboFan jobs on V8's helper threads
 * against ~0.3 s on the main thread, and CPU time counts every thread. Two of V8's heuristics
 * decide how much is compiled (V8 11.3, src/flags/flag-definitions.h):
 * - `--max-inlined-bytecode-size-cumulative` (default 920 bytes of bytecode inlined into one
 *   optimized function, JSInliningHeuristic): lower, each optimized function is smaller and
 *   quicker to compile;
 * - `--interrupt-budget` (default 66 KB of bytecode executed between tier-up checks,
 *   TieringManager): doubled, fewer functions become hot enough to be optimized in a short run.
 * Both only change which machine code runs, never what it computes: outputs are byte-identical.
 * Measured (README Benchmarks, session 10): the smallest built-in −15 % CPU; a 1.2 M-event run
 * (hard-cut) the same; a 6.7 M-event run (hc-cascade) +13 %, so long runs keep V8's defaults.
 */
import v8 from 'node:v8';

/** At most this many estimated engine events (work-budget.ts estimateWork) is a short run. */
export const SHORT_RUN_MAX_ESTIMATED_EVENTS = 1_000_000;

/** The V8 flags for a short run. */
export const SHORT_RUN_FLAGS: readonly string[] = [
  '--max-inlined-bytecode-size-cumulative=230',
  '--interrupt-budget=135168',
];

/** The flags a run of this estimated size gets: SHORT_RUN_FLAGS for a short run, none otherwise. */
export function jitFlagsFor(estimatedEvents: number): readonly string[] {
  return estimatedEvents <= SHORT_RUN_MAX_ESTIMATED_EVENTS ? SHORT_RUN_FLAGS : [];
}

/**
 * Sets the short-run flags for the rest of this process when the run is short. Called after the
 * CLI bundle is compiled: V8 checks a code cache against the flags of the moment, and
 * scripts/build-bundle.mjs makes the cache with DRAINSIM_JIT_TUNING=0 so that it holds V8's
 * defaults (`DRAINSIM_JIT_TUNING=0` also turns this off for a user).
 */
export function tuneJitForRun(estimatedEvents: number): void {
  if (process.env.DRAINSIM_JIT_TUNING === '0') return;
  for (const flag of jitFlagsFor(estimatedEvents)) v8.setFlagsFromString(flag);
}
