/**
 * A bare app server's pod (`backends[].proxy: none`) has one container, the app: when the deleted
 * pod's sandbox stops (kuberuntime_manager.go killPodWithSyncResult: killContainersWithSyncResult,
 * then StopPodSandbox) there is no nginx container to kill. Before session 26 the sandbox's stop
 * logged `nginx container killed (SIGKILL) with its pod` and a fast-stop generation exit for the
 * nginx record every Backend carries.
 */
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../trace/records-of.js';
import { runBuiltin } from '../helpers.js';

describe("a bare pod's sandbox stop", () => {
  it('logs no nginx line: k8s-rolling-naive with its pods made bare app servers', () => {
    const r = runBuiltin('k8s-rolling-naive', 1, [
      'expect=[]',
      'backends=[{name: pod-a, proxy: none}, {name: pod-b, proxy: none}, {name: pod-c, proxy: none}]',
      'app.keepalive_timeout=5s',
    ]);
    expect(recordsOf(r, 'k8s.pod_ip_gone')).toHaveLength(3);
    expect(recordsOf(r, 'nginx.stop')).toHaveLength(0);
    expect(recordsOf(r, 'nginx.generation_exit')).toHaveLength(0);
    expect(r.events.filter((e) => e.text.includes('[nginx]') || e.text.includes('nginx container'))).toHaveLength(0);
  });
});
