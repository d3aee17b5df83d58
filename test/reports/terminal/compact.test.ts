import { describe, expect, it } from 'vitest';
import { renderCompact, SUMMARY_LINES } from '../../../reports/terminal/compact/index.js';
import { fitSections } from '../../../reports/terminal/compact/sections.js';
import { fixtureResult } from '../fixture.js';

const ctx = { color: false, width: 80, written: [] as string[] };
const items = (n: number, p: string): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('fitSections', () => {
  it('cuts the least important section first, down to its keep, and counts what it hid', () => {
    const fitted = fitSections(
      [
        { title: 'A', items: items(5, 'a'), keep: 2, importance: 2 },
        { title: 'B', items: items(5, 'b'), keep: 1, importance: 0 },
      ],
      8,
    );
    expect(fitted.map((f) => [f.title, f.items.length, f.hidden])).toEqual([
      ['A', 5, 0],
      ['B', 1, 4],
    ]);
  });

  it('goes below keep to the floor only when keep is not enough, and never below the floor', () => {
    const fitted = fitSections(
      [
        { title: 'A', items: items(6, 'a'), keep: 4, floor: 3, importance: 1 },
        { title: 'B', items: items(6, 'b'), keep: 4, floor: 1, importance: 0 },
      ],
      6,
    );
    expect(fitted.map((f) => f.items.length)).toEqual([3, 1]);
  });

  it('drops a section cut to nothing, title and all', () => {
    const fitted = fitSections(
      [
        { title: 'A', items: items(3, 'a'), keep: 3, importance: 1 },
        { title: 'B', items: items(3, 'b'), keep: 0, importance: 0 },
      ],
      4,
    );
    expect(fitted.map((f) => f.title)).toEqual(['A']);
  });
});

describe('renderCompact', () => {
  it('tells the story: each action with what followed it', () => {
    const text = renderCompact(fixtureResult(), ctx);
    expect(text).toMatch(/^ {2}14:00:10 {2}drain vm-a timeout=20s {2}→ 42 RSTs to clients$/m);
  });

  it('shows only figures that are not zero, with peaks per second', () => {
    const text = renderCompact(fixtureResult(), ctx);
    expect(text).toMatch(/reset_out +42 · peak 4\.2\/s/);
    expect(text).not.toMatch(/ 0 · peak/);
  });

  it('keeps every failed expectation when it must cut, failures first', () => {
    const result = fixtureResult();
    const failing = Array.from({ length: 40 }, (_, i) => ({ text: `x${i} == 0`, passed: false, actual: 1 }));
    result.expectations = [
      ...Array.from({ length: 10 }, (_, i) => ({ text: `ok${i}`, passed: true, actual: 0 })),
      ...failing,
    ];
    const lines = renderCompact(result, ctx).split('\n');
    for (const f of failing) expect(lines).toContain(`  FAIL ${f.text}  actual 1`);
    expect(lines.filter((l) => l.includes('PASS ok'))).toEqual([]);
  });

  it('fits in 30 lines when every section is long', () => {
    const result = fixtureResult();
    result.expectations = Array.from({ length: 25 }, (_, i) => ({ text: `ok${i}`, passed: true, actual: 0 }));
    const lines = renderCompact(result, ctx).trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(SUMMARY_LINES);
    expect(lines.some((l) => l.startsWith('Expectations') && l.includes('more: --verbose'))).toBe(true);
  });
});
