/**
 * An http-mode reload's soft stop (lb.mode l7, `lb_reload`): the old process closes its idle
 * keep-alive client connections at once and a busy one after its answer ("Connection: close"):
 * mux_stopping_process() (src/connection.c) → h1_process() / h1_set_cli_conn_mode()
 * (src/mux_h1.c); lb/l7-http-front.ts softStop. Each client sends its next request on a new
 * connection (to the new process): nothing fails. Recorded: haproxy-holdout3 reload-hsa3-http,
 * 12 of 12 keep-alive client connections closed within 35 ms of the reload, 0 requests failed.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run, window } from '../helpers.js';

/** 40 long keep-alive connections opened in the first 2 s, a request every 500 ms taking 200 ms. */
function reloaded(mode: 'l4' | 'l7'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '20s',
    sample_interval: '250ms',
    clients: {
      rtt: '1ms',
      http: {
        arrival_rate: 20,
        requests_per_connection: 'const(100000)',
        think_time: 'const(300ms)',
        retries: 0,
        request_timeout: '8s',
      },
    },
    app: { workers: 64, service_time: 'const(200ms)' },
    lb: { mode, timeout_client: '30s', timeout_server: '30s' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [
      { at: '2s', do: 'load', http_rate: 0 },
      { at: '10.1s', do: 'lb_reload' },
    ],
  } as ScenarioInput;
}

const total = (r: RunResult, name: string, from: number, to: number): number =>
  window(r, name, from, to).reduce((a, b) => a + b, 0);

describe('lb_reload in http mode (l7): the old process lets its keep-alive client connections go', () => {
  it('closes the idle ones at once and the busy ones after their answer; every client reconnects, nothing fails', () => {
    const r = run(reloaded('l7'), 1);
    const [stop] = recordsOf(r, 'lb.soft_stop_clients');
    expect(stop.t).toBeCloseTo(10.1, 9);
    // 200 ms busy of every 500 ms: both kinds are there.
    expect(stop.idleClosed).toBeGreaterThan(10);
    expect(stop.busy).toBeGreaterThan(5);
    const open = stop.idleClosed + stop.busy;
    expect(open).toBeGreaterThan(30);
    // The idle ones in the sample of the reload (FIN from the LB), the busy ones within 200 ms.
    expect(total(r, 'closed_fin', 10.25, 10.25)).toBeGreaterThanOrEqual(stop.idleClosed);
    expect(total(r, 'closed_fin', 10.25, 10.5)).toBe(open);
    // Each client's next request goes on a new connection (to the new process), within a think time.
    expect(total(r, 'lb_conns_opened', 10.25, 10.75)).toBe(open);
    // The new process's connections are not closed: nothing more until the horizon.
    expect(total(r, 'closed_fin', 10.75, 20)).toBe(0);
    expect(r.figures['errors.total'] ?? 0).toBe(0);
  });

  it('a second reload closes the connections the first one opened', () => {
    const input = reloaded('l7');
    const r = run({ ...input, timeline: [...input.timeline!, { at: '15.1s', do: 'lb_reload' }] } as ScenarioInput, 1);
    const [first, second] = recordsOf(r, 'lb.soft_stop_clients');
    expect(second.idleClosed + second.busy).toBe(first.idleClosed + first.busy);
  });

  it('tcp mode (l4) has no idle state: the connections stay streams of the old process', () => {
    const r = run(reloaded('l4'), 1);
    expect(recordsOf(r, 'lb.soft_stop_clients')).toHaveLength(0);
    expect(r.figures['closed_fin.total'] ?? 0).toBe(0);
  });
});
