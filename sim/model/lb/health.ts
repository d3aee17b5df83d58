import type { CheckConfig } from '../../scenario/schema.js';
import type { AppServer } from '../app/app-server.js';
import type { World } from '../core/world.js';
import { type CheckPolicy, HealthChecker } from './health-checker.js';

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
    checker: 'haproxy',
    firstCheck: c.first_check ?? -1,
  };
}

/**
 * The balancer's health checks of its servers (HAProxy `check`): a server going DOWN leaves the
 * rotation, one coming back UP re-enters it, with slowstart ramping its weight. Built here,
 * started by the composition root together with the kubelet's probes (control/k8s-probes.ts).
 */
export function lbHealthChecks(
  w: World,
  app: AppServer,
  shutdownSessions: (b: number) => void = () => {},
): HealthChecker[] {
  const checkers: HealthChecker[] = [];
  const s = w.scenario;
  if (s.health_check) {
    const policy = lbPolicy(s.health_check);
    const hc = new HealthChecker(w, app, policy, (b, up, reason, duration) => {
      // A DOWN hands the server's queue back (pendconn_redistribute(), src/queue.c): "requeued".
      const requeued = w.lb.setHealth(b, up);
      w.metrics.inc(up ? w.c.readds : w.c.removals, b);
      const active = countUp(w);
      const name = w.backends[b].name;
      const ms = Math.round(duration * 1000);
      if (up) {
        w.trace.emit({
          kind: 'hc.up',
          pool: BACKEND_NAME,
          backend: name,
          reason,
          durationMs: ms,
          active,
          rise: policy.rise,
        });
        startSlowstart(w, b);
      } else {
        w.trace.emit({
          kind: 'hc.down',
          pool: BACKEND_NAME,
          backend: name,
          reason,
          durationMs: ms,
          active,
          // srv_append_more(), src/server.c: the server's streams (cur_sess), the streams handed
          // back, and the server's own queue after that (queueslength).
          sessions: w.lb.currentSessions(b),
          requeued,
          queued: w.lb.queue?.serverQueued(b) ?? 0,
          fall: policy.fall,
          inter: policy.inter,
        });
        if (active === 0) w.trace.emit({ kind: 'hc.no_server', pool: BACKEND_NAME });
        // Established streams carry on unless `on-marked-down shutdown-sessions` (srv_update_status(), src/server.c).
        if (s.health_check!.on_marked_down === 'shutdown-sessions') shutdownSessions(b);
      }
    });
    checkers.push(hc);
  }
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
