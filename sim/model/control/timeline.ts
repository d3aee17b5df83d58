import type { DrainRecord } from '../../result.js';
import type { Action } from '../../scenario/schema.js';
import { simTimeOf } from '../../scenario/sim-time.js';
import { definedOnly } from '../../util/defined-only.js';
import type { AppServer } from '../app/app-server.js';
import { dependencyDown } from '../app/db-pool.js';
import type { Population, SessionAges } from '../core/populations.js';
import type { World } from '../core/world.js';
import { PoolState } from '../lb/pool.js';
import type { NginxMaster } from '../proxy/master.js';
import type { Backend } from '../vm/backend.js';
import type { Lifecycle, TerminateMode } from '../vm/lifecycle.js';
import type { Rollout } from './k8s-rollout.js';
import { type DeployAction, RollingDeploy } from './rolling-deploy.js';

interface GateRun {
  b: number;
  action: DeployAction;
  /** Called when the backend serves again (or, without rebind, once it is terminated). */
  done: (() => void) | null;
  record: DrainRecord;
  newAtLastPoll: number;
  lastLogMinute: number;
}

/**
 * Runs the scenario's timeline: single control-plane actions at their times, and deploy plans
 * `unbind → drain (app drain hook) → gate new == 0 && active < threshold → terminate [→ bind]`
 * with a maximum wait and a forced stage, logged like a deploy pipeline.
 */
export class Orchestrator {
  readonly drains: DrainRecord[] = [];
  private readonly rolling: RollingDeploy;
  constructor(
    private readonly w: World,
    private readonly life: Lifecycle,
    private readonly http: Population,
    private readonly ws: Population,
    private readonly requests: Population,
    private readonly sessions: SessionAges,
    private readonly app: AppServer,
    private readonly rollout: Rollout,
    private readonly nginx: NginxMaster,
  ) {
    this.rolling = new RollingDeploy(w, (action, done) => this.deploy(action, done));
  }

  timeOf(at: string): number {
    return simTimeOf(at, this.w.scenario.start, this.w.scenario.warmup);
  }

  start(): void {
    for (const action of this.w.scenario.timeline) {
      this.w.engine.at(this.timeOf(action.at), this.fire, action);
    }
  }

  private backendIndex(name: string): number {
    return this.w.backends.findIndex((b) => b.name === name);
  }

