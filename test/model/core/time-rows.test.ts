/**
 * The client records' rows of times (core/time-rows.ts): rows of a page never overlap, a full page
 * is followed by a new one, and a page once handed out is never replaced under its rows.
 */
import { describe, expect, it } from 'vitest';
import { TimeRows } from '../../../sim/model/core/time-rows.js';

describe('TimeRows', () => {
  it('hands out consecutive rows of a page, then a new page when it is full', () => {
    const rows = new TimeRows(3, 4);
    const taken: Array<[Float64Array, number]> = [];
    for (let i = 0; i < 9; i++) {
      const at = rows.take();
      taken.push([rows.page, at]);
    }
    expect(taken.map(([, at]) => at)).toEqual([0, 3, 6, 9, 0, 3, 6, 9, 0]);
    const [first, second, third] = [taken[0]![0], taken[4]![0], taken[8]![0]];
    expect(first).not.toBe(second);
    expect(second).not.toBe(third);
    expect(taken.slice(0, 4).every(([page]) => page === first)).toBe(true);
    expect(first.length).toBe(12);
  });

  it('a row keeps what was written to it while later rows are taken', () => {
    const rows = new TimeRows(2, 2);
    const at = rows.take();
    const page = rows.page;
    page[at] = 0.5;
    page[at + 1] = 2 ** 40;
    for (let i = 0; i < 10; i++) {
      const other = rows.take();
      rows.page[other] = -1;
      rows.page[other + 1] = -1;
    }
    expect([page[at], page[at + 1]]).toEqual([0.5, 2 ** 40]);
  });

  it('ints is the current page as int32s: two to each of its numbers, on the same bytes, a new view with each new page', () => {
    const rows = new TimeRows(3, 2);
    rows.take();
    const [page, ints] = [rows.page, rows.ints];
    expect(ints.buffer).toBe(page.buffer);
    expect(ints.length).toBe(2 * page.length);
    const at = rows.take();
    ints[2 * at + 4] = -7;
    ints[2 * at + 5] = 2 ** 31 - 1;
    expect([page[at], page[at + 1], ints[2 * at + 4], ints[2 * at + 5]]).toEqual([0, 0, -7, 2 ** 31 - 1]);
    rows.take();
    expect(rows.ints).not.toBe(ints);
    expect(rows.ints.buffer).toBe(rows.page.buffer);
  });
});
