/**
 * The round-5 twins' `fall`, read against what HAProxy logged. In the 2srv twin nothing the
 * comparison rows hold moves with it: its only DOWN row is a pinned known gap (the twin has no
 * DOWN: haproxy-holdout5.test.ts), and every pause fails one check (chkfail, the requests failed)
 * whatever `fall` is from 2 up. HAProxy's `option log-health-checks` line states the counter
 * after every check (v2.6.0 src/check.c set_server_check_status(): "status: %d/%d %s", while UP
 * `health - rise + 1` of `fall`, while DOWN `health` of `rise`), so the recording itself says
 * which `fall` and `rise` ran and how many consecutive failures took s1 DOWN; the twins must
 * state the same (they take the recorder's haproxy.cfg, calibration/haproxy/holdout5.mjs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';

const RUNS = ['tcheck-2srv-http', 'tcheck-2srv-1rps-http', 'tcheck-1srv-http', 'tcheck-3srv-tconn-http'] as const;

interface Recorded {
  events: { haproxyMessages: Array<{ t: number; line: string }> };
}

/** s1's check lines (the plain copy of each, not the `[WARNING]` one): passed?, the counter, UP/DOWN. */
function s1Checks(run: string): Array<{ ok: boolean; n: number; of: number; up: boolean }> {
  const data = JSON.parse(readFileSync(`calibration/data/haproxy-holdout5-${run}-rt.json`, 'utf8')) as Recorded;
  return data.events.haproxyMessages
    .map((m) => /^Health check for server be\/s1 (succeeded|failed),.*status: (\d+)\/(\d+) (UP|DOWN)\.?$/.exec(m.line))
    .filter((x): x is RegExpExecArray => x !== null)
    .map((x) => ({ ok: x[1] === 'succeeded', n: Number(x[2]), of: Number(x[3]), up: x[4] === 'UP' }));
}

describe("round-5 twins' rise and fall are the recorded HAProxy's", () => {
  for (const run of RUNS) {
    it(`${run}: the log's counter is out of the twin's fall (UP) and rise (DOWN); a DOWN after fall consecutive failures`, () => {
      const twin = loadScenario(`calibration/scenarios/haproxy-holdout5-${run}.yaml`, ScenarioSchema).scenario;
      const { fall, rise } = twin.health_check!;
      const checks = s1Checks(run);
      expect(checks.length).toBeGreaterThan(2);
      for (const c of checks) expect(c.of).toBe(c.up ? fall : rise);
      // Each DOWN line's check is the fall-th failure in a row since s1 was last fully UP.
      const downs = checks.flatMap((c, i) => (!c.ok && !c.up && (i === 0 || checks[i - 1].up) ? [i] : []));
      for (const i of downs) {
        const back = checks.slice(0, i + 1).reverse();
        const streak = back.findIndex((c) => c.ok);
        expect(streak === -1 ? back.length : streak).toBe(fall);
      }
    });
  }
});
