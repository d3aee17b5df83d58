/**
 * Kubernetes manifests → scenario values: a Deployment's replicas become backends and its
 * rolling-update strategy, terminationGracePeriodSeconds and preStop sleep a `rollout` action;
 * readiness and liveness probes map to probes.readiness / probes.liveness; a
 * PodDisruptionBudget and Services are noted. Line numbers come from the YAML parser's ranges.
 */
import { LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { resolveFenceposts } from '../scenario/rollout-fenceposts.js';
import type { Imported } from './imported.js';

export function importK8s(text: string, file: string, into: Imported): void {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (obj === null || typeof obj !== 'object') continue;
    const lineOf = (...path: (string | number)[]): string => {
      const node = doc.getIn(path, true) as YamlNode | undefined;
      const offset = node?.range?.[0] ?? doc.contents?.range?.[0] ?? 0;
      return `${file}:${lines.linePos(offset).line}`;
    };
    const kind = String(obj.kind ?? '');
    if (kind === 'Deployment') deployment(obj, lineOf, into);
    else if (kind === 'PodDisruptionBudget')
      into.warn(
        lineOf('spec'),
        'PodDisruptionBudget: evictions are not modelled; the rollout obeys maxUnavailable only',
      );
    else if (kind === 'Service')
      into.warn(
        lineOf('spec'),
        'Service: its kube-proxy NAT is the balancer (lb.mode nat) unless a haproxy.cfg imported with it is; the Service itself is not modelled',
      );
    else into.warn(lineOf('kind'), `${kind || 'a document without kind'} not modelled`);
  }
}

/** kube-proxy's conntrack TCP established timeout (pkg/proxy/apis/config/v1alpha1/defaults.go: 24 h). */
const KUBE_PROXY_CONNTRACK_ESTABLISHED = '24h';

/** A manifest as parsed: read field by field with optional chaining, whatever the document holds. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read defensively, every field optional.
type Manifest = Record<string, any>;

function deployment(obj: Record<string, unknown>, lineOf: (...p: (string | number)[]) => string, into: Imported): void {
  const spec = (obj.spec ?? {}) as Manifest;
  const replicas = Number(spec.replicas ?? 1);
  const base = String((obj.metadata as Record<string, unknown> | undefined)?.name ?? 'pod').replace(
    /[^A-Za-z0-9_.-]/g,
    '-',
  );
  // The pods are reached through their Service's kube-proxy NAT, unless another file names the
  // balancer in front of them (a haproxy.cfg): then that is lb.mode, and kube-proxy behind it (a
  // NodePort or ClusterIP HAProxy's servers point at) is not a tier the scenario has. The NAT's
  // idle timeout goes with it: kube-proxy sets conntrack's TCP established timeout to 24 h
  // (pkg/proxy/apis/config/v1alpha1/defaults.go SetDefaults_KubeProxyConfiguration,
  // Conntrack.TCPEstablishedTimeout), not the scenario default's 350 s (an AWS NLB's).
  into.assume(
    ['lb', 'mode'],
    'nat',
    lineOf('kind'),
    'lb.mode nat (a Deployment reached through kube-proxy)',
    'that file is the balancer in front of the pods; a kube-proxy NAT behind it is not modelled (one balancer tier)',
    [{ path: ['lb', 'nat_idle_timeout'], value: KUBE_PROXY_CONNTRACK_ESTABLISHED }],
  );
  const rollout: Record<string, unknown> = { at: '1m', do: 'rollout' };
  const ru = spec.strategy?.rollingUpdate;
  if (spec.strategy?.type === 'Recreate')
    into.warn(lineOf('spec', 'strategy'), 'strategy Recreate not modelled: imported as a rolling update');
  if (ru?.maxSurge !== undefined) rollout.max_surge = ru.maxSurge;
  if (ru?.maxUnavailable !== undefined) rollout.max_unavailable = ru.maxUnavailable;
  // A surge pod needs a node with room, which a manifest does not tell: assume room for maxSurge
  // pods (detached backends, not in the Deployment), else the rollout would stall with them Pending.
  const { surge } = resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', replicas);
  const spares = Array.from({ length: surge }, (_, i) => ({ name: `${base}-surge-${i + 1}`, state: 'detached' }));
  into.set(
    ['backends'],
    [...Array.from({ length: replicas }, (_, i) => ({ name: `${base}-${i + 1}` })), ...spares],
    lineOf('spec', 'replicas'),
  );
  if (surge > 0)
    into.warn(
      lineOf('spec', 'strategy'),
      `room for ${surge} surge pod${surge === 1 ? '' : 's'} assumed (backend${surge === 1 ? '' : 's'} ${spares.map((b) => b.name).join(', ')}, detached): without it the rollout stalls with the surge pod Pending`,
    );
  const pod = spec.template?.spec ?? {};
  if (pod.terminationGracePeriodSeconds !== undefined)
    rollout.termination_grace_period = `${pod.terminationGracePeriodSeconds}s`;
  if (spec.minReadySeconds !== undefined) rollout.min_ready_seconds = `${spec.minReadySeconds}s`;
  const containers = (pod.containers ?? []) as Manifest[];
  containers.forEach((c, i) => {
    const cmd = c.lifecycle?.preStop?.exec?.command as string[] | undefined;
    const sleep = cmd?.join(' ').match(/sleep\s+(\d+)/);
    if (sleep) rollout.prestop_sleep = `${sleep[1]}s`;
    else if (c.lifecycle?.preStop)
      into.warn(
        lineOf('spec', 'template', 'spec', 'containers', i, 'lifecycle'),
        'preStop other than a sleep not modelled',
      );
    for (const [probe, key] of [
      ['readinessProbe', 'readiness'],
      ['livenessProbe', 'liveness'],
    ] as const) {
      const p = c[probe];
      if (!p) continue;
      const at = lineOf('spec', 'template', 'spec', 'containers', i, probe);
      const value: Record<string, unknown> = { type: p.httpGet ? 'http' : 'tcp' };
      if (p.periodSeconds !== undefined) value.period = `${p.periodSeconds}s`;
      if (p.timeoutSeconds !== undefined) value.timeout = `${p.timeoutSeconds}s`;
      if (p.failureThreshold !== undefined) value.failure_threshold = p.failureThreshold;
      if (p.successThreshold !== undefined) value.success_threshold = p.successThreshold;
      into.set(['probes', key], value, at);
    }
    if (c.startupProbe)
      into.warn(lineOf('spec', 'template', 'spec', 'containers', i, 'startupProbe'), 'startupProbe not modelled');
  });
  into.set(['timeline'], [rollout], lineOf('spec', 'strategy'));
}