  private readonly fire = (action: Action): void => {
    const w = this.w;
    switch (action.do) {
      case 'bind':
        return this.life.bind(this.backendIndex(action.backend));
      case 'unbind':
      case 'drain':
        return this.life.unbind(this.backendIndex(action.backend));
      case 'remove':
        return this.life.remove(this.backendIndex(action.backend));
      case 'set_server':
        return this.life.setServerState(this.backendIndex(action.backend), action.state);
      case 'lb_reload':
        return this.life.lbReload();
      case 'shutdown_sessions':
        return this.life.shutdownSessions(this.backendIndex(action.backend), 'command');
      case 'terminate':
        return this.life.terminate(this.backendIndex(action.backend), action.mode);
      case 'deploy':
        return this.deploy(action, null);
      case 'rolling_deploy':
        return this.rolling.start(action);
      case 'set': {
        const targets = action.backend ? [this.backendIndex(action.backend)] : w.backends.map((_, i) => i);
        // The real way to change nginx's settings: a reload (new generation; the old one drains).
        for (const b of targets) this.nginx.reload(w.backends[b], definedOnly(action.nginx), false);
        w.trace.emit({ kind: 'deploy.config', target: action.backend ?? null, nginx: action.nginx });
        return;
      }
      case 'nginx_reload': {
        const targets = action.backend ? [this.backendIndex(action.backend)] : w.backends.map((_, i) => i);
        for (const b of targets) this.nginx.reload(w.backends[b], definedOnly(action.nginx ?? {}), true);
        return;
      }
      case 'nginx_quit':
        return this.nginx.quit(w.backends[this.backendIndex(action.backend)], true);
      case 'nginx_stop':
        return this.nginx.stop(w.backends[this.backendIndex(action.backend)]);
      case 'load':
        if (action.http_rate !== undefined) this.http.setRate(action.http_rate);
        if (action.http_think_time !== undefined) this.http.setThinkTime?.(action.http_think_time);
        if (action.ws_rate !== undefined) this.ws.setRate(action.ws_rate);
        if (action.request_rate !== undefined) this.requests.setRate(action.request_rate);
        w.trace.emit({
          kind: 'client.load',
          rates: { http_rate: action.http_rate, ws_rate: action.ws_rate, request_rate: action.request_rate },
        });
        return;
      case 'rollout': {
        // Default: the pods are the bound backends; the others are room for surge pods.
        const pods = (
          action.pods ?? w.backends.filter((_, i) => w.lb.state[i] === PoolState.BOUND).map((b) => b.name)
        ).map((n) => this.backendIndex(n));
        const spares = w.backends
          .map((_, i) => i)
          .filter((i) => !pods.includes(i) && w.lb.state[i] !== PoolState.BOUND);
        this.rollout.start({
          pods,
          spares,
          maxSurge: action.max_surge,
          maxUnavailable: action.max_unavailable,
          gracePeriod: action.termination_grace_period,
          preStop: action.prestop_sleep,
          propagation: action.endpoint_propagation,
          minReadySeconds: action.min_ready_seconds,
          crashAfter: action.crash_after,
          action: { index: w.scenario.timeline.indexOf(action), at: action.at },
        });
        return;
      }
      case 'pause':
        return this.app.pause(w.backends[this.backendIndex(action.backend)], action.duration, 'stop-the-world');
      case 'dependency': {
        const one = action.backend ? w.backends[this.backendIndex(action.backend)] : null;
        if (one !== null) one.app.setDependency(action.state);
        else w.setSharedDependency(action.state);
        const app = one !== null ? one.app.config : w.scenario.app;
        w.trace.emit({
          kind: 'app.dependency',
          backend: action.backend ? action.backend : null,
          state: action.state,
          failTime: app.dependency_fail_time,
          slowLatency: app.dependency_slow_latency.spec,
          // Only with a pool (no built-in has one): the records of the others stay as they were.
          ...(app.db_pool !== undefined
            ? { pool: { size: app.db_pool.size, connectionTimeout: app.db_pool.connection_timeout } }
            : {}),
          ...(dependencyDown(app) === 'wait' ? { downWaits: true as const } : {}),
        });
        // Jobs waiting in a pool take the connections a recovered database gives.
        this.app.dependencyChanged(one);
        return;
      }
      case 'health_404':
      case 'health_200': {
        const backend = w.backends[this.backendIndex(action.backend)];
        const code = action.do === 'health_404' ? 404 : 200;
        backend.app.setMaintenanceFile(code === 404);
        w.trace.emit({ kind: 'app.health_answer', backend: backend.name, code });
        return;
      }
      case 'note':
        w.trace.emit({ kind: 'deploy.note', text: action.text });
        return;
    }
  };

  private deploy(action: DeployAction, done: (() => void) | null): void {
    const w = this.w;
    const b = this.backendIndex(action.backend);
    const backend = w.backends[b];
    const gate = action.gate;
    w.trace.emit({
      kind: 'deploy.start',
      backend: backend.name,
      threshold: gate.threshold,
      poll: gate.poll,
      maxWait: gate.max_wait,
      onTimeout: gate.on_timeout,
    });
    this.life.unbind(b);
    const wsAvgAge = this.sessions.averageAge(backend);
    const record: DrainRecord = {
      backend: backend.name,
      startedAt: w.now,
      // What an operator's gate polls: HAProxy `show stat` scur (LoadBalancer.currentSessions).
      activeAtStart: w.lb.currentSessions(b),
      wsSessionsAtStart: backend.wsSessions.size,
      wsAvgAgeAtStart: wsAvgAge,
      completedAt: null,
      timedOut: false,
      activeAtEnd: w.lb.currentSessions(b),
    };
    this.drains.push(record);
    if (backend.wsSessions.size > 0) this.logSessions(backend, wsAvgAge);
    const ws = backend.app.config.ws;
    if (ws.drain_notice) this.life.drainStarted(backend);
    const run: GateRun = { b, action, done, record, newAtLastPoll: this.w.lb.newFlows[b], lastLogMinute: -1 };
    w.engine.schedule(action.gate.poll, this.poll, run);
  }

