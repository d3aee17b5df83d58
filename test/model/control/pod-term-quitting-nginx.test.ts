/**
 * A pod's nginx already quitting when the pod's stop signal comes (a timeline `nginx_quit` during
 * the preStop) still takes a SIGTERM (`kubernetes.nginx_stop_signal: term`): nginx 1.22.1's
 * ngx_signal_handler (src/os/unix/ngx_process.c) sets ngx_terminate in the master whatever
 * ngx_quit is, ngx_master_process_cycle (src/os/unix/ngx_process_cycle.c) tests ngx_terminate
 * first and sends SIGTERM to the workers, and each exits after its current event-loop pass
 * (ngx_worker_process_cycle: `if (ngx_terminate) … ngx_worker_process_exit`), its graceful exit
 * under way or not. So the slow requests the quit was still answering are cut at the SIGTERM.
 * Before session 26 the model withheld every stop signal from a quitting nginx
 * (vm/lifecycle.ts podNginxTakesSignal), right only for SIGQUIT, whose second copy changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { run } from '../helpers.js';
import { deletedPodRollout } from './deleted-pod-fixture.js';

/**
 * pod-a deleted at 30 s with a 5 s preStop (its SIGTERM at 35 s); `nginx -s quit` on its nginx at
 * 32 s, in the preStop. One request in a hundred takes 10 s, so nginx still holds some at 35 s.
 */
function quitInPreStop(signal: 'quit' | 'term'): RunResult {
  const input = deletedPodRollout({
    clients: {
      http: { arrival_rate: 100, think_time: 'const(100ms)', requests_per_connection: 'const(1)', retries: 0 },
    },
    lb: { mode: 'nat', retries: 0 },
    app: { workers: 32, service_time: 'mix(0.99 const(10ms), 0.01 const(10s))', startup_time: '1s' },
    kubernetes: { nginx_stop_signal: signal },
  } as Partial<ScenarioInput>);
  const rollout = { ...(input.timeline?.[0] as object), prestop_sleep: '5s' };
  return run({ ...input, timeline: [rollout, { at: '32s', do: 'nginx_quit', backend: 'pod-a' }] } as ScenarioInput);
}

const podA = <T extends { backend?: string; pod?: string }>(records: T[]): T[] =>
  records.filter((x) => x.backend === 'pod-a' || x.pod === 'pod-a');

describe("a quitting pod nginx and the pod's stop signal", () => {
  let term: RunResult;
  let quit: RunResult;
  beforeAll(() => {
    term = quitInPreStop('term');
    quit = quitInPreStop('quit');
  });

  it('nginx_stop_signal term: the SIGTERM reaches the quitting nginx and cuts the slow requests it held', () => {
    const sigterm = podA(recordsOf(term, 'k8s.pod_sigterm'));
    expect(sigterm).toHaveLength(1);
    expect(sigterm[0].t).toBe(35);
    // The record names nginx: the signal reached it.
    expect(sigterm[0].nginx).toBe('term');
    const stop = podA(recordsOf(term, 'nginx.stop'));
    expect(stop).toHaveLength(1);
    expect(stop[0].t).toBe(35);
    expect(stop[0].open).toBeGreaterThan(0);
    // The generation QUIT at 32 s exits with the stop, 3 s after its QUIT, not with its last request.
    const exits = podA(recordsOf(term, 'nginx.generation_exit'));
    expect(exits).toHaveLength(1);
    expect(exits[0].t).toBe(35);
    expect(exits[0].after).toBe(3);
    // Those slow requests read EOF (ECONNRESET at the client) instead of their answers.
    expect(term.figures['err_econnreset.total'] ?? 0).toBeGreaterThan(quit.figures['err_econnreset.total'] ?? 0);
    expect(term.figures['responses_2xx.total']).toBeLessThan(quit.figures['responses_2xx.total'] ?? 0);
  });

  it('nginx_stop_signal quit: a second SIGQUIT changes nothing, the quit answers what it holds', () => {
    const sigterm = podA(recordsOf(quit, 'k8s.pod_sigterm'));
    expect(sigterm).toHaveLength(1);
    expect(sigterm[0].nginx).toBeUndefined();
    expect(podA(recordsOf(quit, 'nginx.stop'))).toHaveLength(0);
    const exits = podA(recordsOf(quit, 'nginx.generation_exit'));
    expect(exits).toHaveLength(1);
    expect(exits[0].t).toBeGreaterThan(35);
    expect(exits[0].forced).toBe(false);
  });
});
