/**
 * `explain` on every built-in scenario: each log line is the line its trace record writes, every
 * record has an explanation, and the narration quotes the same figures as summary.json. One run
 * per built-in (its own seed), shared by every assertion.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { narrate } from '../../sim/explain/narrate.js';
import { RunFacts } from '../../sim/explain/run-facts.js';
import type { RunResult } from '../../sim/result.js';
import { runScenario } from '../../sim/run-scenario.js';
import { builtinScenarioNames } from '../../sim/scenario/load.js';
import { loadScenarioForCli, namedScenario } from '../../sim/scenario/load-for-run.js';
import type { Scenario } from '../../sim/scenario/schema.js';
import { entryOf, explanationOf, lineOf } from '../../sim/trace/catalog.js';
import { formatNumber } from '../../sim/util/format-number.js';

interface Run {
  result: RunResult;
  scenario: Scenario;
  narration: string;
  /** The narration with its line wrapping undone, for phrases. */
  prose: string;
}

const names = builtinScenarioNames();
const runs = new Map<string, Run>();
const run = (name: string): Run => runs.get(name)!;

beforeAll(() => {
  for (const name of names) {
    const scenario = namedScenario(loadScenarioForCli(name));
    const result = runScenario(scenario);
    const narration = narrate(result, scenario, { color: false, width: 100 });
    runs.set(name, { result, scenario, narration, prose: narration.replace(/\s+/g, ' ') });
  }
}, 600_000);

describe('explain on the built-in scenarios', () => {
  it('has built-ins with log lines to explain', () => {
    expect(names.length).toBeGreaterThan(20);
    expect(names.reduce((sum, name) => sum + run(name).result.events.length, 0)).toBeGreaterThan(5000);
  });

  it('writes every log line from its record: no line without a record', () => {
    for (const name of names) {
      for (const line of run(name).result.events) {
        const where = `${name} ${line.t} [${line.source}] ${line.text}`;
        expect(line.record, where).toBeDefined();
        const suffix = line.folded > 0 ? ` (${line.folded} more like this in this second)` : '';
        expect(`${lineOf(line.record)}${suffix}`, where).toBe(line.text);
        expect(entryOf(line.record).source, where).toBe(line.source);
      }
    }
  });

  it('explains every record kind the built-ins emit', () => {
    for (const name of names) {
      for (const { record } of run(name).result.events) {
        const note = explanationOf(record);
        expect(note.length, `${name} ${record.kind}`).toBeGreaterThan(40);
        expect(note, `${name} ${record.kind}`).not.toMatch(/undefined|NaN|null|\$\{|\[object/);
      }
    }
  });

  it('puts a note under every narrated line (the first of a group, or the last for progress lines)', () => {
    for (const name of names) {
      const lines = run(name).narration.split('\n');
      lines.forEach((line, i) => {
        if (!/^ {2}\d\d:\d\d:\d\d\.\d{3} \[/.test(line)) return;
        const next = lines[i + 1] ?? '';
        // The last of a group is printed after "… N more like this …; the last:" and noted only
        // for progress lines; the first of a group always has its note or that count under it.
        const afterCount = /the\s*$|last:$/.test(lines[i - 1] ?? '');
        if (!afterCount) expect(next, `${name}: ${line}`).toMatch(/^ {6}[→…]/);
      });
    }
  });

  it('says which kind of load balancer the scenario has (hc-cascade balances each request at L7)', () => {
    expect(run('hc-cascade').scenario.lb.mode).toBe('l7');
    expect(run('hc-cascade').prose).toContain(
      'behind an L7 load balancer that terminates HTTP and picks a backend for each request',
    );
    expect(run('hc-cascade').prose).not.toContain('L4');
    expect(run('hard-cut').prose).toContain('behind an L4 load balancer');
  });

  it('quotes the per-second peaks summary.json quotes (ws-stall: 1,234 reconnects/s, not a 10 s average)', () => {
    const stall = run('ws-stall');
    const peak = stall.result.figures['reconnects.peak_per_s']!;
    expect(peak).toBe(1234);
    expect(stall.prose).toContain(`reconnect attempts (peak ${formatNumber(peak)}/s)`);
    // Over a whole run, the busiest second explain finds is the figure, for every counter of every built-in.
    for (const name of names) {
      const { result, scenario } = run(name);
      const facts = new RunFacts(result, scenario);
      for (const s of result.timeline.series.filter((x) => x.kind === 'counter')) {
        expect(facts.peakPerSecond(s.name, 'total', -Infinity, Infinity), `${name} ${s.name}`).toBe(
          result.figures[`${s.name}.peak_per_s`],
        );
      }
    }
  });
});
