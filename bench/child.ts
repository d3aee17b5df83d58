import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What one child process did: its stdout, and its whole-process CPU time and peak RSS. */
export interface ChildRun {
  stdout: string;
  cpuS: number;
  wallS: number;
  peakRssMB: number;
}

const RUSAGE = path.resolve('bench', 'rusage.py');

/**
 * Run a command (drainsim or a reference from ../shared/peerbench) to completion under
 * bench/rusage.py, which reports the child's own getrusage figures. Throws on a non-zero exit.
 */
export function runMeasured(command: string, args: string[], env: Record<string, string> = {}): ChildRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drainsim-bench-'));
  try {
    const file = path.join(dir, 'rusage.json');
    const child = spawnSync('python3', [RUSAGE, file, '--', command, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (exit ${child.status ?? child.signal}): ${child.stderr || child.error?.message}`,
      );
    }
    const usage = JSON.parse(readFileSync(file, 'utf8')) as { cpu_s: number; wall_s: number; peak_rss_mb: number };
    return { stdout: child.stdout, cpuS: usage.cpu_s, wallS: usage.wall_s, peakRssMB: usage.peak_rss_mb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The last line of a child's stdout that parses as a JSON object (the references print one). */
export function lastJson<T = Record<string, unknown>>(stdout: string): T {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no JSON line in output: ${stdout.slice(0, 200)}`);
  return JSON.parse(line) as T;
}
