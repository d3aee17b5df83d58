/**
 * review31 #3: an operator's maintenance file (timeline health_404) lives in the app's filesystem.
 * Under Kubernetes a liveness probe on the same health endpoint fails on the 404 and the kubelet
 * restarts the container, which starts from its image with a fresh writable layer: the file is
 * gone and the pod comes back. Before, the file survived the restart and the pod was restarted
 * for good (restarts 0, 1, 2, 3, …).
 */
import { describe, expect, it } from 'vitest';
import { runBuiltin } from '../helpers.js';

describe('a maintenance file and a container restart', () => {
  it('split-probes with health_404 on vm-b: one liveness restart, then the pod serves again', () => {
    const r = runBuiltin('split-probes', 1, ['timeline=[{at: "09:01", do: health_404, backend: vm-b}]', 'expect=[]']);
    const lines = r.events.map((e) => e.text);
    const liveness = lines.filter((l) => l.includes('vm-b: Liveness probe failed') && l.includes('404'));
    expect(liveness).toHaveLength(1);
    const kills = lines.filter((l) => l.includes('vm-b: container killed (liveness)'));
    expect(kills).toHaveLength(1);
  });
});
