/**
 * The packed backend set (backend-set.ts): up to three members in one small integer, an array past
 * that. Each case fails if a field's width, shift or `index + 1` offset breaks.
 */
import { describe, expect, it } from 'vitest';
import {
  BackendSet,
  backendCount,
  backendsOf,
  hasBackend,
  markBackends,
  NO_BACKENDS,
  PACKED_INDEX_LIMIT,
  type PackedBackends,
  withBackend,
} from '../../../sim/model/core/backend-set.js';
import { Req } from '../../../sim/model/core/request.js';
import { MAX_BACKENDS } from '../../../sim/scenario/limits.js';

const setOf = (...bs: number[]): PackedBackends => bs.reduce(withBackend, NO_BACKENDS as PackedBackends);
const LARGEST = MAX_BACKENDS - 1;

describe('packed backend set', () => {
  it('packs up to three members, index 0 and the largest index included, into one Smi-range integer', () => {
    for (const members of [[0], [0, LARGEST], [LARGEST, 0, 1], [5, 6, 7], [PACKED_INDEX_LIMIT - 1, 0, 1]]) {
      const s = setOf(...members);
      expect(typeof s).toBe('number');
      expect(s as number).toBeLessThan(2 ** 30);
      expect(backendsOf(s)).toEqual(members);
      expect(backendCount(s)).toBe(members.length);
      for (let b = 0; b < MAX_BACKENDS; b++) expect(hasBackend(s, b)).toBe(members.includes(b));
    }
  });

  it('the empty set has nobody, not even index 0 or the largest', () => {
    expect(backendCount(NO_BACKENDS)).toBe(0);
    expect([hasBackend(NO_BACKENDS, 0), hasBackend(NO_BACKENDS, LARGEST)]).toEqual([false, false]);
  });

  it('adding a member twice keeps one', () => {
    const s = setOf(0, LARGEST, 0, LARGEST);
    expect([backendCount(s), backendsOf(s)]).toEqual([2, [0, LARGEST]]);
  });

  it('a fourth member (and more) moves the set to an array that keeps all of them', () => {
    const s = setOf(0, 1, LARGEST, 2, 500, LARGEST - 1);
    expect(Array.isArray(s)).toBe(true);
    expect(backendsOf(s)).toEqual([0, 1, LARGEST, 2, 500, LARGEST - 1]);
    for (let b = 0; b < MAX_BACKENDS; b++)
      expect(hasBackend(s, b)).toBe([0, 1, 2, 500, LARGEST - 1, LARGEST].includes(b));
    expect(backendCount(withBackend(s, 2))).toBe(6);
  });

  it('an index too large to pack goes to the array form, also as the first member', () => {
    const s = setOf(PACKED_INDEX_LIMIT);
    expect(Array.isArray(s)).toBe(true);
    expect([hasBackend(s, PACKED_INDEX_LIMIT), hasBackend(s, 0), hasBackend(s, PACKED_INDEX_LIMIT - 1)]).toEqual([
      true,
      false,
      false,
    ]);
    expect(backendsOf(setOf(3, 70_000))).toEqual([3, 70_000]);
  });

  it('marks and unmarks exactly its members in a pool mask, packed or not', () => {
    for (const members of [
      [0, LARGEST],
      [0, 1, 2, LARGEST],
    ]) {
      const mask = new Uint8Array(MAX_BACKENDS);
      markBackends(mask, setOf(...members), 1);
      expect([...mask.keys()].filter((b) => mask[b] === 1)).toEqual([...members].sort((a, b) => a - b));
      markBackends(mask, setOf(...members), 0);
      expect(mask.every((v) => v === 0)).toBe(true);
    }
  });
});

describe("a request's tried backends", () => {
  it('live in one field, cleared by a new attempt', () => {
    const req = new Req(() => {});
    // A Req is allocated per request: one field, not one per member (README "Issue 10's refactor").
    expect(Object.keys(req).filter((k) => /tried|slot/i.test(k))).toEqual(['tried']);
    for (const b of [0, LARGEST, 7, 8]) req.addTried(b);
    expect([req.excludes(0), req.excludes(LARGEST), req.excludes(8), req.excludes(9)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    req.clearTried();
    expect([req.tried, req.excludes(0)]).toEqual([NO_BACKENDS, false]);
    req.addTried(0);
    expect([typeof req.tried, req.excludes(0), req.excludes(1)]).toEqual(['number', true, false]);
  });

  it('BackendSet.only makes a one-member set, whatever it held', () => {
    const s = new BackendSet();
    for (const b of [1, 2, 3, 4]) s.add(b);
    expect([s.only(0).size, s.has(0), s.has(1)]).toEqual([1, true, false]);
    expect(s.only(LARGEST).members).toBe(LARGEST + 1);
  });
});
