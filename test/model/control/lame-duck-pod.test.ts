/**
 * `app.shutdown_delay` in a pod: the kubelet's SIGTERM (after preStop) starts the app's lame-duck
 * phase; it keeps accepting for the delay while its readiness probe fails on the 503 (the kubelet
 * keeps probing readiness of a terminating pod; liveness and startup stop, kubelet.go
 * SyncTerminatingPod), and the endpoint, terminating since the deletion, leaves the proxies
 * meanwhile. The delay counts in terminationGracePeriodSeconds (the kill still comes grace after the
 * deletion). k8s-rolling-naive's pods made bare app servers (proxy: none; SIGTERM at once,
 * endpoint removal 1-5 s later) refuse none with 6 s. Behind the pod's nginx the delay keeps
 * nothing open: nginx quits at the same SIGTERM (pod-nginx-stop-signal.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../trace/records-of.js';
import { runBuiltin } from '../helpers.js';

describe('a pod with a shutdown delay', () => {
  it('k8s-rolling-naive, bare pods, with app.shutdown_delay 6s: no refused connect; the app exits after the delay', () => {
    const r = runBuiltin('k8s-rolling-naive', 1, [
      'app.shutdown_delay=6s',
      'probes.readiness.period=1s',
      'expect=[]',
      'backends=[{name: pod-a, proxy: none}, {name: pod-b, proxy: none}, {name: pod-c, proxy: none}]',
      'app.keepalive_timeout=5s',
    ]);
    expect(r.figures['err_econnrefused.total'] ?? 0).toBe(0);
    expect(r.figures['req_failed.total'] ?? 0).toBe(0);
    const duck = recordsOf(r, 'app.lame_duck').filter((x) => x.backend === 'pod-a');
    expect(duck).toHaveLength(1);
    expect(duck[0].pod).toBe(true);
    const done = recordsOf(r, 'app.shutdown_complete').filter((x) => x.backend === 'pod-a');
    expect(done).toHaveLength(1);
    expect(done[0].after).toBeGreaterThanOrEqual(6);
    const lines = r.events.filter((e) => e.text.startsWith('pod pod-a:')).map((e) => e.text);
    expect(lines).toContain(
      'pod pod-a: SIGTERM (app keeps accepting for its 6s shutdown delay, then stops and finishes in-flight requests)',
    );
    expect(lines).toContain(
      // A terminating pod's readiness sets only its endpoint's serving condition (k8s.readiness).
      'pod pod-a: Readiness probe failed: HTTP probe failed with statuscode: 503; terminating endpoint no longer serving',
    );
  });

  it("a liveness kill's SIGTERM: the container dies after the delay, not when the app is first idle", () => {
    // split-probes with the maintenance file on vm-b: its liveness probe fails on the 404, the kubelet kills it.
    const r = runBuiltin('split-probes', 1, [
      'timeline=[{at: "09:01", do: health_404, backend: vm-b}]',
      'app.shutdown_delay=6s',
      'expect=[]',
    ]);
    const duck = recordsOf(r, 'app.lame_duck').filter((x) => x.backend === 'vm-b');
    expect(duck).toHaveLength(1);
    const died = recordsOf(r, 'k8s.container_died').filter((x) => x.pod === 'vm-b');
    expect(died).toHaveLength(1);
    expect(died[0].t - duck[0].t).toBeGreaterThanOrEqual(6);
  });

  it('a delay longer than the grace period ends in the kill at the grace period', () => {
    const r = runBuiltin('k8s-rolling-naive', 1, ['app.shutdown_delay=40s', 'expect=[]']);
    expect(recordsOf(r, 'app.lame_duck_over')).toHaveLength(0);
    const over = recordsOf(r, 'k8s.grace_over').filter((x) => x.pod === 'pod-a');
    expect(over).toHaveLength(1);
    expect(over[0].t - recordsOf(r, 'app.lame_duck').filter((x) => x.backend === 'pod-a')[0].t).toBeCloseTo(30, 6);
  });
});
