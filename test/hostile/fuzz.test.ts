/**
 * Issue #17: mutated scenario files, generated from the built-ins by fast-check (seeded), run
 * through the CLI's main() in-process with short horizons. Whatever the mutation, drainsim answers
 * with exit 0, 1 or 2 — never a crash — and an exit 2 names the file (and, for a value in it, the
 * line); no stack trace reaches stderr; nothing is written outside --out; Object.prototype is
 * untouched. `FUZZ_RUNS=10000 npx vitest run test/hostile/fuzz.test.ts` searches longer.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { builtinScenarioNames, packageRoot } from '../../sim/scenario/load.js';
import { cliIn, expectPrototypeUntouched, STACK_FRAME, sandbox } from './sandbox.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 17);
/**
 * The whole property's time limit grows with the case count: 10,000 cases took 530 s on a quiet
 * 2-core machine and 2,900 s at load 17, where a fixed 600 s limit failed a run whose every case
 * had passed. Each case keeps its own 15 s bound below, which is what catches a hang.
 */
const PROPERTY_TIMEOUT_MS = Math.max(600_000, RUNS * 1_000);

type Data = Record<string, unknown> | unknown[];
type Path = (string | number)[];

const SCENARIOS = builtinScenarioNames().map((name) => ({
  name,
  data: parse(readFileSync(join(packageRoot(), 'scenarios', `${name}.yaml`), 'utf8')) as Record<string, unknown>,
}));

/** Values that broke drainsim before issue #17, and plain random ones. */
const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(
    0,
    -1,
    1e308,
    1e9,
    2 ** 53 + 2,
    0.5,
    '0s',
    '1us',
    '-1m',
    '25:00',
    '99:99',
    '5 fortnights',
    '1e308s',
    '100000000000d',
    '',
    ' ',
    'none',
    'infinite',
    '0',
    '__proto__',
    'constructor',
    null,
    true,
    [],
    {},
    'empirical(/dev/zero)',
    'empirical(/etc/passwd)',
    'empirical(missing.csv)',
    '../../x',
    'exp(mean=0s)',
    'lognormal(median=1s, p99=0.5s)',
    'mix(1.5 const(1s))',
    'x'.repeat(5000),
    'errors.total == 0 across seeds 99999999999999999999',
    'erors.total == 0',
    { at: '1s', do: 'note' },
    { at: '25:00', do: 'drain', backend: 'vm-a' },
    [{ name: 'vm-a' }, { name: 'vm-a' }],
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
);

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'replace', 'delete', 'rename', 'insert'),
  key: fc.constantFrom('inter', 'poll', 'horizon', '__proto__', 'x', 'at', 'do', 'rate', ''),
  value: hostileValue,
});

/** Every path inside the data (mappings and lists), the root excluded. */
function paths(data: unknown, at: Path = []): Path[] {
  if (data === null || typeof data !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(data) ? data.map((v, i) => [i, v]) : Object.entries(data);
  return entries.flatMap(([key, value]) => [[...at, key], ...paths(value, [...at, key])]);
}

function parentOf(data: Data, path: Path): Data {
  return path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], data) as Data;
}

function mutate(data: Record<string, unknown>, m: { at: number; op: string; key: string; value: unknown }): void {
  const all = paths(data);
  if (all.length === 0) return;
  const path = all[m.at % all.length]!;
  const parent = parentOf(data, path) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (m.op === 'replace') parent[key] = m.value;
  else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
  else if (m.op === 'rename' && !Array.isArray(parent)) {
    Object.defineProperty(parent, `${String(key).slice(0, -1)}${String(key).slice(-1) === 'e' ? 'r' : 'e'}`, {
      value: parent[key],
      enumerable: true,
      configurable: true,
      writable: true,
    });
    delete parent[key];
  } else {
    const target = parent[key];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    } else parent[key] = m.value;
  }
}

const box = sandbox('drainsim-fuzz-');
/** An exit 2 says where: the file, with a line for anything written in it. */
const LOCATED = /^(?:[^\s:]+\.(?:ya?ml|csv)(?::\d+:\d+)?|--set [^:]+|--out): /;
const WARNING = /^warning: [^\s:]+\.ya?ml(?::\d+)?: [\w.[\]]+: /;

describe('fuzzed scenario files', () => {
  it(
    `answer with exit 0, 1 or 2, precisely (${RUNS} cases, seed ${SEED})`,
    async () => {
      let count = 0;
      const codes = [0, 0, 0];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...SCENARIOS),
          fc.array(mutation, { minLength: 1, maxLength: 2 }),
          fc.boolean(),
          async (scenario, mutations, keepExpect) => {
            const data = structuredClone(scenario.data);
            // The built-ins' assertions name times and drains past a short horizon; keep them in half the cases.
            if (!keepExpect) delete data.expect;
            for (const m of mutations) mutate(data, m);
            // Short runs keep a case fast; a mutation of horizon or warmup itself is kept.
            if (!mutations.some((m) => m.key === 'horizon')) Object.assign(data, { warmup: '0s', horizon: '5s' });
            const file = box.write(`f${count}.yaml`, stringify(data));
            const out = join(box.out, `f${count}`);
            count++;
            const started = performance.now();
            const r = await cliIn(box, 'run', file, '--out', out, '--format', 'none', '--max-events', '3e6');
            const context = `${file}\n${stringify(data).slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
            expect([0, 1, 2], context).toContain(r.code);
            expect(r.stderr, context).not.toMatch(STACK_FRAME);
            expect(r.stderr, context).not.toContain('internal error');
            if (r.code === 2) {
              // A scenario warning (printed before the error, never changing the exit code) names its
              // file and line too (warning: <file>:<line>: <path>: …).
              for (const line of r.stderr.trimEnd().split('\n'))
                expect(line, context).toMatch(line.startsWith('warning: ') ? WARNING : LOCATED);
              // A value written in the file is found on its line.
              if (/: [a-z_]+(?:\[\d+\])?\.?[\w.[\]]*: /.test(r.stderr) && r.stderr.startsWith(file))
                expect(r.stderr, context).toMatch(/^\S+\.yaml:\d+:\d+: /);
            }
            expect(performance.now() - started, context).toBeLessThan(15_000);
            expectPrototypeUntouched();
            codes[r.code]!++;
            if (process.env.FUZZ_LOG)
              appendFileSync(process.env.FUZZ_LOG, `${r.code} ${r.stderr.split('\n')[0]!.slice(0, 200)}\n`);
            rmSync(out, { recursive: true, force: true });
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      // The generator reaches all three answers, so the property is not vacuous.
      console.log(`fuzz: ${count} cases, exit codes 0/1/2: ${codes.join('/')}`);
      expect(codes[2]).toBeGreaterThan(0);
      expect(codes[0]! + codes[1]!).toBeGreaterThan(0);
    },
    PROPERTY_TIMEOUT_MS,
  );
});
