/**
 * A deleted pod lives until ALL its containers have exited: the kubelet's killPodWithSyncResult
 * (pkg/kubelet/kuberuntime/kuberuntime_manager.go) runs killContainersWithSyncResult
 * (kuberuntime_container.go), one goroutine per container, each killContainer — its preStop hook,
 * then StopContainer with the image's STOPSIGNAL and what is left of the grace period, SIGKILL at
 * its end — and `wg.Wait()` for all of them; only then StopPodSandbox (the CNI removes the pod's
 * interface, its IP goes). Before session 26 the model ended the pod at its app container's exit
 * (or the grace period's SIGKILL): an nginx still finishing its graceful quit then was killed with
 * the sandbox (`nginx container killed (SIGKILL) with its pod`), and an app that crashed during
 * the preStop took the pod with it before nginx's own signal (review40 #2).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../sim/result.js';
import type { ScenarioInput } from '../../../sim/scenario/schema.js';
import type { TraceRecord } from '../../../sim/trace/records.js';
import { recordsOf } from '../../trace/records-of.js';
import { between, run } from '../helpers.js';
import { deletedPodRollout } from './deleted-pod-fixture.js';

const podA = <K extends TraceRecord['kind']>(r: RunResult, kind: K) =>
  recordsOf(r, kind).filter((x) => ('backend' in x ? x.backend : 'pod' in x ? x.pod : '') === 'pod-a');

const lineAt = (r: RunResult, text: string): number => {
  const e = r.events.find((ev) => ev.text.includes(text));
  if (!e) throw new Error(`no line with "${text}"`);
  return e.t;
};

/**
 * pod-a deleted at 30 s, no preStop, its removal reaching kube-proxy 4 s later. Keep-alive clients
 * behind kube-proxy that think `think` between requests, over nginx's keepalive_timeout 1 s: nginx
 * closes each idle connection after 1 s and the client opens its next one at once (reconnect
 * eager), which waits in nginx for its request. A QUIT leaves such a connection open (not
 * c->idle: ngx_close_idle_connections skips it) until its request comes: nginx holds them after
 * its app, idle, has exited (0.1 s after SIGTERM).
 */
function eagerClients(think: string): ScenarioInput {
  return deletedPodRollout({
    clients: {
      http: {
        arrival_rate: 20,
        think_time: `const(${think})`,
        requests_per_connection: 'const(100)',
        reconnect: 'eager',
        retries: 0,
      },
    },
    lb: { mode: 'nat', retries: 0 },
    nginx: { keepalive_timeout: '1s' },
  } as Partial<ScenarioInput>);
}

describe("nginx still holding connections at its app's exit keeps the pod", () => {
  let r: RunResult;
  let appExit: number;
  let nginxExit: number;
  beforeAll(() => {
    r = run(eagerClients('2s'));
    const done = podA(r, 'app.shutdown_complete');
    expect(done).toHaveLength(1);
    appExit = done[0].t;
    const gone = podA(r, 'nginx.generation_exit');
    expect(gone).toHaveLength(1);
    expect(gone[0].forced).toBe(false);
    nginxExit = gone[0].t;
  });

  it('the app exits 0.1 s after SIGTERM; nginx exits with its last connection, the pod IP only then', () => {
    expect(appExit).toBeCloseTo(30.1, 6);
    expect(nginxExit).toBeGreaterThan(appExit + 0.5);
    const ipGone = podA(r, 'k8s.pod_ip_gone');
    expect(ipGone).toHaveLength(1);
    expect(ipGone[0].t).toBe(nginxExit);
    // nginx exited by itself: no kill with the sandbox.
    expect(podA(r, 'nginx.stop')).toHaveLength(0);
    expect(lineAt(r, 'pod-a: worker generation 1 exited')).toBeLessThanOrEqual(
      lineAt(r, 'pod pod-a: containers exited'),
    );
  });

  it('the requests that reach nginx after its app has gone are answered (502: the app no longer listens), not cut', () => {
    // Their connect to the app's port meets the pod's kernel: RST, 502 (the old model dropped
    // them with the sandbox at the app's exit: no answer, the client's request timeout).
    // (The trace keeps the first such record of each second; the 5xx series counts them all.)
    const late = podA(r, 'nginx.upstream_refused').filter((x) => x.t > appExit && x.t <= nginxExit);
    expect(late.length).toBeGreaterThan(0);
    expect(between(r, 'responses_5xx', 30, 31)).toBeGreaterThan(50);
  });
});

describe('the grace period ends with nginx still holding connections', () => {
  it('SIGKILL to nginx then, with its pod: the pod lives until the grace period ends, not until the app exits', () => {
    // Requests come 39 s after each connection (think 40 s, keepalive_timeout 1 s): nginx still
    // waits for some at the grace period's end, 60 s.
    const r = run(eagerClients('40s'));
    expect(podA(r, 'app.shutdown_complete')[0].t).toBeCloseTo(30.1, 6);
    const killed = podA(r, 'nginx.stop');
    expect(killed).toHaveLength(1);
    expect(killed[0].podKilled).toBe(true);
    expect(killed[0].t).toBe(60);
    expect(killed[0].open).toBeGreaterThan(0);
    expect(podA(r, 'k8s.pod_ip_gone')[0].t).toBe(60);
    // The app had nothing left: no grace line for it.
    expect(podA(r, 'k8s.grace_over')).toHaveLength(0);
  });
});

describe('an app that crashes in the preStop', () => {
  let r: RunResult;
  beforeAll(() => {
    // pod-a deleted at 30 s with a 10-s preStop sleep on both containers; its app crashes at 35 s.
    // The removal reaches kube-proxy 8 s after the deletion; one request per connection, 100/s.
    const base = deletedPodRollout({
      clients: {
        http: { arrival_rate: 100, think_time: 'const(100ms)', requests_per_connection: 'const(1)', retries: 0 },
      },
      lb: { mode: 'nat', retries: 0 },
      backends: [{ name: 'pod-a', app: { crash_after: '35s' } }, { name: 'pod-b' }],
    } as Partial<ScenarioInput>);
    const rollout = { ...(base.timeline as object[])[0], prestop_sleep: '10s', endpoint_propagation: 'const(8s)' };
    r = run({ ...base, timeline: [rollout] } as ScenarioInput);
  });

  it('nginx still gets its SIGQUIT after its own preStop (40 s) and the pod goes when it has exited', () => {
    const died = podA(r, 'k8s.container_died');
    expect(died).toHaveLength(1);
    expect(died[0].t).toBe(35);
    expect(lineAt(r, 'pod-a: signal 3 (SIGQUIT) received')).toBe(40);
    const ipGone = podA(r, 'k8s.pod_ip_gone');
    expect(ipGone).toHaveLength(1);
    expect(ipGone[0].t).toBe(40);
    expect(podA(r, 'nginx.stop')).toHaveLength(0);
  });

  it("until the removal lands nginx answers what the balancer sends (502 from the app's closed port), no connect times out", () => {
    expect(between(r, 'responses_5xx', 35, 38)).toBeGreaterThan(50);
    expect(r.figures['err_client_timeout.total'] ?? 0).toBe(0);
  });
});
