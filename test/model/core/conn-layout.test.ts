/**
 * Issue 14, memory at 100k clients: a client record (Conn) lives as long as its connection, ~100k
 * of them at once. Each own property is an 8-byte slot, and one holding a fraction or a number
 * beyond int32 also points to a 16-byte heap number of its own. The record's times and timer ids
 * sit in one array of doubles (conn.ts `times`); this counts what a record holds.
 */
import { describe, expect, it } from 'vitest';
import { type Conn, ConnKind, NOT_WAITING, newClientRecord } from '../../../sim/model/core/conn.js';

const TIMES = [
  'timer',
  'requestTimer',
  'upstreamReadTimer',
  'waitingSince',
  'requestStartedAt',
  'serviceEnd',
  'lastActivity',
  'lbSeenAt',
  'lastBackoff',
  'connectStartedAt',
] as const;

/** Own properties of `record` that V8 would box: numbers that are not int32. */
function boxedNumbers(record: object): string[] {
  return Object.entries(record)
    .filter(([, v]) => typeof v === 'number' && (v | 0) !== v)
    .map(([k]) => k);
}

describe('client record layout', () => {
  it('keeps its times and timer ids in one array, read and written by name', () => {
    const conn = newClientRecord(1, ConnKind.HTTP) as Conn & Record<(typeof TIMES)[number], number>;
    expect(conn.timer).toBe(-1);
    expect(conn.waitingSince).toBe(NOT_WAITING);
    TIMES.forEach((name, i) => {
      // A timer id past 2^31, a fraction: what makes a field a boxed double.
      conn[name] = i % 2 === 0 ? 2 ** 40 + i : i + 0.25;
    });
    TIMES.forEach((name, i) => {
      expect(conn[name], name).toBe(i % 2 === 0 ? 2 ** 40 + i : i + 0.25);
    });
    expect(boxedNumbers(conn)).toEqual([]);
    for (const name of TIMES) expect(Object.hasOwn(conn, name), name).toBe(false);
  });

  it('holds at most 33 own properties (8 bytes each; 43 and ten heap numbers before session 15)', () => {
    const http = newClientRecord(1, ConnKind.HTTP);
    expect(Object.keys(http).length).toBeLessThanOrEqual(33);
    // A WebSocket record adds its session's six fields, three of them times (boxed).
    const ws = newClientRecord(2, ConnKind.WS);
    expect(Object.keys(ws).length).toBeLessThanOrEqual(39);
  });
});
