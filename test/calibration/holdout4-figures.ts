/**
 * Held-out round 4 (session 15): what each twin (calibration/scenarios/haproxy-holdout4-*.yaml)
 * predicts, as the figures the comparison reads — one function for the predictions committed
 * before recording (calibration/data/haproxy-holdout4-predictions.json) and for the comparison
 * afterwards (haproxy-holdout4.test.ts).
 */

import { LoadBalancer } from '../../sim/model/lb/pool.js';
import type { RunResult } from '../../sim/result.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { type LbConfig, ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';
import { overSeeds, totalIn } from './heldout-table.js';

export const RUNS = {
  sourceMap: 'source-map-4srv-http',
  sourceConsistent: 'source-consistent-4srv-http',
  sourceConsistentRaw: 'source-consistent-sdbm-4srv-http',
  cookie: 'cookie-drain-maint-kill-redispatch-http',
  gcPause: 'gcpause-tcheck-http',
  slowstart: 'slowstart-lc-http',
  gcPauseInter: 'gcpause-inter-http',
  tunnelServerFin: 'tunnel-serverfin-tcp',
} as const;

export const scenarioFile = (run: string): string => `calibration/scenarios/haproxy-holdout4-${run}.yaml`;

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/** Responses each server gave in (from, to], mean over the runs. */
export function goodputIn(runs: RunResult[], server: string, from: number, to: number): number {
  return overSeeds(runs, (r) => totalIn(r, 'goodput', from, to, server));
}

/** Each hc.down / hc.up of a server: [kind, t], in order (first seed: the checks are deterministic). */
export function transitions(r: RunResult, server: string): Array<['down' | 'up', number]> {
  const downs = recordsOf(r, 'hc.down')
    .filter((x) => x.backend === server)
    .map((x): ['down', number] => ['down', x.t]);
  const ups = recordsOf(r, 'hc.up')
    .filter((x) => x.backend === server)
    .map((x): ['up', number] => ['up', x.t]);
  return [...downs, ...ups].sort((a, b) => a[1] - b[1]);
}

/**
 * Which server each of `users` client addresses reaches through the twin's balancer (its lb
 * config, balance source) with the servers in `down` out of service: the model's own pick
 * (LoadBalancer.pick → sourceHash), as HAProxy's get_server_sh() would for client u at
 * clientAddress(u).
 */
export function sourceServers(run: string, users: number, down: number[]): number[] {
  const lb = loadScenario(scenarioFile(run), ScenarioSchema).scenario.lb as LbConfig;
  const pool = new LoadBalancer(lb, 4);
  for (const b of down) pool.hcUp[b] = 0;
  const noRandom = { next: (): number => 0 } as unknown as Parameters<LoadBalancer['pick']>[0];
  return Array.from({ length: users }, (_, u) => pool.pick(noRandom, u));
}

/**
 * The servers (indices) the twin run `r` had out of service at time `t`: those whose last hc
 * transition at or before t was a DOWN — so the picks read from sourceServers() follow the
 * twin's own checks, not the recording's.
 */
export function twinDownAt(r: RunResult, t: number): number[] {
  return ['s1', 's2', 's3', 's4'].flatMap((server, b) => {
    const last = transitions(r, server).filter(([, at]) => at <= t);
    return last.length > 0 && last[last.length - 1]![0] === 'down' ? [b] : [];
  });
}

/** The server (index) a source run kills: s1 in the run without avalanche, where every client sits, else s2. */
export const killedServer = (run: string): number => (run === RUNS.sourceConsistentRaw ? 0 : 1);

/** The figures a twin predicts (means over its runs), by run. */
export function predictedFigures(run: string, runs: RunResult[]): Record<string, number | number[]> {
  const errors = overSeeds(runs, (r) => fig(r, 'errors.total'));
  const servers = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i + 1}`);
  const windows = (bounds: number[], n: number): Record<string, number> =>
    Object.fromEntries(
      bounds
        .slice(1)
        .flatMap((to, i) =>
          servers(n).map((s) => [`goodput_${s}_${bounds[i]}_${to}`, goodputIn(runs, s, bounds[i], to)]),
        ),
    );
  const flat = (server: string): number[] => transitions(runs[0], server).map(([, t]) => t);
  if (run.startsWith('source-')) {
    const killed = killedServer(run);
    const before = sourceServers(run, 32, []);
    const during = sourceServers(run, 32, [killed]);
    return {
      errors,
      killed_transitions: flat(`s${killed + 1}`),
      users_per_server_before: servers(4).map((_, b) => before.filter((x) => x === b).length),
      users_per_server_killed_down: servers(4).map((_, b) => during.filter((x) => x === b).length),
      users_moved_killed_down: before.filter((x, u) => x !== during[u]).length,
      ...windows([1, 5, 12, 17, 24], 4),
    };
  }
  if (run === RUNS.cookie) return { errors, s3_transitions: flat('s3'), ...windows([1, 4, 8, 12, 18, 22], 4) };
  if (run === RUNS.tunnelServerFin)
    return {
      tunnels_ended: overSeeds(runs, (r) => fig(r, 'ws_close_1006.total') + fig(r, 'ws_close_1001.total')),
      tunnel_idle_timeouts: overSeeds(runs, (r) => recordsOf(r, 'lb.tunnel_idle_timeout').length),
    };
  if (run === RUNS.gcPause || run === RUNS.gcPauseInter)
    return {
      errors,
      s1_transitions: flat('s1'),
      check_failures: overSeeds(runs, (r) => fig(r, 'check_failures.total')),
      ...windows([1, 24], 2),
    };
  return {
    errors,
    s1_transitions: flat('s1'),
    ...windows([0, 3, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 30], 3),
  };
}
