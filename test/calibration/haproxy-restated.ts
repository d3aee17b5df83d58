/**
 * The older HAProxy runs whose compared figures hang on the check tasks' phase, re-recorded in
 * session 18 (calibration/haproxy/experiments.mjs CHECK_PHASE_RUNS; calibration/haproxy/NOTES.md
 * item 37): 3 runs each, `calibration/data/<name>-rt-run<n>.json`, with lab.mjs's stamp of HAProxy's
 * spawn on t0's clock and `option log-health-checks`. The first recordings (kept) did not state
 * HAProxy's start, so their twins took s1's check phase off a DOWN line (`health_check.first_check`);
 * a re-recording states it, and its twin runs at that start (`lb.uptime`, as round 6's:
 * test/calibration/haproxy-holdout6.test.ts) with HAProxy's own spread of the first checks
 * (start_checks(), src/check.c) instead of the read-off phase. Tests read the re-recordings where
 * they exist, the first recording otherwise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { type Scenario, ScenarioSchema } from '../../sim/scenario/schema.js';

/** What every HAProxy data file has that stating its start needs. */
export interface StampedRecording {
  stamp: { haproxySpawnedT?: number | null; load: string; haproxyCfg?: string };
  events: { haproxyMessages: Array<{ t: number; line: string }> };
}

/** One recording of a run and the start its twin is run at (undefined: the twin's own first_check). */
export interface Restated<T> {
  /** The experiment (its twin: calibration/scenarios/<name>.yaml). */
  name: string;
  /** The data file's name, without `.json`. */
  file: string;
  /** `run1`, `run2`, … for a re-recording; `first` for the first recording. */
  label: string;
  data: T;
  uptime: number | undefined;
}

const DATA = 'calibration/data';
const runNumber = (file: string): number => Number(/-run(\d+)\.json$/.exec(file)![1]);

/** The re-recordings of experiment `name` (`<name>-rt-run<n>.json`), in run order. */
export function reRecordings(name: string): string[] {
  const re = new RegExp(`^${name}-rt-run\\d+\\.json$`);
  return readdirSync(DATA)
    .filter((f) => re.test(f))
    .sort((a, b) => runNumber(a) - runNumber(b));
}

const checkMs = (line: string): number => Number(/check duration: (\d+)ms/.exec(line)?.[1]);

/**
 * HAProxy's start before t0 (s), as `lb.uptime` takes it: s1's first check runs at start + 0
 * (start_checks(), src/check.c: the k-th of n servers at inter × k / n), logged by `option
 * log-health-checks` when it ends (its status changes from the initial one), so start = that
 * line's time − its check duration. Without such a line, the stamp's spawn (0.03–0.05 s earlier in
 * round 6's recordings: HAProxy parsing its config). NaN when the file states neither.
 */
export function statedUptime(d: StampedRecording): number {
  const s1 = firstCheckAt(d, 's1');
  if (s1 < 0) return Math.round(-s1 * 1000) / 1000;
  return -(d.stamp.haproxySpawnedT ?? Number.NaN);
}

/**
 * The recordings a test compares for experiment `name`: its re-recordings, each with its stated
 * start, when there are any; else the first recording (`firstFile`, default `<name>`), whose twin
 * keeps the read-off first_check.
 */
export function restated<T extends StampedRecording>(name: string, firstFile = name): Array<Restated<T>> {
  const read = (file: string): T => JSON.parse(readFileSync(`${DATA}/${file}.json`, 'utf8')) as T;
  // DRAINSIM_FIRST_RECORDINGS=1: the first recordings only, as compared before session 18.
  const again = process.env.DRAINSIM_FIRST_RECORDINGS ? [] : reRecordings(name);
  if (again.length === 0) return [{ name, file: firstFile, label: 'first', data: read(firstFile), uptime: undefined }];
  return again.map((f) => {
    const file = f.replace(/\.json$/, '');
    const data = read(file);
    return { name, file, label: `run${runNumber(f)}`, data, uptime: statedUptime(data) };
  });
}

