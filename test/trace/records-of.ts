/** A run's trace records of one kind, in log order, for tests that assert what the model did. */
import type { RunResult } from '../../sim/result.js';
import type { TraceKind, TraceOf } from '../../sim/trace/records.js';

export function recordsOf<K extends TraceKind>(run: RunResult, kind: K): TraceOf<K>[] {
  return run.events.map((l) => l.record).filter((r): r is TraceOf<K> => r.kind === kind);
}
