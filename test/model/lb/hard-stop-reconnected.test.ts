/**
 * hard-stop-after shuts only the streams the OLD process still holds (HAProxy 2.6 src/proxy.c
 * hard_stop(): stream_shutdown() on the streams of its own process): a client whose connection
 * through the old process ended after the reload and reconnected through the new one keeps its
 * new connection. drainsim reuses a finished connection's record for a later connection
 * (pooled records: core/request.ts reset), so lb/hard-stop.ts tells them apart by
 * `connectStartedAt` at the reload. Regime: every connection carries 3 requests 1 s apart (~2 s),
 * so by the hard stop (5 s after the reload) each old connection has ended and its record carries
 * a connection through the new process. Catches review41 HS1:
 * hardStop without the `conn.connectStartedAt !== old.startedAt[i]` check (it cuts the new
 * process's flows: a FIN and an RST for each).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';

describe('hard-stop-after when every old connection has ended and its client reconnected', () => {
  let r: RunResult;
  beforeAll(() => {
    r = run({
      warmup: '0s',
      horizon: '30s',
      clients: {
        http: { arrival_rate: 10, requests_per_connection: 'const(3)', think_time: 'const(1s)', retries: 0 },
      },
      lb: { mode: 'l4', hard_stop_after: '5s' },
      backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
      timeline: [{ at: '10.5s', do: 'lb_reload' }],
    } as ScenarioInput);
  });

  it('the hard stop finds no stream of the old process and cuts none of the new ones', () => {
    const [reload] = recordsOf(r, 'lb.reload');
    // The regime: the old process held streams at the reload.
    expect(reload.streams).toBeGreaterThan(10);
    const stops = recordsOf(r, 'lb.hard_stop');
    expect(stops).toHaveLength(1);
    expect(stops[0].t).toBeCloseTo(15.5, 6);
    expect(stops[0].streams).toBe(0);
    // stream_shutdown() would reset nginx's side: nothing reset in the hard stop's second.
    expect(between(r, 'reset_in', 15, 16)).toBe(0);
    expect(r.figures['reset_in.total'] ?? 0).toBe(0);
  });
});
