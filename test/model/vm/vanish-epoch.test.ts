/**
 * A vanished host takes its app process and the process's memory with it (AppProcess.hostLost
 * bumps the epoch like exit()): a user whose in-memory session lived there is logged out when the
 * rebuilt VM serves it again, exactly as after a kill -9.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

function stickyUsers(mode: 'vanish' | 'kill'): ScenarioInput {
  return {
    warmup: '0s',
    horizon: '40s',
    clients: { requests: { rate: 100, timeout: '2s', retries: 0, users: 100, session_store: 'memory' } },
    app: { workers: 8, service_time: 'const(5ms)' },
    // Persistence by source address without redispatch: users come back to vm-a once it is rebuilt.
    lb: { mode: 'l7', balance: 'source' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    timeline: [
      { at: '10s', do: 'terminate', backend: 'vm-a', mode },
      { at: '12s', do: 'bind', backend: 'vm-a' },
    ],
  } as ScenarioInput;
}

describe('a vanished host loses the sessions in its memory', () => {
  it('users whose session lived on the vanished VM are logged out, as after a kill', () => {
    const vanished = run(stickyUsers('vanish')).figures['sessions_lost.total'] ?? 0;
    const killed = run(stickyUsers('kill')).figures['sessions_lost.total'] ?? 0;
    expect(killed).toBeGreaterThan(10);
    expect(vanished).toBeGreaterThan(10);
  });
});
