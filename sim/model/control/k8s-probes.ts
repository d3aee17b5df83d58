import type { ProbeConfig } from '../../scenario/schema.js';
import type { AppServer } from '../app/app-server.js';
import type { World } from '../core/world.js';
import { type CheckPolicy, HealthChecker } from '../lb/health-checker.js';
import type { Kubelet } from './kubelet.js';
import { kubeletProbeOutput } from './probe-words.js';

function probePolicy(p: ProbeConfig): CheckPolicy {
  return {
    type: p.type,
    endpoint: p.endpoint,
    inter: p.period,
    fastinter: p.period,
    downinter: p.period,
    rise: p.success_threshold,
    fall: p.failure_threshold,
    timeout: p.timeout,
    dependencyTimeout: p.dependency_timeout,
    onDependencyTimeout: p.on_dependency_timeout,
    checker: 'kubelet',
    firstCheck: -1,
  };
}

/**
 * The kubelet's probes (pod-lifecycle.md "Container probes"): a failing readiness probe removes the
 * pod from the Service's endpoints (the balancer stops sending to it), a failing liveness probe
 * has the kubelet kill and restart the container (control/kubelet.ts); both wait for the startup
 * probe (control/k8s-startup-probe.ts), which the kubelet runs itself. Built here, started by the composition root after the LB's checks.
 */
export function kubeletProbes(w: World, app: AppServer, kubelet: Kubelet): HealthChecker[] {
  const checkers: HealthChecker[] = [];
  const s = w.scenario;
  const { readiness, liveness } = s.probes;
  if (readiness) {
    const probe = new HealthChecker(w, app, probePolicy(readiness), (b, up, reason) => {
      // Not run before the startup probe succeeded (worker.go doProbe), nor before the kubelet's
      // status shows the container running (its PLEG relist): the pod stays not Ready.
      if (!kubelet.hasStarted(b) || !kubelet.seesRunning(b)) return probe.reset(b, false);
      // Nor within its initialDelaySeconds of the container's start.
      if (kubelet.inInitialDelay(b, readiness.initial_delay)) return probe.reset(b, false);
      // A deleted pod has no probe worker any more (kubelet.ts isDeleted): no result, no log line.
      if (kubelet.isDeleted(b)) return probe.reset(b, false);
      // The probe's result is logged before what it sets off in the same instant (the pod's Ready,
      // a rollout's next step, its completion), as the kubelet's prober comes first.
      w.trace.emit({
        kind: 'k8s.readiness',
        pod: w.backends[b].name,
        ready: up,
        reason: up ? reason : kubeletProbeOutput(readiness.type, w.backends[b], reason),
        // A terminating pod's endpoint is serving or not, never ready again (kubelet.ts podTerminating).
        ...(kubelet.isTerminating(b) ? { terminating: true } : {}),
      });
      kubelet.readinessChanged(b, up);
      w.metrics.inc(up ? w.c.readds : w.c.removals, b);
    });
    kubelet.watchReadiness(probe);
    checkers.push(probe);
  }
  if (liveness) {
    const probe = new HealthChecker(w, app, probePolicy(liveness), (b, up, reason) => {
      if (up) return;
      // Not run before the startup probe succeeded (a slow start is no liveness failure), nor
      // while the container is not running (CrashLoopBackOff), nor once the pod is terminating
      // (kubelet.go SyncTerminatingPod → StopLivenessAndStartup), nor within its initialDelaySeconds
      // of the container's start: no kill, no log line.
      if (
        !kubelet.hasStarted(b) ||
        !kubelet.seesRunning(b) ||
        !kubelet.isRunning(b) ||
        kubelet.isTerminating(b) ||
        kubelet.isDeleted(b) ||
        kubelet.inInitialDelay(b, liveness.initial_delay)
      )
        return probe.reset(b, true);
      w.trace.emit({
        kind: 'k8s.liveness_failed',
        pod: w.backends[b].name,
        reason: kubeletProbeOutput(liveness.type, w.backends[b], reason),
      });
      // pkg/kubelet/prober/worker.go doProbe: after a liveness failure the worker is put on hold
      // (`w.onHold = true`, "Stop probing until we see a new container ID") and sends no probe
      // while the container is being killed; the next container is probed afresh (kubelet.ts
      // containerRunning resumes it), failureThreshold failures again before the next kill.
      probe.pause(b);
      kubelet.restartApp(b);
    });
    kubelet.watchLiveness(probe);
    checkers.push(probe);
  }
  return checkers;
}
