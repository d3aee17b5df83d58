/**
 * Under lb.frontend_maxconn (lb/frontend-listener.ts) a slot is a session: HAProxy frees it at
 * session_free() → listener_release() (src/session.c, src/listener.c, v2.6.0). In http mode a
 * front connection whose client closed under a stream that goes on — no `option abortonclose`: the
 * close of a complete request is not read — is not released while the stream is attached
 * (src/mux_h1.c h1_process(): "waiting to release the SC before releasing the connection"), so the
 * slot frees when the stream ends (h1_detach() → h1_release() → conn_session_free()), not at the
 * client's close; with the option the stream ends at the close, and the slot with it.
 * Regime: maxconn 1, a server answering after 3 s, clients giving up after 1.5 s: the first
 * connects at 0 and closes at 1.5 s, the second connects at 2 s. Without the option it waits in
 * the accept queue until the first stream's answer at 3 s; with it, it is accepted at once.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, window } from '../helpers.js';

const regime = (abortonclose: boolean, maxconn?: number): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '8s',
  sample_interval: '100ms',
  clients: {
    rtt: '1ms',
    http: {
      arrival_rate: 0.5,
      arrivals: 'paced',
      requests_per_connection: 'const(1)',
      think_time: 'const(0s)',
      request_timeout: '1.5s',
      retries: 0,
    },
  },
  app: { workers: 64, accept_model: 'worker_per_connection', service_time: 'const(3s)' },
  lb: {
    mode: 'l7',
    timeout_client: '30s',
    timeout_server: '30s',
    abortonclose,
    ...(maxconn === undefined ? {} : { frontend_maxconn: maxconn }),
  },
  backends: [{ name: 's1', proxy: 'none' }],
  timeline: [{ at: '2.5s', do: 'load', http_rate: 0 }],
});

/** Requests in the app while the first one's client has left and its stream still waits (2.2–2.9 s). */
const busyAfterFirstLeft = (input: ScenarioInput): number => Math.max(...window(run(input, 1), 'app_busy', 2.2, 2.9));

describe('lb.frontend_maxconn: a stream whose client left keeps its slot until it ends', () => {
  it('unlimited: the second request is in the app with the first', () => {
    expect(busyAfterFirstLeft(regime(false))).toBe(2);
  });

  it('without abortonclose the slot frees at the first stream end (3 s), not at its client close (1.5 s)', () => {
    expect(busyAfterFirstLeft(regime(false, 1))).toBe(1);
    // Accepted at 3 s, the second request is in the app until its client gives up at 3.5 s.
    expect(Math.max(...window(run(regime(false, 1), 1), 'app_busy', 3.1, 3.4))).toBe(1);
  });

  it('with abortonclose the stream ends at the client close, and the slot with it', () => {
    expect(busyAfterFirstLeft(regime(true, 1))).toBe(2);
  });
});
