import type { CheckConfig, ProbeConfig } from '../../scenario/schema.js';
import type { AppServer } from '../app/app-server.js';
import { HealthChecker, type CheckPolicy } from './health-checker.js';
import type { World } from '../core/world.js';

const BACKEND_NAME = 'be';

function lbPolicy(c: CheckConfig): CheckPolicy {
  return {
    type: c.type,
    endpoint: c.endpoint,
    inter: c.inter,
    fastinter: c.fastinter ?? c.inter,
    downinter: c.downinter ?? c.inter,
    rise: c.rise,
    fall: c.fall,
    timeout: c.timeout ?? c.inter,
    dependencyTimeout: c.dependency_timeout,
    onDependencyTimeout: c.on_dependency_timeout,
  };
}

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
  };
}

/** The kubelet, as the probes see it: it restarts a container and forgets readiness streaks. */
export interface ContainerRuntime {
  restartApp(b: number): void;
  watchReadiness(probe: { reset(b: number, up: boolean): void }): void;
}

/**
 * Builds the checkers a scenario asks for and what their verdicts do: LB checks take a server
 * out of rotation and (with slowstart) ramp it back in; a readiness probe removes the pod from
 * the Service's endpoints; a liveness probe restarts the container.
 */
export function startHealth(w: World, app: AppServer, kubelet: ContainerRuntime): HealthChecker[] {
  const checkers: HealthChecker[] = [];
  const s = w.scenario;
  if (s.health_check) {
    const policy = lbPolicy(s.health_check);
    const hc = new HealthChecker(w, app, policy, (b, up, reason, duration) => {
      w.lb.hcUp[b] = up ? 1 : 0;
      w.metrics.inc(up ? w.c.readds : w.c.removals, b);
      const active = countUp(w);
      const name = w.backends[b].name;
      const ms = Math.round(duration * 1000);
      if (up) {
        w.trace.emit({ kind: 'hc.up', pool: BACKEND_NAME, backend: name, reason, durationMs: ms, active, rise: policy.rise });
        startSlowstart(w, b);
      } else {
        w.trace.emit({ kind: 'hc.down', pool: BACKEND_NAME, backend: name, reason, durationMs: ms, active, queued: w.backends[b].appQueueLength, fall: policy.fall, inter: policy.inter });
        if (active === 0) w.trace.emit({ kind: 'hc.no_server', pool: BACKEND_NAME });
      }
    });
    checkers.push(hc);
  }
  const { readiness, liveness } = s.probes;
  if (readiness) {
    const probe = new HealthChecker(w, app, probePolicy(readiness), (b, up, reason) => {
      w.lb.ready[b] = up ? 1 : 0;
      w.metrics.inc(up ? w.c.readds : w.c.removals, b);
      w.trace.emit({ kind: 'k8s.readiness', pod: w.backends[b].name, ready: up, reason });
    });
    kubelet.watchReadiness(probe);
    checkers.push(probe);
  }
  if (liveness) {
    const probe = new HealthChecker(w, app, probePolicy(liveness), (b, up, reason) => {
      if (up) return;
      w.trace.emit({ kind: 'k8s.liveness_failed', pod: w.backends[b].name, reason });
      kubelet.restartApp(b);
      // A restarted container is probed afresh: failureThreshold failures again before the next restart.
      probe.reset(b, true);
    });
    checkers.push(probe);
  }
  for (const c of checkers) c.start();
  return checkers;
}

function countUp(w: World): number {
  let n = 0;
  for (let b = 0; b < w.backends.length; b++) if (w.lb.inService(b)) n++;
  return n;
}

/**
 * HAProxy slowstart: a server back from DOWN gets its weight raised linearly from ~0 to 100 %
 * over `slowstart`, updated once a second (HAProxy updates at each check).
 */
function startSlowstart(w: World, b: number): void {
  const ramp = w.scenario.lb.slowstart;
  if (!(ramp > 0) || ramp === Infinity) return;
  // One ramp per backend: a newer UP (after a flap) replaces the one still running.
  const begins = w.lb.rampStart;
  const begin = w.now;
  begins[b] = begin;
  const step = (): void => {
    if (begins[b] !== begin) return;
    const fraction = Math.min(1, (w.now - begin) / ramp);
    w.lb.weight[b] = w.lb.baseWeight[b] * Math.max(fraction, 0.01);
    if (fraction < 1 && w.lb.hcUp[b]) w.engine.schedule(1, step, null);
    else w.lb.weight[b] = w.lb.baseWeight[b];
  };
  step();
}
