import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioForCli } from '../../sim/scenario/load-for-run.js';
import { runCli } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'drainsim-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const ws = (start: string, extra = '') =>
  `description: warnings
warmup: 1m
horizon: 20s
app:
  ws:
    session_ttl: 2h
clients:
  ws:
    initial_sessions: 20
    initial_ramp: 5s
    start: ${start}
    lifetime: lognormal(median=40m, p99=8h)
${extra}backends:
  - name: vm-a
`;

const cold = file('cold.yaml', ws('cold'));
const steady = file('steady.yaml', ws('steady'));
const failing = file('failing.yaml', `${ws('cold')}expect:\n  - "errors.total > 0"\n`);

describe('scenario warnings: settings that never take effect in the run', () => {
  it('a cold start warns of a TTL and a p99 lifetime longer than the warmup, with file, line and path', () => {
    const warnings = loadScenarioForCli(cold).warnings;
    expect(warnings.map((w) => [w.path, w.line])).toEqual([
      ['app.ws.session_ttl', 6],
      ['warmup', 2],
    ]);
    expect(warnings[0]!.message).toContain('session TTL 2h is longer than the warmup (1m)');
    expect(warnings[1]!.message).toContain("shorter than the session lifetime's p99 (8h)");
  });

  it('a steady start draws ages and the TTL phase, so it warns of nothing', () => {
    expect(loadScenarioForCli(steady).warnings).toEqual([]);
  });

  it('no initial sessions is a cold population too: only the warmup arrivals are open at t = 0', () => {
    const arrivals = file(
      'arrivals.yaml',
      ws('steady').replace('initial_sessions: 20', 'initial_sessions: 0\n    arrival_rate: 1'),
    );
    expect(loadScenarioForCli(arrivals).warnings.map((w) => w.path)).toEqual(['app.ws.session_ttl', 'warmup']);
  });

  it('validate, run and check print them on stderr and keep their exit codes', async () => {
    const line = `warning: ${cold}:6: app.ws.session_ttl: session TTL 2h is longer than the warmup (1m)`;
    const validated = await runCli('validate', cold);
    expect(validated.code).toBe(0);
    expect(validated.stderr).toContain(line);
    expect(validated.stderr).toContain(`warning: ${cold}:2: warmup: `);
    const ran = await runCli('run', cold, '--format', 'none', '--out', join(dir, 'out'));
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain(line);
    const checked = await runCli('check', failing);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`warning: ${failing}:6: app.ws.session_ttl: `);
    const quiet = await runCli('validate', steady);
    expect(quiet.stderr).toBe('');
  });
});
