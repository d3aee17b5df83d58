/**
 * bench/rusage.py times one child. Children's CPU times survive exec, so a `python3` that is a
 * launcher script (pyenv's bash shim runs `pyenv` commands, then execs python) starts with
 * ~0.06 s of its own children's CPU already counted: a command that does nothing measured 0.07 s,
 * and `node -e 0` twice its time, halving every start-up ratio of `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../sim/scenario/package-root.js';

const tmp = mkdtempSync(join(tmpdir(), 'drainsim-rusage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function measure(launcher: string[]): { cpu_s: number; exit: number } {
  const file = join(tmp, 'rusage.json');
  const r = spawnSync(launcher[0]!, [
    ...launcher.slice(1),
    join(packageRoot(), 'bench', 'rusage.py'),
    file,
    '--',
    'true',
  ]);
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('bench/rusage.py', () => {
  it("counts only the command's CPU, not what its launcher's children used before it", () => {
    // A launcher that burns CPU in a child of its own, then execs python3 (as pyenv's shim does).
    const burn = 'i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done';
    const launcher = ['bash', '-c', `bash -c '${burn}'; exec python3 "$@"`, 'launcher'];
    const r = measure(launcher);
    expect(r.exit).toBe(0);
    expect(r.cpu_s).toBeLessThan(0.03);
  });
});