  private readonly poll = (run: GateRun): void => {
    const w = this.w;
    const { b, action, record } = run;
    const backend = w.backends[b];
    const fresh = this.w.lb.newFlows[b] - run.newAtLastPoll;
    run.newAtLastPoll = this.w.lb.newFlows[b];
    const active = w.lb.currentSessions(b);
    const elapsed = w.now - record.startedAt;
    const minute = Math.floor(elapsed / 60);
    if (minute !== run.lastLogMinute) {
      run.lastLogMinute = minute;
      const rate = elapsed > 0 ? ((active - record.activeAtStart) / elapsed) * 60 : 0;
      w.trace.emit({
        kind: 'lb.draining',
        backend: backend.name,
        newConn: fresh,
        active,
        drainRate: rate,
        gateThreshold: action.gate.threshold,
        gateMaxWait: action.gate.max_wait,
      });
    }
    if (w.lb.state[b] === PoolState.BOUND) {
      // Someone put the server back in load balancing during the gate (`bind`, `set_server …
      // ready`): a pipeline does not terminate a server that serves again. It stops this VM's
      // deploy, says so, and — the VM serving — a rolling deploy goes on with its next batch.
      // DETACHED (`set_server … maint`, `remove`) takes no new connections either, as DRAINING:
      // the gate's counters decide, as for a drain (HAProxy keeps maint's established streams).
      record.activeAtEnd = active;
      w.trace.emit({ kind: 'deploy.aborted', backend: backend.name, active, cause: 'back_in_service' });
      run.done?.();
      return;
    }
    if (fresh === 0 && active < action.gate.threshold) {
      record.completedAt = w.now;
      record.activeAtEnd = active;
      w.trace.emit({ kind: 'deploy.drain_complete', backend: backend.name, after: elapsed, active });
      return this.finish(run);
    }
    if (elapsed >= action.gate.max_wait) {
      record.timedOut = true;
      record.activeAtEnd = active;
      w.trace.emit({ kind: 'deploy.gate_timeout', backend: backend.name, maxWait: action.gate.max_wait });
      if (backend.wsSessions.size > 0) this.logSessions(backend, this.sessions.averageAge(backend));
      if (action.gate.on_timeout === 'abort') {
        w.trace.emit({ kind: 'deploy.aborted', backend: backend.name, active });
        return;
      }
      w.trace.emit({ kind: 'deploy.forced', backend: backend.name, active });
      return this.finish(run);
    }
    w.engine.schedule(action.gate.poll, this.poll, run);
  };

  private logSessions(backend: Backend, avgAge: number): void {
    const ws = backend.app.config.ws;
    this.w.trace.emit({
      kind: 'app.ws_sessions',
      backend: backend.name,
      sessions: backend.wsSessions.size,
      avgAge,
      wsHook: ws.drain_notice || ws.close_on_shutdown,
    });
  }

  private finish(run: GateRun): void {
    const w = this.w;
    this.life.terminate(run.b, run.action.terminate as TerminateMode);
    const rebind = run.action.rebind_after;
    const done = run.done;
    if (rebind > 0 && rebind !== Infinity)
      w.engine.schedule(
        rebind,
        (b: number) => {
          this.life.bind(b);
          done?.();
        },
        run.b,
      );
    else done?.();
  }
}