/** A recording's twin over seeds 1…n, at its stated start (twinAt()). */
export const twinOf = <T>(rec: Restated<T>, seeds: number, edit?: (s: Scenario) => Scenario): RunResult[] =>
  twinAt(rec.name, rec.uptime, seeds, edit);

/**
 * A twin (calibration/scenarios/<name>.yaml) at a recording's stated start: `lb.uptime` set and the
 * first recording's read-off `first_check` dropped (HAProxy's spread from that start); `edit` for
 * other initial conditions read off the same recording (a restarted node's listen time). Unchanged
 * for uptime undefined.
 */
export function twinAt(
  name: string,
  uptime: number | undefined,
  seeds: number,
  edit: (s: Scenario) => Scenario = (s) => s,
): RunResult[] {
  const file = `calibration/scenarios/${name}.yaml`;
  const parsed = namedScenario(loadScenario(file, ScenarioSchema));
  let scenario = parsed;
  if (uptime !== undefined) {
    const check = parsed.health_check && { ...parsed.health_check, first_check: undefined };
    scenario = edit({ ...parsed, lb: { ...parsed.lb, uptime }, health_check: check });
  }
  return Array.from({ length: seeds }, (_, i) => runScenario(scenario, { seed: i + 1, file }));
}

/**
 * The duration (ms) of the check that marked `server` DOWN with the message `down`: on the DOWN line
 * itself in the first recordings ("Server be/s1 is DOWN, reason: Layer7 timeout, check duration:
 * 1001ms. …"); with `option log-health-checks` (the re-recordings) the DOWN line carries no reason
 * and the failed check has its own line, logged just before it ("Health check for server be/s1
 * failed, reason: …, check duration: 1001ms, status: 0/2 DOWN.").
 */
export function downCheckMs(d: StampedRecording, server: string, down: { t: number; line: string }): number {
  const own = /check duration: (\d+)ms/.exec(down.line);
  if (own) return Number(own[1]);
  const failed = d.events.haproxyMessages.filter(
    (m) => m.t <= down.t && m.line.startsWith(`Health check for server be/${server} failed`),
  );
  return checkMs(failed.at(-1)?.line ?? '');
}

const ms = (v: string): number => (v.endsWith('ms') ? Number(v.slice(0, -2)) : Number(v.replace(/s$/, '')) * 1000);

/**
 * How far apart HAProxy starts its servers' first checks, from a haproxy.cfg with one
 * `default-server check …` line for all of them (every calibration run): start_check_task()
 * (src/check.c) queues the k-th of n at start + max(mininter, srv_getinter()) × k / n, where
 * mininter is the smallest srv_getinter() ≥ SRV_CHK_INTER_THRES (1 s) and srv_getinter()
 * (src/server.c) at start — health = rise ("start OK but check immediately"), below the full
 * rise + fall − 1 unless fall is 1 — is `fastinter` (or `inter` when unset). Returns that step (ms).
 */
export function firstCheckStepMs(cfg: string): number {
  const line = /default-server check (.*)/.exec(cfg)?.[1] ?? '';
  const opt: Record<string, string> = { inter: '2s', fall: '3', rise: '2' };
  const words = line.trim().split(/\s+/);
  for (let i = 0; i + 1 < words.length; i += 2) opt[words[i]] = words[i + 1];
  const inter = ms(opt.inter);
  return Number(opt.fall) === 1 ? inter : ms(opt.fastinter ?? opt.inter);
}

/** When a server's first check started (s from t0): its first logged check line less its duration. */
export function firstCheckAt(d: StampedRecording, server: string): number {
  const first = d.events.haproxyMessages.find(
    (m) => !m.line.startsWith('[') && m.line.startsWith(`Health check for server be/${server} `),
  );
  return first ? first.t - checkMs(first.line) / 1000 : Number.NaN;
}
