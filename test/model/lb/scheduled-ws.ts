import type { ScenarioInput } from '../../../sim/scenario/schema.js';

/**
 * WebSocket clients that each connect once, at the given seconds, and stay for the run: no pings,
 * a reconnect only after an hour. Tests of single connects (to a vanished server, say) use them.
 */
export function scheduledWs(atSeconds: number[]): ScenarioInput['clients'] {
  return {
    ws: {
      ping_interval: 0,
      pong_timeout: '0s',
      handshake_timeout: '0s',
      reconnect: { policy: 'exponential' as const, base: '1h', cap: '1h' },
      scheduled: atSeconds.map((at) => ({ at: `${at}s`, lifetime: '1h' })),
    },
  };
}
