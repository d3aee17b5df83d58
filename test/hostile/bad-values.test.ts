/**
 * Issue #17: every value that used to hang a run, crash it after `validate` passed, or make it
 * unbounded is refused up front — by `validate` and by `run` alike — with exit 2, the file, line,
 * path and what was expected, and nothing written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withoutWarnings } from '../cli/capture.js';
import { cliIn, expectBadInput, sandbox } from './sandbox.js';

const box = sandbox();
writeFileSync(join(box.dir, 'big.csv'), '1s\n2s\n1e999\n');

/** [name, scenario text after `extends: ./base.yaml`, the expected error]. */
const CASES: [string, string, RegExp][] = [
  [
    'health_check inter 0s (hung)',
    'health_check: {inter: 0s}',
    /:2:\d+: health_check\.inter: 0s is below the minimum of 1ms/,
  ],
  [
    'gate poll 0s (hung)',
    'timeline: [{at: 2s, do: deploy, backend: vm-a, gate: {poll: 0s}}]',
    /:2:\d+: timeline\[0\]\.gate\.poll: 0s is below the minimum of 100ms/,
  ],
  [
    'sample_interval 0s (hung, >4 GB)',
    'sample_interval: 0s',
    /:2:\d+: sample_interval: 0s is below the minimum of 10ms: the model's delays are milliseconds/,
  ],
  ['sample_interval 1us (4 GB)', 'sample_interval: 1us', /:2:\d+: sample_interval: 1us is below the minimum of 10ms/],
  ['horizon 100000000000d', 'horizon: 100000000000d', /:2:\d+: horizon: duration '100000000000d' is longer than 365d/],
  [
    'arrival_rate 1e9',
    'clients: {http: {arrival_rate: 1e9}}',
    /:2:\d+: clients\.http\.arrival_rate: expected a number <= 1000000/,
  ],
  [
    'initial_sessions 1e9 (1.26 GB)',
    'clients: {ws: {initial_sessions: 1000000000}}',
    /:2:\d+: clients\.ws\.initial_sessions: expected a number <= 10000000/,
  ],
  [
    'tcp_syn_retries 1e9 (V8 fatal)',
    'kernel: {tcp_syn_retries: 1000000000}',
    /:2:\d+: kernel\.tcp_syn_retries: expected a number <= 127/,
  ],
  ['tcp_syn_retries 0', 'kernel: {tcp_syn_retries: 0}', /:2:\d+: kernel\.tcp_syn_retries: expected a number >= 1/],
  [
    'tcp_retries2 256 (a u8 sysctl: EINVAL in Linux)',
    'kernel: {tcp_retries2: 256}',
    /:2:\d+: kernel\.tcp_retries2: expected a number <= 255 \(a u8 sysctl: Linux refuses more with EINVAL\)/,
  ],
  [
    'lb tcp_orphan_retries 256 (a u8 sysctl)',
    'lb: {mode: l4, kernel: {tcp_orphan_retries: 256}}',
    /:2:\d+: lb\.kernel\.tcp_orphan_retries: expected a number <= 255 \(a u8 sysctl/,
  ],
  [
    'port range backwards',
    'kernel: {ip_local_port_range: [60999, 32768]}',
    /:2:\d+: kernel\.ip_local_port_range: the first port must not be above the last/,
  ],
  [
    'at 25:00 (crashed)',
    'timeline: [{at: "25:00", do: note, text: x}]',
    /:2:\d+: timeline\[0\]\.at: clock time '25:00' is out of range/,
  ],
  [
    'at -1m (crashed)',
    'timeline: [{at: "-1m", do: note, text: x}]',
    /:2:\d+: timeline\[0\]\.at: negative duration '-1m'/,
  ],
  [
    'at 5 fortnights (crashed)',
    'timeline: [{at: "5 fortnights", do: note, text: x}]',
    /:2:\d+: timeline\[0\]\.at: unknown unit 'fortnights'/,
  ],
  [
    'at 1e308s (crashed)',
    'timeline: [{at: "1e308s", do: note, text: x}]',
    /:2:\d+: timeline\[0\]\.at: unknown unit 'e' in duration '1e308s'/,
  ],
  [
    'at 400d',
    'timeline: [{at: "400d", do: note, text: x}]',
    /:2:\d+: timeline\[0\]\.at: duration '400d' is longer than 365d/,
  ],
  ['start 99:99 (crashed)', 'start: "99:99"', /:2:\d+: start: clock time '99:99' is out of range/],
  [
    'CSV value 1e999 (time is NaN)',
    'app: {service_time: empirical(big.csv)}',
    /:2:\d+: app\.service_time: empirical: 'big\.csv' line 3, column 1: cannot read '1e999'/,
  ],
  ['seed 2^60', 'seed: 1152921504606846976', /:2:\d+: seed: expected a number <= 9007199254740991/],
  [
    'weight 1000 (HAProxy: 0 … 256)',
    'backends: [{name: vm-a, weight: 1000}]',
    /:2:\d+: backends\[0\]\.weight: expected a number <= 256/,
  ],
  [
    'probe period 0s',
    'probes: {readiness: {period: 0s}}',
    /:2:\d+: probes\.readiness\.period: 0s is below the minimum of 1ms/,
  ],
  [
    'ping_interval 1us',
    'clients: {ws: {ping_interval: 1us}}',
    /:2:\d+: clients\.ws\.ping_interval: 1us is below the minimum of 100ms/,
  ],
  [
    'ws lifetime 0s on a steady start (internal error, found by FUZZ_RUNS=10000)',
    'clients: {ws: {initial_sessions: 10, lifetime: 0s, start: steady}}',
    /:2:\d+: clients\.ws\.start: a steady start needs sessions that last some time; const\(0s\) has mean 0s/,
  ],
  ['empty key', '"": 1', /:2:1: \[""\]: unknown key/],
  [
    'timeline entry without do: (had no line)',
    'timeline:\n  - {at: 2s, backend: vm-a}',
    /h\d+\.yaml:3:\d+: timeline\[0\]\.do: expected one of 'bind'/,
  ],
  [
    'across seeds past 2^53 (hung)',
    'expect: ["errors.total == 0 across seeds 99999999999999999999"]',
    /:2:\d+: expect\[0\]: .*seed 99999999999999999999 is above 9007199254740991/,
  ],
  [
    '50k-character expect entry (regex crash)',
    `expect: ["${'errors.total'.repeat(4200)} == 0"]`,
    /:2:\d+: expect\[0\]: an assertion is at most 1000 characters/,
  ],
];

describe('hostile values are refused before any simulation', () => {
  CASES.forEach(([name, body, message], i) => {
    it(`${name}: validate and run exit 2 with file, line and path`, async () => {
      const file = box.write(`h${i}.yaml`, `extends: ./base.yaml\n${body}\n`);
      const started = performance.now();
      const validated = await cliIn(box, 'validate', file);
      expectBadInput(validated, message);
      expect(validated.stderr).toContain(`h${i}.yaml`);
      const run = await cliIn(box, 'run', file, '--out', join(box.out, `h${i}`), '--format', 'none');
      expectBadInput(run, message);
      expect(performance.now() - started).toBeLessThan(5000);
    });
  });

  it('tcp_retries2 and tcp_orphan_retries 255, the largest a u8 sysctl takes, run', async () => {
    const file = box.write(
      'u8-max.yaml',
      'extends: ./base.yaml\nkernel: {tcp_retries2: 255}\nlb: {mode: l4, kernel: {tcp_retries2: 255, tcp_orphan_retries: 255}}\n',
    );
    const r = await cliIn(box, 'run', file, '--out', join(box.out, 'u8-max'), '--format', 'none');
    expect(withoutWarnings(r.stderr)).toBe('');
    expect(r.code).toBe(0);
  });

  it('the schema still accepts every built-in scenario', async () => {
    const r = await cliIn(
      box,
      'validate',
      ...['hard-cut', 'sre-day', 'hc-cascade-safe', 'ws-stall', 'k8s-rolling-prestop'],
    );
    expect(withoutWarnings(r.stderr)).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('expectations', () => {
  it('validate reads every assertion as run would: a syntax error fails validate, with its line', async () => {
    const file = box.write(
      'expect-syntax.yaml',
      'extends: ./base.yaml\nexpect:\n  - errors.total == 0\n  - errors.total =< 0\n',
    );
    expectBadInput(await cliIn(box, 'validate', file), /expect-syntax\.yaml:4:\d+: expect\[1\]: 'errors\.total =< 0'/);
  });

  it.each([
    ['erors.total == 0', /unknown figure 'erors\.total'; did you mean 'errors\.total'\?/],
    ['max(reset_outt) over [1s, 2s] == 0', /unknown series 'reset_outt'; did you mean 'reset_out'\?/],
    ['value(active_conn@vm-z) at 5s > 0', /unknown backend 'vm-z'/],
    ['p99(request_latencyy) < 1s', /unknown series or histogram 'request_latencyy'/],
    ['max(reset_out) over [2m, 3m] == 0', /time '2m' is after the end of the run/],
    ['drain.vm-q.completed_within < 5m', /unknown figure 'drain\.vm-q\.completed_within'/],
  ])(
    'validate refuses %s as run would (77 of 460 fuzzed files used to fail only after the run), with its line',
    async (assertion, message) => {
      const file = box.write('expect-name.yaml', `extends: ./base.yaml\nexpect:\n  - "${assertion}"\n`);
      expectBadInput(
        await cliIn(box, 'validate', file),
        new RegExp(`expect-name\\.yaml:3:\\d+: expect\\[0\\]: .*${message.source}`),
      );
      const r = await cliIn(box, 'run', file, '--out', join(box.out, 'expect-name'), '--format', 'none');
      expectBadInput(r, message);
    },
  );

  it('names a run can answer pass validate, drains of any backend included', async () => {
    const file = box.write(
      'expect-ok.yaml',
      'extends: ./base.yaml\nexpect: ["errors.total == 0", "max(reset_out@vm-a) over [1s, 5s] == 0", "p99(request_latency) < 10s", "drain.vm-a.timed_out == 0", "value(active_conn) at 10s >= 0", "vm-a.reset_out.total == 0"]\n',
    );
    const r = await cliIn(box, 'validate', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('malformed YAML', () => {
  it('a YAML alias bomb is refused with its line, not an internal error', async () => {
    let text = 'extends: ./base.yaml\na0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++)
      text += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const r = await cliIn(box, 'validate', box.write('bomb.yaml', text));
    expectBadInput(r, /bomb\.yaml:3:\d+: YAML aliases expand to more than 1000 nodes/);
  });

  it('nesting that overflows the parser is reported as too deep, not as "Maximum call stack size exceeded"', async () => {
    const r = await cliIn(box, 'validate', box.write('deep.yaml', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`));
    expectBadInput(r, /deep\.yaml:1:\d+: nested deeper than 64 levels/);
    expect(r.stderr).not.toContain('call stack');
  });

  it('nesting the parser survives but the loader would recurse into is refused too', async () => {
    const r = await cliIn(box, 'validate', box.write('deep2.yaml', `a: ${'['.repeat(200)}${']'.repeat(200)}\n`));
    expectBadInput(r, /deep2\.yaml:1:1: nested deeper than 64 levels/);
  });
});

describe('command-line values', () => {
  it.each([
    ['run', '--seed', 'abc'],
    ['run', '--seed', '1e30'],
    ['run', '--seed', '-1'],
    ['check', '--seed', '99999999999999999999'],
  ])('%s %s %s is a usage error naming the option', async (command, option, value) => {
    const r = await cliIn(box, command, join(box.dir, 'base.yaml'), option, value, '--out', box.out);
    expectBadInput(
      r,
      new RegExp(
        `--seed: expected a whole number 0 … 2\\^53 − 1, found '${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`,
      ),
    );
  });

  it('plan drain --sessions 1e12 is refused (was unbounded work)', async () => {
    const r = await cliIn(box, 'plan', 'drain', '--lifetimes', 'exp(mean=2m)', '--sessions', '1e12');
    expectBadInput(r, /--sessions: expected a whole number 1 … 1,000,000, found '1e12'/);
  });

  it('--set a.b.c=1 is blamed on the --set option, not on the scenario file', async () => {
    const r = await cliIn(box, 'validate', join(box.dir, 'base.yaml'), '--set', 'a.b.c=1');
    expectBadInput(r, /^--set a\.b\.c=1: a: unknown key; did you mean 'app'\?$/m);
    expect(r.stderr).not.toContain('base.yaml');
  });
});

describe('long values answer fast and are not echoed whole', () => {
  it('a 1 MB enum value: exit 2 within seconds, the value cut, no "did you mean" search', async () => {
    const file = box.write('enum.yaml', `extends: ./base.yaml\nlb: {mode: "${'x'.repeat(1_000_000)}"}\n`);
    const started = performance.now();
    const r = await cliIn(box, 'validate', file);
    expectBadInput(r, /enum\.yaml:2:\d+: lb\.mode: expected one of 'l4', 'l7'/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.stderr.length).toBeLessThan(1000);
  });

  it('a 1 MB extends: value: exit 2 within seconds, not an invalid regular expression', async () => {
    const file = box.write('ext.yaml', `extends: "${'x'.repeat(1_000_000)}"\n`);
    const started = performance.now();
    const r = await cliIn(box, 'validate', file);
    expectBadInput(
      r,
      /ext\.yaml:1:\d+: extends: expected the name of a built-in scenario or a path, found 1000000 characters/,
    );
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.stderr.length).toBeLessThan(1000);
  });

  it('a 4000-character unknown backend name is cut in the message', async () => {
    const file = box.write(
      'backend.yaml',
      `extends: ./base.yaml\ntimeline: [{at: 1s, do: drain, backend: "${'b'.repeat(4000)}"}]\n`,
    );
    const r = await cliIn(box, 'validate', file);
    expectBadInput(r, /timeline\[0\]\.backend: unknown backend 'b{80}…\(4000 characters\)'/);
    expect(r.stderr.length).toBeLessThan(1000);
  });
});

mkdirSync(box.out, { recursive: true });
