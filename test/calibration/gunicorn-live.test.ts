// A short experiment on the real gunicorn this machine has (Debian 12's python3-gunicorn 20.1.0), so
// `app.sigterm_keepalive: gunicorn-20` stays what the installed gunicorn does, not only what one
// recording of it did: held-out round 23's v20 run (calibration/gunicorn/holdout23.mjs --only v20,
// 80 connects in 8 s, loopback inside a namespace it creates and deletes) is recorded afresh into a
// temporary directory and compared, row by row with round 23's tolerances, with the model's twin.
// It runs where network namespaces can be made and /usr/bin/gunicorn exists; skipped with the
// reason otherwise. The rule (workers/gthread.py ThreadWorker.run and accept of 20.1.0): after SIGTERM the
// loop `while self.alive` ends at the poller's next wake-up (select(1.0) or a connect), the
// listener closes (connects refused from then on) and futures.wait serves the requests in hand —
// no connect is reset, unlike 24.0+ (`gunicorn`), which parks them in the kept listener.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs harness without type declarations
import { namespaceSupport } from '../../calibration/lib/netns.mjs';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { namedScenario } from '../../sim/scenario/load-for-run.js';
import { ScenarioSchema } from '../../sim/scenario/schema.js';
import { allowed } from './heldout-table.js';
import { GUNICORN23, type GunicornRec23, V20 } from './holdout23-figures.js';

const GUNICORN = '/usr/bin/gunicorn';
const ns = namespaceSupport() as { ok: boolean; reason: string };
/** The installed gunicorn's version (Debian's python3-gunicorn), or null without one. */
function gunicornVersion(): string | null {
  if (!existsSync(GUNICORN)) return null;
  return execFileSync('/usr/bin/python3', ['-c', 'import gunicorn; print(gunicorn.__version__)'], {
    encoding: 'utf8',
  }).trim();
}
const skipReason = !ns.ok ? ns.reason : existsSync(GUNICORN) ? '' : `${GUNICORN} is not installed (Debian: gunicorn)`;

const out = mkdtempSync(join(tmpdir(), 'drainsim-gunicorn-live-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The recorder processes this file started: their namespaces are `drainsim-cal-<pid>-g23` (lib/netns.mjs). */
const recorders: number[] = [];

/** One fresh recording of round 23's v20 run (SCHED_FIFO 10 as the round's, so a busy machine does not skew it). */
function record(): GunicornRec23 {
  const r = spawnSync(
    process.execPath,
    ['calibration/gunicorn/holdout23.mjs', '--only', 'v20', '--rt', '10', '--out', out],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, encoding: 'utf8' },
  );
  recorders.push(r.pid);
  if (r.status !== 0) throw new Error(`holdout23.mjs exited ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(readFileSync(join(out, `${V20}-rt.json`), 'utf8')) as GunicornRec23;
}

/** Round 23's v20 twin with `value`, seeds 1-5 (as the round's predictions). */
function twin(value: 'gunicorn' | 'gunicorn-20' | 'gunicorn-23'): RunResult[] {
  const file = `calibration/scenarios/${V20}.yaml`;
  const base = namedScenario(loadScenario(file, ScenarioSchema));
  const scenario = { ...base, app: { ...base.app, sigterm_keepalive: value } };
  return [1, 2, 3, 4, 5].map((seed) => runScenario(scenario, { seed, file }));
}

/** The rows a recording misses against `runs`: "figure: real x, model y". */
function misses(d: GunicornRec23, runs: RunResult[]): string[] {
  return GUNICORN23[V20].flatMap((f) => {
    const real = f.real(d);
    const sim = f.sim(runs);
    const ok = real !== null && sim !== null && Math.abs(sim - real) <= allowed(f.tolerance, real);
    return ok ? [] : [`${f.figure}: real ${real}, model ${sim}`];
  });
}

describe('gunicorn on the real binary (app.sigterm_keepalive: gunicorn-20)', () => {
  it.skipIf(skipReason !== '')(
    `gthread across SIGTERM: refused from the first wake-up, no reset, the requests in hand served — every row of round 23's v20 run${
      skipReason ? ` (skipped: ${skipReason})` : ''
    }`,
    (ctx) => {
      // The rule is 20.x's; a newer Debian gunicorn would need `gunicorn-23` (21.0-23.x) or `gunicorn` (24.0+).
      const version = gunicornVersion() as string;
      const major = Number(version.split('.')[0]);
      if (major !== 20) ctx.skip(`gunicorn ${version} is not 20.x, whose SIGTERM rule this checks`);
      const model = twin('gunicorn-20');
      let d = record();
      let missed = misses(d, model);
      // One more recording when a row misses: a timing row can slip on a machine busy with the
      // other test files; the same miss twice is the model's (or gunicorn's) and fails.
      if (missed.length > 0) {
        d = record();
        missed = misses(d, model);
      }
      expect(d.stamp.gunicornVersion).toBe(version);
      expect(missed, `gunicorn ${version} vs gunicorn-20`).toEqual([]);
      // The mechanism, on the fresh recording: no connect reset (24.0+ parks and resets ~20), and
      // the first refusal within the poller's 1-s bound of the SIGTERM (3.05 s).
      expect(d.conns.filter((c) => c.outcome === 'ECONNRESET').length).toBe(0);
      const firstRefused = Math.min(
        ...d.conns.filter((c) => c.outcome === 'ECONNREFUSED' && (c.endS ?? 0) > 3.05).map((c) => c.endS as number),
      );
      expect(firstRefused).toBeGreaterThan(3.05);
      expect(firstRefused).toBeLessThan(4.3);
      // And the 24.0+ value would not pass on this gunicorn: the check can fail. 21.0+'s
      // (`gunicorn-23`) passes the rows' ±2 counts but resets the connect of 3.1 s that wakes the
      // worker, which 20.x serves: exactly 0 resets here, one there.
      expect(misses(d, twin('gunicorn')).length).toBeGreaterThan(0);
      const resets = GUNICORN23[V20][1];
      expect(resets.figure).toContain('ECONNRESET');
      expect(resets.real(d)).toBe(0);
      expect(resets.sim(model)).toBe(0);
      expect(resets.sim(twin('gunicorn-23'))).toBe(1);
      // Its namespaces are gone (only this file's: another run of the harness may have its own now).
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      for (const pid of recorders) expect(left).not.toContain(`drainsim-cal-${pid}-g23`);
    },
    150_000,
  );
});
