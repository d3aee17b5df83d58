import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run, scenario } from '../helpers.js';

const fig = (r: RunResult, name: string): number => r.figures[name] ?? 0;

/**
 * clients.ws.reconnect unset is the library's (schema.ts wsLibraryReconnect): socket.io-client
 * (the unset library) reconnects with its Manager's defaults, reconnectionDelay 1000,
 * reconnectionDelayMax 5000, randomizationFactor 0.5 (packages/socket.io-client/lib/manager.ts),
 * so a client whose every attempt fails waits ~5 s between attempts from the 4th on; a browser's
 * WebSocket and Node's `ws` have no reconnect of their own, the application's capped full jitter
 * (1 s base, 30 s cap) stands in. The regime where the delays decide the figure: 200 sessions on
 * the only backend, killed at 10 s and never back, so every reconnect for the next 100 s fails
 * (HAProxy's 503, or the refused connect) and the count of attempts is the sum of the delays'.
 */
function orphaned(ws: Record<string, unknown>): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '110s',
    sample_interval: '1s',
    clients: {
      rtt: '10ms',
      ws: { initial_sessions: 200, initial_ramp: '2s', start: 'cold', lifetime: 'const(1h)', ...ws },
    },
    lb: { mode: 'l7' },
    backends: [{ name: 'vm-a' }],
    timeline: [{ at: '10s', do: 'terminate', backend: 'vm-a', mode: 'kill' }],
  } as ScenarioInput;
}

describe('clients.ws.reconnect unset follows clients.ws.library', () => {
  it("resolves to socket.io-client's delays for the socket.io libraries, to the application's full jitter otherwise", () => {
    for (const library of [undefined, 'socket.io-browser', 'socket.io-node']) {
      const r = scenario(orphaned(library ? { library } : {})).clients.ws.reconnect;
      expect(r).toMatchObject({ policy: 'randomized', base: 1, cap: 5, honor_retry_after: true });
      expect(r.factor).toBeUndefined(); // randomizationFactor 0.5 (RANDOMIZED_FACTOR)
    }
    for (const library of ['browser', 'ws'])
      expect(scenario(orphaned({ library })).clients.ws.reconnect).toMatchObject({
        policy: 'full_jitter',
        base: 1,
        cap: 30,
      });
    // Written: as written, whatever the library.
    expect(scenario(orphaned({ reconnect: { policy: 'exponential' } })).clients.ws.reconnect).toMatchObject({
      policy: 'exponential',
      base: 1,
      cap: 30,
    });
  });

  describe('every reconnect failing for 100 s', () => {
    let socketIo: RunResult;
    let ws: RunResult;
    beforeAll(() => {
      socketIo = run(orphaned({}), 1);
      ws = run(orphaned({ library: 'ws' }), 1);
    });

    it('socket.io-client (unset): ~5 s apart once capped — about 22 attempts each in 100 s', () => {
      // 0.5–1.5 s, 1–3 s, 2–5 s, then 4.4–5 s: ~7 s for the first three, then ~5 s each.
      const perSession = fig(socketIo, 'reconnects.total') / 200;
      expect(perSession).toBeGreaterThan(19);
      expect(perSession).toBeLessThan(23);
    });

    it('ws (the application reconnects, capped full jitter to 30 s): far fewer', () => {
      const perSession = fig(ws, 'reconnects.total') / 200;
      expect(perSession).toBeGreaterThan(4);
      expect(perSession).toBeLessThan(12);
    });
  });
});
