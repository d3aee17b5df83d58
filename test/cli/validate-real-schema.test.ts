/** `drainsim validate` against the real scenario schema: each kind of mistake gets a precise message. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withoutWarnings } from './capture.js';

function file(name: string, text: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'drainsim-validate-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

describe('drainsim validate with the real schema', () => {
  it.each([
    [
      'typo in a key',
      'backends:\n  - name: vm-a\n    nginx:\n      keepalive_timout: 5s\n',
      /bad\.yaml:4:7: backends\[0\]\.nginx\.keepalive_timout: unknown key; did you mean 'keepalive_timeout'\?/,
    ],
    [
      'negative duration',
      'nginx:\n  proxy_read_timeout: -5s\n',
      /bad\.yaml:2:\d+: nginx\.proxy_read_timeout: .*negative/i,
    ],
    [
      'unit-less duration',
      'nginx:\n  keepalive_timeout: 30\n',
      /nginx\.keepalive_timeout: unit-less duration '30': write it with a unit, e\.g\. 30s/,
    ],
    [
      'unknown distribution',
      'clients:\n  http:\n    think_time: lognormall(median=1s, p99=5s)\n',
      /clients\.http\.think_time: .*did you mean 'lognormal'\?/,
    ],
    ['malformed YAML', 'nginx:\n  keepalive_timeout: [75s\n', /bad\.yaml:\d+:\d+: /],
    [
      'unknown backend in the timeline',
      'backends:\n  - name: vm-a\ntimeline:\n  - { at: 1m, do: remove, backend: vm-z }\n',
      /timeline\[0\]\.backend: unknown backend 'vm-z'/,
    ],
  ])('%s exits 2 with a precise message and writes nothing', async (_label, text, pattern) => {
    const { dir, path } = file('bad.yaml', text);
    const r = await runCli('validate', path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('every built-in scenario is valid', async () => {
    const r = await runCli('validate', ...readdirSync('scenarios').map((f) => join('scenarios', f)));
    expect(withoutWarnings(r.stderr)).toBe('');
    expect(r.code).toBe(0);
  });
});
