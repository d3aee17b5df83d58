/**
 * A reload under closed-loop load (calibration/nginx/NOTES.md §3; the busy connections of
 * calibration/data/nginx-reload-keepalive.json): at the old generation's QUIT a connection waiting
 * for its response is answered with `Connection: close` and closed after it
 * (ngx_http_header_filter, ngx_http_finalize_connection); one between two requests is idle and
 * closed at once (ngx_close_idle_connections, FIN). What its client sees depends on when it sends
 * its next request: after the FIN arrived, on a new connection, no failure; before, onto the
 * closed socket (the keepalive race, master.ts shutDown → requestCrossesFin).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, valueAt } from '../helpers.js';

const QUIT = 8.1; // reload at 8 s + ngx_msleep(100)

function busy(rtt: string) {
  return run(
    {
      warmup: '0s',
      horizon: '12s',
      sample_interval: '1s',
      clients: {
        rtt,
        http: {
          arrival_rate: 100,
          requests_per_connection: 'const(1000)',
          think_time: 'const(100ms)',
          retries: 0,
        },
      },
      app: { workers: 1000, service_time: 'const(300ms)' },
      backends: [{ name: 'nginx' }],
      timeline: [
        { at: '1s', do: 'load', http_rate: 0 },
        { at: '8s', do: 'nginx_reload' },
      ],
    } as ScenarioInput,
    1,
  );
}

describe('nginx reload under closed-loop load', () => {
  it('on loopback every busy connection is closed at the QUIT or after its in-flight response, none fails, and the old generation exits with its last response', () => {
    const r = busy('0.1ms');
    const conns = valueAt(r, 'active_conn', 8);
    expect(conns).toBeGreaterThan(50);
    expect(valueAt(r, 'closed_fin', 9)).toBe(conns); // each closed once by nginx, within 300 ms
    expect(r.figures['new_conn.total']).toBe(2 * conns); // and reopened once, to generation 2
    expect(r.figures['errors.total']).toBe(0);
    const exit = r.events.find((l) => l.record.kind === 'nginx.generation_exit');
    expect(exit!.t).toBeGreaterThan(QUIT);
    expect(exit!.t).toBeLessThanOrEqual(QUIT + 0.3 + 1e-3);
    expect(r.events.some((l) => l.record.kind === 'client.keepalive_race')).toBe(false);
  });

  it('with a 60-ms round trip the requests sent while the QUIT’s FIN is on its way cross it and fail; only those', () => {
    const r = busy('60ms');
    const failed = r.figures['errors.total']!;
    expect(failed).toBeGreaterThan(0);
    expect(r.figures['err_econnreset.total']).toBe(failed);
    expect(valueAt(r, 'errors', 9)).toBe(failed); // all in the second of the QUIT
    // Each failure is a request that left the client before the FIN reached it (QUIT + rtt/2),
    // noticed when the RST comes back: within one round trip of the QUIT (the log lines are rate-limited).
    const races = r.events.filter((l) => l.record.kind === 'client.keepalive_race');
    expect(races.length).toBeGreaterThan(0);
    for (const l of races) {
      const t = (l.record as { t: number }).t; // a rate-limited line's summary is written later, with its first time
      expect(t).toBeGreaterThanOrEqual(QUIT);
      expect(t).toBeLessThanOrEqual(QUIT + 0.06 + 1e-9);
    }
  });
});
