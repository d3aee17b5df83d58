// The calibration tables' command lines print a table over every committed recording: a new data file
// whose shape a table does not expect (a held-out round's predictions, a tunnel run without the probe
// client, a dead-peer recording without port statistics) must not make them throw, as it did unnoticed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('calibration table command lines', () => {
  const tables = [
    ['calibration/table.mjs', '| experiment | figure | real |'],
    ['calibration/nginx/table.mjs', '| experiment | figure | real |'],
    ['calibration/haproxy/table.mjs', '| run | req/s |'],
  ];
  for (const [script, header] of tables) {
    it(`node ${script} prints a table and exits 0`, () => {
      const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.startsWith(header)).toBe(true);
      expect(run.stdout.split('\n').length).toBeGreaterThan(20);
    });
  }
});
