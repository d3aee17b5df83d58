/**
 * `set server be/s1 state maint` of a running server with `on-marked-down shutdown-sessions`
 * (calibration/data/haproxy-maint-onmarkeddown-{tcp,http}-rt.json, recorded on HAProxy 2.6.12 in
 * session 27, maint27): srv_update_status() (src/server.c, entering maint, "server was still
 * running") calls srv_shutdown_streams(s, SF_ERR_DOWN) as a DOWN by checks does, so every stream
 * of s1 ends with a FIN at the command. The twins are calibration/scenarios/haproxy-maint-onmarkeddown-*.yaml.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { recordsOf } from '../trace/records-of.js';

interface Recorded {
  summary: {
    streams: { byServer: Record<'s1' | 's2', { opened: number; ended: Record<string, number>; endTimesS: number[] }> };
  };
  samples: Array<{ t: number; s1?: { scur: number; status: string } }>;
  events: { haproxyMessages: Array<{ t: number; line: string }> };
}

const MAINT_AT = 8;

function seeds(mode: string, n: number): RunResult[] {
  const file = `calibration/scenarios/haproxy-maint-onmarkeddown-${mode}.yaml`;
  const scenario = namedScenario(loadScenario(file, ScenarioSchema));
  return Array.from({ length: n }, (_, i) => runScenario(scenario, { seed: i + 1, file }));
}

/** Sum of a per-second series on `entity` over (from, to]. */
function between(r: RunResult, series: string, from: number, to: number, entity: string): number {
  const si = r.timeline.series.findIndex((s) => s.name === series);
  const ei = r.timeline.entities.indexOf(entity);
  let sum = 0;
  for (let i = 0; i < r.timeline.t.length; i++)
    if (r.timeline.entity[i] === ei && r.timeline.t[i] > from && r.timeline.t[i] <= to) sum += r.timeline.values[si][i];
  return sum;
}

describe('maint with on-marked-down shutdown-sessions (HAProxy 2.6.12 recordings)', () => {
  for (const mode of ['tcp', 'http'] as const) {
    it(`${mode}: s1's streams end with a FIN at the command, as many as show stat scur held; s2's carry on`, () => {
      const real = JSON.parse(
        readFileSync(`calibration/data/haproxy-maint-onmarkeddown-${mode}-rt.json`, 'utf8'),
      ) as Recorded;
      const s1 = real.summary.streams.byServer.s1;
      // Recorded: the 10 streams of s1 read EOF within 5 ms of the command, none of s2's ended.
      expect(s1.ended).toEqual({ EOF: 10 });
      expect(Math.max(...s1.endTimesS) - MAINT_AT).toBeLessThan(0.01);
      expect(real.summary.streams.byServer.s2.ended).toEqual({});
      const scurBefore = real.samples.filter((x) => x.s1 && x.t < MAINT_AT).pop()!.s1!.scur;
      const scurAfter = real.samples.find((x) => x.s1 && x.t > MAINT_AT)!.s1!;
      expect(scurAfter).toEqual({ ...scurAfter, scur: 0, status: 'MAINT' });

      // tcp: the 6 request connections are Poisson in the twin (3 on s1 expected): mean of 10 seeds.
      const runs = seeds(mode, mode === 'tcp' ? 10 : 1);
      const r = runs[0];
      const shut = recordsOf(r, 'lb.shutdown_sessions');
      expect(shut).toHaveLength(1);
      expect(shut[0]).toMatchObject({ t: MAINT_AT, backend: 's1', cause: 'maint' });
      const meanStreams = runs.reduce((a, x) => a + recordsOf(x, 'lb.shutdown_sessions')[0].streams, 0) / runs.length;
      expect(Math.abs(meanStreams - scurBefore)).toBeLessThanOrEqual(1);
      // Each of s1's tunnels ends at the command with a clean close (the client read a FIN), none of s2's.
      expect(between(r, 'ws_close_1006', MAINT_AT - 1, MAINT_AT + 1, 's1')).toBe(s1.ended.EOF);
      expect(between(r, 'ws_close_1006', 0, 12, 's2')).toBe(0);
      expect(r.figures['reset_out.total'] ?? 0).toBe(0);
    });
  }
});
