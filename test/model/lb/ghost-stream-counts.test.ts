/**
 * A stream whose client left keeps counting on its server until it ends (lb/l7-dispatch.ts
 * abandon): without `option abortonclose` HAProxy does not read the client's close (src/http_ana.c
 * http_end_request(): channel_dont_read()), and the stream's slot (`srv->served`) is released only
 * by sess_change_server(s, NULL) (src/stream.c) when its server side closes, its last connect fails
 * or it is freed — so maxconn still holds it, leastconn still weighs it and srv_shutdown_streams()
 * (src/server.c) still shuts it. With the option the client's close ends the stream at once
 * (forwarded with SC_FL_NOLINGER: sc_app_shutw_conn(), src/stconn.c, closes the server side).
 * Regime: keep-alive clients (2 new connections/s, 5 requests each, 200 ms think) with a 1-s request
 * timeout against a 3-s server: every request's client leaves while the server works on it. Before
 * this rule the model took the stream off its server at the client's timeout with or without the
 * option: the server at maxconn 1 held 8 at once, shutdown-sessions found 9 streams, leastconn sent
 * the slow server 60 requests.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, window } from '../helpers.js';

const keepAlive = (lb: Record<string, unknown>, extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '40s',
  sample_interval: '1s',
  clients: {
    http: {
      arrival_rate: 2,
      requests_per_connection: 'const(5)',
      think_time: 'const(200ms)',
      retries: 0,
      request_timeout: '1s',
    },
  },
  app: { workers: 8, service_time: 'const(3s)' },
  lb: { mode: 'l7', ...lb },
  backends: [{ name: 'vm-a' }],
  ...extra,
});

const options = [
  ['without abortonclose', {}],
  ['with abortonclose', { abortonclose: true }],
] as const;

describe('a stream whose client left (no option abortonclose) counts on its server until it ends', () => {
  it('maxconn 1: the server never works on more than one request; with the option the ghosts free their slot', () => {
    const [ghosts, aborts] = options.map(([, o]) => run(keepAlive({ maxconn: 1, timeout_queue: '1h', ...o }), 1));
    expect(Math.max(...window(ghosts, 'app_busy', 1, 40))).toBe(1);
    // One request per 3 s reaches the server, its client long gone: served for nobody.
    expect(between(ghosts, 'attempts', 0, 40)).toBeLessThan(16);
    expect(Math.max(...window(aborts, 'app_busy', 1, 40))).toBe(8);
    expect(between(aborts, 'attempts', 0, 40)).toBeGreaterThan(300);
  });

  it('shutdown-sessions shuts the ghosts too', () => {
    const shut = (o: Record<string, unknown>): number => {
      const r = run(keepAlive(o, { timeline: [{ at: '20s', do: 'shutdown_sessions', backend: 'vm-a' }] }), 1);
      const [record] = recordsOf(r, 'lb.shutdown_sessions');
      return record.streams as number;
    };
    // The app's 8 workers hold 3-s requests: the rest wait in its queue, each stream still counted.
    expect(shut({})).toBeGreaterThan(100);
    expect(shut({ abortonclose: true })).toBeLessThan(20);
  });

  it('leastconn weighs the ghosts: the slow server gets fewer requests', () => {
    const backends = [{ name: 'vm-a' }, { name: 'vm-b', app: { service_time: 'const(50ms)' } }];
    const slow = (o: Record<string, unknown>): number =>
      between(run(keepAlive({ balance: 'leastconn', ...o }, { backends }), 1), 'attempts', 0, 40, 'vm-a');
    expect(slow({})).toBeLessThan(0.6 * slow({ abortonclose: true }));
  });
});
