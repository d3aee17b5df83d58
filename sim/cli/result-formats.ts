/**
 * `--format json|markdown` for `check` and `compare`: the same results as the text output, as a
 * document a CI step can post as a pull-request comment (markdown) or read (json). Deterministic:
 * no wall time, so the same runs give the same bytes.
 */
import { actualText } from '../expect/actual-text.js';
import type { Verdict } from '../expect/check.js';

// The shapes read here, declared structurally: check.ts and compare.ts import this file, so it
// cannot import their types back (no-circular in the architecture test).
type ScenarioCheck =
  | {
      status: 'pass' | 'fail';
      ref: string;
      name: string;
      seed: number;
      verdicts: Verdict[];
      failures: { verdict: Verdict; headline: string; printed: string }[];
      file: string;
      lines: (number | undefined)[];
    }
  | { status: 'error'; ref: string; name: string; error: string };

interface SummaryComparison {
  figures: {
    figure: string;
    base: number | null | undefined;
    candidate: number | null | undefined;
    tolerance: string;
    judgement: 'better' | 'worse' | 'changed';
    exceeded: boolean;
  }[];
  unchanged: number;
  expectations: { text: string; base: boolean | undefined; candidate: boolean | undefined; exceeded: boolean }[];
}

export const RESULT_FORMATS = ['text', 'json', 'markdown'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export function checkJson(checks: readonly ScenarioCheck[]): string {
  const scenarios = checks.map((c) => {
    if (c.status === 'error') return { file: c.ref, name: c.name, status: c.status, error: c.error };
    return {
      file: c.file,
      name: c.name,
      status: c.status,
      seed: c.seed,
      assertions: c.verdicts.map((v, i) => {
        const failed = c.failures.find((f) => f.verdict === v);
        return {
          text: v.text,
          ...(c.lines[i] === undefined ? {} : { line: c.lines[i] }),
          passed: v.passed,
          actual: v.actual,
          seed: v.seed,
          ...(v.at === undefined ? {} : { at_s: v.at }),
          ...(failed === undefined ? {} : { failure: failed.headline }),
        };
      }),
    };
  });
  const tally = (s: ScenarioCheck['status']): number => checks.filter((c) => c.status === s).length;
  return `${JSON.stringify({ passed: tally('pass'), failed: tally('fail'), errors: tally('error'), scenarios }, null, 2)}\n`;
}

/** Text for a markdown table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function checkMarkdown(checks: readonly ScenarioCheck[]): string {
  const tally = (s: ScenarioCheck['status']): number => checks.filter((c) => c.status === s).length;
  const mark = { pass: '✅', fail: '❌', error: '⚠️' } as const;
  const lines = [
    `### drainsim check: ${tally('pass')} passed, ${tally('fail')} failed, ${tally('error')} error${tally('error') === 1 ? '' : 's'}`,
    '',
    '| | scenario | assertion | result |',
    '|---|---|---|---|',
  ];
  for (const c of checks) {
    if (c.status === 'error') {
      lines.push(`| ${mark.error} | ${cell(c.ref)} | | ${cell(c.error.split('\n')[0]!)} |`);
      continue;
    }
    c.verdicts.forEach((v, i) => {
      const failed = c.failures.find((f) => f.verdict === v);
      const where = c.lines[i] === undefined ? c.file : `${c.file}:${c.lines[i]}`;
      lines.push(
        `| ${v.passed ? mark.pass : mark.fail} | ${cell(where)} | ${cell(code(v.text))} | ${cell(failed?.headline ?? `actual ${actualText(v)}`)} |`,
      );
    });
    if (c.verdicts.length === 0) lines.push(`| ${mark.pass} | ${cell(c.file)} | no assertions | |`);
  }
  const failures = checks.flatMap((c) => (c.status === 'error' ? [] : c.failures));
  for (const f of failures) {
    lines.push(
      '',
      `<details><summary>${cell(f.verdict.text).replace(/</g, '&lt;')}</summary>`,
      '',
      '```text',
      f.printed.trimEnd(),
      '```',
      '',
      '</details>',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function comparisonJson(cmp: SummaryComparison, baseline: string, candidate: string): string {
  const figures = cmp.figures.map((f) => ({
    figure: f.figure,
    baseline: f.base ?? null,
    candidate: f.candidate ?? null,
    ...(f.base === undefined ? { baseline_absent: true } : {}),
    ...(f.candidate === undefined ? { candidate_absent: true } : {}),
    tolerance: f.tolerance,
    judgement: f.judgement,
    exceeded: f.exceeded,
  }));
  return `${JSON.stringify({ baseline, candidate, unchanged: cmp.unchanged, figures, expectations: cmp.expectations }, null, 2)}\n`;
}

function show(v: number | null | undefined): string {
  return v === undefined ? 'absent' : v === null ? 'no value' : String(v);
}

export function comparisonMarkdown(cmp: SummaryComparison, baseline: string, candidate: string): string {
  const beyond = cmp.figures.filter((f) => f.exceeded).length;
  const regressions = cmp.expectations.filter((e) => e.exceeded).length;
  const better = cmp.figures.filter((f) => f.judgement === 'better').length;
  const worse = cmp.figures.filter((f) => f.judgement === 'worse').length;
  const lines = [
    `### drainsim compare: ${beyond + regressions === 0 ? '✅' : '❌'} ${cmp.figures.length} figures changed (${better} better, ${worse} worse), ${beyond} beyond tolerance, ${regressions} expectations newly failing`,
    '',
    `baseline ${code(baseline)} · candidate ${code(candidate)}`,
    '',
  ];
  if (cmp.figures.length > 0) {
    lines.push('| figure | baseline | candidate | tolerance | verdict |', '|---|---:|---:|---|---|');
    for (const f of cmp.figures) {
      const verdict = f.exceeded
        ? `❌ ${f.judgement === 'worse' ? 'worse' : 'lost'}`
        : f.judgement === 'better'
          ? '✅ better'
          : f.judgement === 'worse'
            ? 'worse (within tolerance)'
            : 'changed';
      lines.push(
        `| ${cell(code(f.figure))} | ${show(f.base)} | ${show(f.candidate)} | ${cell(f.tolerance)} | ${verdict} |`,
      );
    }
  }
  for (const e of cmp.expectations) {
    const word = (p: boolean | undefined): string => (p === undefined ? 'absent' : p ? 'passed' : 'failed');
    lines.push(
      `- ${e.exceeded ? '❌' : '•'} expectation ${cell(code(e.text))}: ${word(e.base)} → ${word(e.candidate)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
