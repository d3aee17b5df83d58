/**
 * What a valid scenario may still get wrong without knowing it: settings that never take effect
 * in the simulated window. A warning never changes whether the scenario loads or how it runs;
 * `run`, `validate` and `check` print them on stderr (formatWarning).
 */
import type { LoadedScenario } from './load.js';
import type { PathSegment } from './path.js';
import { formatPath } from './path.js';
import type { Scenario } from './schema.js';
import { formatDuration } from './units.js';

export interface ScenarioWarning {
  file: string;
  line?: number;
  /** The setting the warning is about, e.g. `app.ws.session_ttl`. */
  path: string;
  message: string;
}

/**
 * Warnings about the WebSocket population at t = 0. Sessions present then are at most `warmup`
 * old when they were opened cold (`clients.ws.start: cold`, or no initial sessions: only the
 * arrivals during the warmup): a session TTL longer than the warmup closes none of them until
 * t = TTL − warmup, and a drain early in the run meets a population younger than a real one
 * (the inspection paradox: a steady population's sessions are E[L²]/(2E[L]) old on average). A
 * steady start (the default) draws the ages and takes the TTL into account (each connection is
 * age mod TTL old), so it needs neither.
 */
export function scenarioWarnings(loaded: LoadedScenario<Scenario>): ScenarioWarning[] {
  const s = loaded.scenario;
  const ws = s.clients.ws;
  if (ws.initial_sessions === 0 && ws.arrival_rate === 0) return [];
  const cold = ws.start === 'cold' || ws.initial_sessions === 0;
  if (!cold) return [];
  const warnings: ScenarioWarning[] = [];
  const warn = (path: PathSegment[], message: string) => {
    const { file, line } = loaded.locate(path);
    warnings.push({ file, line, path: formatPath(path), message });
  };
  const how =
    ws.start === 'cold' ? 'clients.ws.start is cold' : 'there are no initial sessions, only arrivals during the warmup';
  const ttls: [PathSegment[], number][] = [[['app', 'ws', 'session_ttl'], s.app.ws.session_ttl]];
  s.backends.forEach((b, i) => {
    const ttl = b.app?.ws?.session_ttl;
    // A backend's resolved app holds the scenario-wide TTL unless it overrides it.
    if (typeof ttl === 'number' && ttl !== s.app.ws.session_ttl)
      ttls.push([['backends', i, 'app', 'ws', 'session_ttl'], ttl]);
  });
  for (const [path, ttl] of ttls) {
    if (ttl > 0 && Number.isFinite(ttl) && s.warmup < ttl) {
      warn(
        path,
        `session TTL ${formatDuration(ttl)} is longer than the warmup (${formatDuration(s.warmup)}) and ${how}: no session is old enough for the TTL before t = ${formatDuration(ttl - s.warmup)}; use clients.ws.start: steady with initial_sessions, or warmup ≥ ${formatDuration(ttl)}`,
      );
    }
  }
  const p99 = ws.lifetime.quantile(0.99);
  if (s.warmup < p99) {
    warn(
      ['warmup'],
      `the warmup (${formatDuration(s.warmup)}) is shorter than the session lifetime's p99 (${formatDuration(Math.round(p99))}) and ${how}: the sessions open at t = 0 are younger than a steady population's, so an early drain meets too few long sessions; use clients.ws.start: steady with initial_sessions, or warmup ≥ p99`,
    );
  }
  return warnings;
}

/** `warning: <file>:<line>: <path>: <message>` (no `:<line>` when the value was not written in a file). */
export function formatWarning(w: ScenarioWarning): string {
  return `warning: ${w.file}${w.line === undefined ? '' : `:${w.line}`}: ${w.path}: ${w.message}`;
}
