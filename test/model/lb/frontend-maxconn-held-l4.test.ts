/**
 * lb.frontend_maxconn in lb.mode l4 (HAProxy mode tcp): a stream HAProxy keeps after its client
 * closed towards a vanished server (core/held-streams.ts) keeps its session, and so its frontend
 * slot, until it ends — mux_pt releases the front connection only when the stream detaches
 * (src/mux_pt.c mux_pt_detach() → mux_pt_destroy() → conn_session_free() → session_free() →
 * listener_release(), v2.6.0). Regime: maxconn 1, one client connecting at 0 with a request every
 * 200 ms, its server vanishing at 1 s: its request times out (2 s) and it closes; HAProxy holds the
 * stream until `timeout server` (5 s after the last request). A second client connects at 4 s.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, startModel } from '../../../sim/run-scenario.js';
import { type ScenarioInput, ScenarioSchema } from '../../../sim/scenario/schema.js';

const regime: ScenarioInput = {
  start: '00:00:00',
  warmup: '0s',
  horizon: '10s',
  sample_interval: '100ms',
  clients: {
    rtt: '1ms',
    http: {
      arrival_rate: 0.25,
      arrivals: 'paced',
      requests_per_connection: 'const(1000)',
      think_time: 'const(200ms)',
      retries: 0,
      request_timeout: '2s',
      after_failure: 'leave',
    },
  },
  app: { workers: 16, service_time: 'const(1ms)' },
  lb: {
    mode: 'l4',
    connect_timeout: '1s',
    retries: 0,
    timeout_client: '30s',
    timeout_server: '5s',
    frontend_maxconn: 1,
  },
  backends: [{ name: 'vm-a' }],
  timeline: [
    { at: '1s', do: 'terminate', backend: 'vm-a', mode: 'vanish' },
    { at: '5s', do: 'load', http_rate: 0 },
  ],
} as ScenarioInput;

/** The frontend's accept queue every 100 ms up to 8 s. */
function queue(): { at: number; queued: number }[] {
  const model = buildModel(Object.assign(ScenarioSchema.parse(regime), { seed: 1 }));
  startModel(model);
  const out: { at: number; queued: number }[] = [];
  for (let i = 1; i <= 80; i++) {
    model.world.engine.run(i / 10);
    out.push({ at: i / 10, queued: model.frontend!.queued });
  }
  return out;
}

describe('lb.frontend_maxconn, l4: a stream held after its client left keeps the slot', () => {
  it('the second client waits in the accept queue until the held stream ends at its timeout server', () => {
    const q = queue();
    const at = (from: number, to: number) => q.filter((s) => s.at >= from && s.at <= to).map((s) => s.queued);
    // The first client's last request went at ≈ 1.0–1.2 s: it gives up ≈ 3.2 s, the stream ends ≈ 6.2 s.
    expect(new Set(at(4.1, 6.0))).toEqual(new Set([1]));
    expect(new Set(at(6.5, 8))).toEqual(new Set([0]));
  });
});
