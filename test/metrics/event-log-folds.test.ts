import { describe, expect, it } from 'vitest';
import { EventLog } from '../../sim/metrics/event-log.js';
import { logLines } from '../../sim/trace/log-lines.js';
import type { TraceInput } from '../../sim/trace/records.js';

/** A note record: the simplest kind, enough to exercise the per-second rate limit. */
const note = (text: string): TraceInput => ({ kind: 'deploy.note', text }) as TraceInput;

/** Emits `count` rate-limited records at 10.0, 10.1, … (all in one second) and returns the log's lines. */
function burstOf(count: number) {
  const clock = { now: 0 };
  const log = new EventLog(clock, 5);
  for (let i = 0; i < count; i++) {
    clock.now = 10 + i * 0.1;
    log.emitLimited('k', note(`n${i}`));
  }
  return logLines(log.finish());
}

/** Events the lines stand for, reading each fold as its own record plus "(N more like this)". */
const eventsRead = (lines: ReturnType<typeof burstOf>): number => lines.reduce((n, l) => n + 1 + l.folded, 0);

describe('EventLog folds: a line plus "(N more like this in this second)" stands for N + 1 events', () => {
  it('9 records in a second: 5 lines, then one fold of the other 4 showing the last (N = 3)', () => {
    const lines = burstOf(9);
    expect(lines.map((l) => l.text)).toEqual([
      ...['n0', 'n1', 'n2', 'n3', 'n4'].map((t) => expect.stringContaining(t)),
      expect.stringMatching(/n8 \(3 more like this in this second\)$/),
    ]);
    expect(lines[5]!.t).toBe(10.999);
    expect(eventsRead(lines)).toBe(9);
  });

  it('6 records: the one repeat past the burst is logged as itself at its own time, no fold', () => {
    const lines = burstOf(6);
    expect(lines).toHaveLength(6);
    expect(lines[5]!.folded).toBe(0);
    expect(lines[5]!.t).toBeCloseTo(10.5, 9);
    expect(lines[5]!.text).not.toContain('more like this');
    expect(eventsRead(lines)).toBe(6);
  });

  it('a single repeat keeps its place among records of the same instant (review27 #3)', () => {
    const clock = { now: 0 };
    const log = new EventLog(clock, 5);
    for (let i = 0; i < 6; i++) {
      clock.now = 10 + i * 0.1;
      log.emitLimited('k', note(`rep${i}`));
    }
    log.emit(note('plain'));
    const texts = logLines(log.finish()).map((l) => l.text);
    expect(texts.slice(-2)).toEqual([expect.stringContaining('rep5'), expect.stringContaining('plain')]);
  });

  it('5 records or fewer: no fold', () => {
    expect(eventsRead(burstOf(5))).toBe(5);
    expect(burstOf(5).every((l) => l.folded === 0)).toBe(true);
  });
});
