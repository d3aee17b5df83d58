/**
 * A request sent over a reused server connection to a vanished host is never submitted to an
 * app, so no `done` comes: the balancer lets go of its pooled record at `timeout server`
 * (lb/l7-dispatch.ts serverTimedOut; review14 finding 3) instead of leaving it to the GC.
 * Counted with spies on ReqPool take/release: records still held at the end are only those in
 * flight, plus those lost inside the vanished host's app.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { ReqPool } from '../../../sim/model/core/request.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { run } from '../helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function heldAtEnd(vanish: boolean): number {
  const take = vi.spyOn(ReqPool.prototype, 'take');
  const release = vi.spyOn(ReqPool.prototype, 'release');
  run({
    warmup: '0s',
    horizon: '20s',
    clients: { requests: { rate: 200, timeout: '2s', retries: 0 } },
    app: { workers: 8, service_time: 'exp(mean=10ms)' },
    lb: { mode: 'l7', retries: 0, http_reuse: 'always', timeout_server: '500ms' },
    backends: [{ name: 'vm-a' }, { name: 'vm-b' }],
    // vm-a leaves the rotation 1 s after it vanished: by the end nothing waits on it any more.
    timeline: [
      ...(vanish ? [{ at: '5s', do: 'terminate', backend: 'vm-a', mode: 'vanish' }] : []),
      { at: '6s', do: 'remove', backend: 'vm-a' },
    ],
  } as ScenarioInput);
  const held = take.mock.calls.length - release.mock.calls.length;
  vi.restoreAllMocks();
  return held;
}

it('lets go of requests sent to a vanished host over a reused connection at timeout server', () => {
  const baseline = heldAtEnd(false);
  const withVanish = heldAtEnd(true);
  // Here no request was in vm-a's app when it vanished (those would stay held: no `done` comes),
  // so every record comes back; the old serverTimedOut kept 5.
  expect(withVanish).toBe(baseline);
});
