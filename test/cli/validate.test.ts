import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'drainsim-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Kept to keys any version of the schema has, so these test the command, not the format.
const good = file('good.yaml', 'description: a valid scenario\n');
const typo = file('typo.yaml', 'description: x\nbackends:\n  - name: vm-a\n    nginx:\n      keepalive_timout: 5s\n');
const malformed = file('malformed.yaml', 'description: [unclosed\n');

describe('drainsim validate', () => {
  it('exits 0 and prints an OK line per valid file', async () => {
    const { code, stdout, stderr } = await runCli('validate', good);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^OK .*good\.yaml \(good\)\n$/);
  });

  it('exits 2 and prints each error with file, line and suggestion', async () => {
    const { code, stderr } = await runCli('validate', typo);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /typo\.yaml:5:7: backends\[0\]\.nginx\.keepalive_timout: unknown key; did you mean 'keepalive_timeout'\?/,
    );
  });

  it('checks every file and exits 2 when any fails', async () => {
    const { code, stdout, stderr } = await runCli('validate', good, malformed, typo);
    expect(code).toBe(2);
    expect(stdout).toContain('good.yaml');
    expect(stderr).toMatch(/malformed\.yaml:\d+:\d+: malformed YAML/);
    expect(stderr).toContain('2 of 3 scenarios are invalid');
  });

  it('applies --set before validating', async () => {
    const { code, stderr } = await runCli(
      'validate',
      good,
      '--set',
      'backends[0].name=vm-a',
      '--set',
      'backends[0].wieght=2',
    );
    expect(code).toBe(2);
    expect(stderr).toContain("--set backends[0].wieght=2: backends[0].wieght: unknown key; did you mean 'weight'?");
  });

  it('resolves a file named inside the scenario (empirical CSV) next to the scenario, not the working directory', async () => {
    file('lifetimes.csv', 'duration\n10s\n20s\n');
    const scenario = file('empirical.yaml', 'clients:\n  ws:\n    lifetime: empirical(lifetimes.csv)\n');
    expect(process.cwd()).not.toBe(dir);
    const { code, stderr } = await runCli('validate', scenario);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('writes nothing', async () => {
    const before = readdirSync(dir).sort();
    await runCli('validate', good, typo);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('drainsim validate: expect: assertions (issue 16)', () => {
  it("rejects an unknown figure in expect:, as check does ('erors.total')", async () => {
    const path = file('erors.yaml', 'description: x\nexpect:\n  - "erors.total == 0"\n');
    const { code, stderr } = await runCli('validate', path);
    expect(code).toBe(2);
    expect(stderr).toMatch(/erors\.yaml:3:5: .*unknown figure 'erors\.total'; did you mean 'errors\.total'\?/);
  });

  it('requires a unit on values compared with a figure in seconds, naming the unit', async () => {
    const path = file(
      'unitless.yaml',
      'description: x\nexpect:\n  - "p99(request_latency) < 200"\n  - "request_latency.p99 < 0.2"\n',
    );
    const { code, stderr } = await runCli('validate', path);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /unitless\.yaml:3:5: .*'200' has no unit, but request_latency is in seconds: write 200ms or 200s/,
    );
    expect(stderr).toMatch(/unitless\.yaml:4:5: .*'0\.2' has no unit, but request_latency\.p99 is in seconds/);
  });

  it('accepts units, zero without a unit, and plain numbers for counts', async () => {
    const path = file(
      'units.yaml',
      'description: x\nexpect:\n  - "p99(request_latency) < 200ms"\n  - "max(request_latency) >= 0"\n  - "count(request_latency) > 10"\n  - "errors.total == 0"\n',
    );
    const { code, stderr } = await runCli('validate', path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
