/**
 * Issue 16: `drainsim show <name> > r.yaml; drainsim validate r.yaml` gave 36 errors for ws-stall
 * (unit-less durations, nulls). For every built-in, show's output must validate and load back to
 * the same resolved scenario.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinScenarioNames } from '../../sim/scenario/load.js';
import { loadScenarioForCli } from '../../sim/scenario/load-for-run.js';
import { toPlain } from '../../sim/scenario/to-plain.js';
import { runCli, withoutWarnings } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'drainsim-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolved(ref: string): unknown {
  const plain = toPlain(loadScenarioForCli(ref).scenario) as Record<string, unknown>;
  // The name follows the file; everything else must survive the round trip.
  delete plain.name;
  return plain;
}

describe('show output is valid input (round trip over every built-in)', () => {
  const names = builtinScenarioNames();
  it('has built-ins to test', () => expect(names.length).toBeGreaterThan(10));

  it.each(names)('%s', async (name) => {
    const shown = await runCli('show', name);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toMatch(/: null$/m);
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, shown.stdout);
    const v = await runCli('validate', path);
    expect(withoutWarnings(v.stderr)).toBe('');
    expect(v.code).toBe(0);
    expect(resolved(path)).toEqual(resolved(name));
  });

  it('prints durations with units', async () => {
    const { stdout } = await runCli('show', 'ws-stall');
    expect(stdout).toMatch(/^horizon: 2h 58m$/m);
    expect(stdout).toMatch(/^\s+keepalive_timeout: 1m 15s$/m);
  });
});

describe('show writes an off setting as off', () => {
  it('slowstart unset is `slowstart: 0`, not `infinite` (a ramp that never ends; review30 #14)', async () => {
    const shown = await runCli('show', 'hard-cut');
    expect(shown.stdout).toMatch(/^ {2}slowstart: 0$/m);
    const set = await runCli('show', 'hc-cascade-safe');
    expect(set.stdout).toMatch(/^ {2}slowstart: 30s$/m);
  });
});
