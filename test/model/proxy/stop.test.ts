/** `nginx -s stop` against `nginx -s quit` in a run: stop cuts what quit lets finish (NOTES §5). */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

const base = (action: 'nginx_stop' | 'nginx_quit'): ScenarioInput => ({
  start: '00:00:00',
  warmup: '0s',
  horizon: '20s',
  sample_interval: '1s',
  clients: {
    rtt: '1ms',
    http: { arrival_rate: 20, requests_per_connection: 'const(3)', think_time: 'const(1s)', retries: 0 },
    ws: { initial_sessions: 5, initial_ramp: '1s', lifetime: 'const(1h)', ping_interval: '10s' },
  },
  app: { service_time: 'const(2s)' },
  lb: { mode: 'nat' },
  backends: [{ name: 'vm-a' }],
  timeline: [{ at: '10s', do: action, backend: 'vm-a' }],
});

describe('nginx -s stop', () => {
  it('cuts requests in flight (EOF, no response) and tunnels (1006) at once, where quit answers the requests and keeps the tunnels', () => {
    const stop = run(base('nginx_stop'), 1);
    const quit = run(base('nginx_quit'), 1);
    // ~40 requests of 2 s are in flight at the signal: stop cuts them, quit answers them.
    expect(stop.figures['err_econnreset.total']!).toBeGreaterThan(20);
    expect(quit.figures['err_econnreset.total'] ?? 0).toBe(0);
    expect(stop.figures['ws_close_1006.total']).toBe(5);
    expect(quit.figures['ws_close_1006.total'] ?? 0).toBe(0);
    const exit = stop.events.find((l) => l.record.kind === 'nginx.generation_exit');
    expect(exit?.t).toBe(10);
    // Both close the listeners: every later connect is refused.
    expect(stop.figures['err_econnrefused.total']!).toBeGreaterThan(100);
    expect(quit.figures['err_econnrefused.total']!).toBeGreaterThan(100);
  });
});

describe('terminate mode kill (kill -9 of the app, README "Timeline actions")', () => {
  it('leaves nginx listening: it accepts and answers 502 (connect() refused by the dead app), it refuses nothing itself', () => {
    const r = run(
      {
        start: '00:00:00',
        warmup: '0s',
        horizon: '20s',
        sample_interval: '1s',
        clients: {
          http: { arrival_rate: 20, requests_per_connection: 'const(5)', think_time: 'const(1s)', retries: 0 },
        },
        lb: { mode: 'nat' },
        backends: [{ name: 'vm-a' }],
        timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
      },
      1,
    );
    expect(r.figures['responses_5xx.total']!).toBeGreaterThan(100);
    expect(r.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(r.events.some((l) => l.record.kind === 'nginx.upstream_refused')).toBe(true);
  });
});
