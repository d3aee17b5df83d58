import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareSweep } from '../../sim/sweep/prepare.js';
import { parseVary } from '../../sim/sweep/vary.js';

const dir = mkdtempSync(join(tmpdir(), 'drainsim-vary-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sweep --vary vars.name', () => {
  it('changes every use of the variable at each point, and the CSV column shows the variable', () => {
    const file = join(dir, 'v.yaml');
    writeFileSync(
      file,
      ['extends: hard-cut', 'vars:', '  span: 5m', 'horizon: ${span}', 'warmup: ${span}', ''].join('\n'),
    );
    const sweep = prepareSweep({ scenario: file, sets: [], vary: [parseVary('vars.span=3m,4m')], seeds: [1] });
    expect(sweep.points.map((p) => p.sets)).toEqual([['vars.span=3m'], ['vars.span=4m']]);
    expect(sweep.points.map((p) => p.resolved)).toEqual([['3m'], ['4m']]);
    const undeclared = () => prepareSweep({ scenario: file, sets: [], vary: [parseVary('vars.spam=3m')], seeds: [1] });
    expect(undeclared).toThrow(
      /--vary vars\.spam=3m \(value 3m\): vars\.spam: unknown variable 'spam'.*did you mean 'vars\.span'/,
    );
  });
});
