/**
 * The app's WebSocket policies each do what their schema says, and the log says only what
 * happened (ws-endpoint.ts): `drain_notice` sends DRAIN_NOTICE when the drain starts and closes
 * nothing by itself; `close_after` closes the sessions still open that long after the notice;
 * `close_on_shutdown` closes them with 1001 at SIGTERM, not at drain start.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, series } from '../helpers.js';

function drained(ws: Record<string, unknown>): RunResult {
  return run({
    warmup: '0s',
    horizon: '4m',
    clients: {
      ws: {
        initial_sessions: 200,
        initial_ramp: '10s',
        lifetime: 'const(24h)',
        reconnect: { policy: 'exponential', base: '1s', cap: '30s' },
      },
    },
    app: { graceful_shutdown: true, shutdown_grace: '30s', ws },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    // Drain at 60 s; the gate gives up at 120 s and SIGTERM follows.
    timeline: [
      {
        at: '60s',
        do: 'deploy',
        backend: 'vm-a',
        gate: { threshold: 1, max_wait: '60s', poll: '10s', on_timeout: 'force' },
        terminate: 'graceful',
      },
    ],
  } as ScenarioInput);
}

/** When the 1001 closes happened on vm-a: [first, last] sample time with any. */
function closesAt(r: RunResult): number[] {
  return series(r, 'ws_close_1001', 'vm-a')
    .filter(([, v]) => v > 0)
    .map(([t]) => t);
}

const lines = (r: RunResult, word: string) => r.events.filter((e) => e.text.includes(word)).map((e) => e.text);

describe('WebSocket drain policies', () => {
  it('close_on_shutdown closes at SIGTERM (after the gate), not at drain start, and sends no notice', () => {
    const r = drained({ close_on_shutdown: true });
    const t = closesAt(r);
    expect(t.length).toBeGreaterThan(0);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(120);
    expect(Math.min(...t)).toBeLessThan(125);
    expect(lines(r, 'DRAIN_NOTICE')).toEqual([]);
    expect(lines(r, 'shutdown: closing').length).toBe(1);
  });

  it('drain_notice alone is logged and closes nothing before SIGTERM', () => {
    const r = drained({ drain_notice: true, retry_after: '15s' });
    expect(lines(r, 'DRAIN_NOTICE')).toEqual([expect.stringMatching(/sent to \d+ sessions$/)]);
    expect(closesAt(r)).toEqual([]);
  });

  it('drain_notice with close_after D waits D after the notice, then closes with 1001', () => {
    const r = drained({ drain_notice: true, close_after: '30s' });
    const t = closesAt(r);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(90);
    expect(Math.min(...t)).toBeLessThan(95);
    expect(lines(r, 'DRAIN_NOTICE')).toEqual([expect.stringContaining('closing the rest with 1001 after 30s')]);
  });
});
