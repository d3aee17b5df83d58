/**
 * A deleted pod's nginx container gets its stop signal when the app container gets its SIGTERM,
 * not when the app has exited: the kubelet's killContainersWithSyncResult
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go) runs killContainer for every container of
 * the pod in parallel — each its preStop hook, then StopContainer with the image's STOPSIGNAL —
 * and the official nginx image's is `STOPSIGNAL SIGQUIT` (nginxinc/docker-nginx
 * mainline/debian/Dockerfile, since 3fb70dd, image 1.19.5). nginx quits gracefully
 * (vm/lifecycle.ts podNginxStopSignal): its listener closes at once, so the connections the balancer
 * still sends are refused by the pod's kernel, while the requests it holds are answered. Before
 * session 25 nginx kept listening until the app had exited (a 502 for each new connection from
 * the app's closed listener) and then got a fast stop (SIGTERM).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run, runBuiltin } from '../helpers.js';
import { deletedPodRollout } from './deleted-pod-fixture.js';

const lineAt = (r: RunResult, text: string): number => {
  const e = r.events.find((ev) => ev.text.includes(text));
  if (!e) throw new Error(`no line with "${text}"`);
  return e.t;
};

describe("a deleted pod's nginx quits at the pod's SIGTERM (the image's STOPSIGNAL SIGQUIT)", () => {
  let r: RunResult;
  let exited: number;
  beforeAll(() => {
    // pod-a deleted at 30 s, no preStop, its removal reaching kube-proxy 4 s later. Keep-alive
    // clients behind kube-proxy, one request per connection (a new connect every 10 ms); one request
    // in a hundred takes 10 s, so the app holds some for seconds after its SIGTERM.
    r = run(
      deletedPodRollout({
        clients: {
          http: { arrival_rate: 100, think_time: 'const(100ms)', requests_per_connection: 'const(1)', retries: 0 },
        },
        lb: { mode: 'nat', retries: 0 },
        app: { workers: 32, service_time: 'mix(0.99 const(10ms), 0.01 const(10s))', startup_time: '1s' },
      } as Partial<ScenarioInput>),
    );
    exited = lineAt(r, 'pod-a: graceful shutdown complete');
  });

  it('nginx gets SIGQUIT with the SIGTERM, the app finishes seconds later', () => {
    expect(lineAt(r, 'pod pod-a: SIGTERM to the app, SIGQUIT to nginx')).toBe(30);
    expect(lineAt(r, 'pod-a: signal 3 (SIGQUIT) received, shutting down')).toBe(30);
    expect(exited).toBeGreaterThan(33);
    expect(exited).toBeLessThan(40.1);
    // Not the fast stop, and nothing left for the kill: nginx drained before the sandbox went.
    expect(recordsOf(r, 'nginx.stop').filter((x) => x.backend === 'pod-a')).toHaveLength(0);
  });

  it('the connections still sent to the pod are refused from the SIGTERM, not answered 502 until the exit', () => {
    // Half of 100/s for the 4 s until the removal lands: refused by the pod's kernel (nginx's listener closed).
    expect(between(r, 'err_econnrefused', 30, 34.1)).toBeGreaterThan(100);
    expect(r.figures['responses_5xx.total'] ?? 0).toBe(0);
  });

  it("the requests nginx holds are answered: its worker generation exits with the last, not at the app's exit", () => {
    const gone = recordsOf(r, 'nginx.generation_exit').filter((x) => x.backend === 'pod-a');
    expect(gone).toHaveLength(1);
    expect(gone[0].forced).toBe(false);
    expect(gone[0].after).toBeGreaterThan(3);
    expect(gone[0].t).toBeLessThanOrEqual(exited + 1e-9);
    // Every failure is a refusal or a request crossing the FIN of an idle connection at the quit:
    // the requests in flight were answered.
    const races = recordsOf(r, 'client.keepalive_race').length;
    expect(r.figures['requests_failed.total']).toBe((r.figures['err_econnrefused.total'] ?? 0) + races);
    // The log: nginx's signal before the sandbox's stop.
    expect(lineAt(r, 'pod-a: signal 3 (SIGQUIT)')).toBeLessThan(lineAt(r, 'pod pod-a: containers exited'));
  });

  it('kubernetes.nginx_stop_signal term (an image stopping nginx with SIGTERM): the fast stop cuts what nginx holds', () => {
    const t = run(
      deletedPodRollout({
        clients: {
          http: { arrival_rate: 100, think_time: 'const(100ms)', requests_per_connection: 'const(1)', retries: 0 },
        },
        lb: { mode: 'nat', retries: 0 },
        app: { workers: 32, service_time: 'mix(0.99 const(10ms), 0.01 const(10s))', startup_time: '1s' },
        kubernetes: { nginx_stop_signal: 'term' },
      } as Partial<ScenarioInput>),
    );
    expect(lineAt(t, 'pod pod-a: SIGTERM to the app, SIGTERM to nginx')).toBe(30);
    const stop = recordsOf(t, 'nginx.stop').filter((x) => x.backend === 'pod-a');
    expect(stop).toHaveLength(1);
    expect(stop[0].t).toBe(30);
    expect(stop[0].open).toBeGreaterThan(0);
    // The 10-s requests nginx held at the signal read EOF (ECONNRESET for the client), where quit answers them.
    const races = recordsOf(t, 'client.keepalive_race').length;
    expect(t.figures['err_econnreset.total']).toBeGreaterThan(races);
    expect(t.figures['responses_2xx.total']).toBeLessThan(r.figures['responses_2xx.total'] ?? 0);
  });
});

describe("an app's shutdown delay behind the pod's nginx", () => {
  it('keeps nothing open: nginx closed its listener at the SIGTERM; the same preStop sleep on both containers does', () => {
    const sets = ['app.shutdown_delay=6s', 'probes.readiness.period=1s', 'expect=[]'];
    const delayOnly = runBuiltin('k8s-rolling-naive', 1, sets);
    expect(delayOnly.figures['err_econnrefused.total']).toBeGreaterThan(100);
    const withPreStop = runBuiltin('k8s-rolling-naive', 1, [...sets, 'timeline[0].prestop_sleep=6s']);
    expect(withPreStop.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(withPreStop.figures['errors.total'] ?? 0).toBe(0);
  });
});
