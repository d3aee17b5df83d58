import type { DrainRecord } from '../../result.js';
import type { Action } from '../../scenario/schema.js';
import { formatDuration } from '../../scenario/units.js';
import { simTimeOf } from '../../scenario/sim-time.js';
import { definedOnly } from '../../util/defined-only.js';
import type { Lifecycle, TerminateMode } from '../vm/lifecycle.js';
import { PoolState } from '../lb/pool.js';
import type { Population, SessionAges } from '../core/populations.js';
import type { AppServer } from '../app/app-server.js';
import type { Rollout } from './k8s-rollout.js';
import type { World } from '../core/world.js';

interface GateRun {
  b: number;
  action: Extract<Action, { do: 'deploy' }>;
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
  constructor(
    private readonly w: World,
    private readonly life: Lifecycle,
    private readonly http: Population,
    private readonly ws: Population,
    private readonly requests: Population,
    private readonly sessions: SessionAges,
    private readonly app: AppServer,
    private readonly rollout: Rollout,
  ) {}

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
      case 'terminate':
        return this.life.terminate(this.backendIndex(action.backend), action.mode);
      case 'deploy':
        return this.deploy(action);
      case 'set': {
        const targets = action.backend ? [this.backendIndex(action.backend)] : w.backends.map((_, i) => i);
        for (const b of targets) w.backends[b].nginx.reload({ ...w.backends[b].nginx.config, ...definedOnly(action.nginx) });
        w.log.log('deploy', `config change on ${action.backend ?? 'all backends'}: ${describe(action.nginx)} (nginx -s reload)`);
        return;
      }
      case 'load':
        if (action.http_rate !== undefined) this.http.setRate(action.http_rate);
        if (action.ws_rate !== undefined) this.ws.setRate(action.ws_rate);
        if (action.request_rate !== undefined) this.requests.setRate(action.request_rate);
        w.log.log('client', `load change: ${describe({ http_rate: action.http_rate, ws_rate: action.ws_rate, request_rate: action.request_rate })}`);
        return;
      case 'rollout': {
        const pods = (action.pods ?? w.backends.map((b) => b.name)).map((n) => this.backendIndex(n));
        this.rollout.start({
          pods,
          gracePeriod: action.termination_grace_period,
          preStop: action.prestop_sleep,
          propagation: action.endpoint_propagation,
          between: action.between,
        });
        return;
      }
      case 'pause':
        return this.app.pause(w.backends[this.backendIndex(action.backend)], action.duration, 'stop-the-world');
      case 'dependency': {
        if (action.backend) w.backends[this.backendIndex(action.backend)].app.setDependency(action.state);
        else w.setSharedDependency(action.state);
        const what = action.state === 'down' ? 'dead (every query fails)' : action.state === 'slow' ? 'slow (queries take seconds)' : 'healthy again';
        w.log.log('app', action.backend ? `${action.backend}: database connection pool ${what}` : `shared database ${what}`);
        return;
      }
      case 'note':
        w.log.log('deploy', action.text);
        return;
    }
  };

  private deploy(action: Extract<Action, { do: 'deploy' }>): void {
    const w = this.w;
    const b = this.backendIndex(action.backend);
    const backend = w.backends[b];
    w.log.log('deploy', `deploy start on ${backend.name}: unbind -> drain -> gate(new==0 && active<${action.gate.threshold}) -> terminate`);
    this.life.unbind(b);
    const wsAvgAge = this.sessions.averageAge(backend);
    const record: DrainRecord = {
      backend: backend.name,
      startedAt: w.now,
      activeAtStart: w.lb.active[b],
      wsSessionsAtStart: backend.wsSessions.size,
      wsAvgAgeAtStart: wsAvgAge,
      completedAt: null,
      timedOut: false,
      activeAtEnd: w.lb.active[b],
    };
    this.drains.push(record);
    if (backend.wsSessions.size > 0) w.log.log('app', `${backend.name}: ws_sessions=${backend.wsSessions.size}, avg_age=${formatAge(wsAvgAge)}`);
    const ws = backend.app.config.ws;
    if (ws.drain_notice || ws.close_on_shutdown) this.life.runDrainHook(backend);
    const run: GateRun = { b, action, record, newAtLastPoll: this.w.lb.newFlows[b], lastLogMinute: -1 };
    w.engine.schedule(action.gate.poll, this.poll, run);
  }

  private readonly poll = (run: GateRun): void => {
    const w = this.w;
    const { b, action, record } = run;
    const backend = w.backends[b];
    const fresh = this.w.lb.newFlows[b] - run.newAtLastPoll;
    run.newAtLastPoll = this.w.lb.newFlows[b];
    const active = w.lb.active[b];
    const elapsed = w.now - record.startedAt;
    const minute = Math.floor(elapsed / 60);
    if (minute !== run.lastLogMinute) {
      run.lastLogMinute = minute;
      const rate = elapsed > 0 ? ((active - record.activeAtStart) / elapsed) * 60 : 0;
      w.log.log('lb', `backend=${backend.name} draining new_conn=${fresh} active_conn=${active} drain_rate=${rate.toFixed(1)}/min`);
    }
    if (w.lb.state[b] !== PoolState.DRAINING) return;
    if (fresh === 0 && active < action.gate.threshold) {
      record.completedAt = w.now;
      record.activeAtEnd = active;
      w.log.log('deploy', `drain complete on ${backend.name} after ${formatDuration(elapsed)} (active_conn=${active})`);
      return this.finish(run);
    }
    if (elapsed >= action.gate.max_wait) {
      record.timedOut = true;
      record.activeAtEnd = active;
      w.log.log('deploy', `timeout waiting for drain completion (${Math.round(action.gate.max_wait)}s)`);
      if (backend.wsSessions.size > 0) w.log.log('app', `${backend.name}: ws_sessions=${backend.wsSessions.size}, avg_age=${formatAge(this.sessions.averageAge(backend))}`);
      if (action.gate.on_timeout === 'abort') {
        w.log.log('deploy', `deploy aborted: ${backend.name} left DRAINING with ${active} active connections`);
        return;
      }
      w.log.log('deploy', `forced stage: terminating ${backend.name} with ${active} active connections`);
      return this.finish(run);
    }
    w.engine.schedule(action.gate.poll, this.poll, run);
  };

  private finish(run: GateRun): void {
    const w = this.w;
    this.life.terminate(run.b, run.action.terminate as TerminateMode);
    const rebind = run.action.rebind_after;
    if (rebind > 0 && rebind !== Infinity) w.engine.schedule(rebind, (b: number) => this.life.bind(b), run.b);
  }
}

function describe(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' && k.endsWith('timeout') ? formatDuration(v) : String(v)}`)
    .join(' ');
}

/** Session ages are logged to the minute, like `avg_age=2h 11m`. */
function formatAge(seconds: number): string {
  return formatDuration(Math.round(seconds / 60) * 60);
}
