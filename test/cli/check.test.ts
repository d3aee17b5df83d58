/**
 * Expectations through the real CLI: `drainsim run` exits 0 / 1 / 2 for a passing, failing and
 * typo'd scenario; `drainsim check` runs folders, prints one line per scenario and writes JUnit XML.
 * The fixtures extend test/fixtures/tiny-cut.yaml, a hard cut of vm-b at 14:00:30.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './capture.js';
import { childrenNamed, parseXml } from './check-xml.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'expect');
const passing = join(FIXTURES, 'passing.yaml');
const failing = join(FIXTURES, 'failing.yaml');
const typo = join(FIXTURES, 'typo.yaml');
const ROOT = join(import.meta.dirname, '..', '..');

const tmp = mkdtempSync(join(tmpdir(), 'drainsim-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('drainsim run with expectations', () => {
  it('exits 0 when every assertion holds', async () => {
    const r = await runCli('run', passing, '--out', join(tmp, 'run-pass'), '--format', 'none');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(readFileSync(join(tmp, 'run-pass', 'summary.json'), 'utf8'));
    expect(summary.expectations).toHaveLength(8);
    expect(summary.expectations.every((e: { passed: boolean }) => e.passed)).toBe(true);
    // A single run cannot judge an across-seeds assertion; it says so instead of pretending.
    expect(summary.expectations[7].message).toContain(
      "not evaluated in a single run: 'drainsim check' runs seeds 1..3",
    );
  });

  it('exits 1 and prints the assertion, actual value, seed, timeline rows and log lines of a failure', async () => {
    const r = await runCli('run', failing, '--out', join(tmp, 'run-fail'), '--format', 'none');
    expect(r.code).toBe(1);
    const report = r.stderr;
    expect(report).toContain('FAIL failing: max(reset_out) over [14:00:20, 14:00:50] == 0');
    // The cut is at 14:00:30: the resets are counted in the sample ending at 14:00:31.
    expect(report).toMatch(/^ {2}actual [1-9]\d* at 14:00:31 \(31s into the run\) · expected == 0$/m);
    expect(report).toContain(`seed 1 · replay: drainsim run ${failing} --seed 1`);
    expect(report).toMatch(/timeline\.csv \(total\) around 14:00:31:\n +t_s +time +entity +reset_out/);
    // Five rows each side of the marked one.
    expect(report).toMatch(/(\n {7}\d+ +14:00:2[6-9].*){4}\n {7}30 +14:00:30 .*\n {4}> +31 +14:00:31 +total +[1-9]/);
    expect(report).toContain('[lb] backend vm-b removed from pool abruptly');
    // The across-seeds assertion is not judged by `run`, so only one report.
    expect(report.match(/^FAIL /gm)).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(tmp, 'run-fail', 'summary.json'), 'utf8'));
    expect(summary.expectations[0]).toMatchObject({ passed: false, at_s: 31, message: 'expected == 0' });
  });

  it('prints the seed it ran with', async () => {
    const r = await runCli('run', failing, '--seed', '5', '--out', join(tmp, 'run-seed'), '--format', 'none');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seed 5 · replay: drainsim run ${failing} --seed 5`);
  });

  it('exits 2 for a typo in a metric name, with the nearest valid one, and writes nothing', async () => {
    const out = join(tmp, 'run-typo');
    const r = await runCli('run', typo, '--out', out, '--format', 'none');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /typo\.yaml:5:5: expect\[1\]: 'erors\.total == 0': unknown figure 'erors\.total'; did you mean 'errors\.total'\?\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('drainsim check', () => {
  it('runs every scenario in a folder: one line each, a tally, exit 2 when one cannot be read', async () => {
    const junit = join(tmp, 'out.xml');
    const r = await runCli('check', FIXTURES, '--junit', junit);
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^FAIL {3}\S*failing\.yaml +failing · seed 1 · 2 of 3 assertions failed$/);
    expect(lines[1]).toMatch(/^PASS {3}\S*passing\.yaml +passing · seed 1 · 8 of 8 assertions passed$/);
    expect(lines[2]).toMatch(
      /^ERROR {2}\S*typo\.yaml +.*unknown figure 'erors\.total'; did you mean 'errors\.total'\?$/,
    );
    expect(lines[3]).toBe('3 scenarios: 1 passed, 1 failed, 1 error');
    expect(lines[4]).toBe(`wrote ${junit}`);
  });

  it('judges across-seeds assertions by running each seed, and reports the failing seed', async () => {
    const r = await runCli('check', failing, passing);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 scenarios: 1 passed, 1 failed, 0 errors');
    expect(r.stderr).toContain('FAIL failing: errors.total == 0 across seeds 2..3');
    expect(r.stderr).toMatch(
      /fails for 2 of 2 seeds \(2, 3\); seed 2: expected == 0\n {2}seed 2 · replay: drainsim run \S+failing\.yaml --seed 2/,
    );
  });

  it('exits 0 when every scenario passes, and writes reports with --out', async () => {
    const out = join(tmp, 'check-out');
    const r = await runCli('check', passing, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(readFileSync(join(out, 'passing', 'summary.json'), 'utf8'));
    // check judges across seeds, so summary.json records the verdict rather than "not evaluated".
    expect(summary.expectations[7]).toMatchObject({
      passed: true,
      message: expect.stringMatching(/^min over seeds 1\.\.3 \(seed [123]\)$/),
    });
  });

  it('prints the same bytes on every run (no wall time)', async () => {
    const a = await runCli('check', failing, passing);
    const b = await runCli('check', failing, passing);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toBe(a.stderr);
  });

  it('exits 2 for a missing file and for a folder without scenarios', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const missing = await runCli('check', passing, join(tmp, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^ERROR +\S+nope\.yaml +.*no such file/m);
    const none = await runCli('check', empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no scenario files (.yaml, .yml) in ${empty}`);
  });

  it('refuses a --junit path that is a folder before running anything', async () => {
    const r = await runCli('check', passing, '--junit', tmp);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`--junit ${tmp} is a directory; give a file name such as`);
  });
});

describe('JUnit XML', () => {
  it('is well-formed: one suite per scenario, one case per assertion plus the run, failures and errors marked', async () => {
    const junit = join(tmp, 'junit.xml');
    await runCli('check', FIXTURES, '--junit', junit);
    const root = parseXml(readFileSync(junit, 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '14', failures: '2', errors: '1' });
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['failing', 'passing', 'typo']);

    const [fail, pass, bad] = suites as [typeof root, typeof root, typeof root];
    expect(fail.attrs).toMatchObject({ tests: '4', failures: '2', errors: '0' });
    const cases = childrenNamed(fail, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual([
      'run',
      'max(reset_out) over [14:00:20, 14:00:50] == 0',
      'requests_failed.total == 0',
      'errors.total == 0 across seeds 2..3',
    ]);
    const failure = childrenNamed(cases[1]!, 'failure')[0]!;
    expect(failure.attrs.message).toMatch(/^actual \d+ at 14:00:31 \(31s into the run\) · expected == 0$/);
    // The body is the whole failure report, '>' marker and all, decoded back to text.
    expect(failure.text).toMatch(/\n {4}> +31 +14:00:31/);
    expect(childrenNamed(cases[2]!, 'failure')).toHaveLength(0);
    // Each assertion's testcase names the scenario file and the line of its expect: entry (issue 16).
    expect(cases[1]!.attrs.file).toMatch(/failing\.yaml$/);
    expect(cases.slice(1).map((c) => c.attrs.line)).toEqual(['4', '5', '6']);

    expect(pass.attrs).toMatchObject({ tests: '9', failures: '0', errors: '0' });
    expect(childrenNamed(pass, 'properties')[0]!.children[0]!.attrs).toEqual({ name: 'seed', value: '1' });

    const error = childrenNamed(childrenNamed(bad, 'testcase')[0]!, 'error')[0]!;
    expect(error.attrs.message).toContain("did you mean 'errors.total'?");
  });

  it('escapes what XML cannot carry raw', async () => {
    const { escapeXml, renderJunit } = await import('../../reports/junit/index.js');
    expect(escapeXml(`a<b>&"c"'\u001b[31m`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;[31m');
    const xml = renderJunit([
      {
        name: 'x & <y>',
        file: 'f',
        cases: [{ name: 'p < 1 && q > "2"', failure: { message: 'm\u0000', body: '<b>' } }],
      },
    ]);
    const root = parseXml(xml);
    const c = childrenNamed(childrenNamed(root, 'testsuite')[0]!, 'testcase')[0]!;
    expect(c.attrs.name).toBe('p < 1 && q > "2"');
    expect(childrenNamed(c, 'failure')[0]!.text).toBe('<b>');
  });

  it('the checker rejects malformed XML (so the tests above can fail)', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/repeated/);
    expect(() => parseXml('<a>1 < 2</a>')).toThrow();
    expect(() => parseXml('<a>R&D</a>')).toThrow(/entity/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
    expect(() => parseXml('<a x=1/>')).toThrow(/not quoted/);
  });
});

describe('the installed command', () => {
  it('bin/drainsim.js exits 1 for a failing scenario and 0 for a passing one', () => {
    const bin = join(ROOT, 'bin', 'drainsim.js');
    const fail = spawnSync(process.execPath, [bin, 'check', failing], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect({ status: fail.status, stderr: fail.stderr.slice(0, 200) }).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^FAIL failing/),
    });
    expect(fail.stdout).toMatch(/^FAIL /);
    expect(fail.stderr).toContain('FAIL failing: max(reset_out)');
    const pass = spawnSync(process.execPath, [bin, 'run', passing, '--out', join(tmp, 'spawn'), '--format', 'none'], {
      encoding: 'utf8',
    });
    expect({ status: pass.status, stderr: pass.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('failure reports print each events.log line once (issue 16)', () => {
  it('three failures pinned to one moment print its log lines under the first only; JUnit bodies stay whole', async () => {
    const repeat = join(import.meta.dirname, '..', 'fixtures', 'expect-repeat', 'repeat.yaml');
    const junit = join(tmp, 'repeat.xml');
    const r = await runCli('check', repeat, '--junit', junit);
    expect(r.code).toBe(1);
    const line = '[app] vm-b: killed (SIGKILL): no graceful hook runs';
    expect(r.stderr.split(line).length - 1).toBe(1);
    expect(r.stderr.match(/the 20 lines nearest are printed above/g)).toHaveLength(2);
    const bodies = childrenNamed(childrenNamed(parseXml(readFileSync(junit, 'utf8')), 'testsuite')[0]!, 'testcase')
      .flatMap((c) => childrenNamed(c, 'failure'))
      .map((f) => f.text);
    expect(bodies).toHaveLength(3);
    for (const body of bodies) expect(body).toContain(line);
  });
});

describe('check --format json|markdown (issue 16: PR comments)', () => {
  it('prints one json document with each assertion, its line and verdict', async () => {
    const r = await runCli('check', FIXTURES, '--format', 'json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ passed: 1, failed: 1, errors: 1 });
    const failing = doc.scenarios[0];
    expect(failing.file).toMatch(/failing\.yaml$/);
    expect(failing.assertions[0]).toMatchObject({
      text: 'max(reset_out) over [14:00:20, 14:00:50] == 0',
      line: 4,
      passed: false,
      at_s: 31,
    });
    expect(failing.assertions[0].failure).toMatch(/^actual \d+ at 14:00:31/);
  });

  it('prints a markdown table with ✓/✗ per assertion and file:line, failure reports folded', async () => {
    const r = await runCli('check', failing, '--format', 'markdown');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^### drainsim check: 0 passed, 1 failed, 0 errors$/m);
    expect(r.stdout).toMatch(
      /^\| ❌ \| .*failing\.yaml:4 \| `max\(reset_out\) over \[14:00:20, 14:00:50\] == 0` \| actual \d+ at 14:00:31/m,
    );
    expect(r.stdout).toMatch(/^\| ✅ \| .*failing\.yaml:5 \| `requests_failed\.total == 0` \| actual 0 \|$/m);
    expect(r.stdout).toContain('<details><summary>');
    // No text summary line (`FAIL   <file>  <name> · seed …`) mixed into the document.
    expect(r.stdout).not.toMatch(/^FAIL {3}/m);
  });
});

describe('a failed assertion on seconds prints its actual value as a duration (review30 #11)', () => {
  it('`actual 183.167ms · expected < 1ms` in stderr, JUnit and markdown; summary.json keeps the number', async () => {
    const latency = join(import.meta.dirname, '..', 'fixtures', 'expect-units', 'latency.yaml');
    const out = join(tmp, 'units');
    const junit = join(tmp, 'units.xml');
    const r = await runCli('check', latency, '--out', out, '--junit', junit);
    expect(r.code).toBe(1);
    // Before: `actual 0.183167 · expected < 1ms`, a number in seconds beside a bound in ms.
    expect(r.stderr).toMatch(/^ {2}actual \d+(\.\d+)?ms · expected < 1ms$/m);
    expect(readFileSync(junit, 'utf8')).toMatch(/message="actual \d+(\.\d+)?ms · expected &lt; 1ms"/);
    const md = await runCli('check', latency, '--format', 'markdown');
    expect(md.stdout).toMatch(/\| `request_latency\.p99 < 1ms` \| actual \d+(\.\d+)?ms · expected < 1ms \|/);
    // A count stays a count.
    expect(r.stderr).not.toMatch(/actual \d+(\.\d+)?(ms|s) · expected == 0/);
    const summary = JSON.parse(readFileSync(join(out, 'latency', 'summary.json'), 'utf8'));
    expect(typeof summary.expectations[0].actual).toBe('number');
    expect(summary.expectations[0].actual).toBeLessThan(1);
    expect(summary.expectations[0]).not.toHaveProperty('inSeconds');
  });
});
