import { describe, expect, it } from 'vitest';
import { formatNumber, formatValue, isSecondsKey } from '../../../reports/terminal/format.js';

describe('isSecondsKey', () => {
  it('recognises seconds by the end of the last dotted segment', () => {
    for (const key of ['drain.duration_s', 'request.latency', 'ws.lifetime', 'conn.age', 'drain.duration', 'x_s']) {
      expect(isSecondsKey(key), key).toBe(true);
    }
  });

  it('holds seconds for GC pauses and drain times, as assertions do (figure-unit.ts)', () => {
    for (const key of ['app_pause.p99', 'app_pause.max', 'drain.vm-a.started_at', 'drain.vm-a.completed_within']) {
      expect(isSecondsKey(key), key).toBe(true);
    }
    for (const key of ['app_pause.count', 'drain.vm-a.active_at_start', 'connect_latency.count']) {
      expect(isSecondsKey(key), key).toBe(false);
    }
  });

  it('does not take rates or plain counts for seconds', () => {
    for (const key of ['reset_out.peak_per_s', 'errors.total', 'retries', 'conn.s.total']) {
      expect(isSecondsKey(key), key).toBe(false);
    }
  });
});

describe('formatNumber', () => {
  it('groups thousands and keeps at most 3 decimals, whatever the locale', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(1234.56789)).toBe('1,234.568');
    expect(formatNumber(-0.0001)).toBe('0');
    expect(formatNumber(NaN)).toBe('n/a');
  });
});

describe('formatValue', () => {
  it('formats seconds as durations and everything else as numbers', () => {
    expect(formatValue('request.latency', 0.045)).toBe('45ms');
    expect(formatValue('drain.duration_s', 5400)).toBe('1h 30m');
    expect(formatValue('reset_out.peak_per_s', 4.2)).toBe('4.2');
  });
});
