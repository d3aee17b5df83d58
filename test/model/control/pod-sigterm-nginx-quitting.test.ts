/**
 * The pod's SIGTERM names nginx's stop signal only when nginx is running AND not quitting yet
 * (vm/lifecycle.ts podNginxTakesSignal): an nginx already in its graceful quit (timeline
 * nginx_quit during the preStop) whose old generation still holds a slow request is running, but
 * the image's STOPSIGNAL (SIGQUIT again) changes nothing for it: ngx_signal_handler sets ngx_quit
 * again and ngx_master_process_cycle (src/os/unix/ngx_process_cycle.c) resends the shutdown
 * signal to workers already shutting down, listeners already closed. Catches review41 N4: podNginxTakesSignal without
 * `&& !backend.nginx.quitting` (the record then claims a SIGQUIT to nginx).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';

describe('nginx quitting during the preStop, a slow request still in flight at the SIGTERM', () => {
  let r: RunResult;
  beforeAll(() => {
    // One request in ten takes 10 s: those pod-a's nginx holds at its QUIT (35 s) run past the
    // preStop's end (40 s), so its worker generation is still quitting then.
    r = run({
      warmup: '0s',
      horizon: '60s',
      clients: {
        http: { arrival_rate: 20, think_time: 'const(100ms)', requests_per_connection: 'const(1)', retries: 0 },
      },
      app: { workers: 64, service_time: 'mix(0.9 const(10ms), 0.1 const(10s))' },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a' }, { name: 'pod-b' }],
      timeline: [
        { at: '35s', do: 'nginx_quit', backend: 'pod-a' },
        { at: '30s', do: 'rollout', max_surge: 0, max_unavailable: 1, prestop_sleep: '10s' },
      ],
    } as ScenarioInput);
  });

  it("pod-a's SIGTERM record has no nginx field; pod-b's (nginx running) names SIGQUIT", () => {
    const sigterms = recordsOf(r, 'k8s.pod_sigterm');
    const a = sigterms.find((x) => x.pod === 'pod-a');
    expect(a).toBeDefined();
    // The regime: pod-a's nginx has not exited by the SIGTERM at 40 s.
    const exits = r.events.filter((e) => e.text.startsWith('pod-a: worker generation') && e.text.includes('exited'));
    expect(exits.length).toBeGreaterThan(0);
    expect(exits[0].t).toBeGreaterThan(40);
    expect(a!.nginx).toBeUndefined();
    expect(sigterms.find((x) => x.pod === 'pod-b')?.nginx).toBe('quit');
  });
});
