/**
 * Kubernetes manifests → scenario values: a Deployment's replicas become backends and its
 * rolling-update strategy, terminationGracePeriodSeconds and preStop sleep a `rollout` action;
 * readiness and liveness probes map to probes.readiness / probes.liveness; a
 * PodDisruptionBudget and Services are noted. Line numbers come from the YAML parser's ranges.
 */
import { LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { resolveFenceposts } from '../scenario/rollout-fenceposts.js';
import { formatDuration } from '../scenario/units.js';
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
  // The API server refuses a rolling update that could never move: both written and both 0 (an
  // integer 0 or a percentage "0%", as written, before any scaling by replicas; unset ones are
  // defaulted to 25% first) — ValidateRollingUpdateDeployment, pkg/apis/apps/validation/
  // validation.go: "may not be 0 when `maxSurge` is 0" on maxUnavailable. kubectl apply exits 1.
  const zero = (v: unknown) => v === 0 || (typeof v === 'string' && /^0+%$/.test(v));
  if (ru?.maxSurge !== undefined && ru?.maxUnavailable !== undefined && zero(ru.maxSurge) && zero(ru.maxUnavailable))
    into.refuse(lineOf('spec', 'strategy', 'rollingUpdate', 'maxUnavailable'), {
      path: 'spec.strategy.rollingUpdate.maxUnavailable',
      expected: 'an integer or percentage above 0 when maxSurge is 0',
      found: `${JSON.stringify(ru.maxUnavailable)} with maxSurge ${JSON.stringify(ru.maxSurge)}`,
      why: `the Kubernetes API server refuses it: "Invalid value: ${JSON.stringify(ru.maxUnavailable)}: may not be 0 when \`maxSurge\` is 0"`,
    });
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
  const podAt = (...p: (string | number)[]) => lineOf('spec', 'template', 'spec', ...p);
  // The pod's grace period and the app's preStop apply to every kill of the pod's containers:
  // the rollout's deletions and the kubelet's own kills after a failed liveness or startup probe
  // (kuberuntime_container.go killContainer → executePreStopHook), so kubelet.* gets them too.
  if (pod.terminationGracePeriodSeconds !== undefined) {
    rollout.termination_grace_period = `${pod.terminationGracePeriodSeconds}s`;
    into.set(
      ['kubelet', 'termination_grace_period'],
      `${pod.terminationGracePeriodSeconds}s`,
      podAt('terminationGracePeriodSeconds'),
    );
  }
  if (spec.minReadySeconds !== undefined) rollout.min_ready_seconds = `${spec.minReadySeconds}s`;
  const containers = (pod.containers ?? []) as Manifest[];
  // The app is one container: the one the pod template's `kubectl.kubernetes.io/default-container`
  // annotation names, else the first (kubectl's own default container). The others' probes and
  // preStop hooks are warnings: the scenario's pod has one app process.
  const named = spec.template?.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const appIndex = Math.max(
    0,
    containers.findIndex((c) => c.name === named),
  );
  containers.forEach((c, i) => {
    if (i !== appIndex) {
      const what = ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'].filter((k) => c[k] !== undefined);
      if (what.length > 0)
        into.warn(
          podAt('containers', i),
          `container ${c.name ?? i} is not the app (container ${containers[appIndex]?.name ?? appIndex}: the kubectl.kubernetes.io/default-container annotation, else the first): its ${what.join(', ')} not imported (the scenario's pod has one app container)`,
        );
      return;
    }
    const preStop = c.lifecycle?.preStop as Manifest | undefined;
    if (preStop !== undefined) {
      const at = podAt('containers', i, 'lifecycle', 'preStop');
      const sleep = preStopSleep(preStop);
      if (sleep.seconds !== null) {
        rollout.prestop_sleep = formatDuration(sleep.seconds);
        into.set(['kubelet', 'prestop_sleep'], formatDuration(sleep.seconds), at);
      }
      if (sleep.rest !== null) into.warn(at, sleep.rest);
    }
    for (const [probe, key] of [
      ['readinessProbe', 'readiness'],
      ['livenessProbe', 'liveness'],
      ['startupProbe', 'startup'],
    ] as const) {
      const p = c[probe];
      if (!p) continue;
      const at = podAt('containers', i, probe);
      // httpGet is an HTTP probe; tcpSocket connects only; exec and grpc run something the model
      // has not (a command in the container, a gRPC health service): read as a connect, warned.
      const value: Record<string, unknown> = { type: p.httpGet ? 'http' : 'tcp' };
      if (p.exec || p.grpc)
        into.warn(at, `${probe} ${p.exec ? 'exec' : 'grpc'}: not modelled; imported as a tcpSocket probe (a connect)`);
      if (p.periodSeconds !== undefined) value.period = `${p.periodSeconds}s`;
      if (p.timeoutSeconds !== undefined) value.timeout = `${p.timeoutSeconds}s`;
      if (p.failureThreshold !== undefined) value.failure_threshold = p.failureThreshold;
      if (p.successThreshold !== undefined) value.success_threshold = p.successThreshold;
      if (p.initialDelaySeconds !== undefined) value.initial_delay = `${p.initialDelaySeconds}s`;
      if (p.terminationGracePeriodSeconds !== undefined)
        value.termination_grace_period = `${p.terminationGracePeriodSeconds}s`;
      into.set(['probes', key], value, at);
    }
  });
  into.set(['timeline'], [rollout], lineOf('spec', 'strategy'));
}

/** Shells whose `-c <script>` is the command a preStop exec runs. */
const SHELLS = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|ash|dash|busybox)$/;

/**
 * A preStop hook's sleep in seconds and a warning for what else it does (null: nothing else).
 * `sleep: {seconds: N}` is the kubelet's own sleep action (PodLifecycleSleepAction, Kubernetes
 * 1.29+); an exec runs `sleep <n>[s|m|h|d]` (GNU coreutils and busybox sleep: a number,
 * decimals allowed, with an optional unit, seconds without), alone or as a shell's `-c` script.
 * A script doing more than one sleep, or anything else (httpGet, a drain script), is warned.
 */
export function preStopSleep(preStop: Manifest): { seconds: number | null; rest: string | null } {
  if (preStop.sleep !== undefined) {
    const n = Number(preStop.sleep?.seconds);
    return Number.isFinite(n) && n >= 0
      ? { seconds: n, rest: null }
      : { seconds: null, rest: 'preStop sleep without a number of seconds not modelled' };
  }
  const cmd = preStop.exec?.command as unknown[] | undefined;
  if (!Array.isArray(cmd)) return { seconds: null, rest: 'preStop other than a sleep not modelled' };
  const words = cmd.map(String);
  const script = SHELLS.test(words[0] ?? '') && words[1] === '-c' ? (words[2] ?? '') : words.join(' ');
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const;
  const sleep = /(?:^|[\s;&|(])(?:\/(?:usr\/)?bin\/)?sleep\s+(\d+(?:\.\d+)?|\.\d+)([smhd]?)(?=$|[\s;&|)])/;
  const m = sleep.exec(script);
  if (m === null) return { seconds: null, rest: `preStop \`${script}\` not modelled (only a sleep is)` };
  const seconds = Number(m[1]) * unit[m[2] as keyof typeof unit];
  const others = script.replace(m[0], ' ').replace(/[\s;&|()]/g, '');
  return {
    seconds,
    rest:
      others === ''
        ? null
        : `preStop \`${script}\`: its sleep ${m[1]}${m[2]} read as prestop_sleep ${formatDuration(seconds)}; the rest not modelled`,
  };
}
