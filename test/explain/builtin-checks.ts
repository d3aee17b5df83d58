/**
 * `explain` on every built-in scenario: each log line is the line its trace record writes, every
 * record has an explanation, and the narration quotes the same figures as summary.json. One run
 * per built-in (its own seed), shared with its golden checks (test/builtin-runs.ts); registered by
 * each test/golden-<k>.test.ts for its shard of the built-ins.
 */
import { describe, expect, it } from 'vitest';
import { RunFacts } from '../../sim/explain/run-facts.js';
import { builtinScenarioNames } from '../../sim/scenario/load.js';
import { entryOf, explanationOf, lineOf } from '../../sim/trace/catalog.js';
import { formatNumber } from '../../sim/util/format-number.js';
import { type BuiltinRun, SHARDS } from '../builtin-runs.js';

/** The checks every shard makes over its own built-ins (`names`). */
export function describeExplainBuiltins(names: string[], run: (name: string) => BuiltinRun): void {
  describe('explain on the built-in scenarios', () => {
    it('has built-ins with log lines to explain', () => {
      expect(builtinScenarioNames().length).toBeGreaterThan(20);
      // Over 5,000 lines in all: over 5,000 / SHARDS in each shard.
      expect(names.reduce((sum, name) => sum + run(name).result.events.length, 0)).toBeGreaterThan(5000 / SHARDS);
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

    it('finds as the busiest second of a whole run the peak summary.json quotes, for every counter', () => {
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
}

/** The checks that read built-ins by name (builtin-runs.ts PINNED_TO_FIRST): in shard 1. */
export function describeExplainNamed(run: (name: string) => BuiltinRun): void {
  describe('explain on named built-in scenarios', () => {
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
      // 1,234 before session 26 (kept-alive requests reaching nginx rtt/2 after their write: 1,229;
      // then leastconn's tree order); 1,231 before session 33 (the clients' 5-s idle close).
      expect(peak).toBe(1234);
      expect(stall.prose).toContain(`reconnect attempts (peak ${formatNumber(peak)}/s)`);
    });
  });
}
